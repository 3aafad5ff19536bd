"""Repeat detection kept as marks (重复发生标记, ADR 0016): one ``RepeatMark`` per event with a complaint kind
(not merged) — whether it is a repeat, the earlier report it repeats, and its place (the place's first event) —
so that a period's repeat figures are a grouped read of marks, not a detection over every report of the period.

Detection is district-wide (``zhifa.analytics.repeats.link``: same kind, same grid or within the radius,
within 30 days; an earlier report of another street counts); a scope keeps the repeats that fall in it.

Kept by the rollup job (``manage.py analytics_rollup``, ``step``): a district never marked is marked whole
(``rebuild``, also ``--mark-repeats``); afterwards every event saved since the previous step (``updated_at``,
with ``SLACK`` for saves committed after it began) is re-marked (``remark``): its own mark, and the marks of
the same kind at the same place in the 30 days after it (old and new kind and position: their ``repeat_of`` may
change), and then every later report linked to them takes their place (``_propagate``). Events saved since the
last step are not marked yet: the view detects them live (``live``) against the marks, bounded by the time
since the last step.

With the marks, the same transaction keeps ``RepeatPlaceMonth``: each place's repeats by local month (and by
the repeats' street, zone and department), which a period's whole months read instead of the marks — a year's
places ranked from a dozen rows a place (``recount``: the whole district on a rebuild, the places a step
touched — every place a mark written, moved or deleted left or joined).

Derived data: not audited; rebuilt at will from the events.
"""

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, DateField, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from zhifa.analytics.models import RepeatMark, RepeatMarkState, RepeatPlaceMonth
from zhifa.analytics.repeats import REPEAT_WINDOW, Report, link, order, radius_m, same_place
from zhifa.analytics.scope import LOCAL_TZ
from zhifa.core.batches import batches
from zhifa.events.models import Event
from zhifa.events.states import EventStatus

# A save committed after a step began, with an ``updated_at`` before it, is still seen by the next step.
SLACK = dt.timedelta(minutes=10)
BATCH = 5000
# Up to this many changed reports of a kind, only the marks near them are read (else the kind's whole window).
NEAR_MAX = 200
EVENT_FIELDS = ("pk", "kind_id", "grid_id", "lon", "lat", "reported_at", "street_id", "zone_id", "department_id")
MARK_FIELDS = (
    "event_id",
    "kind_id",
    "grid_id",
    "lon",
    "lat",
    "reported_at",
    "street_id",
    "zone_id",
    "department_id",
    "is_repeat",
    "repeat_of",
    "place",
)


@dataclass(slots=True)
class Row(Report):
    """A report with the scope fields its mark keeps."""

    street_id: int
    zone_id: int
    department_id: int | None


@dataclass(slots=True)
class Marked:
    """A report's detection: the mark's own columns."""

    row: Row
    is_repeat: bool
    repeat_of: int | None
    place: int


def eligible(district_id: int) -> QuerySet[Event]:
    """The events that have a mark: the district's, with a complaint kind, not merged into another."""
    return Event.objects.filter(district_id=district_id, kind__isnull=False).exclude(status=EventStatus.MERGED)


def _rows(values: Iterable[tuple[Any, ...]]) -> Iterator[Row]:
    for pk, kind, grid, lon, lat, at, street, zone, department in values:
        yield Row(pk, kind, grid, lon, lat, at, street, zone, department)


def _marked(values: Iterable[tuple[Any, ...]]) -> Iterator[Marked]:
    for pk, kind, grid, lon, lat, at, street, zone, department, is_repeat, repeat_of, place in values:
        yield Marked(Row(pk, kind, grid, lon, lat, at, street, zone, department), is_repeat, repeat_of, place)


def _mark(district_id: int, m: Marked) -> RepeatMark:
    r = m.row
    return RepeatMark(
        event_id=r.event_id,
        district_id=district_id,
        street_id=r.street_id,
        zone_id=r.zone_id,
        department_id=r.department_id,
        grid_id=r.grid_id,
        kind_id=r.kind_id,
        lon=r.lon,
        lat=r.lat,
        reported_at=r.reported_at,
        is_repeat=m.is_repeat,
        repeat_of=m.repeat_of,
        place=m.place,
    )


# ---- the whole district ------------------------------------------------------------------------------------


def rebuild(district_id: int, *, now: dt.datetime | None = None) -> int:
    """Mark every event of the district again from nothing, a kind at a time (each kind is detected alone),
    in one transaction; the district is then marked as of ``now``. Returns the marks written."""
    now = now or timezone.now()
    written = 0
    events = eligible(district_id).order_by()
    with transaction.atomic():
        RepeatMark.objects.filter(district_id=district_id).delete()
        for kind in sorted(set(events.values_list("kind_id", flat=True).distinct())):
            rows = events.filter(kind_id=kind).order_by("reported_at", "pk").values_list(*EVENT_FIELDS)
            place: dict[int, int] = {}
            batch: list[Marked] = []
            for r, parent in link(_rows(rows.iterator(chunk_size=BATCH))):
                place[r.event_id] = p = place[parent] if parent is not None else r.event_id
                assert isinstance(r, Row)
                batch.append(Marked(r, parent is not None, parent, p))
                if len(batch) == BATCH:
                    written += _insert(district_id, batch)
                    batch = []
            written += _insert(district_id, batch)
        recount(district_id)
        RepeatMarkState.objects.update_or_create(district_id=district_id, defaults={"marked_at": now})
    return written


def recount(district_id: int, places: Iterable[int] | None = None) -> int:
    """Count the repeats of these places (every place of the district when ``None``) again from their marks,
    by local month and by the repeats' street, zone and department (``RepeatPlaceMonth``). Returns the rows
    written."""
    counts = RepeatPlaceMonth.objects.filter(district_id=district_id)
    marks = RepeatMark.objects.filter(district_id=district_id, is_repeat=True).order_by()
    written = 0
    for chunk in [None] if places is None else batches(sorted(set(places)), BATCH):
        (counts if chunk is None else counts.filter(place__in=chunk)).delete()
        # Some places: read by place alone (a place is an event's id, of one district) — with the district the
        # planner read the district's marks by (district, kind, reported_at): 2.2 s for 100 places at 5 million.
        grouped = (
            (marks if chunk is None else RepeatMark.objects.filter(is_repeat=True, place__in=chunk).order_by())
            .annotate(month=TruncMonth("reported_at", output_field=DateField(), tzinfo=LOCAL_TZ))
            .values_list("month", "place", "street_id", "zone_id", "department_id")
            .annotate(n=Count("pk"))
        )
        rows: list[RepeatPlaceMonth] = []
        for month, place, street, zone, department, n in grouped.iterator(chunk_size=BATCH):
            rows.append(
                RepeatPlaceMonth(
                    district_id=district_id,
                    month=month,
                    place=place,
                    street_id=street,
                    zone_id=zone,
                    department_id=department,
                    repeats=n,
                )
            )
            if len(rows) == BATCH:
                written += len(RepeatPlaceMonth.objects.bulk_create(rows))
                rows = []
        written += len(RepeatPlaceMonth.objects.bulk_create(rows))
    return written


def _insert(district_id: int, marks: list[Marked]) -> int:
    """One ``INSERT`` run for many rows (``executemany``), without a model instance per mark (the backfill
    writes millions; ``bulk_create`` spent more time building instances than the database writing them)."""
    if not marks:
        return 0
    ops = connection.ops
    columns = [str(f.column) for f in RepeatMark._meta.concrete_fields]
    sql = (
        f"INSERT INTO {ops.quote_name(RepeatMark._meta.db_table)} ({', '.join(ops.quote_name(c) for c in columns)})"
        f" VALUES ({', '.join(['%s'] * len(columns))})"
    )
    params: list[list[Any]] = []
    for m in marks:
        r = m.row
        values = {
            "event_id": r.event_id,
            "district_id": district_id,
            "street_id": r.street_id,
            "zone_id": r.zone_id,
            "department_id": r.department_id,
            "grid_id": r.grid_id,
            "kind_id": r.kind_id,
            "lon": r.lon,
            "lat": r.lat,
            "reported_at": ops.adapt_datetimefield_value(r.reported_at),
            "is_repeat": m.is_repeat,
            "repeat_of": m.repeat_of,
            "place": m.place,
        }
        params.append([values[c] for c in columns])
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    return len(marks)


def step(district_id: int, *, now: dt.datetime | None = None) -> int:
    """The rollup job's step: a district never marked is marked whole (``rebuild``); otherwise every event
    saved since the previous step (less ``SLACK``) is re-marked (``remark``). Returns the marks written."""
    now = now or timezone.now()
    state = RepeatMarkState.objects.filter(district_id=district_id).first()
    if state is None:
        return rebuild(district_id, now=now)
    saved = Event.objects.filter(district_id=district_id, updated_at__gte=state.marked_at - SLACK).order_by()
    with transaction.atomic():
        written = remark(district_id, list(saved.values_list("pk", flat=True)))
        state.marked_at = now
        state.save(update_fields=["marked_at"])
    return written


# ---- some events changed -----------------------------------------------------------------------------------


def remark(district_id: int, event_ids: Iterable[int]) -> int:
    """Mark these events again as they are now (new, changed, merged, kind cleared), and every mark their old
    or new state can change: the reports of the same kind at the same place in the 30 days after (their
    ``repeat_of`` and place), then everything linked to a report whose place changed. Returns the marks
    written."""
    ids = sorted(set(event_ids))
    old: dict[int, Marked] = {}
    new: dict[int, Row] = {}
    for chunk in batches(ids, BATCH):
        marks = RepeatMark.objects.filter(district_id=district_id, event_id__in=chunk).values_list(*MARK_FIELDS)
        old.update((m.row.event_id, m) for m in _marked(marks))
        new.update(
            (r.event_id, r) for r in _rows(eligible(district_id).filter(pk__in=chunk).values_list(*EVENT_FIELDS))
        )
    seeds: list[Row] = []
    scope_moved: list[RepeatMark] = []
    # The places whose counts can change: every place a mark written here leaves or joins (an event saved with
    # nothing that detection or a scope reads changed touches none).
    touched: set[int] = set()
    for i in ids:
        o, n = old.get(i), new.get(i)
        if o is not None and n is not None and _detected_alike(o.row, n):
            if (o.row.street_id, o.row.zone_id, o.row.department_id) != (n.street_id, n.zone_id, n.department_id):
                scope_moved.append(
                    RepeatMark(event_id=i, street_id=n.street_id, zone_id=n.zone_id, department_id=n.department_id)
                )
                touched.add(o.place)
            continue
        if o is not None:
            seeds.append(o.row)
            touched.add(o.place)
        if n is not None:
            seeds.append(n)
    RepeatMark.objects.bulk_update(scope_moved, ["street_id", "zone_id", "department_id"], batch_size=BATCH)
    gone = [s.event_id for s in seeds if s.event_id in old]
    for chunk in batches(gone, BATCH):
        RepeatMark.objects.filter(event_id__in=chunk).delete()
    fresh = [s for s in seeds if s.event_id in new and s is new[s.event_id]]
    RepeatMark.objects.bulk_create(
        [_mark(district_id, Marked(r, False, None, r.event_id)) for r in fresh], batch_size=BATCH
    )
    written = len(scope_moved) + len(fresh)
    touched.update(r.event_id for r in fresh)
    if not seeds:
        recount(district_id, touched)
        return written
    detected, stored = _detect(district_id, seeds, fresh, later=True)
    changed = [m for m in detected if stored.get(m.row.event_id) != (m.is_repeat, m.repeat_of, m.place)]
    RepeatMark.objects.bulk_update(
        [
            RepeatMark(event_id=m.row.event_id, is_repeat=m.is_repeat, repeat_of=m.repeat_of, place=m.place)
            for m in changed
        ],
        ["is_repeat", "repeat_of", "place"],
        batch_size=BATCH,
    )
    moved = {m.row.event_id: m.place for m in changed if stored.get(m.row.event_id, (0, 0, None))[2] != m.place}
    for m in changed:
        touched.add(m.place)
        if m.row.event_id in stored:
            touched.add(stored[m.row.event_id][2])
    written += len(changed) + _propagate(moved, touched)
    recount(district_id, touched)
    return written


def _detected_alike(a: Report, b: Report) -> bool:
    return (a.kind_id, a.grid_id, a.lon, a.lat, a.reported_at) == (b.kind_id, b.grid_id, b.lon, b.lat, b.reported_at)


def _propagate(moved: dict[int, int], touched: set[int]) -> int:
    """Every mark linked (``repeat_of``), directly or through others, to a mark whose place changed takes the
    new place (the old and new places added to ``touched``). Returns the marks rewritten."""
    written = 0
    while moved:
        following: dict[int, int] = {}
        for chunk in batches(moved, BATCH):
            for pk, parent, place in RepeatMark.objects.filter(repeat_of__in=chunk).values_list(
                "event_id", "repeat_of", "place"
            ):
                if parent is not None and place != moved[parent]:
                    following[pk] = moved[parent]
                    touched.update((place, moved[parent]))
        by_place: dict[int, list[int]] = defaultdict(list)
        for pk, place in following.items():
            by_place[place].append(pk)
        for place, pks in by_place.items():
            for chunk in batches(pks, BATCH):
                written += RepeatMark.objects.filter(event_id__in=chunk).update(place=place)
        moved = following
    return written


def _cell(r: Report, size: float) -> tuple[int, int]:
    """``link``'s cells: ``size`` degrees of latitude, twice that of longitude (the radius up to 60°)."""
    return math.floor(r.lon / size / 2), math.floor(r.lat / size)


def _near(seeds: list[Row], radius: float) -> Any:
    """The seeds at the same place as a report (bucketed as ``link`` does)."""
    size = radius / 110_000 or 1e-9
    by_grid: dict[int, list[Row]] = defaultdict(list)
    by_cell: dict[tuple[int, int], list[Row]] = defaultdict(list)
    for s in seeds:
        by_grid[s.grid_id].append(s)
        by_cell[_cell(s, size)].append(s)

    def test(r: Report) -> list[Row]:
        cx, cy = _cell(r, size)
        found = list(by_grid.get(r.grid_id, []))
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                found.extend(s for s in by_cell.get((cx + dx, cy + dy), []) if same_place(s, r, radius))
        return found

    return test


def _around(rows: Iterable[Report], radius: float) -> Q:
    """The marks within ``radius`` of any of ``rows`` lie in these boxes: each row's 3 × 3 cells, a run of
    neighbouring cells on a row of cells one box."""
    size = radius / 110_000 or 1e-9
    cells: set[tuple[int, int]] = set()
    for r in rows:
        cx, cy = _cell(r, size)
        cells.update((cx + dx, cy + dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1))
    boxes: list[Q] = []
    for cy in sorted({c[1] for c in cells}):
        xs = sorted(c[0] for c in cells if c[1] == cy)
        run_start = prev = xs[0]
        for x in [*xs[1:], None]:
            if x is not None and x == prev + 1:
                prev = x
                continue
            boxes.append(
                Q(
                    lon__gte=run_start * size * 2,
                    lon__lt=(prev + 1) * size * 2,
                    lat__gte=cy * size,
                    lat__lt=(cy + 1) * size,
                )
            )
            if x is not None:
                run_start = prev = x
    return reduce(or_, boxes, Q(pk__in=[]))


def _detect(
    district_id: int, seeds: list[Row], current: list[Row], *, later: bool
) -> tuple[list[Marked], dict[int, tuple[bool, int | None, int]]]:
    """The detection of ``current`` (reports as they are now, marked or, for ``live``, not yet), and with
    ``later`` of every mark whose ``repeat_of`` a seed (a changed report's old or new state) can change: same
    kind, same place, in the 30 days after it. Each is detected against the marks of the 30 days before it —
    read near them when the seeds are few, else the kind's whole window. Returns the detected marks, earliest
    first, and what was stored for the marks read."""
    radius = radius_m()
    current_ids = {r.event_id for r in current}
    out: list[Marked] = []
    stored: dict[int, tuple[bool, int | None, int]] = {}
    by_kind: dict[int, list[Row]] = defaultdict(list)
    for s in seeds:
        by_kind[s.kind_id].append(s)
    for kind, ks in sorted(by_kind.items()):
        first = min(s.reported_at for s in ks) - REPEAT_WINDOW
        last = max(s.reported_at for s in ks) + (REPEAT_WINDOW if later else dt.timedelta(0))
        marks = RepeatMark.objects.filter(
            district_id=district_id, kind_id=kind, reported_at__gte=first, reported_at__lte=last
        ).order_by()
        loaded: dict[int, Row] = {r.event_id: r for r in current if r.kind_id == kind}
        test = _near(ks, radius)

        def affected(r: Report, ks: list[Row] = ks, test: Any = test) -> bool:
            if r.event_id in current_ids:
                return True
            return later and any(
                order(s) < order(r) and r.reported_at - s.reported_at <= REPEAT_WINDOW for s in test(r)
            )

        few = len(ks) <= NEAR_MAX
        # Few seeds: the marks in their grids or within twice the radius (the candidates of every report they
        # can change that is within the radius of one), then those of the grids and surroundings it reaches.
        batches = [marks.filter(Q(grid_id__in={s.grid_id for s in ks}) | _around(ks, 2 * radius))] if few else [marks]
        grids_read = {s.grid_id for s in ks}
        expanded = not (few and later)
        while batches:
            for m in _marked(batches.pop().values_list(*MARK_FIELDS)):
                stored[m.row.event_id] = (m.is_repeat, m.repeat_of, m.place)
                if m.row.event_id not in current_ids:
                    loaded[m.row.event_id] = m.row
            if not expanded:
                expanded = True
                reach = [r for r in loaded.values() if r.event_id not in current_ids and affected(r)]
                if reach:
                    reached = {r.grid_id for r in reach} - grids_read
                    batches.append(marks.filter(Q(grid_id__in=reached) | _around(reach, radius)))
        place: dict[int, int] = {}
        for r, parent in link(sorted(loaded.values(), key=order), radius=radius):
            assert isinstance(r, Row)
            if not affected(r):
                continue
            # Its place: its parent's, just detected, else as marked.
            p = r.event_id if parent is None else place.get(parent, stored.get(parent, (False, None, parent))[2])
            place[r.event_id] = p
            out.append(Marked(r, parent is not None, parent, p))
    return out, stored


# ---- the view: events not marked yet ------------------------------------------------------------------------


def unmarked(district_id: int, starts_at: dt.datetime, ends_at: dt.datetime) -> QuerySet[Event] | None:
    """The events a view must detect live, of those reported in [starts_at, ends_at): not marked yet — saved
    since the district's last step (all of them if it was never marked). ``None``: none can be."""
    events = eligible(district_id).filter(reported_at__gte=starts_at, reported_at__lt=ends_at)
    state = RepeatMarkState.objects.filter(district_id=district_id).values_list("marked_at", flat=True).first()
    if state is not None:
        since = state - SLACK
        if ends_at <= since:
            return None
        events = events.filter(reported_at__gte=since)
    # NOT EXISTS, one look-up per event by the mark's key (not a NOT IN over every mark of the district).
    return events.filter(~Exists(RepeatMark.objects.filter(event_id=OuterRef("pk")))).order_by()


def live(district_id: int, starts_at: dt.datetime, ends_at: dt.datetime) -> list[Marked]:
    """The events of ``unmarked`` detected against the marks (and each other), as the next step would mark
    them (before it re-marks the marks after them, which a live read leaves as they are)."""
    events = unmarked(district_id, starts_at, ends_at)
    if events is None:
        return []
    rows = list(_rows(events.values_list(*EVENT_FIELDS)))
    if not rows:
        return []
    detected, _stored = _detect(district_id, rows, rows, later=False)
    return detected
