"""Three colours (issue 12 part 7): the nightly ``colours_refresh`` over a district's construction sites. Synthetic: 2,000
sites spread over the district; one in three has a signed visit with a finding of each severity; one in four of
those findings has a rectification order (half overdue); 6,000 events in the 90-day window, at random points, one
in fifty naming a site. Two runs on the same day: the first writes every colour, the second finds nothing changed.
Bounded target: 2,000 sites in under 60 s (a nightly job; each record recolours its one subject at once)."""

import datetime as dt
import random
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from django.utils import timezone

from bench.district import BenchDistrict
from bench.results import Measurement
from zhifa.catalog.models import SubjectCategory
from zhifa.events.models import Event
from zhifa.inspections.colours import colours_refresh
from zhifa.inspections.models import InspectionFinding, JointInspection, RectificationOrder, SubjectColour
from zhifa.inspections.states import RectificationStatus, VisitStatus
from zhifa.org.models import Department, Grid, Officer
from zhifa.subjects.models import Subject, SubjectKind

SITES = 2_000
EVENTS = 6_000
ON = dt.date(2026, 6, 1)
TARGET_SECONDS = 60.0
SH = ZoneInfo("Asia/Shanghai")


def _setup(bench: BenchDistrict) -> None:
    rng = random.Random(12)
    grids = list(Grid.objects.filter(zone__street__district=bench.district).select_related("zone"))
    department = Department.objects.create(
        district=bench.district, code="BENCH-C", name="三色基准部门", short_name="基准"
    )
    officer = Officer.objects.create(
        district=bench.district,
        name="基准队员",
        home_department=department,
        badge_no="BENCH-C1",
        certificate_no="BENCH-C1",
        certificate_valid_until=ON + dt.timedelta(days=365),
    )

    def point() -> tuple[float, float]:
        return rng.uniform(bench.west, bench.east), rng.uniform(bench.south, bench.north)

    subjects = []
    for i in range(SITES):
        grid = grids[i % len(grids)]
        lon, lat = point()
        subjects.append(
            Subject(
                district=bench.district,
                kind=SubjectKind.BUSINESS,
                category=SubjectCategory.CONSTRUCTION_SITE,
                name=f"基准建筑工地{i:04d}号",
                address=f"基准路{i}号",
                lon=lon,
                lat=lat,
                street_id=grid.zone.street_id,
                zone_id=grid.zone_id,
                grid_id=grid.pk,
            )
        )
    Subject.objects.bulk_create(subjects, batch_size=2000)
    subjects = list(Subject.objects.filter(district=bench.district, category=SubjectCategory.CONSTRUCTION_SITE))
    at = dt.datetime.combine(ON - dt.timedelta(days=30), dt.time(10), tzinfo=SH)
    visits = JointInspection.objects.bulk_create(
        [
            JointInspection(
                district=bench.district,
                subject=s,
                street_id=s.street_id,
                earliest=at.date(),
                latest=at.date(),
                status=VisitStatus.SIGNED,
                merged_by="基准",
                signed_at=at,
            )
            for s in subjects[::3]
        ]
    )
    findings = InspectionFinding.objects.bulk_create(
        [
            InspectionFinding(
                inspection=v,
                department=department,
                severity=severity,
                description="基准隐患",
                recorded_by=officer,
                recorded_at=at,
            )
            for v in visits
            for severity in ("general", "major", "serious")
        ]
    )
    RectificationOrder.objects.bulk_create(
        [
            RectificationOrder(
                district=bench.district,
                finding=f,
                subject_id=f.inspection.subject_id,
                street_id=f.inspection.street_id,
                department=department,
                severity=f.severity,
                requirement="基准整改",
                issued_at=at,
                issued_by=officer,
                deadline=ON - dt.timedelta(days=5 if n % 2 else -5),
                deadline_rule="基准",
                status=RectificationStatus.ISSUED,
            )
            for n, f in enumerate(findings[::4])
        ]
    )
    events = []
    for n in range(EVENTS):
        grid = grids[n % len(grids)]
        lon, lat = point()
        name = subjects[n % SITES].name if n % 50 == 0 else ""
        events.append(
            Event(
                district=bench.district,
                street_id=grid.zone.street_id,
                zone_id=grid.zone_id,
                grid=grid,
                public_no=f"SJBENCHC{n:08d}",
                source="api",
                description=f"基准投诉{name}",
                lon=lon,
                lat=lat,
                reported_at=timezone.make_aware(dt.datetime.combine(ON - dt.timedelta(days=n % 89), dt.time(9))),
            )
        )
    Event.objects.bulk_create(events, batch_size=2000)


def run(bench: BenchDistrict, workdir: Path) -> list[Measurement]:
    _setup(bench)
    rows: list[Measurement] = []
    for label in ("first run, every colour written", "same day again, nothing changed"):
        started = time.perf_counter()
        changed = colours_refresh(district_id=bench.district.pk, on=ON)
        seconds = time.perf_counter() - started
        rows.append(
            Measurement(f"three colours: {SITES:,} sites, {label} ({changed:,} changed)", SITES / seconds, "sites/s")
        )
        rows.append(Measurement(f"  all {SITES:,} sites", seconds, "s", maximum=TARGET_SECONDS))
    counts = {
        c: SubjectColour.objects.filter(district=bench.district, is_current=True, colour=c).count()
        for c in ("red", "yellow", "green")
    }
    rows.append(
        Measurement(
            f"  current colours red/yellow/green: {counts['red']}/{counts['yellow']}/{counts['green']}", SITES, ""
        )
    )
    return rows
