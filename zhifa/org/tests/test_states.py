from zhifa.core.workflow import TransitionTable
from zhifa.org.states import AUXILIARY_WORKFLOW


def _walk(table: TransitionTable) -> None:
    # every state is reachable from the initial one, and every non-terminal state has a way out
    assert table.reachable() == table.states
    for state in table.states - table.terminal_states:
        assert table.actions_from(state)


def test_auxiliary_table_walk() -> None:
    _walk(AUXILIARY_WORKFLOW)
    assert AUXILIARY_WORKFLOW.terminal_states == set()  # a person who left can be rehired
    assert AUXILIARY_WORKFLOW.lookup("active", "leave").requires_reason is True


def test_unknown_action_names_what_is_allowed() -> None:
    import pytest

    from zhifa.core.errors import InvalidTransition

    with pytest.raises(InvalidTransition) as exc:
        AUXILIARY_WORKFLOW.lookup("left", "leave")
    assert exc.value.details == {"state": "left", "action": "leave", "allowed": ["rehire"]}
    assert "已离职" in exc.value.message


def test_mermaid_diagram_is_drawn_from_the_table() -> None:
    assert AUXILIARY_WORKFLOW.mermaid().splitlines()[:3] == [
        "stateDiagram-v2",
        "    [*] --> active",
        "    active --> left: leave",
    ]
