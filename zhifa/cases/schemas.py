"""What the cases API accepts and returns — only the fields meant to be exposed.

Every step's body carries its ``legal_date`` (法律上的日期): the day the step happened in law, which may be earlier
than the request (补录) but never in the future nor before the step it follows (``legal_date_in_future``,
``legal_date_before_previous_step``). Money goes in and out as decimal strings (``"1000.00"``); a JSON number is
read as its decimal text. The party's identity number and phone are personal data: shown to the staff who may
see the case, never in a list.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.utils import timezone
from ninja import Field, Schema
from pydantic import AfterValidator

from zhifa.cases.models import (
    Case,
    CaseDeadline,
    CaseStep,
    Conclusion,
    Evidence,
    EvidenceKind,
    Measure,
    MeasureKind,
    PartyKind,
    PartySubmission,
    Payment,
    PenaltyKind,
    RecordKind,
    ServiceMethod,
    SubmissionKind,
)
from zhifa.cases.states import ACTION_LABELS, CASE_WORKFLOW
from zhifa.core.api_input import Id

# A date the calendar can count from: far outside it is a typing error, refused before any period is counted.
LegalDate = Annotated[
    dt.date,
    Field(ge=dt.date(1990, 1, 1), le=dt.date(2999, 12, 31), description="法律上的日期（YYYY-MM-DD），不得晚于今天"),
]
# A moment entered without an offset is the agency's local time (as the pages read it).
LocalDatetime = Annotated[
    dt.datetime, AfterValidator(lambda value: value if timezone.is_aware(value) else timezone.make_aware(value))
]
Money = Annotated[Decimal, Field(max_digits=12, decimal_places=2, ge=0, description='金额（元），如 "1000.00"')]


def _choices(choices: type) -> str:
    return " / ".join(f"{c.value}（{c.label}）" for c in choices)  # type: ignore[attr-defined]


class PartyIn(Schema):
    kind: str = Field(..., description=_choices(PartyKind))
    name: str = Field(..., min_length=1, max_length=200, description="当事人名称或姓名")
    id_number: str = Field("", max_length=18, description="统一社会信用代码（单位）或身份证号（个人）")
    address: str = Field("", max_length=200)
    phone: str = Field("", max_length=20)
    representative: str = Field("", max_length=50, description="法定代表人或负责人")


class LeadIn(Schema):
    street_id: Id
    source: str = Field("manual", description="patrol（巡查发现）/ manual（手工登记）/ transfer（外单位移送）等")
    facts: str = Field(..., max_length=5000, description="违法事实")
    discovered_on: LegalDate
    violation_ended_on: LegalDate
    party: PartyIn
    matter_id: Id | None = None
    subject_id: Id | None = None
    address: str = Field("", max_length=200)
    source_note: str = Field("", max_length=200, description="外单位移送的，注明移送机关及文号")
    harms_safety: bool = Field(False, description="涉及公民生命健康安全、金融安全且有危害后果（APL 36：时效五年）")
    handler_id: Id | None = None


class LeadFromEventIn(Schema):
    event_id: Id
    party: PartyIn | None = Field(None, description="当事人；不填时须提供 subject_id")
    subject_id: Id | None = None
    facts: str = Field("", max_length=5000, description="违法事实；不填时取事件描述和处置结果")
    discovered_on: LegalDate | None = Field(None, description="发现日期；不填时为事件上报日")
    violation_ended_on: LegalDate | None = None
    harms_safety: bool = False


class OnSpotIn(Schema):
    """简易程序（当场处罚）: decided, handed over and filed in one step on the day it happens."""

    street_id: Id
    party: PartyIn
    matter_id: Id
    facts: str = Field(..., max_length=5000)
    address: str = Field("", max_length=200)
    penalty: list[str] = Field(..., max_length=6, description=_choices(PenaltyKind))
    fine: Money | None = None
    facts_clear: bool = Field(..., description="违法事实确凿")
    signature_png: str | None = Field(None, max_length=700_000, description="当事人屏幕签名，Base64 编码的 PNG")
    refused_to_sign: bool = False
    collect_on_spot: bool = Field(False, description="当场收缴罚款（APL 68）")
    hard_to_collect_later: bool = False
    receipt_no: str = Field("", max_length=64, description="财政部门统一制发的罚款收据号（APL 70）")
    colleague_id: Id | None = None
    subject_id: Id | None = None
    event_id: Id | None = None


class CaseFilterIn(Schema):
    status: str = Field("", max_length=20, description="状态，如 investigating")
    q: str = Field("", max_length=100, description="案件编号、当事人或决定书文号")


# One body per action; each names what its step needs.


class LegalDateIn(Schema):
    legal_date: LegalDate


class SubmitFilingIn(LegalDateIn):
    handler_id: Id = Field(..., description="主办人（持证执法人员）")
    co_handler_id: Id = Field(..., description="协办人（持证执法人员）")


class OpinionIn(LegalDateIn):
    opinion: str = Field("", max_length=2000)


class ReasonIn(LegalDateIn):
    reason: str = Field(..., max_length=2000)


class SignIn(LegalDateIn):
    step: Literal["filing", "decision", "closing"] = Field(..., description="审批事项：立案、处罚决定、结案")
    agree: bool = Field(..., description="true 同意；false 退回（立案审批退回后案件回到线索）")
    text: str = Field(..., max_length=2000, description="审批意见")


class OptionalReasonIn(LegalDateIn):
    reason: str = Field("", max_length=2000)


class InvestigationIn(LegalDateIn):
    kind: str = Field(..., description=_choices(RecordKind))
    officer_ids: list[Id] = Field(..., max_length=10, description="制作笔录的执法人员（不少于两名持证人员）")
    place: str = Field(..., max_length=200)
    content: str = Field(..., max_length=20000)


class RecuseIn(Schema):
    officer_id: Id
    reason: str = Field(..., max_length=2000)


class ConcludeIn(LegalDateIn):
    conclusion: str = Field(..., description=_choices(Conclusion))
    penalty: list[str] = Field(default_factory=list, max_length=6, description=_choices(PenaltyKind))
    fine: Money | None = None
    is_complex: bool = Field(False, description="情节复杂或重大违法（须集体讨论，APL 57）")
    discretion_reason: str = Field("", max_length=2000, description="超出裁量基准时的理由")
    needs_legal_review: bool = False
    education_note: str = Field("", max_length=2000, description="不予处罚的教育记录（APL 33）")


class DiscussionIn(LegalDateIn):
    minutes: str = Field(..., max_length=20000)


class ReviewIn(LegalDateIn):
    passed: bool = Field(..., description="true：审核通过；false：退回补充调查")
    opinion: str = Field(..., max_length=5000)


class SubmissionIn(Schema):
    kind: str = Field(..., description=_choices(SubmissionKind))
    text: str = Field("", max_length=20000)
    received_on: LegalDate = Field(..., description="收到日期（法律上的日期）")


class NotifyHearingIn(LegalDateIn):
    chair_id: Id = Field(..., description="听证主持人（非本案调查人员）")
    hearing_on: dt.date = Field(..., description="听证日期（通知后至少七日）")


class HearingIn(LegalDateIn):
    record: str = Field(..., max_length=50000, description="听证笔录")


class DecideIn(LegalDateIn):
    penalty: list[str] | None = Field(None, max_length=6, description="决定的处罚种类；不填为调查终结时拟定的")
    fine: Money | None = Field(None, description="决定的罚款；不填为拟定的")


class ServeIn(LegalDateIn):
    method: str = Field(..., description=_choices(ServiceMethod))
    recipient: str = Field("", max_length=100)
    witness: str = Field("", max_length=100, description="留置送达的见证人")
    note: str = Field("", max_length=300)


class EvidenceIn(Schema):
    """Form fields of ``POST /cases/{id}/evidence`` (multipart, with an optional ``file``)."""

    kind: str = Field(..., description=_choices(EvidenceKind))
    description: str = Field(..., max_length=300)
    collected_by: str = Field(..., max_length=100)
    collected_at: LocalDatetime = Field(..., description="收集时间（ISO 8601；不带时区时按北京时间）")
    collected_place: str = Field("", max_length=200)


class CustodyIn(Schema):
    action: str = Field(..., max_length=60, description="经手事项，如 移交、入库、送检")
    holder: str = Field(..., max_length=100)
    at: LocalDatetime = Field(..., description="经手时间（ISO 8601；不带时区时按北京时间）")
    note: str = Field("", max_length=300)


class MeasureIn(LegalDateIn):
    kind: str = Field(..., description=_choices(MeasureKind))
    items: str = Field(..., max_length=5000, description="物品清单")
    place: str = Field(..., max_length=200)


class ExtensionIn(Schema):
    days: int = Field(..., ge=1, le=366)
    reason: str = Field(..., max_length=2000)


class DecisionExtensionIn(ExtensionIn, LegalDateIn):
    pass


class TestingPeriodIn(Schema):
    first: LegalDate
    last: LegalDate


class MeasureEndIn(LegalDateIn):
    outcome: str = Field(..., max_length=5000)


class SuspendIn(Schema):
    since: LegalDate
    reason: str = Field(..., max_length=2000)


class ResumeIn(Schema):
    on: LegalDate


# --- answers


# The API's one error shape (``zhifa.api.errors.ErrorOut``, which a domain app does not import), for the routes
# without a login that must declare theirs. No docstring: it would become the schema's description, and the OpenAPI
# test refuses two different schemas under one name.
class ErrorOut(Schema):
    code: str
    message: str
    details: Any


class RefOut(Schema):
    id: int
    name: str


class CaseOut(Schema):
    id: int
    number: str
    procedure: str
    status: str
    status_label: str
    source: str
    street: RefOut
    matter: RefOut | None
    party_kind: str
    party_name: str
    handler: RefOut | None
    discovered_on: dt.date
    filed_on: dt.date | None
    decision_number: str
    decided_fine: Decimal | None
    created_at: dt.datetime

    @staticmethod
    def resolve_status_label(obj: Case) -> str:
        return str(obj.get_status_display())


class StepOut(Schema):
    action: str
    action_label: str
    from_status: str
    to_status: str
    legal_date: dt.date
    actor_label: str
    reason: str
    created_at: dt.datetime

    @staticmethod
    def resolve_action_label(obj: CaseStep) -> str:
        return ACTION_LABELS.get(obj.action, "登记线索" if obj.action == "register" else obj.action)


class DeadlineOut(Schema):
    code: str
    label: str
    article: str
    starts_on: dt.date
    due_on: dt.date
    met_on: dt.date | None
    extended_days: int
    suspended_days: int
    suspended_since: dt.date | None
    is_provisional: bool = Field(..., description="期满日所在年度的节假日尚未公布，暂按周末计算")

    @staticmethod
    def resolve_label(obj: CaseDeadline) -> str:
        return obj.label


class DocumentOut(Schema):
    id: int
    kind: str
    title: str
    number: str
    version: int
    sha256: str
    created_at: dt.datetime
    pdf_url: str = Field(..., description="PDF 下载地址（与案件详情同一管辖范围）")


class CustodyOut(Schema):
    action: str
    holder: str
    at: dt.datetime
    note: str


class EvidenceOut(Schema):
    id: int
    kind: str
    kind_label: str
    description: str
    sha256: str
    collected_by: str
    collected_at: dt.datetime
    collected_place: str
    custody: list[CustodyOut] = Field(..., description="保管链")

    @staticmethod
    def resolve_kind_label(obj: Evidence) -> str:
        return str(obj.get_kind_display())


class ApprovalOut(Schema):
    step: str
    round: int
    position: int
    label: str
    opinion: str
    text: str
    signed_by_label: str
    legal_date: dt.date


class SubmissionOut(Schema):
    id: int
    kind: str
    kind_label: str
    text: str
    received_on: dt.date
    online: bool

    @staticmethod
    def resolve_kind_label(obj: PartySubmission) -> str:
        return str(obj.get_kind_display())


class MeasureOut(Schema):
    id: int
    kind: str
    items: str
    place: str
    started_on: dt.date
    extension_days: int
    testing_periods: list[list[dt.date]]
    ended_on: dt.date | None
    outcome: str
    due_on: dt.date

    @staticmethod
    def resolve_due_on(obj: Measure) -> dt.date:
        return obj.deadline.due_on


class PaymentOut(Schema):
    channel: str
    amount: Decimal
    late_fee: Decimal
    received_on: dt.date
    reference: str

    @staticmethod
    def resolve_channel(obj: Payment) -> str:
        return obj.channel


class CaseDetailOut(CaseOut):
    source_note: str
    event_id: int | None
    subject_id: int | None
    party_id_number: str
    party_address: str
    party_phone: str
    party_representative: str
    address: str
    facts: str
    violation_ended_on: dt.date
    co_handler: RefOut | None
    conclusion: str
    is_complex: bool
    needs_legal_review: bool
    intended_penalty: list[str]
    intended_fine: Decimal | None
    notice_served_on: dt.date | None
    defence_waived_on: dt.date | None
    hearing_requested_on: dt.date | None
    decided_penalty: list[str]
    decided_on: dt.date | None
    served_on: dt.date | None
    paid_on: dt.date | None
    amount_paid: Decimal | None
    closed_on: dt.date | None
    actions: list[str] = Field(..., description="当前状态下流程允许的操作（CASE_WORKFLOW）")
    steps: list[StepOut]
    deadlines: list[DeadlineOut]
    documents: list[DocumentOut] = Field(
        default_factory=list, description="文书（每一系列的最新版本），含文号和 SHA-256"
    )
    evidence: list[EvidenceOut]
    submissions: list[SubmissionOut]
    payments: list[PaymentOut]
    measures: list[MeasureOut]
    approvals: list[ApprovalOut] = Field(..., description="审批层级的签署意见（各轮）")

    @staticmethod
    def resolve_actions(obj: Case) -> list[str]:
        return CASE_WORKFLOW.actions_from(obj.status)


class PartySubmissionIn(Schema):
    """The party's own submission online; it arrives today (its legal date)."""

    kind: str = Field(..., description=_choices(SubmissionKind))
    text: str = Field("", max_length=20000)


class PartyCaseOut(Schema):
    """What the party reads of its own case (ZJR 23): the notices and decisions served on it, its submissions."""

    id: int
    number: str
    status: str
    status_label: str
    matter: RefOut | None
    party_name: str
    facts: str
    notice_served_on: dt.date | None
    hearing_requested_on: dt.date | None
    decision_number: str
    decided_fine: Decimal | None
    decided_on: dt.date | None
    served_on: dt.date | None
    paid_on: dt.date | None
    submissions: list[SubmissionOut]
    documents: list[DocumentOut] = Field(default_factory=list, description="送达当事人的告知书、决定书等")

    @staticmethod
    def resolve_status_label(obj: Case) -> str:
        return str(obj.get_status_display())


class PartyLinkOut(Schema):
    token: str = Field(..., description="当事人链接令牌（发给无账号的当事人）")
