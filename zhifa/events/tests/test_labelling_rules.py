"""Each labelling rule of docs/triage-labelling.md with its own examples (the "例" lines under the rule, written
apart from the corpus and the held-out set): the model the set-up builds reads each as the rule says."""

import re
from pathlib import Path

import pytest

from zhifa.events import routing

RULES = Path(__file__).resolve().parents[3] / "docs" / "triage-labelling.md"
EXAMPLE = re.compile(r'^\s*- (?:例：)?"(?P<text>.+?)" → `(?P<kind>[A-Z]{2}-[A-Z]+)`(?P<urgent>, urgent)?')
RULE = re.compile(r"^(?P<rule>\d+|U)\. |^## Urgent")


def _examples() -> list[tuple[str, str, str, bool]]:
    """(rule, text, kind, urgent) for every example line, the rule being the numbered item it stands under."""
    rule = ""
    found = []
    for line in RULES.read_text(encoding="utf-8").splitlines():
        heading = RULE.match(line)
        if heading:
            rule = heading.group("rule") or "U"
        example = EXAMPLE.match(line)
        if example:
            found.append((rule, example.group("text"), example.group("kind"), bool(example.group("urgent"))))
    return found


EXAMPLES = _examples()


def test_every_rule_has_its_examples() -> None:
    assert {rule for rule, *_ in EXAMPLES} >= {str(n) for n in range(1, 17)} | {"U"}


@pytest.mark.parametrize(
    ("rule", "text", "kind", "urgent"), EXAMPLES, ids=[f"rule{r}-{t[:12]}" for r, t, *_ in EXAMPLES]
)
def test_the_model_reads_each_example_as_its_rule_says(rule: str, text: str, kind: str, urgent: bool) -> None:
    prediction = routing.running_model().predict(text)

    assert prediction.kind == kind
    if urgent:
        assert prediction.urgent, "active danger must be urgent"
