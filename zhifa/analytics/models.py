"""Kept reports (分析报告, issue 17 part 3): one weekly or monthly report per period and scope (the district,
or one street), its PDF and XLSX with their SHA-256, the figures it was written from, when and by whom (a
user on demand, or the schedule). Written only by ``zhifa.analytics.reports.report_generate`` (audited)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from zhifa.org.models import District, Street


class ReportPeriod(models.TextChoices):
    WEEKLY = "weekly", "周报"
    MONTHLY = "monthly", "月报"


class AnalyticsReport(models.Model):
    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    period = models.CharField("报告周期", max_length=10, choices=ReportPeriod.choices)
    period_start = models.DateField("期间开始")
    period_end = models.DateField("期间结束")
    # None: the district's report; a street: that street's.
    street = models.ForeignKey(Street, verbose_name="街道", null=True, blank=True, on_delete=models.PROTECT)
    scope_name = models.CharField("范围名称", max_length=100)
    figures = models.JSONField("报告数据")
    pdf = models.FileField("PDF", upload_to="reports/%Y/%m/", max_length=200)
    pdf_sha256 = models.CharField("PDF SHA-256", max_length=64)
    xlsx = models.FileField("XLSX", upload_to="reports/%Y/%m/", max_length=200)
    xlsx_sha256 = models.CharField("XLSX SHA-256", max_length=64)
    generated_at = models.DateTimeField("生成时间", db_index=True)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="生成人", null=True, blank=True, on_delete=models.PROTECT
    )
    by_schedule = models.BooleanField("定时生成", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "分析报告"
        ordering = ["-period_start", "period", "street__code", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "period", "period_start"],
                condition=Q(street__isnull=True),
                name="analytics_report_district_unique",
            ),
            models.UniqueConstraint(
                fields=["district", "period", "period_start", "street"],
                condition=Q(street__isnull=False),
                name="analytics_report_street_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope_name}{self.get_period_display()}（{self.period_start}至{self.period_end}）"
