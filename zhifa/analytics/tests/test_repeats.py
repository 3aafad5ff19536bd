"""Repeat places: the same kind at the same place (same grid, or within ZHIFA_DEDUP_RADIUS_M) within 30 days."""

import datetime as dt
import random
from typing import Any

import pytest

from zhifa.analytics.repeats import REPEAT_WINDOW, Report, link, order, repeat_places, same_place

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


def test_a_report_between_two_places_joins_one_and_they_stay_two() -> None:
    """Grid 1's chain and grid 2's chain, 111 m apart (not linked): a report of grid 3 between them, within the
    radius of both, repeats the latest of the two (4); the places stay two, each named by its first report, and
    grid 1's next report still joins grid 1's place (its own grid first)."""
    rows = [
        report(1, days=1),
        report(2, days=2),
        report(3, days=3, grid=2, d_lat=FAR),
        report(4, days=4, grid=2, d_lat=FAR),
        report(5, days=5, grid=3, d_lat=FAR / 2),
        report(6, days=6),
    ]

    places = repeat_places(rows, starts_at=START, ends_at=END)

    assert [(p.anchor_id, p.event_ids, p.repeat_ids) for p in places] == [
        (1, [1, 2, 6], [2, 6]),
        (3, [3, 4, 5], [4, 5]),
    ]


def _every_pair(rows: list[Report], radius: float) -> dict[int, int | None]:
    """The rule compared with every earlier report: the latest of the same kind in the same grid within the
    window, else the latest within the radius."""
    ordered = sorted(rows, key=lambda r: (r.reported_at, r.event_id))
    parents: dict[int, int | None] = {}
    for i, later in enumerate(ordered):
        earlier = [
            e for e in ordered[:i] if e.kind_id == later.kind_id and later.reported_at - e.reported_at <= REPEAT_WINDOW
        ]
        same_grid = [e for e in earlier if e.grid_id == later.grid_id]
        near = [e for e in earlier if same_place(e, later, radius)]
        chosen = same_grid or near
        parents[later.event_id] = chosen[-1].event_id if chosen else None
    return parents


def random_reports(seed: int, n: int = 3000) -> list[Report]:
    """``n`` random reports, 4 kinds, 40 grids, over 90 days in a 2 km square."""
    rng = random.Random(seed)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    return [
        Report(
            i,
            rng.randrange(4),
            rng.randrange(40),
            120.1 + rng.random() * 0.02,
            30.25 + rng.random() * 0.018,
            start + dt.timedelta(seconds=rng.randrange(90 * 86400)),
        )
        for i in range(1, n + 1)
    ]


def test_the_bucketed_search_finds_what_comparing_every_pair_finds() -> None:
    """3,000 random reports: each report's ``repeat_of`` found comparing only reports in the same grid or nearby
    cells equals the rule applied to every earlier report (ADR 0016), and so do the repeats and places."""
    rows = random_reports(16)
    expected = _every_pair(rows, 100.0)

    found = dict((r.event_id, parent) for r, parent in link(sorted(rows, key=order), radius=100.0))

    assert found == expected
    assert sum(1 for p in found.values() if p is not None) > 500, "the sample has repeats"
    start = min(r.reported_at for r in rows)
    starts, ends = start + dt.timedelta(days=30), start + dt.timedelta(days=60)
    places = repeat_places(rows, starts_at=starts, ends_at=ends)
    at = {r.event_id: r.reported_at for r in rows}
    assert {i for p in places for i in p.repeat_ids} == {
        i for i, p in expected.items() if p is not None and starts <= at[i] < ends
    }
    for p in places:  # each place: its first report and those linked to it
        assert expected[p.anchor_id] is None
        assert all(expected[i] in p.event_ids for i in p.event_ids[1:])
