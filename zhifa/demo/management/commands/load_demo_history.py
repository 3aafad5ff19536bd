"""``manage.py load_demo_history [--weeks 8] [--per-day 240] [--seed 1530]``: the demo district's past weeks of
closed events (``zhifa.demo.history``); ``make run`` runs it after ``load_demo``. Run twice, it changes nothing."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhifa.core.errors import Conflict
from zhifa.demo.history import history_build
from zhifa.org.models import District


class Command(BaseCommand):
    help = "为演示区加载过去数周的已结案事件（分析研判、热点、预判布防、报告所用的历史）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--weeks", type=int, default=8, help="周数（1–26）")
        parser.add_argument("--per-day", type=int, default=240, help="全区每天约多少件（1–5000）")
        parser.add_argument("--seed", type=int, default=1530)

    def handle(self, *args: Any, **options: Any) -> None:
        weeks, per_day = options["weeks"], options["per_day"]
        if not 1 <= weeks <= 26 or not 1 <= per_day <= 5000:
            raise CommandError("周数须在1–26之间，每天事件数须在1–5000之间，未做任何改动")
        district = District.objects.order_by("pk").first()
        if district is None:
            raise CommandError("还没有演示区：请先运行 manage.py load_demo，未做任何改动")
        try:
            total = history_build(district=district, weeks=weeks, per_day=per_day, seed=options["seed"])
        except Conflict as exc:
            self.stdout.write(f"{exc.message}（{exc.code}）")
            return
        self.stdout.write(self.style.SUCCESS(f"已加载演示历史事件：{district.name} 过去{weeks}周共 {total} 件"))
