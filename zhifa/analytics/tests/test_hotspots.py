"""Hotspots (issue 17 part 1) on a week built by hand whose every count is known, by grid and by hour of week,
for the district, a street and a zone; the records behind each cell; the API; the query count.

The week is Monday 2026-03-09 to Sunday 2026-03-15 (Asia/Shanghai). Street A has two zones: 甲一片区 with grid
甲一网格, and 甲二片区 with grid 甲二网格; street B has 乙一网格. Events (local time of report):

- 甲一网格: Mon 08:10, Mon 08:40, Tue 08:20, Sun 23:50 (4) — and a duplicate merged Mon 08:15 (not counted);
- 甲二网格: Wed 14:00, 14:20, 14:59 (3);
- 乙一网格: Mon 08:30, Sat 00:10, Sun 21:00 (3);
- outside the week: 甲一网格 Sun 03-08 23:00 and Mon 03-16 00:05.

So by grid 甲一 4, 甲二 3, 乙一 3 (10); by hour of week Mon 08h 3, Wed 14h 3, Tue 08h 1, Sat 00h 1, Sun 21h 1,
Sun 23h 1. Saturday 00:10 and Sunday 23:50 are the previous and the same day in UTC: the local clock counts.
"""

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conftest import World
from zhifa.analytics import rollup
from zhifa.analytics.hotspots import hotspots, recent_by_grid
from zhifa.analytics.scope import analytics_scope
from zhifa.analytics.selectors import event_records, rolled_days
from zhifa.core.errors import ValidationFailed
from zhifa.events.states import EventStatus
from zhifa.events.tests.factories import EventFactory
from zhifa.org.models import Grid
from zhifa.org.tests.factories import GridFactory, ZoneFactory, square

TZ = ZoneInfo("Asia/Shanghai")
WEEK = {"date_from": "2026-03-09", "date_to": "2026-03-15"}


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=TZ)


@dataclass
class Week:
    world: World
    grid_a2: Grid


@pytest.fixture
def week(world: World) -> Week:
    zone_a2 = ZoneFactory(street=world.street_a, code="A-2", name="甲二片区", boundary=square(120.10, 30.305, 0.005))
    grid_a2 = GridFactory(zone=zone_a2, code="A-2-1", name="甲二网格")
    reports = [
        (world.grid_a, at(9, 8, 10)),
        (world.grid_a, at(9, 8, 40)),
        (world.grid_a, at(10, 8, 20)),
        (world.grid_a, at(15, 23, 50)),
        (grid_a2, at(11, 14, 0)),
        (grid_a2, at(11, 14, 20)),
        (grid_a2, at(11, 14, 59)),
        (world.grid_b, at(9, 8, 30)),
        (world.grid_b, at(14, 0, 10)),
        (world.grid_b, at(15, 21, 0)),
        (world.grid_a, at(8, 23, 0)),  # the Sunday before
        (world.grid_a, at(16, 0, 5)),  # the Monday after
    ]
    for grid, reported in reports:
        EventFactory(grid=grid, reported_at=reported)
    EventFactory(grid=world.grid_a, reported_at=at(9, 8, 15), status=EventStatus.MERGED)
    return Week(world, grid_a2)


def of_week(user: Any, **q: Any) -> dict[str, Any]:
    return hotspots(analytics_scope(user=user, **{**WEEK, **q}))


def grid_counts(h: dict[str, Any]) -> list[tuple[str, int]]:
    return [(r["label"], r["count"]) for r in h["grids"]]


def nonzero_slots(h: dict[str, Any]) -> dict[tuple[int, int], int]:
    return {(d + 1, hour): n for d, row in enumerate(h["week_hours"]) for hour, n in enumerate(row) if n}


def test_district_week_by_grid_and_hour_of_week(week: Week) -> None:
    h = of_week(week.world.user("leader"))

    assert h["total"] == 10
    assert grid_counts(h) == [("甲一网格", 4), ("甲二网格", 3), ("乙一网格", 3)]
    assert nonzero_slots(h) == {(1, 8): 3, (2, 8): 1, (3, 14): 3, (6, 0): 1, (7, 21): 1, (7, 23): 1}
    assert [(r["label"], r["count"]) for r in h["top_slots"]] == [
        ("周一 08时", 3),
        ("周三 14时", 3),
        ("周二 08时", 1),
        ("周六 00时", 1),
        ("周日 21时", 1),
        ("周日 23时", 1),
    ]
    assert (h["max_grid"], h["max_slot"]) == (4, 3)


def test_top_cells_are_the_busiest_with_events(week: Week) -> None:
    h = hotspots(analytics_scope(user=week.world.user("leader"), **WEEK), top=2)

    assert [(r["label"], r["count"]) for r in h["top_grids"]] == [("甲一网格", 4), ("甲二网格", 3)]
    assert [r["key"] for r in h["top_slots"]] == ["1-8", "3-14"]


def test_a_street_and_a_zone(week: Week) -> None:
    leader = week.world.user("leader")

    street = of_week(leader, street=week.world.street_a.pk)
    zone = of_week(leader, zone=week.grid_a2.zone_id)

    assert street["total"] == 7
    assert grid_counts(street) == [("甲一网格", 4), ("甲二网格", 3)]
    assert nonzero_slots(street) == {(1, 8): 2, (2, 8): 1, (3, 14): 3, (7, 23): 1}
    assert (zone["total"], grid_counts(zone), nonzero_slots(zone)) == (3, [("甲二网格", 3)], {(3, 14): 3})


def test_a_quiet_grid_is_listed_with_zero(week: Week) -> None:
    h = of_week(week.world.user("leader"), date_from="2026-03-11", date_to="2026-03-11")

    assert grid_counts(h) == [("甲二网格", 3), ("甲一网格", 0), ("乙一网格", 0)]
    assert h["top_grids"] == [h["grids"][0]]


def test_a_street_dispatcher_sees_their_street_only(week: Week) -> None:
    h = of_week(week.world.user("street_dispatcher_a"))

    assert [r["label"] for r in h["grids"]] == ["甲一网格", "甲二网格"]
    assert h["total"] == 7


def test_the_records_behind_a_grid_and_an_hour_of_week(week: Week) -> None:
    scope = analytics_scope(user=week.world.user("leader"), **WEEK)
    h = hotspots(scope)

    for row in h["grids"]:
        assert event_records(scope, figure="grid", key=row["key"]).count() == row["count"]
    for row in h["top_slots"]:
        assert event_records(scope, figure="weekhour", key=row["key"]).count() == row["count"]
    monday_8 = event_records(scope, figure="weekhour", key="1-8")
    assert sorted(e.reported_at.astimezone(TZ).strftime("%H:%M") for e in monday_8) == ["08:10", "08:30", "08:40"]


@pytest.mark.parametrize("key", ["8-1", "1-24", "1", "x-1", "1-", ""])
def test_an_hour_of_week_that_does_not_exist_is_refused(week: Week, key: str) -> None:
    scope = analytics_scope(user=week.world.user("leader"), **WEEK)

    with pytest.raises(ValidationFailed) as refused:
        event_records(scope, figure="weekhour", key=key)

    assert refused.value.code == "unknown_figure_key"


def test_counted_in_a_fixed_number_of_queries(week: Week, django_assert_num_queries: Any) -> None:
    scope = analytics_scope(user=week.world.user("leader"), **WEEK)
    for i in range(30):
        EventFactory(grid=week.world.grid_b, reported_at=at(12, 9, i))

    # The days the rollup holds (none here), by grid, by hour of week, and the scope's grids (names): whatever
    # the number of events.
    with django_assert_num_queries(4):
        h = hotspots(scope)

    assert h["total"] == 40


def test_hotspots_from_the_rollup_equal_those_from_the_events(week: Week) -> None:
    # March whole (its month rows: the 12 events of the fixture, the week and the days either side), the week
    # (its day rows), a street and a zone; counted from the events first, then from the rollup (ADR 0016).
    leader = week.world.user("leader")
    march = analytics_scope(user=leader, date_from="2026-03-01", date_to="2026-03-31")
    scopes = [
        march,
        analytics_scope(user=leader, **WEEK),
        analytics_scope(user=leader, street=week.world.street_a.pk, **WEEK),
        dataclasses.replace(march, street=week.world.street_a, zone=week.grid_a2.zone),
    ]
    raw = [hotspots(s) for s in scopes]

    rollup.refresh(
        week.world.district.pk, dt.date(2026, 3, 1), dt.date(2026, 3, 31), now=at(31, 0) + dt.timedelta(days=2)
    )

    assert len(rolled_days(march)) == 31
    assert [hotspots(s) for s in scopes] == raw
    # Known answers, not two empty results agreeing.
    assert raw[0]["total"] == 12
    assert nonzero_slots(raw[1]) == {(1, 8): 3, (2, 8): 1, (3, 14): 3, (6, 0): 1, (7, 21): 1, (7, 23): 1}
    assert grid_counts(raw[3]) == [("甲二网格", 3)]


def test_hotspots_now_are_the_last_two_hours_across_midnight(week: Week) -> None:
    # Monday 00:30: the window opens Sunday 22:30 — Sunday 23:50 and Monday 00:05 in it, Sunday 21:00 not.
    with time_machine.travel(at(16, 0, 30), tick=False):
        scope = analytics_scope(user=week.world.user("leader"), date_from="2026-03-16", date_to="2026-03-16")
        rows = recent_by_grid(scope, now=at(16, 0, 30), hours=2)

    assert [(r["label"], r["street"], r["count"]) for r in rows] == [("甲一网格", "甲街道", 2)]


def test_the_api_answers_the_selectors_figures(week: Week, sign_in: Any) -> None:
    client = sign_in(week.world.user("street_dispatcher_a"))

    body = client.get("/api/v1/analytics/hotspots", {"from": "2026-03-09", "to": "2026-03-15"}).json()
    refused = client.get("/api/v1/analytics/hotspots", {"street": week.world.street_b.pk})

    assert body["total"] == 7
    assert [(r["label"], r["count"]) for r in body["grids"]] == [("甲一网格", 4), ("甲二网格", 3)]
    assert body["week_hours"][2][14] == 3
    assert refused.status_code == 403
    assert refused.json()["code"] == "street_outside_scope"
