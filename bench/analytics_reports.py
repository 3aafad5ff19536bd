"""Reports (issue 17 part 3): weekly and monthly reports over two months of generated events — 30,000 events in
the bench district's streets and grids (2026-02-01 to 2026-04-05, one of 20 complaint kinds each, the 1530 clocks
met or missed), seen on 2026-04-08. Timed from the records to the kept report (both periods' figures, the PDF,
the XLSX, the row and its audit entry): the district's week and one street's month made at once (the schedule's
way, ``report_generate``); the district's month asked for as on the page or the API — the web request's part
(``report_request``: the checks, the row 排队中, its audit entry, the task enqueued) and the task worker's part
(``report_make``: the figures, the PDF, the XLSX, 已完成) timed apart; and the schedule making every missing
report (last week's and last month's, district and every street). Reported only."""

import datetime as dt
import random
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.district import BenchDistrict
from bench.results import Measurement
from zhifa.analytics.models import AnalyticsReport, ReportPeriod
from zhifa.analytics.reports import SCHEDULE, report_generate, report_make, report_request, reports_scheduled
from zhifa.catalog.kinds import kind_rows, kinds_write
from zhifa.catalog.models import ComplaintKind
from zhifa.events.models import Event
from zhifa.events.states import EventSource, EventStatus
from zhifa.org.models import Department, DepartmentKind, Grid, Street

EVENTS = 30_000
TZ = ZoneInfo("Asia/Shanghai")
FIRST = dt.datetime(2026, 2, 1, tzinfo=TZ)
DAYS = 64
NOW = dt.datetime(2026, 4, 8, 9, 0, tzinfo=TZ)


def _setup(bench: BenchDistrict) -> None:
    rng = random.Random(17)
    # The complaint taxonomy needs the departments its kinds route to; the enforcement bureau's are enough.
    # (An earlier bench of the run may have made it: one district for every bench.)
    Department.objects.get_or_create(
        district=bench.district,
        code="ZHZF",
        defaults={"name": "区综合行政执法局", "short_name": "综合执法", "kind": DepartmentKind.DEPARTMENT},
    )
    kinds_write(district_id=bench.district.pk, rows=kind_rows())
    kinds = list(ComplaintKind.objects.filter(district=bench.district).order_by("pk")[:20])
    grids = list(Grid.objects.filter(district=bench.district).values_list("pk", "zone_id", "street_id", "boundary"))
    sources = list(EventSource)
    rows = []
    for i in range(EVENTS):
        grid_id, zone_id, street_id, boundary = rng.choice(grids)
        lon, lat = boundary["coordinates"][0][0]
        reported = FIRST + dt.timedelta(seconds=rng.randrange(DAYS * 86400))
        dispatched = reported + dt.timedelta(minutes=1)
        rows.append(
            Event(
                district=bench.district,
                public_no=f"BR{i:08d}",
                source=rng.choice(sources),
                status=EventStatus.HANDLED,
                description="基准事件",
                address=f"基准路{rng.randrange(400)}号",
                lon=lon + 0.0005,
                lat=lat + 0.0005,
                street_id=street_id,
                zone_id=zone_id,
                grid_id=grid_id,
                kind=rng.choice(kinds),
                reported_at=reported,
                triaged_at=reported,
                dispatched_at=dispatched,
                acknowledge_due_at=dispatched + dt.timedelta(minutes=1),
                acknowledged_at=dispatched + dt.timedelta(seconds=rng.randrange(90)),
                arrive_due_at=dispatched + dt.timedelta(minutes=5),
                arrived_at=dispatched + dt.timedelta(seconds=rng.randrange(420)),
                handle_due_at=dispatched + dt.timedelta(minutes=30),
                handled_at=dispatched + dt.timedelta(minutes=rng.randrange(45)),
            )
        )
    Event.objects.bulk_create(rows, batch_size=2000)


def _timed(label: str, **kwargs: object) -> Measurement:
    started = time.perf_counter()
    report = report_generate(actor=SCHEDULE, now=NOW, **kwargs)  # type: ignore[arg-type]
    seconds = time.perf_counter() - started
    assert report is not None
    total = report.figures["current"]["total"]
    return Measurement(f"report: {label} ({total:,} events, PDF + XLSX)", seconds, "s")


def _asked(district_id: int) -> list[Measurement]:
    """The district's March as a leader's 生成 makes it: the request, then the worker."""
    started = time.perf_counter()
    report, queued = report_request(
        district_id=district_id,
        period=ReportPeriod.MONTHLY,
        day=dt.date(2026, 3, 1),
        street=None,
        actor=SCHEDULE,
        now=NOW,
    )
    asked = time.perf_counter() - started
    assert queued
    started = time.perf_counter()
    outcome = report_make(report.pk, now=NOW)
    made = time.perf_counter() - started
    assert outcome == "done", outcome
    report.refresh_from_db()
    total = report.figures["current"]["total"]
    return [
        Measurement(
            "ask: district, March 2026 (the web request: checks, row 排队中, audit, task enqueued)", asked * 1000, "ms"
        ),
        Measurement(f"worker: district, March 2026 ({total:,} events, figures + PDF + XLSX, 已完成)", made, "s"),
    ]


def run(bench: BenchDistrict, workdir: Path) -> list[Measurement]:
    _setup(bench)
    district_id = bench.district.pk
    street = Street.objects.filter(district=bench.district).order_by("code").first()
    rows = [
        _timed(
            "district, week 2026-03-30",
            district_id=district_id,
            period=ReportPeriod.WEEKLY,
            day=dt.date(2026, 3, 30),
            street=None,
        ),
        *_asked(district_id),
        _timed(
            "one street, March 2026",
            district_id=district_id,
            period=ReportPeriod.MONTHLY,
            day=dt.date(2026, 3, 1),
            street=street,
        ),
    ]
    AnalyticsReport.objects.all().delete()
    started = time.perf_counter()
    made = reports_scheduled(now=NOW)
    seconds = time.perf_counter() - started
    rows.append(
        Measurement(
            f"schedule: {len(made)} reports (district + {bench.street_count} streets, week + month)", seconds, "s"
        )
    )
    started = time.perf_counter()
    again = reports_scheduled(now=NOW)
    rows.append(Measurement(f"schedule again: {len(again)} made (all kept)", time.perf_counter() - started, "s"))
    return rows
