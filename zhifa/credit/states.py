"""Credit workflows, one transition table each (STYLE.md); ``zhifa.credit.dishonesty``, ``objections`` and
``repair`` apply them through ``zhifa.core.workflow``.

Issue 13 parts 5 and 6 (credit-procedures). Other parts add their own tables below, never change these.
"""

from django.db import models

from zhifa.core.workflow import Transition, TransitionTable

# --- 严重失信名单 (ZJC 24–28) -----------------------------------------------------------------------------------


class DishonestyStatus(models.TextChoices):
    """A proposal to put a holder on the serious dishonesty list, and the listing that may follow.

    - proposed (拟列入): a credit administrator proposed it with its legal basis (ZJC 24) and source entries.
    - noticed (已告知): the party was told the reasons and basis before listing (ZJC 28); the defence period runs.
    - defended (已陈述申辩): the party stated its defence in the period (ZJC 28: it has the right to).
    - decided (已决定): the written decision (决定书) is signed by the agency head (ZJC 24 last paragraph).
    - published (已公示): on the public list from the publication date until the removal date (ZJC 24, 25);
      the holder is graded D while listed.
    - removed (已移出): off the list at the end date, or earlier where the law allows (terminal).
    - withdrawn (不予列入): the proposal was dropped before a decision, with reasons (terminal).
    """

    PROPOSED = "proposed", "拟列入"
    NOTICED = "noticed", "已告知"
    DEFENDED = "defended", "已陈述申辩"
    DECIDED = "decided", "已决定"
    PUBLISHED = "published", "已公示"
    REMOVED = "removed", "已移出"
    WITHDRAWN = "withdrawn", "不予列入"


class DishonestyAction(models.TextChoices):
    NOTIFY = "notify", "告知"
    DEFEND = "defend", "陈述申辩"
    DECIDE = "decide", "签发列入决定"
    PUBLISH = "publish", "公示"
    EXPIRE = "expire", "期满移出"
    REMOVE_EARLY = "remove_early", "提前移出"
    WITHDRAW = "withdraw", "不予列入"


_D, _DA = DishonestyStatus, DishonestyAction

DISHONESTY_WORKFLOW = TransitionTable(
    name="credit.dishonesty",
    initial=_D.PROPOSED,
    labels={**dict(_D.choices), **dict(_DA.choices)},
    transitions=[
        Transition(_D.PROPOSED, _DA.NOTIFY, _D.NOTICED),
        Transition(_D.PROPOSED, _DA.WITHDRAW, _D.WITHDRAWN, requires_reason=True),
        Transition(_D.NOTICED, _DA.DEFEND, _D.DEFENDED),
        # From noticed only once the defence period is over (the service checks the date): ZJC 28.
        Transition(_D.NOTICED, _DA.DECIDE, _D.DECIDED),
        Transition(_D.NOTICED, _DA.WITHDRAW, _D.WITHDRAWN, requires_reason=True),
        Transition(_D.DEFENDED, _DA.DECIDE, _D.DECIDED),
        Transition(_D.DEFENDED, _DA.WITHDRAW, _D.WITHDRAWN, requires_reason=True),
        Transition(_D.DECIDED, _DA.PUBLISH, _D.PUBLISHED),
        Transition(_D.PUBLISHED, _DA.EXPIRE, _D.REMOVED),
        Transition(_D.PUBLISHED, _DA.REMOVE_EARLY, _D.REMOVED, requires_reason=True),
    ],
)

# What is missing when someone tries to go further than the steps taken allow: the specific refusal per
# (state, action) that the table has no row for, so that "list without the steps" is answered with its code.
DISHONESTY_MISSING_STEP: dict[tuple[str, str], tuple[str, str]] = {
    (_D.PROPOSED, _DA.DEFEND): ("dishonesty_notice_required", "尚未告知当事人，不能陈述申辩"),
    (_D.PROPOSED, _DA.DECIDE): ("dishonesty_notice_required", "列入前须先告知当事人理由和依据（ZJC 28）"),
    (_D.PROPOSED, _DA.PUBLISH): ("dishonesty_notice_required", "列入前须先告知当事人理由和依据（ZJC 28）"),
    (_D.NOTICED, _DA.PUBLISH): ("dishonesty_decision_required", "须有机关负责人签发的列入决定书（ZJC 24）"),
    (_D.DEFENDED, _DA.PUBLISH): ("dishonesty_decision_required", "须有机关负责人签发的列入决定书（ZJC 24）"),
}


# --- 异议 (ZJC 30, 31) ----------------------------------------------------------------------------------------


class ObjectionStatus(models.TextChoices):
    """An objection by a holder to an entry of its file; the entry is marked 异议中 while it is open.

    - submitted (审核中): received; the review is due within the configured working days (ZJC 31: 5).
    - extended (延期审核): a complex case, the period extended with the head's approval (ZJC 31: ≤ 20 in all).
    - corrected (已更正): upheld — the entry deleted (fact error), corrected (text error) or no longer shown
      (past its period), ZJC 30; the grade recomputed (terminal).
    - rejected (已驳回): not upheld, with reasons (terminal).
    """

    SUBMITTED = "submitted", "审核中"
    EXTENDED = "extended", "延期审核"
    CORRECTED = "corrected", "已更正"
    REJECTED = "rejected", "已驳回"


class ObjectionAction(models.TextChoices):
    EXTEND = "extend", "延长审核期限"
    CORRECT = "correct", "异议成立，更正"
    REJECT = "reject", "驳回异议"


OPEN_OBJECTION_STATES = (ObjectionStatus.SUBMITTED, ObjectionStatus.EXTENDED)

_O, _OA = ObjectionStatus, ObjectionAction

OBJECTION_WORKFLOW = TransitionTable(
    name="credit.objection",
    initial=_O.SUBMITTED,
    labels={**dict(_O.choices), **dict(_OA.choices)},
    transitions=[
        Transition(_O.SUBMITTED, _OA.EXTEND, _O.EXTENDED, requires_reason=True),
        Transition(_O.SUBMITTED, _OA.CORRECT, _O.CORRECTED, requires_reason=True),
        Transition(_O.SUBMITTED, _OA.REJECT, _O.REJECTED, requires_reason=True),
        Transition(_O.EXTENDED, _OA.CORRECT, _O.CORRECTED, requires_reason=True),
        Transition(_O.EXTENDED, _OA.REJECT, _O.REJECTED, requires_reason=True),
    ],
)


# --- 信用修复 (ZJC 32) -----------------------------------------------------------------------------------------


class RepairStatus(models.TextChoices):
    """A credit repair request for one negative entry.

    - submitted (审核中): evidence of correction filed after the waiting period; not for the serious dishonesty
      list (ZJC 32 second paragraph).
    - repaired (已修复): approved — the entry is no longer shown, before its 5 years (terminal).
    - rejected (不予修复): with reasons (terminal).
    """

    SUBMITTED = "submitted", "审核中"
    REPAIRED = "repaired", "已修复"
    REJECTED = "rejected", "不予修复"


class RepairAction(models.TextChoices):
    APPROVE = "approve", "准予修复"
    REJECT = "reject", "不予修复"


_R, _RA = RepairStatus, RepairAction

REPAIR_WORKFLOW = TransitionTable(
    name="credit.repair",
    initial=_R.SUBMITTED,
    labels={**dict(_R.choices), **dict(_RA.choices)},
    transitions=[
        Transition(_R.SUBMITTED, _RA.APPROVE, _R.REPAIRED, requires_reason=True),
        Transition(_R.SUBMITTED, _RA.REJECT, _R.REJECTED, requires_reason=True),
    ],
)
