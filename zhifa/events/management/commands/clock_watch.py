"""``manage.py clock_watch [--interval 10] [--once]``: the clock worker that escalates overdue events.

One loop calling ``events_escalate_overdue``; several may run (the escalation steps are recorded once), so
a restart or a second machine is harmless.
"""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from zhifa.core.request_context import Client, acting_as
from zhifa.events.services import events_escalate_overdue


class Command(BaseCommand):
    help = "扫描超时事件并逐级升级（通知片区负责人 → 指挥中心 → 改派）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=10.0, help="扫描间隔（秒）")
        parser.add_argument("--once", action="store_true", help="只扫描一次")

    def handle(self, *args: Any, **options: Any) -> None:
        interval = max(1.0, float(options["interval"]))
        while True:
            with acting_as(client=Client.SYSTEM):
                steps = events_escalate_overdue()
            for step in steps:
                self.stdout.write(f"{step.event.public_no} {step.clock} L{step.level} {step.note}")
            if options["once"]:
                self.stdout.write(f"升级 {len(steps)} 项")
                return
            time.sleep(interval)
