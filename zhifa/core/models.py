"""Core models: the base every domain model extends, the audit chain, the calendar overrides.

Ids: bigint auto-increment primary keys (docs/adr/0002-ids.md). Records that leave the system (Open311
requests, documents) get their own public number; the primary key is never the only handle a citizen sees.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class BaseModel(models.Model):
    created_at = models.DateTimeField("创建时间", auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """One append-only line of the whole-process record (全过程记录, APL 47, ZJR 34).

    ``entry_hash`` = HMAC-SHA256, under the audit key named by ``key_id``, over ``prev_hash`` and this
    entry's canonical content, so that changing or removing any entry breaks every hash after it and
    nobody without the key (which is never in the database) can compute a new chain; ``manage.py
    audit_verify`` finds the first break. Entries written before the key existed have an empty ``key_id``
    and a plain SHA-256; they can only come before the first keyed entry (``zhifa.core.audit``).
    Database triggers (migrations 0002, 0008) refuse UPDATE and DELETE on this table.
    """

    seq = models.BigIntegerField("序号", unique=True)
    district_id = models.BigIntegerField("区", null=True, blank=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.PROTECT
    )
    actor_label = models.CharField("操作人名称", max_length=150, blank=True)
    action = models.CharField("动作", max_length=80)
    object_type = models.CharField("对象类型", max_length=80)
    object_id = models.CharField("对象编号", max_length=64)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    reason = models.TextField("理由", blank=True)
    request_id = models.CharField("请求编号", max_length=64, blank=True)
    client = models.CharField("来源端", max_length=16)
    recorded_at = models.DateTimeField("记录时间")
    prev_hash = models.CharField("上一条哈希", max_length=64)
    entry_hash = models.CharField("本条哈希", max_length=64)
    key_id = models.CharField("密钥编号", max_length=16, blank=True, default="")

    class Meta:
        ordering = ["seq"]
        verbose_name = verbose_name_plural = "审计记录"
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]
        # Every intake appends two entries, and each index is written with them (ADR 0005). ``seq`` is
        # unique and orders the chain; the hash needs no index of its own (a random key: each entry would
        # land on another page of it) — ``audit_verify`` recomputes and compares every hash in seq order.
        # The action has no index either: nothing searches by it alone.

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class AuditHead(models.Model):
    """A single row holding the chain's tip; locked (SELECT … FOR UPDATE) by each append so that two
    concurrent writers cannot both chain onto the same previous entry."""

    singleton = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"audit head #{self.seq}"


class CalendarOverride(models.Model):
    """An administrator's correction to the holiday package for one date (e.g. a local notice, or a year
    the package does not know yet). Wins over the package."""

    day = models.DateField("日期", unique=True)
    is_working_day = models.BooleanField("是否工作日")
    note = models.CharField("说明", max_length=200)

    class Meta:
        ordering = ["day"]
        verbose_name = verbose_name_plural = "工作日调整"

    def __str__(self) -> str:
        return f"{self.day} {'工作日' if self.is_working_day else '休息日'}"


class HolidayYear(models.Model):
    """A year whose State Council holiday notice an administrator has entered as 工作日调整 rows, for a year the
    holiday package does not know yet (the notice comes out in the autumn; the package may lag into the new
    year). Registered, the year's days without a row follow Monday–Friday; unregistered, a period reaching into
    it is refused (``calendar_year_unknown``) or, for a due date stored now, counted provisionally."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    notice = models.CharField("依据通知", max_length=200, help_text="如：国务院办公厅关于2027年部分节假日安排的通知")
    entered_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        ordering = ["year"]
        verbose_name = verbose_name_plural = "年度节假日安排"

    def __str__(self) -> str:
        return f"{self.year}年节假日安排"

    def clean(self) -> None:
        super().clean()
        if self.year is None:
            return
        if not 2000 <= self.year <= 2100:
            raise ValidationError({"year": ValidationError("年度须在2000至2100之间", code="holiday_year_out_of_range")})
        # A notice always gives rest days that would be working days (元旦, 春节…): a year registered before
        # they are entered would count its holidays as working days.
        rest_weekdays = [
            day
            for day in CalendarOverride.objects.filter(day__year=self.year, is_working_day=False).values_list(
                "day", flat=True
            )
            if day.weekday() < 5
        ]
        if not rest_weekdays:
            raise ValidationError(
                f"请先在“工作日调整”中录入{self.year}年通知中的放假日期（及调休上班日），再登记该年度",
                code="holiday_year_no_rest_days",
            )


class ApiToken(models.Model):
    """A machine's bearer token. Only the SHA-256 of the key is stored; the key is shown once on creation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="账号", on_delete=models.CASCADE)
    name = models.CharField("用途", max_length=100)
    key_hash = models.CharField("密钥哈希", max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    is_active = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "接口令牌"

    def __str__(self) -> str:
        return self.name


class ProcessHeartbeat(models.Model):
    """The last successful loop of one kind of background process (clock watcher, task worker).

    In the database, not in a file or in memory, so that the web process on another machine can tell a
    watcher that stopped escalating from one that is merely quiet (DESIGN.md: nothing assumes one process).
    One row per kind: several processes of a kind overwrite it, and the kind is alive while any of them is.
    """

    kind = models.CharField("进程类型", max_length=32, unique=True)
    seen_at = models.DateTimeField("最近一次成功扫描")
    interval_s = models.FloatField("扫描间隔（秒）")
    pid = models.IntegerField("进程号")
    host = models.CharField("主机", max_length=255)

    class Meta:
        verbose_name = verbose_name_plural = "后台进程心跳"

    def __str__(self) -> str:
        return f"{self.kind} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"


class TaskLease(models.Model):
    """A task worker's claim on the background task it is running, renewed while the task runs.

    django-tasks-db marks a task "running" once, when a worker claims it; a task whose worker died stays so for
    ever, and the task worker makes such a task ready again. Judged from when the task started, a task that
    simply ran longer than ``ZHIFA_TASK_STALE_S`` (a district's year of reports at scale) was run a second time
    beside the first; judged from this row, which the running worker renews every ``ZHIFA_WORKER_HEARTBEAT_S``,
    only a task whose worker stopped renewing is (``zhifa.core.task_leases``). A row beside django-tasks-db's
    table, not a column in it: that table is the library's. Written only once a task has run one renewal
    interval, so that the many tasks of a few seconds cost no write; removed when the task ends.
    Operational bookkeeping of a process, like ``ProcessHeartbeat``: no audit entry.
    """

    task_result = models.OneToOneField(
        "django_tasks_database.DBTaskResult",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="lease",
        verbose_name="后台任务",
    )
    worker_id = models.CharField("任务进程标识", max_length=64)
    renewed_at = models.DateTimeField("最近一次续期")

    class Meta:
        verbose_name = verbose_name_plural = "后台任务租约"

    def __str__(self) -> str:
        return f"{self.task_result_id} @ {self.worker_id}"
