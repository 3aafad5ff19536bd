"""``event_acknowledge`` when an acknowledgement arrives twice, or late.

The phone's outbox sends an acknowledgement again when the server's answer to the first copy was lost, and
two taps while offline queue two: the copy is answered with the event and writes nothing, while anyone
else (or the same officer once the event went back to the field) meets the refusal of today. A queued
acknowledgement carries the moment the officer tapped (``acted_at``), taken for the acknowledge clock when it
is plausible; otherwise the arrival counts and the audit entry says why."""

import datetime as dt
from typing import Any

import pytest
import time_machine

from zhifa.core.errors import InvalidTransition, NotFound, PermissionDenied
from zhifa.core.models import AuditEntry
from zhifa.events import services
from zhifa.events.models import Event, EventAssignment, EventEscalation, EventTransition, Notification, OfficerPosition
from zhifa.events.services import dispatch
from zhifa.events.states import EventAction, EventStatus
from zhifa.events.tests.conftest import officer_of, on_duty, walk_to
from zhifa.org.models import Officer

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)  # Monday 10:00 in Shanghai; acknowledge due 10:01


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def written(event: Event) -> tuple[Any, ...]:
    """Everything an acknowledgement (and what follows it) writes, as stored."""
    fresh = Event.objects.get(pk=event.pk)
    return (
        fresh.status,
        fresh.acknowledged_at,
        fresh.updated_at,
        EventTransition.objects.count(),
        AuditEntry.objects.count(),
        EventAssignment.objects.filter(released_at__isnull=True).count(),
        OfficerPosition.objects.count(),
        Notification.objects.count(),
    )


def acknowledgements(event: Event) -> list[tuple[str, dt.datetime]]:
    rows = EventTransition.objects.filter(event=event, action=EventAction.ACKNOWLEDGE).order_by("pk")
    return [(t.actor.username, t.created_at) for t in rows]  # type: ignore[union-attr]


def last_audit(event: Event) -> tuple[str, dict[str, Any], str]:
    entry = AuditEntry.objects.filter(object_id=str(event.pk)).order_by("-seq").first()
    assert entry is not None and isinstance(entry.after, dict)
    return entry.action, entry.after, entry.reason


@pytest.mark.parametrize("state", ["acknowledged", "arrived", "handled", "verified", "closed"])
def test_an_acknowledgement_sent_again_returns_the_event_and_writes_nothing(world: Any, state: str) -> None:
    # Given an event officer_a acknowledged at 10:00 (and took further since)
    with time_machine.travel(T0, tick=False):
        event = walk_to(world, state)
    before = written(event)

    # When the same acknowledgement arrives again at 10:02, with the tap's time
    with time_machine.travel(at(2), tick=False):
        returned = services.event_acknowledge(actor=world.user("officer_a"), event=event, acted_at=at(0.5))

    # Then it is answered with the event as stored, and nothing is written
    assert (returned.pk, returned.status, returned.acknowledged_at) == (event.pk, state, T0)
    assert written(event) == before
    assert acknowledgements(event) == [("officer_a", T0)]


def test_two_taps_queued_offline_make_one_acknowledgement(world: Any) -> None:
    # Given a dispatched event, and two taps officer_a made offline at 10:00:20 and 10:00:30
    with time_machine.travel(T0, tick=False):
        event = walk_to(world, "dispatched")
    officer = world.user("officer_a")

    # When both arrive at 10:03, one after the other
    with time_machine.travel(at(3), tick=False):
        first = services.event_acknowledge(actor=officer, event=event, acted_at=at(20 / 60))
        after_first = written(event)
        second = services.event_acknowledge(actor=officer, event=event, acted_at=at(0.5))

    # Then the first is the acknowledgement, timed at its tap; the second changes nothing
    assert (first.status, first.acknowledged_at) == (EventStatus.ACKNOWLEDGED, at(20 / 60))
    assert (second.status, second.acknowledged_at) == (EventStatus.ACKNOWLEDGED, at(20 / 60))
    assert written(event) == after_first
    assert acknowledgements(event) == [("officer_a", at(3))]


@pytest.mark.parametrize(
    ("persona", "code", "message"),
    [
        # The colleague sent with officer_a is not refused: their own acknowledgement (test_colleague_steps.py).
        # Street B's officer does not see street A's event: "not found", as for a missing one.
        ("officer_b", "event_not_found", "事件不存在或不在您的管辖范围内"),
        ("auxiliary_a", "not_assigned", "只有被派遣到该事件的执法人员才能响应任务"),
        ("dispatcher", "not_assigned", "只有被派遣到该事件的执法人员才能响应任务"),
    ],
)
def test_anyone_else_is_refused_as_before(
    world: Any, colleague: Officer, persona: str, code: str, message: str
) -> None:
    # Given an event sent to officer_a and a colleague, acknowledged by officer_a
    event = walk_to(world, "triaged")
    event = services.event_dispatch(
        actor=world.user("dispatcher"), event=event, officers=[officer_of(world, "officer_a"), colleague]
    )
    event = services.event_acknowledge(actor=world.user("officer_a"), event=event)
    before = written(event)
    actor = colleague.user if persona == "colleague" else world.user(persona)

    # When someone else acknowledges
    with pytest.raises((InvalidTransition, PermissionDenied, NotFound)) as refused:
        services.event_acknowledge(actor=actor, event=event)

    # Then they get the refusal of today, and nothing is written
    assert (refused.value.code, refused.value.message) == (code, message)  # type: ignore[union-attr]
    assert written(event) == before


def test_a_copy_arriving_after_a_redispatch_is_refused_as_before(world: Any, colleague: Officer) -> None:
    # Given an event officer_a acknowledged, re-dispatched since to a colleague, and then acknowledged by the
    # colleague (re-dispatched to both, officer_a's copy is their acknowledgement of the new dispatch:
    # test_colleague_steps.py)
    event = walk_to(world, "acknowledged")
    event = services.event_redispatch(
        actor=world.user("dispatcher"), event=event, officers=[colleague], reason="甲队员另有紧急任务"
    )
    event = services.event_acknowledge(actor=colleague.user, event=event)
    before = written(event)

    # When officer_a's first acknowledgement arrives again
    with pytest.raises(PermissionDenied) as refused:
        services.event_acknowledge(actor=world.user("officer_a"), event=event)

    # Then it is not taken for a copy: the event no longer rests on officer_a's acknowledgement
    assert (refused.value.code, refused.value.message) == ("not_assigned", "只有被派遣到该事件的执法人员才能响应任务")
    assert written(event) == before


def test_after_a_redo_the_officers_acknowledgement_is_a_new_one(world: Any) -> None:
    # Given an event officer_a handled, sent back to them by the command centre at 10:20
    with time_machine.travel(T0, tick=False):
        event = walk_to(world, "handled")
    with time_machine.travel(at(20), tick=False):
        event = services.event_redo(actor=world.user("dispatcher"), event=event, reason="现场仍有摊贩")

    # When officer_a acknowledges at 10:21
    with time_machine.travel(at(21), tick=False):
        acknowledged = services.event_acknowledge(actor=world.user("officer_a"), event=event)

    # Then it is an acknowledgement of its own
    assert (acknowledged.status, acknowledged.acknowledged_at) == (EventStatus.ACKNOWLEDGED, at(21))
    assert acknowledgements(event) == [("officer_a", T0), ("officer_a", at(21))]


def test_two_copies_sent_at_once_make_one_acknowledgement(world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a dispatched event, and a first copy that lands while the second is on its way to the row lock
    # (it has read the event as dispatched and passed its jurisdiction check)
    with time_machine.travel(T0, tick=False):
        event = walk_to(world, "dispatched")
    officer = world.user("officer_a")
    real_check = dispatch.actor_jurisdiction
    first_copy: list[Event] = []
    calls: list[int] = []

    def check_then_let_the_first_copy_land(actor: Any, *, district_id: int) -> Any:
        found = real_check(actor, district_id=district_id)
        calls.append(district_id)
        if len(calls) == 1:  # the second copy's check: the first copy goes all the way through now
            first_copy.append(services.event_acknowledge(actor=officer, event=event))
        return found

    monkeypatch.setattr(dispatch, "actor_jurisdiction", check_then_let_the_first_copy_land)
    audit_before = AuditEntry.objects.count()

    # When the second copy takes the lock
    with time_machine.travel(at(0.5), tick=False):
        second = services.event_acknowledge(actor=officer, event=event)

    # Then it finds the first copy's acknowledgement and writes nothing of its own
    assert calls == [world.district.pk, world.district.pk]
    assert (first_copy[0].acknowledged_at, second.status, second.acknowledged_at) == (
        at(0.5),
        EventStatus.ACKNOWLEDGED,
        at(0.5),
    )
    assert acknowledgements(event) == [("officer_a", at(0.5))]
    assert AuditEntry.objects.count() == audit_before + 1


def test_a_queued_acknowledgement_is_timed_when_the_officer_tapped(world: Any) -> None:
    # Given an event dispatched to officer_a at 10:00
    with time_machine.travel(T0, tick=False):
        event = walk_to(world, "dispatched")

    # When their acknowledgement tapped offline at 10:00:30 arrives at 10:03
    with time_machine.travel(at(3), tick=False):
        acknowledged = services.event_acknowledge(actor=world.user("officer_a"), event=event, acted_at=at(0.5))

    # Then the acknowledge clock is met at 10:00:30; the transition and the audit entry are of 10:03 and say so
    note = "补发：按上报的操作时间 06-01 10:00:30 计时，06-01 10:03:00 送达"
    assert (acknowledged.acknowledged_at, acknowledged.acknowledge_due_at) == (at(0.5), at(1))
    transition = EventTransition.objects.get(event=event, action=EventAction.ACKNOWLEDGE)
    assert (transition.created_at, transition.reason) == (at(3), note)
    assert last_audit(event) == (
        "event.acknowledge",
        {"status": "acknowledged", "acknowledged_at": "2026-06-01T02:00:30+00:00"},
        note,
    )
    assert AuditEntry.objects.get(action="event.acknowledge").recorded_at == at(3)


@pytest.mark.parametrize(
    ("acted_minute", "max_age_s", "why"),
    [
        (3 + 1 / 60, 86400, "06-01 10:03:01 晚于送达时间"),
        (-1, 86400, "06-01 09:59:00 早于派遣给本人的时间 06-01 10:00:00"),
        (0.5, 120, "06-01 10:00:30 早于送达前2分钟"),
        (0.5, 90, "06-01 10:00:30 早于送达前90秒"),
    ],
)
def test_an_implausible_tap_time_is_not_taken_and_the_reason_is_audited(
    world: Any, settings: Any, acted_minute: float, max_age_s: int, why: str
) -> None:
    # Given an event dispatched to officer_a at 10:00, and a limit on how old a phone's time may be
    settings.ZHIFA_OFFLINE_MAX_AGE_S = max_age_s
    with time_machine.travel(T0, tick=False):
        event = walk_to(world, "dispatched")

    # When an acknowledgement arrives at 10:03 with a tap time in the future, before the dispatch, or too old
    with time_machine.travel(at(3), tick=False):
        acknowledged = services.event_acknowledge(actor=world.user("officer_a"), event=event, acted_at=at(acted_minute))

    # Then the acknowledge clock counts from the arrival, and the audit entry keeps what the phone said and why
    note = f"上报的操作时间 {why}，按送达时间 06-01 10:03:00 计时"
    assert (acknowledged.status, acknowledged.acknowledged_at) == (EventStatus.ACKNOWLEDGED, at(3))
    assert last_audit(event) == (
        "event.acknowledge",
        {"status": "acknowledged", "acknowledged_at": "2026-06-01T02:03:00+00:00"},
        note,
    )
    assert EventTransition.objects.get(event=event, action=EventAction.ACKNOWLEDGE).reason == note


def test_an_escalation_taken_before_a_late_acknowledgement_arrived_stays_as_it_happened(world: Any) -> None:
    # Given an event dispatched at 10:00, acknowledge due 10:01, and the zone lead told just after (nothing arrived)
    with time_machine.travel(T0, tick=False):
        event = walk_to(world, "dispatched")
    with time_machine.travel(at(1.02), tick=False):
        assert [(s.clock, s.level) for s in services.events_escalate_overdue()] == [("acknowledge", 1)]

    # When officer_a's acknowledgement tapped offline at 10:00:30 arrives at 10:03, and the worker runs
    with time_machine.travel(at(3), tick=False):
        acknowledged = services.event_acknowledge(actor=world.user("officer_a"), event=event, acted_at=at(0.5))
        taken_now = services.events_escalate_overdue()
    with time_machine.travel(at(6), tick=False):
        taken_later = services.events_escalate_overdue()

    # Then the acknowledge clock was met at 10:00:30, the step taken at 10:01:01 stays recorded as taken then, and
    # the acknowledge clock escalates no further (only the arrive clock, due 10:05, does)
    assert (acknowledged.acknowledged_at, acknowledged.escalation_level) == (at(0.5), 1)
    assert taken_now == []
    assert [(s.clock, s.level) for s in taken_later] == [("arrive", 1)]
    assert list(
        EventEscalation.objects.filter(event=event).order_by("pk").values_list("clock", "level", "escalated_at")
    ) == [
        ("acknowledge", 1, at(1.02)),
        ("arrive", 1, at(6)),
    ]


def test_an_acknowledgement_arriving_after_the_worker_redispatched_is_refused(world: Any, colleague: Officer) -> None:
    # Given an event dispatched to officer_a at 10:00 and re-dispatched by the worker at 10:11 to a colleague
    with time_machine.travel(T0, tick=False):
        on_duty(colleague)  # free and on duty: whom the worker sends instead
        event = walk_to(world, "dispatched")
    with time_machine.travel(at(11), tick=False):
        services.events_escalate_overdue()
    before = written(event)

    # When officer_a's acknowledgement tapped offline at 10:00:30 arrives at 10:12
    with time_machine.travel(at(12), tick=False), pytest.raises(PermissionDenied) as refused:
        services.event_acknowledge(actor=world.user("officer_a"), event=event, acted_at=at(0.5))

    # Then the task is no longer theirs, and nothing is written
    assert refused.value.code == "not_assigned"
    assert written(event) == before
    assert list(
        EventAssignment.objects.filter(event=event, released_at__isnull=True).values_list("officer_id", flat=True)
    ) == [colleague.pk]
