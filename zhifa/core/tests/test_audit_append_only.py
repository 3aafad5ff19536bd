"""The audit table refuses UPDATE and DELETE as the migrations leave it — on SQLite and on PostgreSQL.

The test database is built by running every migration, and the suite's conftest puts back only triggers
that were there before a flush lifted them; so these tests see the table exactly as ``migrate`` left it.
SQLite loses a table's triggers whenever a migration rebuilds it (0005 did, issue 9): migration 0008 puts
them back, and the post-migrate guard stops the next migration that forgets to.
"""

from typing import Any

import pytest
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.db.migrations.loader import MigrationLoader

from zhifa.core.apps import _audit_triggers_guard
from zhifa.core.audit import audit_record
from zhifa.core.db_triggers import audit_triggers_missing, remove_audit_triggers
from zhifa.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _one_entry() -> AuditEntry:
    return audit_record(actor="测试", action="thing.change", object_type="thing", object_id="1", after={"i": 1})


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE core_auditentry SET action = 'x'",
        "UPDATE core_auditentry SET entry_hash = 'x', prev_hash = 'x' WHERE seq = 1",
        "DELETE FROM core_auditentry",
        "DELETE FROM core_auditentry WHERE seq = 1",
    ],
)
def test_after_all_migrations_the_database_refuses_update_and_delete_of_an_entry(sql: str) -> None:
    # Given an entry in the table as the migrations built it
    entry = _one_entry()
    # When raw SQL on the application's own connection tries to change or remove it
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    # Then the row is as it was written
    stored = AuditEntry.objects.get()
    assert (stored.seq, stored.action, stored.entry_hash) == (1, "thing.change", entry.entry_hash)
    assert audit_triggers_missing(connection) == []


def _forward_plan() -> list[tuple[Any, bool]]:
    loader = MigrationLoader(connection)
    return [(loader.graph.nodes[("core", "0008_audit_append_only_reinstalled")], False)]


def test_migrate_stops_when_a_migration_left_the_table_without_its_triggers() -> None:
    # Given a table that a rebuild has left without its triggers
    remove_audit_triggers(connection)
    expected = ["audit_no_delete", "audit_no_update"] if connection.vendor == "sqlite" else ["audit_no_change"]
    assert audit_triggers_missing(connection) == expected
    # When migrate finishes, then it fails loudly, naming the missing triggers
    with pytest.raises(CommandError, match=f"缺少只增触发器 {', '.join(expected)}"):
        _audit_triggers_guard(using=connection.alias, plan=_forward_plan())
    # And flush (no plan) and a backward migration are left alone
    _audit_triggers_guard(using=connection.alias, plan=None)
    _audit_triggers_guard(using=connection.alias, plan=[(_forward_plan()[0][0], True)])


def test_migrate_passes_with_the_triggers_in_place() -> None:
    assert _audit_triggers_guard(using=connection.alias, plan=_forward_plan()) is None


def test_a_disabled_trigger_counts_as_missing_on_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite triggers cannot be disabled, only dropped")
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER audit_no_change")
    assert audit_triggers_missing(connection) == ["audit_no_change"]
