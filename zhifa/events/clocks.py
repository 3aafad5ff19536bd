"""The "1530" clocks: how long each clock runs and when it is due, under the three time bases of city
management (城市管理三种计时方式).

- around the clock (全天候): natural minutes — the default "1530" (acknowledge 1, arrive 5, handle 30).
- working hours (工作时间): minutes counted only inside ``ZHIFA_WORKING_HOURS`` on working days (Asia/Shanghai
  local time); a clock started outside them begins at the next working period.
- working days (工作日): ``limit`` working days after the start day (the start day is not counted, as for
  legal periods), due at the same local time of day. Coordinating departments (协同联办) run on this base.

Due times are computed once, when the clock starts, and stored (DESIGN.md invariants).
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q

from zhifa.core.calendar import add_working_days, is_working_day
from zhifa.events.models import SlaPolicy
from zhifa.events.states import TimeBase

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
    is due. Returned timezone-aware in Asia/Shanghai."""
    if limit <= 0:
        return start.astimezone(LOCAL_TZ)
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
