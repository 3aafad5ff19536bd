"""Repeat places: the same kind at the same place (same grid, or within ZHIFA_DEDUP_RADIUS_M) within 30 days."""

import datetime as dt
import random
from typing import Any

import pytest

from zhifa.analytics.repeats import REPEAT_WINDOW, Report, repeat_places, same_place

START = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
END = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)
LON, LAT = 120.15, 30.30
# 0.0009° of latitude ≈ 100.1 m; 0.0008° ≈ 89 m
NEAR, FAR = 0.0008, 0.0010


def report(event_id: int, *, days: float, kind: int = 1, grid: int = 1, d_lat: float = 0.0) -> Report:
    return Report(event_id, kind, grid, LON, LAT + d_lat, START + dt.timedelta(days=days))


@pytest.fixture(autouse=True)
def _radius(settings: Any) -> None:
    settings.ZHIFA_DEDUP_RADIUS_M = 100


@pytest.mark.parametrize(
    ("later", "is_repeat"),
    [
        (report(2, days=10), True),  # same grid, same point
        (report(2, days=10, grid=2, d_lat=NEAR), True),  # another grid, 89 m away
        (report(2, days=10, grid=2, d_lat=FAR), False),  # another grid, 111 m away
        (report(2, days=10, grid=1, d_lat=0.01), True),  # the same grid, however far inside it
        (report(2, days=10, kind=2), False),  # another kind at the same point
        (report(2, days=25.01), False),  # 30 days and a quarter of an hour after the first
        (report(2, days=25), True),  # 30 days after the first, to the second
    ],
)
def test_a_later_report_is_a_repeat_only_of_the_same_kind_at_the_same_place(later: Report, is_repeat: bool) -> None:
    first = report(1, days=-5)  # before the period: the later one, in it, is what is counted

    places = repeat_places([first, later], starts_at=START, ends_at=END)

    assert [(p.event_ids, p.repeat_ids) for p in places] == ([([1, 2], [2])] if is_repeat else [])


def test_a_report_before_the_period_makes_the_first_of_the_period_a_repeat() -> None:
    before = report(1, days=-20)
    inside = report(2, days=3)

    places = repeat_places([before, inside], starts_at=START, ends_at=END)

    assert [(p.anchor_id, p.event_ids, p.repeat_ids) for p in places] == [(1, [1, 2], [2])]


def test_a_place_only_before_the_period_is_not_reported() -> None:
    places = repeat_places([report(1, days=-20), report(2, days=-10)], starts_at=START, ends_at=END)

    assert places == []


def test_chained_reports_are_one_place_largest_first() -> None:
    rows = [
        report(1, days=1),
        report(2, days=2),
        report(3, days=3),
        report(4, days=4, kind=2),
        report(5, days=5, kind=2),
    ]

    places = repeat_places(rows, starts_at=START, ends_at=END)

    assert [(p.kind_id, p.event_ids, p.repeat_ids) for p in places] == [(1, [1, 2, 3], [2, 3]), (2, [4, 5], [5])]


def test_the_bucketed_search_finds_what_comparing_every_pair_finds() -> None:
    """3,000 random reports, 4 kinds, 40 grids, over 90 days in a 2 km square: the repeats and places found
    comparing only reports in the same grid or nearby cells equal those of comparing every pair (ADR 0016)."""
    rng = random.Random(16)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    rows = [
        Report(
            i,
            rng.randrange(4),
            rng.randrange(40),
            120.1 + rng.random() * 0.02,
            30.25 + rng.random() * 0.018,
            start + dt.timedelta(seconds=rng.randrange(90 * 86400)),
        )
        for i in range(1, 3001)
    ]
    repeats, parent = set(), {r.event_id: r.event_id for r in rows}

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    ordered = sorted(rows, key=lambda r: (r.reported_at, r.event_id))
    for i, later in enumerate(ordered):
        for earlier in ordered[:i]:
            close = later.reported_at - earlier.reported_at <= REPEAT_WINDOW
            if earlier.kind_id == later.kind_id and close and same_place(earlier, later, 100.0):
                repeats.add(later.event_id)
                parent[find(later.event_id)] = find(earlier.event_id)
    starts, ends = start + dt.timedelta(days=30), start + dt.timedelta(days=60)
    places = repeat_places(rows, starts_at=starts, ends_at=ends)
    assert places, "the sample has repeats"
    expected = {r.event_id for r in rows if r.event_id in repeats and starts <= r.reported_at < ends}
    assert {i for p in places for i in p.repeat_ids} == expected
    for p in places:
        assert len({find(i) for i in p.event_ids}) == 1
    # And each place is a whole component of every pair's links, none split in two.
    components: dict[int, set[int]] = {}
    for r in rows:
        components.setdefault(find(r.event_id), set()).add(r.event_id)
    assert sorted(sorted(p.event_ids) for p in places) == sorted(sorted(c) for c in components.values() if c & expected)
