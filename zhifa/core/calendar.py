"""Working days and legal periods (LEGAL.md "Counting periods").

- Working days follow the State Council's yearly holiday notice, make-up workdays (调休) included, as known by
  the ``chinesecalendar`` package; ``CalendarOverride`` rows (admin) win over the package. For a year the
  package does not know, an administrator enters the notice's days as overrides and registers the year
  (``HolidayYear``): its other days then follow Monday–Friday. A year neither knows is refused
  (``calendar_year_unknown``), or counted Monday–Friday inside ``provisional_for_unknown_years``.
- APL 85 / ACL 69: periods of "2, 3, 5, 7 days" (ACL: ≤ 10 days) count working days.
- The start day is not counted; a calendar-day period ending on a rest day ends on the next working day
  (CPL 85 by analogy) — ``ZHIFA_ROLL_PERIOD_END_TO_WORKING_DAY`` turns that rule off.
"""

import contextvars
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import chinese_calendar
from django.conf import settings

from zhifa.core.errors import ValidationFailed
from zhifa.core.models import CalendarOverride, HolidayYear

# Inside ``provisional_for_unknown_years``: a day of a year the holiday data does not know yet counts as a
# working day from Monday to Friday, and the block is told that it happened (``Provisional.used``).
_provisional: contextvars.ContextVar["Provisional | None"] = contextvars.ContextVar(
    "calendar_provisional", default=None
)


class Provisional:
    """What a ``provisional_for_unknown_years`` block learned: the unknown years it assumed weekends for."""

    def __init__(self) -> None:
        self.years: set[int] = set()

    @property
    def used(self) -> bool:
        return bool(self.years)


@contextmanager
def provisional_for_unknown_years() -> Iterator[Provisional]:
    """Count days of a year missing from the holiday data (the State Council publishes the next year's notice in
    the autumn; the package may lag) as Monday–Friday working days instead of refusing. For a due date that must
    be stored now and checked again once the year is known (a case's 6-month lawsuit period served in
    December); never for a rule that refuses or allows a step."""
    state = Provisional()
    token = _provisional.set(state)
    try:
        yield state
    finally:
        _provisional.reset(token)


def is_working_day(day: dt.date) -> bool:
    override = CalendarOverride.objects.filter(day=day).values_list("is_working_day", flat=True).first()
    if override is not None:
        return override
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        if HolidayYear.objects.filter(year=day.year).exists():
            return day.weekday() < 5  # the notice's holidays and make-up days are overrides, read above
        provisional = _provisional.get()
        if provisional is not None:
            provisional.years.add(day.year)
            return day.weekday() < 5
        raise ValidationFailed(
            f"{day.year}年的法定节假日安排尚未收录：请系统管理员在“工作日调整”中录入国务院办公厅通知的放假和调休日期，"
            f"并在“年度节假日安排”中登记{day.year}年",
            code="calendar_year_unknown",
            details={"year": day.year},
        ) from None


def year_known(year: int) -> bool:
    """Whether the days of ``year`` can be told: the holiday package knows it, or an administrator registered it."""
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return HolidayYear.objects.filter(year=year).exists()
    return True


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The last day of a period of ``days`` working days beginning the day after ``start``."""
    if days < 1:
        raise ValidationFailed("期限天数必须为正数", code="period_not_positive", details={"days": days})
    current = start
    counted = 0
    while counted < days:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            counted += 1
    return current


def roll_to_working_day(day: dt.date) -> dt.date:
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def add_calendar_days(start: dt.date, days: int) -> dt.date:
    """The last day of a period of ``days`` calendar days (start day not counted)."""
    if days < 1:
        raise ValidationFailed("期限天数必须为正数", code="period_not_positive", details={"days": days})
    end = start + dt.timedelta(days=days)
    if getattr(settings, "ZHIFA_ROLL_PERIOD_END_TO_WORKING_DAY", True):
        end = roll_to_working_day(end)
    return end


def legal_period_end(start: dt.date, days: int, *, statute: str = "APL") -> dt.date:
    """A statutory period in days: short periods count working days (APL 85: 2/3/5/7 days; ACL 69: ≤10)."""
    short_limit = 10 if statute == "ACL" else 7
    if days <= short_limit:
        return add_working_days(start, days)
    return add_calendar_days(start, days)
