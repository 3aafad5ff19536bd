"""The leaders' view at scale (issue 17's proof: ``make bench-pg``, 5 million events, every query < 1 s).

Generated in the database itself (one ``INSERT … SELECT`` per table over a series of numbers, so 5 million
rows take seconds, not the hours a Python loop would): ``EVENTS_PG`` events on PostgreSQL, ``EVENTS_SQLITE``
on SQLite (``make bench`` stays bounded), spread over a year (2025-04-01 … 2026-03-31, local time) across every
grid of the bench district, every channel, 20 complaint kinds (8 % unclassified), 5 % merged duplicates, 4 %
transferred to one of three coordinating departments, the rest dispatched to one of 300 officers with the three
1530 clocks met or missed (about a third of responses late; half of the late ones escalated), a handling round
per handled event.

Timed: every query the leaders' view issues — the overview (every figure) for the district (March 2026, and the
whole year), one street, one zone, one officer (March 2026), the records page's first page, the API's overview —
each query on its own line (what it reads, its milliseconds, its rows) and each view's total (SQL and Python).
A view that takes longer than ``VIEW_TIMEOUT_S`` is stopped and reported as such. The repeat places (a zone, a
street, the district in March; the district's year) are timed before the repeat marks (detected live, the
district never marked) and from them, with the marks' backfill and a step of the job (``NEW_EVENTS`` new events
and a kind corrected); after the rollup the overview is timed with its repeat places.
"""

import contextlib
import dataclasses
import datetime as dt
import re
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import connection, models
from django.test import Client

from bench.district import BenchDistrict
from bench.results import Measurement
from zhifa.analytics import repeat_marks, rollup
from zhifa.analytics.hotspots import hotspots
from zhifa.analytics.models import RepeatMark, RepeatMarkState
from zhifa.analytics.scope import AnalyticsScope
from zhifa.analytics.selectors import _repeats, event_records, event_records_count, overview
from zhifa.catalog.models import ClockPolicy, ComplaintKind
from zhifa.events.models import CoordinationTask, Event, EventAssignment, EventEscalation, EventHandlingRound
from zhifa.events.states import EventSource
from zhifa.org.models import Department, DepartmentKind, Grid, Officer, Profile, Street, Zone
from zhifa.org.roles import Role

EVENTS_PG = 5_000_000
EVENTS_SQLITE = int(__import__("os").environ.get("BENCH_SCALE_EVENTS", 200_000))
OFFICERS = 300
KINDS = 20
TZ = ZoneInfo("Asia/Shanghai")
FIRST = dt.datetime(2025, 4, 1, tzinfo=TZ)
YEAR_S = 365 * 86400
NOW = dt.datetime(2026, 3, 31, 18, 0, tzinfo=TZ)
MONTH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
VIEW_TIMEOUT_S = 60
# The events a step of the job (every 300 s) finds new: 5 minutes at 13,700 a day.
NEW_EVENTS = 50
QUERY_MAX_S = 1.0


def _series(n_from: int, n_to: int) -> str:
    if connection.vendor == "postgresql":
        return f"SELECT generate_series(CAST({n_from} AS bigint), {n_to}) AS i"  # bigint: i × a large multiplier
    return f"WITH RECURSIVE s(i) AS (SELECT {n_from} UNION ALL SELECT i + 1 FROM s WHERE i < {n_to}) SELECT i FROM s"


def _ts(seconds_expr: str) -> str:
    """A timestamp ``seconds_expr`` seconds after the Unix epoch, as each database stores Django's datetimes."""
    if connection.vendor == "postgresql":
        return f"to_timestamp({seconds_expr})"
    return f"datetime({seconds_expr}, 'unixepoch')"


def _insert_select(model: type[models.Model], exprs: dict[str, str], from_sql: str, params: list[Any]) -> None:
    """``INSERT INTO model (…) SELECT …``: the columns in ``exprs`` as SQL, every other non-null column the
    value an unsaved instance has by default (so a new required field does not break the bench)."""
    proto = model()
    columns, selects, values = [], [], []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        columns.append(f'"{f.column}"')
        if f.column in exprs:
            selects.append(exprs[f.column].replace("%", "%%"))  # the SQL's modulo, not a placeholder
        else:
            selects.append("%s")
            values.append(f.get_db_prep_save(getattr(proto, f.attname), connection))
    sql = f'INSERT INTO "{model._meta.db_table}" ({", ".join(columns)}) SELECT {", ".join(selects)} FROM {from_sql.replace("%", "%%")}'
    with connection.cursor() as cursor:
        cursor.execute(sql, values + params)


def _pick_table(name: str, rows: list[tuple[Any, ...]], columns: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute(f"CREATE TABLE {name} (n integer PRIMARY KEY, {columns})")
        marks = ", ".join(["%s"] * (len(rows[0]) + 1))
        cursor.executemany(f"INSERT INTO {name} VALUES ({marks})", [(i, *r) for i, r in enumerate(rows)])


def _setup(bench: BenchDistrict, events: int) -> dict[str, Any]:
    district = bench.district
    main, _ = Department.objects.get_or_create(
        district=district,
        code="ZHZF",
        defaults={"name": "区综合行政执法局", "short_name": "综合执法", "kind": DepartmentKind.DEPARTMENT},
    )
    partners = [
        Department.objects.get_or_create(
            district=district,
            code=f"BSC{i}",
            defaults={
                "name": f"协同部门{i}",
                "short_name": f"协同{i}",
                "kind": DepartmentKind.DEPARTMENT,
                "is_coordinating": True,
            },
        )[0]
        for i in range(3)
    ]
    kinds = [
        ComplaintKind.objects.get_or_create(
            district=district,
            code=f"BSK{i:02d}",
            defaults={"name": f"诉求类型{i:02d}", "department": main, "clock_policy": ClockPolicy.ON_SITE},
        )[0]
        for i in range(KINDS)
    ]
    zones = list(Zone.objects.filter(district=district).order_by("code"))
    officers = Officer.objects.bulk_create(
        Officer(
            district=district,
            name=f"规模队员{i:03d}",
            badge_no=f"BS{i:05d}",
            certificate_no=f"BSC{i:08d}",
            certificate_valid_until=dt.date(2030, 12, 31),
            home_department=main,
            street_id=zones[i % len(zones)].street_id,
            zone=zones[i % len(zones)],
        )
        for i in range(OFFICERS)
    )
    grids = [
        (g, z, s, b["coordinates"][0][0][0] + 0.0005, b["coordinates"][0][0][1] + 0.0005)
        for g, z, s, b in Grid.objects.filter(district=district)
        .order_by("pk")
        .values_list("pk", "zone_id", "street_id", "boundary")
    ]
    _pick_table(
        "bench_grid",
        grids,
        "grid_id bigint, zone_id bigint, street_id bigint, lon double precision, lat double precision",
    )
    _pick_table("bench_kind", [(k.pk,) for k in kinds], "kind_id bigint")
    # Each officer works their own zone (4 or 5 to a zone): the k-th of the zone.
    per_zone: dict[int | None, int] = {}
    picks = []
    for o in officers:
        picks.append((o.pk, o.zone_id, per_zone.setdefault(o.zone_id, 0)))
        per_zone[o.zone_id] += 1
    _pick_table("bench_officer", picks, "officer_id bigint, zone_id bigint, k integer")
    _pick_table("bench_partner", [(d.pk,) for d in partners], "department_id bigint")
    sources = list(EventSource.values)
    source_case = "CASE " + " ".join(f"WHEN x.h2 % {len(sources)} = {i} THEN '{s}'" for i, s in enumerate(sources))
    first = int(FIRST.timestamp())
    # x.r: seconds into the year; h1…h6: independent-looking draws from the row's number.
    draws = (
        f"i, {first} + (i * 2654435761) % {YEAR_S} AS r, (i * 40503) % 1000003 AS h1, (i * 69069) % 999983 AS h2,"
        f" (i * 48271) % 999979 AS h3, (i * 16807) % 999961 AS h4, (i * 22695477) % 999953 AS h5,"
        f" (i * 1103515245) % 999931 AS h6"
    )
    chunk = 500_000
    for start in range(1, events + 1, chunk):
        stop = min(events, start + chunk - 1)
        outcome = "CASE WHEN x.h3 % 100 >= 96 THEN 'merged' WHEN x.h3 % 100 >= 92 THEN 'transferred' ELSE 'closed' END"
        dispatched = "x.h3 % 100 < 92"
        exprs = {
            "district_id": str(district.pk),
            "public_no": "'BS' || CAST(x.i AS varchar(12))",
            "source": source_case + " END",
            "status": outcome,
            "description": "'规模基准事件'",
            "address": "'某路' || CAST(x.h6 % 400 AS varchar(4)) || '号'",
            "lon": "g.lon + (x.h5 % 100) * 0.00001",
            "lat": "g.lat + (x.h4 % 100) * 0.00001",
            "street_id": "g.street_id",
            "zone_id": "g.zone_id",
            "grid_id": "g.grid_id",
            "kind_id": "CASE WHEN x.h2 % 100 < 8 THEN NULL ELSE k.kind_id END",
            "department_id": f"CASE WHEN x.h2 % 100 < 8 THEN NULL ELSE {main.pk} END",
            "reported_at": _ts("x.r"),
            "created_at": _ts("x.r"),
            "updated_at": _ts("x.r"),
            "triaged_at": _ts("x.r + 60"),
            "dispatched_at": f"CASE WHEN {dispatched} THEN {_ts('x.r + 120')} END",
            "acknowledge_due_at": f"CASE WHEN {dispatched} THEN {_ts('x.r + 180')} END",
            "acknowledged_at": f"CASE WHEN {dispatched} THEN {_ts('x.r + 120 + x.h4 % 90')} END",
            "arrive_due_at": f"CASE WHEN {dispatched} THEN {_ts('x.r + 420 + x.h4 % 90')} END",
            "arrived_at": f"CASE WHEN {dispatched} THEN {_ts('x.r + 120 + x.h4 % 90 + x.h5 % 420')} END",
            "handle_due_at": f"CASE WHEN {dispatched} THEN {_ts('x.r + 1920 + x.h4 % 90 + x.h5 % 420')} END",
            "handled_at": (
                f"CASE WHEN {dispatched} THEN {_ts('x.r + 120 + x.h4 % 90 + x.h5 % 420 + x.h6 % 2400')} END"
            ),
            "closed_at": f"CASE WHEN {dispatched} THEN {_ts('x.r + 3000 + x.h4 % 90 + x.h5 % 420 + x.h6 % 2400')} END",
        }
        _insert_select(
            Event,
            exprs,
            f"(SELECT {draws} FROM ({_series(start, stop)}) AS s1) AS x"
            f" JOIN bench_grid g ON g.n = x.h1 % {len(grids)} JOIN bench_kind k ON k.n = x.h6 % {KINDS}",
            [],
        )
    ours = f"events_event e WHERE e.district_id = {district.pk}"
    _insert_select(
        EventEscalation,
        {
            "event_id": "e.id",
            "clock": "'acknowledge'",
            "level": "1",
            "due_at": "e.acknowledge_due_at",
            "escalated_at": "e.acknowledge_due_at",
            "outcome": "'zone_lead_notified'",
        },
        f"{ours} AND e.acknowledged_at > e.acknowledge_due_at AND e.id % 2 = 0",
        [],
    )
    _insert_select(
        CoordinationTask,
        {
            "event_id": "e.id",
            "department_id": "p.department_id",
            "due_at": "CASE WHEN e.id % 4 = 1 THEN e.reported_at ELSE e.triaged_at END",
            "instructions": "'请依职责核查处理'",
            "feedback_at": "CASE WHEN e.id % 4 = 0 THEN NULL WHEN e.id % 4 = 1 THEN e.triaged_at ELSE e.reported_at END",
            "created_at": "e.reported_at",
            "updated_at": "e.reported_at",
        },
        f"events_event e JOIN bench_partner p ON p.n = e.id % 3 WHERE e.district_id = {district.pk}"
        " AND e.status = 'transferred'",
        [],
    )
    _insert_select(
        EventAssignment,
        {
            "event_id": "e.id",
            "officer_id": "o.officer_id",
            "assigned_at": "e.dispatched_at",
            "acknowledged_at": "e.acknowledged_at",
            "arrived_at": "e.arrived_at",
            "released_at": "e.closed_at",
        },
        f"events_event e JOIN bench_officer o ON o.zone_id = e.zone_id AND o.k = (e.id * 7919) % {min(per_zone.values())}"
        f" WHERE e.district_id = {district.pk} AND e.dispatched_at IS NOT NULL",
        [],
    )
    _insert_select(
        EventHandlingRound,
        {
            "event_id": "e.id",
            "number": "1",
            "outcome": "'已处置'",
            "handled_at": "e.handled_at",
            "dispatched_at": "e.dispatched_at",
            "acknowledged_at": "e.acknowledged_at",
            "arrived_at": "e.arrived_at",
        },
        f"{ours} AND e.handled_at IS NOT NULL",
        [],
    )
    through: Any = EventHandlingRound.officers.through
    _insert_select(
        through,
        {"eventhandlinground_id": "r.id", "officer_id": "a.officer_id"},
        "events_eventhandlinground r JOIN events_eventassignment a ON a.event_id = r.event_id",
        [],
    )
    with connection.cursor() as cursor:
        for name in ("bench_grid", "bench_kind", "bench_officer", "bench_partner"):
            cursor.execute(f"DROP TABLE {name}")
        cursor.execute("ANALYZE")
    # The command centre sees the district's view as a leader does, without a leader's second factor to pass.
    user = get_user_model().objects.create_user(username="bench-scale-dispatcher", password=None)
    Profile.objects.create(user=user, district=district, role=Role.DISPATCHER, display_name="基准调度员")
    return {"user": user, "officer": officers[0]}


@dataclasses.dataclass
class _Query:
    sql: str
    seconds: float
    rows: int


@contextmanager
def _queries() -> Iterator[list[_Query]]:
    """Every query run inside, with its time and the rows it returned (``execute_wrapper``)."""
    seen: list[_Query] = []

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        started = time.perf_counter()
        result = execute(sql, params, many, context)
        rows = context["cursor"].rowcount
        seen.append(_Query(sql, time.perf_counter() - started, rows))
        return result

    with connection.execute_wrapper(wrapper):
        yield seen


class _TimedOut(Exception):
    pass


@contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    def stop(signum: int, frame: Any) -> None:
        raise _TimedOut

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _label(sql: str) -> str:
    """What a query reads, in a few words: its first table and what it groups by."""
    tables = re.findall(r'FROM "(\w+)"', sql)
    what = tables[0].split("_", 1)[-1] if tables else sql[:30]
    group = sql.split(" GROUP BY ", 1)
    if len(group) == 2:
        # Django groups by position: name the selected columns instead.
        cols = [c for _t, c in re.findall(r'"(\w+)"\."(\w+)"', sql.split(" FROM ", 1)[0])]
        what += " by " + (",".join(cols[:2]) or re.sub(r"\s+", " ", group[1])[:40])
    elif "COUNT(" in sql.upper():
        what += " count"
    return what


def _rows(n: int) -> str:
    return f"{n:,} rows" if n >= 0 else "rows n/a"


def _view(label: str, run: Callable[[], Any]) -> list[Measurement]:
    rows: list[Measurement] = []
    started = time.perf_counter()
    try:
        with _deadline(VIEW_TIMEOUT_S), _queries() as seen:
            run()
    except _TimedOut:
        elapsed = time.perf_counter() - started
        rows.append(Measurement(f"{label}: STOPPED after {VIEW_TIMEOUT_S} s", elapsed, "s", maximum=QUERY_MAX_S))
        for q in seen:
            rows.append(Measurement(f"  {label} · {_label(q.sql)} ({_rows(q.rows)})", q.seconds * 1000, "ms"))
        return rows
    elapsed = time.perf_counter() - started
    sql = sum(q.seconds for q in seen)
    rows.append(
        Measurement(
            f"{label}: whole view, {len(seen)} queries (SQL {sql * 1000:,.0f} ms, Python {(elapsed - sql) * 1000:,.0f} ms)",
            elapsed * 1000,
            "ms",
        )
    )
    for q in seen:
        rows.append(
            Measurement(
                f"  {label} · {_label(q.sql)} ({_rows(q.rows)})", q.seconds * 1000, "ms", maximum=QUERY_MAX_S * 1000
            )
        )
    return rows


def run(bench: BenchDistrict, workdir: Path) -> list[Measurement]:
    events = EVENTS_PG if connection.vendor == "postgresql" else EVENTS_SQLITE
    started = time.perf_counter()
    made = _setup(bench, events)
    rows = [Measurement(f"leaders' view at scale: {events:,} events generated", time.perf_counter() - started, "s")]
    return rows + measure(bench, made)


def measure(
    bench: BenchDistrict,
    made: dict[str, Any],
    *,
    before: bool = True,
    repeats: bool = True,
    write_rollup: bool = True,
    write_marks: bool = True,
    rows: list[Measurement] | None = None,
) -> list[Measurement]:
    """Every view timed before the rollup (``before``; the rollup must be empty), the repeat places before the
    marks (``repeats``: detected live, the district never marked), the repeat marks written (``write_marks``;
    else the ones in the database are read) and the views of the repeat places on them, a job step over a new
    hour's events and a kind corrected, the year's rollup written (``write_rollup``; else the one in the
    database is read), and every view again after it (the overview with its repeat places). ``rows``: the list
    to add the measurements to as they are taken (kept if a later one fails)."""
    rows = [] if rows is None else rows
    district = bench.district
    street = Street.objects.filter(district=district).order_by("code").first()
    zone = Zone.objects.filter(street=street).order_by("code").first()
    month = AnalyticsScope(district_id=district.pk, date_from=MONTH[0], date_to=MONTH[1])
    year = dataclasses.replace(month, date_from=dt.date(2025, 4, 1))
    scopes = [
        ("district, March", month),
        ("district, a year", year),
        ("one street, March", dataclasses.replace(month, street=street)),
        ("one zone, March", dataclasses.replace(month, street=street, zone=zone)),
        ("one officer, March", dataclasses.replace(month, officer=made["officer"])),
    ]
    # Before the marks, the repeat places (detection in Python over the period's reports) are timed on their
    # own lines: inside the view they would stop it, and the figures after them would go unmeasured.
    no_repeats = mock.patch(
        "zhifa.analytics.selectors._repeats", lambda scope: {"events": 0, "places_total": 0, "places": []}
    )
    client = Client()
    client.force_login(made["user"])
    query = f"from={MONTH[0]}&to={MONTH[1]}"

    def get(url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    def views(tag: str, *, with_repeats: bool = False) -> list[Measurement]:
        out: list[Measurement] = []
        with contextlib.nullcontext() if with_repeats else no_repeats:
            for label, scope in scopes:
                out.extend(_view(f"{tag} overview {label}", partial(overview, scope, now=NOW)))
            out.extend(
                _view(
                    f"{tag} records, first page (district, March)",
                    lambda: (
                        event_records_count(month, figure="all", now=NOW),
                        list(event_records(month, figure="all", now=NOW)[:20]),
                    ),
                )
            )
            out.extend(
                _view(
                    f"{tag} page /analytics/records/ (district, March)",
                    lambda: get(f"/analytics/records/?{query}&figure=all"),
                )
            )
            out.extend(
                _view(
                    f"{tag} API /api/v1/analytics/overview (district, March)",
                    lambda: get(f"/api/v1/analytics/overview?{query}"),
                )
            )
            for label, scope in scopes[:3]:
                out.extend(_view(f"{tag} hotspots {label}", partial(hotspots, scope)))
        return out

    if before:
        rows.extend(views("before:"))
    repeat_scopes = [scopes[3], scopes[2], scopes[0], scopes[1]]  # zone, street, district March; district year
    if repeats:
        RepeatMark.objects.filter(district=district).delete()
        RepeatMarkState.objects.filter(district=district).delete()
        for label, scope in repeat_scopes[:3]:
            rows.extend(_view(f"repeat places {label}, no marks (detected live)", partial(_repeats, scope)))
    if write_marks or not RepeatMarkState.objects.filter(district=district).exists():
        started = time.perf_counter()
        marked = repeat_marks.rebuild(district.pk, now=NOW)
        rows.append(Measurement(f"repeat marks written ({marked:,} marks)", time.perf_counter() - started, "s"))
    for label, scope in repeat_scopes:
        rows.extend(_view(f"repeat places {label}, from the marks", partial(_repeats, scope)))
    rows.extend(_job_step(district, repeat_scopes[2][1]))
    if write_rollup:
        started = time.perf_counter()
        written = rollup.refresh(district.pk, FIRST.date(), MONTH[1], now=NOW + dt.timedelta(hours=1))
        rows.append(
            Measurement(f"day rollup of the year written ({written:,} rows)", time.perf_counter() - started, "s")
        )
        started = time.perf_counter()
        rollup.refresh(district.pk, MONTH[1], MONTH[1], now=NOW + dt.timedelta(hours=1))
        rows.append(
            Measurement(
                "day rollup: one day refreshed, its month rewritten (the scheduler's step)",
                time.perf_counter() - started,
                "s",
            )
        )
    rows.extend(views("after:", with_repeats=True))
    return rows


def _job_step(district: Any, month: AnalyticsScope) -> list[Measurement]:
    """The job's step: the last ``NEW_EVENTS`` events before 18:00 on 31 March taken as new (their marks removed,
    the previous step before the first of them) and one event of 15 March given another kind; the district's
    March read before the step (the new ones detected live) and after it."""
    rows: list[Measurement] = []
    now = NOW + dt.timedelta(hours=1)
    new = list(
        Event.objects.filter(district=district, reported_at__lt=NOW, kind__isnull=False)
        .order_by("-reported_at")
        .values_list("pk", "reported_at")[:NEW_EVENTS]
    )
    # The previous step ran before the first of them: they are not marked yet.
    RepeatMarkState.objects.filter(district=district).update(marked_at=new[-1][1])
    taken = RepeatMark.objects.filter(event_id__in=[pk for pk, _at in new])
    places = set(taken.values_list("place", flat=True))
    taken.delete()
    repeat_marks.recount(district.pk, places)  # as if never counted: the step counts them
    Event.objects.filter(pk__in=[pk for pk, _at in new]).update(updated_at=NOW + dt.timedelta(minutes=30))
    corrected = (
        Event.objects.filter(district=district, reported_at__date=dt.date(2026, 3, 15), kind__isnull=False)
        .order_by("pk")
        .first()
    )
    assert corrected is not None and corrected.kind_id is not None
    kinds = list(
        ComplaintKind.objects.filter(district=district).exclude(pk=corrected.kind_id).values_list("pk", flat=True)
    )
    Event.objects.filter(pk=corrected.pk).update(kind_id=kinds[0], updated_at=NOW + dt.timedelta(minutes=31))
    rows.extend(
        _view(f"repeat places district, March, {NEW_EVENTS} events not marked yet (live)", partial(_repeats, month))
    )
    started = time.perf_counter()
    written = repeat_marks.step(district.pk, now=now)
    rows.append(
        Measurement(
            f"repeat marks: the job's step ({NEW_EVENTS} new events, one kind corrected; {written:,} marks written)",
            time.perf_counter() - started,
            "s",
        )
    )
    rows.extend(_view("repeat places district, March, after the step", partial(_repeats, month)))
    return rows
