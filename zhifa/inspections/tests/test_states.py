"""The plan's transition table: every state reachable from DRAFT, DRAFT has a way out, DRAWN none."""

from zhifa.inspections.states import TRANSITIONS, PlanStatus


def test_every_state_is_reachable_and_drawn_is_terminal() -> None:
    reached = {PlanStatus.DRAFT}
    reached |= {target for (state, _), target in TRANSITIONS.items() if state in reached}
    assert reached == set(PlanStatus)
    assert {state for state, _ in TRANSITIONS} == {PlanStatus.DRAFT}
