"""``manage.py audit_checkpoint``: sign the audit chain's tip into the checkpoint file (outside the database).

``clock_watch`` calls the same service every ZHIFA_AUDIT_CHECKPOINT_EVERY_S seconds; run this by hand, or
from cron, where no clock watcher runs — and once right after upgrading to the keyed chain, so that the
entries written before the key are pinned from then on.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from zhifa.core.audit import AuditChainBroken, audit_checkpoint_write
from zhifa.core.audit_checkpoints import checkpoint_path


class Command(BaseCommand):
    help = "为审计链链尾签署检查点，追加写入数据库之外的检查点文件。"

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            checkpoint = audit_checkpoint_write()
        except AuditChainBroken as broken:
            raise CommandError(f"审计链自上一个检查点以来已断裂，拒绝签署：{broken.report.problem}") from broken
        if checkpoint is None:
            self.stdout.write("自上一个检查点以来没有新的审计记录，未写入。")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"已签署检查点：序号 {checkpoint.seq}，哈希 {checkpoint.entry_hash}，写入 {checkpoint_path()}"
            )
        )
