"""Re-run a drawn plan from its published seed and inputs and compare with what was stored.

    manage.py inspection_draw_verify <plan id>

Exit status 0 and "一致" when the draw stands; 1 with each difference otherwise."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhifa.core.errors import NotFound
from zhifa.inspections.selectors import plan_draw_verify, plan_for_verify


class Command(BaseCommand):
    help = "重算抽查计划的双随机抽取结果并与记录比对"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("plan_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            plan = plan_for_verify(plan_id=options["plan_id"])
        except NotFound as exc:
            raise CommandError(f"{exc.message}（{exc.code}）") from exc
        problems = plan_draw_verify(plan=plan)
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"计划 {plan.pk} 的抽取结果与重算不一致")
        self.stdout.write(
            f"计划 {plan.pk}「{plan.name}」：种子 {plan.seed}（公开随机值 {plan.public_value}），"
            f"{plan.drawn.count()} 个对象，重算一致"
        )
