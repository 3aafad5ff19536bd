"""The event transition table walked as a graph (STYLE.md)."""

import pytest

from zhifa.events.states import EVENT_WORKFLOW, OPEN_STATES, EventAction, EventStatus

TERMINAL = {EventStatus.CLOSED, EventStatus.MERGED, EventStatus.REJECTED, EventStatus.SENT_BACK}
REASONED = {
    EventAction.RETURN,
    EventAction.REJECT,
    EventAction.MERGE,
    EventAction.TRANSFER,
    EventAction.REDISPATCH,
    EventAction.SEND_BACK,
}


def test_every_state_is_reachable_from_reported() -> None:
    assert EVENT_WORKFLOW.reachable() == set(EventStatus.values)


def test_the_terminal_states_are_closed_merged_rejected_and_sent_back() -> None:
    assert EVENT_WORKFLOW.terminal_states == TERMINAL


@pytest.mark.parametrize("state", sorted(OPEN_STATES))
def test_every_open_state_has_a_way_out(state: str) -> None:
    assert EVENT_WORKFLOW.actions_from(state) != []


@pytest.mark.parametrize("state", sorted(TERMINAL))
def test_terminal_states_have_no_way_out(state: str) -> None:
    assert EVENT_WORKFLOW.actions_from(state) == []


def test_every_return_reject_merge_transfer_redispatch_and_send_back_requires_a_reason() -> None:
    reasoned = [t for t in EVENT_WORKFLOW.transitions if t.action in REASONED]

    assert len(reasoned) == 16
    assert all(t.requires_reason for t in reasoned)


def test_the_open_states_are_every_state_but_the_terminal_ones() -> None:
    assert set(OPEN_STATES) == set(EventStatus.values) - TERMINAL
