"""``event_arrive`` when an arrival arrives twice, or late.

As for ``event_acknowledge``: a copy from the officer who arrived is answered with the event and writes
nothing (no transition, audit entry or position); anyone else, or the same officer once the event went
back to the field, meets the refusal of today. A queued arrival carries the moment it was made
(``acted_at``), taken for the arrive clock and the position when it is plausible — not before the
acknowledgement either — and otherwise the arrival counts, with the reason in the audit entry."""

import datetime as dt
from typing import Any

import pytest
import time_machine

from zhifa.core.errors import InvalidTransition, NotFound, PermissionDenied
from zhifa.core.models import AuditEntry
from zhifa.events import services
from zhifa.events.models import Event, EventAssignment, EventTransition, Notification, OfficerPosition
from zhifa.events.services import dispatch
from zhifa.events.states import EventAction, EventStatus
from zhifa.events.tests.conftest import officer_of, walk_to
from zhifa.org.models import Officer

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)  # Monday 10:00 in Shanghai; arrive due 10:05


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def written(event: Event) -> tuple[Any, ...]:
    """Everything an arrival (and what follows it) writes, as stored."""
    fresh = Event.objects.get(pk=event.pk)
    return (
        fresh.status,
        fresh.arrived_at,
        fresh.updated_at,
        EventTransition.objects.count(),
        AuditEntry.objects.count(),
        list(OfficerPosition.objects.order_by("pk").values_list("officer_id", "lon", "lat", "recorded_at")),
        EventAssignment.objects.filter(released_at__isnull=True).count(),
        Notification.objects.count(),
    )


def arrivals(event: Event) -> list[tuple[str, dt.datetime]]:
    rows = EventTransition.objects.filter(event=event, action=EventAction.ARRIVE).order_by("pk")
    return [(t.actor.username, t.created_at) for t in rows]  # type: ignore[union-attr]


@pytest.mark.parametrize("state", ["arrived", "handled", "verified", "closed"])
@pytest.mark.parametrize("offset", [0.0, 0.01], ids=["same_place", "a_kilometre_away"])
def test_an_arrival_sent_again_returns_the_event_and_writes_nothing(world: Any, state: str, offset: float) -> None:
    # Given an event officer_a arrived at 10:00 (and took further since)
    with time_machine.travel(T0, tick=False):
        event = walk_to(world, state)
    before = written(event)

    # When the arrival arrives again at 10:02 — from where it was made, or from a second tap made elsewhere
    with time_machine.travel(at(2), tick=False):
        returned = services.event_arrive(
            actor=world.user("officer_a"), event=event, lon=event.lon, lat=event.lat + offset, acted_at=at(1)
        )

    # Then it is answered with the event as stored, and nothing is written: no transition, audit entry or position
    assert (returned.pk, returned.status, returned.arrived_at) == (event.pk, state, T0)
    assert written(event) == before
    assert arrivals(event) == [("officer_a", T0)]


@pytest.mark.parametrize(
    ("persona", "code", "message"),
    [
        # The colleague sent with officer_a is not refused: their own arrival (test_colleague_steps.py).
        # Street B's officer does not see street A's event: "not found", as for a missing one.
        ("officer_b", "event_not_found", "事件不存在或不在您的管辖范围内"),
        ("auxiliary_a", "not_assigned", "只有被派遣到该事件的执法人员才能到场签到"),
    ],
)
def test_anyone_else_is_refused_as_before(
    world: Any, colleague: Officer, persona: str, code: str, message: str
) -> None:
    # Given an event sent to officer_a and a colleague, where officer_a arrived
    officer = world.user("officer_a")
    event = walk_to(world, "triaged")
    event = services.event_dispatch(
        actor=world.user("dispatcher"), event=event, officers=[officer_of(world, "officer_a"), colleague]
    )
    event = services.event_acknowledge(actor=officer, event=event)
    event = services.event_arrive(actor=officer, event=event, lon=event.lon, lat=event.lat)
    before = written(event)
    actor = colleague.user if persona == "colleague" else world.user(persona)

    # When someone else arrives there
    with pytest.raises((InvalidTransition, PermissionDenied, NotFound)) as refused:
        services.event_arrive(actor=actor, event=event, lon=event.lon, lat=event.lat)

    # Then they get the refusal of today, and nothing is written
    assert (refused.value.code, refused.value.message) == (code, message)  # type: ignore[union-attr]
    assert written(event) == before


def test_a_copy_arriving_after_the_event_came_back_to_the_field_is_refused_as_before(
    world: Any, colleague: Officer
) -> None:
    # Given an event officer_a arrived at, returned from the site, dispatched again to a colleague, and
    # arrived by the colleague (dispatched to both, officer_a's copy is their arrival for the new
    # dispatch: test_colleague_steps.py)
    officer = world.user("officer_a")
    dispatcher = world.user("dispatcher")
    event = walk_to(world, "arrived")
    event = services.event_return(actor=officer, event=event, reason="需要市场监管部门配合")
    event = services.event_dispatch(actor=dispatcher, event=event, officers=[colleague])
    event = services.event_acknowledge(actor=colleague.user, event=event)
    event = services.event_arrive(actor=colleague.user, event=event, lon=event.lon, lat=event.lat)
    before = written(event)

    # When officer_a's first arrival arrives again
    with pytest.raises(PermissionDenied) as refused:
        services.event_arrive(actor=officer, event=event, lon=event.lon, lat=event.lat)

    # Then it is not taken for a copy: the event no longer rests on officer_a's arrival
    assert (refused.value.code, refused.value.message) == ("not_assigned", "只有被派遣到该事件的执法人员才能到场签到")
    assert written(event) == before


def test_after_a_redo_the_officers_arrival_is_a_new_one(world: Any) -> None:
    # Given an event officer_a handled, sent back to them at 10:20 and acknowledged again at 10:21
    officer = world.user("officer_a")
    with time_machine.travel(T0, tick=False):
        event = walk_to(world, "handled")
    with time_machine.travel(at(20), tick=False):
        event = services.event_redo(actor=world.user("dispatcher"), event=event, reason="现场仍有摊贩")
    with time_machine.travel(at(21), tick=False):
        event = services.event_acknowledge(actor=officer, event=event)

    # When officer_a arrives at 10:24
    with time_machine.travel(at(24), tick=False):
        arrived = services.event_arrive(actor=officer, event=event, lon=event.lon, lat=event.lat)

    # Then it is an arrival of its own, with its position
    assert (arrived.status, arrived.arrived_at) == (EventStatus.ARRIVED, at(24))
    assert arrivals(event) == [("officer_a", T0), ("officer_a", at(24))]
    assert list(OfficerPosition.objects.order_by("pk").values_list("recorded_at", flat=True)) == [T0, at(24)]


def test_two_copies_sent_at_once_make_one_arrival(world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given an acknowledged event, and a first copy that lands while the second is on its way to the row lock
    with time_machine.travel(T0, tick=False):
        event = walk_to(world, "acknowledged")
    officer = world.user("officer_a")
    real_check = dispatch.actor_jurisdiction
    calls: list[int] = []

    def check_then_let_the_first_copy_land(actor: Any, *, district_id: int) -> Any:
        found = real_check(actor, district_id=district_id)
        calls.append(district_id)
        if len(calls) == 1:  # the second copy's check: the first copy goes all the way through now
            services.event_arrive(actor=officer, event=event, lon=event.lon, lat=event.lat, acted_at=at(2))
        return found

    monkeypatch.setattr(dispatch, "actor_jurisdiction", check_then_let_the_first_copy_land)
    audit_before = AuditEntry.objects.count()

    # When the second copy takes the lock at 10:03
    with time_machine.travel(at(3), tick=False):
        second = services.event_arrive(actor=officer, event=event, lon=event.lon, lat=event.lat, acted_at=at(2.5))

    # Then it finds the first copy's arrival and writes nothing of its own: one transition, one position
    assert calls == [world.district.pk, world.district.pk]
    assert (second.status, second.arrived_at) == (EventStatus.ARRIVED, at(2))
    assert arrivals(event) == [("officer_a", at(3))]
    assert list(OfficerPosition.objects.values_list("recorded_at", flat=True)) == [at(2)]
    assert AuditEntry.objects.count() == audit_before + 1


def test_a_queued_arrival_is_timed_and_placed_when_it_was_made(world: Any) -> None:
    # Given an event dispatched to officer_a at 10:00 and acknowledged at 10:01
    officer = world.user("officer_a")
    with time_machine.travel(T0, tick=False):
        event = walk_to(world, "dispatched")
    with time_machine.travel(at(1), tick=False):
        event = services.event_acknowledge(actor=officer, event=event)

    # When their arrival made offline at 10:04 arrives at 10:09
    with time_machine.travel(at(9), tick=False):
        arrived = services.event_arrive(
            actor=officer, event=event, lon=event.lon + 0.001, lat=event.lat, accuracy_m=8, acted_at=at(4)
        )

    # Then the arrive clock (due 10:05) is met at 10:04, where the position was taken then; the transition
    # and the audit entry are of 10:09 and say so
    note = "补发：按上报的操作时间 06-01 10:04:00 计时，06-01 10:09:00 送达"
    assert (arrived.status, arrived.arrived_at, arrived.arrive_due_at) == (EventStatus.ARRIVED, at(4), at(5))
    assert list(OfficerPosition.objects.values_list("lon", "lat", "accuracy_m", "recorded_at")) == [
        (event.lon + 0.001, event.lat, 8, at(4))
    ]
    transition = EventTransition.objects.get(event=event, action=EventAction.ARRIVE)
    assert (transition.created_at, transition.reason) == (at(9), note)
    entry = AuditEntry.objects.get(action="event.arrive")
    assert (entry.after, entry.reason, entry.recorded_at) == (
        {"status": "arrived", "arrived_at": "2026-06-01T02:04:00+00:00"},
        note,
        at(9),
    )


@pytest.mark.parametrize(
    ("acted_minute", "why"),
    [
        (0.5, "06-01 10:00:30 早于响应时间 06-01 10:01:00"),
        (9.5, "06-01 10:09:30 晚于送达时间"),
    ],
)
def test_an_implausible_arrival_time_is_not_taken_and_the_reason_is_audited(
    world: Any, acted_minute: float, why: str
) -> None:
    # Given an event dispatched to officer_a at 10:00 and acknowledged at 10:01
    officer = world.user("officer_a")
    with time_machine.travel(T0, tick=False):
        event = walk_to(world, "dispatched")
    with time_machine.travel(at(1), tick=False):
        event = services.event_acknowledge(actor=officer, event=event)

    # When an arrival arrives at 10:09 saying it was made before the acknowledgement, or in the future
    with time_machine.travel(at(9), tick=False):
        arrived = services.event_arrive(
            actor=officer, event=event, lon=event.lon, lat=event.lat, acted_at=at(acted_minute)
        )

    # Then the arrival counts, for the clock and the position, and the audit entry says why
    note = f"上报的操作时间 {why}，按送达时间 06-01 10:09:00 计时"
    assert arrived.arrived_at == at(9)
    assert list(OfficerPosition.objects.values_list("recorded_at", flat=True)) == [at(9)]
    entry = AuditEntry.objects.get(action="event.arrive")
    assert (entry.after, entry.reason) == ({"status": "arrived", "arrived_at": "2026-06-01T02:09:00+00:00"}, note)
