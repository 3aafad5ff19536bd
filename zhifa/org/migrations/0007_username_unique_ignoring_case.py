"""User names are unique ignoring case: "WuLin" is refused when "wulin" exists. Django's user table has a
case-sensitive unique constraint only; one expression index (the same statement on SQLite and PostgreSQL)
makes the database decide, as it decides a name taken exactly (``people.account_create``).

It runs after auth's last migration: on SQLite an ALTER of the user table rebuilds it and drops an index Django
does not know of (auth 0008 and 0012 alter it). The test of the refusal runs after every migration, on both
databases, and fails if a later rebuild drops it again."""

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
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
