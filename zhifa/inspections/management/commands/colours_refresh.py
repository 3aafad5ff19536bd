"""``manage.py colours_refresh [--interval 3600] [--once]``: recompute the three colours (三色管理) of every district
once a day — the first pass after midnight — so that records leaving the rolling window and orders passing their
deadline show (each record moves the colour at once when it is written; this is for the passing of time), and
tell the issuing officer and the department of each rectification order whose deadline has just passed
(``rectification_overdue_remind``). Runs under ``make run``; ``--once`` is the nightly cron job."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from zhifa.core.request_context import Client, acting_as
from zhifa.core.transient import TRANSIENT_DB_ERRORS, Backoff, transient_error_seen
from zhifa.inspections.colours import colours_refresh
from zhifa.inspections.rectification import rectification_overdue_remind
from zhifa.org.models import District


class Command(BaseCommand):
    help = "重算三色管理颜色（每日一次）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=3600.0, help="检查间隔（秒）")
        parser.add_argument("--once", action="store_true", help="只重算一次")

    def handle(self, *args: Any, **options: Any) -> None:
        backoff = Backoff()
        last_day = None
        while True:
            today = timezone.localdate()
            if last_day != today:
                try:
                    with acting_as(client=Client.SYSTEM):
                        districts = list(District.objects.order_by("pk").values_list("pk", flat=True))
                        changed = sum(colours_refresh(district_id=pk, on=today) for pk in districts)
                        reminded = sum(rectification_overdue_remind(district_id=pk, on=today) for pk in districts)
                except TRANSIENT_DB_ERRORS as error:
                    time.sleep(transient_error_seen(what="colours_refresh", error=error, backoff=backoff))
                    continue
                backoff.reset()
                last_day = today
                self.stdout.write(f"三色管理：颜色变化{changed}个；整改逾期提醒{reminded}件")
            if options["once"]:
                return
            time.sleep(max(10.0, options["interval"]))
