"""Issue 16: when a dispatched task reached an open phone page of the officer (送达) and was first in front of
them (查看), kept on the assignment."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0014_photo_kind_handle"),
    ]

    operations = [
        migrations.AddField(
            model_name="eventassignment",
            name="delivered_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="送达时间"),
        ),
        migrations.AddField(
            model_name="eventassignment",
            name="seen_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="查看时间"),
        ),
    ]
