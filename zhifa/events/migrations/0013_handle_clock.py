"""Issue 10, one name per concept: the officer's 30-minute 处置 clock is "handle" (it was "feedback", a name the
coordinating department's 部门反馈 keeps): Event.feedback_due_at → handle_due_at, SlaPolicy.feedback_limit →
handle_limit (columns renamed, data kept), and the clock stored on escalation steps "feedback" → "handle"."""

from django.db import migrations, models


def forwards(apps, schema_editor):
    apps.get_model("events", "EventEscalation").objects.filter(clock="feedback").update(clock="handle")


def backwards(apps, schema_editor):
    apps.get_model("events", "EventEscalation").objects.filter(clock="handle").update(clock="feedback")


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0012_status_on_site_renamed_arrived"),
    ]

    operations = [
        migrations.RenameField(model_name="event", old_name="feedback_due_at", new_name="handle_due_at"),
        migrations.AlterField(
            model_name="event",
            name="handle_due_at",
            field=models.DateTimeField(blank=True, db_index=True, null=True, verbose_name="处置时限"),
        ),
        migrations.RenameField(model_name="slapolicy", old_name="feedback_limit", new_name="handle_limit"),
        migrations.AlterField(
            model_name="slapolicy",
            name="handle_limit",
            field=models.PositiveIntegerField(default=30, verbose_name="处置时限"),
        ),
        migrations.AlterField(
            model_name="eventescalation",
            name="clock",
            field=models.CharField(
                choices=[("respond", "响应"), ("arrive", "到场"), ("handle", "处置"), ("coordination", "协同办理")],
                max_length=14,
                verbose_name="时限",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
