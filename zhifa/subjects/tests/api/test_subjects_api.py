import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conftest import POINT_IN_A, POINT_IN_B
from zhifa.catalog.models import Domain, Matter
from zhifa.core.actors import SystemActor
from zhifa.core.models import AuditEntry
from zhifa.core.tokens import api_token_issue
from zhifa.subjects.models import Subject
from zhifa.subjects.tests.factories import IndividualTraderFactory, LicenceFactory, SubjectFactory, uscc_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/subjects"


def _session(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _bearer(world: Any, persona: str) -> Client:
    _, key = api_token_issue(actor=SystemActor("测试"), user=world.user(persona), name="测试令牌")
    return Client(headers={"Authorization": f"Bearer {key}"})


def _post_json(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def _patch_json(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.patch(url, data=json.dumps(body), content_type="application/json")


def _create_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "kind": "business",
        "category": "catering",
        "name": "知味观",
        "address": "仁和路83号",
        "lon": POINT_IN_A[0],
        "lat": POINT_IN_A[1],
        "uscc": uscc_for(7),
        "licences": [
            {"kind": "食品经营许可证", "number": "JY1", "issued_by": "区市场监管局", "valid_from": "2024-01-01"}
        ],
    }
    body.update(overrides)
    return body


def test_without_credentials_the_api_answers_401_in_the_error_shape(world: Any) -> None:
    response = Client().get(URL)

    assert response.status_code == 401
    assert response.json() == {"code": "not_authenticated", "message": "未登录或令牌无效", "details": {}}


def test_list_by_session_is_scoped_and_paginated(world: Any) -> None:
    for _ in range(3):
        SubjectFactory(district=world.district)
    SubjectFactory(district=world.district, lon=POINT_IN_B[0], lat=POINT_IN_B[1])

    response = _session(world.user("officer_a")).get(URL, {"limit": 2, "offset": 0})

    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 3
    assert len(body["items"]) == 2
    assert body["items"][0]["street"] == {"id": world.street_a.pk, "name": "甲街道"}


def test_list_filters_by_pinyin_initials(world: Any) -> None:
    SubjectFactory(district=world.district, name="知味观")
    SubjectFactory(district=world.district, name="楼外楼")

    response = _session(world.user("dispatcher")).get(URL, {"q": "zwg"})

    assert [item["name"] for item in response.json()["items"]] == ["知味观"]


def test_detail_by_bearer_token_has_licences_matters_and_a_masked_id_number(world: Any) -> None:
    subject = IndividualTraderFactory(district=world.district, id_number="330105198001010011")
    LicenceFactory(subject=subject, number="JY9")
    Matter.objects.create(
        district=world.district,
        code="330105-SC-001",
        name="未取得食品经营许可从事食品经营",
        domain=Domain.MARKET,
        department=world.market_dept,
        law_name="食品安全法",
        violated_provision="第三十五条",
        penalty_provision="第一百二十二条",
        subject_categories=["catering"],
    )

    response = _bearer(world, "officer_a").get(f"{URL}/{subject.pk}")

    body = response.json()
    assert response.status_code == 200
    assert body["id_number"] == "330105********0011"
    assert [licence["number"] for licence in body["licences"]] == ["JY9"]
    assert body["matters"] == [
        {"code": "330105-SC-001", "name": "未取得食品经营许可从事食品经营", "department": "区市场监督管理局"}
    ]
    assert (body["kind_label"], body["category_label"]) == ("个体工商户", "餐饮")


def test_detail_outside_the_users_street_is_404(world: Any) -> None:
    subject = SubjectFactory(district=world.district, lon=POINT_IN_B[0], lat=POINT_IN_B[1])

    response = _session(world.user("officer_a")).get(f"{URL}/{subject.pk}")

    assert response.status_code == 404
    assert response.json()["code"] == "subject_not_found"


def test_create_returns_201_with_the_located_subject(world: Any) -> None:
    response = _post_json(_session(world.user("officer_a")), URL, _create_body())

    body = response.json()
    assert response.status_code == 201
    assert (body["name"], body["name_initials"], body["grid"]["id"]) == ("知味观", "zwg", world.grid_a.pk)
    assert [licence["number"] for licence in body["licences"]] == ["JY1"]


def test_create_with_a_bad_uscc_is_422_in_the_error_shape(world: Any) -> None:
    bad = uscc_for(7)[:17] + ("0" if uscc_for(7)[17] != "0" else "1")

    response = _post_json(_bearer(world, "dispatcher"), URL, _create_body(uscc=bad))

    body = response.json()
    assert response.status_code == 422
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == "uscc_checksum"
    assert body["message"].startswith("统一社会信用代码校验位错误")
    assert Subject.objects.count() == 0


def test_create_with_a_missing_field_is_422_request_invalid(world: Any) -> None:
    body = _create_body()
    del body["name"]

    response = _post_json(_session(world.user("dispatcher")), URL, body)

    assert response.status_code == 422
    assert response.json()["code"] == "request_invalid"


def test_create_by_a_liaison_is_403_in_the_error_shape(world: Any) -> None:
    response = _post_json(_session(world.user("liaison")), URL, _create_body())

    assert response.status_code == 403
    assert response.json() == {"code": "permission_denied", "message": "您的岗位无权登记或修改执法对象", "details": {}}
    assert Subject.objects.count() == 0


def test_create_in_another_street_is_403_outside_jurisdiction(world: Any) -> None:
    response = _post_json(_session(world.user("officer_a")), URL, _create_body(lon=POINT_IN_B[0], lat=POINT_IN_B[1]))

    assert response.status_code == 403
    assert response.json()["code"] == "outside_jurisdiction"


def test_patch_changes_only_the_fields_sent(world: Any) -> None:
    subject = SubjectFactory(district=world.district, phone="13800000000", name="老王面馆")

    response = _patch_json(_session(world.user("officer_a")), f"{URL}/{subject.pk}", {"phone": "13900000000"})

    assert response.status_code == 200
    assert (response.json()["phone"], response.json()["name"]) == ("13900000000", "老王面馆")


def test_patch_by_an_officer_of_another_street_is_404(world: Any) -> None:
    subject = SubjectFactory(district=world.district, phone="13800000000")

    response = _patch_json(_session(world.user("officer_b")), f"{URL}/{subject.pk}", {"phone": "13900000000"})

    assert response.status_code == 404
    subject.refresh_from_db()
    assert subject.phone == "13800000000"


def test_import_multipart_csv(world: Any) -> None:
    csv_text = (
        "类型,业态,名称,统一社会信用代码,地址,经度,纬度\n"
        + f"企业,餐饮,知味观,{uscc_for(1)},仁和路,{POINT_IN_A[0]},{POINT_IN_A[1]}\n"
    )
    upload = SimpleUploadedFile("对象.csv", csv_text.encode("utf-8-sig"), content_type="text/csv")

    response = _session(world.user("dispatcher")).post(f"{URL}/import", {"file": upload})

    assert response.status_code == 201
    assert response.json()["count"] == 1
    assert response.json()["file_name"] == "对象.csv"
    assert AuditEntry.objects.filter(action="subjects.import").count() == 1


def test_import_with_bad_rows_is_422_with_each_error(world: Any) -> None:
    csv_text = "kind,category,name,address,lon,lat\n" + "shop,catering,知味观,仁和路,120.105,30.305\n"
    upload = SimpleUploadedFile("bad.csv", csv_text.encode(), content_type="text/csv")

    response = _session(world.user("dispatcher")).post(f"{URL}/import", {"file": upload})

    body = response.json()
    assert response.status_code == 422
    assert body["code"] == "import_rows_invalid"
    assert body["details"]["error_count"] == 1
    assert [(e["row"], e["column"], e["code"]) for e in body["details"]["errors"]] == [
        (2, "kind", "subject_kind_unknown")
    ]
    assert Subject.objects.count() == 0
