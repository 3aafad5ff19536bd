"""The penalty procedure as one transition table (``CASE_WORKFLOW``).

General procedure (普通程序, APL 54–65): lead → filing approval → investigation → conclusion (APL 57) → legal
review where required (APL 58) → prior notice (APL 44) → hearing when requested in time (APL 63–64) → decision
(APL 57, 59–60) → service (APL 61) → payment or enforcement (APL 66–73) → closing. Branches: not filed, withdrawn,
transferred, no penalty (a decision of its own kind, no prior notice needed). Simple procedure (简易程序, APL
51–52): a decision made and handed over on the spot, entered as one step.

The table says which step may follow which; the rules with dates and figures (the defence period, the hearing
request's 5 days, the caps of the simple procedure, the penalty that may not grow after a defence) are checked by
the services under the row lock, each with its own error code and article, through ``legal``.
Self-loops (same state before and after) record steps that keep the case where it is: the party's statement, a
collective discussion, a hearing's notice.
"""

from typing import Any

from zhifa.cases.models import CaseStatus, Conclusion
from zhifa.core.workflow import Transition, TransitionTable

S = CaseStatus


def _legal_review_passed_if_required(case: Any, _actor: Any) -> str | None:
    """APL 58 / ZJR 24: where legal review is required, no notice (and so no decision) before it has passed."""
    if case.needs_legal_review:
        return "本案须经法制审核，审核通过前不得告知和作出决定（《行政处罚法》第五十八条）"
    return None


def _penalty_concluded(case: Any, _actor: Any) -> str | None:
    if case.conclusion != Conclusion.PENALTY:
        return "调查终结意见为不予处罚的，不作事先告知，直接作出不予行政处罚决定"
    return None


def _no_penalty_concluded(case: Any, _actor: Any) -> str | None:
    if case.conclusion == Conclusion.PENALTY:
        return "拟给予行政处罚的，须先事先告知当事人（《行政处罚法》第四十四条、第六十二条）"
    return None


def _no_penalty_without_required_review(case: Any, actor: Any) -> str | None:
    return _no_penalty_concluded(case, actor) or _legal_review_passed_if_required(case, actor)


def _penalty_without_required_review(case: Any, actor: Any) -> str | None:
    return _penalty_concluded(case, actor) or _legal_review_passed_if_required(case, actor)


class CaseAction:
    SUBMIT_FILING = "submit_filing"
    APPROVE_FILING = "approve_filing"
    RETURN_FILING = "return_filing"
    NOT_FILE = "not_file"
    RECORD_INVESTIGATION = "record_investigation"
    CONCLUDE = "conclude"
    WITHDRAW = "withdraw"
    TRANSFER = "transfer"
    DISCUSS = "discuss"
    SUBMIT_REVIEW = "submit_review"
    PASS_REVIEW = "pass_review"
    RETURN_REVIEW = "return_review"
    GIVE_NOTICE = "give_notice"
    PARTY_STATEMENT = "party_statement"
    WAIVE_DEFENCE = "waive_defence"
    REQUEST_HEARING = "request_hearing"
    NOTIFY_HEARING = "notify_hearing"
    HOLD_HEARING = "hold_hearing"
    DECIDE = "decide"
    DECIDE_ON_SPOT = "decide_on_spot"
    SERVE = "serve"
    RECORD_PAYMENT = "record_payment"
    REMIND = "remind"
    APPLY_ENFORCEMENT = "apply_enforcement"
    CLOSE = "close"


A = CaseAction

ACTION_LABELS = {
    A.SUBMIT_FILING: "提请立案",
    A.APPROVE_FILING: "批准立案",
    A.RETURN_FILING: "退回立案申请",
    A.NOT_FILE: "不予立案",
    A.RECORD_INVESTIGATION: "制作调查笔录",
    A.CONCLUDE: "调查终结",
    A.WITHDRAW: "撤案",
    A.TRANSFER: "移送",
    A.DISCUSS: "集体讨论",
    A.SUBMIT_REVIEW: "提交法制审核",
    A.PASS_REVIEW: "法制审核通过",
    A.RETURN_REVIEW: "法制审核退回",
    A.GIVE_NOTICE: "事先告知",
    A.PARTY_STATEMENT: "陈述申辩",
    A.WAIVE_DEFENCE: "放弃陈述申辩",
    A.REQUEST_HEARING: "申请听证",
    A.NOTIFY_HEARING: "通知听证",
    A.HOLD_HEARING: "举行听证",
    A.DECIDE: "作出决定",
    A.DECIDE_ON_SPOT: "当场处罚",
    A.SERVE: "送达决定书",
    A.RECORD_PAYMENT: "缴款到账",
    A.REMIND: "催告",
    A.APPLY_ENFORCEMENT: "申请强制执行",
    A.CLOSE: "结案",
}

_WORKING = [S.INVESTIGATING, S.CONCLUDED, S.LEGAL_REVIEW, S.REVIEWED, S.NOTICED, S.HEARING_REQUESTED, S.HEARD]

CASE_WORKFLOW = TransitionTable(
    name="case",
    initial=S.LEAD,
    labels={**{s.value: s.label for s in CaseStatus}, **ACTION_LABELS},
    transitions=[
        Transition(S.LEAD, A.SUBMIT_FILING, S.FILING_APPROVAL),
        Transition(S.LEAD, A.NOT_FILE, S.NOT_FILED, requires_reason=True),
        Transition(S.LEAD, A.DECIDE_ON_SPOT, S.SERVED),
        Transition(S.FILING_APPROVAL, A.APPROVE_FILING, S.INVESTIGATING),
        Transition(S.FILING_APPROVAL, A.RETURN_FILING, S.LEAD, requires_reason=True),
        Transition(S.FILING_APPROVAL, A.NOT_FILE, S.NOT_FILED, requires_reason=True),
        Transition(S.INVESTIGATING, A.RECORD_INVESTIGATION, S.INVESTIGATING),
        Transition(S.INVESTIGATING, A.CONCLUDE, S.CONCLUDED),
        Transition(S.INVESTIGATING, A.TRANSFER, S.TRANSFERRED, requires_reason=True),
        *[Transition(s, A.WITHDRAW, S.WITHDRAWN, requires_reason=True) for s in _WORKING],
        *[Transition(s, A.DISCUSS, s) for s in (S.CONCLUDED, S.REVIEWED, S.NOTICED, S.HEARD)],
        Transition(S.CONCLUDED, A.SUBMIT_REVIEW, S.LEGAL_REVIEW),
        Transition(S.LEGAL_REVIEW, A.PASS_REVIEW, S.REVIEWED),
        Transition(S.LEGAL_REVIEW, A.RETURN_REVIEW, S.INVESTIGATING, requires_reason=True),
        Transition(S.HEARD, A.PASS_REVIEW, S.HEARD),
        Transition(S.HEARD, A.RETURN_REVIEW, S.INVESTIGATING, requires_reason=True),
        Transition(S.CONCLUDED, A.GIVE_NOTICE, S.NOTICED, guard=_penalty_without_required_review),
        Transition(S.REVIEWED, A.GIVE_NOTICE, S.NOTICED, guard=_penalty_concluded),
        Transition(S.NOTICED, A.PARTY_STATEMENT, S.NOTICED),
        Transition(S.HEARING_REQUESTED, A.PARTY_STATEMENT, S.HEARING_REQUESTED),
        Transition(S.NOTICED, A.WAIVE_DEFENCE, S.NOTICED),
        Transition(S.NOTICED, A.REQUEST_HEARING, S.HEARING_REQUESTED),
        Transition(S.HEARING_REQUESTED, A.NOTIFY_HEARING, S.HEARING_REQUESTED),
        Transition(S.HEARING_REQUESTED, A.HOLD_HEARING, S.HEARD),
        Transition(S.NOTICED, A.DECIDE, S.DECIDED),
        Transition(S.HEARD, A.DECIDE, S.DECIDED),
        Transition(S.CONCLUDED, A.DECIDE, S.DECIDED, guard=_no_penalty_without_required_review),
        Transition(S.REVIEWED, A.DECIDE, S.DECIDED, guard=_no_penalty_concluded),
        Transition(S.DECIDED, A.SERVE, S.SERVED),
        Transition(S.SERVED, A.RECORD_PAYMENT, S.PAID),
        Transition(S.ENFORCEMENT, A.RECORD_PAYMENT, S.PAID),
        Transition(S.SERVED, A.REMIND, S.SERVED),
        Transition(S.SERVED, A.APPLY_ENFORCEMENT, S.ENFORCEMENT),
        Transition(S.SERVED, A.CLOSE, S.CLOSED),
        Transition(S.PAID, A.CLOSE, S.CLOSED),
        Transition(S.ENFORCEMENT, A.CLOSE, S.CLOSED, requires_reason=True),
    ],
)
