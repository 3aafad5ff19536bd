from typing import Any

from django.core.management.base import BaseCommand, CommandError

from zhifa.core.audit import audit_verify_chain


class Command(BaseCommand):
    help = "核验审计链：逐条重算哈希，报告第一条被篡改或删除的记录。"

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_verify_chain()
        if report.is_intact:
            self.stdout.write(self.style.SUCCESS(f"审计链完整：共核验 {report.checked} 条记录。"))
            return
        raise CommandError(
            f"审计链断裂：第一条异常记录序号 {report.first_broken_seq}（{report.problem}）；"
            f"此前 {report.checked} 条完好。"
        )
