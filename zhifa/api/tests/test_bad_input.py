"""Bad input the hostile tester's fuzzer answered with a 500 (issue 9, item 8) or with something that is not
JSON (item 9): each gets a 4xx in the one error shape, with a Chinese message and a code, and writes nothing."""

import json
from typing import Any

import pytest
from django.test import Client

from conftest import POINT_IN_A
from zhifa.catalog.models import Matter
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.core.actors import SystemActor
from zhifa.core.models import AuditEntry
from zhifa.core.tokens import api_token_issue
from zhifa.events.models import Event
from zhifa.org.models import Officer
from zhifa.subjects.models import Subject
from zhifa.subjects.tests.factories import SubjectFactory

pytestmark = pytest.mark.django_db


def session(user: Any, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def bearer(user: Any) -> Client:
    _, key = api_token_issue(actor=SystemActor("测试"), user=user, name="测试令牌")
    return Client(headers={"Authorization": f"Bearer {key}"})


def strict_json(response: Any) -> Any:
    """The body as RFC 8259 JSON: a bare NaN or Infinity is refused, as a browser's JSON.parse refuses it."""

    def refuse(token: str) -> Any:
        raise ValueError(f"not JSON: {token}")

    return json.loads(response.content, parse_constant=refuse)


def footprint() -> tuple[int, int, int]:
    return Event.objects.count(), Subject.objects.count(), AuditEntry.objects.count()


EVENT = {"description": "仁和路口流动摊贩占道", "lon": POINT_IN_A[0], "lat": POINT_IN_A[1]}
LISTS = [
    "/api/v1/events",
    "/api/v1/events/queue",
    "/api/v1/subjects",
    "/api/v1/catalog/matters",
    "/api/v1/org/officers",
]


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize(
    ("offset", "code", "reason"),
    [("-1", "greater_than_equal", "不能小于0"), ("10000000000000000000", "less_than_equal", "不能大于10000000")],
    ids=["negative", "huge"],
)
def test_an_offset_out_of_bounds_is_refused_on_every_list(
    world: Any, url: str, offset: str, code: str, reason: str
) -> None:
    response = bearer(world.user("dispatcher")).get(url, {"offset": offset})

    assert response.status_code == 422
    assert strict_json(response) == {
        "code": "request_invalid",
        "message": f"请求数据格式不正确：offset {reason}",
        "details": [{"loc": ["query", "offset"], "code": code, "reason": reason}],
    }


def test_an_id_past_the_databases_integers_is_refused_not_queried(world: Any) -> None:
    # SQLite cannot bind an integer past 2**63: the filter used to reach it and answer 500.
    response = bearer(world.user("dispatcher")).get("/api/v1/events", {"street_id": str(10**20)})

    assert response.status_code == 422
    assert response.json()["details"] == [
        {"loc": ["query", "street_id"], "code": "less_than_equal", "reason": "不能大于9223372036854775807"}
    ]


def test_a_limit_past_the_page_bound_is_refused(world: Any) -> None:
    response = bearer(world.user("dispatcher")).get("/api/v1/subjects", {"limit": "501"})

    assert (response.status_code, response.json()["details"][0]["reason"]) == (422, "不能大于500")


def test_a_multipart_payload_that_is_not_json_is_refused(world: Any) -> None:
    before = footprint()

    response = session(world.user("dispatcher")).post("/api/v1/events", {"payload": "{not json"})

    assert response.status_code == 422
    assert response.json() == {
        "code": "json_invalid",
        "message": "请求体不是合法的 JSON",
        "details": {"line": 1, "column": 2},
    }
    assert footprint() == before


@pytest.mark.parametrize(
    ("target", "body"),
    [
        ("matter", {"name": None}),
        ("matter", {"is_active": None, "name": "改名"}),
        ("officer", {"is_active": None}),
        ("subject", {"name": None}),
    ],
    ids=["matter-name", "matter-is-active", "officer-is-active", "subject-name"],
)
def test_null_for_a_field_that_has_no_null_is_refused_and_changes_nothing(
    world: Any, target: str, body: dict[str, Any]
) -> None:
    matter = MatterFactory(district=world.district, department=world.enforcement_dept, name="擅自占用城市道路")
    subject = SubjectFactory(district=world.district, name="知味观")
    officer = Officer.objects.get(name="甲队员")
    url = {
        "matter": f"/api/v1/catalog/matters/{matter.pk}",
        "officer": f"/api/v1/org/officers/{officer.pk}",
        "subject": f"/api/v1/subjects/{subject.pk}",
    }[target]
    null_field = next(name for name, value in body.items() if value is None)
    audits = AuditEntry.objects.count()

    response = session(world.user("dispatcher")).patch(url, json.dumps(body), content_type="application/json")

    assert response.status_code == 422
    assert response.json() == {
        "code": "field_not_nullable",
        "message": f"请求数据格式不正确：{null_field} 不能为空值（null）",
        "details": [
            {"loc": ["body", "payload", null_field], "code": "field_not_nullable", "reason": "不能为空值（null）"}
        ],
    }
    assert (Matter.objects.get(pk=matter.pk).name, Matter.objects.get(pk=matter.pk).is_active) == (
        "擅自占用城市道路",
        True,
    )
    assert (Officer.objects.get(pk=officer.pk).is_active, Subject.objects.get(pk=subject.pk).name) == (True, "知味观")
    assert AuditEntry.objects.count() == audits


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.mark.parametrize("levels", [33, 100_000], ids=["just-past-the-bound", "100000"])
@pytest.mark.parametrize("url", ["/api/v1/events", "/api/v1/catalog/matters", "/api/v1/org/officers"])
def test_json_nested_too_deep_is_refused(world: Any, url: str, levels: int) -> None:
    client = bearer(world.user("dispatcher"))
    before = footprint()
    body = '{"description": ' + deep(levels) + "}"

    response = client.post(url, body, content_type="application/json")

    assert response.status_code == 422
    assert response.json() == {"code": "json_too_deep", "message": "JSON 嵌套超过32层", "details": {"max_depth": 32}}
    assert footprint() == before


def test_json_at_the_depth_bound_is_read_and_judged_by_the_schema_in_chinese(world: Any) -> None:
    body = '{"description": ' + deep(31) + "}"  # the object is level 1

    response = bearer(world.user("dispatcher")).post("/api/v1/events", body, content_type="application/json")

    assert response.status_code == 422
    assert response.json() == {
        "code": "request_invalid",
        "message": "请求数据格式不正确：description 须为字符串",
        "details": [{"loc": ["body", "description"], "code": "string_type", "reason": "须为字符串"}],
    }


@pytest.mark.parametrize(
    "raw",
    [
        '{"description": "占道", "lon": NaN, "lat": 30.3}',
        '{"description": "占道", "lon": Infinity, "lat": 30.3}',
        '{"description": "占道", "lon": 1e999, "lat": 30.3}',
    ],
    ids=["NaN", "Infinity", "1e999"],
)
def test_non_finite_numbers_are_refused_and_the_answer_is_json(world: Any, raw: str) -> None:
    client = bearer(world.user("dispatcher"))
    before = footprint()

    response = client.post("/api/v1/events", raw, content_type="application/json")

    assert response.status_code == 422
    assert strict_json(response)["code"] == "number_not_finite"
    assert footprint() == before


@pytest.mark.parametrize("value", ["NaN", "-Infinity"])
def test_a_non_finite_number_sent_as_text_is_refused_too(world: Any, value: str) -> None:
    # pydantic reads the string "NaN" as a float: the field's type refuses it, not only the JSON reader.
    response = bearer(world.user("dispatcher")).post(
        "/api/v1/officers/me/position", json.dumps({"lon": value, "lat": 30.3}), content_type="application/json"
    )

    assert response.status_code == 422
    assert strict_json(response) == {
        "code": "number_not_finite",
        "message": "请求数据格式不正确：lon 须为有限数值（不接受 NaN、Infinity）",
        "details": [
            {
                "loc": ["body", "payload", "lon"],
                "code": "number_not_finite",
                "reason": "须为有限数值（不接受 NaN、Infinity）",
            }
        ],
    }


def test_a_nul_character_in_a_body_is_refused(world: Any) -> None:
    client = bearer(world.user("dispatcher"))
    before = footprint()

    response = client.post(
        "/api/v1/events", json.dumps({**EVENT, "description": "占道\x00经营"}), content_type="application/json"
    )

    assert response.status_code == 422
    assert response.json() == {"code": "nul_in_text", "message": "文本中不能含有空字符（\\u0000）", "details": {}}
    assert footprint() == before


def test_a_nul_character_in_a_multipart_field_is_refused(world: Any) -> None:
    before = footprint()

    response = session(world.user("dispatcher")).post("/api/v1/events", {**EVENT, "address": "湖墅南路\x00"})

    assert (response.status_code, response.json()["code"]) == (422, "nul_in_text")
    assert footprint() == before


@pytest.mark.parametrize(
    "url", ["/api/v1/subjects?q=%00", "/api/v1/events?status=a%00", "/api/v1/catalog/matters/by-code/ZJ%00"]
)
def test_a_nul_character_in_a_query_or_path_parameter_is_refused(world: Any, url: str) -> None:
    response = bearer(world.user("dispatcher")).get(url)

    assert (response.status_code, response.json()["code"]) == (422, "nul_in_text")


def test_a_nul_character_in_an_open311_parameter_is_refused(world: Any) -> None:
    response = Client().get("/open311/v2/services/ZJ%00.json")

    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": "文本中不能含有空字符（\\u0000）"}]


@pytest.mark.parametrize(
    ("method", "url"),
    [("post", "/api/v1/events"), ("post", "/api/v1/catalog/matters"), ("patch", "/api/v1/org/officers/1")],
)
def test_an_anonymous_write_is_401_not_authenticated_not_a_csrf_failure(world: Any, method: str, url: str) -> None:
    client = Client(enforce_csrf_checks=True)  # as a browser with no login, and no CSRF token either

    response = getattr(client, method)(url, json.dumps(EVENT), content_type="application/json")

    assert response.status_code == 401
    assert response.json() == {"code": "not_authenticated", "message": "未登录或令牌无效", "details": {}}
    assert Event.objects.count() == 0


@pytest.mark.parametrize("path", ["/api/v1/events/null,null", "/api/v1/events/-1/actions/verify", "/api/v2/events"])
def test_a_path_no_operation_matches_is_a_json_404(world: Any, path: str) -> None:
    response = bearer(world.user("dispatcher")).post(path, "{}", content_type="application/json")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": "api_path_unknown", "message": "接口不存在，请核对地址与路径参数", "details": {}}


def test_a_non_finite_number_an_answer_still_holds_is_written_as_null() -> None:
    from zhifa.api.json_io import FiniteJSONRenderer

    rendered = FiniteJSONRenderer().render(
        None,  # type: ignore[arg-type]
        {"score": float("nan"), "items": [1.5, float("inf"), {"d": float("-inf")}]},
        response_status=200,
    )

    assert rendered == '{"score": null, "items": [1.5, null, {"d": null}]}'
