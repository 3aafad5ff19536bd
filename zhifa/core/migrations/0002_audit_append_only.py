"""Database triggers that refuse UPDATE and DELETE on the audit table, so that code (or a person with a
database shell and the application's rights) that bypasses the ORM cannot silently rewrite the
whole-process record (APL 47). ``audit_verify`` still detects tampering by anyone who drops the triggers."""

from django.db import migrations

from zhifa.core.db_triggers import install_audit_triggers, remove_audit_triggers


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    install_audit_triggers(schema_editor.connection)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    remove_audit_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
