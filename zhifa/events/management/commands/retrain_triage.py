"""``manage.py retrain_triage``: rebuild the triage model from the corpus and the desk's corrections, report the
held-out scores before and after, and replace the running model only when the new one is no worse (kind top-1
and urgent recall). Servers pick up a replaced model file on their next classification."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from zhifa.events import routing
from zhifa.events.services.triage_training import retrain
from zhifa.events.triage_model import Scores


def _row(label: str, scores: Scores | None) -> str:
    if scores is None:
        return f"{label:<8}（无）"
    return (
        f"{label:<8}{scores.kind_top1:>10.1%}{scores.kind_top3:>10.1%}{scores.department_top1:>10.1%}"
        f"{scores.urgent_recall:>10.1%}{scores.urgent_precision:>10.1%}"
    )


class Command(BaseCommand):
    help = "用语料与调度员的纠正重新训练研判模型；新模型在留出集上不差于当前模型时才替换"
    # ``extra``: labelled examples added to the corrections, for tests through call_command (no command-line option).
    stealth_options = ("extra",)

    def handle(self, *args: Any, **options: Any) -> None:
        path = routing.model_path()
        report = retrain(path, extra=options.get("extra"))
        self.stdout.write(f"语料 {report.corpus} 条，纠正样例 {report.corrections} 条；留出集 {report.after.n} 条")
        self.stdout.write(f"{'':<8}{'类型top1':>8}{'类型top3':>8}{'部门':>9}{'紧急召回':>7}{'紧急精确':>7}")
        self.stdout.write(_row("当前模型", report.before))
        self.stdout.write(_row("新模型", report.after))
        if not report.replaced:
            raise CommandError("新模型在留出集上更差（类型准确率或紧急召回率下降），保留当前模型")
        self.stdout.write(f"已替换运行中的模型：{path}")
