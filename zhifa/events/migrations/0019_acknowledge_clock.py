"""Issue 10, one name per concept: 响应 is "acknowledge" in the workflow (EventAction.ACKNOWLEDGE,
acknowledged_at), so its clock is too (it was "respond"): Event.respond_due_at → acknowledge_due_at, the
handling round's copy likewise, SlaPolicy.respond_limit → acknowledge_limit (columns renamed, data kept), and
the clock stored on escalation steps "respond" → "acknowledge". Audit entries keep the JSON they were written
with (history is not rewritten)."""

from django.db import migrations, models


def forwards(apps, schema_editor):
    apps.get_model("events", "EventEscalation").objects.filter(clock="respond").update(clock="acknowledge")


def backwards(apps, schema_editor):
    apps.get_model("events", "EventEscalation").objects.filter(clock="acknowledge").update(clock="respond")


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0018_arrival_exception_relocation"),
    ]

    operations = [
        migrations.RenameField(model_name="event", old_name="respond_due_at", new_name="acknowledge_due_at"),
        migrations.RenameField(
            model_name="eventhandlinground", old_name="respond_due_at", new_name="acknowledge_due_at"
        ),
        migrations.RenameField(model_name="slapolicy", old_name="respond_limit", new_name="acknowledge_limit"),
        migrations.AlterField(
            model_name="eventescalation",
            name="clock",
            field=models.CharField(
                choices=[("acknowledge", "响应"), ("arrive", "到场"), ("handle", "处置"), ("coordination", "协同办理")],
                max_length=14,
                verbose_name="时限",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
