"""``manage.py standby_rebalance [--interval 60] [--once]``: 补位 — every live standby plan's free officers get
posts re-solved from where they are (``deployment.deployment_rebalance``); a new plan is stored, and the
phones told, only when it covers the remaining demand better. Runs under ``make run``."""

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from zhifa.analytics.deployment import deployment_rebalance
from zhifa.core.actors import SystemActor
from zhifa.core.errors import DomainError
from zhifa.core.transient import TRANSIENT_DB_ERRORS, Backoff, transient_error_seen
from zhifa.events.standby_selectors import standby_plans_live_at

ACTOR = SystemActor("动态补位")
log = logging.getLogger(__name__)


def rebalance_once() -> int:
    """One pass over the live plans; how many new plans were stored."""
    now = timezone.now()
    stored = 0
    for plan in standby_plans_live_at(now):
        try:
            stored += deployment_rebalance(actor=ACTOR, plan=plan, at=now) is not None
        except DomainError as error:  # e.g. an officer moved to another street since: the plan waits for a person
            log.warning("补位跳过计划 %s：%s（%s）", plan.pk, error.message, error.code)
    return stored


class Command(BaseCommand):
    help = "动态补位：按空闲人员当前位置重算在岗计划的建议点位"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=60.0, help="间隔（秒）")
        parser.add_argument("--once", action="store_true", help="只运行一次")

    def handle(self, *args: Any, **options: Any) -> None:
        backoff = Backoff()
        while True:
            try:
                stored = rebalance_once()
            except TRANSIENT_DB_ERRORS as error:
                time.sleep(transient_error_seen(what="standby_rebalance", error=error, backoff=backoff))
                continue
            backoff.reset()
            if options["once"]:
                self.stdout.write(f"动态补位：新建议{stored}份")
                return
            time.sleep(max(10.0, options["interval"]))
