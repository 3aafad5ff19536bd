"""The kinds of legal document (文书) the platform issues: one registry, read by numbering, the element
checker and the renderer alike.

A kind names its number word (文号代字, e.g. 罚决字) when its documents are numbered
(``杭拱综执罚决字〔2026〕第0001号``, LEGAL.md "Identifiers"), or ``None`` for records and forms that carry no
number of their own (笔录、审批表、送达回证). ``required`` lists the elements a document of the kind cannot be
issued without, as dotted paths into its context with their Chinese names; for the decision kinds they are
the contents APL 59 prescribes. The contexts themselves are described in ``zhifa.documents.contexts`` and
docs/documents.md.
"""

from dataclasses import dataclass

from django.db import models


class DocumentKind(models.TextChoices):
    CASE_SOURCE_REGISTER = "case_source_register", "案件来源登记表"
    FILING_APPROVAL = "filing_approval", "立案审批表"
    INSPECTION_RECORD = "inspection_record", "现场检查笔录"
    INQUIRY_RECORD = "inquiry_record", "询问笔录"
    PRESERVATION_NOTICE = "preservation_notice", "先行登记保存通知书"
    SEIZURE_DECISION = "seizure_decision", "查封扣押决定书"
    RECTIFICATION_ORDER = "rectification_order", "责令改正通知书"
    PENALTY_NOTICE = "penalty_notice", "行政处罚事先告知书"
    HEARING_NOTICE = "hearing_notice", "听证告知书"
    HEARING_RECORD = "hearing_record", "听证笔录"
    PENALTY_DECISION = "penalty_decision", "行政处罚决定书"
    ON_THE_SPOT_DECISION = "on_the_spot_decision", "当场行政处罚决定书"
    NO_PENALTY_DECISION = "no_penalty_decision", "不予行政处罚决定书"
    SERVICE_RECEIPT = "service_receipt", "送达回证"
    REMINDER = "reminder", "催告书"
    CLOSING_APPROVAL = "closing_approval", "结案审批表"


@dataclass(frozen=True)
class Element:
    """One required element: a dotted path into the context and what the law calls it."""

    path: str
    label: str


@dataclass(frozen=True)
class Kind:
    code: DocumentKind
    name: str
    # 文号代字; None: the kind is not numbered.
    number_word: str | None
    # The Typst template under zhifa/documents/templates/.
    template: str
    required: tuple[Element, ...]
    # Numbered only from an officer's pre-numbered range (简易程序, APL 52), never from issue_document.
    is_prenumbered: bool = False

    @property
    def is_numbered(self) -> bool:
        return self.number_word is not None


_PARTY = (
    Element("party.name", "当事人姓名或者名称"),
    Element("party.address", "当事人地址"),
)
_AGENCY_DATE = (
    Element("agency", "作出决定的行政机关名称"),
    Element("issued_on", "作出决定的日期"),
)
# APL 59: the remedy route AND its period, both — "申请行政复议、提起行政诉讼的途径和期限".
_REMEDY = (
    Element("remedy.reconsideration_body", "申请行政复议的途径（复议机关）"),
    Element("remedy.reconsideration_period", "申请行政复议的期限"),
    Element("remedy.lawsuit_court", "提起行政诉讼的途径（人民法院）"),
    Element("remedy.lawsuit_period", "提起行政诉讼的期限"),
)
_OFFICERS = (Element("officers", "执法人员姓名及执法证件号"),)

# APL 59 (1)–(6): party; facts and evidence; penalty and its legal basis; how and by when to comply;
# remedy route and period; agency name and date.
APL_59_ELEMENTS = (
    *_PARTY,
    Element("facts", "违反法律、法规、规章的事实"),
    Element("evidence", "证据"),
    Element("penalty", "行政处罚的种类"),
    Element("legal_basis", "行政处罚的依据"),
    Element("performance.method", "行政处罚的履行方式"),
    Element("performance.deadline", "行政处罚的履行期限"),
    *_REMEDY,
    *_AGENCY_DATE,
)

TEMPLATE = "document.typ"

KINDS: dict[DocumentKind, Kind] = {
    k.code: k
    for k in (
        Kind(
            DocumentKind.CASE_SOURCE_REGISTER,
            DocumentKind.CASE_SOURCE_REGISTER.label,
            None,
            TEMPLATE,
            (
                Element("agency", "行政机关名称"),
                Element("source", "案件来源"),
                Element("received_on", "登记日期"),
                Element("summary", "案件基本情况"),
                Element("registered_by", "登记人"),
            ),
        ),
        Kind(
            DocumentKind.FILING_APPROVAL,
            DocumentKind.FILING_APPROVAL.label,
            None,
            TEMPLATE,
            (
                Element("agency", "行政机关名称"),
                Element("case_cause", "案由"),
                *_PARTY,
                Element("facts", "简要案情"),
                Element("legal_basis", "涉嫌违反的规定"),
                Element("handler_opinion", "承办人意见"),
                *_OFFICERS,
            ),
        ),
        Kind(
            DocumentKind.INSPECTION_RECORD,
            DocumentKind.INSPECTION_RECORD.label,
            None,
            TEMPLATE,
            (
                Element("agency", "行政机关名称"),
                Element("place", "检查地点"),
                Element("started_at", "检查开始时间"),
                Element("ended_at", "检查结束时间"),
                Element("party.name", "被检查人"),
                *_OFFICERS,
                Element("content", "检查情况"),
            ),
        ),
        Kind(
            DocumentKind.INQUIRY_RECORD,
            DocumentKind.INQUIRY_RECORD.label,
            None,
            TEMPLATE,
            (
                Element("agency", "行政机关名称"),
                Element("place", "询问地点"),
                Element("started_at", "询问开始时间"),
                Element("ended_at", "询问结束时间"),
                Element("interviewee.name", "被询问人"),
                *_OFFICERS,
                Element("questions", "询问内容"),
            ),
        ),
        Kind(
            DocumentKind.PRESERVATION_NOTICE,
            DocumentKind.PRESERVATION_NOTICE.label,
            "先保字",
            TEMPLATE,
            (
                *_PARTY,
                Element("facts", "涉嫌违法事实"),
                Element("legal_basis", "法律依据"),
                Element("items", "先行登记保存的物品"),
                Element("keeping_place", "保存地点"),
                *_AGENCY_DATE,
            ),
        ),
        Kind(
            DocumentKind.SEIZURE_DECISION,
            DocumentKind.SEIZURE_DECISION.label,
            "强制字",
            TEMPLATE,
            (
                *_PARTY,
                Element("facts", "查封、扣押的理由"),
                Element("legal_basis", "查封、扣押的依据"),
                Element("measure", "强制措施种类"),
                Element("items", "查封、扣押的场所、设施或者财物"),
                Element("period_days", "查封、扣押的期限"),
                *_REMEDY,
                *_AGENCY_DATE,
            ),
        ),
        Kind(
            DocumentKind.RECTIFICATION_ORDER,
            DocumentKind.RECTIFICATION_ORDER.label,
            "责改字",
            TEMPLATE,
            (
                *_PARTY,
                Element("facts", "违法事实"),
                Element("legal_basis", "法律依据"),
                Element("requirement", "改正要求"),
                Element("deadline_on", "改正期限"),
                *_AGENCY_DATE,
            ),
        ),
        Kind(
            DocumentKind.PENALTY_NOTICE,
            DocumentKind.PENALTY_NOTICE.label,
            "罚告字",
            TEMPLATE,
            (
                *_PARTY,
                Element("facts", "拟作出行政处罚的事实"),
                Element("evidence", "证据"),
                Element("legal_basis", "拟作出行政处罚的依据"),
                Element("intended_penalty", "拟作出的行政处罚内容"),
                Element("statement_period", "陈述、申辩的期限"),
                *_AGENCY_DATE,
            ),
        ),
        Kind(
            DocumentKind.HEARING_NOTICE,
            DocumentKind.HEARING_NOTICE.label,
            "听告字",
            TEMPLATE,
            (
                *_PARTY,
                Element("intended_penalty", "拟作出的行政处罚内容"),
                Element("request_period", "要求听证的期限"),
                *_AGENCY_DATE,
            ),
        ),
        Kind(
            DocumentKind.HEARING_RECORD,
            DocumentKind.HEARING_RECORD.label,
            None,
            TEMPLATE,
            (
                Element("agency", "行政机关名称"),
                Element("case_cause", "案由"),
                Element("held_at", "听证时间"),
                Element("place", "听证地点"),
                Element("chair", "听证主持人"),
                Element("recorder", "记录人"),
                Element("party.name", "当事人"),
                Element("investigators", "案件调查人员"),
                Element("proceedings", "听证过程"),
            ),
        ),
        Kind(
            DocumentKind.PENALTY_DECISION,
            DocumentKind.PENALTY_DECISION.label,
            "罚决字",
            TEMPLATE,
            APL_59_ELEMENTS,
        ),
        Kind(
            DocumentKind.ON_THE_SPOT_DECISION,
            DocumentKind.ON_THE_SPOT_DECISION.label,
            "当罚决字",
            TEMPLATE,
            # APL 52: the on-the-spot decision carries APL 59's contents, the place, and the officers.
            (*APL_59_ELEMENTS, Element("place", "违法行为地点"), *_OFFICERS),
            is_prenumbered=True,
        ),
        Kind(
            DocumentKind.NO_PENALTY_DECISION,
            DocumentKind.NO_PENALTY_DECISION.label,
            "不罚字",
            TEMPLATE,
            (
                *_PARTY,
                Element("facts", "查明的事实"),
                Element("evidence", "证据"),
                Element("reason", "不予行政处罚的理由"),
                Element("legal_basis", "不予行政处罚的依据"),
                *_REMEDY,
                *_AGENCY_DATE,
            ),
        ),
        Kind(
            DocumentKind.SERVICE_RECEIPT,
            DocumentKind.SERVICE_RECEIPT.label,
            None,
            TEMPLATE,
            (
                Element("agency", "送达机关"),
                Element("served_document", "送达文书名称及文号"),
                Element("recipient", "受送达人"),
                Element("served_at", "送达时间"),
                Element("place", "送达地点"),
                Element("method", "送达方式"),
                Element("servers", "送达人"),
            ),
        ),
        Kind(
            DocumentKind.REMINDER,
            DocumentKind.REMINDER.label,
            "催字",
            TEMPLATE,
            # ACL 35: the reminder states the time and manner of performance, the amount, and the
            # party's right to state and defend.
            (
                *_PARTY,
                Element("decision_ref", "据以催告的行政决定"),
                Element("obligation", "应当履行的义务"),
                Element("deadline", "履行期限"),
                Element("manner", "履行方式"),
                Element("statement_right", "当事人依法享有的陈述权和申辩权"),
                *_AGENCY_DATE,
            ),
        ),
        Kind(
            DocumentKind.CLOSING_APPROVAL,
            DocumentKind.CLOSING_APPROVAL.label,
            None,
            TEMPLATE,
            (
                Element("agency", "行政机关名称"),
                Element("case_cause", "案由"),
                Element("party.name", "当事人"),
                Element("outcome", "处理结果"),
                Element("execution", "执行情况"),
                Element("handler_opinion", "承办人结案意见"),
            ),
        ),
    )
}

DECISION_KINDS = frozenset(
    {DocumentKind.PENALTY_DECISION, DocumentKind.ON_THE_SPOT_DECISION, DocumentKind.NO_PENALTY_DECISION}
)


def kind_get(code: str) -> Kind:
    return KINDS[DocumentKind(code)]
