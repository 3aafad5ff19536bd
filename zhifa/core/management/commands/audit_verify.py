from typing import Any

from django.core.management.base import BaseCommand, CommandError

from zhifa.core.audit import audit_verify_chain
from zhifa.core.audit_checkpoints import audit_checkpoints_read


class Command(BaseCommand):
    help = "核验审计链：逐条用审计密钥重算哈希，并对照数据库之外的已签名检查点，报告第一条被篡改或删除的记录。"

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_verify_chain()
        if report.is_intact:
            checkpoints = len(audit_checkpoints_read())
            self.stdout.write(
                self.style.SUCCESS(f"审计链完整：共核验 {report.checked} 条记录，对照 {checkpoints} 个检查点。")
            )
            return
        if report.first_broken_seq is None:
            raise CommandError(f"审计链无法核验：{report.problem}")
        raise CommandError(
            f"审计链断裂：第一条异常记录序号 {report.first_broken_seq}（{report.problem}）；"
            f"此前 {report.checked} 条完好。"
        )
