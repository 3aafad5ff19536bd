"""The caller's number (issue 16): masked everywhere, shown whole on request to the event's commanders and to
the officers assigned to it, and every look audited; a refusal writes nothing."""

from typing import Any

import pytest

from zhifa.core.errors import DomainError, NotFound, PermissionDenied
from zhifa.core.models import AuditEntry
from zhifa.events import services
from zhifa.events.models import Event
from zhifa.events.privacy import tel_url
from zhifa.events.services.contacts import AUDIT_ACTION, can_reveal_reporter_phone
from zhifa.events.tests.conftest import report, walk_to

pytestmark = pytest.mark.django_db


def reveals() -> list[tuple[str, str, str]]:
    return list(
        AuditEntry.objects.filter(action=AUDIT_ACTION).order_by("seq").values_list("actor_label", "object_id", "action")
    )


@pytest.mark.parametrize("persona", ["dispatcher", "street_dispatcher_a", "officer_a"])
def test_the_commanders_and_the_assigned_officer_see_the_number_and_each_look_is_audited(
    world: Any, persona: str
) -> None:
    # Given an event of street A dispatched to officer_a, the caller having left 13812341234
    event = walk_to(world, "dispatched")
    actor = world.user(persona)

    # When the person asks for the number twice
    first = services.event_reporter_phone_reveal(actor=actor, event=event)
    second = services.event_reporter_phone_reveal(actor=actor, event=event)

    # Then they get it whole, and the audit trail holds one entry per look, naming who looked at which event
    assert (first, second) == ("13812341234", "13812341234")
    assert reveals() == [(persona, str(event.pk), AUDIT_ACTION)] * 2
    entry = AuditEntry.objects.filter(action=AUDIT_ACTION).first()
    assert entry is not None
    assert "13812341234" not in str(entry.after)  # that it was seen, not what it is
    assert entry.recorded_at is not None


@pytest.mark.parametrize(
    ("persona", "refusal"),
    [
        ("auxiliary_a", PermissionDenied),  # street A, sees the event, may not call
        ("leader", PermissionDenied),
        ("legal_reviewer", PermissionDenied),
        ("officer_b", NotFound),  # another street, not assigned: the event is not theirs to know of
        ("liaison", NotFound),
        ("business_owner", NotFound),
    ],
)
def test_everyone_else_is_refused_and_nothing_is_written(world: Any, persona: str, refusal: type[DomainError]) -> None:
    event = walk_to(world, "dispatched")
    audit_before = AuditEntry.objects.count()

    with pytest.raises(refusal) as refused:
        services.event_reporter_phone_reveal(actor=world.user(persona), event=event)

    if refusal is PermissionDenied:
        assert refused.value.code == "phone_reveal_not_allowed"
    else:
        assert refused.value.code == "event_not_found"
    assert AuditEntry.objects.count() == audit_before


def test_an_officer_of_the_street_not_assigned_to_the_event_is_refused(world: Any, colleague: Any) -> None:
    # 丙队员 serves street A and sees its events, but officer_a was sent, not them
    event = walk_to(world, "dispatched")
    audit_before = AuditEntry.objects.count()

    with pytest.raises(PermissionDenied):
        services.event_reporter_phone_reveal(actor=colleague.user, event=event)

    assert AuditEntry.objects.count() == audit_before


def test_the_officer_no_longer_sees_it_once_their_assignment_ends(world: Any) -> None:
    # officer_a has reported (处置): the report releases their assignment; the command centre calls back now
    event = walk_to(world, "handled")

    assert can_reveal_reporter_phone(world.user("officer_a"), event) is False
    assert can_reveal_reporter_phone(world.user("dispatcher"), event) is True
    with pytest.raises(PermissionDenied):
        services.event_reporter_phone_reveal(actor=world.user("officer_a"), event=event)


def test_the_street_dispatcher_of_another_street_does_not_see_the_number(world: Any) -> None:
    from conftest import POINT_IN_B

    event = report(world, lon=POINT_IN_B[0], lat=POINT_IN_B[1])

    with pytest.raises(NotFound):
        services.event_reporter_phone_reveal(actor=world.user("street_dispatcher_a"), event=event)
    assert reveals() == []


def test_an_event_without_a_number_says_so_and_writes_nothing(world: Any) -> None:
    event = report(world, reporter_phone="")

    with pytest.raises(NotFound) as refused:
        services.event_reporter_phone_reveal(actor=world.user("dispatcher"), event=event)

    assert refused.value.code == "reporter_phone_missing"
    assert reveals() == []
    assert Event.objects.get(pk=event.pk).reporter_phone == ""


@pytest.mark.parametrize(
    ("phone", "url"),
    [
        ("13812341234", "tel:13812341234"),
        ("0571-8765 4321", "tel:057187654321"),
        ("+86 138 1234 1234", "tel:+8613812341234"),
        ("", ""),
    ],
)
def test_the_call_link_holds_what_a_dialler_takes(phone: str, url: str) -> None:
    assert tel_url(phone) == url
