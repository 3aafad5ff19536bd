"""Inspections (issue 12, parts 1–2): versioned checklists and inspection plans drawn by 双随机一公开.

A checklist version (``ChecklistVersion``) and its items are written once and never changed: an inspection
keeps the version it used, so a later edit of the matter's checklist must not rewrite what an earlier
inspection checked against. A change is a new version (a new row set), numbered per matter and category.

A plan (``InspectionPlan``) is drawn once; the draw stores the public value, the seed and every input it read
(``draw_inputs``), so that anyone can re-run the published algorithm (docs/inspections.md) and get the same
subjects and inspectors (``manage.py inspection_draw_verify``).
"""

import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models

from zhifa.catalog.models import Matter, SubjectCategory
from zhifa.core.models import BaseModel
from zhifa.inspections.states import PlanKind, PlanStatus, RectificationStatus, VisitStatus
from zhifa.org.models import Department, District, Officer, Street
from zhifa.subjects.models import Subject


class ChecklistVersion(BaseModel):
    """One version of a matter's checklist (检查表版本). ``subject_category`` empty: for every category the matter
    applies to; set: a variant for that category (业态), preferred over the general one for its subjects."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    matter = models.ForeignKey(Matter, verbose_name="事项", on_delete=models.PROTECT, related_name="checklist_versions")
    subject_category = models.CharField(
        "适用业态", max_length=24, choices=SubjectCategory.choices, blank=True, help_text="留空为该事项所有业态"
    )
    number = models.PositiveIntegerField("版本号")
    note = models.CharField("修订说明", max_length=200, blank=True)
    created_by = models.CharField("制定人", max_length=150)

    class Meta:
        verbose_name = verbose_name_plural = "检查表版本"
        ordering = ["matter", "subject_category", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["matter", "subject_category", "number"], name="checklist_version_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.matter.code} v{self.number}"


class ChecklistVersionItem(BaseModel):
    """One item of a checklist version (检查项): what to check, on what legal basis, how, for how many points,
    what counts as a problem, and whether a photo must be taken."""

    version = models.ForeignKey(ChecklistVersion, verbose_name="版本", on_delete=models.PROTECT, related_name="items")
    position = models.PositiveSmallIntegerField("序号")
    text = models.CharField("检查内容", max_length=300)
    legal_basis = models.CharField("法律依据", max_length=300, blank=True)
    method = models.CharField("检查方法", max_length=300, blank=True)
    score = models.PositiveSmallIntegerField("分值", default=0)
    problem_criteria = models.CharField("问题判定标准", max_length=300, blank=True)
    requires_photo = models.BooleanField("须拍照", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "检查项"
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="checklist_version_item_position_unique")
        ]


class ConflictOfInterest(BaseModel):
    """利益冲突申报: an officer related to a subject (kin, former employer, shareholding). Such an officer is never
    drawn to inspect that subject (回避)."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    officer = models.ForeignKey(Officer, verbose_name="执法人员", on_delete=models.PROTECT, related_name="conflicts")
    subject = models.ForeignKey(Subject, verbose_name="执法对象", on_delete=models.PROTECT, related_name="conflicts")
    reason = models.CharField("关系说明", max_length=200)
    recorded_by = models.CharField("登记人", max_length=150)

    class Meta:
        verbose_name = verbose_name_plural = "利益冲突申报"
        constraints = [models.UniqueConstraint(fields=["officer", "subject"], name="conflict_officer_subject_unique")]


class InspectionPlan(BaseModel):
    """抽查计划: one department's random inspections for one period. ``grade_weights`` and ``colour_weights`` are
    the multipliers in force when the plan was made (copied from the settings' defaults, editable per plan), so
    that a later change of the defaults does not change how an old draw is re-run."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.PROTECT, related_name="inspection_plans"
    )
    name = models.CharField("计划名称", max_length=100)
    kind = models.CharField("计划类型", max_length=10, choices=PlanKind.choices, default=PlanKind.RANDOM)
    starts_on = models.DateField("起始日期")
    ends_on = models.DateField("截止日期")
    target_ratio = models.DecimalField("抽查比例", max_digits=5, decimal_places=4)
    grade_weights = models.JSONField("信用等级权重")
    colour_weights = models.JSONField("风险颜色权重")
    status = models.CharField("状态", max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="制定人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The draw (filled once, by plan_draw).
    public_value = models.CharField("公开随机值", max_length=100, blank=True)
    seed = models.CharField("随机种子", max_length=64, blank=True)
    algorithm = models.CharField("抽取算法", max_length=20, blank=True)
    draw_inputs = models.JSONField("抽取输入", null=True, blank=True)
    drawn_at = models.DateTimeField("抽取时间", null=True, blank=True)
    drawn_by = models.CharField("抽取人", max_length=150, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "抽查计划"
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="plan_period_ordered"),
            models.CheckConstraint(
                condition=models.Q(target_ratio__gt=Decimal("0")) & models.Q(target_ratio__lte=Decimal("1")),
                name="plan_ratio_in_range",
            ),
        ]
        indexes = [models.Index(fields=["district", "department", "status"], name="plan_scope_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def target_percent(self) -> str:
        """The ratio as the pages show it: 0.1250 → "12.5"."""
        return format((self.target_ratio * 100).normalize(), "f")


class PlanSubject(BaseModel):
    """One drawn subject of a plan with its two inspectors, in draw order (``position``)."""

    plan = models.ForeignKey(InspectionPlan, verbose_name="计划", on_delete=models.PROTECT, related_name="drawn")
    subject = models.ForeignKey(Subject, verbose_name="执法对象", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField("抽取顺序")
    credit_grade = models.CharField("信用等级", max_length=1)
    risk_colour = models.CharField("风险颜色", max_length=10, blank=True)
    weight = models.FloatField("权重")
    is_mandatory = models.BooleanField("必查(D级)", default=False)
    first_officer = models.ForeignKey(Officer, verbose_name="检查人员一", on_delete=models.PROTECT, related_name="+")
    second_officer = models.ForeignKey(Officer, verbose_name="检查人员二", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "抽中对象"
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "subject"], name="plan_subject_unique"),
            models.UniqueConstraint(fields=["plan", "position"], name="plan_subject_position_unique"),
        ]


# --- 综合查一次 and the inspection itself (issue 12 parts 3 and 5) ----------------------------------------------


def _check_token() -> str:
    """The party's QR code address key: 32 random bytes, URL-safe (never the sequential id)."""
    return secrets.token_urlsafe(32)


class JointInspection(BaseModel):
    """综合检查 (综合查一次): one visit to one subject by the officers of every department whose pending checks were
    merged into it (``InspectionCheck``), on a day of the common window, with one combined checklist
    (``InspectionChecklistVersion``: the version each matter had when the visit was made), one record and one set
    of signatures. Status: ``states.VISIT_WORKFLOW``."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    subject = models.ForeignKey(
        Subject, verbose_name="执法对象", on_delete=models.PROTECT, related_name="joint_inspections"
    )
    # The subject's street when merged: street posts see their street's visits, the record names it.
    street = models.ForeignKey(Street, verbose_name="街道", on_delete=models.PROTECT, related_name="+")
    earliest = models.DateField("最早检查日期")
    latest = models.DateField("最晚检查日期")
    status = models.CharField("状态", max_length=10, choices=VisitStatus.choices, default=VisitStatus.PLANNED)
    departments = models.ManyToManyField(Department, verbose_name="参加部门", related_name="joint_inspections")
    officers = models.ManyToManyField(Officer, verbose_name="检查人员", related_name="joint_inspections")
    check_token = models.CharField("亮码检查令牌", max_length=64, unique=True, default=_check_token, editable=False)
    merged_by = models.CharField("合并人", max_length=150)
    # The start at the site (开始检查): who, when, where, how far from the subject, and why if beyond the radius.
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    started_by = models.ForeignKey(
        Officer, verbose_name="开始检查人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    start_lon = models.FloatField("开始经度", null=True, blank=True)
    start_lat = models.FloatField("开始纬度", null=True, blank=True)
    start_accuracy_m = models.FloatField("定位精度(米)", null=True, blank=True)
    start_distance_m = models.PositiveIntegerField("距对象(米)", null=True, blank=True)
    start_max_m = models.PositiveIntegerField("允许半径(米)", null=True, blank=True)
    start_exception_reason = models.CharField("超距原因", max_length=200, blank=True)
    signed_at = models.DateTimeField("签署时间", null=True, blank=True)
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "综合检查"
        ordering = ["-earliest", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(latest__gte=models.F("earliest")), name="visit_window_ordered")
        ]
        indexes = [
            models.Index(fields=["district", "status", "earliest"], name="visit_scope_idx"),
            models.Index(fields=["subject", "earliest"], name="visit_subject_idx"),
        ]

    def __str__(self) -> str:
        return f"综合检查 {self.pk}"


class InspectionCheck(BaseModel):
    """One pending check merged into a visit: a subject drawn in a department's plan (``PlanSubject``), due within
    the plan's period. A drawn subject with no row here is still a pending check; it is merged once."""

    plan_subject = models.OneToOneField(
        PlanSubject, verbose_name="抽中对象", on_delete=models.PROTECT, related_name="inspection_check"
    )
    inspection = models.ForeignKey(
        JointInspection, verbose_name="综合检查", on_delete=models.PROTECT, related_name="checks"
    )
    department = models.ForeignKey(Department, verbose_name="部门", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "合并的检查任务"


class InspectionChecklistVersion(BaseModel):
    """The combined checklist of a visit: the checklist version of each applicable matter of each department,
    as it was when the visit was made. A later version of the matter does not change it."""

    inspection = models.ForeignKey(
        JointInspection, verbose_name="综合检查", on_delete=models.PROTECT, related_name="checklist_versions"
    )
    version = models.ForeignKey(ChecklistVersion, verbose_name="检查表版本", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, verbose_name="部门", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "综合检查的检查表"
        ordering = ["inspection", "department", "version"]
        constraints = [models.UniqueConstraint(fields=["inspection", "version"], name="visit_checklist_version_unique")]


class ItemOutcome(models.TextChoices):
    PASS = "pass", "符合"
    FAIL = "fail", "不符合"
    NOT_APPLICABLE = "na", "不适用"


class InspectionItemResult(BaseModel):
    """The result of one checklist item in one visit. Ticked again, the row is changed (audited) until the visit
    is signed; a photo is required for an item that says so, unless it is 不适用."""

    inspection = models.ForeignKey(
        JointInspection, verbose_name="综合检查", on_delete=models.PROTECT, related_name="item_results"
    )
    item = models.ForeignKey(ChecklistVersionItem, verbose_name="检查项", on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField("结果", max_length=4, choices=ItemOutcome.choices)
    note = models.CharField("说明", max_length=300, blank=True)
    recorded_by = models.ForeignKey(Officer, verbose_name="记录人", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("记录时间")

    class Meta:
        verbose_name = verbose_name_plural = "检查项结果"
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="visit_item_result_unique")]


class FindingSeverity(models.TextChoices):
    GENERAL = "general", "一般"
    MAJOR = "major", "较大"
    SERIOUS = "serious", "重大"


class InspectionFinding(BaseModel):
    """隐患: a problem found in a visit, with its severity, description, photos and the checklist item it came
    from (empty: found outside the checklist). ``department``: whose matter it concerns (the item's matter's
    department, or the recording officer's). Rectification (part 6) builds on these rows."""

    inspection = models.ForeignKey(
        JointInspection, verbose_name="综合检查", on_delete=models.PROTECT, related_name="findings"
    )
    item = models.ForeignKey(
        ChecklistVersionItem,
        verbose_name="来源检查项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(Department, verbose_name="部门", on_delete=models.PROTECT, related_name="+")
    severity = models.CharField("隐患等级", max_length=8, choices=FindingSeverity.choices)
    description = models.CharField("隐患描述", max_length=500)
    recorded_by = models.ForeignKey(Officer, verbose_name="记录人", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("发现时间")
    # The key the phone made when the finding was recorded: a copy sent again from its outbox is this finding.
    client_key = models.CharField("客户端标识", max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "检查发现隐患"
        ordering = ["inspection", "recorded_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "client_key"],
                condition=~models.Q(client_key=""),
                name="finding_client_key_unique",
            )
        ]


class InspectionPhoto(BaseModel):
    """A photo taken in a visit, of an item or a finding (or of the site on a start beyond the radius): the
    original byte-for-byte with its SHA-256 (evidence) and a copy without EXIF."""

    inspection = models.ForeignKey(
        JointInspection, verbose_name="综合检查", on_delete=models.PROTECT, related_name="photos"
    )
    item_result = models.ForeignKey(
        InspectionItemResult,
        verbose_name="检查项结果",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="photos",
    )
    finding = models.ForeignKey(
        InspectionFinding, verbose_name="隐患", null=True, blank=True, on_delete=models.PROTECT, related_name="photos"
    )
    original = models.FileField("原图", upload_to="inspections/evidence/%Y/%m/")
    public_copy = models.FileField("公开图", upload_to="inspections/public/%Y/%m/")
    sha256 = models.CharField("原图SHA-256", max_length=64)
    content_type = models.CharField("类型", max_length=30)
    size = models.PositiveIntegerField("字节数")
    uploaded_by = models.ForeignKey(Officer, verbose_name="上传人", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "检查照片"
        ordering = ["pk"]


class SignerKind(models.TextChoices):
    OFFICER = "officer", "检查人员"
    PARTY = "party", "当事人"


class InspectionSignature(BaseModel):
    """A signature on the record: each officer present signs (signed in, on their own phone); the party signs
    on the screen (the PNG of the signature canvas, with its SHA-256) or refuses, with the reason written down
    (拒绝签字). The departments present are those whose officers signed."""

    inspection = models.ForeignKey(
        JointInspection, verbose_name="综合检查", on_delete=models.PROTECT, related_name="signatures"
    )
    kind = models.CharField("签署人类别", max_length=8, choices=SignerKind.choices)
    officer = models.ForeignKey(
        Officer, verbose_name="检查人员", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department, verbose_name="部门", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    party_name = models.CharField("当事人姓名", max_length=50, blank=True)
    image_png = models.BinaryField("签名图像(PNG)", null=True, blank=True)
    image_sha256 = models.CharField("签名SHA-256", max_length=64, blank=True)
    refused = models.BooleanField("拒绝签字", default=False)
    refusal_reason = models.CharField("拒签情况", max_length=200, blank=True)
    signed_at = models.DateTimeField("签署时间")
    recorded_by = models.ForeignKey(Officer, verbose_name="记录人", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "检查签名"
        ordering = ["inspection", "kind", "signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "officer"], condition=models.Q(kind="officer"), name="visit_officer_signs_once"
            ),
            models.UniqueConstraint(
                fields=["inspection"], condition=models.Q(kind="party"), name="visit_party_signs_once"
            ),
        ]


class RepeatInspectionAlert(BaseModel):
    """重复检查提醒: a visit puts a subject before a different department within the configured days
    (``ZHIFA_REPEAT_INSPECTION_DAYS``, 30) of another visit to it. Raised when visits are merged; the planning
    departments are notified and the plan page shows it."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    subject = models.ForeignKey(Subject, verbose_name="执法对象", on_delete=models.PROTECT, related_name="+")
    inspection = models.ForeignKey(
        JointInspection, verbose_name="本次检查", on_delete=models.PROTECT, related_name="repeat_alerts"
    )
    other = models.ForeignKey(JointInspection, verbose_name="相邻检查", on_delete=models.PROTECT, related_name="+")
    days_apart = models.PositiveIntegerField("相隔天数")
    limit_days = models.PositiveIntegerField("提醒天数")
    message = models.CharField("提醒内容", max_length=300)

    class Meta:
        verbose_name = verbose_name_plural = "重复检查提醒"
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["inspection", "other"], name="repeat_alert_pair_unique")]


# --- 责令整改 and 三色管理 (issue 12 parts 6 and 7) -------------------------------------------------------------
# Owned by the rectification slice: services in rectification.py and colours.py, reads in rectification_selectors.py.


def _party_token() -> str:
    """The party's self-service link key for one rectification order: 32 random bytes, URL-safe."""
    return secrets.token_urlsafe(32)


class RectificationOrder(BaseModel):
    """责令改正 (整改通知): one finding of a signed visit, ordered rectified by a deadline (calendar or working days per
    severity, ``rectification.deadline_for``), with the legal basis of the checklist item it came from. Status:
    ``states.RECTIFICATION_WORKFLOW``. The party reads and answers it through ``party_token`` (its own order only)
    or from its business home. A lead handed to the cases app is named by ``case_id``/``case_number`` (the cases
    app sits above this one: no foreign key)."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    finding = models.OneToOneField(
        InspectionFinding, verbose_name="隐患", on_delete=models.PROTECT, related_name="rectification"
    )
    subject = models.ForeignKey(Subject, verbose_name="执法对象", on_delete=models.PROTECT, related_name="+")
    street = models.ForeignKey(Street, verbose_name="街道", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, verbose_name="部门", on_delete=models.PROTECT, related_name="+")
    severity = models.CharField("隐患等级", max_length=8, choices=FindingSeverity.choices)
    requirement = models.CharField("整改要求", max_length=500)
    legal_basis = models.CharField("法律依据", max_length=300, blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=RectificationStatus.choices, default=RectificationStatus.ISSUED
    )
    issued_at = models.DateTimeField("下达时间")
    issued_by = models.ForeignKey(Officer, verbose_name="下达人", on_delete=models.PROTECT, related_name="+")
    deadline = models.DateField("整改期限")
    deadline_rule = models.CharField("期限计算", max_length=40)
    party_token = models.CharField("当事人链接令牌", max_length=64, unique=True, default=_party_token, editable=False)
    submitted_at = models.DateTimeField("最近提交时间", null=True, blank=True)
    reinspected_at = models.DateTimeField("复查时间", null=True, blank=True)
    reinspected_by = models.ForeignKey(
        Officer, verbose_name="复查人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reinspection_note = models.CharField("复查意见", max_length=300, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    on_time = models.BooleanField("按期整改", null=True, blank=True)
    escalation_reason = models.CharField("移送理由", max_length=200, blank=True)
    # The day the issuing officer and the department were told the deadline had passed (once per order).
    overdue_notified_on = models.DateField("逾期提醒日期", null=True, blank=True)
    case_id = models.PositiveIntegerField("案件线索ID", null=True, blank=True)
    case_number = models.CharField("案件线索编号", max_length=30, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "责令整改通知"
        ordering = ["deadline", "pk"]
        indexes = [
            models.Index(fields=["district", "status", "deadline"], name="rectification_scope_idx"),
            models.Index(fields=["subject", "issued_at"], name="rectification_subject_idx"),
        ]

    def __str__(self) -> str:
        return f"整改通知 {self.pk}"


class RectificationSubmission(BaseModel):
    """整改材料: what the party sent for an order — a note and photos — through its link or its business home."""

    order = models.ForeignKey(
        RectificationOrder, verbose_name="整改通知", on_delete=models.PROTECT, related_name="submissions"
    )
    note = models.CharField("整改说明", max_length=500)
    via = models.CharField("提交方式", max_length=8, choices=[("link", "当事人链接"), ("home", "经营主体首页")])
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提交账号",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField("提交时间")

    class Meta:
        verbose_name = verbose_name_plural = "整改材料"
        ordering = ["order", "submitted_at", "pk"]


class RectificationPhoto(BaseModel):
    """A photo of a submission: the original byte for byte with its SHA-256 (evidence for a later case) and a copy
    without EXIF (what pages show)."""

    submission = models.ForeignKey(
        RectificationSubmission, verbose_name="整改材料", on_delete=models.PROTECT, related_name="photos"
    )
    original = models.FileField("原图", upload_to="inspections/rectification/%Y/%m/")
    public_copy = models.FileField("公开图", upload_to="inspections/rectification-public/%Y/%m/")
    sha256 = models.CharField("原图SHA-256", max_length=64)
    content_type = models.CharField("类型", max_length=30)
    size = models.PositiveIntegerField("字节数")

    class Meta:
        verbose_name = verbose_name_plural = "整改照片"
        ordering = ["pk"]


class RectificationTransition(models.Model):
    """One step of an order (append-only): from, action, to, who, when, why."""

    order = models.ForeignKey(
        RectificationOrder, verbose_name="整改通知", on_delete=models.PROTECT, related_name="transitions"
    )
    from_status = models.CharField("原状态", max_length=12)
    action = models.CharField("操作", max_length=12)
    to_status = models.CharField("新状态", max_length=12)
    actor_label = models.CharField("操作人", max_length=150)
    reason = models.CharField("理由", max_length=300, blank=True)
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = verbose_name_plural = "整改流转记录"
        ordering = ["order", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.from_status}→{self.to_status}"


class ColourModelVersion(BaseModel):
    """One version of a district's three-colour scoring model (三色管理): points per record kind over a rolling
    window and the thresholds of red and yellow. Never changed: a change is a new version; every colour names the
    version it was computed with. The district's newest version is the current one."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    number = models.PositiveIntegerField("版本号")
    window_days = models.PositiveIntegerField("统计窗口（天）")
    weights = models.JSONField("各类记录分值")
    # {"red": 20, "yellow": 8}: a score at or above red's is red, at or above yellow's yellow, else green.
    thresholds = models.JSONField("颜色分数线")
    note = models.CharField("说明", max_length=300, blank=True)
    created_by = models.CharField("制定人", max_length=150)

    class Meta:
        verbose_name = verbose_name_plural = "三色评分模型版本"
        ordering = ["district", "-number"]
        constraints = [models.UniqueConstraint(fields=["district", "number"], name="colour_model_version_unique")]

    def __str__(self) -> str:
        return f"三色模型第{self.number}版"


class SubjectColour(models.Model):
    """A subject's colour as computed at ``computed_at`` with the score and its explanation; a new row only when the
    colour or the score changes (the history), ``is_current`` on the latest (one per subject)."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    subject = models.ForeignKey(Subject, verbose_name="执法对象", on_delete=models.PROTECT, related_name="colours")
    colour = models.CharField("颜色", max_length=6, choices=[("red", "红"), ("yellow", "黄"), ("green", "绿")])
    previous_colour = models.CharField("原颜色", max_length=6, blank=True)
    score = models.FloatField("风险分")
    explanation = models.JSONField("计算说明")
    model_version = models.ForeignKey(ColourModelVersion, verbose_name="模型版本", on_delete=models.PROTECT)
    trigger = models.CharField("触发原因", max_length=100)
    computed_at = models.DateTimeField("计算时间")
    is_current = models.BooleanField("当前", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "三色管理颜色"
        ordering = ["subject", "-computed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject"], condition=models.Q(is_current=True), name="subject_colour_current_unique"
            )
        ]
        indexes = [models.Index(fields=["district", "is_current", "colour"], name="subject_colour_scope_idx")]

    def __str__(self) -> str:
        return f"{self.subject_id} {self.colour}"
