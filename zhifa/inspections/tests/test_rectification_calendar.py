"""A rectification deadline reaching into a year whose holidays the platform does not know yet: counted
Monday–Friday and said so on the order, so the officer is not stopped at the turn of the year and sees it."""

import datetime as dt

from conftest import World
from zhifa.core.models import CalendarOverride, HolidayYear
from zhifa.inspections.rectification import deadline_for

UNKNOWN = 2099  # a year the holiday package will not know for a long time


def test_a_rectification_deadline_into_a_year_not_entered_says_it_is_provisional(world: World) -> None:
    # A 较大 finding: 7 working days from Wed 6 May 2099 → Fri 15 May, Monday–Friday, and the order says so.
    deadline, rule = deadline_for("major", dt.date(UNKNOWN, 5, 6))
    assert (deadline, rule) == (
        dt.date(UNKNOWN, 5, 15),
        f"7个工作日（{UNKNOWN}年节假日安排未录入，暂按周一至周五计算）",
    )
    CalendarOverride.objects.create(day=dt.date(UNKNOWN, 5, 7), is_working_day=False, note="假日")
    HolidayYear.objects.create(year=UNKNOWN, notice="通知")
    assert deadline_for("major", dt.date(UNKNOWN, 5, 6)) == (dt.date(UNKNOWN, 5, 18), "7个工作日")
