"""检查报告 (issue 12 part 8): the report's figures, paragraph and trend over a busy district. Synthetic, seeded: 2,000
construction sites over the district; 1,200 visits signed over the 90 days before 1 June 2026 (one site in three
visited twice … once), each with three findings on one of 8 matters' items (a third without an item), an order for
each finding (half rectified, one in ten led to a case); a colour history of two rows per site (one before the
quarter, one inside it); 20,000 events over the 180 days, half through the public channels. The district's quarter
(and its previous quarter for the complaints) and one street's month are timed, each twice (cold, then warm).
Bounded target: the district's quarter in under 5 s (a page a leader waits for)."""

import datetime as dt
import random
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.district import BenchDistrict
from bench.results import Measurement
from zhifa.catalog.models import Domain, Matter, SubjectCategory
from zhifa.events.models import Event
from zhifa.inspections.colours import colour_model_current
from zhifa.inspections.models import (
    ChecklistVersion,
    ChecklistVersionItem,
    InspectionFinding,
    JointInspection,
    RectificationOrder,
    SubjectColour,
)
from zhifa.inspections.report import ReportScope, inspection_report
from zhifa.inspections.states import RectificationStatus, VisitStatus
from zhifa.org.models import Department, Grid, Officer
from zhifa.subjects.models import Subject, SubjectKind

SITES = 2_000
VISITS = 1_200
EVENTS = 20_000
MATTERS = 8
END = dt.date(2026, 5, 31)
START = END - dt.timedelta(days=89)
TARGET_SECONDS = 5.0
SH = ZoneInfo("Asia/Shanghai")


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SH)


def _setup(bench: BenchDistrict) -> None:
    rng = random.Random(8)
    grids = list(Grid.objects.filter(zone__street__district=bench.district).select_related("zone"))
    department = Department.objects.create(
        district=bench.district, code="BENCH-R", name="报告基准部门", short_name="报告基准"
    )
    officer = Officer.objects.create(
        district=bench.district,
        name="报告基准队员",
        home_department=department,
        badge_no="BENCH-R1",
        certificate_no="BENCH-R1",
        certificate_valid_until=END + dt.timedelta(days=365),
    )
    items = []
    for m in range(MATTERS):
        matter = Matter.objects.create(
            district=bench.district,
            department=department,
            code=f"BENCH-R{m}",
            name=f"基准检查事项{m}",
            domain=Domain.CONSTRUCTION,
            law_name="基准法",
            subject_categories=["construction_site"],
        )
        checklist = ChecklistVersion.objects.create(district=bench.district, matter=matter, number=1, created_by="基准")
        items.append(ChecklistVersionItem.objects.create(version=checklist, position=1, text=f"基准检查项{m}"))

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
                name=f"报告基准工地{i:04d}号",
                address=f"报告基准路{i}号",
                lon=lon,
                lat=lat,
                street_id=grid.zone.street_id,
                zone_id=grid.zone_id,
                grid_id=grid.pk,
            )
        )
    Subject.objects.bulk_create(subjects, batch_size=2000)
    subjects = list(Subject.objects.filter(district=bench.district, name__startswith="报告基准工地"))
    visits = JointInspection.objects.bulk_create(
        [
            JointInspection(
                district=bench.district,
                subject=s,
                street_id=s.street_id,
                earliest=day,
                latest=day,
                status=VisitStatus.SIGNED,
                merged_by="基准",
                signed_at=_at(day),
            )
            for n in range(VISITS)
            for s in [subjects[(n * 7) % SITES]]
            for day in [START + dt.timedelta(days=n % 90)]
        ],
        batch_size=2000,
    )
    findings = InspectionFinding.objects.bulk_create(
        [
            InspectionFinding(
                inspection=v,
                item=None if (n + k) % 3 == 0 else items[(n + k) % MATTERS],
                department=department,
                severity=("general", "major", "serious")[k],
                description="基准隐患",
                recorded_by=officer,
                recorded_at=v.signed_at or _at(START),
            )
            for n, v in enumerate(visits)
            for k in range(3)
        ],
        batch_size=2000,
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
                issued_at=f.recorded_at,
                issued_by=officer,
                deadline=f.recorded_at.date() + dt.timedelta(days=7),
                deadline_rule="基准",
                status=RectificationStatus.RECTIFIED if n % 2 else RectificationStatus.ISSUED,
                case_id=n if n % 10 == 0 else None,
            )
            for n, f in enumerate(findings)
        ],
        batch_size=2000,
    )
    version = colour_model_current(district_id=bench.district.pk)
    colours = ("red", "yellow", "green")
    SubjectColour.objects.bulk_create(
        [
            SubjectColour(
                district=bench.district,
                subject=s,
                colour=colours[(i + k) % 3],
                previous_colour="" if k == 0 else colours[i % 3],
                score=1.0,
                explanation={},
                model_version=version,
                trigger="基准",
                computed_at=_at(START - dt.timedelta(days=10) if k == 0 else START + dt.timedelta(days=i % 90)),
                is_current=k == 1,
            )
            for i, s in enumerate(subjects)
            for k in range(2)
        ],
        batch_size=2000,
    )
    events = []
    for n in range(EVENTS):
        grid = grids[n % len(grids)]
        lon, lat = point()
        events.append(
            Event(
                district=bench.district,
                street_id=grid.zone.street_id,
                zone_id=grid.zone_id,
                grid=grid,
                public_no=f"SJBENCHR{n:08d}",
                source="hotline" if n % 2 else "api",
                description="基准投诉",
                lon=lon,
                lat=lat,
                reported_at=_at(END - dt.timedelta(days=n % 180), 9),
            )
        )
    Event.objects.bulk_create(events, batch_size=2000)


def run(bench: BenchDistrict, workdir: Path) -> list[Measurement]:
    _setup(bench)
    street_id = Subject.objects.filter(name="报告基准工地0000号").values_list("street_id", flat=True).get()
    cases = [
        ("the district's quarter", ReportScope(district_id=bench.district.pk, date_from=START, date_to=END)),
        (
            "one street's May",
            ReportScope(district_id=bench.district.pk, date_from=dt.date(2026, 5, 1), date_to=END, street_id=street_id),
        ),
    ]
    rows: list[Measurement] = []
    for label, scope in cases:
        for run_label in ("cold", "warm"):
            started = time.perf_counter()
            report = inspection_report(scope, place="基准区")
            seconds = time.perf_counter() - started
            rows.append(
                Measurement(
                    f"inspection report, {label} ({run_label}): {report.visits:,} visits, {report.findings:,} "
                    f"findings, {report.complaints:,}/{report.complaints_previous:,} complaints",
                    seconds,
                    "s",
                    maximum=TARGET_SECONDS,
                )
            )
    return rows
