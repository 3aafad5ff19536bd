"""Events (事件) from every channel, their assignments, clocks, escalations, photos and coordination.

Every deadline is a stored, indexed ``*_due_at`` computed when its clock starts (DESIGN.md invariants);
the worker scans for overdue rows. State changes go through ``zhifa.events.services`` only.
"""

import secrets

from django.conf import settings
from django.db import models

from zhifa.catalog.models import ComplaintKind, HandlingResultType, Matter
from zhifa.core.models import BaseModel
from zhifa.events.states import (
    CallbackResult,
    ClassifiedBy,
    Clock,
    EscalationLevel,
    EscalationOutcome,
    EventPriority,
    EventRoute,
    EventSource,
    EventStatus,
    TimeBase,
)
from zhifa.org.models import Department, District, Grid, Officer, Street, Zone


class Event(BaseModel):
    # Indexes are what every intake pays for (ADR 0005): the district is the first column of the composite
    # indexes below, so it has none of its own; source and status are only ever read with the district.
    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT, db_index=False)
    public_no = models.CharField("事件编号", max_length=24, help_text="对外编号，亦为 Open311 service_request_id")
    source = models.CharField("来源", max_length=12, choices=EventSource.choices)
    source_ref = models.CharField("来源标识", max_length=100, blank=True, help_text="设备编号、热线工单号等")
    idempotency_key = models.CharField("幂等键", max_length=100, blank=True)
    # A key is the caller's own (issue 9): two callers who happen to choose the same key get an event each,
    # and neither is answered with the other's. The fingerprint (SHA-256 of the request's content) tells a
    # retry from a different report sent under a key already used (refused, ``idempotency_key_reused``).
    idempotency_caller = models.CharField(
        "幂等键调用方", max_length=160, blank=True, help_text="user:<账号id>，或 system:<系统调用方名称>"
    )
    idempotency_fingerprint = models.CharField("请求指纹(SHA-256)", max_length=64, blank=True)
    status = models.CharField("状态", max_length=14, choices=EventStatus.choices, default=EventStatus.REPORTED)
    priority = models.CharField("优先级", max_length=8, choices=EventPriority.choices, default=EventPriority.NORMAL)
    description = models.TextField("事件描述")
    address = models.CharField("地址", max_length=200, blank=True)
    lon = models.FloatField("经度(WGS-84)")
    lat = models.FloatField("纬度(WGS-84)")
    street = models.ForeignKey(Street, verbose_name="街道", on_delete=models.PROTECT)
    zone = models.ForeignKey(Zone, verbose_name="片区", on_delete=models.PROTECT)
    grid = models.ForeignKey(Grid, verbose_name="网格", on_delete=models.PROTECT)
    # Classification and routing (研判)
    matter = models.ForeignKey(Matter, verbose_name="执法事项", null=True, blank=True, on_delete=models.PROTECT)
    department = models.ForeignKey(
        Department, verbose_name="责任部门", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    classified_by = models.CharField("分类方式", max_length=10, choices=ClassifiedBy.choices, blank=True)
    classification_score = models.FloatField("分类置信度", null=True, blank=True)
    route = models.CharField("流向", max_length=14, choices=EventRoute.choices, blank=True)
    # The triage model's reading (zhifa/events/triage_model.py): the complaint kind, its calibrated confidence,
    # the top candidates [[kind code, probability], …] shown to the dispatcher, and the phrase that made the
    # text urgent.
    kind = models.ForeignKey(
        ComplaintKind, verbose_name="诉求类型", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind_confidence = models.FloatField("类型置信度", null=True, blank=True)
    triage_candidates = models.JSONField("候选类型", default=list, blank=True)
    urgent_phrase = models.CharField("紧急依据", max_length=100, blank=True, default="")
    merged_into = models.ForeignKey(
        "self", verbose_name="合并至", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    # Reporter (masked in every list view)
    reporter_name = models.CharField("报告人", max_length=50, blank=True)
    reporter_phone = models.CharField("报告人电话", max_length=20, blank=True)
    reporter_email = models.CharField("报告人邮箱", max_length=100, blank=True)
    reporter_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上报账号",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A 12345 ticket (热线工单): its number and when the caller called, to answer the platform and the caller
    # (the call may come well before the operator files it); empty for every other channel.
    hotline_ticket_no = models.CharField("12345工单号", max_length=32, blank=True, default="")
    called_at = models.DateTimeField("来电时间", null=True, blank=True)
    # The answer to the 12345 platform, drafted from the outcome at closing (or from the reason when the
    # ticket is sent back), edited by the dispatcher and kept as sent.
    hotline_reply = models.TextField("12345回复", blank=True, default="")
    # AI camera / drone alerts: evidence only from a reviewed, published device (APL 41)
    alert_type = models.CharField("告警类型", max_length=50, blank=True)
    alert_confidence = models.FloatField("告警置信度", null=True, blank=True)
    is_evidence_eligible = models.BooleanField("可作为证据", default=True)
    raw_payload = models.JSONField("原始报文", default=dict, blank=True)
    # The HTTP request as it arrived (zhifa.core.request_body): for audit and replay; not part of the
    # idempotency fingerprint, which compares content, not transport.
    request_body = models.TextField("原始请求", blank=True, default="")
    request_content_type = models.CharField("原始请求类型", max_length=100, blank=True, default="")
    attributes = models.JSONField("附加属性", default=dict, blank=True)
    outcome = models.TextField("处置结果", blank=True)
    # Timeline
    reported_at = models.DateTimeField("上报时间", db_index=True)
    triaged_at = models.DateTimeField("研判时间", null=True, blank=True)
    dispatched_at = models.DateTimeField("派遣时间", null=True, blank=True)
    acknowledged_at = models.DateTimeField("响应时间", null=True, blank=True)
    arrived_at = models.DateTimeField("到场时间", null=True, blank=True)
    handled_at = models.DateTimeField("处置时间", null=True, blank=True)
    closed_at = models.DateTimeField("结案时间", null=True, blank=True)
    # "1530" clocks: stored when the clock starts; the worker scans them
    time_base = models.CharField("计时方式", max_length=20, choices=TimeBase.choices, blank=True)
    acknowledge_due_at = models.DateTimeField("响应时限", null=True, blank=True, db_index=True)
    arrive_due_at = models.DateTimeField("到场时限", null=True, blank=True, db_index=True)
    handle_due_at = models.DateTimeField("处置时限", null=True, blank=True, db_index=True)
    escalation_level = models.PositiveSmallIntegerField("升级级别", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "事件"
        ordering = ["-reported_at", "-id"]
        constraints = [
            # A constraint rather than unique=True: PostgreSQL then builds no second (LIKE) index beside it.
            models.UniqueConstraint(fields=["public_no"], name="event_public_no_unique"),
            models.UniqueConstraint(
                fields=["district", "source", "idempotency_caller", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="event_idempotency_per_caller_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["district", "status", "street"], name="event_scope_idx"),
            # Dedup: the matter's events in a narrow band of longitude, the rest checked on the index alone.
            # Longitude before time: at a few hundred reports an hour per matter, the 200 m band holds a
            # few of them where the two-hour window holds all (ADR 0005).
            models.Index(
                fields=["district", "matter", "lon", "lat", "status", "reported_at", "merged_into"],
                name="event_dedup_idx",
            ),
            # The analytics job's step: the events saved since its previous step (repeat marks, the rollup's
            # changed days) — without it a parallel scan of every event of the district each step (2.4 s at
            # 5 million events, ADR 0016).
            models.Index(fields=["district", "updated_at"], name="event_updated_idx"),
        ]

    def __str__(self) -> str:
        return self.public_no


class EventTransition(models.Model):
    """Append-only row per state change of an event (``EVENT_WORKFLOW``)."""

    event = models.ForeignKey(Event, verbose_name="事件", on_delete=models.PROTECT, related_name="transitions")
    action = models.CharField("动作", max_length=14)
    from_status = models.CharField("原状态", max_length=14, choices=EventStatus.choices)
    to_status = models.CharField("新状态", max_length=14, choices=EventStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.PROTECT)
    actor_label = models.CharField("操作人名称", max_length=150, blank=True)
    reason = models.TextField("理由", blank=True)
    created_at = models.DateTimeField("时间", db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "事件流转"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.event} {self.from_status}→{self.to_status}"


class EventAssignment(models.Model):
    """An officer assigned to an event; ``released_at`` set when re-dispatched, returned or finished.

    ``acknowledged_at`` / ``arrived_at``: this officer's own acknowledgement and arrival. The event's
    fields of the same names (and its clocks) take the first officer's step; on a two-officer event the
    colleague's later step is kept here only (``event_acknowledge``, ``event_arrive``)."""

    event = models.ForeignKey(Event, verbose_name="事件", on_delete=models.PROTECT, related_name="assignments")
    officer = models.ForeignKey(Officer, verbose_name="执法人员", on_delete=models.PROTECT, related_name="assignments")
    is_lead = models.BooleanField("主办", default=True)
    assigned_at = models.DateTimeField("派遣时间")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="派遣人", null=True, on_delete=models.PROTECT
    )
    was_recommended = models.BooleanField("采纳推荐", default=False)
    released_at = models.DateTimeField("解除时间", null=True, blank=True)
    acknowledged_at = models.DateTimeField("响应时间", null=True, blank=True)
    arrived_at = models.DateTimeField("到场时间", null=True, blank=True)
    # When the task reached an open phone page of this officer (the live task list, zhifa/web/phone.py), and
    # when that page was first in front of them (visible with the task on it): the time between dispatch
    # and the acknowledge clock is then seen, not guessed (issue 16). Set once, by the page's receipt.
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    seen_at = models.DateTimeField("查看时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "事件派遣"
        indexes = [models.Index(fields=["officer", "released_at"], name="assignment_active_idx")]

    def __str__(self) -> str:
        return f"{self.event} → {self.officer}"


class SlaPolicy(BaseModel):
    """Clock lengths per matter and priority (defaults "1530": 1 / 5 / 30 minutes, around the clock).

    The most specific row wins: (matter, priority) → (matter, any) → (no matter, priority) → district default.
    Lengths are in minutes for around-the-clock and working-hours bases, in working days for working-days.
    """

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    matter = models.ForeignKey(Matter, verbose_name="执法事项", null=True, blank=True, on_delete=models.CASCADE)
    priority = models.CharField("优先级", max_length=8, choices=EventPriority.choices, blank=True)
    time_base = models.CharField("计时方式", max_length=20, choices=TimeBase.choices, default=TimeBase.AROUND_THE_CLOCK)
    acknowledge_limit = models.PositiveIntegerField("响应时限", default=1)
    arrive_limit = models.PositiveIntegerField("到场时限", default=5)
    handle_limit = models.PositiveIntegerField("处置时限", default=30)
    coordination_limit = models.PositiveIntegerField("协同办理时限", default=3, help_text="工作日")

    class Meta:
        verbose_name = verbose_name_plural = "时限规则"
        constraints = [
            models.UniqueConstraint(
                fields=["district", "matter", "priority"],
                condition=models.Q(matter__isnull=False),
                name="sla_matter_unique",
            ),
            models.UniqueConstraint(
                fields=["district", "priority"], condition=models.Q(matter__isnull=True), name="sla_default_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.matter or '默认'} {self.priority or '全部'} {self.acknowledge_limit}/{self.arrive_limit}/{self.handle_limit}"


class EventEscalation(models.Model):
    """One escalation step of an overdue clock, recorded once per run of the clock (event, clock, due time)
    and level: a re-dispatch restarts the clocks, and the new crew's clocks escalate again from level 1."""

    event = models.ForeignKey(Event, verbose_name="事件", on_delete=models.PROTECT, related_name="escalations")
    clock = models.CharField("时限", max_length=14, choices=Clock.choices)
    level = models.PositiveSmallIntegerField("级别", choices=EscalationLevel.choices)
    due_at = models.DateTimeField("原时限")
    escalated_at = models.DateTimeField("升级时间")
    # Empty only while the step's own transaction is still acting on it.
    outcome = models.CharField("结果", max_length=24, choices=EscalationOutcome.choices, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "超时升级"
        constraints = [
            models.UniqueConstraint(fields=["event", "clock", "due_at", "level"], name="escalation_once_per_run")
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.clock} L{self.level}"


class Notification(models.Model):
    """A message to a user (zone lead, command centre, reporter account) shown in the UI."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE)
    event = models.ForeignKey(Event, verbose_name="事件", null=True, blank=True, on_delete=models.CASCADE)
    message = models.CharField("内容", max_length=300)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "通知"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.message


class CoordinationTask(BaseModel):
    """协同联办: an event handed to a coordinating department, with its own deadline and written feedback."""

    event = models.ForeignKey(Event, verbose_name="事件", on_delete=models.PROTECT, related_name="coordination_tasks")
    department = models.ForeignKey(Department, verbose_name="协同部门", on_delete=models.PROTECT)
    due_at = models.DateTimeField("办理时限", db_index=True)
    instructions = models.TextField("转办说明")
    feedback = models.TextField("书面反馈", blank=True)
    feedback_at = models.DateTimeField("反馈时间", null=True, blank=True)
    feedback_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="反馈人", null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = verbose_name_plural = "协同联办"

    def __str__(self) -> str:
        return f"{self.event} → {self.department}"


class PhotoKind(models.TextChoices):
    REPORT = "report", "上报照片"
    ALERT = "alert", "告警抓拍"
    HANDLE = "handle", "处置照片"
    ARRIVAL = "arrival", "到场照片"


class EventPhoto(models.Model):
    """A photo: the original kept byte-for-byte with its SHA-256 (evidence), and a public copy without EXIF."""

    event = models.ForeignKey(Event, verbose_name="事件", on_delete=models.PROTECT, related_name="photos")
    kind = models.CharField("类别", max_length=10, choices=PhotoKind.choices)
    original = models.FileField("原图", upload_to="evidence/%Y/%m/")
    public_copy = models.FileField("公开图", upload_to="public/%Y/%m/")
    sha256 = models.CharField("原图SHA-256", max_length=64, db_index=True)
    content_type = models.CharField("类型", max_length=30)
    size = models.PositiveIntegerField("字节数")
    width = models.PositiveIntegerField("宽")
    height = models.PositiveIntegerField("高")
    exif_lon = models.FloatField("EXIF经度", null=True, blank=True)
    exif_lat = models.FloatField("EXIF纬度", null=True, blank=True)
    exif_taken_at = models.DateTimeField("EXIF拍摄时间", null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, blank=True, on_delete=models.PROTECT
    )
    # The round of handling a 处置照片 was sent with (``EventHandlingRound``); empty for every other photo.
    handling_round = models.ForeignKey(
        "EventHandlingRound",
        verbose_name="处置轮次",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="photos",
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    # The public (Open311) address of the public copy is keyed by this, not by the sequential id, so that
    # nobody can walk through every photo by counting; 32 random bytes, URL-safe.
    public_token = models.CharField(
        "公开链接令牌", max_length=64, unique=True, default=secrets.token_urlsafe, editable=False
    )

    class Meta:
        verbose_name = verbose_name_plural = "事件照片"

    def __str__(self) -> str:
        return f"{self.event} {self.sha256[:8]}"


class OfficerPosition(models.Model):
    """Where an officer's phone was; kept (throttled on write) for dispatch and the map."""

    officer = models.ForeignKey(Officer, verbose_name="执法人员", on_delete=models.CASCADE, related_name="positions")
    lon = models.FloatField("经度(WGS-84)")
    lat = models.FloatField("纬度(WGS-84)")
    accuracy_m = models.FloatField("精度(米)", null=True, blank=True)
    recorded_at = models.DateTimeField("时间")

    class Meta:
        verbose_name = verbose_name_plural = "人员位置"
        indexes = [models.Index(fields=["officer", "-recorded_at"], name="position_latest_idx")]

    def __str__(self) -> str:
        return f"{self.officer} {self.recorded_at}"


class ClassificationFeedback(models.Model):
    """An operator's override of the automatic classification: kept as training signal."""

    event = models.ForeignKey(
        Event, verbose_name="事件", on_delete=models.CASCADE, related_name="classification_feedback"
    )
    text = models.TextField("文本")
    predicted_matter = models.ForeignKey(
        Matter, verbose_name="自动分类", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    chosen_matter = models.ForeignKey(Matter, verbose_name="人工分类", on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "分类纠正"

    def __str__(self) -> str:
        return f"{self.event} → {self.chosen_matter}"


class TriageCorrection(models.Model):
    """A dispatcher's correction of the triage (kind, department or urgency): a labelled example for
    ``manage.py retrain_triage``, with who made it and when. Never edited."""

    event = models.ForeignKey(Event, verbose_name="事件", on_delete=models.CASCADE, related_name="triage_corrections")
    text = models.TextField("文本")
    predicted_kind = models.ForeignKey(
        ComplaintKind, verbose_name="原类型", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    chosen_kind = models.ForeignKey(ComplaintKind, verbose_name="纠正为", on_delete=models.PROTECT, related_name="+")
    predicted_department = models.ForeignKey(
        Department, verbose_name="原部门", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    chosen_department = models.ForeignKey(
        Department, verbose_name="纠正部门", on_delete=models.PROTECT, related_name="+"
    )
    predicted_urgent = models.BooleanField("原为紧急")
    chosen_urgent = models.BooleanField("纠正为紧急")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="纠正人", null=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "研判纠正"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.event} → {self.chosen_kind}"


class EventDayCounter(models.Model):
    """The last event number handed out on one local day (事件编号的当日流水号).

    Incremented with one UPDATE inside the intake's transaction, so concurrent intakes queue on this row
    instead of racing for ``max + 1`` and retrying; a rolled-back intake rolls its number back too.
    """

    day = models.DateField("日期", unique=True)
    last = models.PositiveIntegerField("最后流水号", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "事件编号流水"

    def __str__(self) -> str:
        return f"{self.day} #{self.last}"


class EventHandlingRound(models.Model):
    """One round of handling (处置轮次): what the officers reported and how its clocks went, kept when a
    核查不通过 (redo) sends the event back to the field — the event's own ``outcome`` and clock fields then
    start over for the next round, and without this row the first report and its clocks would be lost.

    Written by ``event_handle`` in the transaction of the HANDLE transition (with the clocks' due and met
    times as they stood); ``redo_reason`` / ``redone_at`` by ``event_redo`` in the REDO's transaction.
    ``officers``: everyone assigned in the round (the 已办 list of each of them)."""

    event = models.ForeignKey(Event, verbose_name="事件", on_delete=models.PROTECT, related_name="handling_rounds")
    number = models.PositiveSmallIntegerField("轮次")
    officers = models.ManyToManyField(Officer, verbose_name="处置人员", related_name="handling_rounds")
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="反馈人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_by_label = models.CharField("反馈人名称", max_length=150, blank=True)
    outcome = models.TextField("处置情况")
    result_type = models.ForeignKey(
        HandlingResultType, verbose_name="处置结果类型", null=True, blank=True, on_delete=models.PROTECT
    )
    # The name as chosen: a type renamed later does not rewrite what the officer reported.
    result_type_name = models.CharField("处置结果", max_length=30, blank=True)
    handled_at = models.DateTimeField("处置时间")
    # The round's clocks as they ran (the event's fields of the same names restart with a redo).
    dispatched_at = models.DateTimeField("派遣时间", null=True, blank=True)
    acknowledged_at = models.DateTimeField("响应时间", null=True, blank=True)
    arrived_at = models.DateTimeField("到场时间", null=True, blank=True)
    acknowledge_due_at = models.DateTimeField("响应时限", null=True, blank=True)
    arrive_due_at = models.DateTimeField("到场时限", null=True, blank=True)
    handle_due_at = models.DateTimeField("处置时限", null=True, blank=True)
    redo_reason = models.TextField("核查不通过理由", blank=True)
    redone_at = models.DateTimeField("核查不通过时间", null=True, blank=True)
    redone_by_label = models.CharField("核查人", max_length=150, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "处置轮次"
        ordering = ["event", "number"]
        constraints = [models.UniqueConstraint(fields=["event", "number"], name="handling_round_number_unique")]

    def __str__(self) -> str:
        return f"{self.event} 第{self.number}轮"


class EventCallback(models.Model):
    """回访记录: the call back to the caller when the event was closed, with its result — the caller's
    satisfaction (满意度) when they were reached (``SATISFACTION_RESULTS``). Append-only: a second call is a
    second row."""

    event = models.ForeignKey(Event, verbose_name="事件", on_delete=models.PROTECT, related_name="callbacks")
    result = models.CharField("回访结果", max_length=24, choices=CallbackResult.choices)
    note = models.CharField("回访说明", max_length=300, blank=True)
    called_back_at = models.DateTimeField("回访时间")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="回访人", null=True, on_delete=models.PROTECT)
    actor_label = models.CharField("回访人名称", max_length=150, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "回访记录"
        ordering = ["called_back_at", "id"]

    def __str__(self) -> str:
        return f"{self.event} {self.result}"


class ArrivalException(models.Model):
    """超距到场: an arrival farther from the event than ``ZHIFA_ARRIVE_MAX_DISTANCE_M``, accepted because the
    officer gave a reason (the pin is wrong, the site is inside a compound the phone cannot see into) and a
    photo of the site. The arrival counts; the row flags it for the dispatcher, who sees it on the event page
    and the command centre until someone corrects the location or looks into it."""

    event = models.ForeignKey(Event, verbose_name="事件", on_delete=models.PROTECT, related_name="arrival_exceptions")
    assignment = models.ForeignKey(EventAssignment, verbose_name="派遣", on_delete=models.PROTECT)
    officer = models.ForeignKey(Officer, verbose_name="执法人员", on_delete=models.PROTECT)
    distance_m = models.PositiveIntegerField("距事件位置(米)")
    max_m = models.PositiveIntegerField("签到半径(米)")
    reason = models.CharField("超距原因", max_length=200)
    lon = models.FloatField("签到经度(WGS-84)")
    lat = models.FloatField("签到纬度(WGS-84)")
    photo = models.ForeignKey(EventPhoto, verbose_name="现场照片", on_delete=models.PROTECT)
    arrived_at = models.DateTimeField("到场时间")

    class Meta:
        verbose_name = verbose_name_plural = "超距到场"
        ordering = ["arrived_at", "id"]

    def __str__(self) -> str:
        return f"{self.event} 超距{self.distance_m}米"


class EventRelocation(models.Model):
    """更正位置: one correction of an event's place, with the reason (the caller named the wrong road, the
    officer on site found it elsewhere). The event keeps only its current place; this row keeps the one before."""

    event = models.ForeignKey(Event, verbose_name="事件", on_delete=models.PROTECT, related_name="relocations")
    from_lon = models.FloatField("原经度")
    from_lat = models.FloatField("原纬度")
    from_address = models.CharField("原地址", max_length=200, blank=True)
    from_street = models.ForeignKey(Street, verbose_name="原街道", on_delete=models.PROTECT, related_name="+")
    to_lon = models.FloatField("新经度")
    to_lat = models.FloatField("新纬度")
    to_address = models.CharField("新地址", max_length=200, blank=True)
    to_street = models.ForeignKey(Street, verbose_name="新街道", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("更正原因", max_length=200)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="更正人", null=True, on_delete=models.PROTECT)
    actor_label = models.CharField("更正人名称", max_length=150, blank=True)
    relocated_at = models.DateTimeField("更正时间")

    class Meta:
        verbose_name = verbose_name_plural = "位置更正"
        ordering = ["relocated_at", "id"]

    def __str__(self) -> str:
        return f"{self.event} 更正位置"


class StandbyPlan(models.Model):
    """预判布防方案: the standby posts computed for one shift of a street (or the district) by
    ``zhifa.analytics.deployment`` from the expected demand, stored here so that the recommender (which may not
    import analytics) and the officers' phones can read them. Never edited: recomputing the same shift stores a
    new plan and marks the previous one ``superseded_at``."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    street = models.ForeignKey(
        Street, verbose_name="街道", null=True, blank=True, on_delete=models.PROTECT, help_text="空：全区"
    )
    starts_at = models.DateTimeField("班次开始")
    ends_at = models.DateTimeField("班次结束")
    reach_s = models.PositiveIntegerField("覆盖时限(秒)")
    expected_events = models.FloatField("预期事件数")
    covered_events = models.FloatField("时限内可达的预期事件数")
    # 人力测算 (``zhifa.analytics.deployment.Staffing.as_json``): officers needed for the target share, at the
    # busiest hour and on the shift's average; empty for plans stored before it was computed.
    staffing = models.JSONField("人力测算", default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="生成人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("生成时间")
    superseded_at = models.DateTimeField("被替换时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "预判布防方案"
        indexes = [models.Index(fields=["district", "starts_at", "ends_at"], name="standby_plan_window_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="standby_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.street or self.district} {self.starts_at:%m-%d %H:%M}–{self.ends_at:%H:%M}"


class StandbyPost(models.Model):
    """建议点位: where one officer of a plan should stand by (a grid's point) during its shift."""

    plan = models.ForeignKey(StandbyPlan, verbose_name="方案", on_delete=models.PROTECT, related_name="posts")
    officer = models.ForeignKey(Officer, verbose_name="执法人员", on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey(Grid, verbose_name="网格", on_delete=models.PROTECT, related_name="+")
    lon = models.FloatField("经度(WGS-84)")
    lat = models.FloatField("纬度(WGS-84)")

    class Meta:
        verbose_name = verbose_name_plural = "建议点位"
        constraints = [models.UniqueConstraint(fields=["plan", "officer"], name="standby_post_one_per_officer")]
        indexes = [models.Index(fields=["officer", "plan"], name="standby_post_officer_idx")]

    def __str__(self) -> str:
        return f"{self.officer} @ {self.grid}"
