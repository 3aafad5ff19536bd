"""``manage.py clock_watch [--interval 10] [--once | --scans N]``: the clock worker that escalates overdue
events.

One loop calling ``events_escalate_overdue``; several may run (the escalation steps are recorded once), so
a restart or a second machine is harmless. A transient database error (a lock held past the busy timeout,
a PostgreSQL restart) is logged and the scan retried with backoff (zhifa/core/transient.py) instead of
ending the loop; each successful scan records a heartbeat that ``/healthz`` and the command centre read.
"""

import logging
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from zhifa.core.audit import AuditChainBroken, audit_checkpoint_write
from zhifa.core.heartbeats import CLOCK_WATCH, heartbeat_record
from zhifa.core.request_context import Client, acting_as
from zhifa.core.transient import TRANSIENT_DB_ERRORS, Backoff, transient_error_seen
from zhifa.events.services import events_escalate_overdue


class Command(BaseCommand):
    help = "扫描超时事件并逐级升级（通知片区负责人 → 指挥中心 → 改派）"

    def add_arguments(self, parser: CommandParser) -> None:
        default_interval = float(getattr(settings, "ZHIFA_CLOCK_WATCH_INTERVAL_S", 10.0))
        parser.add_argument("--interval", type=float, default=default_interval, help="扫描间隔（秒）")
        parser.add_argument("--once", action="store_true", help="只扫描一次")
        parser.add_argument("--scans", type=int, default=None, help="成功扫描 N 次后退出")

    def handle(self, *args: Any, **options: Any) -> None:
        interval = max(1.0, float(options["interval"]))
        scans_left = 1 if options["once"] else options["scans"]
        backoff = Backoff()
        checkpoint_due = 0.0
        while True:
            try:
                # The heartbeat carries the scan's own time: every step due by then has been taken.
                now = timezone.now()
                with acting_as(client=Client.SYSTEM):
                    steps = events_escalate_overdue(now=now)
                heartbeat_record(kind=CLOCK_WATCH, interval_s=interval, now=now)
                if time.monotonic() >= checkpoint_due:
                    _audit_checkpoint()
                    checkpoint_due = time.monotonic() + settings.ZHIFA_AUDIT_CHECKPOINT_EVERY_S
            except TRANSIENT_DB_ERRORS as error:
                # The steps of a failed scan rolled back with their transactions, or were committed and
                # are recorded: the next scan takes exactly what is still due, once.
                time.sleep(transient_error_seen(what="clock_watch", error=error, backoff=backoff))
                continue
            backoff.reset()
            for step in steps:
                self.stdout.write(f"{step.event.public_no} {step.clock} L{step.level} {step.note}")
            if scans_left is not None:
                scans_left -= 1
                if scans_left <= 0:
                    if options["once"]:
                        self.stdout.write(f"升级 {len(steps)} 项")
                    return
            time.sleep(interval)


logger = logging.getLogger(__name__)


def _audit_checkpoint() -> None:
    """Sign the audit chain's tip into the checkpoint file (issue 9), every ZHIFA_AUDIT_CHECKPOINT_EVERY_S.
    A chain that no longer verifies, or a file that cannot be written, is logged as an error and signs
    nothing — escalation goes on."""
    try:
        audit_checkpoint_write()
    except AuditChainBroken as broken:
        logger.error("audit chain broken, no checkpoint signed: %s", broken.report.problem)
    except OSError as error:
        logger.error("audit checkpoint not written: %s", error)
