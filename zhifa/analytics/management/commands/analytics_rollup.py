"""``manage.py analytics_rollup [--interval 300] [--days 3] [--once]``: keep the leaders' view's day rollup
(``AnalyticsDaily``, ADR 0016) current — every district's last ``--days`` local days, and any older day whose
events changed since the previous step began (``rollup.refresh_recent``); ``--backfill N``: first the last N days. Runs under ``make run``.

Each step also keeps the repeat marks (``repeat_marks.step``: a district never marked is marked whole, then the
events saved since the previous step are re-marked); ``--mark-repeats``: first mark every district again from
nothing (the marks' backfill; ``--once --mark-repeats`` to do only that and one step)."""

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from zhifa.analytics import repeat_marks
from zhifa.analytics.rollup import refresh, refresh_recent
from zhifa.core.transient import TRANSIENT_DB_ERRORS, Backoff, transient_error_seen
from zhifa.org.models import District


class Command(BaseCommand):
    help = "刷新分析日汇总（最近几天及有变动的日期）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=300.0, help="刷新间隔（秒）")
        parser.add_argument("--days", type=int, default=3, help="每次重算的最近天数")
        parser.add_argument("--backfill", type=int, default=0, help="启动时先重算最近多少天（历史数据）")
        parser.add_argument("--once", action="store_true", help="只刷新一次")
        parser.add_argument("--mark-repeats", action="store_true", help="启动时先重建全部重复发生标记")

    def handle(self, *args: Any, **options: Any) -> None:
        backoff = Backoff()
        if options["backfill"] > 0:
            today = timezone.localdate()
            for pk in District.objects.values_list("pk", flat=True):
                refresh(pk, today - dt.timedelta(days=options["backfill"]), today)
        if options["mark_repeats"]:
            for pk in District.objects.values_list("pk", flat=True):
                marked = repeat_marks.rebuild(pk)
                self.stdout.write(f"重复发生标记：区{pk}写入{marked}条")
        while True:
            try:
                written = marked = 0
                for pk in District.objects.values_list("pk", flat=True):
                    written += refresh_recent(pk, days=max(1, options["days"]))
                    marked += repeat_marks.step(pk)
            except TRANSIENT_DB_ERRORS as error:
                time.sleep(transient_error_seen(what="analytics_rollup", error=error, backoff=backoff))
                continue
            backoff.reset()
            if options["once"]:
                self.stdout.write(f"分析日汇总：写入{written}行；重复发生标记：写入{marked}条")
                return
            time.sleep(max(10.0, options["interval"]))
