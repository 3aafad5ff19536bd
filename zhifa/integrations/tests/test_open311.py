"""Open311 GeoReport v2: every method in JSON and XML, checked against the spec's field lists."""

import datetime as dt
import io
import json
from typing import Any
from xml.etree import ElementTree as ET

import pytest
import time_machine
from django.test import Client
from PIL import Image

from conftest import POINT_IN_A, POINT_OUTSIDE, World
from zhifa.catalog.models import Domain, Matter
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.core.models import AuditEntry
from zhifa.core.tokens import api_token_issue
from zhifa.events.models import Event, EventPhoto, PhotoKind
from zhifa.events.photos import photo_ingest
from zhifa.events.services import event_intake, event_merge, event_reject, event_transfer
from zhifa.events.states import EventSource, EventStatus
from zhifa.events.tests.test_photos import GPS_IN_A, photo_bytes
from zhifa.subjects.tests.factories import SubjectFactory

# The spec's field lists (http://wiki.open311.org/GeoReport_v2), written out here on purpose.
DISCOVERY_FIELDS = {"changeset", "contact", "key_service", "endpoints"}
ENDPOINT_FIELDS = {"specification", "url", "changeset", "type", "formats"}
SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
DEFINITION_FIELDS = {"service_code", "attributes"}
ATTRIBUTE_FIELDS = {
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
}
VALUE_FIELDS = {"key", "name"}
POST_RESPONSE_FIELDS = {"service_request_id", "service_notice", "account_id"}
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}
TOKEN_FIELDS = {"service_request_id", "token"}
ERROR_FIELDS = {"code", "description"}
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}

BASE = "/open311/v2"
NOW = dt.datetime(2026, 5, 6, 2, 0, 0, tzinfo=dt.UTC)


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def catering(world: World) -> Matter:
    return MatterFactory(
        department=world.enforcement_dept,
        code="ZJ-YY-001",
        name="餐饮服务业油烟直排",
        domain=Domain.CATERING_FUMES,
        keywords="油烟 烧烤",
        law_name="《中华人民共和国大气污染防治法》",
    )


@pytest.fixture
def vending(world: World) -> Matter:
    return MatterFactory(
        department=world.enforcement_dept,
        code="ZJ-SR-901",
        name="擅自占用城市道路",
        domain=Domain.CITY_APPEARANCE,
        keywords="占道 摆摊",
    )


@pytest.fixture
def licensing(world: World) -> Matter:
    """A matter of the market department: a coordinating department whose events are transferred."""
    return MatterFactory(department=world.market_dept, code="SC-001", name="无照经营", domain=Domain.MARKET)


@pytest.fixture
def api_key(world: World) -> str:
    _, key = api_token_issue(actor=world.user("dispatcher"), user=world.user("dispatcher"), name="市民App")
    return key


def xml(response: Any) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    return ET.fromstring(response.content)


def tags(element: ET.Element) -> set[str]:
    return {child.tag for child in element}


def as_json(response: Any) -> Any:
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


def intake(world: World, matter: Matter | None, **overrides: Any) -> Event:
    lon, lat = POINT_IN_A
    values: dict[str, Any] = {
        "actor": world.user("dispatcher"),
        "district": world.district,
        "source": EventSource.OPEN311,
        "description": "路口有人摆摊卖水果",
        "lon": lon,
        "lat": lat,
        "address": "甲街道文一路1号",
        "matter_code": matter.code if matter else None,
    }
    values.update(overrides)
    return event_intake(**values).event


def form(matter: Matter, api_key: str, **overrides: Any) -> dict[str, Any]:
    lon, lat = POINT_IN_A
    data: dict[str, Any] = {
        "api_key": api_key,
        "service_code": matter.code,
        "lat": str(lat),
        "long": str(lon),
        "address_string": "甲街道文一路88号",
        "email": "citizen@example.cn",
        "device_id": "ios-0001",
        "account_id": "acc-42",
        "first_name": "小明",
        "last_name": "王",
        "phone": "13800001234",
        "description": "饭店油烟直接排到居民楼",
        "media_url": "https://photos.example.cn/p/1.jpg",
        "attribute[duration]": "days",
        "attribute[fume_kind][]": ["fumes", "odour"],
        "attribute[merchant_name]": "老王烧烤",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- discovery -------------------------------------------------------------------------------------


def test_discovery_json(client: Client, frozen: Any, world: World, catering: Matter) -> None:
    body = as_json(client.get(f"{BASE}/discovery.json"))

    assert set(body) == DISCOVERY_FIELDS
    assert body["contact"] == "杭州市拱墅区综合行政执法局指挥中心"
    [endpoint] = body["endpoints"]
    assert set(endpoint) == ENDPOINT_FIELDS
    assert endpoint == {
        "specification": "http://wiki.open311.org/GeoReport_v2",
        "url": "http://testserver/open311/v2/",
        "changeset": body["changeset"],
        "type": "production",
        "formats": ["application/json", "text/xml"],
    }
    assert body["changeset"] == "2026-05-06T10:00:00+08:00"  # the catalogue's last change


def test_discovery_xml(client: Client, world: World, catering: Matter) -> None:
    root = xml(client.get(f"{BASE}/discovery.xml"))

    assert root.tag == "discovery"
    assert tags(root) == DISCOVERY_FIELDS
    endpoints = root.find("endpoints")
    assert endpoints is not None
    [endpoint] = endpoints
    assert endpoint.tag == "endpoint"
    assert tags(endpoint) == ENDPOINT_FIELDS
    formats = endpoint.find("formats")
    assert formats is not None
    assert [(f.tag, f.text) for f in formats] == [("format", "application/json"), ("format", "text/xml")]
    assert endpoint.findtext("type") == "production"


# --- services --------------------------------------------------------------------------------------


def test_services_json(client: Client, catering: Matter, vending: Matter) -> None:
    MatterFactory(department=catering.department, code="ZJ-OFF-1", is_active=False)

    body = as_json(client.get(f"{BASE}/services.json"))

    assert [s["service_code"] for s in body] == ["ZJ-SR-901", "ZJ-YY-001"]
    assert all(set(s) == SERVICE_FIELDS for s in body)
    assert body[1] == {
        "service_code": "ZJ-YY-001",
        "service_name": "餐饮服务业油烟直排",
        "description": "餐饮服务业油烟直排。依据《中华人民共和国大气污染防治法》，由区综合行政执法局负责。",
        "metadata": True,
        "type": "realtime",
        "keywords": "油烟,烧烤",
        "group": "餐饮油烟",
    }


def test_services_xml(client: Client, catering: Matter, vending: Matter) -> None:
    root = xml(client.get(f"{BASE}/services.xml"))

    assert root.tag == "services"
    assert [s.tag for s in root] == ["service", "service"]
    assert all(tags(s) == SERVICE_FIELDS for s in root)
    assert (root[1].findtext("metadata"), root[1].findtext("group")) == ("true", "餐饮油烟")


def test_services_of_another_jurisdiction(client: Client, world: World, catering: Matter) -> None:
    response = client.get(f"{BASE}/services.json", {"jurisdiction_id": "999999"})

    assert response.status_code == 404
    assert as_json(response) == [{"code": 404, "description": "辖区 999999 不存在"}]


# --- service definition ----------------------------------------------------------------------------


def test_service_definition_json(client: Client, catering: Matter) -> None:
    body = as_json(client.get(f"{BASE}/services/ZJ-YY-001.json"))

    assert set(body) == DEFINITION_FIELDS
    assert body["service_code"] == "ZJ-YY-001"
    attributes = body["attributes"]
    assert all(set(a) == ATTRIBUTE_FIELDS for a in attributes)
    assert all(set(v) == VALUE_FIELDS for a in attributes for v in a["values"])
    assert all(a["datatype"] in DATATYPES for a in attributes)
    assert [a["order"] for a in attributes] == list(range(1, len(attributes) + 1))
    by_code = {a["code"]: a for a in attributes}
    assert by_code["duration"] == {
        "variable": True,
        "code": "duration",
        "datatype": "singlevaluelist",
        "required": True,
        "datatype_description": "",
        "order": 2,
        "description": "持续时间：问题已经存在多久？",
        "values": [
            {"key": "just_now", "name": "刚刚发现"},
            {"key": "today", "name": "今天内"},
            {"key": "days", "name": "持续数天"},
            {"key": "long_term", "name": "一个月以上"},
        ],
    }
    assert (by_code["merchant_name"]["datatype"], by_code["merchant_name"]["required"]) == ("string", False)
    assert by_code["fume_kind"]["datatype"] == "multivaluelist"


def test_service_definition_xml(client: Client, catering: Matter) -> None:
    root = xml(client.get(f"{BASE}/services/ZJ-YY-001.xml"))

    assert root.tag == "service_definition"
    assert tags(root) == DEFINITION_FIELDS
    attributes = root.find("attributes")
    assert attributes is not None and all(a.tag == "attribute" and tags(a) == ATTRIBUTE_FIELDS for a in attributes)
    duration = next(a for a in attributes if a.findtext("code") == "duration")
    assert (duration.findtext("variable"), duration.findtext("required")) == ("true", "true")
    values = duration.find("values")
    assert values is not None
    assert [(v.tag, v.findtext("key"), v.findtext("name")) for v in values][:2] == [
        ("value", "just_now", "刚刚发现"),
        ("value", "today", "今天内"),
    ]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_code_is_404_in_the_spec_error_format(client: Client, catering: Matter, fmt: str) -> None:
    response = client.get(f"{BASE}/services/NOPE-1.{fmt}")

    assert response.status_code == 404
    if fmt == "json":
        assert as_json(response) == [{"code": 404, "description": "服务代码 NOPE-1 不存在"}]
    else:
        root = xml(response)
        assert root.tag == "errors"
        [error] = root
        assert (error.tag, tags(error)) == ("error", ERROR_FIELDS)
        assert (error.findtext("code"), error.findtext("description")) == ("404", "服务代码 NOPE-1 不存在")


# --- POST requests ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_request_creates_an_event_with_its_attributes(
    client: Client, world: World, catering: Matter, api_key: str, frozen: Any, fmt: str
) -> None:
    response = client.post(f"{BASE}/requests.{fmt}", form(catering, api_key))

    assert response.status_code == 201
    event = Event.objects.get()
    if fmt == "json":
        [body] = as_json(response)
        assert set(body) == POST_RESPONSE_FIELDS
        assert (body["service_request_id"], body["account_id"]) == (event.public_no, "acc-42")
        notice = body["service_notice"]
    else:
        root = xml(response)
        assert root.tag == "service_requests"
        [item] = root
        assert (item.tag, tags(item)) == ("request", POST_RESPONSE_FIELDS)
        assert item.findtext("service_request_id") == event.public_no
        notice = item.findtext("service_notice")
    assert notice == "已受理。派遣后执法队员将在1分钟内响应、5分钟内到场、30分钟内反馈处置结果。"
    assert (event.source, event.matter, event.description) == (EventSource.OPEN311, catering, "饭店油烟直接排到居民楼")
    assert (event.lon, event.lat, event.address) == (*POINT_IN_A, "甲街道文一路88号")
    assert (event.reporter_name, event.reporter_phone, event.reporter_email) == (
        "王小明",
        "13800001234",
        "citizen@example.cn",
    )
    assert event.attributes == {
        "duration": "days",
        "fume_kind": ["fumes", "odour"],
        "merchant_name": "老王烧烤",
        "media_url": "https://photos.example.cn/p/1.jpg",
    }
    assert "api_key" not in event.raw_payload
    assert event.raw_payload["device_id"] == "ios-0001"
    assert event.photos.count() == 0  # media_url is kept as a link, never fetched


def test_post_request_by_address_id_uses_the_subject_location(
    client: Client, world: World, vending: Matter, api_key: str
) -> None:
    subject = SubjectFactory(district=world.district, address="甲街道学院路5号", lon=120.102, lat=30.302)
    data = form(vending, api_key, lat=None, long=None, address_string=None, address_id=str(subject.pk))
    data = {k: v for k, v in data.items() if not k.startswith("attribute[")} | {"attribute[occupation_kind]": "vendor"}
    data["attribute[duration]"] = "today"

    response = client.post(f"{BASE}/requests.json", data)

    assert response.status_code == 201
    event = Event.objects.get()
    assert (event.lon, event.lat, event.address) == (120.102, 30.302, "甲街道学院路5号")
    assert event.attributes["address_id"] == str(subject.pk)


def _without(data: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in names}


@pytest.mark.parametrize(
    ("change", "status", "description"),
    [
        (lambda d: _without(d, "api_key"), 403, "提交服务请求须提供 api_key"),
        (lambda d: d | {"api_key": "zf_wrong"}, 403, "api_key 无效或已停用"),
        (lambda d: d | {"service_code": "NOPE-1"}, 400, "服务代码 NOPE-1 不存在"),
        (lambda d: _without(d, "service_code"), 400, "缺少 service_code"),
        (
            lambda d: _without(d, "attribute[duration]"),
            400,
            "缺少必填属性 attribute[duration]（持续时间：问题已经存在多久？）",
        ),
        (
            lambda d: d | {"attribute[duration]": "forever"},
            400,
            "attribute[duration]（持续时间：问题已经存在多久？） 的取值 forever 不在可选范围内",
        ),
        (lambda d: d | {"attribute[colour]": "red"}, 400, "事项 ZJ-YY-001 没有属性 attribute[colour]"),
        (
            lambda d: d | {"lat": str(POINT_OUTSIDE[1]), "long": str(POINT_OUTSIDE[0])},
            400,
            "所选位置不在拱墅区辖区内，请在辖区范围内重新选点（坐标 121.500000, 31.200000）",
        ),
        (lambda d: d | {"lat": "north"}, 400, "lat 不是有效的坐标值：north"),
        (lambda d: d | {"lat": "95"}, 400, "lat 不是有效的坐标值：95"),
        (lambda d: _without(d, "long"), 400, "lat 与 long 须同时提供"),
        (
            lambda d: _without(d, "lat", "long", "address_string"),
            400,
            "须提供 lat 与 long、address_string 或 address_id 之一",
        ),
        (lambda d: _without(d, "lat", "long") | {"address_id": "999999"}, 400, "address_id 999999 不存在"),
        (lambda d: d | {"email": "not-an-email"}, 400, "email 格式不正确：not-an-email"),
        (lambda d: d | {"media_url": "file:///etc/passwd"}, 400, "media_url 须为 http(s) 地址"),
    ],
    ids=[
        "no-api-key",
        "bad-api-key",
        "unknown-service",
        "no-service",
        "required-attribute",
        "bad-attribute-value",
        "unknown-attribute",
        "outside-district",
        "bad-lat",
        "lat-out-of-range",
        "lat-without-long",
        "no-location",
        "unknown-address-id",
        "bad-email",
        "bad-media-url",
    ],
)
def test_bad_post_gets_the_spec_error_and_writes_nothing(
    client: Client, world: World, catering: Matter, api_key: str, change: Any, status: int, description: str
) -> None:
    audit_before = AuditEntry.objects.count()

    response = client.post(f"{BASE}/requests.json", change(form(catering, api_key)))

    assert response.status_code == status
    assert as_json(response) == [{"code": status, "description": description}]
    assert Event.objects.count() == 0
    assert AuditEntry.objects.count() == audit_before


def test_bad_post_in_xml_gets_xml_errors(client: Client, catering: Matter, api_key: str) -> None:
    response = client.post(f"{BASE}/requests.xml", _without(form(catering, api_key), "api_key"))

    assert response.status_code == 403
    root = xml(response)
    assert [(e.tag, e.findtext("code"), e.findtext("description")) for e in root] == [
        ("error", "403", "提交服务请求须提供 api_key")
    ]
    assert Event.objects.count() == 0


def test_api_key_of_a_deactivated_token_is_refused(client: Client, world: World, catering: Matter) -> None:
    token, key = api_token_issue(actor=world.user("dispatcher"), user=world.user("dispatcher"), name="旧App")
    token.is_active = False
    token.save()

    response = client.post(f"{BASE}/requests.json", form(catering, key))

    assert response.status_code == 403
    assert Event.objects.count() == 0


def test_unsupported_method_is_405(client: Client, catering: Matter) -> None:
    response = client.delete(f"{BASE}/services.json")

    assert (response.status_code, response["Allow"]) == (405, "GET")
    assert as_json(response) == [{"code": 405, "description": "不支持 DELETE 方法"}]


# --- GET requests ----------------------------------------------------------------------------------


def test_get_requests_json_fields_and_values(client: Client, world: World, vending: Matter, frozen: Any) -> None:
    event = intake(world, vending, attributes={"media_url": "https://photos.example.cn/p/9.jpg"})

    body = as_json(client.get(f"{BASE}/requests.json"))

    assert len(body) == 1 and set(body[0]) == REQUEST_FIELDS
    event.refresh_from_db()
    assert body[0] == {
        "service_request_id": event.public_no,
        "status": "open",
        "status_notes": "",
        "service_name": "擅自占用城市道路",
        "service_code": "ZJ-SR-901",
        "description": "路口有人摆摊卖水果",
        "agency_responsible": "区综合行政执法局",
        "service_notice": "已受理。派遣后执法队员将在1分钟内响应、5分钟内到场、30分钟内反馈处置结果。",
        "requested_datetime": "2026-05-06T10:00:00+08:00",
        "updated_datetime": "2026-05-06T10:00:00+08:00",
        "expected_datetime": None,  # the handle clock starts at dispatch
        "address": "甲街道文一路",  # a citizen's report: up to the road (test_open311_privacy.py)
        "address_id": "",
        "zipcode": "",
        "lat": POINT_IN_A[1],
        "long": POINT_IN_A[0],
        "media_url": "https://photos.example.cn/p/9.jpg",
    }


def test_get_requests_xml_fields(client: Client, world: World, vending: Matter, frozen: Any) -> None:
    event = intake(world, vending)

    root = xml(client.get(f"{BASE}/requests.xml"))

    assert root.tag == "service_requests"
    [item] = root
    assert (item.tag, tags(item)) == ("request", REQUEST_FIELDS)
    assert (item.findtext("service_request_id"), item.findtext("status")) == (event.public_no, "open")
    assert (item.findtext("lat"), item.findtext("long")) == (str(POINT_IN_A[1]), str(POINT_IN_A[0]))
    assert item.findtext("expected_datetime") == ""


def test_expected_datetime_is_the_handle_clock(client: Client, world: World, vending: Matter, frozen: Any) -> None:
    event = intake(world, vending)
    Event.objects.filter(pk=event.pk).update(handle_due_at=NOW + dt.timedelta(minutes=36))

    [body] = as_json(client.get(f"{BASE}/requests/{event.public_no}.json"))

    assert body["expected_datetime"] == "2026-05-06T10:36:00+08:00"


def test_transferred_request_expects_the_coordination_deadline(
    client: Client, world: World, licensing: Matter, frozen: Any
) -> None:
    event = intake(world, licensing, description="无照经营的小店")
    task = event_transfer(
        actor=world.user("dispatcher"), event=event, department=world.market_dept, instructions="请市场监管核查"
    )

    [body] = as_json(client.get(f"{BASE}/requests/{event.public_no}.json"))

    assert body["status"] == "open"
    assert body["status_notes"] == "已转区市场监督管理局协同办理。"
    assert body["expected_datetime"] == task.due_at.astimezone(dt.timezone(dt.timedelta(hours=8))).isoformat()
    assert body["service_notice"].startswith("已转区市场监督管理局协同办理，办理时限")


def test_statuses_map_to_open_and_closed(client: Client, world: World, vending: Matter, frozen: Any) -> None:
    dispatcher = world.user("dispatcher")
    open_event = intake(world, vending, description="一号摊")
    rejected = event_reject(actor=dispatcher, event=intake(world, None, description="二号摊"), reason="非执法事项")
    closed = intake(world, vending, description="三号摊")
    Event.objects.filter(pk=closed.pk).update(status=EventStatus.CLOSED, outcome="已劝离")
    duplicate_of_open = event_merge(
        actor=dispatcher, event=intake(world, None, description="四号摊"), into=open_event, reason="重复"
    )

    body = as_json(client.get(f"{BASE}/requests.json"))

    by_id = {r["service_request_id"]: (r["status"], r["status_notes"]) for r in body}
    assert by_id == {
        open_event.public_no: ("open", ""),
        # Citizens' reports: the status, not the dispatcher's or officer's words (test_open311_privacy.py).
        rejected.public_no: ("closed", "不予受理。"),
        closed.public_no: ("closed", "已办结。"),
        duplicate_of_open.public_no: ("open", f"与事件{open_event.public_no}为同一问题，已合并处理。"),
    }
    open_ids = {r["service_request_id"] for r in as_json(client.get(f"{BASE}/requests.json", {"status": "open"}))}
    closed_ids = {r["service_request_id"] for r in as_json(client.get(f"{BASE}/requests.json", {"status": "closed"}))}
    assert open_ids == {open_event.public_no, duplicate_of_open.public_no}
    assert closed_ids == {rejected.public_no, closed.public_no}


def test_merged_request_follows_its_primary_to_closed(
    client: Client, world: World, vending: Matter, frozen: Any
) -> None:
    primary = intake(world, vending, description="一号摊")
    duplicate = event_merge(
        actor=world.user("dispatcher"), event=intake(world, None, description="又是一号摊"), into=primary, reason="重复"
    )
    Event.objects.filter(pk=primary.pk).update(status=EventStatus.CLOSED, outcome="摊贩已劝离")

    [body] = as_json(client.get(f"{BASE}/requests/{duplicate.public_no}.json"))

    assert body["status"] == "closed"
    assert body["status_notes"] == f"与事件{primary.public_no}为同一问题，已合并处理。已办结。"


def test_filters_by_service_code_and_dates(client: Client, world: World, vending: Matter, catering: Matter) -> None:
    with time_machine.travel(NOW - dt.timedelta(days=100), tick=False):
        old = intake(world, vending, description="很久以前的摊位")
    with time_machine.travel(NOW - dt.timedelta(days=2), tick=False):
        recent_vending = intake(world, vending, description="前天的摊位")
    with time_machine.travel(NOW, tick=False):
        today_catering = intake(world, catering, description="今天的油烟")

        def ids(**params: str) -> list[str]:
            return [r["service_request_id"] for r in as_json(client.get(f"{BASE}/requests.json", params))]

        assert ids() == [today_catering.public_no, recent_vending.public_no]  # default: the last 90 days
        assert ids(service_code="ZJ-SR-901") == [recent_vending.public_no]
        assert ids(service_code="ZJ-SR-901,ZJ-YY-001") == [today_catering.public_no, recent_vending.public_no]
        assert ids(start_date="2026-01-01T00:00:00+08:00", end_date="2026-05-05T00:00:00+08:00") == [
            recent_vending.public_no,
            old.public_no,
        ]
        # service_request_id overrides every other filter
        assert ids(service_request_id=f"{old.public_no},{today_catering.public_no}", service_code="NONE") == [
            today_catering.public_no,
            old.public_no,
        ]


@pytest.mark.parametrize(
    ("params", "description"),
    [
        ({"start_date": "last week"}, "start_date 须为 W3C 日期时间，如 2026-05-04T09:30:00+08:00"),
        ({"status": "pending"}, "status 只能为 open 或 closed（收到 pending）"),
        (
            {"start_date": "2026-05-06T00:00:00+08:00", "end_date": "2026-05-01T00:00:00+08:00"},
            "start_date 不能晚于 end_date",
        ),
    ],
)
def test_bad_filters_are_400(client: Client, world: World, params: dict[str, str], description: str) -> None:
    response = client.get(f"{BASE}/requests.json", params)

    assert response.status_code == 400
    assert as_json(response) == [{"code": 400, "description": description}]


def test_hotline_text_is_not_published(client: Client, world: World, vending: Matter, frozen: Any) -> None:
    intake(world, vending, source=EventSource.HOTLINE, description="张先生（电话13800001111）反映楼下有人摆摊")

    [body] = as_json(client.get(f"{BASE}/requests.json"))

    assert body["description"] == "12345热线转来的擅自占用城市道路事件（原始描述不公开）"


# --- GET requests/{id} and tokens/{token} ----------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_get_one_request(client: Client, world: World, vending: Matter, frozen: Any, fmt: str) -> None:
    event = intake(world, vending)

    response = client.get(f"{BASE}/requests/{event.public_no}.{fmt}")

    assert response.status_code == 200
    if fmt == "json":
        [body] = as_json(response)
        assert set(body) == REQUEST_FIELDS
        assert body["service_request_id"] == event.public_no
    else:
        root = xml(response)
        [item] = root
        assert (root.tag, item.tag, tags(item)) == ("service_requests", "request", REQUEST_FIELDS)


@pytest.mark.parametrize("path", ["requests/SJ000.json", "tokens/SJ000.json"])
def test_unknown_request_or_token_is_404(client: Client, world: World, path: str) -> None:
    response = client.get(f"{BASE}/{path}")

    assert response.status_code == 404
    assert as_json(response) == [{"code": 404, "description": "服务请求 SJ000 不存在"}]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_token_maps_to_the_request_id(client: Client, world: World, vending: Matter, frozen: Any, fmt: str) -> None:
    event = intake(world, vending)

    response = client.get(f"{BASE}/tokens/{event.public_no}.{fmt}")

    assert response.status_code == 200
    if fmt == "json":
        assert as_json(response) == [{"service_request_id": event.public_no, "token": event.public_no}]
    else:
        [item] = xml(response)
        assert (item.tag, tags(item), item.findtext("token")) == ("request", TOKEN_FIELDS, event.public_no)


def test_post_then_get_round_trip(client: Client, world: World, catering: Matter, api_key: str, frozen: Any) -> None:
    [created] = as_json(client.post(f"{BASE}/requests.json", form(catering, api_key)))

    [fetched] = as_json(client.get(f"{BASE}/requests/{created['service_request_id']}.json"))

    assert (fetched["service_code"], fetched["status"], fetched["media_url"]) == (
        "ZJ-YY-001",
        "open",
        "https://photos.example.cn/p/1.jpg",
    )
    assert fetched["description"] == "饭店油烟直接排到居民楼"


def test_request_list_query_count_does_not_grow_with_the_number_of_requests(
    client: Client, world: World, vending: Matter, licensing: Matter, frozen: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"{BASE}/requests.json").status_code == 200
        return len(captured)

    intake(world, vending, description="一号摊")
    one = queries()
    for n in range(4):
        event = intake(world, licensing, description=f"无照经营{n}", lon=120.101 + n * 0.002)
        event_transfer(actor=world.user("dispatcher"), event=event, department=world.market_dept, instructions="请核查")

    assert queries() == one


# --- media_url: our stored photos -----------------------------------------------------------------------


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def photographed(world: World, matter: Matter, **overrides: Any) -> tuple[Event, EventPhoto]:
    """An event reported with one photo carrying GPS in its EXIF."""
    event = intake(world, matter, photos=[("现场.jpg", photo_bytes(gps=GPS_IN_A))], **overrides)
    return event, EventPhoto.objects.get(event=event)


def media_path(photo: EventPhoto, ext: str = "jpg") -> str:
    return f"{BASE}/media/{photo.public_token}.{ext}"


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("path", ["requests", "requests/{no}"])
def test_media_url_links_the_public_copy_of_our_stored_photo(
    client: Client, world: World, vending: Matter, media: Any, frozen: Any, fmt: str, path: str
) -> None:
    event, photo = photographed(world, vending)

    response = client.get(f"{BASE}/{path.format(no=event.public_no)}.{fmt}")

    if fmt == "json":
        [body] = as_json(response)
        url = body["media_url"]
    else:
        [item] = xml(response)
        url = item.findtext("media_url")
    assert url == f"http://testserver{media_path(photo)}"
    assert len(photo.public_token) == 43  # 32 random bytes, not the guessable row id


def test_the_media_url_serves_the_public_copy_to_anyone(
    client: Client, world: World, vending: Matter, media: Any
) -> None:
    _, photo = photographed(world, vending)

    response = client.get(media_path(photo))

    assert response.status_code == 200
    assert (response["Content-Type"], response["X-Content-Type-Options"]) == ("image/jpeg", "nosniff")
    data = b"".join(response.streaming_content)
    assert data == (media / photo.public_copy.name).read_bytes()
    assert data != (media / photo.original.name).read_bytes()
    assert dict(Image.open(io.BytesIO(data)).getexif()) == {}  # no GPS, no device


def test_a_submitted_media_url_wins_over_the_stored_photo(
    client: Client, world: World, vending: Matter, media: Any
) -> None:
    event, _ = photographed(world, vending, attributes={"media_url": "https://photos.example.cn/p/9.jpg"})

    [body] = as_json(client.get(f"{BASE}/requests/{event.public_no}.json"))

    assert body["media_url"] == "https://photos.example.cn/p/9.jpg"


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        (EventSource.HOTLINE, PhotoKind.REPORT),  # may show the caller, like the hotline text
        (EventSource.OPEN311, PhotoKind.HANDLE),  # the party being dealt with
        (EventSource.AI_CAMERA, PhotoKind.ALERT),  # passers-by and number plates
    ],
)
def test_photos_that_are_not_published_get_no_media_url_and_no_file(
    client: Client, world: World, vending: Matter, media: Any, source: str, kind: str
) -> None:
    event = intake(world, vending, source=source)
    photo = photo_ingest(event=event, upload=("x.jpg", photo_bytes()), kind=kind, actor=world.user("dispatcher"))

    [body] = as_json(client.get(f"{BASE}/requests/{event.public_no}.json"))

    assert body["media_url"] == ""
    assert client.get(media_path(photo)).status_code == 404


def test_media_is_found_by_its_token_and_type_only(client: Client, world: World, vending: Matter, media: Any) -> None:
    _, photo = photographed(world, vending)

    assert client.get(media_path(photo, ext="png")).status_code == 404
    assert client.get(f"{BASE}/media/{'A' * 43}.jpg").status_code == 404
    assert client.get(f"{BASE}/media/{photo.pk}.jpg").status_code == 404
    assert client.post(media_path(photo)).status_code == 405
