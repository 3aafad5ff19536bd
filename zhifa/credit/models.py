"""Credit files (信用档案, issue 13): entries built from records, the scoring model's versions, and grades.

A file belongs to a holder — a unified social credit code, or an ID number for a person — within a district
(ZJC 9–11); every subject carrying that identifier shares it. Entries are built from records (a final penalty
decision of the general procedure, ``services.credit_refresh``) or added by a user with their source document
(a commendation); none is typed free-hand. A grade keeps the model version, the score and the explanation it was
computed with; a new computation that changes anything appends a row, so the history stays.
"""

from django.conf import settings
from django.db import models

from zhifa.core.models import BaseModel
from zhifa.credit.states import DishonestyStatus, ObjectionStatus, RepairStatus
from zhifa.org.models import District


class CreditCategory(models.TextChoices):
    """ZJC 9–11: basic, negative and positive information."""

    BASIC = "basic", "基础信息"
    NEGATIVE = "negative", "失信信息"
    POSITIVE = "positive", "守信信息"


class EntryKind(models.TextChoices):
    """What an entry records; the scoring model weighs each kind (``CreditModelVersion.weights``)."""

    PENALTY = "penalty", "行政处罚（普通程序）"
    PENALTY_SEVERE = "penalty_severe", "行政处罚（吊销许可证件、责令停产停业等）"
    COMMENDATION = "commendation", "表彰奖励"
    COMMITMENT_BROKEN = "commitment_broken", "违背信用承诺"
    # Issue 13 part 5: written when a listing is published, shown until it is removed; forces D (scoring).
    SERIOUS_DISHONESTY = "serious_dishonesty", "列入严重失信名单"


KIND_CATEGORY = {
    EntryKind.PENALTY: CreditCategory.NEGATIVE,
    EntryKind.PENALTY_SEVERE: CreditCategory.NEGATIVE,
    EntryKind.COMMENDATION: CreditCategory.POSITIVE,
    EntryKind.COMMITMENT_BROKEN: CreditCategory.NEGATIVE,
    EntryKind.SERIOUS_DISHONESTY: CreditCategory.NEGATIVE,
}


class SourceType(models.TextChoices):
    CASE = "case", "行政处罚决定"
    DOCUMENT = "document", "来源文件"
    COMMITMENT = "commitment", "信用承诺"
    DISHONESTY = "dishonesty", "严重失信名单列入决定"


class CreditEntry(BaseModel):
    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    holder_key = models.CharField("统一社会信用代码/身份证号", max_length=18, db_index=True)
    holder_name = models.CharField("主体名称", max_length=200)
    kind = models.CharField("信息类别", max_length=20, choices=EntryKind.choices)
    category = models.CharField("信息分类", max_length=10, choices=CreditCategory.choices)
    title = models.CharField("内容", max_length=300)
    occurred_on = models.DateField("信息日期")
    # The first day the entry is no longer shown (nor scored): negative information 5 years after the decision
    # (ZJC 16), positive information 3 years after it was given (docs/credit.md).
    expires_on = models.DateField("停止展示日期")
    legal_basis = models.CharField("依据", max_length=300)
    source_type = models.CharField("来源", max_length=10, choices=SourceType.choices)
    # A record the entry was built from (a case's id), or empty for a document a user entered.
    source_id = models.BigIntegerField("来源记录编号", null=True, blank=True)
    source_reference = models.CharField("来源文号", max_length=100)
    source_authority = models.CharField("作出机关", max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = verbose_name_plural = "信用信息"
        ordering = ["-occurred_on", "-id"]
        constraints = [
            # One entry per record: a refresh run twice (or by two workers at once) writes it once.
            models.UniqueConstraint(
                fields=["source_type", "source_id"],
                condition=models.Q(source_id__isnull=False),
                name="credit_entry_one_per_record",
            )
        ]
        indexes = [models.Index(fields=["district", "holder_key", "expires_on"], name="credit_entry_holder_idx")]

    def __str__(self) -> str:
        return f"{self.holder_key} {self.get_kind_display()} {self.occurred_on}"


class CreditModelVersion(BaseModel):
    """One version of a district's scoring model. Never changed: a change is a new version (numbered 1, 2, 3 …),
    and every grade names the version it was computed with. The district's newest version is the current one."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    number = models.PositiveIntegerField("版本号")
    base_score = models.FloatField("基础分")
    # Points per entry kind (negative information negative), before the time decay.
    weights = models.JSONField("各类信息分值")
    half_life_days = models.PositiveIntegerField("半衰期（天）", help_text="信息的分值每过此天数减半")
    # The lowest score of each grade: {"A": 90, "B": 70, "C": 50}; below C's is D.
    thresholds = models.JSONField("等级分数线")
    # Kinds that force D while the entry is shown, whatever the score.
    veto_kinds = models.JSONField("一票否决的信息类别", default=list, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="制定人", null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = verbose_name_plural = "信用评分模型版本"
        ordering = ["district", "-number"]
        constraints = [models.UniqueConstraint(fields=["district", "number"], name="credit_model_version_unique")]

    def __str__(self) -> str:
        return f"评分模型第{self.number}版"


class CreditGrade(models.Model):
    """A holder's grade as computed at ``computed_at``; ``is_current`` marks the latest (one per holder)."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    holder_key = models.CharField("统一社会信用代码/身份证号", max_length=18)
    model_version = models.ForeignKey(CreditModelVersion, verbose_name="评分模型版本", on_delete=models.PROTECT)
    score = models.FloatField("得分")
    grade = models.CharField("等级", max_length=1)
    # [{entry_id, kind, title, occurred_on, weight, factor, points}] and the veto entry ids: what produced it.
    explanation = models.JSONField("计算说明")
    vetoed_by = models.JSONField("一票否决信息", default=list, blank=True)
    computed_on = models.DateField("计算日期")
    computed_at = models.DateTimeField("计算时间")
    is_current = models.BooleanField("当前等级", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "信用等级"
        ordering = ["-computed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "holder_key"], condition=models.Q(is_current=True), name="credit_grade_one_current"
            )
        ]
        indexes = [models.Index(fields=["district", "holder_key", "computed_at"], name="credit_grade_history_idx")]

    def __str__(self) -> str:
        return f"{self.holder_key} {self.grade} {self.score:.1f}"


# --- Issue 13 parts 2, 4, 8 (credit-board): commitments, joint rewards and punishments, the 大综点评 board -------


class CommitmentTemplate(BaseModel):
    """信用承诺书 template for one enforcement matter or one licence kind. Versions of the same ``code`` are rows
    numbered 1, 2, 3 …; the newest active one is what a business is asked to sign, and a signed commitment keeps
    the version and the text it signed."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    code = models.CharField("承诺书编码", max_length=40)
    version = models.PositiveIntegerField("版本号")
    title = models.CharField("承诺书名称", max_length=100)
    # The matter the commitment is about: a later general-procedure penalty decision or finding on it breaks it.
    matter = models.ForeignKey(
        "catalog.Matter", verbose_name="执法事项", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Or a licence kind (``subjects.Licence.kind``): every holder of such a licence signs it.
    licence_kind = models.CharField("证照类型", max_length=50, blank=True)
    text = models.TextField("承诺内容")
    legal_basis = models.CharField("依据", max_length=300)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "信用承诺书模板"
        ordering = ["district", "code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["district", "code", "version"], name="commitment_template_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.title}（第{self.version}版）"


class CommitmentStatus(models.TextChoices):
    """signed → broken (a later finding or general-procedure penalty decision on its matter), never back."""

    SIGNED = "signed", "已签署"
    BROKEN = "broken", "已违诺"


class Commitment(BaseModel):
    """A commitment a business signed in its self-service view: who, when, and the text of the version it signed."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    template = models.ForeignKey(
        CommitmentTemplate, verbose_name="承诺书模板（版本）", on_delete=models.PROTECT, related_name="signed"
    )
    subject = models.ForeignKey("subjects.Subject", verbose_name="执法对象", on_delete=models.PROTECT, related_name="+")
    holder_key = models.CharField("统一社会信用代码/身份证号", max_length=18)
    template_version = models.PositiveIntegerField("承诺书版本")
    text = models.TextField("签署时的承诺内容")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="签署人", on_delete=models.PROTECT)
    signed_at = models.DateTimeField("签署时间")
    status = models.CharField("状态", max_length=10, choices=CommitmentStatus.choices, default=CommitmentStatus.SIGNED)
    broken_on = models.DateField("违诺日期", null=True, blank=True)
    broken_by = models.CharField("违诺依据", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "信用承诺"
        ordering = ["-signed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["template", "subject"], name="commitment_one_per_template_subject")
        ]
        indexes = [models.Index(fields=["district", "holder_key", "status"], name="commitment_holder_idx")]

    def __str__(self) -> str:
        return f"{self.subject_id} {self.template_id} {self.status}"


class MeasureKind(models.TextChoices):
    """联合奖惩 measures attached to grades and lists (ZJR 21, ZJC 23)."""

    INSPECTION_MULTIPLIER = "inspection_multiplier", "抽查频次倍数"
    NO_DISTURBANCE = "no_disturbance", "无事不扰"
    KEY_SUPERVISION = "key_supervision", "列入重点监管名单"
    FAST_TRACK = "fast_track", "绿色通道（容缺受理）"


class MeasureApplication(models.Model):
    """One application of a measure to a subject: which, why (the grade or list), where, when. Append-only."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    measure = models.CharField("措施", max_length=24, choices=MeasureKind.choices)
    subject = models.ForeignKey(
        "subjects.Subject", verbose_name="执法对象", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    holder_key = models.CharField("统一社会信用代码/身份证号", max_length=18, blank=True)
    grade = models.CharField("信用等级", max_length=1, blank=True)
    # What caused it: "grade:A", "list:key_supervision" …
    cause = models.CharField("依据", max_length=40)
    where = models.CharField("适用环节", max_length=200)
    # The record where it was applied (an inspection plan's id, a grade's id), when there is one.
    source_type = models.CharField("适用记录类型", max_length=40, blank=True)
    source_id = models.BigIntegerField("适用记录编号", null=True, blank=True)
    detail = models.JSONField("说明", default=dict, blank=True)
    applied_at = models.DateTimeField("适用时间")

    class Meta:
        verbose_name = verbose_name_plural = "联合奖惩措施适用记录"
        ordering = ["-applied_at", "-id"]
        indexes = [
            models.Index(fields=["district", "holder_key", "applied_at"], name="measure_holder_idx"),
            models.Index(fields=["subject", "applied_at"], name="measure_subject_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_measure_display()} {self.holder_key} {self.applied_at:%Y-%m-%d}"


class BoardRun(models.Model):
    """One day's 大综点评 computation for a district: the weights and window it used (published on the page)."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    on = models.DateField("排名日期")
    weights = models.JSONField("权重")
    window_days = models.PositiveIntegerField("统计期（天）")
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = verbose_name_plural = "大综点评排名批次"
        ordering = ["-on", "-id"]
        constraints = [models.UniqueConstraint(fields=["district", "on"], name="board_run_one_per_day")]

    def __str__(self) -> str:
        return f"大综点评 {self.on}"


class BoardPosition(models.Model):
    """A catering business's place on its street's board on one day, with the four parts of its score."""

    run = models.ForeignKey(BoardRun, verbose_name="排名批次", on_delete=models.CASCADE, related_name="positions")
    subject = models.ForeignKey("subjects.Subject", verbose_name="执法对象", on_delete=models.PROTECT, related_name="+")
    street = models.ForeignKey("org.Street", verbose_name="街道", on_delete=models.PROTECT, related_name="+")
    on = models.DateField("排名日期")
    position = models.PositiveIntegerField("街道内名次")
    score = models.FloatField("综合得分")
    # {"inspection": 0–100, "rectification": …, "complaints": …, "credit": …} and the counts behind them.
    parts = models.JSONField("分项得分")
    counts = models.JSONField("计数")

    class Meta:
        verbose_name = verbose_name_plural = "大综点评名次"
        ordering = ["street", "position"]
        constraints = [models.UniqueConstraint(fields=["run", "subject"], name="board_position_one_per_run")]
        indexes = [
            models.Index(fields=["subject", "on"], name="board_position_history_idx"),
            models.Index(fields=["run", "street", "position"], name="board_position_street_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.on} {self.subject_id} 第{self.position}名"


# --- Issue 13 parts 5, 6 (credit-procedures): the serious dishonesty list, objections, credit repair ------------


class DishonestyListing(BaseModel):
    """One proposal to put a holder on the serious dishonesty list (严重失信名单, ZJC 24–28), and the listing if it
    is decided: the notice, the defence, the decision signed by the agency head, publication and removal. Each
    step is a transition of ``states.DISHONESTY_WORKFLOW`` with its row in ``CreditProcedureStep``."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    subject = models.ForeignKey("subjects.Subject", verbose_name="执法对象", on_delete=models.PROTECT, related_name="+")
    holder_key = models.CharField("统一社会信用代码/身份证号", max_length=18, db_index=True)
    holder_name = models.CharField("主体名称", max_length=200)
    status = models.CharField(
        "状态", max_length=12, choices=DishonestyStatus.choices, default=DishonestyStatus.PROPOSED
    )
    # ZJC 24: which ground (一)–(四) and the provision; the reasons told to the party (ZJC 28).
    legal_basis = models.CharField("列入依据", max_length=300)
    reasons = models.TextField("列入理由")
    # ZJC 27: for an organisation, the legal representative / principal / controller responsible.
    responsible_persons = models.CharField("负有责任的法定代表人、主要负责人", max_length=200, blank=True)
    source_entries = models.ManyToManyField(CreditEntry, verbose_name="据以列入的信用信息", related_name="+")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提出人", on_delete=models.PROTECT, related_name="+"
    )
    noticed_on = models.DateField("告知日期", null=True, blank=True)
    defence_due_on = models.DateField("陈述申辩截止日期", null=True, blank=True)
    defence_text = models.TextField("陈述申辩意见", blank=True)
    defended_at = models.DateTimeField("陈述申辩时间", null=True, blank=True)
    decision_number = models.CharField("决定书文号", max_length=100, blank=True)
    decision_text = models.TextField("决定理由（含对申辩意见的采纳情况）", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="签发人（机关负责人）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_on = models.DateField("签发日期", null=True, blank=True)
    published_on = models.DateField("公示日期", null=True, blank=True)
    # The first day off the list (ZJC 25: the period set by the provincial rules; configurable).
    removal_due_on = models.DateField("移出日期", null=True, blank=True, db_index=True)
    removed_on = models.DateField("实际移出日期", null=True, blank=True)
    closing_reason = models.TextField("不予列入或提前移出的理由", blank=True)
    entry = models.OneToOneField(
        CreditEntry, verbose_name="名单信息", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "严重失信名单程序"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["district", "holder_key", "status"], name="dishonesty_holder_idx")]

    def __str__(self) -> str:
        return f"{self.holder_name} {self.get_status_display()}"


class ObjectionOutcome(models.TextChoices):
    """ZJC 30: how an upheld objection is handled."""

    DELETE = "delete", "事实错误，删除"
    CORRECT = "correct", "文字错误，更正"
    STOP = "stop", "超过期限，终止披露"


class CreditObjection(BaseModel):
    """异议 (ZJC 30, 31): a holder says an entry of its file is wrong; reviewed within the configured working
    days; the entry shows 异议中 while it is open."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    entry = models.ForeignKey(CreditEntry, verbose_name="异议的信用信息", on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey("subjects.Subject", verbose_name="执法对象", on_delete=models.PROTECT, related_name="+")
    holder_key = models.CharField("统一社会信用代码/身份证号", max_length=18)
    status = models.CharField("状态", max_length=12, choices=ObjectionStatus.choices, default=ObjectionStatus.SUBMITTED)
    reasons = models.TextField("异议理由")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提出人", on_delete=models.PROTECT, related_name="+"
    )
    submitted_on = models.DateField("受理日期")
    due_on = models.DateField("处理期限", db_index=True)
    outcome = models.CharField("处理方式", max_length=10, choices=ObjectionOutcome.choices, blank=True)
    corrected_title = models.CharField("更正后的内容", max_length=300, blank=True)
    # The entry as it was before the correction: corrections are recorded, not silent (DESIGN.md).
    entry_before = models.JSONField("更正前的信息", null=True, blank=True)
    decision_reason = models.TextField("处理理由", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "信用信息异议"
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["district", "status", "due_on"], name="objection_due_idx")]

    def __str__(self) -> str:
        return f"异议 {self.entry_id} {self.get_status_display()}"


class CreditRepair(BaseModel):
    """信用修复 (ZJC 32): after correcting the conduct and the waiting period for the entry's kind, the entry
    stops being shown before its 5 years. Never for the serious dishonesty list."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    entry = models.ForeignKey(CreditEntry, verbose_name="修复的信用信息", on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey("subjects.Subject", verbose_name="执法对象", on_delete=models.PROTECT, related_name="+")
    holder_key = models.CharField("统一社会信用代码/身份证号", max_length=18)
    status = models.CharField("状态", max_length=12, choices=RepairStatus.choices, default=RepairStatus.SUBMITTED)
    evidence = models.TextField("纠正失信行为、消除不良影响的情况")
    eligible_on = models.DateField("可申请修复日期")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    submitted_on = models.DateField("申请日期")
    due_on = models.DateField("处理期限", db_index=True)
    expires_on_before = models.DateField("修复前的停止展示日期", null=True, blank=True)
    decision_reason = models.TextField("处理理由", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "信用修复申请"
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["district", "status", "due_on"], name="repair_due_idx")]

    def __str__(self) -> str:
        return f"修复 {self.entry_id} {self.get_status_display()}"


class CreditAttachment(BaseModel):
    """A file the holder attached to an objection or a repair request (evidence), with its SHA-256."""

    objection = models.ForeignKey(
        CreditObjection, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    repair = models.ForeignKey(
        CreditRepair, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField("附件", upload_to="credit-attachments/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("类型", max_length=50)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)

    class Meta:
        verbose_name = verbose_name_plural = "异议、修复附件"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(objection__isnull=False, repair__isnull=True)
                | models.Q(objection__isnull=True, repair__isnull=False),
                name="credit_attachment_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.name


class CreditProcedureStep(models.Model):
    """The transition rows of the three procedures above (append-only): who took which step, when, why."""

    workflow = models.CharField("程序", max_length=30)  # the transition table's name
    object_id = models.BigIntegerField("程序记录编号")
    action = models.CharField("操作", max_length=20)
    from_status = models.CharField("原状态", max_length=12)
    to_status = models.CharField("新状态", max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField("操作人名称", max_length=150)
    note = models.TextField("说明", blank=True)
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = verbose_name_plural = "信用程序步骤"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["workflow", "object_id", "at"], name="credit_step_object_idx")]

    def __str__(self) -> str:
        return f"{self.workflow} {self.object_id} {self.action}"
