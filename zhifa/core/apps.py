from typing import Any

from django.apps import AppConfig
from django.core.management.base import CommandError
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.signals import post_migrate

from zhifa.core.db_triggers import audit_triggers_missing


class CoreConfig(AppConfig):
    name = "zhifa.core"
    verbose_name = "基础"

    def ready(self) -> None:
        from zhifa.core import checks  # noqa: F401 — registers the audit-key checks

        # Sent once per app at the end of ``migrate``; core's copy is enough (only core's migrations touch
        # the audit table).
        post_migrate.connect(_audit_triggers_guard, sender=self, dispatch_uid="zhifa.core.audit_triggers_guard")


def _audit_triggers_guard(*, using: str, plan: Any = None, **kwargs: Any) -> None:
    """Stop ``migrate`` when the audit table has lost its append-only triggers.

    SQLite drops a table's triggers whenever a migration rebuilds the table; migration 0005 did, and for a
    while the audit trail could be edited and nobody noticed. A later rebuild that forgets to reinstall them
    (``db_triggers.install_audit_triggers``, as 0008 does) is refused here, loudly, rather than shipped.
    ``flush`` sends the same signal without a plan (the test suite lifts the triggers for it); a backward
    plan is someone taking the schema apart on purpose."""
    if plan is None or any(backwards for _, backwards in plan):
        return
    connection = connections[using]
    if ("core", "0002_audit_append_only") not in MigrationRecorder(connection).applied_migrations():
        return
    missing = audit_triggers_missing(connection)
    if missing:
        raise CommandError(
            f"审计表 core_auditentry 缺少只增触发器 {', '.join(missing)}：某个迁移重建了该表而未重新安装触发器"
            "（在该迁移末尾调用 zhifa.core.db_triggers.install_audit_triggers）。"
        )
