"""User names are unique ignoring case: "WuLin" is refused when "wulin" exists. Django's user table has a
case-sensitive unique constraint only; one expression index (the same statement on SQLite and PostgreSQL)
makes the database decide, as it decides a name taken exactly (``people.account_create``)."""

from django.conf import settings
from django.db import migrations

INDEX = "org_username_ignoring_case_uniq"


def create_index(apps, schema_editor):
    table = apps.get_model(settings.AUTH_USER_MODEL)._meta.db_table
    schema_editor.execute(f"CREATE UNIQUE INDEX {INDEX} ON {schema_editor.quote_name(table)} (LOWER(username))")


def drop_index(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0006_duty_rosters"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
