"""``event_handle`` when the handling report (处置反馈) arrives late.

A report the phone kept while offline carries the moment it was submitted (``acted_at``), taken for the
handle clock when it is plausible — not in the future, not older than ``ZHIFA_OFFLINE_MAX_AGE_S``, not
before the dispatch to this officer or their arrival — and otherwise the arrival counts, with the reason in
the transition row and the audit entry. A copy of a report that arrived is still answered first, whatever
time it carries; a time without an offset is refused and writes nothing."""

import datetime as dt
from typing import Any

import pytest
import time_machine

from zhifa.core.errors import ValidationFailed
from zhifa.core.models import AuditEntry
from zhifa.events import services
from zhifa.events.models import Event, EventAssignment, EventTransition, Notification
from zhifa.events.states import EventAction, EventStatus
from zhifa.events.tests.conftest import walk_to

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)  # Monday 10:00 in Shanghai; feedback due 10:30
OUTCOME = "已劝离，恢复通行"


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def arrived_at_ten_past(world: Any) -> Event:
    """An event dispatched to officer_a at 10:00, acknowledged at 10:01 and arrived at 10:10."""
    officer = world.user("officer_a")
    with time_machine.travel(T0, tick=False):
        event = walk_to(world, "dispatched")
    with time_machine.travel(at(1), tick=False):
        event = services.event_acknowledge(actor=officer, event=event)
    with time_machine.travel(at(10), tick=False):
        return services.event_arrive(actor=officer, event=event, lon=event.lon, lat=event.lat)


def written(event: Event) -> tuple[Any, ...]:
    """Everything a report writes, as stored."""
    fresh = Event.objects.get(pk=event.pk)
    return (
        fresh.status,
        fresh.outcome,
        fresh.handled_at,
        fresh.updated_at,
        EventTransition.objects.count(),
        AuditEntry.objects.count(),
        list(EventAssignment.objects.order_by("pk").values_list("released_at", flat=True)),
        Notification.objects.count(),
    )


def test_a_queued_handling_is_timed_when_it_was_made(world: Any) -> None:
    # Given an event officer_a arrived at at 10:10
    event = arrived_at_ten_past(world)

    # When their report made offline at 10:28 arrives at 10:40
    with time_machine.travel(at(40), tick=False):
        handled = services.event_handle(actor=world.user("officer_a"), event=event, outcome=OUTCOME, acted_at=at(28))

    # Then the handle clock (due 10:30) is met at 10:28; the transition, the audit entry and the release
    # of the assignment are of 10:40, and the note names both times
    note = "补发：按上报的操作时间 06-01 10:28:00 计时，06-01 10:40:00 送达"
    assert (handled.status, handled.handled_at, handled.handle_due_at) == (EventStatus.HANDLED, at(28), at(30))
    transition = EventTransition.objects.get(event=event, action=EventAction.HANDLE)
    assert (transition.created_at, transition.reason) == (at(40), note)
    entry = AuditEntry.objects.get(action="event.handle")
    assert (entry.after, entry.reason, entry.recorded_at) == (
        {"status": "handled", "outcome": OUTCOME, "handled_at": "2026-06-01T02:28:00+00:00"},
        note,
        at(40),
    )
    assert list(EventAssignment.objects.values_list("released_at", flat=True)) == [at(40)]


@pytest.mark.parametrize(
    ("acted_minute", "max_age_s", "why"),
    [
        (9.5, 86400, "06-01 10:09:30 早于到场时间 06-01 10:10:00"),
        (40.5, 86400, "06-01 10:40:30 晚于送达时间"),
        (28, 600, "06-01 10:28:00 早于送达前10分钟"),
    ],
    ids=["before_the_arrival", "in_the_future", "older_than_the_limit"],
)
def test_an_implausible_handling_time_is_not_taken_and_the_reason_is_noted(
    world: Any, settings: Any, acted_minute: float, max_age_s: int, why: str
) -> None:
    # Given an event officer_a arrived at at 10:10, and a limit on how old a time kept offline may be
    settings.ZHIFA_OFFLINE_MAX_AGE_S = max_age_s
    event = arrived_at_ten_past(world)

    # When a report arrives at 10:40 saying it was made before the arrival, in the future, or too long ago
    with time_machine.travel(at(40), tick=False):
        handled = services.event_handle(
            actor=world.user("officer_a"), event=event, outcome=OUTCOME, acted_at=at(acted_minute)
        )

    # Then the arrival counts for the handle clock, and the transition and audit entry say why
    note = f"上报的操作时间 {why}，按送达时间 06-01 10:40:00 计时"
    assert handled.handled_at == at(40)
    assert EventTransition.objects.get(event=event, action=EventAction.HANDLE).reason == note
    entry = AuditEntry.objects.get(action="event.handle")
    assert (entry.after, entry.reason) == (
        {"status": "handled", "outcome": OUTCOME, "handled_at": "2026-06-01T02:40:00+00:00"},
        note,
    )


def test_a_handling_sent_at_once_counts_from_its_arrival_without_a_note(world: Any) -> None:
    # Given an event officer_a arrived at at 10:10
    event = arrived_at_ten_past(world)

    # When their report arrives at 10:25 with no time of its own
    with time_machine.travel(at(25), tick=False):
        handled = services.event_handle(actor=world.user("officer_a"), event=event, outcome=OUTCOME)

    # Then it is timed at its arrival and no note is made
    assert handled.handled_at == at(25)
    assert EventTransition.objects.get(event=event, action=EventAction.HANDLE).reason == ""
    assert AuditEntry.objects.get(action="event.handle").reason == ""


def test_a_copy_carrying_another_time_is_answered_as_the_handling_it_repeats(world: Any) -> None:
    # Given a report officer_a made at 10:28 that arrived at 10:40
    event = arrived_at_ten_past(world)
    officer = world.user("officer_a")
    with time_machine.travel(at(40), tick=False):
        services.event_handle(actor=officer, event=event, outcome=OUTCOME, acted_at=at(28))
    before = written(event)

    # When a copy arrives at 10:45 saying it was made at 10:29 (a second tap queued offline)
    with time_machine.travel(at(45), tick=False):
        returned = services.event_handle(actor=officer, event=event, outcome=OUTCOME, acted_at=at(29))

    # Then it is answered with the event as stored, and nothing is written: the first report's time stays
    assert (returned.status, returned.handled_at) == (EventStatus.HANDLED, at(28))
    assert written(event) == before


def test_a_time_without_an_offset_is_refused_and_writes_nothing(world: Any) -> None:
    # Given an event officer_a arrived at at 10:10
    event = arrived_at_ten_past(world)
    before = written(event)

    # When a report arrives at 10:40 with a time that names no zone
    with time_machine.travel(at(40), tick=False), pytest.raises(ValidationFailed) as refused:
        services.event_handle(
            actor=world.user("officer_a"), event=event, outcome=OUTCOME, acted_at=dt.datetime(2026, 6, 1, 10, 28)
        )

    # Then it is refused, saying what a time must look like, and nothing is written
    assert (refused.value.code, refused.value.message, refused.value.details) == (
        "acted_at_naive",
        "操作时间须带时区偏移，例如 2026-06-01T10:00:00+08:00",
        {"field": "acted_at", "value": "2026-06-01T10:28:00"},
    )
    assert written(event) == before
