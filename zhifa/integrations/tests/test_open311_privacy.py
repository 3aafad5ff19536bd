"""The public Open311 view of people's reports (issue 9): the point rounded to ~100 m, the address up to its
road, and the status instead of the officer's or dispatcher's words — for hotline, Open311 and API reports,
unless ZHIFA_OPEN311_PUBLIC_DETAIL is "exact". The administration's own records stay exact."""

import json
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from django.test import Client

from zhifa.catalog.tests.factories import MatterFactory
from zhifa.events.models import Event
from zhifa.events.privacy import mask_address, round_coordinate
from zhifa.events.services import event_intake, event_merge, event_reject
from zhifa.events.states import EventSource, EventStatus

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"
# A point in street A with more decimals than published: (120.10537, 30.30561) → (120.105, 30.306).
PRECISE = (120.10537, 30.30561)


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("杭州市西湖区文一路88号3幢502室", "杭州市西湖区文一路"),
        ("甲街道文一路1号", "甲街道文一路"),
        ("文一路８８号", "文一路"),  # full-width digits
        ("仁和路八十三号", "仁和路"),
        ("学院路第12号（东门）", "学院路"),
        ("文三路与学院路交叉口", "文三路与学院路交叉口"),
        ("十字路口东侧", "十字路口东侧"),
        ("西溪银泰A座1201", "西溪银泰A座"),
        ("翠苑一区12幢", "翠苑一区"),
        ("88号", ""),
        ("", ""),
    ],
)
def test_an_address_is_kept_up_to_its_road(address: str, masked: str) -> None:
    assert mask_address(address) == masked


def test_a_coordinate_is_rounded_to_three_decimals() -> None:
    assert (round_coordinate(PRECISE[0]), round_coordinate(PRECISE[1]), round_coordinate(-0.00049)) == (
        120.105,
        30.306,
        -0.0,
    )


def _report(world: Any, source: str, **overrides: Any) -> Event:
    values: dict[str, Any] = {
        "actor": world.user("dispatcher"),
        "district": world.district,
        "source": source,
        "description": "路口有人摆摊卖水果",
        "lon": PRECISE[0],
        "lat": PRECISE[1],
        "address": "甲街道文一路88号3幢",
        "reporter_name": "王先生",
        "reporter_phone": "13812341234",
    }
    values.update(overrides)
    return event_intake(**values).event


def _published(client: Client, event: Event) -> dict[str, Any]:
    [body] = json.loads(client.get(f"{BASE}/requests/{event.public_no}.json").content)
    return {k: body[k] for k in ("address", "lat", "long", "status", "status_notes")}


@pytest.mark.parametrize("source", [EventSource.HOTLINE, EventSource.OPEN311, EventSource.API])
def test_a_persons_report_is_published_masked(client: Client, world: Any, source: str) -> None:
    # Given a person's report, closed with an officer's outcome that names the party
    event = _report(world, source)
    Event.objects.filter(pk=event.pk).update(status=EventStatus.CLOSED, outcome="已对摊主张三处以警告")
    # When anyone reads it through Open311 (JSON and XML)
    published = _published(client, event)
    item = ET.fromstring(client.get(f"{BASE}/requests/{event.public_no}.xml").content)[0]
    # Then its place is rounded and cut at the road, and its outcome is the status
    assert published == {
        "address": "甲街道文一路",
        "lat": 30.306,
        "long": 120.105,
        "status": "closed",
        "status_notes": "已办结。",
    }
    assert [item.findtext(k) for k in ("address", "lat", "long", "status_notes")] == [
        "甲街道文一路",
        "30.306",
        "120.105",
        "已办结。",
    ]
    assert "张三" not in client.get(f"{BASE}/requests.json").content.decode()


def test_a_rejected_persons_report_gives_no_reason_and_a_number_only_address_the_street(
    client: Client, world: Any
) -> None:
    event = _report(world, EventSource.HOTLINE, address="88号", auto_triage=False)
    event_reject(actor=world.user("dispatcher"), event=event, reason="来电人李四与邻居纠纷，非执法事项")

    assert _published(client, event) == {
        "address": "甲街道",
        "lat": 30.306,
        "long": 120.105,
        "status": "closed",
        "status_notes": "不予受理。",
    }


def test_a_duplicate_shows_its_primarys_summary(client: Client, world: Any) -> None:
    primary = _report(world, EventSource.OPEN311)
    duplicate = event_merge(
        actor=world.user("dispatcher"),
        event=_report(world, EventSource.OPEN311, auto_triage=False),
        into=primary,
        reason="重复",
    )
    Event.objects.filter(pk=primary.pk).update(status=EventStatus.CLOSED, outcome="摊主张三已劝离")

    assert _published(client, duplicate)["status_notes"] == f"与事件{primary.public_no}为同一问题，已合并处理。已办结。"


@pytest.mark.parametrize("source", [EventSource.PATROL, EventSource.DEPARTMENT])
def test_the_administrations_own_records_stay_exact(client: Client, world: Any, source: str) -> None:
    event = _report(world, source)
    Event.objects.filter(pk=event.pk).update(status=EventStatus.CLOSED, outcome="占道摊位已清理")

    assert _published(client, event) == {
        "address": "甲街道文一路88号3幢",
        "lat": PRECISE[1],
        "long": PRECISE[0],
        "status": "closed",
        "status_notes": "占道摊位已清理",
    }


@pytest.mark.parametrize(("value", "masked"), [("exact", False), ("masked", True), ("EXACTLY", True)])
def test_the_setting_says_what_is_public(client: Client, world: Any, settings: Any, value: str, masked: bool) -> None:
    settings.ZHIFA_OPEN311_PUBLIC_DETAIL = value
    event = _report(world, EventSource.OPEN311, matter_code=MatterFactory(department=world.enforcement_dept).code)
    Event.objects.filter(pk=event.pk).update(status=EventStatus.CLOSED, outcome="已对摊主张三处以警告")

    expected = (
        ("甲街道文一路", 30.306, 120.105, "已办结。")
        if masked
        else ("甲街道文一路88号3幢", PRECISE[1], PRECISE[0], "已对摊主张三处以警告")
    )
    published = _published(client, event)
    assert (published["address"], published["lat"], published["long"], published["status_notes"]) == expected
