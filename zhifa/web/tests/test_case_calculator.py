"""程序助手 (issue 11 part 11): the calculator page answers from the rules the workflow enforces, shows a bad
input's refusal with its code, and is for the agency's staff only."""

from typing import Any

import pytest

from conftest import World
from zhifa.core.models import AuditEntry


def ask(client: Any, **params: str) -> str:
    response = client.get("/cases/calculator/", params)
    assert response.status_code == 200
    return str(response.content.decode())


def test_the_simple_procedure_cap_for_a_person_is_200_yuan_inclusive(world: World, client_as: Any) -> None:
    client = client_as("officer_a")
    base = {"tool": "simple", "party_kind": "person", "penalty": "fine", "facts_clear": "on"}
    assert "可以：" in ask(client, **base, fine="200.00")
    assert "不可以：" in ask(client, **base, fine="200.01")


def test_a_period_is_counted_from_its_legal_date_across_the_national_day_holiday(world: World, client_as: Any) -> None:
    # Served Wed 30 Sep 2026: APL 64's 5 working days skip 1–7 Oct → 8, 9, 10 (a make-up Saturday), 12, 13 Oct.
    page = ask(client_as("officer_a"), tool="deadline", code="hearing_request", start="2026-09-30")
    assert "2026-10-13届满" in page


def test_the_late_fee_stops_at_the_fine(world: World, client_as: Any) -> None:
    page = ask(client_as("officer_a"), tool="late_fee", fine="1000.00", due_on="2026-03-01", on_day="2026-06-01")
    assert "加处罚款1000.00元，已达罚款数额上限" in page


def test_a_bad_amount_is_refused_with_its_code_and_nothing_is_written(world: World, client_as: Any) -> None:
    before = AuditEntry.objects.count()
    page = ask(client_as("officer_a"), tool="collection", fine="100.001")
    assert "money_too_many_places" in page
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("persona", ["business_owner", "liaison"])
def test_the_calculator_is_for_the_agencys_staff(world: World, client_as: Any, persona: str) -> None:
    assert client_as(persona).get("/cases/calculator/").status_code == 403
