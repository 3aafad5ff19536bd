"""Kept reports (分析报告, issue 17 part 3): one weekly or monthly report per period and scope (the district,
or one street), its PDF and XLSX with their SHA-256, the figures it was written from, when and by whom (a
user on demand, or the schedule), and its state — a report asked for on the page or the API is a row 排队中
until the task worker makes it (生成中, then 已完成, or 失败 with the reason). Written only by
``zhifa.analytics.reports`` (``report_request``, ``report_make``, ``report_generate``; audited)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from zhifa.org.models import District, Street


class ReportPeriod(models.TextChoices):
    WEEKLY = "weekly", "周报"
    MONTHLY = "monthly", "月报"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class AnalyticsReport(models.Model):
    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    period = models.CharField("报告周期", max_length=10, choices=ReportPeriod.choices)
    period_start = models.DateField("期间开始")
    period_end = models.DateField("期间结束")
    # None: the district's report; a street: that street's.
    street = models.ForeignKey(Street, verbose_name="街道", null=True, blank=True, on_delete=models.PROTECT)
    scope_name = models.CharField("范围名称", max_length=100)
    # Empty ({} and no files) until the report is first made; a report asked for again keeps its last made
    # figures and files (still downloadable) until the worker replaces them.
    figures = models.JSONField("报告数据", default=dict, blank=True)
    pdf = models.FileField("PDF", upload_to="reports/%Y/%m/", max_length=200, blank=True)
    pdf_sha256 = models.CharField("PDF SHA-256", max_length=64, blank=True)
    xlsx = models.FileField("XLSX", upload_to="reports/%Y/%m/", max_length=200, blank=True)
    xlsx_sha256 = models.CharField("XLSX SHA-256", max_length=64, blank=True)
    generated_at = models.DateTimeField("生成时间", null=True, blank=True, db_index=True)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="生成人", null=True, blank=True, on_delete=models.PROTECT
    )
    by_schedule = models.BooleanField("定时生成", default=False)
    # The last ask made on the page or the API (the schedule makes its reports at once, never queued).
    status = models.CharField("状态", max_length=10, choices=ReportStatus.choices, default=ReportStatus.DONE)
    failure_reason = models.CharField("失败原因", max_length=200, blank=True)
    requested_at = models.DateTimeField("申请时间", null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申请人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

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

    @property
    def is_pending(self) -> bool:
        return self.status in (ReportStatus.QUEUED, ReportStatus.RUNNING)

    @property
    def has_files(self) -> bool:
        """Made at least once: its PDF and XLSX can be downloaded (a report asked for again keeps them)."""
        return bool(self.pdf_sha256 and self.xlsx_sha256)


class RollupCounts(models.Model):
    """The counts of one figure's key in one cell of the rollup (a day or a month × zone × department): shared by
    ``AnalyticsDaily`` and ``AnalyticsMonthly``."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.CASCADE, db_index=False)
    street = models.ForeignKey(Street, verbose_name="街道", on_delete=models.CASCADE, related_name="+")
    zone = models.ForeignKey("org.Zone", verbose_name="片区", on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(
        "org.Department", verbose_name="责任部门", null=True, on_delete=models.CASCADE, related_name="+"
    )
    # all (the day's events, clocks, escalated), source, kind, hour, grid, escalation (clock:level),
    # coordination (department id), assigned / handled (officer id); the month's also weekhour ("<1–7>-<hour>").
    dim = models.CharField("维度", max_length=12)
    key = models.CharField("取值", max_length=24, blank=True)
    n = models.PositiveIntegerField("数量", default=0)
    escalated = models.PositiveIntegerField("升级事件数", default=0)
    acknowledge_met = models.PositiveIntegerField(default=0)
    acknowledge_late = models.PositiveIntegerField(default=0)
    acknowledge_open = models.PositiveIntegerField(default=0)
    arrive_met = models.PositiveIntegerField(default=0)
    arrive_late = models.PositiveIntegerField(default=0)
    arrive_open = models.PositiveIntegerField(default=0)
    handle_met = models.PositiveIntegerField(default=0)
    handle_late = models.PositiveIntegerField(default=0)
    handle_open = models.PositiveIntegerField(default=0)
    # Coordination tasks: feedback in time, late, none yet (overdue or open depending on ``now``).
    coordination_met = models.PositiveIntegerField(default=0)
    coordination_late = models.PositiveIntegerField(default=0)
    coordination_open = models.PositiveIntegerField(default=0)
    # The latest due time of a clock or task not yet done: once past, every open one is missed.
    open_due_last = models.DateTimeField("未完成最晚时限", null=True)

    class Meta:
        abstract = True


# The columns summed when cells are added up (a month from its days, a period from its days and months).
COUNT_COLUMNS = [f.name for f in RollupCounts._meta.fields if isinstance(f, models.PositiveIntegerField)]


class AnalyticsDaily(RollupCounts):
    """The leaders' view pre-aggregated (issue 17's 5-million-event proof, ADR 0016): for one local day, one
    street's zone and one responsible department, the count of one figure's key (``dim`` / ``key``). Written
    only by ``zhifa.analytics.rollup.refresh``, read by ``selectors.overview`` for whole days already
    refreshed whose clocks are settled; every other day is counted from the events."""

    day = models.DateField("日期")

    class Meta:
        verbose_name = verbose_name_plural = "分析日汇总"
        indexes = [models.Index(fields=["district", "dim", "day"], name="analytics_daily_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.dim}:{self.key} {self.n}"


class AnalyticsMonthly(RollupCounts):
    """A calendar month of ``AnalyticsDaily`` added up (ADR 0016): the same cells without the day, plus the
    hour of week (``weekhour``) the hotspots read. Rewritten from the month's day rows in the same transaction
    as any of its days, so it is always their sum; read for a month of the period whose every day is read
    from the rollup."""

    month = models.DateField("月份（首日）")

    class Meta:
        verbose_name = verbose_name_plural = "分析月汇总"
        indexes = [models.Index(fields=["district", "dim", "month"], name="analytics_monthly_idx")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.dim}:{self.key} {self.n}"


class AnalyticsRollupDay(models.Model):
    """A day of a district whose ``AnalyticsDaily`` rows are written, and when."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.CASCADE, db_index=False)
    day = models.DateField("日期")
    computed_at = models.DateTimeField("汇总时间")
    # The latest due time of the day's open clocks and tasks (None: none open): before it, the day is read raw.
    open_due_last = models.DateTimeField("未完成最晚时限", null=True)

    class Meta:
        verbose_name = verbose_name_plural = "分析日汇总状态"
        constraints = [models.UniqueConstraint(fields=["district", "day"], name="analytics_rollup_day_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.computed_at:%Y-%m-%d %H:%M}"


class RepeatMark(models.Model):
    """One event's place in repeat detection (重复发生, ADR 0016), kept by the rollup job
    (``zhifa.analytics.repeat_marks``) so that a period's repeat figures read marks instead of re-detecting:
    every event of the district with a complaint kind and not merged has one. ``repeat_of`` is the earlier
    report it repeats (the latest of the same kind in the same grid within 30 days, else the latest within the
    radius), ``place`` the id of its place's first event (its own id when it repeats nothing). Derived data:
    rebuilt at will from the events (``manage.py analytics_rollup --mark-repeats``)."""

    # No database constraints on the foreign keys (derived rows written by the million on a backfill, each
    # constraint checked per row at commit; the job keeps them): deleting an event, a grid, a kind… still
    # deletes its marks (Django's cascade).
    event = models.OneToOneField(
        "events.Event",
        verbose_name="事件",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )
    district = models.ForeignKey(
        District, verbose_name="区", on_delete=models.CASCADE, db_index=False, db_constraint=False
    )
    # The event's own fields, copied so that a scope and a place are read from here alone.
    street = models.ForeignKey(
        Street, verbose_name="街道", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    zone = models.ForeignKey(
        "org.Zone", verbose_name="片区", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name="责任部门",
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    grid = models.ForeignKey(
        "org.Grid", verbose_name="网格", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    kind = models.ForeignKey(
        "catalog.ComplaintKind",
        verbose_name="诉求类型",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    lon = models.FloatField("经度")
    lat = models.FloatField("纬度")
    reported_at = models.DateTimeField("上报时间")
    is_repeat = models.BooleanField("重复发生", default=False)
    # Event ids, not foreign keys: derived links, rewritten in bulk.
    repeat_of = models.BigIntegerField("重复的前次事件", null=True)
    place = models.BigIntegerField("点位（首次事件）")

    class Meta:
        verbose_name = verbose_name_plural = "重复发生标记"
        indexes = [
            models.Index(
                fields=["district", "reported_at"], condition=Q(is_repeat=True), name="analytics_rmark_repeat_idx"
            ),
            models.Index(
                fields=["street", "reported_at"], condition=Q(is_repeat=True), name="analytics_rmark_street_idx"
            ),
            models.Index(fields=["zone", "reported_at"], condition=Q(is_repeat=True), name="analytics_rmark_zone_idx"),
            models.Index(fields=["district", "kind", "reported_at"], name="analytics_rmark_kind_idx"),
            models.Index(fields=["place", "reported_at"], name="analytics_rmark_place_idx"),
            models.Index(fields=["repeat_of"], name="analytics_rmark_parent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.place}{' 重复' if self.is_repeat else ''}"


class RepeatPlaceMonth(models.Model):
    """A place's repeats in one local calendar month, by the repeats' street, zone and department: the
    ``RepeatMark`` rows with ``is_repeat`` counted by (month, place, street, zone, department), kept with the
    marks in the same transaction (``zhifa.analytics.repeat_marks``: ``rebuild`` counts the district again,
    a step the places it touched). A period's whole months read these counts, its ragged ends the marks
    (``selectors.repeat_counts``): a year's places ranked from ~12 rows a place instead of every repeat of the
    year (4.4 million marks at 5 million events, ADR 0016). Derived data: rebuilt with the marks."""

    district = models.ForeignKey(
        District, verbose_name="区", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    month = models.DateField("月份（当月1日）")
    place = models.BigIntegerField("点位（首次事件）")
    street = models.ForeignKey(
        Street, verbose_name="街道", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    zone = models.ForeignKey(
        "org.Zone", verbose_name="片区", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name="责任部门",
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    repeats = models.PositiveIntegerField("重复发生次数")

    class Meta:
        verbose_name = verbose_name_plural = "点位月度重复发生数"
        indexes = [
            models.Index(fields=["district", "month"], name="analytics_rpm_month_idx"),
            models.Index(fields=["place"], name="analytics_rpm_place_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.place} {self.month:%Y-%m} {self.repeats}"


class RepeatMarkState(models.Model):
    """How far a district's ``RepeatMark`` rows are kept: every event saved before ``marked_at`` is marked
    (the job's next step re-marks what was saved since)."""

    district = models.OneToOneField(District, verbose_name="区", on_delete=models.CASCADE, related_name="+")
    marked_at = models.DateTimeField("标记时间")

    class Meta:
        verbose_name = verbose_name_plural = "重复发生标记状态"

    def __str__(self) -> str:
        return f"{self.district_id} {self.marked_at:%Y-%m-%d %H:%M}"
