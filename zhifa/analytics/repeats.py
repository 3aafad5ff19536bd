"""Repeat places (重复发生点位): the same kind of complaint at the same place within 30 days.

"The same place" is either the same grid (网格, the smallest unit a team answers for) or a point within
``ZHIFA_DEDUP_RADIUS_M`` metres (the radius intake uses to call two open reports one duplicate; great-circle
distance, ``zhifa.events.distance``). Either is enough: two reports across a grid line 20 m apart are one
place, and so are two reports at opposite corners of one small grid — the grid's team stands in both.

An event is a *repeat* when an earlier event of the same kind was reported at the same place no more than
``REPEAT_WINDOW`` before it (that earlier event may lie before the period: its first report is the reason the
second one counts). Each repeat is linked to **one** earlier report, the one it *repeats* (``repeat_of``): the
latest of the same kind in the same grid within the window, or, when there is none in its grid, the latest
within the radius. A *place* is a first report and every report linked to it, directly or through others; it
is named by its first report (``anchor``). A report that could repeat two places (a point between two grids'
chains) joins one — the one of its own grid, else the latest — and the places stay two (ADR 0016: a place's
identity never changes when later reports arrive, so the rollup job keeps it as marks).

Pure functions of already-loaded rows: ``link`` decides each report's ``repeat_of`` (linear time: reports are
compared only with those of the same grid and of nearby cells), ``repeat_places`` groups a list into places.
"""

import datetime as dt
import math
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings

from zhifa.events.distance import haversine_m

REPEAT_WINDOW = dt.timedelta(days=30)
# ``link`` compares a report with the cells around it, each at least the radius wide at up to this latitude.
WIDEST_LATITUDE = 60.0


@dataclass(slots=True)
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
    # The place's first report (``None``: the first of ``event_ids``); it names the place in links.
    anchor: int | None = None

    @property
    def anchor_id(self) -> int:
        """The place's first event: it names the place in links (``repeat_of``)."""
        return self.anchor if self.anchor is not None else self.event_ids[0]


def radius_m() -> float:
    return float(getattr(settings, "ZHIFA_DEDUP_RADIUS_M", 100))


def same_place(a: Report, b: Report, radius: float) -> bool:
    return a.grid_id == b.grid_id or haversine_m(a.lon, a.lat, b.lon, b.lat) <= radius


def order(r: Report) -> tuple[dt.datetime, int]:
    """Earlier means reported earlier, then the smaller id (two reports in the same second)."""
    return (r.reported_at, r.event_id)


def link(reports: Iterable[Report], *, radius: float | None = None) -> Iterator[tuple[Report, int | None]]:
    """Each report with the id of the report it repeats (``None``: none), in the order given, which must be
    ``order`` (earliest first). Only reports that can be the same place are compared (ADR 0016): those of the
    same grid, and those in the 3 × 3 cells of at least ``radius`` on a side around the report (every point
    within ``radius`` lies in them up to ``WIDEST_LATITUDE``). Each bucket keeps its reports of the last
    ``REPEAT_WINDOW``, in order of time."""
    radius = radius_m() if radius is None else radius
    cell_lat = radius / 110_000 or 1e-9
    cell_lon = cell_lat / math.cos(math.radians(WIDEST_LATITUDE))
    by_grid: dict[tuple[int, int], deque[Report]] = defaultdict(deque)
    by_cell: dict[tuple[int, int, int], deque[Report]] = defaultdict(deque)
    for later in reports:
        if later.lat > WIDEST_LATITUDE or later.lat < -WIDEST_LATITUDE:
            raise ValueError(f"latitude {later.lat} beyond ±{WIDEST_LATITUDE}°")
        kind = later.kind_id
        cx, cy = math.floor(later.lon / cell_lon), math.floor(later.lat / cell_lat)
        grid = by_grid[(kind, later.grid_id)]
        while grid and later.reported_at - grid[0].reported_at > REPEAT_WINDOW:
            grid.popleft()
        parent: Report | None = grid[-1] if grid else None
        if parent is None:
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    cell = by_cell.get((kind, cx + dx, cy + dy))
                    if not cell:
                        continue
                    while cell and later.reported_at - cell[0].reported_at > REPEAT_WINDOW:
                        cell.popleft()
                    for earlier in cell:
                        if (parent is None or order(earlier) > order(parent)) and same_place(earlier, later, radius):
                            parent = earlier
        yield later, parent.event_id if parent is not None else None
        grid.append(later)
        by_cell[(kind, cx, cy)].append(later)


def repeat_places(reports: list[Report], *, starts_at: dt.datetime, ends_at: dt.datetime) -> list[RepeatPlace]:
    """The repeat places with at least one repeat reported in [starts_at, ends_at); ``reports`` must cover
    ``REPEAT_WINDOW`` before ``starts_at`` too (a place is named by its first report among them). Most repeats
    in the period first, then the earliest."""
    place: dict[int, int] = {}
    repeats: set[int] = set()
    rows = sorted(reports, key=order)
    for r, parent in link(rows):
        place[r.event_id] = place[parent] if parent is not None else r.event_id
        if parent is not None:
            repeats.add(r.event_id)
    places: dict[int, RepeatPlace] = {}
    for r in rows:
        p = places.setdefault(place[r.event_id], RepeatPlace(kind_id=r.kind_id, grid_id=r.grid_id))
        p.event_ids.append(r.event_id)
        p.first_at = p.first_at or r.reported_at
        p.last_at = r.reported_at
        if r.event_id in repeats and starts_at <= r.reported_at < ends_at:
            p.repeat_ids.append(r.event_id)
    found = [p for p in places.values() if p.repeat_ids]
    return sorted(found, key=lambda p: (-len(p.repeat_ids), p.first_at or starts_at, p.anchor_id))
