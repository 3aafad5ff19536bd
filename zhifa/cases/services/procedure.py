"""The general procedure (普通程序), step by step. Each service locks the case, checks who acts, the step's
legal date and the rules of law that apply (each refusal with its own code and article, nothing written), then
applies ``CASE_WORKFLOW`` and starts or meets the deadlines the step concerns."""

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from zhifa.cases import legal, papers
from zhifa.cases.discretion import outside_benchmark
from zhifa.cases.models import (
    ApprovalStep,
    Case,
    CaseStatus,
    Conclusion,
    Hearing,
    InvestigationRecord,
    LegalReview,
    PartySubmission,
    PenaltyKind,
    RecordKind,
    ReviewOutcome,
    Service,
    ServiceMethod,
    SubmissionKind,
)
from zhifa.cases.services.approvals import require_ladder_complete
from zhifa.cases.services.common import (
    actor_label,
    apply_step,
    case_transaction,
    certified_on,
    check_legal_date,
    close_windows,
    locked,
    meet_deadlines,
    require_approver,
    require_handler,
    require_reviewer,
    require_server,
    start_deadline,
)
from zhifa.cases.states import CaseAction as A
from zhifa.core.actors import Actor, actor_user
from zhifa.core.audit import audit_record
from zhifa.core.errors import Conflict, PermissionDenied, ValidationFailed
from zhifa.core.files import file_store
from zhifa.org.models import Officer


def _limitation(case: Case) -> None:
    """APL 36: not punishable once undiscovered for 2 years (5 where life, health or financial safety was harmed);
    a continuing violation counts from its end."""
    verdict = legal.limitation_expired(
        violation_ended_on=case.violation_ended_on,
        discovered_on=case.discovered_on,
        harmed_life_health_or_finance=case.harms_safety,
    )
    if verdict.expired:
        raise Conflict(
            f"{verdict.reason}（《行政处罚法》第三十六条）",
            code="limitation_expired",
            details={"last_day": verdict.last_day.isoformat()},
        )


def submit_filing(case: Case, *, actor: Actor, legal_date: dt.date, handler: Officer, co_handler: Officer) -> Case:
    """The handler asks the head to file the case, naming the two officers who will handle it (APL 42, 55)."""
    require_handler(actor, case, what="提请立案")
    with case_transaction():
        case = locked(case)
        check_legal_date(case, legal_date)
        _limitation(case)
        _two_certified([handler, co_handler], on=legal_date, case=case)
        return apply_step(
            case,
            A.SUBMIT_FILING,
            actor=actor,
            legal_date=legal_date,
            updates={"handler": handler, "co_handler": co_handler},
        )


def approve_filing(case: Case, *, actor: Actor, legal_date: dt.date, opinion: str = "") -> Case:
    """The head approves the filing (立案); the decision is due 90 days later (APL 60)."""
    require_approver(actor, case, what="批准立案")
    with case_transaction():
        case = locked(case)
        check_legal_date(case, legal_date)
        require_ladder_complete(case, ApprovalStep.FILING, actor)
        _limitation(case)
        meet_deadlines(case, ["lead_check"], legal_date)
        start_deadline(case, "decision", legal_date)
        case = apply_step(
            case, A.APPROVE_FILING, actor=actor, legal_date=legal_date, reason=opinion, updates={"filed_on": legal_date}
        )
        papers.issue_filing_approval(case, actor=actor, approver=actor_label(actor), opinion=opinion, on=legal_date)
        return case


def return_filing(case: Case, *, actor: Actor, legal_date: dt.date, reason: str) -> Case:
    require_approver(actor, case, what="退回立案申请")
    with case_transaction():
        case = locked(case)
        check_legal_date(case, legal_date)
        return apply_step(case, A.RETURN_FILING, actor=actor, legal_date=legal_date, reason=reason)


def not_file(case: Case, *, actor: Actor, legal_date: dt.date, reason: str) -> Case:
    require_approver(actor, case, what="决定不予立案")
    with case_transaction():
        case = locked(case)
        check_legal_date(case, legal_date)
        meet_deadlines(case, ["lead_check"], legal_date)
        return apply_step(case, A.NOT_FILE, actor=actor, legal_date=legal_date, reason=reason)


def _two_certified(officers: list[Officer], *, on: dt.date, case: Case) -> None:
    """APL 42, 55: at least two officers holding valid enforcement certificates; none recused (APL 43)."""
    distinct = {o.pk: o for o in officers if o is not None}
    if len(distinct) < 2:
        raise ValidationFailed(
            "执法人员不得少于两人（《行政处罚法》第四十二条）",
            code="two_officers_required",
            details={"count": len(distinct)},
        )
    for officer in distinct.values():
        if officer.district_id != case.district_id:
            raise ValidationFailed("执法人员不属于本机关", code="officer_not_found", details={"officer": officer.pk})
        if not certified_on(officer, on):
            raise ValidationFailed(
                f"{officer.name}在{on.isoformat()}未持有有效执法证件，不得从事执法（《行政处罚法》第四十二条）",
                code="certificate_invalid",
                details={"officer": officer.pk},
            )
        if officer.pk in set(case.recusals.values_list("officer_id", flat=True)):
            raise ValidationFailed(
                f"{officer.name}已决定回避，不得参与本案调查（《行政处罚法》第四十三条）",
                code="officer_recused",
                details={"officer": officer.pk},
            )


def record_investigation(
    case: Case,
    *,
    actor: Actor,
    kind: str,
    officers: list[Officer],
    legal_date: dt.date,
    place: str,
    content: str,
) -> InvestigationRecord:
    """A 现场检查笔录 or 询问笔录, made by at least two certified officers (APL 42, 55)."""
    require_handler(actor, case, what="制作调查笔录")
    if kind not in RecordKind.values:
        raise ValidationFailed("笔录种类无效", code="record_kind_invalid", details={"kind": kind})
    if not content.strip():
        raise ValidationFailed("请填写笔录内容", code="record_content_required")
    with case_transaction():
        case = locked(case)
        check_legal_date(case, legal_date)
        _two_certified(officers, on=legal_date, case=case)
        record = InvestigationRecord.objects.create(
            case=case,
            kind=kind,
            made_on=legal_date,
            place=place.strip(),
            content=content.strip(),
            recorded_by=actor_user(actor),
        )
        record.officers.set(officers)
        papers.issue_record(
            case,
            actor=actor,
            kind=kind,
            officers_present=officers,
            on=legal_date,
            place=place.strip(),
            content=content.strip(),
        )
        apply_step(case, A.RECORD_INVESTIGATION, actor=actor, legal_date=legal_date, reason=RecordKind(kind).label)
    return record


def recuse(case: Case, *, actor: Actor, officer: Officer, reason: str) -> None:
    """APL 43: the head decides an officer's recusal; a recused officer takes no further part."""
    require_approver(actor, case, what="决定回避")
    if not reason.strip():
        raise ValidationFailed("请填写回避理由", code="reason_required")
    with case_transaction():
        case = locked(case)
        case.recusals.get_or_create(
            officer=officer, defaults={"reason": reason.strip(), "decided_by": actor_user(actor)}
        )
        updates: dict[str, Any] = {}
        if case.handler_id == officer.pk:
            updates["handler"] = None
        if case.co_handler_id == officer.pk:
            updates["co_handler"] = None
        for name, value in updates.items():
            setattr(case, name, value)
        if updates:
            case.save(update_fields=[*updates, "updated_at"])
        audit_record(actor=actor, action="case.recuse", obj=case, after={"officer": officer.pk}, reason=reason)


def _hearing_applies(party_kind: str, penalty: list[str], fine: Decimal | None) -> bool:
    return legal.hearing_required(party_kind=party_kind, fine=fine, measures=penalty).required


def _money(value: Decimal | None) -> Decimal | None:
    return None if value is None else legal.money(value, name="罚款金额")


def _penalties(kinds: list[str]) -> list[str]:
    unknown = [k for k in kinds if k not in PenaltyKind.values]
    if unknown:
        raise ValidationFailed("处罚种类无效", code="penalty_kind_invalid", details={"kinds": unknown})
    return list(dict.fromkeys(kinds))


def conclude(
    case: Case,
    *,
    actor: Actor,
    legal_date: dt.date,
    conclusion: str,
    penalty: list[str] | None = None,
    fine: Decimal | None = None,
    is_complex: bool = False,
    discretion_reason: str = "",
    needs_legal_review: bool = False,
    education_note: str = "",
) -> Case:
    """End of investigation (APL 57): the proposed outcome. Legal review becomes required (APL 58) for complex or
    major cases, where a hearing applies, or where the fine leaves the discretion benchmark's range."""
    require_handler(actor, case, what="提出调查终结意见")
    if conclusion not in Conclusion.values:
        raise ValidationFailed("调查终结意见无效", code="conclusion_invalid", details={"conclusion": conclusion})
    kinds = _penalties(penalty or [])
    fine = _money(fine)
    if conclusion == Conclusion.PENALTY:
        if not kinds:
            raise ValidationFailed("请选择拟处罚种类", code="penalty_required")
        if (PenaltyKind.FINE in kinds) != (fine is not None and fine > 0):
            raise ValidationFailed("处罚种类含罚款时须填写罚款金额，反之不填", code="fine_mismatch")
    elif kinds or fine:
        raise ValidationFailed("不予处罚的，不填写处罚种类和罚款", code="penalty_with_no_penalty")
    if (
        conclusion == Conclusion.NO_PENALTY_FIRST
        and case.matter is not None
        and not case.matter.is_first_violation_exempt
    ):
        raise ValidationFailed(
            "该事项未列入首违不罚清单（《行政处罚法》第三十三条）", code="first_violation_not_applicable"
        )
    if conclusion in (Conclusion.NO_PENALTY_FIRST, Conclusion.NO_PENALTY_MINOR) and not education_note.strip():
        raise ValidationFailed(
            "不予行政处罚的，应当对当事人进行教育，请填写教育记录（《行政处罚法》第三十三条）",
            code="education_required",
        )
    with case_transaction():
        case = locked(case)
        check_legal_date(case, legal_date)
        review = needs_legal_review or is_complex
        if conclusion == Conclusion.PENALTY:
            if _hearing_applies(case.party_kind, kinds, fine):
                review = True
            outside = outside_benchmark(case.matter, fine) if case.matter is not None else None
            if outside:
                if not discretion_reason.strip():
                    raise ValidationFailed(
                        f"拟罚款{fine}元超出裁量基准（{outside}），须说明理由并经法制审核",
                        code="discretion_reason_required",
                        details={"range": outside},
                    )
                review = True
        return apply_step(
            case,
            A.CONCLUDE,
            actor=actor,
            legal_date=legal_date,
            reason=Conclusion(conclusion).label,
            updates={
                "conclusion": conclusion,
                "intended_penalty": kinds,
                "intended_fine": fine,
                "is_complex": is_complex,
                "needs_legal_review": review,
                "discretion_reason": discretion_reason.strip(),
                "education_note": education_note.strip(),
            },
        )


def withdraw(case: Case, *, actor: Actor, legal_date: dt.date, reason: str) -> Case:
    require_approver(actor, case, what="决定撤案")
    with case_transaction():
        case = locked(case)
        check_legal_date(case, legal_date)
        meet_deadlines(case, [d.code for d in case.deadlines.filter(met_on__isnull=True)], legal_date)
        return apply_step(case, A.WITHDRAW, actor=actor, legal_date=legal_date, reason=reason)


def transfer(case: Case, *, actor: Actor, legal_date: dt.date, reason: str) -> Case:
    require_approver(actor, case, what="决定移送")
    with case_transaction():
        case = locked(case)
        check_legal_date(case, legal_date)
        meet_deadlines(case, [d.code for d in case.deadlines.filter(met_on__isnull=True)], legal_date)
        return apply_step(case, A.TRANSFER, actor=actor, legal_date=legal_date, reason=reason)


def record_discussion(case: Case, *, actor: Actor, legal_date: dt.date, minutes: str) -> Case:
    """Collective discussion by the agency's heads (APL 57 para. 2), for complex or major cases."""
    require_approver(actor, case, what="记录集体讨论")
    if not minutes.strip():
        raise ValidationFailed("请填写集体讨论纪要", code="minutes_required")
    with case_transaction():
        case = locked(case)
        check_legal_date(case, legal_date)
        return apply_step(
            case,
            A.DISCUSS,
            actor=actor,
            legal_date=legal_date,
            reason=minutes.strip(),
            updates={"collective_discussion_on": legal_date, "collective_discussion_minutes": minutes.strip()},
        )


def submit_review(case: Case, *, actor: Actor, legal_date: dt.date) -> Case:
    require_handler(actor, case, what="提交法制审核")
    with case_transaction():
        case = locked(case)
        check_legal_date(case, legal_date)
        return apply_step(case, A.SUBMIT_REVIEW, actor=actor, legal_date=legal_date)


def review(case: Case, *, actor: Actor, legal_date: dt.date, passed: bool, opinion: str) -> Case:
    """The legal reviewer's opinion (APL 58, ZJR 24): passed, or returned to investigation with reasons."""
    require_reviewer(actor, case)
    reviewer = actor_user(actor)
    if reviewer is None:
        raise PermissionDenied("法制审核由法制审核人员作出", code="permission_denied")
    if not opinion.strip():
        raise ValidationFailed("请填写审核意见", code="opinion_required")
    with case_transaction():
        case = locked(case)
        check_legal_date(case, legal_date)
        LegalReview.objects.create(
            case=case,
            reviewer=reviewer,
            outcome=ReviewOutcome.PASSED if passed else ReviewOutcome.RETURNED,
            opinion=opinion.strip(),
            reviewed_on=legal_date,
        )
        action = A.PASS_REVIEW if passed else A.RETURN_REVIEW
        return apply_step(case, action, actor=actor, legal_date=legal_date, reason=opinion.strip())


def give_notice(case: Case, *, actor: Actor, legal_date: dt.date) -> Case:
    """Prior notice (事先告知, APL 44, 62, 63): the intended penalty, facts, reasons and basis, and the rights to
    state, defend and (where it applies) request a hearing. ``legal_date`` is the day the party received it;
    the defence period and the hearing request's 5 working days count from it."""
    require_handler(actor, case, what="事先告知")
    with case_transaction():
        case = locked(case)
        check_legal_date(case, legal_date)
        start_deadline(case, "statement_defence", legal_date)
        hearing = _hearing_applies(case.party_kind, case.intended_penalty, case.intended_fine)
        if hearing:
            start_deadline(case, "hearing_request", legal_date)
        case = apply_step(
            case, A.GIVE_NOTICE, actor=actor, legal_date=legal_date, updates={"notice_served_on": legal_date}
        )
        papers.issue_notice(case, actor=actor, on=legal_date, hearing=hearing)
        return case


def party_submission(
    case: Case, *, actor: Actor, kind: str, text: str, received_on: dt.date, online: bool = False
) -> PartySubmission:
    """The party's statement and defence, hearing request, waiver, or consent to electronic service — online (the
    party itself) or entered from paper by a handler. Counts from ``received_on``."""
    from zhifa.cases.services.party import require_party_or_handler

    require_party_or_handler(actor, case, online=online)
    if kind not in SubmissionKind.values:
        raise ValidationFailed("提交种类无效", code="submission_kind_invalid", details={"kind": kind})
    if kind == SubmissionKind.STATEMENT and not text.strip():
        raise ValidationFailed("请填写陈述申辩内容", code="statement_required")
    with case_transaction():
        case = locked(case)
        if kind == SubmissionKind.E_SERVICE_CONSENT:
            check_legal_date(case, received_on)
            submission = PartySubmission.objects.create(
                case=case,
                kind=kind,
                text=text.strip(),
                received_on=received_on,
                online=online,
                entered_by=actor_user(actor),
            )
            audit_record(actor=actor, action="case.e_service_consent", obj=case, after={"received_on": received_on})
            return submission
        if case.notice_served_on is None:
            raise Conflict("尚未事先告知，不能提交陈述申辩或听证申请", code="not_noticed")
        check_legal_date(case, received_on, not_before=case.notice_served_on)
        if kind == SubmissionKind.HEARING_REQUEST:
            _hearing_request_in_time(case, received_on)
        submission = PartySubmission.objects.create(
            case=case,
            kind=kind,
            text=text.strip(),
            received_on=received_on,
            online=online,
            entered_by=actor_user(actor),
        )
        action = {
            SubmissionKind.STATEMENT: A.PARTY_STATEMENT,
            SubmissionKind.WAIVER: A.WAIVE_DEFENCE,
            SubmissionKind.HEARING_REQUEST: A.REQUEST_HEARING,
        }[SubmissionKind(kind)]
        updates: dict[str, Any] = {}
        if kind == SubmissionKind.WAIVER:
            updates["defence_waived_on"] = received_on
            close_windows(case, ["statement_defence"], received_on)
        if kind == SubmissionKind.HEARING_REQUEST:
            updates["hearing_requested_on"] = received_on
            close_windows(case, ["hearing_request"], received_on)
        apply_step(case, action, actor=actor, legal_date=received_on, reason=text.strip()[:500], updates=updates)
    return submission


def _hearing_request_in_time(case: Case, received_on: dt.date) -> None:
    """APL 63–64: a hearing where the penalty calls for one, requested within 5 working days of the notice."""
    if not _hearing_applies(case.party_kind, case.intended_penalty, case.intended_fine):
        raise Conflict(
            "拟作出的处罚不属于应当告知听证权利的情形（《行政处罚法》第六十三条）", code="hearing_not_applicable"
        )
    assert case.notice_served_on is not None
    last_day = legal.deadline("hearing_request", case.notice_served_on).due_on
    if received_on > last_day:
        raise Conflict(
            f"听证申请应在告知后五个工作日内提出，期限已于{last_day.isoformat()}届满（《行政处罚法》第六十四条）",
            code="hearing_request_late",
            details={"last_day": last_day.isoformat()},
        )


def notify_hearing(case: Case, *, actor: Actor, legal_date: dt.date, chair: Officer, hearing_on: dt.date) -> Hearing:
    """Notice of the hearing at least 7 days before it (APL 64 (1)); the chair did not investigate (APL 64 (4))."""
    require_handler(actor, case, what="通知听证")
    with case_transaction():
        case = locked(case)
        check_legal_date(case, legal_date)
        _chair_not_investigator(case, chair)
        earliest = legal_date + dt.timedelta(days=7)
        if hearing_on < earliest:
            raise ValidationFailed(
                f"应当在举行听证的七日前通知当事人，听证日期不得早于{earliest.isoformat()}（《行政处罚法》第六十四条）",
                code="hearing_notice_too_late",
                details={"earliest": earliest.isoformat()},
            )
        hearing, _ = Hearing.objects.update_or_create(case=case, defaults={"chair": chair, "notified_on": legal_date})
        apply_step(
            case,
            A.NOTIFY_HEARING,
            actor=actor,
            legal_date=legal_date,
            reason=f"听证定于{hearing_on.isoformat()}，主持人{chair.name}",
        )
    return hearing


def _chair_not_investigator(case: Case, chair: Officer) -> None:
    investigators = {case.handler_id, case.co_handler_id} | set(
        InvestigationRecord.officers.through.objects.filter(investigationrecord__case=case).values_list(
            "officer_id", flat=True
        )
    )
    if chair.pk in investigators:
        raise ValidationFailed(
            "听证由行政机关指定的非本案调查人员主持（《行政处罚法》第六十四条）", code="hearing_chair_investigated"
        )


def hold_hearing(case: Case, *, actor: Actor, legal_date: dt.date, record: str) -> Case:
    """The hearing is held and its record (听证笔录) kept; the decision must rest on it (APL 65), and legal review
    becomes required (APL 58 (3))."""
    require_handler(actor, case, what="记录听证")
    if not record.strip():
        raise ValidationFailed("请填写听证笔录", code="hearing_record_required")
    with case_transaction():
        case = locked(case)
        hearing = Hearing.objects.filter(case=case).first()
        if hearing is None:
            raise Conflict("尚未通知听证", code="hearing_not_notified")
        check_legal_date(case, legal_date)
        if legal_date < hearing.notified_on + dt.timedelta(days=7):
            raise ValidationFailed(
                "听证举行日距通知不足七日（《行政处罚法》第六十四条）", code="hearing_notice_too_late"
            )
        hearing.held_on = legal_date
        hearing.record = record.strip()
        hearing.save(update_fields=["held_on", "record"])
        papers.issue_hearing_record(
            case,
            actor=actor,
            chair=hearing.chair.name,
            recorder=actor_label(actor),
            held_on=legal_date,
            record=record.strip(),
        )
        return apply_step(
            case, A.HOLD_HEARING, actor=actor, legal_date=legal_date, updates={"needs_legal_review": True}
        )


def review_after_hearing(case: Case, *, actor: Actor, legal_date: dt.date, passed: bool, opinion: str) -> Case:
    """Legal review of a case after its hearing (APL 58 (3)), recorded while the case stays heard."""
    return review(case, actor=actor, legal_date=legal_date, passed=passed, opinion=opinion)


def _review_passed_since(case: Case, since: dt.date | None) -> bool:
    last = LegalReview.objects.filter(case=case).order_by("-created_at", "-pk").first()
    return last is not None and last.outcome == ReviewOutcome.PASSED and (since is None or last.reviewed_on >= since)


def decide(
    case: Case,
    *,
    actor: Actor,
    legal_date: dt.date,
    penalty: list[str] | None = None,
    fine: Decimal | None = None,
) -> Case:
    """The head's decision (APL 57). Refused, with nothing written, when the law's conditions are not met:
    - no decision of a penalty before the notice, nor before the defence period has ended unless the party waived
      it in writing (APL 44, 62); a hearing requested in time blocks it until the hearing is held (APL 63–65);
    - no decision while a required legal review has not passed (APL 58), including after a hearing;
    - a complex or major case needs its collective discussion first (APL 57 para. 2);
    - the penalty may not exceed the one noticed (APL 45: not increased because of a defence)."""
    require_approver(actor, case, what="作出行政处罚决定")
    kinds = _penalties(penalty if penalty is not None else list(case.intended_penalty))
    fine = _money(fine if fine is not None else case.intended_fine)
    with case_transaction():
        case = locked(case)
        check_legal_date(case, legal_date)
        if case.conclusion == Conclusion.PENALTY:
            _may_decide_penalty(case, legal_date, kinds, fine)
        else:
            kinds, fine = [], None
        require_ladder_complete(case, ApprovalStep.DECISION, actor)
        if case.is_complex and case.collective_discussion_on is None:
            raise Conflict(
                "情节复杂或者重大违法行为给予行政处罚，行政机关负责人应当集体讨论决定（《行政处罚法》第五十七条）",
                code="collective_discussion_required",
            )
        meet_deadlines(case, ["decision"], legal_date)
        close_windows(case, ["statement_defence", "hearing_request"], legal_date)
        start_deadline(case, "decision_service", legal_date)
        case.decided_penalty, case.decided_fine = kinds, fine
        decision = papers.issue_decision(case, actor=actor, on=legal_date)
        return apply_step(
            case,
            A.DECIDE,
            actor=actor,
            legal_date=legal_date,
            reason=decision.number,
            updates={
                "decided_penalty": kinds,
                "decided_fine": fine,
                "decided_on": legal_date,
                "decision_number": decision.number,
            },
        )


def _may_decide_penalty(case: Case, legal_date: dt.date, kinds: list[str], fine: Decimal | None) -> None:
    if case.notice_served_on is None:
        raise Conflict("未事先告知当事人，不得作出行政处罚决定（《行政处罚法》第六十二条）", code="not_noticed")
    if case.defence_waived_on is None:
        last_day = legal.deadline("statement_defence", case.notice_served_on).due_on
        if legal_date <= last_day:
            raise Conflict(
                f"陈述申辩期限至{last_day.isoformat()}届满，届满前不得作出决定，当事人书面放弃的除外（《行政处罚法》第四十四条、第六十二条）",
                code="defence_period_running",
                details={"last_day": last_day.isoformat()},
            )
    if case.status == CaseStatus.NOTICED and _hearing_applies(
        case.party_kind, case.intended_penalty, case.intended_fine
    ):
        last_day = legal.deadline("hearing_request", case.notice_served_on).due_on
        if legal_date <= last_day:
            raise Conflict(
                f"听证申请期限至{last_day.isoformat()}届满，届满前不得作出决定（《行政处罚法》第六十四条）",
                code="hearing_request_period_running",
                details={"last_day": last_day.isoformat()},
            )
    if case.needs_legal_review:
        since = case.hearing.held_on if case.status == CaseStatus.HEARD else None
        if not _review_passed_since(case, since):
            raise Conflict(
                "本案须经法制审核，未经审核或审核未通过的，不得作出决定（《行政处罚法》第五十八条）",
                code="legal_review_required",
            )
    increased = [k for k in kinds if k not in case.intended_penalty]
    if increased or (fine or 0) > (case.intended_fine or 0):
        raise Conflict(
            "决定的处罚不得重于事先告知的处罚；加重须重新告知（《行政处罚法》第四十五条）",
            code="penalty_exceeds_notice",
            details={"noticed_fine": str(case.intended_fine), "fine": str(fine)},
        )
    if not kinds:
        raise ValidationFailed("请选择处罚种类", code="penalty_required")


def serve(
    case: Case,
    *,
    actor: Actor,
    legal_date: dt.date,
    method: str,
    recipient: str = "",
    witness: str = "",
    note: str = "",
    photo: bytes | None = None,
    photo_name: str = "",
) -> Service:
    """Service of the decision (APL 61, CPL 87–95). ``legal_date`` is the day it counts as served: the receipt's
    date, the day it was left with a witness, the postal receipt's date; a public notice counts 30 days after
    it was published. Electronic service needs the party's consent. Payment (APL 67: 15 days), reconsideration
    (60 days) and lawsuit (6 months) count from it."""
    require_server(actor, case, what="送达文书")
    if method not in ServiceMethod.values:
        raise ValidationFailed("送达方式无效", code="service_method_invalid", details={"method": method})
    if method == ServiceMethod.LEFT and not witness.strip() and not photo:
        raise ValidationFailed(
            "留置送达须邀请见证人并记录其姓名，或者拍照、录像记录送达过程（《民事诉讼法》第八十九条）",
            code="witness_required",
        )
    if photo is not None and len(photo) > 20 * 1024 * 1024:
        raise ValidationFailed("照片超过20MB", code="photo_too_large")
    with case_transaction():
        case = locked(case)
        check_legal_date(case, legal_date)
        if (
            method == ServiceMethod.ELECTRONIC
            and not case.submissions.filter(kind=SubmissionKind.E_SERVICE_CONSENT).exists()
        ):
            raise Conflict(
                "当事人未同意并签订确认书的，不得电子送达（《行政处罚法》第六十一条）",
                code="electronic_service_without_consent",
            )
        served_on = (
            legal.deadline("public_notice_service", legal_date).due_on
            if method == ServiceMethod.PUBLIC_NOTICE
            else legal_date
        )
        service = Service.objects.create(
            case=case,
            document_kind="行政处罚决定书" if case.conclusion == Conclusion.PENALTY else "不予行政处罚决定书",
            document_number=case.decision_number,
            method=method,
            served_on=served_on,
            recipient=recipient.strip(),
            witness=witness.strip(),
            note=note.strip(),
            served_by=actor_user(actor),
        )
        if photo:
            service.photo_sha256 = hashlib.sha256(photo).hexdigest()
            file_store(service.photo, photo_name or f"service-{service.pk}.jpg", photo)
            service.save(update_fields=["photo", "photo_sha256"])
        servers = [o for o in (case.handler, case.co_handler) if o is not None]
        papers.issue_service_receipt(
            case,
            actor=actor,
            on=legal_date,
            method=ServiceMethod(method).label,
            recipient=recipient.strip(),
            witness=witness.strip(),
            servers=servers,
        )
        meet_deadlines(case, ["decision_service"], legal_date)
        if case.decided_fine:
            start_deadline(case, "payment", served_on)
        start_deadline(case, "reconsideration", served_on)
        start_deadline(case, "lawsuit", served_on)
        apply_step(
            case,
            A.SERVE,
            actor=actor,
            legal_date=legal_date,
            reason=ServiceMethod(method).label,
            updates={"served_on": served_on},
        )
    return service


def remind(case: Case, *, actor: Actor, legal_date: dt.date) -> Case:
    """A written reminder (催告) before compulsory execution (ACL 35), once the payment is overdue."""
    require_handler(actor, case, what="催告")
    with case_transaction():
        case = locked(case)
        check_legal_date(case, legal_date)
        due = case.deadlines.filter(code="payment").values_list("due_on", flat=True).first()
        if due is None or legal_date <= due:
            raise Conflict("缴款期限届满前不得催告（《行政强制法》第三十五条）", code="payment_not_overdue")
        fee = legal.late_fee(fine=case.decided_fine or 0, due_on=due, on_day=legal_date).amount
        papers.issue_reminder(case, actor=actor, on=legal_date, late_fee=fee)
        # ACL 54: the party has 10 days from the reminder; ACL 53: the court is asked within 3 months of the end of
        # the remedy periods (the lawsuit's 6 months being the later one).
        start_deadline(case, "reminder", legal_date)
        lawsuit = case.deadlines.filter(code="lawsuit").values_list("due_on", flat=True).first()
        if lawsuit is not None and not case.deadlines.filter(code="court_enforcement").exists():
            start_deadline(case, "court_enforcement", lawsuit)
        return apply_step(case, A.REMIND, actor=actor, legal_date=legal_date)


def apply_enforcement(case: Case, *, actor: Actor, legal_date: dt.date, reason: str = "") -> Case:
    """Application to the court for enforcement (ACL 53–54): after a reminder, within 3 months of the end of the
    remedy periods."""
    require_approver(actor, case, what="申请强制执行")
    with case_transaction():
        case = locked(case)
        check_legal_date(case, legal_date)
        if not case.steps.filter(action=A.REMIND).exists():
            raise Conflict("申请强制执行前应当催告当事人（《行政强制法》第五十四条）", code="reminder_required")
        reminder = case.deadlines.filter(code="reminder").order_by("-due_on").first()
        if reminder is not None and legal_date <= reminder.due_on:
            raise Conflict(
                f"催告书送达十日后当事人仍未履行的，方可申请强制执行；催告期限至{reminder.due_on.isoformat()}届满（《行政强制法》第五十四条）",
                code="reminder_period_running",
                details={"last_day": reminder.due_on.isoformat()},
            )
        lawsuit = case.deadlines.filter(code="lawsuit").values_list("due_on", flat=True).first()
        if lawsuit is not None and legal_date <= lawsuit:
            raise Conflict(
                f"当事人在法定期限内不申请行政复议或者提起行政诉讼、又不履行的，自期限届满之日起方可申请人民法院强制执行；"
                f"起诉期限至{lawsuit.isoformat()}届满（《行政强制法》第五十三条）",
                code="remedy_period_running",
                details={"last_day": lawsuit.isoformat()},
            )
        meet_deadlines(case, ["reminder", "court_enforcement"], legal_date)
        return apply_step(case, A.APPLY_ENFORCEMENT, actor=actor, legal_date=legal_date, reason=reason)


def close(case: Case, *, actor: Actor, legal_date: dt.date, reason: str = "") -> Case:
    """Closing (结案): a fine paid, a decision without a fine served, or the enforcement concluded."""
    require_approver(actor, case, what="批准结案")
    with case_transaction():
        case = locked(case)
        check_legal_date(case, legal_date)
        if case.status == CaseStatus.SERVED and case.decided_fine:
            raise Conflict("罚款尚未缴纳，不能结案", code="fine_unpaid")
        require_ladder_complete(case, ApprovalStep.CLOSING, actor)
        if case.status == CaseStatus.PAID:
            execution = f"已于{case.paid_on}缴纳罚款{case.amount_paid}元"
        elif case.status == CaseStatus.ENFORCEMENT:
            execution = f"申请人民法院强制执行：{reason.strip()}"
        else:
            execution = f"决定书已于{case.served_on}送达"
        papers.issue_closing_approval(
            case, actor=actor, approver=actor_label(actor), on=legal_date, execution=execution
        )
        return apply_step(
            case, A.CLOSE, actor=actor, legal_date=legal_date, reason=reason, updates={"closed_on": legal_date}
        )
