"""The audit table's append-only triggers, installed again after every migration that may have rebuilt it.

SQLite cannot drop a constraint in place: migration 0005 rebuilt ``core_auditentry`` (new table, rows
copied, old table dropped), and a table's triggers are dropped with it — from 0005 on the table took UPDATE
and DELETE on SQLite. This puts them back on both databases (idempotent; on PostgreSQL, where the table was
altered in place, it replaces the same trigger). Any later migration that rebuilds the table must do the
same: the post-migrate guard in ``CoreConfig`` stops ``migrate`` when the triggers are missing.
"""

from django.db import migrations

from zhifa.core.db_triggers import install_audit_triggers


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    install_audit_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0007_audit_entry_key_id")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
