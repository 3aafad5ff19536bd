"""The wall screen (issue 17 part 2) on an evening built by hand, seen at 18:00 on 2026-03-10 (Asia/Shanghai):
its figures for the district and for a street, its page, JSON and live stream scoped to the viewer.

- A1 (甲一网格, urgent): reported 17:55, dispatched 17:59:30 — its 响应 clock runs out at 18:00:30;
- A2 (甲一网格): reported 17:50, dispatched 17:50, acknowledged 17:50:30 by 甲队员 — 到场 due 17:55, past;
- A3 (甲一网格): reported 17:40, dispatched 17:40, acknowledged 17:40:20, arrived 17:44 — 处置 due 18:10;
- B1 (乙一网格): reported 17:30, dispatched 17:59:50 — 响应 due 18:00:50;
- A6 (甲一网格): reported 09:00, waiting for the command centre (no clock);
- not on the wall: a duplicate merged at 17:56, an event of yesterday 23:00.

Today's 1530: 响应 A2, A3 met, A1 and B1 running → 100%; 到场 A3 met, A2 missed → 50%; 处置 none done, all
running → none. 甲队员 (street A) and 乙队员 (street B) on a shift covering 18:00; 甲队员 busy on A2.
"""

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from conftest import World
from zhifa.analytics.wall import wall_figures, wall_scope
from zhifa.events.clocks import clock_outcome_q
from zhifa.events.models import Event, OfficerPosition
from zhifa.events.states import EventPriority, EventStatus
from zhifa.events.tests.factories import DispatchedEventFactory, EventFactory
from zhifa.org.models import DutyShift, Officer
from zhifa.web.event_display import clock_states
from zhifa.web.wall_views import WallFeed

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 3, 10, 18, 0, tzinfo=TZ)


def at(hour: int, minute: int, second: int = 0, day: int = 10) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, second, tzinfo=TZ)


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def evening(world: World, frozen: Any) -> dict[str, Event]:
    officer_a = Officer.objects.get(user=world.user("officer_a"))
    officer_b = Officer.objects.get(user=world.user("officer_b"))

    def dispatched(grid: Any, reported: dt.datetime, sent: dt.datetime, **fields: Any) -> Event:
        event: Event = DispatchedEventFactory(grid=grid, reported_at=reported, dispatched_at=sent, **fields)
        return event

    events = {
        "A1": dispatched(world.grid_a, at(17, 55), at(17, 59, 30), priority=EventPriority.URGENT),
        "A2": dispatched(
            world.grid_a,
            at(17, 50),
            at(17, 50),
            status=EventStatus.ACKNOWLEDGED,
            acknowledged_at=at(17, 50, 30),
            officers=[officer_a],
        ),
        "A3": dispatched(
            world.grid_a,
            at(17, 40),
            at(17, 40),
            status=EventStatus.ARRIVED,
            acknowledged_at=at(17, 40, 20),
            arrived_at=at(17, 44),
        ),
        "B1": dispatched(world.grid_b, at(17, 30), at(17, 59, 50)),
        "A6": EventFactory(grid=world.grid_a, reported_at=at(9, 0)),
    }
    EventFactory(grid=world.grid_a, reported_at=at(17, 56), status=EventStatus.MERGED)
    EventFactory(grid=world.grid_a, reported_at=at(23, 0, day=9))
    for officer in (officer_a, officer_b):
        DutyShift.objects.create(district=world.district, officer=officer, starts_at=at(16, 0), ends_at=at(23, 59))
        OfficerPosition.objects.create(officer=officer, lon=120.105, lat=30.305, recorded_at=at(17, 58))
    return events


def numbers(rows: list[dict[str, Any]]) -> list[str]:
    return [r["public_no"] for r in rows]


def test_the_district_wall(world: World, evening: dict[str, Event]) -> None:
    f = wall_figures(user=world.user("leader"), scope=wall_scope(user=world.user("leader")))
    e = evening

    assert numbers(f["events"]) == [e[k].public_no for k in ("A1", "A2", "A3", "B1", "A6")]
    assert [r["is_urgent"] for r in f["events"]] == [True, False, False, False, False]
    assert f["total"] == 5
    assert [(r["key"], r["rate"]) for r in f["rates"]] == [("acknowledge", 1.0), ("arrive", 0.5), ("handle", None)]
    assert f["officers"] == {"on_duty": 2, "busy": 1, "free": 1}
    assert sorted((p["name"], p["status"]) for p in f["officer_points"]) == [("乙队员", "free"), ("甲队员", "busy")]
    upcoming = f["clocks"]["upcoming"]
    assert [(c["public_no"], c["clock_label"]) for c in upcoming] == [
        (e["A1"].public_no, "响应"),
        (e["B1"].public_no, "响应"),
        (e["A3"].public_no, "处置"),
    ]
    assert dt.datetime.fromisoformat(upcoming[0]["due_at"]) == at(18, 0, 30)
    assert f["clocks"]["overdue"] == 1
    assert [(h["label"], h["count"]) for h in f["hotspots"]] == [("甲一网格", 3), ("乙一网格", 1)]


def test_a_street_dispatcher_sees_their_street(world: World, evening: dict[str, Event]) -> None:
    user = world.user("street_dispatcher_a")
    f = wall_figures(user=user, scope=wall_scope(user=user))
    e = evening

    assert numbers(f["events"]) == [e[k].public_no for k in ("A1", "A2", "A3", "A6")]
    assert f["total"] == 4
    assert f["officers"] == {"on_duty": 1, "busy": 1, "free": 0}
    assert [p["name"] for p in f["officer_points"]] == ["甲队员"]
    assert numbers(f["clocks"]["upcoming"]) == [e["A1"].public_no, e["A3"].public_no]
    assert [(h["label"], h["count"]) for h in f["hotspots"]] == [("甲一网格", 3)]


def test_the_page_and_its_json_for_the_viewer(world: World, evening: dict[str, Event], sign_in: Any) -> None:
    client = sign_in(world.user("street_dispatcher_a"))

    page = client.get("/analytics/wall/")
    data = client.get("/analytics/wall/data.json").json()
    other_street = client.get(f"/analytics/wall/data.json?street={world.street_b.pk}")

    assert page.status_code == 200
    assert "甲街道" in page.content.decode()
    assert evening["B1"].public_no not in page.content.decode()
    assert numbers(data["events"]) == [evening[k].public_no for k in ("A1", "A2", "A3", "A6")]
    assert data["events"][0]["url"] == f"/events/{evening['A1'].pk}/"
    assert other_street.status_code == 403


def test_a_district_viewer_may_choose_a_street(world: World, evening: dict[str, Event], sign_in: Any) -> None:
    data = sign_in(world.user("leader")).get(f"/analytics/wall/data.json?street={world.street_b.pk}").json()

    assert numbers(data["events"]) == [evening["B1"].public_no]


@pytest.mark.parametrize("persona", ["officer_a", "liaison", "business_owner"])
def test_the_wall_is_refused_to_others(world: World, sign_in: Any, persona: str) -> None:
    client = sign_in(world.user(persona))

    assert client.get("/analytics/wall/").status_code == 403
    assert client.get("/analytics/wall/data.json").status_code == 403
    assert client.get("/analytics/wall/stream").status_code == 403


def opened_at(frozen: Any, user: Any, when: dt.datetime) -> WallFeed:
    """The feed of a wall page rendered at ``when`` (the evening's events were on it already)."""
    frozen.move_to(when)
    return WallFeed(user=user, scope=wall_scope(user=user), since=when)


def messages(feed: WallFeed) -> list[dict[str, Any]]:
    out = []
    for text in feed.poll():
        data = next(line for line in text.splitlines() if line.startswith("data: "))
        out.append(json.loads(data.removeprefix("data: ")))
    return out


def test_the_live_feed_sends_the_viewers_new_events_once(world: World, evening: dict[str, Event], frozen: Any) -> None:
    user = world.user("street_dispatcher_a")
    feed = opened_at(frozen, user, NOW + dt.timedelta(seconds=10))
    frozen.move_to(NOW + dt.timedelta(seconds=20))

    new_a = EventFactory(
        grid=world.grid_a, reported_at=NOW + dt.timedelta(seconds=20), description="<img src=x onerror=alert(1)>摊贩"
    )
    EventFactory(grid=world.grid_b, reported_at=NOW + dt.timedelta(seconds=20))
    first = messages(feed)

    assert [(m["public_no"], m["on_wall"]) for m in first] == [(new_a.public_no, True)]
    assert first[0]["description"] == "<img src=x onerror=alert(1)>摊贩"  # as data; the page writes it as text
    assert messages(feed) == []


def test_an_event_merged_away_leaves_the_wall(world: World, evening: dict[str, Event], frozen: Any) -> None:
    user = world.user("leader")
    feed = opened_at(frozen, user, NOW + dt.timedelta(seconds=10))
    later = NOW + dt.timedelta(seconds=20)
    frozen.move_to(later)

    Event.objects.filter(pk=evening["A6"].pk).update(status=EventStatus.MERGED, updated_at=later)

    assert [(m["id"], m["on_wall"]) for m in messages(feed)] == [(evening["A6"].pk, False)]


def test_each_clock_is_judged_as_the_event_page_judges_it(world: World, evening: dict[str, Event]) -> None:
    # The rate counts clocks with the events app's condition in SQL (clocks.clock_outcome_q, through
    # selectors.headline); the event page's ClockState reads the same rule on the loaded row (the rule itself
    # is tested case by case in events/tests/test_clock_outcome.py). This holds the wiring — each clock's
    # fields, the page's "now" — on every clock of the evening: met, missed, running, never started.
    now = timezone.now()
    seen = set()
    for event in Event.objects.filter(pk__in=[e.pk for e in evening.values()]):
        for state in clock_states(event):
            judged = Event.objects.filter(pk=event.pk)
            met = judged.filter(clock_outcome_q(state.clock, "met", now)).exists()
            missed = judged.filter(clock_outcome_q(state.clock, "missed", now)).exists()
            assert (met, missed) == (state.is_met, state.is_missed), (event.public_no, state.clock)
            seen.add("met" if met else "missed" if missed else "running" if state.due_at else "none")
    assert seen == {"met", "missed", "running", "none"}
