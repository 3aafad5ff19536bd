"""The plan's transition table: every state reachable from DRAFT, DRAFT has a way out, DRAWN none."""

import pytest

from zhifa.core.errors import InvalidTransition
from zhifa.inspections.states import TRANSITIONS, VISIT_WORKFLOW, PlanStatus, VisitAction, VisitStatus


def test_every_state_is_reachable_and_drawn_is_terminal() -> None:
    reached = {PlanStatus.DRAFT}
    reached |= {target for (state, _), target in TRANSITIONS.items() if state in reached}
    assert reached == set(PlanStatus)
    assert {state for state, _ in TRANSITIONS} == {PlanStatus.DRAFT}


# --- the joint inspection's table (综合查一次) ---------------------------------------------------------------------


def test_a_visit_goes_planned_started_signed_and_signed_and_cancelled_are_terminal() -> None:
    assert VISIT_WORKFLOW.reachable() == set(VisitStatus)
    assert VISIT_WORKFLOW.terminal_states == {VisitStatus.SIGNED, VisitStatus.CANCELLED}
    assert VISIT_WORKFLOW.lookup(VisitStatus.PLANNED, VisitAction.START).target == VisitStatus.STARTED
    assert VISIT_WORKFLOW.lookup(VisitStatus.STARTED, VisitAction.SIGN).target == VisitStatus.SIGNED


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (VisitStatus.PLANNED, VisitAction.SIGN),  # no record without a visit
        (VisitStatus.STARTED, VisitAction.START),
        (VisitStatus.SIGNED, VisitAction.CANCEL),  # a signed record stays
        (VisitStatus.SIGNED, VisitAction.START),
        (VisitStatus.CANCELLED, VisitAction.START),
    ],
)
def test_the_table_refuses_illegal_steps(state: str, action: str) -> None:
    with pytest.raises(InvalidTransition) as refused:
        VISIT_WORKFLOW.lookup(state, action)
    assert refused.value.code == "invalid_transition"
