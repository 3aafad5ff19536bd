"""The OpenAPI document tells the truth (issue 9, item 8): each schema name names one schema, real answers
validate against what is documented for them, and every error status an operation can answer is declared."""

import json
from typing import Any

import jsonschema_rs
import pytest
from django.test import Client

from zhifa.api.root import api
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.core.actors import SystemActor
from zhifa.core.tokens import api_token_issue
from zhifa.subjects.tests.factories import SubjectFactory

pytestmark = pytest.mark.django_db


def document() -> dict[str, Any]:
    return json.loads(Client().get("/api/v1/openapi.json").content)


def bearer(user: Any) -> Client:
    _, key = api_token_issue(actor=SystemActor("测试"), user=user, name="测试令牌")
    return Client(headers={"Authorization": f"Bearer {key}"})


def test_no_schema_name_is_given_to_two_schemas() -> None:
    # Two models of one class name (catalogue and subjects both had MatterOut; catalogue and events both had
    # DepartmentRefOut): ninja kept the last, and documented a matter's department as a string.
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    schema.get_paths()  # what renders the components

    assert schema.name_conflicts == set()  # type: ignore[attr-defined]


def answer_schema(doc: dict[str, Any], path: str, method: str, status: str) -> Any:
    """The documented answer as one JSON Schema, its component references resolved inside it."""
    found = doc["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
    text = json.dumps({**found, "$defs": doc["components"]["schemas"]}).replace("#/components/schemas/", "#/$defs/")
    return json.loads(text)


def test_a_matters_answer_validates_against_its_documented_schema(world: Any) -> None:
    matter = MatterFactory(district=world.district, department=world.enforcement_dept)
    doc = document()

    answer = bearer(world.user("dispatcher")).get(f"/api/v1/catalog/matters/{matter.pk}").json()

    schema = answer_schema(doc, "/api/v1/catalog/matters/{matter_id}", "get", "200")
    assert list(jsonschema_rs.validator_for(schema).iter_errors(answer)) == []
    assert answer["department"] == {"id": world.enforcement_dept.pk, "code": "ZHZF", "name": "区综合行政执法局"}


def test_a_subjects_answer_documents_its_matters_department_as_a_name(world: Any) -> None:
    subject = SubjectFactory(district=world.district)
    doc = document()

    answer = bearer(world.user("dispatcher")).get(f"/api/v1/subjects/{subject.pk}").json()

    schema = answer_schema(doc, "/api/v1/subjects/{subject_id}", "get", "200")
    assert list(jsonschema_rs.validator_for(schema).iter_errors(answer)) == []
    assert doc["components"]["schemas"]["SubjectMatterOut"]["properties"]["department"]["type"] == "string"


def test_an_error_answer_validates_against_the_documented_error(world: Any) -> None:
    doc = document()

    answer = bearer(world.user("dispatcher")).get("/api/v1/events", {"offset": "-1"}).json()

    schema = answer_schema(doc, "/api/v1/events", "get", "422")
    assert list(jsonschema_rs.validator_for(schema).iter_errors(answer)) == []


def expected_errors(path: str, method: str, operation: dict[str, Any]) -> set[str]:
    statuses = set()
    if operation.get("security"):
        statuses |= {"401", "403"}
    writes = method in ("post", "put", "patch", "delete")
    if "{" in path or (writes and operation.get("security")):
        statuses.add("404")
    if writes:
        statuses |= {"409", "413"}
    if operation["parameters"] or "requestBody" in operation:
        statuses.add("422")
    return statuses


def test_every_operation_declares_the_errors_it_can_answer() -> None:
    undeclared = {
        f"{method.upper()} {path}": sorted(expected_errors(path, method, operation) - set(operation["responses"]))
        for path, methods in document()["paths"].items()
        for method, operation in methods.items()
    }

    assert {name: missing for name, missing in undeclared.items() if missing} == {}
    # issue 16 added POST /api/v1/events/{event_id}/reporter-phone; issue 11 the 8 GET /api/v1/legal/…, the 49
    # operations of /api/v1/cases (the approval ladder's sign among them) and POST /api/v1/integrations/payments
    # issue 17 the 2 GET /api/v1/analytics/… (overview, records), GET /api/v1/analytics/hotspots and the 3 GET
    # /api/v1/analytics/reports… (list, one, its file), GET /api/v1/analytics/wall and the 3 operations of
    # /api/v1/analytics/deployment/plans (list, one, compute and publish), and POST /api/v1/analytics/reports (ask
    # for a report, made by the task worker)
    assert len(undeclared) == 98


def test_the_alert_endpoint_declares_its_own_refusals() -> None:
    responses = document()["paths"]["/api/v1/integrations/ai-alerts"]["post"]["responses"]

    assert sorted(responses) == ["200", "201", "401", "409", "413", "422"]
