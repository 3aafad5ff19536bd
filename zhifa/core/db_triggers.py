"""Database triggers that make the audit table append-only (APL 47: the whole-process record is kept).

Installed by migration core.0002 and again by core.0007 (SQLite drops a table's triggers whenever a
migration rebuilds the table, and 0005 did); ``audit_triggers_missing`` is what the post-migrate guard in
``CoreConfig`` asks, so that a later rebuild that forgets them stops ``migrate`` instead of passing
silently. The functions are idempotent so the test suite can lift the triggers for Django's flush (which
empties tables with DELETE between transactional tests) and put them back after it.
"""

from typing import Any

SQLITE_INSTALL = [
    "CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON core_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'core_auditentry is append-only'); END;",
    "CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON core_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'core_auditentry is append-only'); END;",
]
SQLITE_REMOVE = ["DROP TRIGGER IF EXISTS audit_no_update;", "DROP TRIGGER IF EXISTS audit_no_delete;"]
POSTGRES_INSTALL = [
    "CREATE OR REPLACE FUNCTION core_audit_refuse() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'core_auditentry is append-only'; END; $$ LANGUAGE plpgsql;",
    "DROP TRIGGER IF EXISTS audit_no_change ON core_auditentry;",
    "CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON core_auditentry "
    "FOR EACH ROW EXECUTE FUNCTION core_audit_refuse();",
]
POSTGRES_REMOVE = ["DROP TRIGGER IF EXISTS audit_no_change ON core_auditentry;"]
SQLITE_TRIGGERS = frozenset({"audit_no_update", "audit_no_delete"})
POSTGRES_TRIGGERS = frozenset({"audit_no_change"})

_STATEMENTS = {
    ("sqlite", "install"): SQLITE_INSTALL,
    ("sqlite", "remove"): SQLITE_REMOVE,
    ("postgresql", "install"): POSTGRES_INSTALL,
    ("postgresql", "remove"): POSTGRES_REMOVE,
}


def _run(connection: Any, what: str) -> None:
    statements = _STATEMENTS.get((connection.vendor, what), [])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def install_audit_triggers(connection: Any) -> None:
    _run(connection, "install")


def remove_audit_triggers(connection: Any) -> None:
    _run(connection, "remove")


def audit_triggers_missing(connection: Any) -> list[str]:
    """The append-only triggers the audit table lacks (sorted names; ``[]`` when all are there). On
    PostgreSQL a trigger that is present but disabled (``ALTER TABLE … DISABLE TRIGGER``) counts as missing."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'core_auditentry'")
            expected = SQLITE_TRIGGERS
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'core_auditentry'::regclass "
                "AND NOT tgisinternal AND tgenabled <> 'D'"
            )
            expected = POSTGRES_TRIGGERS
        else:
            return []
        present = {name for (name,) in cursor.fetchall()}
    return sorted(expected - present)
