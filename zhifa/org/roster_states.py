"""The duty roster's two approval workflows, one transition table each (STYLE.md): leave (请假) and swap (换班).

- pending (待审批): asked by the officer, or by their street dispatcher for them; nothing on the roster has
  changed yet.
- approved (已批准): decided by the street's dispatcher (or the district's command centre or administrator).
  Approving leave removes the officer's shifts in the period; approving a swap exchanges the two shifts
  (``zhifa.org.rosters``). Terminal.
- refused (未批准): decided with a reason, which the officer is shown; the roster stays as it was. Terminal.
- withdrawn (已撤回): the officer (or whoever asked for them) takes the request back before it is decided.
  Terminal.
"""

from zhifa.core.workflow import Transition, TransitionTable
from zhifa.org.models import RosterRequestStatus

S = RosterRequestStatus


class RosterRequestAction:
    APPROVE = "approve"
    REFUSE = "refuse"
    WITHDRAW = "withdraw"


_LABELS = {
    S.PENDING: "待审批",
    S.APPROVED: "已批准",
    S.REFUSED: "未批准",
    S.WITHDRAWN: "已撤回",
    RosterRequestAction.APPROVE: "批准",
    RosterRequestAction.REFUSE: "不批准",
    RosterRequestAction.WITHDRAW: "撤回",
}


def _table(name: str) -> TransitionTable:
    return TransitionTable(
        name=name,
        initial=S.PENDING,
        transitions=[
            Transition(S.PENDING, RosterRequestAction.APPROVE, S.APPROVED),
            # A refusal tells the officer why (the brief's "refuses with a reason").
            Transition(S.PENDING, RosterRequestAction.REFUSE, S.REFUSED, requires_reason=True),
            Transition(S.PENDING, RosterRequestAction.WITHDRAW, S.WITHDRAWN),
        ],
        labels=_LABELS,
    )


LEAVE_WORKFLOW = _table("roster_leave")
SWAP_WORKFLOW = _table("roster_swap")
