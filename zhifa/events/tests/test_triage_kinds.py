"""Triage by complaint kind (issue 14) with the real model the set-up builds: every text lands on a department's
desk or, when the model is unsure or the district does not route the kind, in the command centre's human
triage queue — never silently on a zone team; active danger is marked urgent with its phrase and the desk told;
a dispatcher's correction re-routes the event and is kept as a training example."""

import datetime as dt
from typing import Any

import pytest

from zhifa.catalog.models import ComplaintKind
from zhifa.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from zhifa.core.models import AuditEntry
from zhifa.events import services
from zhifa.events.models import Event, Notification, SlaPolicy, TriageCorrection
from zhifa.events.selectors import event_queue
from zhifa.events.services.triage_training import corrections
from zhifa.events.states import ClassifiedBy, EventPriority, EventRoute, EventStatus
from zhifa.events.tests.conftest import officer_of, report, walk_to

pytestmark = pytest.mark.django_db


def _kind(world: Any, code: str) -> ComplaintKind:
    return ComplaintKind.objects.get(district=world.district, code=code)


def test_a_complaint_is_routed_by_its_kind_to_the_kinds_department(world: Any) -> None:
    stall = report(world, description="菜场门口一排三轮车卖菜，把人行道堵死了")
    food = report(world, description="楼下超市卖过期的酸奶，吃了拉肚子", lon=120.102, lat=30.302)

    assert (stall.kind.code, stall.department_id, stall.route) == (
        "ZF-ZDJY",
        world.enforcement_dept.pk,
        EventRoute.ZONE_TEAM,
    )
    assert (food.kind.code, food.department_id, food.route) == (
        "SC-SPAQ",
        world.market_dept.pk,
        EventRoute.COORDINATION,
    )
    assert stall.classified_by == ClassifiedBy.AUTO
    assert stall.kind_confidence is not None and stall.kind_confidence >= 0.5
    assert stall.triage_candidates[0][0] == "ZF-ZDJY" and len(stall.triage_candidates) == 3


def test_a_text_the_model_is_unsure_of_goes_to_the_human_queue_not_a_zone_team(world: Any, settings: Any) -> None:
    settings.ZHIFA_TRIAGE_MIN_CONFIDENCE = 0.999

    event = report(world, description="那边好像有点情况，你们过来看一下吧")

    assert (event.status, event.route, event.kind_id, event.department_id, event.matter_id) == (
        EventStatus.TRIAGED,
        EventRoute.MANUAL,
        None,
        None,
        None,
    )
    assert event.triage_candidates  # the desk sees what the model thought


def test_a_kind_the_district_does_not_route_goes_to_the_human_queue(world: Any) -> None:
    # The test district has no department for wages (人社): the kind is read, nobody here would get it.
    event = report(world, description="老板拖欠我们三个月工资了，一直不给，工人们都没钱回家")

    assert event.triage_candidates[0][0] == "RS-QX"
    assert (event.route, event.kind_id, event.department_id) == (EventRoute.MANUAL, None, None)


def test_active_danger_is_urgent_with_its_phrase_and_the_desk_is_told(world: Any) -> None:
    event = report(world, description="路口两伙人在打架，有人拿着刀，快来人")

    assert event.priority == EventPriority.URGENT
    assert event.urgent_phrase in event.description and event.urgent_phrase
    told = Notification.objects.filter(event=event, user=world.user("dispatcher")).values_list("message", flat=True)
    assert any("紧急事件" in m and event.urgent_phrase in m for m in told)


def test_anger_without_danger_is_not_urgent(world: Any) -> None:
    event = report(world, description="紧急！！！门口又摆摊了，说了八百遍了，你们到底管不管")

    assert (event.priority, event.urgent_phrase) == (EventPriority.NORMAL, "")
    assert not Notification.objects.filter(event=event, message__contains="紧急事件").exists()


def test_a_correction_reroutes_the_event_and_is_kept_as_a_training_example(world: Any) -> None:
    event = report(world, description="菜场门口一排三轮车卖菜，把人行道堵死了")
    dispatcher = world.user("dispatcher")
    food = _kind(world, "SC-SPAQ")

    corrected = services.event_correct_triage(actor=dispatcher, event=event, kind=food, urgent=True)

    assert (corrected.kind_id, corrected.department_id, corrected.route, corrected.priority) == (
        food.pk,
        world.market_dept.pk,
        EventRoute.COORDINATION,
        EventPriority.URGENT,
    )
    assert corrected.classified_by == ClassifiedBy.OPERATOR
    row = TriageCorrection.objects.get(event=event)
    assert (row.predicted_kind.code, row.chosen_kind_id, row.predicted_urgent, row.chosen_urgent, row.actor) == (
        "ZF-ZDJY",
        food.pk,
        False,
        True,
        dispatcher,
    )
    entry = AuditEntry.objects.get(action="event.correct_triage", object_id=str(event.pk))
    assert (entry.before["route"], entry.after["route"]) == (EventRoute.ZONE_TEAM, EventRoute.COORDINATION)
    examples = [(e.text, e.kind, e.urgent) for e in corrections()]
    assert (event.description, "SC-SPAQ", True) in examples


def test_a_correction_that_changes_nothing_or_comes_too_late_writes_nothing(world: Any) -> None:
    event = report(world, description="菜场门口一排三轮车卖菜，把人行道堵死了", lon=120.102, lat=30.302)
    dispatched = walk_to(world, "dispatched")
    audits = AuditEntry.objects.count()

    with pytest.raises(ValidationFailed) as same:
        services.event_correct_triage(
            actor=world.user("dispatcher"), event=event, kind=_kind(world, "ZF-ZDJY"), urgent=False
        )
    with pytest.raises(Conflict) as late:
        services.event_correct_triage(
            actor=world.user("dispatcher"), event=dispatched, kind=_kind(world, "SC-SPAQ"), urgent=False
        )

    assert (same.value.code, late.value.code) == ("correction_unchanged", "classification_locked")
    assert TriageCorrection.objects.count() == 0 and AuditEntry.objects.count() == audits
    assert Event.objects.get(pk=event.pk).kind.code == "ZF-ZDJY"


def test_an_officer_may_not_correct_the_triage(world: Any) -> None:
    event = report(world, description="菜场门口一排三轮车卖菜，把人行道堵死了")

    with pytest.raises(PermissionDenied) as refused:
        services.event_correct_triage(
            actor=world.user("officer_a"), event=event, kind=_kind(world, "SC-SPAQ"), urgent=False
        )

    assert refused.value.code == "permission_denied"
    assert TriageCorrection.objects.count() == 0


def test_an_urgent_event_runs_on_the_urgent_clocks_and_tops_the_queue(world: Any) -> None:
    SlaPolicy.objects.create(district=world.district, acknowledge_limit=1, arrive_limit=5, handle_limit=30)
    SlaPolicy.objects.create(
        district=world.district, priority=EventPriority.URGENT, acknowledge_limit=1, arrive_limit=3, handle_limit=20
    )
    earlier = report(world, description="菜场门口一排三轮车卖菜，把人行道堵死了", lon=120.102, lat=30.302)
    sign = report(world, description="商场外墙的广告牌被风吹松了，摇摇欲坠，下面就是公交站，人很多")

    dispatched = services.event_dispatch(
        actor=world.user("dispatcher"), event=sign, officers=[officer_of(world, "officer_a")]
    )

    assert (sign.kind.code, sign.priority) == ("ZF-GG", EventPriority.URGENT)
    assert dispatched.arrive_due_at is not None and dispatched.dispatched_at is not None
    assert dispatched.arrive_due_at - dispatched.dispatched_at == dt.timedelta(minutes=3)
    queue = list(event_queue(user=world.user("dispatcher")).values_list("pk", flat=True))
    assert queue.index(sign.pk) < queue.index(earlier.pk)


def test_an_event_in_the_human_queue_is_triaged_again_and_a_routed_one_is_not(world: Any, settings: Any) -> None:
    settings.ZHIFA_TRIAGE_MIN_CONFIDENCE = 1.01  # nothing is sure enough: everything waits for the desk
    waiting = report(world, description="菜场门口一排三轮车卖菜，把人行道堵死了")
    assert waiting.route == EventRoute.MANUAL
    settings.ZHIFA_TRIAGE_MIN_CONFIDENCE = 0.5  # the model is trusted again (a retrained one, say)

    again = services.event_triage(actor=world.user("dispatcher"), event=waiting)

    assert (again.status, again.route, again.kind.code, again.department_id) == (
        EventStatus.TRIAGED,
        EventRoute.ZONE_TEAM,
        "ZF-ZDJY",
        world.enforcement_dept.pk,
    )
    assert list(again.transitions.values_list("action", "from_status", "to_status")) == [
        ("triage", "reported", "triaged"),
        ("triage", "triaged", "triaged"),
    ]
    audits = AuditEntry.objects.count()
    with pytest.raises(InvalidTransition) as refused:
        services.event_triage(actor=world.user("dispatcher"), event=again)
    assert refused.value.code == "transition_guard_failed"
    assert AuditEntry.objects.count() == audits
