"""/api/v1/cases — the penalty procedure through the API: parse, call one service or selector, return.

Reads are scoped as the pages are (``selectors.cases_in_scope``): a case outside the caller's jurisdiction is
404 ``case_not_found``, like a missing one. Each step of ``CASE_WORKFLOW`` is its own route,
``POST /cases/{id}/actions/<action>``, with its own typed body carrying the step's ``legal_date``; it calls the
step's service, which checks who acts, the legal date and the law's rules under the case's row lock, and
answers the case as it now stands (or the API's one error shape ``{code, message, details}``, nothing written).

Money received for a decision is never recorded here: the bank or e-payment channel reports it
(``/integrations/payments`` or ``manage.py import_payments``, 罚缴分离, APL 67).
"""

import base64
import binascii
from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from zhifa.cases import selectors, services
from zhifa.cases.models import Case, Evidence, Measure, MeasureKind
from zhifa.cases.papers import PARTY_DOCUMENT_KINDS, owner_of
from zhifa.cases.schemas import (
    CaseDetailOut,
    CaseFilterIn,
    CaseOut,
    ConcludeIn,
    CustodyIn,
    DeadlineOut,
    DecideIn,
    DecisionExtensionIn,
    DiscussionIn,
    DocumentOut,
    ErrorOut,
    EvidenceIn,
    ExtensionIn,
    HearingIn,
    InvestigationIn,
    LeadFromEventIn,
    LeadIn,
    LegalDateIn,
    MeasureEndIn,
    MeasureIn,
    NotifyHearingIn,
    OnSpotIn,
    OpinionIn,
    OptionalReasonIn,
    PartyCaseOut,
    PartyIn,
    PartyLinkOut,
    PartySubmissionIn,
    ReasonIn,
    RecuseIn,
    ResumeIn,
    ReviewIn,
    ServeIn,
    SignIn,
    SubmissionIn,
    SubmitFilingIn,
    SuspendIn,
    TestingPeriodIn,
)
from zhifa.cases.services.party import case_for_party_token, party_actor
from zhifa.catalog.models import Matter
from zhifa.core.api_input import Page, Text
from zhifa.core.errors import NotFound, ValidationFailed
from zhifa.documents.models import Document
from zhifa.documents.selectors import document_get, document_pdf_bytes, documents_for_owner
from zhifa.events.selectors import event_get
from zhifa.org.jurisdiction import jurisdiction_of, require
from zhifa.org.models import Officer, Street
from zhifa.org.roles import Role
from zhifa.subjects.models import Subject

router = Router()

# --- lookups: a row named by id, in the case's district (or the caller's); another district's is "not found".


def _officers(district_id: int, ids: list[int]) -> list[Officer]:
    found = Officer.objects.in_bulk(ids)
    missing = [i for i in ids if i not in found or found[i].district_id != district_id]
    if missing:
        raise ValidationFailed("执法人员不存在", code="officer_not_found", details={"officer_ids": missing})
    return [found[i] for i in ids]


def _officer(district_id: int, officer_id: int) -> Officer:
    return _officers(district_id, [officer_id])[0]


def _row[M: models.Model](model: type[M], pk: int | None, code: str, label: str) -> M | None:
    if pk is None:
        return None
    row = model._default_manager.filter(pk=pk).first()
    if row is None:
        raise NotFound(f"{label}不存在", code=code, details={"id": pk})
    return row


def _party(body: PartyIn) -> services.Party:
    return services.Party(**body.model_dump())


def _case(request: HttpRequest, case_id: int) -> Case:
    return selectors.case_detail(request.user, case_id)


def _detail(request: HttpRequest, case_id: int) -> CaseDetailOut:
    case = (
        selectors.cases_in_scope(request.user)
        .select_related("street", "matter", "handler", "co_handler")
        .prefetch_related(
            "steps", "deadlines", "evidence__custody", "submissions", "payments", "measures__deadline", "approvals"
        )
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound("案件不存在或不在您的管辖范围内", code="case_not_found", details={"id": case_id})
    documents = _documents(case, url=f"/api/v1/cases/{case.pk}/documents/{{}}/pdf")
    return CaseDetailOut.from_orm(case).model_copy(update={"documents": documents})


def _documents(case: Case, *, url: str, kinds: frozenset[str] | None = None) -> list[DocumentOut]:
    documents = documents_for_owner(district_id=case.district_id, owner=owner_of(case))
    if kinds is not None:
        documents = documents.filter(kind__in=kinds)
    return [
        DocumentOut(
            id=d.pk,
            kind=d.kind,
            title=d.title,
            number=d.number,
            version=d.version,
            sha256=d.sha256,
            created_at=d.created_at,
            pdf_url=url.format(d.pk),
        )
        for d in documents
    ]


# --- reads


@router.get("", response=list[CaseOut], summary="案件列表（按管辖范围，可按状态、关键词筛选）")
@paginate(Page)
def list_cases(request: HttpRequest, filters: Query[CaseFilterIn]) -> Any:
    return selectors.case_list(request.user, status=filters.status, q=filters.q)


@router.get(
    "/review-queue", response=list[CaseOut], summary="法制审核待办（含听证后待审核的案件；作出决定期限最近者在前）"
)
@paginate(Page)
def review_queue(request: HttpRequest) -> Any:
    # The same queue as the reviewer's page and home page (one selector).
    return selectors.legal_review_queue(request.user).select_related("street", "matter", "handler")


@router.get("/approval-queue", response=list[CaseOut], summary="负责人待审批（立案、决定）")
@paginate(Page)
def approval_queue(request: HttpRequest) -> Any:
    return selectors.approval_queue(request.user).select_related("street", "matter", "handler")


@router.get("/{int:case_id}", response=CaseDetailOut, summary="案件详情（流转、期限、文书、证据、当事人提交、缴款）")
def get_case(request: HttpRequest, case_id: int) -> CaseDetailOut:
    return _detail(request, case_id)


@router.get("/{int:case_id}/deadlines", response=list[DeadlineOut], summary="案件期限（含已完成）")
def case_deadlines(request: HttpRequest, case_id: int) -> Any:
    return list(_case(request, case_id).deadlines.all())


@router.get(
    "/{int:case_id}/documents/{int:document_id}/pdf",
    summary="下载案件文书 PDF（与案件详情同一管辖范围；文件与制作时哈希不符的拒绝下载）",
    openapi_extra={
        "responses": {
            200: {
                "description": "PDF 文件",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def document_pdf(request: HttpRequest, case_id: int, document_id: int) -> HttpResponse:
    case = _case(request, case_id)
    document = document_get(district_id=case.district_id, pk=document_id)
    if document.owner != owner_of(case):
        # Another case's document is "not found" here, as another district's is.
        raise NotFound("文书不存在", code="document_not_found", details={"id": document_id})
    return _pdf(document)


def _pdf(document: Document) -> HttpResponse:
    response = HttpResponse(document_pdf_bytes(document), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="document-{document.pk}-v{document.version}.pdf"'
    response["X-Content-SHA256"] = document.sha256
    return response


# --- leads


@router.post("", response={201: CaseDetailOut}, summary="登记案件线索（手工登记、巡查发现、外单位移送）")
def create_lead(request: HttpRequest, payload: LeadIn) -> Status[CaseDetailOut]:
    street = _row(Street, payload.street_id, "street_not_found", "街道")
    assert street is not None
    case = services.create_lead(
        actor=request.user,
        street=street,
        source=payload.source,
        facts=payload.facts,
        discovered_on=payload.discovered_on,
        violation_ended_on=payload.violation_ended_on,
        party=_party(payload.party),
        matter=_row(Matter, payload.matter_id, "matter_not_found", "执法事项"),
        subject=_row(Subject, payload.subject_id, "subject_not_found", "执法对象"),
        address=payload.address,
        source_note=payload.source_note,
        harms_safety=payload.harms_safety,
        handler=_row(Officer, payload.handler_id, "officer_not_found", "执法人员"),
    )
    return Status(201, _detail(request, case.pk))


@router.post(
    "/from-event", response={201: CaseDetailOut}, summary="由事件（处置完毕、巡查发现、智能感知告警）转为案件线索"
)
def lead_from_event(request: HttpRequest, payload: LeadFromEventIn) -> Status[CaseDetailOut]:
    event = event_get(user=request.user, event_id=payload.event_id)
    subject = _row(Subject, payload.subject_id, "subject_not_found", "执法对象")
    extra: dict[str, Any] = {"harms_safety": payload.harms_safety}
    if payload.violation_ended_on is not None:
        extra["violation_ended_on"] = payload.violation_ended_on
    if payload.facts:
        extra["facts"] = payload.facts
    case = services.lead_from_event(
        actor=request.user,
        event=event,
        discovered_on=payload.discovered_on,
        party=_party(payload.party) if payload.party is not None else None,
        subject=subject,
        **extra,
    )
    return Status(201, _detail(request, case.pk))


@router.post("/on-spot", response={201: CaseDetailOut}, summary="简易程序当场处罚（决定书当场交付并自动备案）")
def decide_on_spot(request: HttpRequest, payload: OnSpotIn) -> Status[CaseDetailOut]:
    street = _row(Street, payload.street_id, "street_not_found", "街道")
    matter = _row(Matter, payload.matter_id, "matter_not_found", "执法事项")
    assert street is not None and matter is not None
    signature = None
    if payload.signature_png:
        try:
            signature = base64.b64decode(payload.signature_png, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationFailed("签名图片不是有效的 Base64 编码", code="signature_invalid") from None
    case = services.decide_on_spot(
        actor=request.user,
        street=street,
        party=_party(payload.party),
        matter=matter,
        facts=payload.facts,
        address=payload.address,
        penalty=payload.penalty,
        fine=payload.fine,
        facts_clear=payload.facts_clear,
        signature_png=signature,
        refused_to_sign=payload.refused_to_sign,
        collect_on_spot=payload.collect_on_spot,
        hard_to_collect_later=payload.hard_to_collect_later,
        receipt_no=payload.receipt_no,
        colleague=_row(Officer, payload.colleague_id, "officer_not_found", "执法人员"),
        subject=_row(Subject, payload.subject_id, "subject_not_found", "执法对象"),
        event=event_get(user=request.user, event_id=payload.event_id) if payload.event_id else None,
    )
    return Status(201, _detail(request, case.pk))


@router.post(
    "/{int:case_id}/party-link", response=PartyLinkOut, summary="生成当事人链接（无账号的当事人网上查阅、申辩）"
)
def party_link(request: HttpRequest, case_id: int) -> PartyLinkOut:
    return PartyLinkOut(token=services.party_link_token(_case(request, case_id), actor=request.user))


# --- the steps of CASE_WORKFLOW: one route each, ``/cases/{id}/actions/<action>``

ACTION = "/{int:case_id}/actions/"


@router.post(ACTION + "submit_filing", response=CaseDetailOut, summary="提请立案（指定两名持证办案人员，APL 42、55）")
def submit_filing(request: HttpRequest, case_id: int, payload: SubmitFilingIn) -> CaseDetailOut:
    case = _case(request, case_id)
    services.submit_filing(
        case,
        actor=request.user,
        legal_date=payload.legal_date,
        handler=_officer(case.district_id, payload.handler_id),
        co_handler=_officer(case.district_id, payload.co_handler_id),
    )
    return _detail(request, case_id)


@router.post(
    ACTION + "approve_filing", response=CaseDetailOut, summary="批准立案（负责人；APL 36 时效、APL 60 期限起算）"
)
def approve_filing(request: HttpRequest, case_id: int, payload: OpinionIn) -> CaseDetailOut:
    services.approve_filing(
        _case(request, case_id), actor=request.user, legal_date=payload.legal_date, opinion=payload.opinion
    )
    return _detail(request, case_id)


@router.post(
    ACTION + "sign",
    response=CaseDetailOut,
    summary="审批层级签署意见（按本区配置的层级顺序；同意或退回，立案退回后回到线索）",
)
def sign(request: HttpRequest, case_id: int, payload: SignIn) -> CaseDetailOut:
    services.sign(
        _case(request, case_id),
        actor=request.user,
        step=payload.step,
        agree=payload.agree,
        text=payload.text,
        legal_date=payload.legal_date,
    )
    return _detail(request, case_id)


@router.post(ACTION + "return_filing", response=CaseDetailOut, summary="退回立案申请（负责人，须填理由）")
def return_filing(request: HttpRequest, case_id: int, payload: ReasonIn) -> CaseDetailOut:
    services.return_filing(
        _case(request, case_id), actor=request.user, legal_date=payload.legal_date, reason=payload.reason
    )
    return _detail(request, case_id)


@router.post(ACTION + "not_file", response=CaseDetailOut, summary="不予立案（负责人，须填理由）")
def not_file(request: HttpRequest, case_id: int, payload: ReasonIn) -> CaseDetailOut:
    services.not_file(_case(request, case_id), actor=request.user, legal_date=payload.legal_date, reason=payload.reason)
    return _detail(request, case_id)


@router.post(
    ACTION + "record_investigation", response=CaseDetailOut, summary="制作现场检查笔录或询问笔录（两名持证人员）"
)
def record_investigation(request: HttpRequest, case_id: int, payload: InvestigationIn) -> CaseDetailOut:
    case = _case(request, case_id)
    services.record_investigation(
        case,
        actor=request.user,
        kind=payload.kind,
        officers=_officers(case.district_id, payload.officer_ids),
        legal_date=payload.legal_date,
        place=payload.place,
        content=payload.content,
    )
    return _detail(request, case_id)


@router.post(ACTION + "recuse", response=CaseDetailOut, summary="决定执法人员回避（负责人，APL 43）")
def recuse(request: HttpRequest, case_id: int, payload: RecuseIn) -> CaseDetailOut:
    case = _case(request, case_id)
    services.recuse(
        case, actor=request.user, officer=_officer(case.district_id, payload.officer_id), reason=payload.reason
    )
    return _detail(request, case_id)


@router.post(ACTION + "conclude", response=CaseDetailOut, summary="调查终结意见（APL 57；是否须法制审核 APL 58）")
def conclude(request: HttpRequest, case_id: int, payload: ConcludeIn) -> CaseDetailOut:
    services.conclude(
        _case(request, case_id), actor=request.user, **payload.model_dump(exclude={"penalty"}), penalty=payload.penalty
    )
    return _detail(request, case_id)


@router.post(ACTION + "withdraw", response=CaseDetailOut, summary="撤案（负责人，须填理由）")
def withdraw(request: HttpRequest, case_id: int, payload: ReasonIn) -> CaseDetailOut:
    services.withdraw(_case(request, case_id), actor=request.user, legal_date=payload.legal_date, reason=payload.reason)
    return _detail(request, case_id)


@router.post(ACTION + "transfer", response=CaseDetailOut, summary="移送其他机关（负责人，须填理由）")
def transfer(request: HttpRequest, case_id: int, payload: ReasonIn) -> CaseDetailOut:
    services.transfer(_case(request, case_id), actor=request.user, legal_date=payload.legal_date, reason=payload.reason)
    return _detail(request, case_id)


@router.post(ACTION + "discuss", response=CaseDetailOut, summary="记录集体讨论（负责人，APL 57 第二款）")
def discuss(request: HttpRequest, case_id: int, payload: DiscussionIn) -> CaseDetailOut:
    services.record_discussion(
        _case(request, case_id), actor=request.user, legal_date=payload.legal_date, minutes=payload.minutes
    )
    return _detail(request, case_id)


@router.post(ACTION + "submit_review", response=CaseDetailOut, summary="提交法制审核（APL 58）")
def submit_review(request: HttpRequest, case_id: int, payload: LegalDateIn) -> CaseDetailOut:
    services.submit_review(_case(request, case_id), actor=request.user, legal_date=payload.legal_date)
    return _detail(request, case_id)


@router.post(
    ACTION + "review", response=CaseDetailOut, summary="法制审核意见：通过（pass_review）或退回（return_review）"
)
def review(request: HttpRequest, case_id: int, payload: ReviewIn) -> CaseDetailOut:
    services.review(
        _case(request, case_id),
        actor=request.user,
        legal_date=payload.legal_date,
        passed=payload.passed,
        opinion=payload.opinion,
    )
    return _detail(request, case_id)


@router.post(
    ACTION + "give_notice", response=CaseDetailOut, summary="事先告知（APL 44、62、63；legal_date 为当事人收到之日）"
)
def give_notice(request: HttpRequest, case_id: int, payload: LegalDateIn) -> CaseDetailOut:
    services.give_notice(_case(request, case_id), actor=request.user, legal_date=payload.legal_date)
    return _detail(request, case_id)


@router.post(
    ACTION + "party_submission",
    response=CaseDetailOut,
    summary="录入当事人的书面陈述申辩、听证申请、放弃申辩或电子送达确认书（received_on 为收到之日）",
)
def party_submission(request: HttpRequest, case_id: int, payload: SubmissionIn) -> CaseDetailOut:
    services.party_submission(
        _case(request, case_id),
        actor=request.user,
        kind=payload.kind,
        text=payload.text,
        received_on=payload.received_on,
        online=False,
    )
    return _detail(request, case_id)


@router.post(
    ACTION + "notify_hearing", response=CaseDetailOut, summary="通知听证（七日前；主持人非本案调查人员，APL 64）"
)
def notify_hearing(request: HttpRequest, case_id: int, payload: NotifyHearingIn) -> CaseDetailOut:
    case = _case(request, case_id)
    services.notify_hearing(
        case,
        actor=request.user,
        legal_date=payload.legal_date,
        chair=_officer(case.district_id, payload.chair_id),
        hearing_on=payload.hearing_on,
    )
    return _detail(request, case_id)


@router.post(ACTION + "hold_hearing", response=CaseDetailOut, summary="举行听证并记录听证笔录（APL 64、65）")
def hold_hearing(request: HttpRequest, case_id: int, payload: HearingIn) -> CaseDetailOut:
    services.hold_hearing(
        _case(request, case_id), actor=request.user, legal_date=payload.legal_date, record=payload.record
    )
    return _detail(request, case_id)


@router.post(
    ACTION + "decide",
    response=CaseDetailOut,
    summary="作出处罚或不予处罚决定（负责人；APL 44、45、57、58、59、62、64）",
)
def decide(request: HttpRequest, case_id: int, payload: DecideIn) -> CaseDetailOut:
    services.decide(
        _case(request, case_id),
        actor=request.user,
        legal_date=payload.legal_date,
        penalty=payload.penalty,
        fine=payload.fine,
    )
    return _detail(request, case_id)


@router.post(ACTION + "serve", response=CaseDetailOut, summary="送达决定书（APL 61；辅助人员可送达）")
def serve(request: HttpRequest, case_id: int, payload: ServeIn) -> CaseDetailOut:
    services.serve(
        _case(request, case_id),
        actor=request.user,
        legal_date=payload.legal_date,
        method=payload.method,
        recipient=payload.recipient,
        witness=payload.witness,
        note=payload.note,
    )
    return _detail(request, case_id)


@router.post(ACTION + "remind", response=CaseDetailOut, summary="催告（缴款期限届满后，ACL 35）")
def remind(request: HttpRequest, case_id: int, payload: LegalDateIn) -> CaseDetailOut:
    services.remind(_case(request, case_id), actor=request.user, legal_date=payload.legal_date)
    return _detail(request, case_id)


@router.post(
    ACTION + "apply_enforcement", response=CaseDetailOut, summary="申请人民法院强制执行（负责人；先催告，ACL 53、54）"
)
def apply_enforcement(request: HttpRequest, case_id: int, payload: OptionalReasonIn) -> CaseDetailOut:
    services.apply_enforcement(
        _case(request, case_id), actor=request.user, legal_date=payload.legal_date, reason=payload.reason
    )
    return _detail(request, case_id)


@router.post(ACTION + "hand_in_cash", response=CaseDetailOut, summary="当场收缴的罚款上缴（二个工作日内，APL 71）")
def hand_in_cash(request: HttpRequest, case_id: int, payload: LegalDateIn) -> CaseDetailOut:
    services.hand_in_cash(_case(request, case_id), actor=request.user, legal_date=payload.legal_date)
    return _detail(request, case_id)


@router.post(ACTION + "close", response=CaseDetailOut, summary="结案（负责人）")
def close(request: HttpRequest, case_id: int, payload: OptionalReasonIn) -> CaseDetailOut:
    services.close(_case(request, case_id), actor=request.user, legal_date=payload.legal_date, reason=payload.reason)
    return _detail(request, case_id)


# --- evidence, measures and deadlines: records beside the workflow's steps, each through its service


@router.post(
    "/{int:case_id}/evidence",
    response={201: CaseDetailOut},
    summary="收集证据（multipart：字段 + 可选 file；文件原样保存并记录 SHA-256，APL 46；辅助人员可收集）",
)
def add_evidence(
    request: HttpRequest, case_id: int, payload: Form[EvidenceIn], file: File[UploadedFile | None] = None
) -> Status[CaseDetailOut]:
    services.add_evidence(
        _case(request, case_id),
        actor=request.user,
        **payload.model_dump(),
        content=file.read() if file is not None else None,
        filename=file.name or "" if file is not None else "",
    )
    return Status(201, _detail(request, case_id))


@router.post(
    "/{int:case_id}/evidence/{int:evidence_id}/custody", response=CaseDetailOut, summary="登记证据保管链的一次经手"
)
def record_custody(request: HttpRequest, case_id: int, evidence_id: int, payload: CustodyIn) -> CaseDetailOut:
    evidence = Evidence.objects.filter(case=_case(request, case_id), pk=evidence_id).first()
    if evidence is None:
        raise NotFound("证据不存在", code="evidence_not_found", details={"id": evidence_id})
    services.record_custody(evidence, actor=request.user, **payload.model_dump())
    return _detail(request, case_id)


@router.post(
    "/{int:case_id}/measures",
    response={201: CaseDetailOut},
    summary="先行登记保存（APL 56，七个工作日内处理）或查封扣押（ACL 25，三十日）；负责人批准",
)
def start_measure(request: HttpRequest, case_id: int, payload: MeasureIn) -> Status[CaseDetailOut]:
    case = _case(request, case_id)
    start = {MeasureKind.PRESERVATION.value: services.preserve, MeasureKind.SEIZURE.value: services.seize}.get(
        payload.kind
    )
    if start is None:
        raise ValidationFailed("措施种类无效", code="measure_kind_invalid", details={"kind": payload.kind})
    start(case, actor=request.user, legal_date=payload.legal_date, items=payload.items, place=payload.place)
    return Status(201, _detail(request, case_id))


def _measure(request: HttpRequest, case_id: int, measure_id: int) -> Measure:
    measure = Measure.objects.filter(case=_case(request, case_id), pk=measure_id).first()
    if measure is None:
        raise NotFound("措施不存在", code="measure_not_found", details={"id": measure_id})
    return measure


@router.post(
    "/{int:case_id}/measures/{int:measure_id}/extend",
    response=CaseDetailOut,
    summary="延长查封扣押期限（仅一次，不超过三十日，ACL 25）",
)
def extend_seizure(request: HttpRequest, case_id: int, measure_id: int, payload: ExtensionIn) -> CaseDetailOut:
    services.extend_seizure(_measure(request, case_id, measure_id), actor=request.user, **payload.model_dump())
    return _detail(request, case_id)


@router.post(
    "/{int:case_id}/measures/{int:measure_id}/testing",
    response=CaseDetailOut,
    summary="登记检测、检验、鉴定期间（不计入查封扣押期限，ACL 25）",
)
def add_testing_period(request: HttpRequest, case_id: int, measure_id: int, payload: TestingPeriodIn) -> CaseDetailOut:
    services.add_testing_period(
        _measure(request, case_id, measure_id), actor=request.user, first=payload.first, last=payload.last
    )
    return _detail(request, case_id)


@router.post(
    "/{int:case_id}/measures/{int:measure_id}/end", response=CaseDetailOut, summary="对保存、查封扣押的物品作出处理决定"
)
def end_measure(request: HttpRequest, case_id: int, measure_id: int, payload: MeasureEndIn) -> CaseDetailOut:
    services.end_measure(
        _measure(request, case_id, measure_id),
        actor=request.user,
        legal_date=payload.legal_date,
        outcome=payload.outcome,
    )
    return _detail(request, case_id)


@router.post(
    "/{int:case_id}/deadlines/decision/extend",
    response=CaseDetailOut,
    summary="延长作出决定的期限（负责人批准并说明理由，APL 60）",
)
def extend_decision_deadline(request: HttpRequest, case_id: int, payload: DecisionExtensionIn) -> CaseDetailOut:
    services.extend_decision_deadline(_case(request, case_id), actor=request.user, **payload.model_dump())
    return _detail(request, case_id)


@router.post("/{int:case_id}/deadlines/{code}/suspend", response=CaseDetailOut, summary="中止期限计算（说明原因）")
def suspend_deadline(request: HttpRequest, case_id: int, code: Text, payload: SuspendIn) -> CaseDetailOut:
    services.suspend_deadline(
        _case(request, case_id), actor=request.user, code=code[:40], since=payload.since, reason=payload.reason
    )
    return _detail(request, case_id)


@router.post("/{int:case_id}/deadlines/{code}/resume", response=CaseDetailOut, summary="恢复期限计算（中止的天数顺延）")
def resume_deadline(request: HttpRequest, case_id: int, code: Text, payload: ResumeIn) -> CaseDetailOut:
    services.resume_deadline(_case(request, case_id), actor=request.user, code=code[:40], on=payload.on)
    return _detail(request, case_id)


# --- the party online (ZJR 23): a business through its login, a person through its link (header X-Party-Token)

PARTY_TOKEN_HEADER = [
    {
        "in": "header",
        "name": "X-Party-Token",
        "required": True,
        "schema": {"type": "string"},
        "description": "当事人链接令牌",
    }
]


def _own_case(request: HttpRequest, case_id: int) -> Case:
    require(jurisdiction_of(request.user).role == Role.BUSINESS_OWNER, "“我的案件”供经营主体使用", code="party_only")
    case = selectors.party_cases(request.user).select_related("matter").filter(pk=case_id).first()
    if case is None:
        raise NotFound("案件不存在", code="case_not_found", details={"id": case_id})
    return case


def _party_view(case: Case, *, url: str) -> PartyCaseOut:
    out = PartyCaseOut.from_orm(case)
    return out.model_copy(update={"documents": _documents(case, url=url, kinds=PARTY_DOCUMENT_KINDS)})


def _party_document(case: Case, document_id: int) -> HttpResponse:
    document = Document.objects.filter(pk=document_id, owner=owner_of(case), kind__in=PARTY_DOCUMENT_KINDS).first()
    if document is None:
        raise NotFound("文书不存在", code="document_not_found", details={"id": document_id})
    return _pdf(document)


def _token_case(request: HttpRequest) -> Case:
    token = request.headers.get("X-Party-Token", "").strip()
    if not token:
        raise ValidationFailed("缺少请求头 X-Party-Token（当事人链接令牌）", code="party_token_required")
    return case_for_party_token(token[:100])


@router.get("/mine", response=list[CaseOut], summary="我的案件（经营主体：所属执法对象为当事人的案件）")
@paginate(Page)
def my_cases(request: HttpRequest) -> Any:
    require(jurisdiction_of(request.user).role == Role.BUSINESS_OWNER, "“我的案件”供经营主体使用", code="party_only")
    return (
        selectors.party_cases(request.user).select_related("street", "matter", "handler").order_by("-created_at", "-pk")
    )


@router.get("/mine/{int:case_id}", response=PartyCaseOut, summary="我的案件详情（送达的文书、我的提交）")
def my_case(request: HttpRequest, case_id: int) -> PartyCaseOut:
    return _party_view(_own_case(request, case_id), url=f"/api/v1/cases/mine/{case_id}/documents/{{}}/pdf")


@router.post(
    "/mine/{int:case_id}/submissions",
    response=PartyCaseOut,
    summary="当事人网上提交陈述申辩、听证申请、放弃申辩或电子送达确认书（收到日期为今天）",
)
def my_case_submit(request: HttpRequest, case_id: int, payload: PartySubmissionIn) -> PartyCaseOut:
    case = _own_case(request, case_id)
    services.party_submission(
        case, actor=request.user, kind=payload.kind, text=payload.text, received_on=timezone.localdate(), online=True
    )
    return _party_view(_own_case(request, case_id), url=f"/api/v1/cases/mine/{case_id}/documents/{{}}/pdf")


@router.get(
    "/mine/{int:case_id}/documents/{int:document_id}/pdf",
    summary="下载送达我的文书 PDF",
    openapi_extra={
        "responses": {
            200: {
                "description": "PDF 文件",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def my_case_pdf(request: HttpRequest, case_id: int, document_id: int) -> HttpResponse:
    return _party_document(_own_case(request, case_id), document_id)


@router.get(
    "/by-link",
    response={200: PartyCaseOut, 404: ErrorOut, 422: ErrorOut},
    auth=None,
    summary="当事人通过链接查看本案（请求头 X-Party-Token）",
    openapi_extra={"parameters": PARTY_TOKEN_HEADER},
)
def link_case(request: HttpRequest) -> PartyCaseOut:
    return _party_view(_token_case(request), url="/api/v1/cases/by-link/documents/{}/pdf")


@router.post(
    "/by-link/submissions",
    response={200: PartyCaseOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    auth=None,
    summary="当事人通过链接网上提交（请求头 X-Party-Token；收到日期为今天）",
    openapi_extra={"parameters": PARTY_TOKEN_HEADER},
)
def link_case_submit(request: HttpRequest, payload: PartySubmissionIn) -> PartyCaseOut:
    case = _token_case(request)
    services.party_submission(
        case,
        actor=party_actor(case),
        kind=payload.kind,
        text=payload.text,
        received_on=timezone.localdate(),
        online=True,
    )
    return _party_view(_token_case(request), url="/api/v1/cases/by-link/documents/{}/pdf")


@router.get(
    "/by-link/documents/{int:document_id}/pdf",
    response={404: ErrorOut, 422: ErrorOut},
    auth=None,
    summary="当事人通过链接下载送达的文书 PDF（请求头 X-Party-Token）",
    openapi_extra={
        "parameters": PARTY_TOKEN_HEADER,
        "responses": {
            200: {
                "description": "PDF 文件",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        },
    },
)
def link_case_pdf(request: HttpRequest, document_id: int) -> HttpResponse:
    return _party_document(_token_case(request), document_id)
