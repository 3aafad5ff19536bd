"""The desk is told when the field hands an event back to it (issue 16).

After 处置 the next step (核查) is the dispatchers'; after an officer's 退回 the next step (重新派遣) is
theirs too. Both write a notice — in the same transaction as the step — to the command centre's
dispatchers (district-wide) and to the street dispatcher of the event's street, not to another street's."""

from typing import Any

import pytest

from zhifa.core.errors import ValidationFailed
from zhifa.events import services
from zhifa.events.models import Notification
from zhifa.events.tests.conftest import walk_to
from zhifa.org.roles import Role
from zhifa.org.tests.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


def street_b_dispatcher(world: Any) -> Any:
    user = UserFactory(username="street_dispatcher_b")
    ProfileFactory(user=user, district=world.district, role=Role.STREET_DISPATCHER, street=world.street_b)
    return user


def notices(user: Any) -> list[str]:
    return list(Notification.objects.filter(user=user).order_by("pk").values_list("message", flat=True))


def test_a_handled_event_tells_the_dispatchers_of_the_district_and_its_street(world: Any) -> None:
    other_street = street_b_dispatcher(world)
    event = walk_to(world, "arrived")
    before = {name: len(notices(world.user(name))) for name in ("dispatcher", "street_dispatcher_a")}

    services.event_handle(actor=world.user("officer_a"), event=event, outcome="已劝离，恢复通行")

    expected = f"事件 {event.public_no} 已处置，待核查：已劝离，恢复通行"
    for name in ("dispatcher", "street_dispatcher_a"):
        got = notices(world.user(name))
        assert len(got) == before[name] + 1
        assert got[-1] == expected
    assert notices(other_street) == []
    assert notices(world.user("officer_a"))[-1] != expected


def test_a_refused_report_tells_nobody(world: Any) -> None:
    event = walk_to(world, "arrived")
    count = Notification.objects.count()
    with pytest.raises(ValidationFailed):
        services.event_handle(actor=world.user("officer_a"), event=event, outcome="  ")
    assert Notification.objects.count() == count


def test_a_report_sent_twice_tells_the_desk_once(world: Any) -> None:
    event = walk_to(world, "arrived")
    officer = world.user("officer_a")
    services.event_handle(actor=officer, event=event, outcome="已劝离")
    count = len(notices(world.user("dispatcher")))
    services.event_handle(actor=officer, event=event, outcome="已劝离")
    assert len(notices(world.user("dispatcher"))) == count


def test_an_officers_return_tells_the_desk(world: Any) -> None:
    other_street = street_b_dispatcher(world)
    event = walk_to(world, "dispatched")

    services.event_return(actor=world.user("officer_a"), event=event, reason="非本片区")

    expected = f"事件 {event.public_no} 被退回，待重新派遣：非本片区"
    assert notices(world.user("dispatcher"))[-1] == expected
    assert notices(world.user("street_dispatcher_a"))[-1] == expected
    assert notices(other_street) == []


def test_the_desks_own_return_is_not_echoed_to_it(world: Any) -> None:
    event = walk_to(world, "dispatched")
    count = Notification.objects.filter(message__contains="被退回").count()
    services.event_return(actor=world.user("dispatcher"), event=event, reason="派错了")
    assert Notification.objects.filter(message__contains="被退回").count() == count
