"""/api/v1/catalog over HTTP: session and bearer-token auth, scoping, the error shape, the import upload."""

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from zhifa.catalog.models import Matter
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.catalog.tests.test_importer import csv_file, row
from zhifa.core.actors import SystemActor
from zhifa.core.models import AuditEntry
from zhifa.core.tokens import api_token_issue

BASE = "/api/v1/catalog"


def session(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def bearer(user: Any) -> Client:
    _, key = api_token_issue(actor=SystemActor("测试"), user=user, name="测试令牌")
    return Client(headers={"Authorization": f"Bearer {key}"})


def payload(department_id: int, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": "ZJ-SR-901",
        "name": "擅自占用城市道路设摊经营",
        "domain": "city_appearance",
        "department_id": department_id,
        "law_name": "《城市道路管理条例》",
        "violated_provision": "《城市道路管理条例》第二十七条",
        "penalty_provision": "《城市道路管理条例》第四十二条",
        "penalty_kinds": ["fine"],
        "subject_categories": ["street_vendor"],
        "tiers": [
            {"tier": "minor", "circumstances": "面积小", "penalty": "罚款", "fine_min": "50", "fine_max": "500"},
            {"tier": "serious", "circumstances": "较大", "penalty": "罚款", "fine_min": "500", "fine_max": "5000"},
            {"tier": "severe", "circumstances": "拒不改正", "penalty": "罚款", "fine_min": "5000", "fine_max": "20000"},
        ],
        "checklist": ["是否持有占道许可", "占用面积", "是否妨碍通行"],
        "keywords": "占道 摆摊",
    }
    body.update(overrides)
    return body


@pytest.fixture
def matters(world: Any) -> dict[str, Matter]:
    return {
        "road": MatterFactory(department=world.enforcement_dept, code="ZJ-SR-001", name="擅自占用城市道路"),
        "price": MatterFactory(department=world.market_dept, code="ZJ-SC-007", name="不按规定明码标价"),
    }


@pytest.mark.parametrize("connect", [session, bearer])
def test_list_matters_with_session_or_token(world: Any, matters: Any, connect: Any) -> None:
    response = connect(world.user("officer_a")).get(f"{BASE}/matters", {"limit": 1})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [m["code"] for m in body["items"]] == ["ZJ-SC-007"]
    assert body["items"][0]["department"] == {"id": world.market_dept.pk, "code": "SCJG", "name": "区市场监督管理局"}
    assert body["items"][0]["domain_label"] == "市容环卫"
    assert "tiers" not in body["items"][0]


def test_list_filters_and_liaison_scope(world: Any, matters: Any) -> None:
    dispatcher = session(world.user("dispatcher"))
    liaison = session(world.user("liaison"))

    assert [m["code"] for m in dispatcher.get(f"{BASE}/matters", {"q": "占用"}).json()["items"]] == ["ZJ-SR-001"]
    assert [m["code"] for m in liaison.get(f"{BASE}/matters").json()["items"]] == ["ZJ-SC-007"]


def test_anonymous_request_is_401_with_error_shape(world: Any, matters: Any) -> None:
    response = Client().get(f"{BASE}/matters")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_detail_includes_tiers_and_checklist_with_exact_money(world: Any, matters: Any) -> None:
    response = session(world.user("officer_a")).get(f"{BASE}/matters/{matters['road'].pk}")

    assert response.status_code == 200
    body = response.json()
    assert [(t["tier"], t["tier_label"], t["fine_min"], t["fine_max"]) for t in body["tiers"]] == [
        ("minor", "情节轻微", "500.00", "2000.00"),
        ("serious", "情节较重", "2000.00", "5000.00"),
        ("severe", "情节严重", "5000.00", "20000.00"),
    ]
    assert body["checklist"] == ["检查一", "检查二", "检查三"]


def test_liaison_gets_404_for_another_departments_matter(world: Any, matters: Any) -> None:
    client = session(world.user("liaison"))

    got = client.get(f"{BASE}/matters/{matters['road'].pk}")
    patched = client.patch(
        f"{BASE}/matters/{matters['road'].pk}", json.dumps({"name": "改名"}), content_type="application/json"
    )

    assert got.status_code == 404
    assert got.json() == {
        "code": "matter_not_found",
        "message": "执法事项不存在或不在您的职责范围内",
        "details": {"matter_id": matters["road"].pk},
    }
    assert patched.status_code == 404
    assert Matter.objects.get(pk=matters["road"].pk).name == "擅自占用城市道路"


def test_dispatcher_creates_matter(world: Any) -> None:
    response = session(world.user("dispatcher")).post(
        f"{BASE}/matters", json.dumps(payload(world.enforcement_dept.pk)), content_type="application/json"
    )

    assert response.status_code == 201
    body = response.json()
    assert body["code"] == "ZJ-SR-901"
    assert [t["fine_max"] for t in body["tiers"]] == ["500.00", "5000.00", "20000.00"]
    assert Matter.objects.filter(code="ZJ-SR-901").count() == 1
    assert AuditEntry.objects.filter(action="matter.create").count() == 1


@pytest.mark.parametrize("persona", ["officer_a", "auxiliary_a", "liaison", "business_owner"])
def test_forbidden_create_is_403_json_and_writes_nothing(world: Any, persona: str) -> None:
    response = bearer(world.user(persona)).post(
        f"{BASE}/matters", json.dumps(payload(world.enforcement_dept.pk)), content_type="application/json"
    )

    assert response.status_code == 403
    assert response.json() == {
        "code": "catalogue_edit_forbidden",
        "message": "只有系统管理员和指挥中心可以维护执法事项目录",
        "details": {},
    }
    assert Matter.objects.count() == 0
    assert AuditEntry.objects.filter(action__startswith="matter.").count() == 0


def test_create_with_bad_tier_order_is_422_with_details(world: Any) -> None:
    body = payload(world.enforcement_dept.pk)
    body["tiers"][1]["fine_max"] = "30000"

    response = session(world.user("dispatcher")).post(
        f"{BASE}/matters", json.dumps(body), content_type="application/json"
    )

    assert response.status_code == 422
    assert response.json()["code"] == "matter_invalid"
    assert [(e["column"], e["code"]) for e in response.json()["details"]["errors"]] == [
        ("severe_fine_max", "tier_order_invalid")
    ]
    assert Matter.objects.count() == 0


def test_create_with_unknown_domain_is_request_invalid(world: Any) -> None:
    response = session(world.user("dispatcher")).post(
        f"{BASE}/matters",
        json.dumps(payload(world.enforcement_dept.pk, domain="weather")),
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response.json()["code"] == "request_invalid"


def test_dispatcher_patches_only_the_fields_sent(world: Any, matters: Any) -> None:
    response = session(world.user("dispatcher")).patch(
        f"{BASE}/matters/{matters['road'].pk}",
        json.dumps({"name": "擅自占用城市道路摆摊", "checklist": ["是否持证"]}),
        content_type="application/json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "擅自占用城市道路摆摊"
    assert body["checklist"] == ["是否持证"]
    assert body["code"] == "ZJ-SR-001"
    assert len(body["tiers"]) == 3
    assert AuditEntry.objects.filter(action="matter.update", object_id=str(matters["road"].pk)).count() == 1


def test_officer_patch_is_403_and_changes_nothing(world: Any, matters: Any) -> None:
    response = session(world.user("officer_a")).patch(
        f"{BASE}/matters/{matters['road'].pk}", json.dumps({"name": "改名"}), content_type="application/json"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "catalogue_edit_forbidden"
    assert Matter.objects.get(pk=matters["road"].pk).name == "擅自占用城市道路"


def test_import_upload_returns_counts(world: Any) -> None:
    upload = SimpleUploadedFile("matters.csv", csv_file([row(), row(code="ZJ-SR-902")]).getvalue(), "text/csv")

    response = session(world.user("dispatcher")).post(f"{BASE}/matters/import", {"file": upload})

    assert response.status_code == 200
    assert response.json() == {"created": 2, "updated": 0, "unchanged": 0, "total": 2}


def test_import_upload_with_bad_rows_is_422_with_row_errors(world: Any) -> None:
    content = csv_file([row(), row(code="ZJ-SR-902", department="XYZ")]).getvalue()
    upload = SimpleUploadedFile("matters.csv", content, "text/csv")

    response = session(world.user("dispatcher")).post(f"{BASE}/matters/import", {"file": upload})

    assert response.status_code == 422
    assert response.json() == {
        "code": "import_rows_invalid",
        "message": "导入文件有1行错误，未导入任何数据",
        "details": {
            "errors": [
                {
                    "row": 3,
                    "column": "department",
                    "code": "unknown_department",
                    "message": "第3行“责任部门”列：部门编码 XYZ 不存在",
                }
            ]
        },
    }
    assert Matter.objects.count() == 0


def test_import_upload_forbidden_for_officer(world: Any) -> None:
    upload = SimpleUploadedFile("matters.csv", csv_file([row()]).getvalue(), "text/csv")

    response = bearer(world.user("officer_a")).post(f"{BASE}/matters/import", {"file": upload})

    assert response.status_code == 403
    assert Matter.objects.count() == 0


def test_matter_by_code_and_unknown_code(world: Any, matters: Any) -> None:
    client = session(world.user("officer_a"))

    found = client.get(f"{BASE}/matters/by-code/zj-sr-001")
    unknown = client.get(f"{BASE}/matters/by-code/ZJ-XX-999")

    assert (found.status_code, found.json()["name"]) == (200, "擅自占用城市道路")
    assert unknown.status_code == 404
    assert unknown.json() == {
        "code": "matter_code_unknown",
        "message": "执法事项编码 ZJ-XX-999 不存在",
        "details": {"code": "ZJ-XX-999"},
    }
