"""Issue 16: a 12345 ticket's number and call time at intake, the reply to the platform, the call-back record
(回访记录, the caller's satisfaction) at closing, and the state sent_back (已退回12345)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

STATUSES = [
    ("reported", "已上报"),
    ("triaged", "已研判"),
    ("dispatched", "已派遣"),
    ("acknowledged", "已响应"),
    ("arrived", "已到场"),
    ("handled", "已处置"),
    ("verified", "已核查"),
    ("closed", "已结案"),
    ("returned", "已退回"),
    ("transferred", "已转办"),
    ("merged", "已合并"),
    ("rejected", "不予受理"),
    ("sent_back", "已退回12345"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0016_add_handling_rounds"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="hotline_ticket_no",
            field=models.CharField(blank=True, default="", max_length=32, verbose_name="12345工单号"),
        ),
        migrations.AddField(
            model_name="event",
            name="called_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="来电时间"),
        ),
        migrations.AddField(
            model_name="event",
            name="hotline_reply",
            field=models.TextField(blank=True, default="", verbose_name="12345回复"),
        ),
        migrations.AlterField(
            model_name="event",
            name="status",
            field=models.CharField(choices=STATUSES, default="reported", max_length=14, verbose_name="状态"),
        ),
        migrations.AlterField(
            model_name="eventtransition",
            name="from_status",
            field=models.CharField(choices=STATUSES, max_length=14, verbose_name="原状态"),
        ),
        migrations.AlterField(
            model_name="eventtransition",
            name="to_status",
            field=models.CharField(choices=STATUSES, max_length=14, verbose_name="新状态"),
        ),
        migrations.CreateModel(
            name="EventCallback",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "result",
                    models.CharField(
                        choices=[
                            ("satisfied", "已回访满意"),
                            ("basically_satisfied", "已回访基本满意"),
                            ("dissatisfied", "已回访不满意"),
                            ("unreachable", "未接通"),
                            ("declined", "来电人拒绝回访"),
                            ("not_needed", "无需回访（匿名或未留号码）"),
                        ],
                        max_length=24,
                        verbose_name="回访结果",
                    ),
                ),
                ("note", models.CharField(blank=True, max_length=300, verbose_name="回访说明")),
                ("called_back_at", models.DateTimeField(verbose_name="回访时间")),
                ("actor_label", models.CharField(blank=True, max_length=150, verbose_name="回访人名称")),
                (
                    "actor",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="回访人",
                    ),
                ),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="callbacks",
                        to="events.event",
                        verbose_name="事件",
                    ),
                ),
            ],
            options={
                "verbose_name": "回访记录",
                "verbose_name_plural": "回访记录",
                "ordering": ["called_back_at", "id"],
            },
        ),
    ]
