from typing import Any

from zhifa.core.actors import SystemActor
from zhifa.core.models import AuditEntry
from zhifa.core.tokens import api_token_issue
from zhifa.org.models import Officer
from zhifa.org.tests.second_factor import pass_second_factor

NEW_OFFICER = {
    "name": "李华",
    "badge_no": "Z0100",
    "certificate_no": "33010520260100",
    "certificate_valid_until": "2029-01-31",
}


def test_token_auth_lists_officers(world: Any, client: Any) -> None:
    _, key = api_token_issue(actor=SystemActor("测试"), user=world.user("dispatcher"), name="对接")
    response = client.get("/api/v1/org/officers", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    assert sorted(o["name"] for o in response.json()) == ["乙队员", "甲队员"]


def test_no_auth_is_401_in_the_error_shape(world: Any, client: Any) -> None:
    response = client.get("/api/v1/org/officers")
    assert response.status_code == 401
    assert response.json() == {"code": "not_authenticated", "message": "未登录或令牌无效", "details": {}}


def test_create_officer_with_session(world: Any, client: Any) -> None:
    client.force_login(world.user("dispatcher"))
    payload = {**NEW_OFFICER, "home_department_id": world.enforcement_dept.pk, "street_id": world.street_a.pk}
    response = client.post("/api/v1/org/officers", payload, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["street_name"] == "甲街道"
    assert Officer.objects.filter(badge_no="Z0100").count() == 1


def test_wrong_role_gets_403_and_nothing_is_written(world: Any, client: Any) -> None:
    client.force_login(world.user("auxiliary_a"))
    audits = AuditEntry.objects.count()
    payload = {**NEW_OFFICER, "home_department_id": world.enforcement_dept.pk}
    response = client.post("/api/v1/org/officers", payload, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "staff_edit_forbidden"
    assert (Officer.objects.filter(badge_no="Z0100").count(), AuditEntry.objects.count()) == (0, audits)


def test_malformed_request_gets_422_in_the_error_shape(world: Any, client: Any) -> None:
    client.force_login(world.user("dispatcher"))
    response = client.post("/api/v1/org/officers", {"name": "缺字段"}, content_type="application/json")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "request_invalid"
    assert {tuple(d["loc"])[-1] for d in body["details"]} >= {"badge_no", "certificate_no"}


def test_sinking_share_endpoint(world: Any, client: Any) -> None:
    client.force_login(world.user("leader"))
    pass_second_factor(client, world.user("leader"))
    assert client.get("/api/v1/org/sinking-share").json() == {"sunk": 2, "total": 2, "ratio": 1.0, "percent": "100.00%"}


def test_openapi_is_served(client: Any) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/org/officers" in response.json()["paths"]
