"""docs/cases.md stays true to the code: its diagram is the table the code runs, its walk sends the requests the
end-to-end API test sends in the same order, and its list of actions is the API's."""

import re
from pathlib import Path

import pytest
from django.test import Client

from zhifa.cases.states import CASE_WORKFLOW

ROOT = Path(__file__).resolve().parents[3]
DOC = (ROOT / "docs" / "cases.md").read_text(encoding="utf-8")


def test_the_documented_diagram_is_the_table_the_code_runs() -> None:
    assert CASE_WORKFLOW.mermaid() in DOC


def test_the_documented_walk_is_the_walk_the_end_to_end_test_takes() -> None:
    walk = DOC.split("## Walking a case end to end")[1].split("## Payments by the channel")[0]
    test = (Path(__file__).parent / "test_api_walk.py").read_text(encoding="utf-8")

    documented = re.findall(r"/actions/(\w+)", walk)
    tested = re.findall(r'act\(\s*\w+,\s*case_id,\s*"(\w+)"', test)

    assert documented == tested
    assert documented[0] == "submit_filing" and documented[-1] == "close"


@pytest.mark.django_db
def test_the_documented_actions_are_the_action_routes() -> None:
    paths = set(Client().get("/api/v1/openapi.json").json()["paths"])
    listing = DOC.split("The actions (`/cases/{id}/actions/<action>`):")[1].split("There is no")[0]
    # Each entry of the list, "·"-separated, names its routes before its body's "{…}".
    listed = {name for entry in listing.split("·") for name in re.findall(r"`(\w+)`", entry.split("{")[0])}
    routes = {p.rsplit("/", 1)[1] for p in paths if p.startswith("/api/v1/cases/{case_id}/actions/")}

    assert listed == routes
    assert set(re.findall(r"/actions/(\w+)", DOC)) <= routes
