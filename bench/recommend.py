"""Officer recommendation (recommend_officers) with 300 officers on duty in the bench district.

Set-up, through the project's models: 300 active officers spread over the district's 72 zones (four or five
a zone), each on a shift covering now, 90 % certified for the city-appearance domain, 10 % busy on a
dispatched event; 85 % have a fresh phone position (the rest fall back to their zone's centre) and every
officer has an hour of position history every 3 minutes (6,000 rows), so the latest-position lookup works
on a realistic table. 200 triaged events at random points, one in five of a matter needing two officers.

Measured: 1,000 calls (after 20 warm-up calls), wall time per call. Target: p99 under 50 ms, stated as the
share of calls under 50 ms being at least 99 %.
"""

import datetime as dt
import statistics
import time
from pathlib import Path

import numpy as np
from django.utils import timezone

from bench.district import BenchDistrict, random_points
from bench.results import Measurement
from zhifa.catalog.models import Domain, Matter, PenaltyKind
from zhifa.events.models import Event, EventAssignment, OfficerPosition
from zhifa.events.recommend import recommend_officers
from zhifa.events.states import EventSource, EventStatus
from zhifa.geo.services import grid_index
from zhifa.org.models import Department, DepartmentKind, DutyShift, Officer, Zone

OFFICERS = 300
EVENTS = 200
CALLS = 1000
WARMUP = 20
TARGET_MS = 50.0
TARGET_SHARE = 99.0


def _matter(department: Department, code: str, *, two: bool) -> Matter:
    matter, _ = Matter.objects.get_or_create(
        district=department.district,
        code=code,
        defaults={
            "name": "基准测试事项（两人）" if two else "基准测试事项",
            "domain": Domain.CITY_APPEARANCE,
            "department": department,
            "law_name": "《城市道路管理条例》",
            "violated_provision": "第二十七条",
            "penalty_provision": "第四十二条",
            "penalty_kinds": [PenaltyKind.FINE.value],
            "subject_categories": ["*"],
            "requires_two_officers": two,
        },
    )
    return matter


def _setup(bench: BenchDistrict, now: dt.datetime, rng: np.random.Generator) -> list[Event]:
    district = bench.district
    department, _ = Department.objects.get_or_create(
        district=district,
        code="ZHZF",
        defaults={"name": "区综合行政执法局", "short_name": "综合执法", "kind": DepartmentKind.DEPARTMENT},
    )
    one, two = _matter(department, "BENCH-REC-1", two=False), _matter(department, "BENCH-REC-2", two=True)
    zones = list(Zone.objects.filter(district=district).order_by("code"))
    officers = Officer.objects.bulk_create(
        Officer(
            district=district,
            name=f"基准队员{i:03d}",
            badge_no=f"BR{i:05d}",
            certificate_no=f"BRC{i:08d}",
            certificate_valid_until=dt.date(2030, 12, 31),
            home_department=department,
            street_id=zones[i % len(zones)].street_id,
            zone=zones[i % len(zones)],
            certified_domains=[Domain.CITY_APPEARANCE.value, Domain.MARKET.value]
            if rng.random() < 0.9
            else [Domain.MARKET.value],
        )
        for i in range(OFFICERS)
    )
    DutyShift.objects.bulk_create(
        DutyShift(
            district=district, officer=o, starts_at=now - dt.timedelta(hours=4), ends_at=now + dt.timedelta(hours=4)
        )
        for o in officers
    )
    positions = []
    for o in officers:
        ring = np.array(next(z for z in zones if z.pk == o.zone_id).boundary["coordinates"][0])
        (west, south), (east, north) = ring.min(axis=0), ring.max(axis=0)
        fresh = rng.random() < 0.85
        for minutes_ago in range(60, -1 if fresh else 30, -3):  # stale officers stopped reporting 33 min ago
            positions.append(
                OfficerPosition(
                    officer=o,
                    lon=float(rng.uniform(west, east)),
                    lat=float(rng.uniform(south, north)),
                    recorded_at=now - dt.timedelta(minutes=minutes_ago + 3),
                )
            )
    OfficerPosition.objects.bulk_create(positions, batch_size=2000)

    index = grid_index(district.pk)
    lons, lats = random_points(bench, EVENTS + OFFICERS // 10, rng)
    found = index.locate_many(lons.tolist(), lats.tolist())
    events = []
    for i in range(len(lons)):
        where = index.location_at(int(found[i]))
        events.append(
            Event(
                district=district,
                public_no=f"BENCHREC{i:06d}",
                source=EventSource.HOTLINE,
                status=EventStatus.TRIAGED if i < EVENTS else EventStatus.DISPATCHED,
                description="基准测试事件",
                lon=float(lons[i]),
                lat=float(lats[i]),
                street_id=where.street_id,
                zone_id=where.zone_id,
                grid_id=where.grid_id,
                matter=two if i % 5 == 0 else one,
                reported_at=now,
            )
        )
    events = Event.objects.bulk_create(events)
    # 10 % of the officers are busy on a dispatched event.
    busy = rng.choice(len(officers), size=OFFICERS // 10, replace=False)
    EventAssignment.objects.bulk_create(
        EventAssignment(event=events[EVENTS + k], officer=officers[int(j)], assigned_at=now) for k, j in enumerate(busy)
    )
    return events[:EVENTS]


def _percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def run(bench: BenchDistrict, workdir: Path) -> list[Measurement]:
    now = timezone.now()
    rng = np.random.default_rng(7)
    events = _setup(bench, now, rng)
    for event in events[:WARMUP]:
        recommend_officers(event=event, needed=1, now=now)
    timings: list[float] = []
    returned = 0
    for i in range(CALLS):
        event = events[i % len(events)]
        started = time.perf_counter()
        result = recommend_officers(event=event, needed=1, now=now)
        timings.append((time.perf_counter() - started) * 1000)
        returned += len(result)
    within = 100 * sum(1 for t in timings if t < TARGET_MS) / len(timings)
    return [
        Measurement(f"recommendation: {OFFICERS} officers on duty, {CALLS:,} calls", CALLS, "calls"),
        Measurement("  officers recommended per call (mean)", returned / CALLS, ""),
        Measurement("  latency p50", _percentile(timings, 50), "ms"),
        Measurement("  latency p90", _percentile(timings, 90), "ms"),
        Measurement("  latency p99", _percentile(timings, 99), "ms"),
        Measurement(
            f"  calls answered in under {TARGET_MS:.0f} ms (p99 < {TARGET_MS:.0f} ms)", within, "%", TARGET_SHARE
        ),
    ]
