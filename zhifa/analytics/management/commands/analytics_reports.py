"""``manage.py analytics_reports [--interval 3600] [--once]``: make last week's and last month's reports (周报、
月报) of the district and of every street when they are missing (``reports_scheduled``); a report already kept
is left alone, so running it again makes nothing. Runs beside ``credit_refresh`` under ``make run``."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from zhifa.analytics.reports import reports_scheduled
from zhifa.core.request_context import Client, acting_as
from zhifa.core.transient import TRANSIENT_DB_ERRORS, Backoff, transient_error_seen


class Command(BaseCommand):
    help = "生成缺少的上周周报和上月月报（全区及各街道）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=3600.0, help="检查间隔（秒）")
        parser.add_argument("--once", action="store_true", help="只检查一次")

    def handle(self, *args: Any, **options: Any) -> None:
        backoff = Backoff()
        while True:
            try:
                with acting_as(client=Client.SYSTEM):
                    made = reports_scheduled()
            except TRANSIENT_DB_ERRORS as error:
                time.sleep(transient_error_seen(what="analytics_reports", error=error, backoff=backoff))
                continue
            backoff.reset()
            if made or options["once"]:
                self.stdout.write(f"分析报告：新生成{len(made)}份")
            if options["once"]:
                return
            time.sleep(max(10.0, options["interval"]))
