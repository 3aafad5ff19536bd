"""Hotspots (issue 17 part 1) and the wall's hotspots now (part 2) over a year of generated events — 100,000
events in the bench district's grids (2025-04-01 to 2026-03-31, reported at random; a tenth merged, not counted),
seen on 2026-03-31 18:00. Timed: the district's year, the district's month, one street's month (by grid and by
hour of week, with the scope's grids) counted from the events, then with the year's rollup written (ADR 0016: the
settled days' grid and hour-of-week counts from the rollup, today from the events; target < 1 s), and the last
two hours by grid; each with its number of queries, which must not grow with the events. The same hotspots over
5 million events are timed by ``bench/analytics_scale.py`` (``make bench-pg``)."""

import dataclasses
import datetime as dt
import random
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.district import BenchDistrict
from bench.results import Measurement
from zhifa.analytics import rollup
from zhifa.analytics.hotspots import hotspots, recent_by_grid
from zhifa.analytics.scope import AnalyticsScope
from zhifa.events.models import Event
from zhifa.events.states import EventSource, EventStatus
from zhifa.org.models import Grid, Street

EVENTS = 100_000
TZ = ZoneInfo("Asia/Shanghai")
FIRST = dt.datetime(2025, 4, 1, tzinfo=TZ)
DAYS = 365
NOW = dt.datetime(2026, 3, 31, 18, 0, tzinfo=TZ)


def _setup(bench: BenchDistrict) -> None:
    rng = random.Random(17)
    grids = list(Grid.objects.filter(district=bench.district).values_list("pk", "zone_id", "street_id", "boundary"))
    sources = list(EventSource)
    rows = []
    for i in range(EVENTS):
        grid_id, zone_id, street_id, boundary = rng.choice(grids)
        lon, lat = boundary["coordinates"][0][0]
        reported = FIRST + dt.timedelta(seconds=rng.randrange(DAYS * 86400))
        rows.append(
            Event(
                district=bench.district,
                public_no=f"BH{i:08d}",
                source=rng.choice(sources),
                status=EventStatus.MERGED if i % 10 == 0 else EventStatus.CLOSED,
                description="基准事件",
                lon=lon + 0.0005,
                lat=lat + 0.0005,
                street_id=street_id,
                zone_id=zone_id,
                grid_id=grid_id,
                reported_at=reported,
            )
        )
        if len(rows) == 5000:
            Event.objects.bulk_create(rows)
            rows = []
    Event.objects.bulk_create(rows)


def _timed(label: str, scope: AnalyticsScope, *, maximum: float | None = None) -> Measurement:
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        figures = hotspots(scope)
        seconds = time.perf_counter() - started
    cells = sum(1 for row in figures["week_hours"] for n in row if n)
    in_database = sum(float(q["time"]) for q in queries.captured_queries)
    return Measurement(
        f"hotspots: {label} ({figures['total']:,} events, {len(figures['grids'])} grids, {cells} hour-of-week cells,"
        f" {len(queries)} queries, {in_database:.2f} s of it in them)",
        seconds,
        "s",
        maximum=maximum,
    )


def run(bench: BenchDistrict, workdir: Path) -> list[Measurement]:
    _setup(bench)
    district_id = bench.district.pk
    street = Street.objects.filter(district=bench.district).order_by("code").first()
    year = AnalyticsScope(district_id=district_id, date_from=dt.date(2025, 4, 1), date_to=dt.date(2026, 3, 31))
    month = AnalyticsScope(district_id=district_id, date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31))
    scopes = [
        ("district, a year", year),
        ("district, March 2026", month),
        ("one street, March 2026", dataclasses.replace(month, street=street)),
    ]
    rows = [_timed(f"{label}, from the events", scope) for label, scope in scopes]
    # The rollup as the scheduler keeps it, refreshed an hour after NOW: every day but today read from it.
    started = time.perf_counter()
    written = rollup.refresh(district_id, FIRST.date(), NOW.date(), now=NOW + dt.timedelta(hours=1))
    rows.append(Measurement(f"rollup of the year written ({written:,} day rows)", time.perf_counter() - started, "s"))
    rows.extend(_timed(f"{label}, settled days from the rollup", scope, maximum=1.0) for label, scope in scopes)
    today = AnalyticsScope(district_id=district_id, date_from=NOW.date(), date_to=NOW.date())
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        hot = recent_by_grid(today, now=NOW, hours=2)
        seconds = time.perf_counter() - started
    counted = sum(r["count"] for r in hot)
    rows.append(
        Measurement(
            f"wall hotspots now: last 2 h by grid ({counted} events, {len(hot)} grids, {len(queries)} query)",
            seconds,
            "s",
        )
    )
    return rows
