"""The holiday reminder (节假日安排提醒): when the next year's State Council holiday notice is not yet known to the
platform — the ``chinesecalendar`` package lags it, and no administrator has registered the year
(``HolidayYear``) — the district's administrators are told, weekly, from ``ZHIFA_CALENDAR_WARN_DAYS`` (default
60) days before the year begins. Until the year is entered, the clocks and due dates that reach into it are
counted Monday–Friday and a step whose rule depends on it (a party's defence period) is refused; the notice
says what to enter and where. The worker (``manage.py roster_watch``) calls ``calendar_years_remind`` each scan.
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from zhifa.core.actors import SystemActor
from zhifa.core.audit import audit_record, audited_transaction
from zhifa.core.calendar import year_known
from zhifa.events.models import Notification
from zhifa.events.services.common import users_with_post
from zhifa.org.models import District
from zhifa.org.roles import Role

REMIND_EVERY = dt.timedelta(days=7)


def unknown_years_ahead(today: dt.date) -> list[int]:
    """The years from ``today`` to the warning horizon whose days the platform cannot tell."""
    horizon = today + dt.timedelta(days=settings.ZHIFA_CALENDAR_WARN_DAYS)
    return [year for year in range(today.year, horizon.year + 1) if not year_known(year)]


def calendar_years_remind(*, now: dt.datetime | None = None) -> int:
    """Tell each district's administrators of the unknown years ahead, at most once a week per year; returns how
    many notices were written."""
    now = now or timezone.now()
    years = unknown_years_ahead(timezone.localdate(now))
    written = 0
    for year in years:
        message = (
            f"节假日提醒：{year}年法定节假日安排尚未录入。请在“工作日调整”中录入国务院办公厅通知的放假和调休日期，"
            f"再在“年度节假日安排”中登记{year}年；录入前，跨入该年的办理时限暂按周一至周五计算，"
            "告知书等法定期限无法计算"
        )
        for district_id in District.objects.order_by("pk").values_list("pk", flat=True):
            with audited_transaction():
                # One scan at a time per district (several workers may run): the lock orders them, and the
                # second finds the first one's notices.
                District.objects.select_for_update().filter(pk=district_id).first()
                users = [u.pk for u in users_with_post(district_id=district_id, role=Role.ADMIN)]
                told = set(
                    Notification.objects.filter(
                        district_id=district_id, user_id__in=users, message=message, created_at__gt=now - REMIND_EVERY
                    ).values_list("user_id", flat=True)
                )
                fresh = [uid for uid in dict.fromkeys(users) if uid not in told]
                if not fresh:
                    continue
                Notification.objects.bulk_create(
                    Notification(district_id=district_id, user_id=uid, message=message) for uid in fresh
                )
                audit_record(
                    actor=SystemActor("节假日提醒"),
                    action="calendar.year_unknown_remind",
                    object_type="core.holidayyear",
                    object_id=str(year),
                    after={"year": year, "users": fresh},
                    district_id=district_id,
                )
                written += len(fresh)
    return written
