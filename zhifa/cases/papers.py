"""The documents (文书) a case's steps issue, built from the case's records: the context each kind of
``zhifa.documents`` takes, filled from the case, and issued through its services (numbered, rendered to PDF,
stored with its hash). A step that issues a document does so in its own transaction: a document the checker
refuses (APL 59 for decisions) refuses the step, and nothing is written."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings

from zhifa.cases import legal
from zhifa.cases.models import Case, Conclusion, Measure, MeasureKind, PartyKind, PenaltyKind
from zhifa.core.actors import Actor
from zhifa.documents import services as documents
from zhifa.documents.kinds import DocumentKind
from zhifa.documents.models import Document
from zhifa.org.models import Officer


def owner_of(case: Case) -> str:
    return f"case:{case.pk}"


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def party(case: Case) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": case.party_kind,
        "name": case.party_name,
        "address": case.party_address or "（未登记）",
    }
    if case.party_kind == PartyKind.ORGANISATION:
        if case.party_id_number:
            data["uscc"] = case.party_id_number
        if case.party_representative:
            data["legal_representative"] = case.party_representative
    elif case.party_id_number:
        data["id_number"] = case.party_id_number
    if case.party_phone:
        data["phone"] = case.party_phone
    return data


def officers(*people: Officer | None) -> list[dict[str, str]]:
    return [{"name": o.name, "certificate_no": o.certificate_no} for o in people if o is not None]


def legal_basis(case: Case) -> str:
    matter = case.matter
    if matter is None or not (matter.law_name and matter.violated_provision and matter.penalty_provision):
        return ""

    def cited(provision: str) -> str:
        # The catalogue's provisions often quote the law by name already (《城市道路管理条例》第二十七条：……).
        return provision if provision.startswith("《") else f"{matter.law_name}{provision}"

    return f"违反了{cited(matter.violated_provision)}的规定，依据{cited(matter.penalty_provision)}"


def penalty_text(kinds: list[str], fine: Decimal | None) -> str:
    parts = []
    for kind in kinds:
        if kind == PenaltyKind.FINE and fine:
            parts.append(f"罚款人民币{fine}元")
        else:
            parts.append(PenaltyKind(kind).label)
    return "；".join(parts)


def evidence_list(case: Case) -> list[str]:
    items = [f"{e.get_kind_display()}：{e.description}" for e in case.evidence.all()]
    items += [f"{r.get_kind_display()}（{r.made_on.isoformat()}）" for r in case.records.all()]
    return items


def remedy(case: Case) -> dict[str, str]:
    """APL 59 (5): where and within what period the party may seek reconsideration or sue."""
    name = case.district.name
    return {
        "reconsideration_body": getattr(settings, "ZHIFA_RECONSIDERATION_BODY", "") or f"{name}人民政府",
        "reconsideration_period": "六十日",
        "lawsuit_court": getattr(settings, "ZHIFA_LAWSUIT_COURT", "") or f"{name}人民法院",
        "lawsuit_period": "六个月",
    }


def performance(fine: Decimal | None) -> dict[str, str]:
    """APL 59 (4), 66, 67, 72."""
    if not fine:
        return {"method": "自觉履行本决定", "deadline": "自收到本决定书之日起"}
    return {
        "method": (
            "到指定的银行或者通过电子支付系统缴纳罚款（《行政处罚法》第六十七条）；"
            "到期不缴纳罚款的，每日按罚款数额的百分之三加处罚款，加处罚款的数额不超过罚款的数额（《行政处罚法》第七十二条）"
        ),
        "deadline": "自收到本决定书之日起十五日内",
    }


def _issue(case: Case, kind: DocumentKind, context: dict[str, Any], actor: Actor) -> Document:
    return documents.issue_document(
        district=case.district, kind=kind, owner=owner_of(case), context=context, actor=actor
    )


def issue_notice(case: Case, *, actor: Actor, on: dt.date, hearing: bool) -> list[Document]:
    defence = legal.deadline("statement_defence", on)
    issued = [
        _issue(
            case,
            DocumentKind.PENALTY_NOTICE,
            {
                "party": party(case),
                "facts": case.facts,
                "evidence": evidence_list(case),
                "legal_basis": legal_basis(case),
                "intended_penalty": penalty_text(case.intended_penalty, case.intended_fine),
                "statement_period": f"自收到本告知书之日起{defence.length}个工作日内（至{defence.due_on.isoformat()}）",
                **(
                    {"hearing_right": "你（单位）有权要求举行听证，请于收到本告知书之日起五个工作日内提出"}
                    if hearing
                    else {}
                ),
                "issued_on": on,
            },
            actor,
        )
    ]
    if hearing:
        request = legal.deadline("hearing_request", on)
        issued.append(
            _issue(
                case,
                DocumentKind.HEARING_NOTICE,
                {
                    "party": party(case),
                    "intended_penalty": penalty_text(case.intended_penalty, case.intended_fine),
                    "request_period": f"自收到本告知书之日起五个工作日内（至{request.due_on.isoformat()}）",
                    "issued_on": on,
                },
                actor,
            )
        )
    return issued


def issue_decision(case: Case, *, actor: Actor, on: dt.date) -> Document:
    """行政处罚决定书 or 不予行政处罚决定书; the checker refuses one missing an element of APL 59."""
    common = {
        "party": party(case),
        "facts": case.facts,
        "evidence": evidence_list(case),
        "remedy": remedy(case),
        "issued_on": on,
    }
    if case.conclusion == Conclusion.PENALTY:
        context = {
            **common,
            "legal_basis": legal_basis(case),
            "penalty": penalty_text(case.decided_penalty, case.decided_fine),
            **({"fine_amount": str(case.decided_fine)} if case.decided_fine else {}),
            "performance": performance(case.decided_fine),
        }
        return _issue(case, DocumentKind.PENALTY_DECISION, context, actor)
    context = {
        **common,
        "reason": Conclusion(case.conclusion).label,
        "legal_basis": "《中华人民共和国行政处罚法》第三十三条"
        if case.conclusion != Conclusion.NO_PENALTY_UNPROVEN
        else "《中华人民共和国行政处罚法》第五十七条第一款第三项",
        **({"education": case.education_note} if case.education_note else {}),
    }
    return _issue(case, DocumentKind.NO_PENALTY_DECISION, context, actor)


def issue_on_the_spot(
    case: Case, *, actor: Actor, officer: Officer, colleague: Officer | None, on: dt.date
) -> Document:
    context = {
        "party": party(case),
        "facts": case.facts,
        "evidence": evidence_list(case) or ["现场检查"],
        "procedure": "简易程序（当场处罚）",
        "legal_basis": legal_basis(case),
        "penalty": penalty_text(case.decided_penalty, case.decided_fine),
        **({"fine_amount": str(case.decided_fine)} if case.decided_fine else {}),
        "performance": performance(case.decided_fine),
        "remedy": remedy(case),
        "issued_on": on,
        "place": case.address,
        "officers": officers(officer, colleague),
    }
    return documents.issue_from_range(officer=officer, owner=owner_of(case), context=context, actor=actor)


def issue_service_receipt(
    case: Case, *, actor: Actor, on: dt.date, method: str, recipient: str, witness: str, servers: list[Officer]
) -> Document:
    return _issue(
        case,
        DocumentKind.SERVICE_RECEIPT,
        {
            "served_document": f"{'行政处罚决定书' if case.conclusion == Conclusion.PENALTY else '不予行政处罚决定书'} {case.decision_number}",
            "recipient": recipient or case.party_name,
            "served_at": on,
            "place": case.party_address or case.address or "（见送达记录）",
            "method": method,
            "servers": officers(*servers) or [{"name": "（送达人）", "certificate_no": "—"}],
            **({"witness": witness} if witness else {}),
        },
        actor,
    )


def issue_reminder(case: Case, *, actor: Actor, on: dt.date, late_fee: Decimal) -> Document:
    return _issue(
        case,
        DocumentKind.REMINDER,
        {
            "party": party(case),
            "decision_ref": case.decision_number,
            "obligation": "缴纳罚款",
            "amount": str(case.decided_fine or ""),
            "late_fee": str(late_fee),
            "deadline": "收到本催告书之日起十日内（《行政强制法》第三十五条）",
            "manner": "到指定的银行或者通过电子支付系统缴纳",
            "statement_right": "你（单位）有权进行陈述和申辩（《行政强制法》第三十五条）",
            "issued_on": on,
        },
        actor,
    )


def issue_measure(case: Case, measure: Measure, *, actor: Actor) -> Document:
    """先行登记保存通知书 (APL 56) or 查封扣押决定书 (ACL 24–25)."""
    items = [{"name": line.strip(), "quantity": "1"} for line in measure.items.splitlines() if line.strip()]
    common = {
        "party": party(case),
        "facts": case.facts,
        "legal_basis": legal_basis(case),
        "items": items,
        "issued_on": measure.started_on,
    }
    if measure.kind == MeasureKind.PRESERVATION:
        return _issue(case, DocumentKind.PRESERVATION_NOTICE, {**common, "keeping_place": measure.place}, actor)
    context = {**common, "measure": "扣押", "place": measure.place, "period_days": "三十日", "remedy": remedy(case)}
    return _issue(case, DocumentKind.SEIZURE_DECISION, context, actor)


def case_cause(case: Case) -> str:
    """案由: the matter's name as a case (擅自占用城市道路案), or the facts' first words without a matter."""
    if case.matter is not None:
        return f"{case.party_name}{case.matter.name}案"
    return f"{case.facts[:30]}案"


def _approval(role: str, opinion: str, name: str, on: dt.date) -> dict[str, str]:
    return {"role": role, "opinion": opinion, "name": name, "signed_on": on.isoformat()}


def issue_source_register(case: Case, *, actor: Actor, registered_by: list[dict[str, str]]) -> Document:
    """案件来源登记表: where the lead came from, when, and who registered it."""
    return _issue(
        case,
        DocumentKind.CASE_SOURCE_REGISTER,
        {
            "source": f"{case.get_source_display()}{('：' + case.source_note) if case.source_note else ''}",
            "received_on": case.discovered_on,
            "party": party(case),
            "summary": case.facts,
            "registered_by": registered_by,
        },
        actor,
    )


def issue_filing_approval(case: Case, *, actor: Actor, approver: str, opinion: str, on: dt.date) -> Document:
    """立案审批表, with the head's approval."""
    return _issue(
        case,
        DocumentKind.FILING_APPROVAL,
        {
            "case_no": case.number,
            "case_cause": case_cause(case),
            "party": party(case),
            "source": case.get_source_display(),
            "facts": case.facts,
            "legal_basis": legal_basis(case),
            "handler_opinion": "经初步核查，当事人涉嫌违法，建议立案调查",
            "officers": officers(case.handler, case.co_handler),
            "approvals": [_approval("机关负责人意见", opinion or "同意立案", approver, on)],
        },
        actor,
    )


def issue_record(
    case: Case, *, actor: Actor, kind: str, officers_present: list[Officer], on: dt.date, place: str, content: str
) -> Document:
    """现场检查笔录 or 询问笔录, signed by the officers who made it."""
    common = {
        "place": place or case.address or "现场",
        "started_at": on,
        "ended_at": on,
        "officers": officers(*officers_present),
    }
    if kind == "inspection":
        return _issue(case, DocumentKind.INSPECTION_RECORD, {**common, "party": party(case), "content": content}, actor)
    return _issue(
        case,
        DocumentKind.INQUIRY_RECORD,
        {**common, "interviewee": party(case), "questions": [{"question": "询问内容", "answer": content}]},
        actor,
    )


def issue_hearing_record(
    case: Case, *, actor: Actor, chair: str, recorder: str, held_on: dt.date, record: str
) -> Document:
    return _issue(
        case,
        DocumentKind.HEARING_RECORD,
        {
            "case_cause": case_cause(case),
            "held_at": held_on,
            "place": f"{case.district.agency_name}听证室",
            "chair": chair,
            "recorder": recorder,
            "party": party(case),
            "investigators": officers(case.handler, case.co_handler),
            "proceedings": [{"speaker": "听证记录", "text": record}],
        },
        actor,
    )


def issue_closing_approval(case: Case, *, actor: Actor, approver: str, on: dt.date, execution: str) -> Document:
    """结案审批表."""
    outcome = (
        f"{case.decision_number} {penalty_text(case.decided_penalty, case.decided_fine)}"
        if case.conclusion == Conclusion.PENALTY
        else f"{case.decision_number} {Conclusion(case.conclusion).label}"
        if case.conclusion
        else "（无）"
    )
    return _issue(
        case,
        DocumentKind.CLOSING_APPROVAL,
        {
            "case_no": case.number,
            "case_cause": case_cause(case),
            "party": party(case),
            "outcome": outcome,
            "execution": execution,
            "handler_opinion": "本案已执行完毕，建议结案",
            "approvals": [_approval("机关负责人意见", "同意结案", approver, on)],
        },
        actor,
    )


# What the party is given to read (its own page, its link, the API): the notices and decisions served on it, not
# the agency's internal forms.
PARTY_DOCUMENT_KINDS = frozenset(
    {
        DocumentKind.PRESERVATION_NOTICE,
        DocumentKind.SEIZURE_DECISION,
        DocumentKind.RECTIFICATION_ORDER,
        DocumentKind.PENALTY_NOTICE,
        DocumentKind.HEARING_NOTICE,
        DocumentKind.PENALTY_DECISION,
        DocumentKind.ON_THE_SPOT_DECISION,
        DocumentKind.NO_PENALTY_DECISION,
        DocumentKind.REMINDER,
    }
)


def documents_of(case: Case) -> list[Document]:
    return list(Document.objects.filter(owner=owner_of(case)).order_by("created_at", "pk"))
