"""Repeat places (重复发生点位): the same kind of complaint at the same place within 30 days.

"The same place" is either the same grid (网格, the smallest unit a team answers for) or a point within
``ZHIFA_DEDUP_RADIUS_M`` metres (the radius intake uses to call two open reports one duplicate; great-circle
distance, ``zhifa.events.distance``). Either is enough: two reports across a grid line 20 m apart are one
place, and so are two reports at opposite corners of one small grid — the grid's team stands in both.

An event is a *repeat* when an earlier event of the same kind was reported at the same place no more than
``REPEAT_WINDOW`` before it (that earlier event may lie before the period: its first report is the reason the
second one counts). Events linked so are one *repeat place*; a place is reported in the period when at least
one of its repeats falls in it. Pure functions of already-loaded rows: the selector does the one query.
"""

import datetime as dt
import math
from collections import defaultdict, deque
from dataclasses import dataclass, field

from django.conf import settings

from zhifa.events.distance import haversine_m

REPEAT_WINDOW = dt.timedelta(days=30)


@dataclass(frozen=True)
class Report:
    """The fields of an event repeat detection reads."""

    event_id: int
    kind_id: int
    grid_id: int
    lon: float
    lat: float
    reported_at: dt.datetime


@dataclass
class RepeatPlace:
    kind_id: int
    grid_id: int
    event_ids: list[int] = field(default_factory=list)
    repeat_ids: list[int] = field(default_factory=list)
    first_at: dt.datetime | None = None
    last_at: dt.datetime | None = None

    @property
    def anchor_id(self) -> int:
        """The place's first event: it names the place in links (``repeat_of``)."""
        return self.event_ids[0]


def radius_m() -> float:
    return float(getattr(settings, "ZHIFA_DEDUP_RADIUS_M", 100))


def same_place(a: Report, b: Report, radius: float) -> bool:
    return a.grid_id == b.grid_id or haversine_m(a.lon, a.lat, b.lon, b.lat) <= radius


def repeat_places(reports: list[Report], *, starts_at: dt.datetime, ends_at: dt.datetime) -> list[RepeatPlace]:
    """The repeat places with at least one repeat reported in [starts_at, ends_at); ``reports`` must cover
    ``REPEAT_WINDOW`` before ``starts_at`` too. Largest place first, then the earliest."""
    radius = radius_m()
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    repeats: set[int] = set()
    by_kind: dict[int, list[Report]] = defaultdict(list)
    for r in sorted(reports, key=lambda r: (r.reported_at, r.event_id)):
        by_kind[r.kind_id].append(r)
    for rows in by_kind.values():
        # Only reports that can be the same place are compared (ADR 0016): those of the same grid, and those in
        # the 3 × 3 cells of at least ``radius`` on a side around the report — every point within ``radius``
        # lies in them. Each bucket keeps its reports of the last ``REPEAT_WINDOW``, in order of time.
        cell_lat = radius / 110_000 or 1e-9
        widest = max(abs(r.lat) for r in rows)
        cell_lon = cell_lat / max(math.cos(math.radians(min(widest, 89.0))), 0.01)
        by_grid: dict[int, deque[Report]] = defaultdict(deque)
        by_cell: dict[tuple[int, int], deque[Report]] = defaultdict(deque)
        for later in rows:
            cx, cy = math.floor(later.lon / cell_lon), math.floor(later.lat / cell_lat)
            near: dict[int, Report] = {}
            buckets = [by_grid[later.grid_id]] + [by_cell[(cx + dx, cy + dy)] for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
            for bucket in buckets:
                while bucket and later.reported_at - bucket[0].reported_at > REPEAT_WINDOW:
                    bucket.popleft()
                for earlier in bucket:
                    near[earlier.event_id] = earlier
            for earlier in near.values():
                if same_place(earlier, later, radius):
                    repeats.add(later.event_id)
                    parent[find(later.event_id)] = find(earlier.event_id)
            by_grid[later.grid_id].append(later)
            by_cell[(cx, cy)].append(later)
    places: dict[int, RepeatPlace] = {}
    for r in sorted(reports, key=lambda r: (r.reported_at, r.event_id)):
        if r.event_id not in parent:
            continue
        place = places.setdefault(find(r.event_id), RepeatPlace(kind_id=r.kind_id, grid_id=r.grid_id))
        place.event_ids.append(r.event_id)
        place.first_at = place.first_at or r.reported_at
        place.last_at = r.reported_at
        if r.event_id in repeats and starts_at <= r.reported_at < ends_at:
            place.repeat_ids.append(r.event_id)
    found = [p for p in places.values() if p.repeat_ids]
    return sorted(found, key=lambda p: (-len(p.event_ids), p.first_at or starts_at, p.anchor_id))
