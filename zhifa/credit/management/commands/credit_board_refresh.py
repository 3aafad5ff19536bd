"""``manage.py credit_board_refresh [--interval 3600] [--once] [--on YYYY-MM-DD]``: the 大综点评 board, once a day.

Every district gets one run per day (``board.board_refresh``; a second call that day writes nothing). Runs beside
``credit_refresh`` under ``make run``, waking every ``--interval`` seconds to see whether the day has turned;
``--once`` is the nightly cron job."""

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from zhifa.core.request_context import Client, acting_as
from zhifa.core.transient import TRANSIENT_DB_ERRORS, Backoff, transient_error_seen
from zhifa.credit.board import board_refresh
from zhifa.org.models import District


class Command(BaseCommand):
    help = "计算当日大综点评排名（每区每日一次）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=3600.0, help="检查间隔（秒）")
        parser.add_argument("--once", action="store_true", help="只计算一次")
        parser.add_argument("--on", type=dt.date.fromisoformat, default=None, help="排名日期（默认今天）")

    def handle(self, *args: Any, **options: Any) -> None:
        backoff = Backoff()
        last_day = None
        while True:
            today = options["on"] or timezone.localdate()
            if today != last_day:
                try:
                    with acting_as(client=Client.SYSTEM):
                        for district_id in District.objects.values_list("pk", flat=True):
                            run = board_refresh(district_id=district_id, on=today)
                            self.stdout.write(f"大综点评：{run.on} 第{district_id}区 {run.positions.count()}家")
                except TRANSIENT_DB_ERRORS as error:
                    time.sleep(transient_error_seen(what="credit_board_refresh", error=error, backoff=backoff))
                    continue
                backoff.reset()
                last_day = today
            if options["once"]:
                return
            time.sleep(max(10.0, options["interval"]))
