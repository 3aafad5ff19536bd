"""A random token per photo for its public address. Added in three steps because a unique column with a
callable default would give every existing row the same value: add it nullable, give each row its own
token, then make it unique and required."""

import secrets

from django.db import migrations, models


def fill_tokens(apps, schema_editor):
    EventPhoto = apps.get_model("events", "EventPhoto")
    for pk in list(EventPhoto.objects.filter(public_token__isnull=True).values_list("pk", flat=True)):
        EventPhoto.objects.filter(pk=pk).update(public_token=secrets.token_urlsafe())


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0002_add_event_day_counter"),
    ]

    operations = [
        migrations.AddField(
            model_name="eventphoto",
            name="public_token",
            field=models.CharField(editable=False, max_length=64, null=True, verbose_name="公开链接令牌"),
        ),
        migrations.RunPython(fill_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="eventphoto",
            name="public_token",
            field=models.CharField(
                default=secrets.token_urlsafe, editable=False, max_length=64, unique=True, verbose_name="公开链接令牌"
            ),
        ),
    ]
