"""``manage.py credit_refresh [--interval 300] [--once] [--all]``: keep the credit files and grades up to date.

Every scan writes an entry for each final general-procedure penalty decision that has none and recomputes the
grades of the holders it touched (``credit_refresh``), and breaks the signed commitments a later decision or finding
on their matter contradicts (``commitments.commitment_breaches_scan``), and takes off the serious dishonesty list the
listings whose removal date has come (``dishonesty.dishonesty_expire_due``); once a day — the first scan after midnight, or every scan
with ``--all`` — it recomputes every holder of every district, so that time decay and expired entries show.
Runs beside ``case_watch`` under ``make run``; ``--once --all`` is the nightly cron job."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from zhifa.core.request_context import Client, acting_as
from zhifa.core.transient import TRANSIENT_DB_ERRORS, Backoff, transient_error_seen
from zhifa.credit.commitments import commitment_breaches_scan
from zhifa.credit.dishonesty import dishonesty_expire_due
from zhifa.credit.services import credit_grades_recompute, credit_refresh
from zhifa.org.models import District


class Command(BaseCommand):
    help = "根据处罚决定更新信用档案，并重算信用等级（每日全量重算一次）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=300.0, help="扫描间隔（秒）")
        parser.add_argument("--once", action="store_true", help="只扫描一次")
        parser.add_argument("--all", action="store_true", help="重算全部主体的信用等级")

    def handle(self, *args: Any, **options: Any) -> None:
        backoff = Backoff()
        last_full = None
        while True:
            today = timezone.localdate()
            try:
                with acting_as(client=Client.SYSTEM):
                    entries, changed = credit_refresh(on=today)
                    # Issue 13 part 2: decisions and findings that contradict a signed commitment break it.
                    entries += commitment_breaches_scan()
                    # Issue 13 part 5: listings whose removal date has come go off the serious dishonesty list.
                    changed += dishonesty_expire_due(on=today)
                    if options["all"] or last_full != today:
                        for district_id in District.objects.values_list("pk", flat=True):
                            changed += credit_grades_recompute(district_id=district_id, on=today)
                        last_full = today
            except TRANSIENT_DB_ERRORS as error:
                time.sleep(transient_error_seen(what="credit_refresh", error=error, backoff=backoff))
                continue
            backoff.reset()
            if entries or changed or options["once"]:
                self.stdout.write(f"信用档案：新增信息{entries}条；等级变化{changed}个")
            if options["once"]:
                return
            time.sleep(max(10.0, options["interval"]))
