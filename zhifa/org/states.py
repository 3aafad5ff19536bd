"""The auxiliary staff's employment workflow: one transition table (STYLE.md).

- active (在岗): employed under a contract, counted against the street's cap.
- left (已离职): contract ended, resigned or dismissed; a reason is required (assessment and contract
  management of auxiliary staff, ZJR 30). Rehiring is checked against the street's cap again.
"""

from typing import Any

from zhifa.core.workflow import Transition, TransitionTable
from zhifa.org.models import AuxiliaryStaff, AuxiliaryStatus


class AuxiliaryAction:
    LEAVE = "leave"
    REHIRE = "rehire"


def _street_has_room(staff: Any, actor: Any) -> str | None:
    street = staff.street
    active = AuxiliaryStaff.objects.filter(street=street, status=AuxiliaryStatus.ACTIVE).count()
    if active >= street.auxiliary_cap:
        return f"{street.name}辅助人员已达编制上限（{street.auxiliary_cap}人），不能重新聘用"
    return None


AUXILIARY_WORKFLOW = TransitionTable(
    name="auxiliary",
    initial=AuxiliaryStatus.ACTIVE,
    transitions=[
        Transition(AuxiliaryStatus.ACTIVE, AuxiliaryAction.LEAVE, AuxiliaryStatus.LEFT, requires_reason=True),
        Transition(AuxiliaryStatus.LEFT, AuxiliaryAction.REHIRE, AuxiliaryStatus.ACTIVE, guard=_street_has_room),
    ],
    labels={
        AuxiliaryStatus.ACTIVE: "在岗",
        AuxiliaryStatus.LEFT: "已离职",
        AuxiliaryAction.LEAVE: "离职",
        AuxiliaryAction.REHIRE: "重新聘用",
    },
)
