"""/api/v1/analytics/wall (issue 17 part 5): the wall screen's figures as the page reads them, scoped to the
caller as the page is, refused with the page's codes. An afternoon built by hand, seen at 15:00 on 2026-03-10:
street A has two events today (one urgent, dispatched at 14:59 — its 响应 clock runs to 15:00:00 + 1 min), street
B one; an event of yesterday and a merged duplicate are not on the wall."""

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conftest import World
from zhifa.analytics.wall import wall_figures, wall_scope
from zhifa.events.models import Event
from zhifa.events.states import EventPriority, EventStatus
from zhifa.events.tests.factories import DispatchedEventFactory, EventFactory

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 3, 10, 15, 0, tzinfo=TZ)


def at(hour: int, minute: int, day: int = 10) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def afternoon(world: World) -> dict[str, Event]:
    with time_machine.travel(NOW, tick=False):
        events = {
            "A1": DispatchedEventFactory(
                grid=world.grid_a, reported_at=at(14, 55), dispatched_at=at(14, 59), priority=EventPriority.URGENT
            ),
            "A2": EventFactory(grid=world.grid_a, reported_at=at(9, 0)),
            "B1": EventFactory(grid=world.grid_b, reported_at=at(14, 30)),
        }
        EventFactory(grid=world.grid_a, reported_at=at(14, 56), status=EventStatus.MERGED)
        EventFactory(grid=world.grid_a, reported_at=at(23, 0, day=9))
    return events


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def numbers(rows: list[dict[str, Any]]) -> list[str]:
    return [r["public_no"] for r in rows]


@pytest.mark.parametrize("persona", ["leader", "dispatcher", "street_dispatcher_a"])
def test_the_wall_is_the_pages_figures(
    world: World, afternoon: dict[str, Event], frozen: Any, sign_in: Any, persona: str
) -> None:
    user = world.user(persona)
    expected = wall_figures(user=user, scope=wall_scope(user=user))

    response = sign_in(user).get("/api/v1/analytics/wall")

    assert response.status_code == 200
    # The same dict through JSON: what the page's periodic read (data.json) draws, without the page's links.
    assert response.json() == json.loads(json.dumps(expected))


def test_the_district_and_a_street(world: World, afternoon: dict[str, Event], frozen: Any, sign_in: Any) -> None:
    client = sign_in(world.user("leader"))
    district = client.get("/api/v1/analytics/wall").json()
    street_b = client.get("/api/v1/analytics/wall", {"street": world.street_b.pk}).json()
    e = afternoon

    assert numbers(district["events"]) == [e["A1"].public_no, e["B1"].public_no, e["A2"].public_no]
    assert [r["is_urgent"] for r in district["events"]] == [True, False, False]
    assert district["total"] == 3
    assert district["scope"] == {"street": None}
    assert numbers(district["clocks"]["upcoming"]) == [e["A1"].public_no]
    assert dt.datetime.fromisoformat(district["clocks"]["upcoming"][0]["due_at"]) == at(15, 0)
    # The last two hours by grid; a tie in order of the grid's name
    assert [(h["label"], h["count"]) for h in district["hotspots"]] == [("乙一网格", 1), ("甲一网格", 1)]
    assert numbers(street_b["events"]) == [e["B1"].public_no]
    assert street_b["scope"] == {"street": {"id": world.street_b.pk, "name": "乙街道"}}


def test_a_street_dispatcher_sees_their_street(
    world: World, afternoon: dict[str, Event], frozen: Any, sign_in: Any
) -> None:
    body = sign_in(world.user("street_dispatcher_a")).get("/api/v1/analytics/wall").json()

    assert numbers(body["events"]) == [afternoon["A1"].public_no, afternoon["A2"].public_no]
    assert body["total"] == 2
    assert body["scope"] == {"street": {"id": world.street_a.pk, "name": "甲街道"}}


@pytest.mark.parametrize(
    ("persona", "street", "status", "code"),
    [
        ("officer_a", None, 403, "analytics_forbidden"),
        ("liaison", None, 403, "analytics_forbidden"),
        ("street_dispatcher_a", "B", 403, "street_outside_scope"),
        ("leader", "999999", 422, "unknown_street"),
        ("leader", "甲", 422, "unknown_street"),
    ],
)
def test_refusals(
    world: World, frozen: Any, sign_in: Any, persona: str, street: str | None, status: int, code: str
) -> None:
    query = {} if street is None else {"street": str(world.street_b.pk) if street == "B" else street}

    response = sign_in(world.user(persona)).get("/api/v1/analytics/wall", query)

    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json()["message"]
