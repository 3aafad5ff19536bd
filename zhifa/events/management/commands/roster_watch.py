"""``manage.py roster_watch [--interval 300] [--once] [--days 14]``: the roster worker.

Every scan (1) extends every active shift pattern's roster ``--days`` days ahead (``rosters_extend``: hand
edits and leave are kept, a second run writes nothing), so a roster never runs out, and (2) records and
notifies the zones with nobody on duty for their street's next shift (``roster_gaps_notify``: once per zone
and shift). Runs beside ``clock_watch`` under ``make run``; several may run at once (the unique record
decides who notifies). Each scan also (3) tells the administrators of a coming year whose holidays are not entered yet
(``calendar_years_remind``: weekly, from 60 days before it). A transient database error is logged and the scan retried with backoff.
"""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from zhifa.core.request_context import Client, acting_as
from zhifa.core.transient import TRANSIENT_DB_ERRORS, Backoff, transient_error_seen
from zhifa.events.calendar_alerts import calendar_years_remind
from zhifa.events.roster_alerts import roster_gaps_notify
from zhifa.org.rosters import rosters_extend


class Command(BaseCommand):
    help = "滚动生成排班（保持未来若干天），并对下一班无人值守的片区发出预警"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=300.0, help="扫描间隔（秒）")
        parser.add_argument("--days", type=int, default=14, help="保持生成的天数")
        parser.add_argument("--once", action="store_true", help="只扫描一次")

    def handle(self, *args: Any, **options: Any) -> None:
        backoff = Backoff()
        while True:
            try:
                now = timezone.now()
                with acting_as(client=Client.SYSTEM):
                    extended = rosters_extend(now=now, days=max(1, options["days"]))
                    notices = roster_gaps_notify(now=now)
                    calendar_notices = calendar_years_remind(now=now)
            except TRANSIENT_DB_ERRORS as error:
                time.sleep(transient_error_seen(what="roster_watch", error=error, backoff=backoff))
                continue
            backoff.reset()
            created = sum(report.created for _, report in extended)
            if created or notices or calendar_notices or options["once"]:
                self.stdout.write(f"排班：新增{created}个班次；无人值守预警{notices}条；节假日提醒{calendar_notices}条")
            if options["once"]:
                return
            time.sleep(max(10.0, options["interval"]))
