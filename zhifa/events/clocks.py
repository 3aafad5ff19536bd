"""The "1530" clocks: how long each clock runs and when it is due, under the three time bases of city
management (城市管理三种计时方式).

- around the clock (全天候): natural minutes — the default "1530" (acknowledge 1, arrive 5, handle 30).
- working hours (工作时间): minutes counted only inside ``ZHIFA_WORKING_HOURS`` on working days (Asia/Shanghai
  local time); a clock started outside them begins at the next working period.
- working days (工作日): ``limit`` working days after the start day (the start day is not counted, as for
  legal periods), due at the same local time of day. Coordinating departments (协同联办) run on this base.

Due times are computed once, when the clock starts, and stored (DESIGN.md invariants).

And how a clock came out (时限达标 / 超时 / 计时中), described once as data (``CLOCK_FIELDS``,
``OUTCOME_CASES``) and read two ways from that description: ``clock_outcome`` on a loaded event (the event
page) and ``clock_outcome_q`` as a database condition (the leaders' view, its day rollup, the wall). A test
holds the two to the same answer on every clock and every case (tests/test_clock_outcome.py).
"""

import datetime as dt
import operator
from collections.abc import Callable
from typing import Literal, cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import F, Q

from zhifa.core.calendar import add_working_days, is_working_day, provisional_for_unknown_years
from zhifa.events.models import SlaPolicy
from zhifa.events.states import Clock, TimeBase

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
DEFAULT_WORKING_HOURS = [("08:30", "12:00"), ("13:30", "17:30")]
# A clock in working hours never needs more than a year of calendar to land; the cap only guards a
# misconfiguration (e.g. every day overridden as a rest day) from looping forever.
_MAX_DAYS_SCANNED = 400


def _working_periods() -> list[tuple[dt.time, dt.time]]:
    raw = getattr(settings, "ZHIFA_WORKING_HOURS", DEFAULT_WORKING_HOURS)
    return sorted((dt.time.fromisoformat(start), dt.time.fromisoformat(end)) for start, end in raw)


def _working_hours_due(start: dt.datetime, minutes: int) -> dt.datetime:
    remaining = dt.timedelta(minutes=minutes)
    cursor = start.astimezone(LOCAL_TZ)
    periods = _working_periods()
    day = cursor.date()
    for _ in range(_MAX_DAYS_SCANNED):
        if is_working_day(day):
            for opens, closes in periods:
                period_start = dt.datetime.combine(day, opens, tzinfo=LOCAL_TZ)
                period_end = dt.datetime.combine(day, closes, tzinfo=LOCAL_TZ)
                if cursor >= period_end:
                    continue
                begin = max(cursor, period_start)
                available = period_end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
                cursor = period_end
        day += dt.timedelta(days=1)
        cursor = dt.datetime.combine(day, dt.time(0, 0), tzinfo=LOCAL_TZ)
    raise RuntimeError("no working period found within a year: check ZHIFA_WORKING_HOURS and the calendar")


def clock_due(*, start: dt.datetime, limit: int, time_base: str) -> dt.datetime:
    """When a clock of ``limit`` (minutes, or working days for the working-days base) started at ``start``
    is due. Returned timezone-aware in Asia/Shanghai. A day of a year whose holidays are not entered yet counts
    Monday–Friday (``provisional_for_unknown_years``): a dispatch or a transfer at the turn of the year is never
    refused for the calendar; the administrator is reminded to enter the year before it comes."""
    if limit <= 0:
        return start.astimezone(LOCAL_TZ)
    with provisional_for_unknown_years():
        if time_base == TimeBase.WORKING_HOURS:
            return _working_hours_due(start, limit)
        if time_base == TimeBase.WORKING_DAYS:
            local = start.astimezone(LOCAL_TZ)
            due_day = add_working_days(local.date(), limit)
            return dt.datetime.combine(due_day, local.time(), tzinfo=LOCAL_TZ)
    return (start + dt.timedelta(minutes=limit)).astimezone(LOCAL_TZ)


def sla_policy_for(*, district_id: int, matter_id: int | None, priority: str) -> SlaPolicy:
    """The most specific policy: (matter, priority) → (matter, any) → (no matter, priority) → (no matter,
    any); without any row, an unsaved default "1530" policy (around the clock, coordination 3 working days)."""
    matter_q = Q(matter__isnull=True) | Q(matter_id=matter_id) if matter_id else Q(matter__isnull=True)
    rows = list(SlaPolicy.objects.filter(matter_q, district_id=district_id, priority__in=[priority, ""]))

    def rank(policy: SlaPolicy) -> tuple[int, int]:
        return (0 if policy.matter_id else 1, 0 if policy.priority else 1)

    if rows:
        return min(rows, key=rank)
    return SlaPolicy(district_id=district_id, matter_id=None, priority="", time_base=TimeBase.AROUND_THE_CLOCK)


# The three "1530" clocks an event carries: clock → (its due time, the time its step was done). The due time is
# stored when the clock starts (None: it never started, e.g. never dispatched); a re-dispatch or a redo restarts
# the clocks, so the fields always hold the current run.
CLOCK_FIELDS: dict[str, tuple[str, str]] = {
    Clock.ACKNOWLEDGE: ("acknowledge_due_at", "acknowledged_at"),
    Clock.ARRIVE: ("arrive_due_at", "arrived_at"),
    Clock.HANDLE: ("handle_due_at", "handled_at"),
}

ClockOutcome = Literal["met", "missed", "running"]

# A started clock's outcome: the first whose case holds. A case is (was the step done, how a time compares with
# the due time) — the time is when the step was done, or, while it is not, the time of judging ("now"):
# met when done at or before the due time; missed when done after it, or not done with the due time past;
# running when not done and the due time not yet past. The cases cover every started clock exactly once.
OUTCOME_CASES: dict[str, tuple[tuple[bool, str], ...]] = {
    "met": ((True, "lte"),),
    "missed": ((True, "gt"), (False, "gt")),
    "running": ((False, "lte"),),
}

# A comparison of a time with the due time: in Python, and as the lookup on the due field given that time.
_COMPARE: dict[str, Callable[[dt.datetime, dt.datetime], bool]] = {"lte": operator.le, "gt": operator.gt}
_DUE_LOOKUP = {"lte": "gte", "gt": "lt"}


def clock_outcome(due_at: dt.datetime | None, done_at: dt.datetime | None, now: dt.datetime) -> ClockOutcome | None:
    """How a clock due at ``due_at`` whose step was done at ``done_at`` (None: not yet) stands at ``now``;
    None when the clock never started."""
    if due_at is None:
        return None
    for outcome, cases in OUTCOME_CASES.items():
        for done, comparison in cases:
            if (done_at is not None) == done and _COMPARE[comparison](done_at or now, due_at):
                return cast(ClockOutcome, outcome)
    raise AssertionError("OUTCOME_CASES cover every started clock")


def clock_outcome_q(clock: str, outcome: str, now: dt.datetime) -> Q:
    """The condition on ``Event`` rows that ``clock`` came out as ``outcome`` at ``now`` — ``clock_outcome``
    in SQL. Raises ``KeyError`` for a clock or outcome not described above (callers check user input first)."""
    due, done = CLOCK_FIELDS[clock]
    either = Q()
    for step_done, comparison in OUTCOME_CASES[outcome]:
        if step_done:
            case = Q(**{f"{done}__isnull": False, f"{done}__{comparison}": F(due)})
        else:
            case = Q(**{f"{done}__isnull": True, f"{due}__{_DUE_LOOKUP[comparison]}": now})
        either |= case
    return Q(**{f"{due}__isnull": False}) & either
