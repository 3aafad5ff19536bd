"""Issue 16: each round of handling kept (EventHandlingRound) with its result type, clocks and redo reason;
a handling photo names its round."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_add_handling_result_types_phrases"),
        ("events", "0015_assignment_delivered_seen"),
        ("org", "0004_add_login_lock_and_password_history"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="EventHandlingRound",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.PositiveSmallIntegerField(verbose_name="轮次")),
                ("handled_by_label", models.CharField(blank=True, max_length=150, verbose_name="反馈人名称")),
                ("outcome", models.TextField(verbose_name="处置情况")),
                ("result_type_name", models.CharField(blank=True, max_length=30, verbose_name="处置结果")),
                ("handled_at", models.DateTimeField(verbose_name="处置时间")),
                ("dispatched_at", models.DateTimeField(blank=True, null=True, verbose_name="派遣时间")),
                ("acknowledged_at", models.DateTimeField(blank=True, null=True, verbose_name="响应时间")),
                ("arrived_at", models.DateTimeField(blank=True, null=True, verbose_name="到场时间")),
                ("respond_due_at", models.DateTimeField(blank=True, null=True, verbose_name="响应时限")),
                ("arrive_due_at", models.DateTimeField(blank=True, null=True, verbose_name="到场时限")),
                ("handle_due_at", models.DateTimeField(blank=True, null=True, verbose_name="处置时限")),
                ("redo_reason", models.TextField(blank=True, verbose_name="核查不通过理由")),
                ("redone_at", models.DateTimeField(blank=True, null=True, verbose_name="核查不通过时间")),
                ("redone_by_label", models.CharField(blank=True, max_length=150, verbose_name="核查人")),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="handling_rounds",
                        to="events.event",
                        verbose_name="事件",
                    ),
                ),
                (
                    "handled_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="反馈人",
                    ),
                ),
                (
                    "officers",
                    models.ManyToManyField(related_name="handling_rounds", to="org.officer", verbose_name="处置人员"),
                ),
                (
                    "result_type",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="catalog.handlingresulttype",
                        verbose_name="处置结果类型",
                    ),
                ),
            ],
            options={
                "verbose_name": "处置轮次",
                "verbose_name_plural": "处置轮次",
                "ordering": ["event", "number"],
            },
        ),
        migrations.AddField(
            model_name="eventphoto",
            name="handling_round",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="photos",
                to="events.eventhandlinground",
                verbose_name="处置轮次",
            ),
        ),
        migrations.AddConstraint(
            model_name="eventhandlinground",
            constraint=models.UniqueConstraint(fields=("event", "number"), name="handling_round_number_unique"),
        ),
    ]
