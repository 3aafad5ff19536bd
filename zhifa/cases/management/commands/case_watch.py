"""Scan the cases' deadlines: warn handlers before a due date, tell the heads after it (``scan_deadlines``).

Runs beside ``clock_watch`` under ``make run`` (every ``--interval`` seconds, default one hour); ``--once`` for a
cron job. Each deadline is warned and escalated once, so a scan repeated or run by two processes at once sends
nothing twice (the rows are marked in the same transaction as the notices)."""

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from zhifa.cases.services import scan_deadlines
from zhifa.core.request_context import Client, acting_as


class Command(BaseCommand):
    help = "案件期限提醒与超期上报"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--interval", type=float, default=3600.0)
        parser.add_argument("--once", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            with acting_as(client=Client.SYSTEM):
                notices = scan_deadlines(on=timezone.localdate())
            for notice in notices:
                case = notice.deadline.case
                self.stdout.write(f"{case.number} {notice.deadline.label} {notice.kind} → {notice.recipients}人")
            if options["once"]:
                return
            time.sleep(max(60.0, options["interval"]))
