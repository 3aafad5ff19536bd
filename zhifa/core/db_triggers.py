"""Database triggers that make the audit table append-only (APL 47: the whole-process record is kept).

Installed by migration core.0002; the functions are idempotent so the test suite can restore them after
Django's test flush (which must empty the table between transactional tests on SQLite).
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
