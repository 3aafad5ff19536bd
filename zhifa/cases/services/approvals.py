"""Approval ladders (审批层级): before the head approves a filing, decides or closes, the sign-offs the district
configured for that step (``ApprovalRung``: e.g. 承办机构负责人 → 法制审核机构 → 分管负责人) must each agree, in order,
in the current round. A rung that returns the case ends the round with its reasons (a filing goes back to the
handler as a lead); the next round starts afresh. One person signs one rung of a round, and the head who takes the
step has signed none of it: every rung is a different pair of eyes. With no rungs configured the head decides
alone, as before. Auxiliary staff never sign (ZJR 30)."""

import datetime as dt
from dataclasses import dataclass

from zhifa.cases.models import (
    ApprovalOpinion,
    ApprovalRung,
    ApprovalStep,
    Case,
    CaseApproval,
    CaseStatus,
)
from zhifa.cases.permissions import covers_case_street
from zhifa.cases.services.common import (
    _jurisdiction,
    actor_label,
    apply_step,
    case_transaction,
    check_legal_date,
    locked,
)
from zhifa.cases.states import CaseAction as A
from zhifa.core.actors import Actor, actor_user
from zhifa.core.audit import audit_record
from zhifa.core.errors import Conflict, PermissionDenied, ValidationFailed
from zhifa.org.roles import Role

# The states in which each ladder is climbed, and the step it leads to.
LADDER_STATES = {
    ApprovalStep.FILING: frozenset({CaseStatus.FILING_APPROVAL}),
    ApprovalStep.DECISION: frozenset({CaseStatus.CONCLUDED, CaseStatus.REVIEWED, CaseStatus.NOTICED, CaseStatus.HEARD}),
    ApprovalStep.CLOSING: frozenset({CaseStatus.SERVED, CaseStatus.PAID, CaseStatus.ENFORCEMENT}),
}


@dataclass(frozen=True)
class LadderState:
    step: str
    round: int
    rungs: list[ApprovalRung]
    signed: list[CaseApproval]

    @property
    def next_rung(self) -> ApprovalRung | None:
        done = {a.position for a in self.signed if a.opinion == ApprovalOpinion.AGREE}
        return next((r for r in self.rungs if r.position not in done), None)

    @property
    def complete(self) -> bool:
        return self.next_rung is None

    @property
    def signers(self) -> set[int]:
        return {a.signed_by_id for a in self.signed}


def current_round(case: Case, step: str) -> int:
    """A filing's round is its submission (a resubmission starts a new one); a decision's or closing's round
    starts again after each return."""
    returns = CaseApproval.objects.filter(case=case, step=step, opinion=ApprovalOpinion.RETURN).count()
    if step == ApprovalStep.FILING:
        return max(case.steps.filter(action=A.SUBMIT_FILING).count(), 1)
    return returns + 1


def ladder(case: Case, step: str) -> LadderState:
    rungs = list(
        ApprovalRung.objects.filter(district_id=case.district_id, step=step, is_active=True).order_by("position")
    )
    if not rungs:
        return LadderState(step, 0, [], [])
    number = current_round(case, step)
    signed = list(CaseApproval.objects.filter(case=case, step=step, round=number).order_by("created_at", "pk"))
    return LadderState(step, number, rungs, signed)


def may_sign(actor: Actor, case: Case, rung: ApprovalRung) -> bool:
    j = _jurisdiction(actor, case)
    if j is None or j.role != rung.role or j.role == Role.AUXILIARY:
        return False
    return covers_case_street(j, case.street_id)


def sign(case: Case, *, actor: Actor, step: str, agree: bool, text: str, legal_date: dt.date) -> CaseApproval:
    """Sign the ladder's next rung: agree, or return with reasons (a filing then goes back to the lead)."""
    if step not in ApprovalStep.values:
        raise ValidationFailed("审批事项无效", code="approval_step_invalid", details={"step": step})
    if not text.strip():
        raise ValidationFailed("请填写审批意见", code="opinion_required")
    with case_transaction():
        case = locked(case)
        if case.status not in LADDER_STATES[ApprovalStep(step)]:
            raise Conflict(
                f"案件当前状态“{case.get_status_display()}”不在{ApprovalStep(step).label}阶段", code="approval_not_open"
            )
        check_legal_date(case, legal_date)
        state = ladder(case, step)
        rung = state.next_rung
        if rung is None:
            raise Conflict("各审批层级均已同意，请由机关负责人作出决定", code="approvals_complete")
        user = actor_user(actor)
        if user is None or not may_sign(actor, case, rung):
            raise PermissionDenied(f"“{rung.label}”层级须由{Role(rung.role).label}签署", code="not_this_rung")
        if user.pk in state.signers:
            raise Conflict("同一人在一轮审批中只能签署一个层级", code="already_signed_this_round")
        approval = CaseApproval.objects.create(
            case=case,
            step=step,
            round=state.round,
            position=rung.position,
            label=rung.label,
            opinion=ApprovalOpinion.AGREE if agree else ApprovalOpinion.RETURN,
            text=text.strip(),
            signed_by=user,
            signed_by_label=actor_label(actor),
            legal_date=legal_date,
        )
        audit_record(
            actor=actor,
            action="case.approval",
            obj=case,
            after={"step": step, "round": state.round, "rung": rung.label, "opinion": approval.opinion},
            reason=text.strip(),
        )
        if not agree and step == ApprovalStep.FILING:
            apply_step(
                case, A.RETURN_FILING, actor=actor, legal_date=legal_date, reason=f"{rung.label}退回：{text.strip()}"
            )
    return approval


def require_ladder_complete(case: Case, step: str, actor: Actor) -> None:
    """The head's step waits for every rung of the current round; the head signed none of them."""
    state = ladder(case, step)
    rung = state.next_rung
    if rung is not None:
        raise Conflict(
            f"尚待“{rung.label}”签署同意意见，机关负责人方可审批（{ApprovalStep(step).label}）",
            code="approvals_pending",
            details={"rung": rung.label, "position": rung.position},
        )
    user = actor_user(actor)
    if user is not None and state.rungs and user.pk in state.signers:
        raise Conflict("已在本轮签署过下级审批意见的人员不能再作为机关负责人审批", code="already_signed_this_round")
