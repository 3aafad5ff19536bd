"""How a "1530" clock came out (时限达标 / 超时 / 计时中), judged the two ways the rule is read — on a loaded
event (``clock_outcome``, the event page) and in SQL (``clock_outcome_q``, the leaders' view, its rollup, the
wall) — on every clock and every case, on rows the database stored. Judged at 18:00 on 2026-03-10."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from zhifa.events.clocks import CLOCK_FIELDS, OUTCOME_CASES, clock_outcome, clock_outcome_q
from zhifa.events.models import Event
from zhifa.events.states import Clock
from zhifa.events.tests.factories import EventFactory

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 3, 10, 18, 0, tzinfo=TZ)
SECOND = dt.timedelta(seconds=1)
PAST_DUE = NOW - dt.timedelta(minutes=10)
AHEAD_DUE = NOW + dt.timedelta(minutes=10)

# (case, due time, time the step was done, the outcome a leader and the event page expect)
CASES = [
    ("done early", PAST_DUE, PAST_DUE - SECOND, "met"),
    ("done on the due instant", PAST_DUE, PAST_DUE, "met"),
    ("done late", PAST_DUE, PAST_DUE + SECOND, "missed"),
    ("done early, due time still ahead", AHEAD_DUE, NOW - SECOND, "met"),
    ("not done, due time ahead", AHEAD_DUE, None, "running"),
    ("not done, due this instant", NOW, None, "running"),
    ("not done, due time past", NOW - SECOND, None, "missed"),
    ("no due time (never dispatched)", None, None, None),
    ("no due time, step time set", None, PAST_DUE, None),
]


@pytest.mark.parametrize("clock", list(CLOCK_FIELDS))
@pytest.mark.parametrize(("case", "due_at", "done_at", "expected"), CASES, ids=[c[0] for c in CASES])
def test_a_clock_comes_out_the_same_on_the_page_and_in_sql(
    clock: str, case: str, due_at: dt.datetime | None, done_at: dt.datetime | None, expected: str | None
) -> None:
    # Given an event where only this clock carries times (the others never started)
    due, done = CLOCK_FIELDS[clock]
    event = EventFactory(**{due: due_at, done: done_at})
    loaded = Event.objects.get(pk=event.pk)

    # When it is judged on the loaded row and in SQL
    on_page = clock_outcome(getattr(loaded, due), getattr(loaded, done), NOW)
    in_sql = [o for o in OUTCOME_CASES if Event.objects.filter(clock_outcome_q(clock, o, NOW), pk=event.pk).exists()]

    # Then both give the expected outcome, and SQL puts the clock in exactly that one (in none when never started)
    assert on_page == expected, case
    assert in_sql == ([expected] if expected else []), case


def test_the_other_clocks_of_that_event_are_in_no_outcome() -> None:
    # The fields are per clock: a missed 响应 says nothing about 到场 or 处置, which never started.
    event = EventFactory(acknowledge_due_at=PAST_DUE, acknowledged_at=None)
    judged = {
        (str(c), o)
        for c in CLOCK_FIELDS
        for o in OUTCOME_CASES
        if Event.objects.filter(clock_outcome_q(c, o, NOW), pk=event.pk).exists()
    }
    assert judged == {(str(Clock.ACKNOWLEDGE), "missed")}


def test_the_described_clocks_are_the_three_1530_clocks_in_order() -> None:
    assert list(CLOCK_FIELDS) == [Clock.ACKNOWLEDGE, Clock.ARRIVE, Clock.HANDLE]
    assert list(OUTCOME_CASES) == ["met", "missed", "running"]
