"""``manage.py train_triage [--output PATH]``: build the triage model from the project's corpus (``make install``
runs it when the corpus changes) and print its held-out scores. It does not read the database: the desk's
corrections are added by ``retrain_triage``."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from zhifa.events import routing
from zhifa.events.services.triage_training import train_from_corpus


class Command(BaseCommand):
    help = "从语料训练研判模型（诉求类型与紧急程度），并报告留出集上的准确率"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, default=None, help="模型文件（默认 ZHIFA_TRIAGE_MODEL）")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["output"] or routing.model_path()
        model, scores = train_from_corpus(path)
        self.stdout.write(
            f"研判模型：{model.meta['examples']} 条语料，{len(model.kinds)} 个类型 → {path}\n"
            f"留出集 {scores.n} 条：类型 top-1 {scores.kind_top1:.1%}，top-3 {scores.kind_top3:.1%}，"
            f"部门 {scores.department_top1:.1%}，紧急召回 {scores.urgent_recall:.1%}，精确 {scores.urgent_precision:.1%}"
        )
