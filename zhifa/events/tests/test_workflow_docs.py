from pathlib import Path

from zhifa.events.states import EVENT_WORKFLOW
from zhifa.org.states import AUXILIARY_WORKFLOW

DOC = Path(__file__).resolve().parents[3] / "docs" / "workflows.md"


def test_the_documented_diagrams_are_the_tables_the_code_runs() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert EVENT_WORKFLOW.mermaid() in text
    assert AUXILIARY_WORKFLOW.mermaid() in text
