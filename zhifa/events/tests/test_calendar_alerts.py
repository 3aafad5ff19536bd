"""A year whose holidays the platform does not know (the package lags the State Council's notice): its
administrators are told ahead of it, the clocks and due dates that reach into it are counted Monday–Friday instead
of refusing the work, and once the year is entered they follow its notice."""

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine

from conftest import World
from zhifa.core.models import AuditEntry, CalendarOverride, HolidayYear
from zhifa.events.calendar_alerts import calendar_years_remind
from zhifa.events.clocks import clock_due
from zhifa.events.models import Notification
from zhifa.events.states import TimeBase
from zhifa.org.roles import Role
from zhifa.org.tests.factories import ProfileFactory, UserFactory

LOCAL = ZoneInfo("Asia/Shanghai")
# Years the holiday package will not know for a long time: 2098 registered by hand, 2099 not.
KNOWN, UNKNOWN = 2098, 2099


def register(year: int) -> None:
    CalendarOverride.objects.create(day=dt.date(year, 1, 1), is_working_day=False, note="元旦")
    HolidayYear.objects.create(year=year, notice=f"国务院办公厅关于{year}年部分节假日安排的通知")


def test_the_administrators_are_told_weekly_of_a_coming_year_not_entered(world: World) -> None:
    admin = UserFactory(username="xitong")
    ProfileFactory(user=admin, district=world.district, role=Role.ADMIN, display_name="系统管理员")
    register(KNOWN)
    # 1 October: 2099 is more than 60 days away; nobody is told.
    with time_machine.travel(dt.datetime(KNOWN, 10, 1, 9, tzinfo=LOCAL), tick=False):
        assert calendar_years_remind() == 0
    with time_machine.travel(dt.datetime(KNOWN, 11, 15, 9, tzinfo=LOCAL), tick=False):
        assert calendar_years_remind() == 1
        assert calendar_years_remind() == 0  # the same scan again: told once
    (notice,) = Notification.objects.all()
    assert notice.user == admin
    assert notice.message.startswith(f"节假日提醒：{UNKNOWN}年法定节假日安排尚未录入")
    assert "年度节假日安排" in notice.message and "暂按周一至周五计算" in notice.message
    entry = AuditEntry.objects.get(action="calendar.year_unknown_remind")
    assert (entry.object_id, entry.after["users"]) == (str(UNKNOWN), [admin.pk])
    # Three days later nothing more; eight days later a second reminder; none once the year is entered.
    with time_machine.travel(dt.datetime(KNOWN, 11, 18, 9, tzinfo=LOCAL), tick=False):
        assert calendar_years_remind() == 0
    with time_machine.travel(dt.datetime(KNOWN, 11, 23, 9, tzinfo=LOCAL), tick=False):
        assert calendar_years_remind() == 1
    register(UNKNOWN)
    with time_machine.travel(dt.datetime(KNOWN, 12, 30, 9, tzinfo=LOCAL), tick=False):
        assert calendar_years_remind() == 0
    assert Notification.objects.count() == 2
    assert not Notification.objects.exclude(user=admin).exists()  # the dispatcher, the leader… are not told


def test_a_coordination_clock_into_a_year_not_entered_is_counted_monday_to_friday(world: World) -> None:
    # Transferred on Wed 6 May 2099 at 10:00 with 3 working days: due Mon 11 May at 10:00, not refused.
    start = dt.datetime(UNKNOWN, 5, 6, 10, tzinfo=LOCAL)
    assert clock_due(start=start, limit=3, time_base=TimeBase.WORKING_DAYS) == dt.datetime(
        UNKNOWN, 5, 11, 10, tzinfo=LOCAL
    )
    # Entered, the year's notice counts: Thu 7 May declared a holiday moves the due day to Tue 12 May.
    CalendarOverride.objects.create(day=dt.date(UNKNOWN, 5, 7), is_working_day=False, note="假日")
    HolidayYear.objects.create(year=UNKNOWN, notice="通知")
    assert clock_due(start=start, limit=3, time_base=TimeBase.WORKING_DAYS) == dt.datetime(
        UNKNOWN, 5, 12, 10, tzinfo=LOCAL
    )
