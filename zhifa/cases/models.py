"""Penalty cases (行政处罚案件): a case, its append-only steps, deadlines, evidence, records, and the party's
submissions. The rules a step must pass are in ``states.py`` (the transition table) and ``legal.py`` (one
function per rule of LEGAL.md, each citing its article); ``services`` writes, ``selectors`` reads.

Every step keeps two times: ``created_at``, when it was entered, and ``legal_date``, the day on which it happened
in law (the party signed the receipt, the request arrived, the bank received the money). The legal date may be
earlier than the entry (补录) but never in the future and never before the step it follows; every deadline
counts from legal dates.
"""

from django.conf import settings
from django.db import models

from zhifa.catalog.models import Matter
from zhifa.core.models import BaseModel
from zhifa.events.models import Event, EventPhoto
from zhifa.org.models import District, Officer, Street
from zhifa.org.roles import Role
from zhifa.subjects.models import Subject


class Procedure(models.TextChoices):
    SIMPLE = "simple", "简易程序"
    GENERAL = "general", "普通程序"


class CaseSource(models.TextChoices):
    EVENT = "event", "事件处置"
    PATROL = "patrol", "巡查发现"
    AI_ALERT = "ai_alert", "智能感知"
    MANUAL = "manual", "手工登记"
    TRANSFER = "transfer", "外单位移送"


class PartyKind(models.TextChoices):
    PERSON = "person", "自然人"
    ORGANISATION = "organisation", "法人或其他组织"


class PenaltyKind(models.TextChoices):
    """APL 9's kinds a street team imposes (the catalogue's matters name which apply)."""

    WARNING = "warning", "警告"
    FINE = "fine", "罚款"
    CONFISCATION = "confiscation", "没收违法所得、没收非法财物"
    SUSPENSION = "suspension", "暂扣许可证件、降低资质等级"
    REVOCATION = "revocation", "吊销许可证件"
    CLOSURE = "closure", "责令停产停业、责令关闭、限制从业"


class CaseStatus(models.TextChoices):
    LEAD = "lead", "案件线索"
    FILING_APPROVAL = "filing_approval", "立案审批中"
    NOT_FILED = "not_filed", "不予立案"
    INVESTIGATING = "investigating", "调查取证"
    CONCLUDED = "concluded", "调查终结"
    LEGAL_REVIEW = "legal_review", "法制审核中"
    REVIEWED = "reviewed", "法制审核通过"
    NOTICED = "noticed", "已事先告知"
    HEARING_REQUESTED = "hearing_requested", "已申请听证"
    HEARD = "heard", "听证已举行"
    DECIDED = "decided", "已作出决定"
    SERVED = "served", "决定已送达"
    PAID = "paid", "已缴款"
    ENFORCEMENT = "enforcement", "申请强制执行"
    CLOSED = "closed", "已结案"
    WITHDRAWN = "withdrawn", "已撤案"
    TRANSFERRED = "transferred", "已移送"


class Conclusion(models.TextChoices):
    """APL 57: what the head decides at the end of the investigation."""

    PENALTY = "penalty", "给予行政处罚"
    NO_PENALTY_MINOR = "no_penalty_minor", "违法行为轻微，不予行政处罚"
    NO_PENALTY_FIRST = "no_penalty_first", "首违不罚"
    NO_PENALTY_UNPROVEN = "no_penalty_unproven", "违法事实不能成立，不予行政处罚"


class Case(BaseModel):
    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    number = models.CharField("案件编号", max_length=30, unique=True)
    procedure = models.CharField("程序", max_length=10, choices=Procedure.choices, default=Procedure.GENERAL)
    status = models.CharField("状态", max_length=20, choices=CaseStatus.choices, default=CaseStatus.LEAD, db_index=True)
    source = models.CharField("来源", max_length=10, choices=CaseSource.choices)
    source_note = models.CharField("来源说明", max_length=200, blank=True, help_text="如移送机关及文号")
    event = models.ForeignKey(
        Event, verbose_name="来源事件", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    matter = models.ForeignKey(Matter, verbose_name="执法事项", null=True, blank=True, on_delete=models.PROTECT)
    street = models.ForeignKey(Street, verbose_name="街道", on_delete=models.PROTECT)
    subject = models.ForeignKey(Subject, verbose_name="执法对象", null=True, blank=True, on_delete=models.PROTECT)
    # The party (当事人) as it stands in the documents; copied from the subject when there is one.
    party_kind = models.CharField("当事人类型", max_length=12, choices=PartyKind.choices)
    party_name = models.CharField("当事人", max_length=200)
    party_id_number = models.CharField("统一社会信用代码/身份证号", max_length=18, blank=True)
    party_address = models.CharField("当事人地址", max_length=200, blank=True)
    party_phone = models.CharField("当事人电话", max_length=20, blank=True)
    party_representative = models.CharField("法定代表人/负责人", max_length=50, blank=True)
    address = models.CharField("违法地点", max_length=200, blank=True)
    facts = models.TextField("违法事实")
    discovered_on = models.DateField("发现日期")
    violation_ended_on = models.DateField("违法行为终了日期", help_text="连续或继续状态的，为行为终了之日（APL 36）")
    harms_safety = models.BooleanField("涉及公民生命健康安全、金融安全且有危害后果", default=False)
    handler = models.ForeignKey(
        Officer, verbose_name="主办人", null=True, blank=True, on_delete=models.PROTECT, related_name="cases_handled"
    )
    co_handler = models.ForeignKey(
        Officer, verbose_name="协办人", null=True, blank=True, on_delete=models.PROTECT, related_name="cases_assisted"
    )
    filed_on = models.DateField("立案日期", null=True, blank=True)
    conclusion = models.CharField("调查终结意见", max_length=24, choices=Conclusion.choices, blank=True)
    is_complex = models.BooleanField("情节复杂或重大违法", default=False, help_text="须集体讨论（APL 57）")
    needs_legal_review = models.BooleanField("须法制审核", default=False, help_text="APL 58、ZJR 24")
    collective_discussion_on = models.DateField("集体讨论日期", null=True, blank=True)
    collective_discussion_minutes = models.TextField("集体讨论纪要", blank=True)
    intended_penalty = models.JSONField("拟处罚种类", default=list, blank=True)
    intended_fine = models.DecimalField("拟罚款(元)", max_digits=12, decimal_places=2, null=True, blank=True)
    discretion_reason = models.TextField("裁量说明", blank=True, help_text="超出裁量基准时必须说明理由")
    education_note = models.TextField("教育记录", blank=True, help_text="不予处罚的，应当对当事人进行教育（APL 33）")
    notice_served_on = models.DateField("事先告知送达日期", null=True, blank=True)
    defence_waived_on = models.DateField("书面放弃陈述申辩日期", null=True, blank=True)
    hearing_requested_on = models.DateField("听证申请日期", null=True, blank=True)
    decided_penalty = models.JSONField("决定处罚种类", default=list, blank=True)
    decided_fine = models.DecimalField("决定罚款(元)", max_digits=12, decimal_places=2, null=True, blank=True)
    decided_on = models.DateField("决定日期", null=True, blank=True)
    decision_number = models.CharField("决定书文号", max_length=60, blank=True, db_index=True)
    served_on = models.DateField("决定送达日期", null=True, blank=True)
    paid_on = models.DateField("缴款日期", null=True, blank=True)
    amount_paid = models.DecimalField("已缴金额(元)", max_digits=12, decimal_places=2, null=True, blank=True)
    closed_on = models.DateField("结案日期", null=True, blank=True)
    # Simple procedure (APL 52): the party signs the decision on the officer's screen, or its refusal is noted.
    party_signature = models.FileField("当事人签名", upload_to="case-signatures/%Y/%m/", blank=True)
    party_refused_to_sign = models.BooleanField("当事人拒绝签收", default=False)
    is_published = models.BooleanField("已公示", default=False)
    # The party's link (a person without a login): a random token, sent to the party; empty when none.
    party_token = models.CharField("当事人链接令牌", max_length=64, blank=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "案件"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["district", "status"], name="case_district_status_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.party_name}"


class CaseStep(models.Model):
    """Append-only row per step of a case (``CASE_WORKFLOW``), with the step's legal date."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.PROTECT, related_name="steps")
    action = models.CharField("动作", max_length=24)
    from_status = models.CharField("原状态", max_length=20, choices=CaseStatus.choices)
    to_status = models.CharField("新状态", max_length=20, choices=CaseStatus.choices)
    legal_date = models.DateField("法律上的日期")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.PROTECT)
    actor_label = models.CharField("操作人名称", max_length=150, blank=True)
    reason = models.TextField("理由/意见", blank=True)
    created_at = models.DateTimeField("录入时间", db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "案件流转"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case} {self.from_status}→{self.to_status}"


class CaseDeadline(models.Model):
    """A stored due date of a case, with the rule (``legal.PERIODS`` code) and article it comes from.

    ``met_on`` is set when the step it waits for is taken; ``suspended_days`` are days a suspension stopped it
    (e.g. expert testing during a seizure, ACL 25)."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.PROTECT, related_name="deadlines")
    code = models.CharField("期限规则", max_length=40)
    label = models.CharField("期限", max_length=60)
    article = models.CharField("依据", max_length=40)
    starts_on = models.DateField("起算日")
    due_on = models.DateField("届满日", db_index=True)
    met_on = models.DateField("完成日", null=True, blank=True)
    extended_days = models.PositiveIntegerField("延长天数", default=0)
    extension_reason = models.TextField("延长理由", blank=True)
    suspended_days = models.PositiveIntegerField("中止天数", default=0)
    suspended_since = models.DateField("中止起始日", null=True, blank=True, help_text="正在中止时填写")
    suspension_reason = models.TextField("中止原因", blank=True)
    is_provisional = models.BooleanField(
        "暂按周末推算", default=False, help_text="届满年份的法定节假日安排尚未收录；收录后自动重算"
    )
    warned_on = models.DateField("到期提醒日", null=True, blank=True)
    escalated_on = models.DateField("超期上报日", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "案件期限"
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["met_on", "due_on"], name="case_deadline_open_idx")]

    def __str__(self) -> str:
        return f"{self.case} {self.label} {self.due_on}"


class Recusal(models.Model):
    """An officer withdrawn from a case by the head's decision (回避, APL 43)."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.PROTECT, related_name="recusals")
    officer = models.ForeignKey(Officer, verbose_name="执法人员", on_delete=models.PROTECT)
    reason = models.TextField("理由")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="决定人", null=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "回避"
        constraints = [models.UniqueConstraint(fields=["case", "officer"], name="case_recusal_unique")]

    def __str__(self) -> str:
        return f"{self.case} 回避 {self.officer}"


class EvidenceKind(models.TextChoices):
    """APL 46."""

    DOCUMENTARY = "documentary", "书证"
    PHYSICAL = "physical", "物证"
    AUDIOVISUAL = "audiovisual", "视听资料"
    ELECTRONIC = "electronic", "电子数据"
    WITNESS = "witness", "证人证言"
    PARTY_STATEMENT = "party_statement", "当事人的陈述"
    EXPERT_OPINION = "expert_opinion", "鉴定意见"
    INSPECTION_RECORD = "inspection_record", "勘验笔录、现场笔录"


class Evidence(models.Model):
    """One piece of evidence: the file kept byte for byte with its SHA-256, who collected it, when and where."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField("证据种类", max_length=20, choices=EvidenceKind.choices)
    description = models.CharField("证据说明", max_length=300)
    file = models.FileField("文件", upload_to="case-evidence/%Y/%m/", blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    event_photo = models.ForeignKey(
        EventPhoto, verbose_name="来源事件照片", null=True, blank=True, on_delete=models.PROTECT
    )
    collected_by = models.CharField("收集人", max_length=100)
    collected_at = models.DateTimeField("收集时间")
    collected_place = models.CharField("收集地点", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, on_delete=models.PROTECT
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "证据"
        ordering = ["collected_at", "id"]

    def __str__(self) -> str:
        return f"{self.case} {self.get_kind_display()} {self.description[:20]}"


class RecordKind(models.TextChoices):
    INSPECTION = "inspection", "现场检查笔录"
    INQUIRY = "inquiry", "询问笔录"


class InvestigationRecord(models.Model):
    """A record of an inspection or an inquiry, made by at least two certified officers (APL 42, 55)."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.PROTECT, related_name="records")
    kind = models.CharField("笔录种类", max_length=12, choices=RecordKind.choices)
    officers = models.ManyToManyField(Officer, verbose_name="执法人员")
    made_on = models.DateField("制作日期")
    place = models.CharField("地点", max_length=200)
    content = models.TextField("内容")
    recusal_asked = models.BooleanField("当事人申请回避", default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, on_delete=models.PROTECT
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "调查笔录"
        ordering = ["made_on", "id"]

    def __str__(self) -> str:
        return f"{self.case} {self.get_kind_display()} {self.made_on}"


class ReviewOutcome(models.TextChoices):
    PASSED = "passed", "同意"
    RETURNED = "returned", "退回补充调查"


class LegalReview(models.Model):
    """The legal reviewer's opinion (法制审核, APL 58, ZJR 24)."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", on_delete=models.PROTECT)
    outcome = models.CharField("审核结论", max_length=10, choices=ReviewOutcome.choices)
    opinion = models.TextField("审核意见")
    reviewed_on = models.DateField("审核日期")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "法制审核"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case} {self.get_outcome_display()}"


class SubmissionKind(models.TextChoices):
    STATEMENT = "statement", "陈述申辩"
    HEARING_REQUEST = "hearing_request", "听证申请"
    WAIVER = "waiver", "放弃陈述申辩"
    E_SERVICE_CONSENT = "e_service_consent", "同意电子送达"


class PartySubmission(models.Model):
    """What the party submits — online (its self-service view or link) or on paper, entered by an officer —
    with the day it reached the agency (the legal date every period counts from)."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.PROTECT, related_name="submissions")
    kind = models.CharField("种类", max_length=20, choices=SubmissionKind.choices)
    text = models.TextField("内容", blank=True)
    received_on = models.DateField("收到日期")
    online = models.BooleanField("网上提交", default=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True, on_delete=models.PROTECT
    )
    reply = models.TextField("复核意见", blank=True, help_text="对陈述申辩的复核（APL 45）")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "当事人陈述申辩等"
        ordering = ["received_on", "id"]

    def __str__(self) -> str:
        return f"{self.case} {self.get_kind_display()} {self.received_on}"


class Hearing(models.Model):
    """A hearing (听证, APL 63–65): notified at least 7 days before, chaired by someone who did not investigate."""

    case = models.OneToOneField(Case, verbose_name="案件", on_delete=models.PROTECT, related_name="hearing")
    chair = models.ForeignKey(Officer, verbose_name="主持人", on_delete=models.PROTECT)
    notified_on = models.DateField("通知日期")
    held_on = models.DateField("举行日期", null=True, blank=True)
    record = models.TextField("听证笔录", blank=True)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "听证"

    def __str__(self) -> str:
        return f"{self.case} 听证"


class ServiceMethod(models.TextChoices):
    """APL 61, CPL 87–95."""

    DIRECT = "direct", "直接送达"
    LEFT = "left", "留置送达"
    ELECTRONIC = "electronic", "电子送达"
    POSTAL = "postal", "邮寄送达"
    PUBLIC_NOTICE = "public_notice", "公告送达"


class Service(models.Model):
    """Service (送达) of one document on the party; ``served_on`` is when it counts as served in law."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.PROTECT, related_name="services")
    document_kind = models.CharField("文书", max_length=40)
    document_number = models.CharField("文号", max_length=60, blank=True)
    method = models.CharField("送达方式", max_length=14, choices=ServiceMethod.choices)
    served_on = models.DateField("送达日期")
    recipient = models.CharField("受送达人/签收人", max_length=100, blank=True)
    witness = models.CharField("见证人", max_length=100, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    # 留置送达 (CPL 89): the witnesses' names, or a photo or video of the document left at the party's place.
    photo = models.FileField("留置送达照片", upload_to="case-service/%Y/%m/", blank=True)
    photo_sha256 = models.CharField("照片SHA-256", max_length=64, blank=True)
    served_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="送达人", null=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "送达记录"
        ordering = ["served_on", "id"]

    def __str__(self) -> str:
        return f"{self.case} {self.get_method_display()} {self.served_on}"


class PaymentChannel(models.TextChoices):
    BANK = "bank", "代收银行"
    E_PAYMENT = "e_payment", "电子缴款"
    ON_SPOT = "on_spot", "当场收缴"


class Payment(models.Model):
    """Money received for a case: recorded by the bank or e-payment channel (罚缴分离, APL 67), or on the spot
    with an official receipt where APL 68 allows it (then handed in within 2 working days, APL 71)."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.PROTECT, related_name="payments")
    channel = models.CharField("渠道", max_length=10, choices=PaymentChannel.choices)
    amount = models.DecimalField("金额(元)", max_digits=12, decimal_places=2)
    late_fee = models.DecimalField("加处罚款(元)", max_digits=12, decimal_places=2, default=0)
    received_on = models.DateField("到账/收缴日期")
    reference = models.CharField("流水号/收据号", max_length=64)
    handed_in_on = models.DateField("当场收缴上缴日期", null=True, blank=True)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "缴款记录"
        ordering = ["received_on", "id"]
        constraints = [models.UniqueConstraint(fields=["channel", "reference"], name="case_payment_reference_unique")]

    def __str__(self) -> str:
        return f"{self.case} {self.amount}元 {self.received_on}"


class MeasureKind(models.TextChoices):
    PRESERVATION = "preservation", "先行登记保存"
    SEIZURE = "seizure", "查封、扣押"


class Measure(models.Model):
    """Evidence registered for preservation (先行登记保存, APL 56: disposed of within 7 working days) or a seizure
    (查封扣押, ACL 25: at most 30 days, extended once by at most 30; testing days not counted)."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.PROTECT, related_name="measures")
    kind = models.CharField("措施", max_length=14, choices=MeasureKind.choices)
    items = models.TextField("物品清单")
    place = models.CharField("保存/查封地点", max_length=200)
    started_on = models.DateField("采取日期")
    extension_days = models.PositiveIntegerField("延长天数", default=0)
    testing_periods = models.JSONField("检测、检验、鉴定期间", default=list, blank=True)
    ended_on = models.DateField("解除/处理日期", null=True, blank=True)
    outcome = models.TextField("处理决定", blank=True)
    deadline = models.OneToOneField(CaseDeadline, verbose_name="期限", on_delete=models.PROTECT, related_name="measure")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "证据保全与强制措施"
        ordering = ["started_on", "id"]

    def __str__(self) -> str:
        return f"{self.case} {self.get_kind_display()} {self.started_on}"


class CustodyEntry(models.Model):
    """One link of an evidence item's chain of custody: who had it, from when, and what was done with it."""

    evidence = models.ForeignKey(Evidence, verbose_name="证据", on_delete=models.PROTECT, related_name="custody")
    action = models.CharField("经手事项", max_length=60)
    holder = models.CharField("保管人", max_length=100)
    at = models.DateTimeField("时间")
    note = models.CharField("说明", max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = verbose_name_plural = "证据保管记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.evidence} {self.action} {self.holder}"


class ApprovalStep(models.TextChoices):
    """The steps whose approval may go up a ladder before the head's own decision."""

    FILING = "filing", "立案审批"
    DECISION = "decision", "处罚决定审批"
    CLOSING = "closing", "结案审批"


class ApprovalRung(BaseModel):
    """One rung of an approval ladder, configured per district and step by the administrator: the sign-offs
    (承办机构 → 法制/案审机构 → 分管负责人 …) that must all agree, in order, before the head approves the filing,
    decides or closes. No rungs: the head decides alone."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    step = models.CharField("审批事项", max_length=10, choices=ApprovalStep.choices)
    position = models.PositiveSmallIntegerField("顺序")
    label = models.CharField("审批层级", max_length=40, help_text="如“承办机构负责人”“法制审核机构”“分管负责人”")
    role = models.CharField("签署岗位", max_length=20, choices=Role.choices, help_text="该岗位的人员可在此层级签署意见")
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "审批层级"
        ordering = ["district", "step", "position"]
        constraints = [
            models.UniqueConstraint(fields=["district", "step", "position"], name="case_approval_rung_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_step_display()} {self.position}. {self.label}"


class ApprovalOpinion(models.TextChoices):
    AGREE = "agree", "同意"
    RETURN = "return", "退回"


class CaseApproval(models.Model):
    """A sign-off at one rung of a ladder, in one round (a return ends the round; the next starts afresh)."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.PROTECT, related_name="approvals")
    step = models.CharField("审批事项", max_length=10, choices=ApprovalStep.choices)
    round = models.PositiveSmallIntegerField("轮次")
    position = models.PositiveSmallIntegerField("层级顺序")
    label = models.CharField("审批层级", max_length=40)
    opinion = models.CharField("意见", max_length=10, choices=ApprovalOpinion.choices)
    text = models.TextField("审批意见")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="签署人", on_delete=models.PROTECT)
    signed_by_label = models.CharField("签署人姓名", max_length=150)
    legal_date = models.DateField("签署日期")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "审批意见"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case} {self.label} {self.get_opinion_display()}"
