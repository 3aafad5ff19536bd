"""Issue 10, one name per concept: the photos an officer sends with the handling (处置照片) are of kind "handle"
(they were "handling"), as the step itself (EventAction.HANDLE). Stored values are rewritten."""

from django.db import migrations, models


def forwards(apps, schema_editor):
    apps.get_model("events", "EventPhoto").objects.filter(kind="handling").update(kind="handle")


def backwards(apps, schema_editor):
    apps.get_model("events", "EventPhoto").objects.filter(kind="handle").update(kind="handling")


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0013_handle_clock"),
    ]

    operations = [
        migrations.AlterField(
            model_name="eventphoto",
            name="kind",
            field=models.CharField(
                choices=[("report", "上报照片"), ("alert", "告警抓拍"), ("handle", "处置照片")],
                max_length=10,
                verbose_name="类别",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
