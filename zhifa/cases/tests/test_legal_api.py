"""/api/v1/legal (程序助手): any signed-in user asks, the answer is the rule's in zhifa.cases.legal with its
article, a refusal is the API's ``{code, message, details}``, and nothing is written."""

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from zhifa.cases.tests.conftest import bearer
from zhifa.core.models import AuditEntry

pytestmark = pytest.mark.django_db
URL = "/api/v1/legal"
NOW = dt.datetime(2026, 12, 4, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen_clock() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def officer(world: Any) -> Client:
    return bearer(world.user("officer_a"))


def test_anonymous_caller_is_told_to_sign_in(world: Any) -> None:
    response = Client().get(f"{URL}/simple-procedure", {"party_kind": "person", "penalty_kinds": "fine", "fine": "1"})

    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")


@pytest.mark.parametrize("persona", ["officer_a", "auxiliary_a", "business_owner", "legal_reviewer"])
def test_any_signed_in_user_may_ask(world: Any, persona: str) -> None:
    response = bearer(world.user(persona)).get(f"{URL}/limitation", {
        "violation_ended_on": "2025-01-01", "discovered_on": "2026-01-01", "harmed_life_health_or_finance": "false"
    })  # fmt: skip

    assert (response.status_code, response.json()["expired"]) == (200, False)


@pytest.mark.parametrize(("fine", "allowed"), [("200", True), ("200.01", False)])
def test_apl_51_simple_procedure_answer(officer: Client, fine: str, allowed: bool) -> None:
    response = officer.get(
        f"{URL}/simple-procedure",
        {"party_kind": "person", "penalty_kinds": "fine", "fine": fine, "facts_clear": "true"},
    )

    body = response.json()
    assert (response.status_code, body["allowed"], body["article"]) == (200, allowed, "APL 51")
    assert body["figures"]["cap"] == "200.00"


def test_apl_51_warning_and_fine_as_repeated_query_parameters(officer: Client) -> None:
    response = officer.get(
        f"{URL}/simple-procedure?party_kind=organisation&penalty_kinds=warning&penalty_kinds=fine"
        "&fine=3000.00&facts_clear=true"
    )

    assert (response.status_code, response.json()["allowed"]) == (200, True)


@pytest.mark.parametrize(
    ("fine", "code"),
    [
        ("200.001", "money_too_many_places"),
        ("-1", "money_negative"),
        ("abc", "request_invalid"),
        ("NaN", "number_not_finite"),
        ("Infinity", "number_not_finite"),
    ],
)
def test_apl_51_bad_fine_is_refused_with_its_code(officer: Client, fine: str, code: str) -> None:
    response = officer.get(
        f"{URL}/simple-procedure",
        {"party_kind": "person", "penalty_kinds": "fine", "fine": fine, "facts_clear": "true"},
    )

    assert (response.status_code, response.json()["code"]) == (422, code)
    assert set(response.json()) == {"code", "message", "details"}


def test_apl_51_unknown_party_kind_is_request_invalid_in_chinese(officer: Client) -> None:
    response = officer.get(f"{URL}/simple-procedure", {"party_kind": "robot", "penalty_kinds": "fine", "fine": "1"})

    assert (response.status_code, response.json()["code"]) == (422, "request_invalid")
    assert response.json()["message"].startswith("请求数据格式不正确")


def test_apl_51_unknown_penalty_kind_is_refused_by_the_rule(officer: Client) -> None:
    response = officer.get(
        f"{URL}/simple-procedure", {"party_kind": "person", "penalty_kinds": "detention", "facts_clear": "true"}
    )

    assert (response.status_code, response.json()["code"]) == (422, "penalty_kind_unknown")
    assert response.json()["message"] == "未知的处罚种类：detention"


@pytest.mark.parametrize(("fine", "allowed", "article"), [("100", True, "APL 68"), ("100.01", False, "APL 67")])
def test_apl_68_on_spot_collection_answer(officer: Client, fine: str, allowed: bool, article: str) -> None:
    response = officer.get(f"{URL}/on-spot-collection", {"fine": fine, "hard_to_collect_later": "false"})

    assert (response.status_code, response.json()["allowed"], response.json()["article"]) == (200, allowed, article)


def test_apl_63_hearing_required_answer(officer: Client) -> None:
    response = officer.get(f"{URL}/hearing-required?party_kind=organisation&fine=100000&measures=closure")

    body = response.json()
    assert (response.status_code, body["required"], body["article"]) == (200, True, "APL 63")
    assert body["grounds"] == [
        "罚款100,000.00元达到较大数额（法人或其他组织100,000.00元以上）",
        "责令停产停业、责令关闭、限制从业",
    ]


def test_apl_67_deadline_by_code(officer: Client) -> None:
    response = officer.get(f"{URL}/deadline", {"code": "payment", "start": "2026-02-01"})

    assert response.status_code == 200
    assert response.json() == {
        "code": "payment",
        "label": "缴纳罚款",
        "article": "APL 67",
        "start_on": "2026-02-01",
        "due_on": "2026-02-24",
        "length": 15,
        "unit": "days",
        "extra_days": 0,
        "rolled_from": "2026-02-16",
        "explanation": "自收到处罚决定书之日2026-02-01起15日（起算日不计入），届满日2026-02-24"
        "（2026-02-16为法定节假日或休息日，顺延至其后第一个工作日）",
    }


def test_apl_60_deadline_with_approved_extensions(officer: Client) -> None:
    response = officer.get(f"{URL}/deadline?code=decision&start=2026-03-04&extensions=30")

    assert (response.status_code, response.json()["due_on"], response.json()["extra_days"]) == (200, "2026-07-02", 30)


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"code": "appeal", "start": "2026-03-02"}, "period_unknown"),
        ({"code": "payment", "start": "2026-03-02", "extensions": "10"}, "period_option_not_allowed"),
        ({"code": "payment", "start": "2026-02-30"}, "request_invalid"),
        ({"code": "payment", "start": "2026-12-20"}, "calendar_year_unknown"),
        ({"code": "lawsuit", "start": "9999-12-01"}, "date_out_of_range"),
        ({"code": "seizure", "start": "9999-12-20"}, "date_out_of_range"),
    ],
)
def test_deadline_refusals(officer: Client, query: dict[str, str], code: str) -> None:
    response = officer.get(f"{URL}/deadline", query)

    assert (response.status_code, response.json()["code"]) == (422, code)


def test_periods_list_shows_the_administrators_setting(officer: Client, settings: Any) -> None:
    settings.ZHIFA_LEGAL_DEFENCE_WORKING_DAYS = 5

    periods = {p["code"]: p for p in officer.get(f"{URL}/periods").json()}

    assert periods["statement_defence"]["length"] == 5
    assert periods["statement_defence"]["setting"] == "ZHIFA_LEGAL_DEFENCE_WORKING_DAYS"
    assert periods["hearing_notice"]["before"] is True
    assert len(periods) == 17


def test_acl_25_seizure_expiry_with_testing_period(officer: Client) -> None:
    response = officer.get(f"{URL}/seizure-expiry?seized_on=2026-03-02&testing=2026-03-10/2026-03-12")

    body = response.json()
    assert (response.status_code, body["due_on"], body["extra_days"], body["article"]) == (
        200,
        "2026-04-07",
        3,
        "ACL 25",
    )


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("seized_on=2026-03-02&testing=2026-03-10", "request_invalid"),
        ("seized_on=2026-03-02&testing=2026-03-12/2026-03-10", "date_order_invalid"),
        ("seized_on=2026-03-02&extension_days=31", "seizure_extension_too_long"),
    ],
)
def test_acl_25_seizure_refusals(officer: Client, query: str, code: str) -> None:
    response = officer.get(f"{URL}/seizure-expiry?{query}")

    assert (response.status_code, response.json()["code"]) == (422, code)


def test_apl_72_late_fee_answer_is_exact_decimal_text(officer: Client) -> None:
    response = officer.get(f"{URL}/late-fee", {"fine": "33.33", "due_on": "2026-03-02", "on_day": "2026-04-05"})

    body = response.json()
    assert response.status_code == 200
    assert (body["amount"], body["total"], body["days_overdue"], body["is_capped"]) == ("33.33", "66.66", 34, True)


def test_apl_36_limitation_answer(officer: Client) -> None:
    response = officer.get(f"{URL}/limitation", {
        "violation_ended_on": "2024-03-01", "discovered_on": "2026-03-02", "harmed_life_health_or_finance": "false"
    })  # fmt: skip

    body = response.json()
    assert (response.status_code, body["expired"], body["last_day"], body["article"]) == (
        200,
        True,
        "2026-03-01",
        "APL 36",
    )


def test_calculator_writes_nothing(officer: Client) -> None:
    officer.get(f"{URL}/periods")  # the token's first use of the minute records it (zhifa.core.tokens)
    audit_rows = AuditEntry.objects.count()
    asks = [
        "/simple-procedure?party_kind=person&penalty_kinds=fine&fine=200&facts_clear=true",
        "/on-spot-collection?fine=50&hard_to_collect_later=false",
        "/hearing-required?party_kind=person&fine=5000",
        "/deadline?code=hearing_request&start=2026-02-13",
        "/seizure-expiry?seized_on=2026-03-02&extension_days=30",
        "/late-fee?fine=1000&due_on=2026-03-02&on_day=2026-04-05",
        "/limitation?violation_ended_on=2024-03-01&discovered_on=2026-03-01&harmed_life_health_or_finance=true",
        "/deadline?code=nope&start=2026-02-13",
    ]

    with CaptureQueriesContext(connection) as queries:
        statuses = [officer.get(URL + ask).status_code for ask in asks]

    writes = [
        q["sql"] for q in queries.captured_queries if q["sql"].split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}
    ]
    assert statuses == [200, 200, 200, 200, 200, 200, 200, 422]
    assert (writes, AuditEntry.objects.count()) == ([], audit_rows)


def test_openapi_documents_the_calculator_under_its_tag(officer: Client) -> None:
    schema = Client().get("/api/v1/openapi.json").json()

    operation = schema["paths"]["/api/v1/legal/simple-procedure"]["get"]
    assert operation["tags"] == ["程序助手"]
    assert operation["summary"] == "能否适用简易程序当场处罚（行政处罚法第五十一条）"
    assert "422" in operation["responses"]
