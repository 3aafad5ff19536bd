"""The command centre's queue page with 5,000 open events in the bench district (issue 16: under 1 s and
under 1 MB).

Set-up, bulk, through the project's models: 24 matters over eight 领域 (8 % of the events unclassified); 300
officers on duty with a fresh position, 70 % of them free (so the rows waiting for dispatch carry their
recommended crew, as on a real day); 5,000 open events at random points of the 18 streets, with road
addresses, descriptions as callers give them, 6 % urgent, the sources of a district (hotline most), and the
statuses of a busy afternoon — 3 % reported, 25 % triaged, 40 % in the field with their running clock (about
one in six overdue), 10 % handled, 8 % transferred with an open coordination task, 10 % returned, 4 % verified. A district-wide dispatcher (指挥中心调度员) opens the page.

Measured through Django's test client (the whole request, middleware and templates included, no network):
the first page (50 rows), one filtered page (a street and a status), a search, the HTMX answer to a filter
change, the map's JSON for all 5,000 events, and one dispatch done in place — size in bytes and wall time,
median of ``RUNS`` after one warm-up request.
"""

import datetime as dt
import random
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from bench.district import BenchDistrict, random_points
from bench.results import Measurement
from zhifa.catalog.models import Domain, Matter, PenaltyKind
from zhifa.events.models import CoordinationTask, Event, EventAssignment, OfficerPosition
from zhifa.events.states import EventPriority, EventSource, EventStatus
from zhifa.geo.services import grid_index
from zhifa.org.models import Department, DepartmentKind, DutyShift, Officer, Profile, Zone
from zhifa.org.roles import Role

EVENTS = 5000
OFFICERS = 300
RUNS = 7
TARGET_S = 1.0
TARGET_BYTES = 1_000_000

MATTERS = [
    (Domain.CITY_APPEARANCE, "流动摊贩占道经营"),
    (Domain.CITY_APPEARANCE, "店外经营"),
    (Domain.CITY_APPEARANCE, "乱堆放物料"),
    (Domain.CITY_APPEARANCE, "乱张贴小广告"),
    (Domain.CITY_APPEARANCE, "焚烧垃圾"),
    (Domain.CITY_APPEARANCE, "机动车违规停放占用人行道"),
    (Domain.CONSTRUCTION, "夜间施工噪声扰民"),
    (Domain.CONSTRUCTION, "渣土车沿途撒漏"),
    (Domain.CONSTRUCTION, "工地扬尘未覆盖"),
    (Domain.CONSTRUCTION, "违法搭建"),
    (Domain.CATERING_FUMES, "餐饮油烟直排"),
    (Domain.CATERING_FUMES, "油烟净化设施未正常使用"),
    (Domain.OUTDOOR_ADS, "擅自设置户外广告"),
    (Domain.OUTDOOR_ADS, "店招破损未修复"),
    (Domain.MARKET, "商品未明码标价"),
    (Domain.MARKET, "无照经营"),
    (Domain.FIRE_SAFETY, "占用堵塞消防通道"),
    (Domain.FIRE_SAFETY, "电动自行车楼道充电"),
    (Domain.CULTURE_TOURISM, "网吧接纳未成年人"),
    (Domain.CULTURE_TOURISM, "娱乐场所超时经营"),
    (Domain.ENVIRONMENT, "生活污水直排雨水管"),
    (Domain.ENVIRONMENT, "露天焚烧秸秆"),
    (Domain.HEALTH, "公共场所控烟不力"),
    (Domain.HEALTH, "无证行医"),
]
ROADS = [
    "武林路",
    "湖墅南路",
    "文三路",
    "文二路",
    "教工路",
    "莫干山路",
    "体育场路",
    "凤起路",
    "延安路",
    "中山北路",
    "环城北路",
    "上塘路",
    "德胜路",
    "大关路",
    "石祥路",
    "潮王路",
    "朝晖路",
    "香积寺路",
    "登云路",
    "丽水路",
    "学院路",
    "古翠路",
    "天目山路",
    "庆春路",
    "建国北路",
    "秋涛路",
    "东新路",
    "沈半路",
    "长浜路",
    "信义坊",
]
TEXTS = [
    "门前有流动摊贩占道卖水果，影响行人通行",
    "楼下饭店油烟很大，直接往居民楼里排",
    "工地晚上十一点还在打桩，吵得睡不着",
    "渣土车沿路撒了一地泥，车子开过去尘土飞扬",
    "小区门口的消防通道被私家车堵住了",
    "店门口摆了好多桌子占了人行道",
    "电线杆上贴满了小广告",
    "商店商品没有明码标价",
    "有人在绿化带里焚烧垃圾，烟很大",
    "网吧里有未成年人在上网",
]
# (status, share): a busy afternoon.
STATUSES = [
    (EventStatus.REPORTED, 0.03),
    (EventStatus.TRIAGED, 0.25),
    (EventStatus.DISPATCHED, 0.10),
    (EventStatus.ACKNOWLEDGED, 0.10),
    (EventStatus.ARRIVED, 0.20),
    (EventStatus.HANDLED, 0.10),
    (EventStatus.VERIFIED, 0.04),
    (EventStatus.RETURNED, 0.10),
    (EventStatus.TRANSFERRED, 0.08),
]
SOURCES = [
    (EventSource.HOTLINE, 0.45),
    (EventSource.PATROL, 0.20),
    (EventSource.AI_CAMERA, 0.15),
    (EventSource.API, 0.08),
    (EventSource.OPEN311, 0.05),
    (EventSource.DRONE, 0.04),
    (EventSource.DEPARTMENT, 0.03),
]


def _pick(rng: random.Random, weighted: list[tuple[Any, float]]) -> Any:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def _setup(bench: BenchDistrict, now: dt.datetime) -> dict[str, Any]:
    rng = random.Random(16)
    nrng = np.random.default_rng(16)
    district = bench.district
    department, _ = Department.objects.get_or_create(
        district=district,
        code="ZHZF",
        defaults={"name": "区综合行政执法局", "short_name": "综合执法", "kind": DepartmentKind.DEPARTMENT},
    )
    partner, _ = Department.objects.get_or_create(
        district=district,
        code="SCJG",
        defaults={
            "name": "区市场监督管理局",
            "short_name": "市场监管",
            "kind": DepartmentKind.DEPARTMENT,
            "is_coordinating": True,
        },
    )
    matters = [
        Matter.objects.get_or_create(
            district=district,
            code=f"BENCH-Q-{i:02d}",
            defaults={
                "name": name,
                "domain": domain,
                "department": department,
                "law_name": "《城市市容和环境卫生管理条例》",
                "violated_provision": "第十四条",
                "penalty_provision": "第三十六条",
                "penalty_kinds": [PenaltyKind.FINE.value],
                "subject_categories": ["*"],
                "requires_two_officers": i % 6 == 0,
            },
        )[0]
        for i, (domain, name) in enumerate(MATTERS)
    ]
    zones = list(Zone.objects.filter(district=district).order_by("code"))
    officers = Officer.objects.bulk_create(
        Officer(
            district=district,
            name=f"队员{i:03d}",
            badge_no=f"BQ{i:05d}",
            certificate_no=f"BQC{i:08d}",
            certificate_valid_until=dt.date(2030, 12, 31),
            home_department=department,
            street_id=zones[i % len(zones)].street_id,
            zone=zones[i % len(zones)],
            certified_domains=[d.value for d in Domain],
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
        positions.append(
            OfficerPosition(
                officer=o,
                lon=float(nrng.uniform(west, east)),
                lat=float(nrng.uniform(south, north)),
                recorded_at=now - dt.timedelta(minutes=2),
            )
        )
    OfficerPosition.objects.bulk_create(positions)

    index = grid_index(district.pk)
    lons, lats = random_points(bench, EVENTS, nrng)
    found = index.locate_many(lons.tolist(), lats.tolist())
    events = []
    for i in range(EVENTS):
        where = index.location_at(int(found[i]))
        status = _pick(rng, STATUSES)
        matter = None if rng.random() < 0.08 else rng.choice(matters)
        reported_at = now - dt.timedelta(minutes=rng.uniform(5, 48 * 60))
        # The running clock's due time: about one in six past.
        due = now + dt.timedelta(minutes=rng.uniform(-40, 200))
        events.append(
            Event(
                district=district,
                public_no=f"BQ{now:%Y%m%d}{i:06d}",
                source=_pick(rng, SOURCES),
                status=status,
                priority=EventPriority.URGENT if rng.random() < 0.06 else EventPriority.NORMAL,
                description=rng.choice(TEXTS),
                address=f"{rng.choice(ROADS)}{rng.randint(1, 400)}号",
                lon=float(lons[i]),
                lat=float(lats[i]),
                street_id=where.street_id,
                zone_id=where.zone_id,
                grid_id=where.grid_id,
                matter=matter,
                department=department if matter is not None else None,
                reporter_name="市民" if rng.random() < 0.5 else "",
                reporter_phone=f"139{rng.randint(0, 99_999_999):08d}",
                reported_at=reported_at,
                triaged_at=reported_at if status != EventStatus.REPORTED else None,
                dispatched_at=reported_at if status in _FIELD_OR_AFTER else None,
                acknowledge_due_at=due if status == EventStatus.DISPATCHED else None,
                acknowledged_at=reported_at if status in _ACKNOWLEDGED_OR_AFTER else None,
                arrive_due_at=due if status == EventStatus.ACKNOWLEDGED else None,
                arrived_at=reported_at if status in _ARRIVED_OR_AFTER else None,
                handle_due_at=due if status == EventStatus.ARRIVED else None,
                handled_at=reported_at if status in (EventStatus.HANDLED, EventStatus.VERIFIED) else None,
            )
        )
    events = Event.objects.bulk_create(events, batch_size=1000)
    CoordinationTask.objects.bulk_create(
        CoordinationTask(
            event=e,
            department=partner,
            due_at=now + dt.timedelta(hours=rng.uniform(-24, 120)),
            instructions="请依职责核查处理",
        )
        for e in events
        if e.status == EventStatus.TRANSFERRED
    )
    # 30 % of the officers are busy: each on one event in the field.
    field = [e for e in events if e.status in _FIELD_STATES]
    busy = rng.sample(officers, k=OFFICERS * 3 // 10)
    EventAssignment.objects.bulk_create(
        EventAssignment(event=e, officer=o, assigned_at=now) for e, o in zip(field, busy, strict=False)
    )
    user = get_user_model().objects.create_user(username="bench-dispatcher", password=None)
    Profile.objects.create(user=user, district=district, role=Role.DISPATCHER, display_name="基准调度员")
    busiest_street = max({e.street_id for e in events}, key=lambda s: sum(1 for e in events if e.street_id == s))
    return {
        "user": user,
        "street_id": busiest_street,
        "triaged": [e for e in events if e.status == EventStatus.TRIAGED],
    }


_FIELD_STATES = (EventStatus.DISPATCHED, EventStatus.ACKNOWLEDGED, EventStatus.ARRIVED)
_ARRIVED_OR_AFTER = (EventStatus.ARRIVED, EventStatus.HANDLED, EventStatus.VERIFIED, EventStatus.RETURNED)
_ACKNOWLEDGED_OR_AFTER = (EventStatus.ACKNOWLEDGED, *_ARRIVED_OR_AFTER)
_FIELD_OR_AFTER = (EventStatus.DISPATCHED, *_ACKNOWLEDGED_OR_AFTER)


def _timed(client: Client, url: str, headers: dict[str, str] | None = None) -> tuple[float, int, int]:
    """Median seconds and the size in bytes of ``RUNS`` GETs of ``url`` after one warm-up."""
    client.get(url, headers=headers)
    timings, size, status = [], 0, 0
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        timings.append(time.perf_counter() - started)
        size, status = len(response.content), response.status_code
    return statistics.median(timings), size, status


def _page_rows(label: str, client: Client, url: str, headers: dict[str, str] | None = None) -> list[Measurement]:
    seconds, size, status = _timed(client, url, headers)
    if status != 200:
        raise RuntimeError(f"{url} answered {status}")
    return [
        Measurement(f"  {label}: time (median of {RUNS})", seconds * 1000, "ms", maximum=TARGET_S * 1000),
        Measurement(f"  {label}: size", size / 1000, "kB", maximum=TARGET_BYTES / 1000),
    ]


def run(bench: BenchDistrict, workdir: Path) -> list[Measurement]:
    now = timezone.now()
    started = time.perf_counter()
    made = _setup(bench, now)
    setup_s = time.perf_counter() - started
    client = Client()
    client.force_login(made["user"])
    street, q = made["street_id"], ROADS[0]
    rows = [
        Measurement(f"command centre: {EVENTS:,} open events, {OFFICERS} officers on duty (set-up)", setup_s, "s"),
        *_page_rows("queue page, first page (50 rows)", client, "/command/"),
        *_page_rows("queue page, one street, status arrived", client, f"/command/?street_id={street}&status=arrived"),
        *_page_rows("queue page, status triaged (each row recommends)", client, "/command/?status=triaged"),
        *_page_rows("queue page, search for a road name", client, f"/command/?q={q}"),
        *_page_rows(
            "filter change (HTMX results only), urgent", client, "/command/?priority=urgent", {"HX-Request": "true"}
        ),
    ]
    seconds, size, _ = _timed(client, "/command/events.json")
    rows += [
        Measurement(f"  map points, all {EVENTS:,} events: time (median of {RUNS})", seconds * 1000, "ms"),
        Measurement("  map points: size", size / 1000, "kB"),
    ]
    # One dispatch in place: an officer of the event's zone sent to a triaged event, the answer being its row.
    timings, dispatched = [], 0
    for event in made["triaged"][:RUNS]:
        officer = Officer.objects.filter(district=bench.district, zone_id=event.zone_id).order_by("pk").first()
        started = time.perf_counter()
        response = client.post(
            f"/command/events/{event.pk}/do/dispatch/",
            {"officer_ids": [officer.pk] if officer else []},
            headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/command/"},
        )
        timings.append(time.perf_counter() - started)
        if response.status_code not in (200, 404, 409, 422):
            raise RuntimeError(f"dispatch in place answered {response.status_code}")
        dispatched += response.status_code == 200
    rows += [
        Measurement(
            f"  dispatch in place (HTMX row answer, median of {RUNS})", statistics.median(timings) * 1000, "ms"
        ),
        Measurement("  dispatches done (the others refused by a rule, answered in place)", dispatched, f"of {RUNS}"),
    ]
    return rows
