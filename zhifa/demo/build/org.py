"""The demo's ``org`` records: the district and its streets, zones and grids; departments; each street's team
with its leadership group, the officers and the auxiliary staff; then (after the catalogue) the officers'
certified domains and their duty roster.

Input: the seeded ``Draws`` (and the day of loading for dates). Output: ``Geography`` (the district, its
outline and streets, which the later steps place things in) and the departments by code.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from shapely.geometry.base import BaseGeometry

from zhifa.catalog.models import Domain
from zhifa.core.actors import SystemActor
from zhifa.demo import names
from zhifa.demo.build.draws import Draws
from zhifa.demo.geometry import load_district_source, order_north_west_first, spread_generators, tile, to_geojson
from zhifa.org.models import (
    REST_CODE,
    AuxiliaryAssessment,
    AuxiliaryStaff,
    AuxiliaryStatus,
    Department,
    DepartmentKind,
    District,
    Grid,
    LeadershipMember,
    LeadershipRole,
    Officer,
    Street,
    Team,
    Zone,
)
from zhifa.org.rosters import ShiftSpec, roster_generate, shift_pattern_create

DEMO_DISTRICT_CODE = "330105"
DEMO_DISTRICT_NAME = "拱墅区"
DEMO_AGENCY_NAME = "杭州市拱墅区综合行政执法局"
DEMO_AGENCY_ABBREVIATION = "杭拱综执"
# Who the demo's roster names as its author (the load runs with the server's own rights).
ROSTER_ACTOR = SystemActor("系统")

CHINESE_NUMERALS = "一二三四五六七八九十"

# (code, name, short name, kind, is_sinking, is_coordinating)
DEPARTMENTS: list[tuple[str, str, str, str, bool, bool]] = [
    ("ZHZX", "区行政执法指挥中心", "指挥中心", DepartmentKind.COMMAND, False, False),
    ("ZHZF", "区综合行政执法局", "综合执法", DepartmentKind.DEPARTMENT, True, False),
    ("SCJG", "区市场监督管理局", "市场监管", DepartmentKind.DEPARTMENT, True, True),
    ("WGLT", "区文化广电旅游体育局", "文广旅体", DepartmentKind.DEPARTMENT, True, True),
    ("YJGL", "区应急管理局", "应急管理", DepartmentKind.DEPARTMENT, True, True),
    ("WJ", "区卫生健康局", "卫生健康", DepartmentKind.DEPARTMENT, True, False),
    ("GZ", "区规划和自然资源分局", "规划资源", DepartmentKind.DEPARTMENT, True, False),
    ("GA", "区公安分局", "公安", DepartmentKind.DEPARTMENT, False, True),
    ("CG", "区城市管理局", "城市管理", DepartmentKind.DEPARTMENT, False, True),
    ("XF", "区消防救援大队", "消防救援", DepartmentKind.DEPARTMENT, False, True),
    ("JJ", "区交警大队", "交警", DepartmentKind.DEPARTMENT, False, True),
    ("STHJ", "区生态环境分局", "生态环境", DepartmentKind.DEPARTMENT, False, True),
    ("RS", "区人力资源和社会保障局", "人力社保", DepartmentKind.DEPARTMENT, False, True),
    ("MTZX", "区社会矛盾纠纷调处化解中心", "矛调中心", DepartmentKind.DEPARTMENT, False, True),
    ("ZJ", "区住房和城乡建设局", "住房城建", DepartmentKind.DEPARTMENT, False, False),
    ("GD", "国网杭州供电公司", "供电", DepartmentKind.OUTSIDE, False, False),
    ("SW", "杭州水务集团", "水务", DepartmentKind.OUTSIDE, False, False),
    ("RQ", "杭州燃气集团", "燃气", DepartmentKind.OUTSIDE, False, False),
    ("DX", "中国电信杭州分公司", "电信", DepartmentKind.OUTSIDE, False, False),
    ("YD", "中国移动杭州分公司", "移动", DepartmentKind.OUTSIDE, False, False),
]

# Officers per sinking department. 129 = 3 × 43, so 96 in streets gives exactly the article's 74.42% (32/43).
OFFICERS_BY_DEPARTMENT = {"ZHZF": 70, "SCJG": 24, "WGLT": 10, "YJGL": 9, "WJ": 8, "GZ": 8}
SINKING_SHARE = Decimal("0.7442")
AUXILIARY_TOTAL = 45
ASSESSMENT_YEAR = 2025

# Where business is dense: the old-city streets (former 下城 and southern 拱墅) more, the northern ones less.
CORE_STREETS = {"武林街道", "天水街道", "长庆街道", "潮鸣街道", "朝晖街道", "米市巷街道", "湖墅街道", "文晖街道"}
OUTER_STREETS = {"石桥街道", "祥符街道", "康桥街道", "半山街道"}

# Which enforcement domains each sinking department's certificates cover.
CERTIFIED_DOMAINS: dict[str, tuple[str, ...]] = {
    "ZHZF": (
        Domain.CITY_APPEARANCE,
        Domain.CONSTRUCTION,
        Domain.CATERING_FUMES,
        Domain.OUTDOOR_ADS,
        Domain.ENVIRONMENT,
        Domain.PLANNING,
    ),
    "SCJG": (Domain.MARKET, Domain.HEALTH),
    "WGLT": (Domain.CULTURE_TOURISM,),
    "YJGL": (Domain.EMERGENCY, Domain.FIRE_SAFETY),
    "WJ": (Domain.HEALTH,),
    "GZ": (Domain.PLANNING, Domain.CONSTRUCTION),
}


@dataclass
class Geography:
    """The district as the later steps need it: its outline and streets' shapes to place points in."""

    district: District
    outline: BaseGeometry
    streets: list[Street]
    # The street cells in the order of ``streets``.
    street_geoms: list[BaseGeometry]
    zones_by_street: dict[int, list[Zone]] = field(default_factory=dict)


def geography_build(draws: Draws) -> Geography:
    """The district, its streets (Voronoi cells of the bundled street seeds), 3–4 zones a street, 6–12 grids a
    zone, numbered north-west first."""
    source = load_district_source()
    district = District.objects.create(
        code=DEMO_DISTRICT_CODE,
        name=DEMO_DISTRICT_NAME,
        agency_name=DEMO_AGENCY_NAME,
        agency_abbreviation=DEMO_AGENCY_ABBREVIATION,
        boundary=to_geojson(source.outline),
        is_approximate=True,
    )
    cells = tile(source.outline, [s.point for s in source.seeds])
    if len(cells) != len(source.seeds):
        raise RuntimeError("街道划分失败：Voronoi 单元数与街道数不一致")
    streets = Street.objects.bulk_create(
        [
            Street(
                district=district,
                code=f"{DEMO_DISTRICT_CODE}{i + 1:03d}",
                name=seed.name,
                boundary=to_geojson(cell),
                is_approximate=True,
                auxiliary_cap=draws.rng.randint(8, 14),
            )
            for i, (seed, cell) in enumerate(zip(source.seeds, cells, strict=True))
        ]
    )
    geography = Geography(district=district, outline=source.outline, streets=streets, street_geoms=cells)
    zone_rows: list[tuple[Zone, BaseGeometry]] = []
    for street, geom in zip(streets, cells, strict=True):
        k = draws.rng.randint(3, 4)
        zone_cells = order_north_west_first(tile(geom, spread_generators(geom, k, draws.np_rng)))
        prefix = names.short_street(street.name)
        for i, cell in enumerate(zone_cells):
            zone = Zone(
                district=district,
                street=street,
                code=f"{street.code}{i + 1:02d}",
                name=f"{prefix}片区{CHINESE_NUMERALS[i]}",
                boundary=to_geojson(cell),
            )
            zone_rows.append((zone, cell))
    zones = Zone.objects.bulk_create([z for z, _ in zone_rows])
    grids: list[Grid] = []
    for zone, (_, geom) in zip(zones, zone_rows, strict=True):
        geography.zones_by_street.setdefault(zone.street_id, []).append(zone)
        m = draws.rng.randint(6, 12)
        grid_cells = order_north_west_first(tile(geom, spread_generators(geom, m, draws.np_rng)))
        prefix = names.short_street(zone.street.name)
        zone_no = int(zone.code[-2:])
        for j, cell in enumerate(grid_cells):
            grids.append(
                Grid(
                    district=district,
                    street_id=zone.street_id,
                    zone=zone,
                    code=f"{zone.code}{j + 1:02d}",
                    name=f"{prefix}{zone_no}-{j + 1:02d}网格",
                    boundary=to_geojson(cell),
                )
            )
    Grid.objects.bulk_create(grids, batch_size=500)
    return geography


def departments_build(district: District) -> dict[str, Department]:
    """The district's departments (``DEPARTMENTS``), by code."""
    rows = Department.objects.bulk_create(
        [
            Department(
                district=district,
                code=code,
                name=name,
                short_name=short,
                kind=kind,
                is_sinking=sinking,
                is_coordinating=coordinating,
            )
            for code, name, short, kind, sinking, coordinating in DEPARTMENTS
        ]
    )
    return {d.code: d for d in rows}


def people_build(draws: Draws, *, geography: Geography, departments: dict[str, Department], today: dt.date) -> None:
    """One team per street with its leadership group (the team's captain is its first 综合执法 officer), the
    officers of the sinking departments, and the auxiliary staff with their assessments."""
    district = geography.district
    teams = Team.objects.bulk_create(
        [
            Team(
                district=district,
                street=street,
                name=f"{street.name}综合行政执法队",
                office_phone=names.landline(draws.rng),
            )
            for street in geography.streets
        ]
    )
    officers = _officers(draws, geography=geography, departments=departments, today=today)
    by_street: dict[int, list[Officer]] = {}
    for officer in officers:
        if officer.street_id is not None:
            by_street.setdefault(officer.street_id, []).append(officer)
    members: list[LeadershipMember] = []
    for team in teams:
        short = names.short_street(team.street.name)
        team_officers = [o for o in by_street.get(team.street_id, []) if o.home_department.code == "ZHZF"]
        captain = team_officers[0].name if team_officers else draws.person()
        seats = [
            (LeadershipRole.HEAD, f"{short}街道党工委书记", draws.person()),
            (LeadershipRole.DEPUTY, f"{short}街道党工委副书记、办事处主任", draws.person()),
            (LeadershipRole.DEPUTY, f"{short}街道办事处副主任（分管综合执法）", draws.person()),
            (LeadershipRole.MEMBER, "街道综合行政执法队队长", captain),
            (LeadershipRole.MEMBER, "街道综合行政执法队副队长", draws.person()),
            (LeadershipRole.MEMBER, "市场监管所所长", draws.person()),
            (LeadershipRole.MEMBER, "街道应急管理办公室主任", draws.person()),
        ]
        members.extend(
            LeadershipMember(district=district, team=team, name=name, position=position, role=role)
            for role, position, name in seats
        )
    LeadershipMember.objects.bulk_create(members)
    _auxiliaries(draws, geography=geography)


def _officers(
    draws: Draws, *, geography: Geography, departments: dict[str, Department], today: dt.date
) -> list[Officer]:
    # Per department, round(n × 74.42%) serve in a street; the rest stay at district level.
    sunk_by_dept = {
        code: int(Decimal(n) * SINKING_SHARE + Decimal("0.5")) for code, n in OFFICERS_BY_DEPARTMENT.items()
    }
    rng = draws.rng
    street_cycle: list[Street] = []
    officers: list[Officer] = []
    certificate_numbers: set[str] = set()
    expired, expiring = 3, 4
    serial = 0
    for code, total in OFFICERS_BY_DEPARTMENT.items():
        dept = departments[code]
        for n in range(total):
            serial += 1
            street: Street | None = None
            zone: Zone | None = None
            if n < sunk_by_dept[code]:
                if not street_cycle:
                    street_cycle = geography.streets[:]
                    rng.shuffle(street_cycle)
                street = street_cycle.pop()
                street_zones = geography.zones_by_street[street.pk]
                served = sum(1 for o in officers if o.street_id == street.pk)
                zone = street_zones[served % len(street_zones)]
            while True:
                cert = "33010520" + f"{rng.randrange(10**6):06d}"
                if cert not in certificate_numbers:
                    certificate_numbers.add(cert)
                    break
            if serial % 31 == 7 and expired:
                valid_until = today - dt.timedelta(days=rng.randint(5, 120))
                expired -= 1
            elif serial % 23 == 11 and expiring:
                valid_until = today + dt.timedelta(days=rng.randint(3, 28))
                expiring -= 1
            else:
                valid_until = today + dt.timedelta(days=rng.randint(120, 5 * 365))
            officers.append(
                Officer(
                    district=geography.district,
                    name=draws.person(),
                    badge_no=f"{code}{n + 1:03d}",
                    certificate_no=cert,
                    certificate_valid_until=valid_until,
                    home_department=dept,
                    street=street,
                    zone=zone,
                    phone=names.mobile(rng),
                )
            )
    return Officer.objects.bulk_create(officers)


def _auxiliaries(draws: Draws, *, geography: Geography) -> None:
    # At least two per street, the rest to the busy old-city streets; never above a street's cap.
    rng = draws.rng
    streets = geography.streets
    per_street = {s.pk: 2 for s in streets}
    core = [s for s in streets if s.name in CORE_STREETS]
    remaining = AUXILIARY_TOTAL - 2 * len(streets)
    while remaining > 0:
        street = rng.choice(core)
        if per_street[street.pk] < street.auxiliary_cap:
            per_street[street.pk] += 1
            remaining -= 1
    duties = [
        "信息采集、巡查辅助",
        "巡查辅助、文书送达（在执法人员指导下）",
        "视频监控值守、信息录入",
        "宣传劝导、秩序维护",
        "信息采集、宣传劝导",
    ]
    staff: list[AuxiliaryStaff] = []
    serial = 0
    for street in streets:
        for i in range(per_street[street.pk]):
            serial += 1
            start = names.random_date(rng, dt.date(2023, 1, 1), dt.date(2025, 7, 1))
            # One in twenty has left (contract ended early); the rest are on duty.
            left = serial % 20 == 0 and i > 0
            staff.append(
                AuxiliaryStaff(
                    district=geography.district,
                    name=draws.person(),
                    staff_no=f"FZ{DEMO_DISTRICT_CODE}{serial:03d}",
                    street=street,
                    duties=rng.choice(duties),
                    contract_start_on=start,
                    contract_end_on=names.add_years(start, 3) - dt.timedelta(days=1),
                    status=AuxiliaryStatus.LEFT if left else AuxiliaryStatus.ACTIVE,
                )
            )
    staff = AuxiliaryStaff.objects.bulk_create(staff)
    assessments = []
    for person in staff:
        score = Decimal(rng.randint(640, 980)) / 10
        grade = "优秀" if score >= 90 else "合格" if score >= 75 else "基本合格" if score >= 60 else "不合格"
        note = {
            "优秀": "工作积极，信息采集准确及时",
            "合格": "能完成岗位职责",
            "基本合格": "巡查记录不够完整，需加强",
        }[grade]
        assessments.append(AuxiliaryAssessment(staff=person, year=ASSESSMENT_YEAR, score=score, grade=grade, note=note))
    AuxiliaryAssessment.objects.bulk_create(assessments)


def officers_on_duty_build(district: District, *, today: dt.date) -> list[Officer]:
    """Each officer's certified domains (by home department) and the duty roster; returns the officers, read
    back with their department and zone, for the steps that place and equip them."""
    officers = list(Officer.objects.filter(district=district).select_related("home_department", "zone"))
    for officer in officers:
        officer.certified_domains = list(CERTIFIED_DOMAINS.get(officer.home_department.code, ()))
    Officer.objects.bulk_update(officers, ["certified_domains"])
    _duty_roster(district, officers, today=today)
    return officers


# The demo's rotation (两班三运转): 白 07:00–19:00 and 夜 19:00–07:00, two days, two nights, two days off, three
# groups a step of two days apart — one group on days, one on nights, one resting, every day of the year.
DEMO_SHIFTS = [ShiftSpec("白", "白班", dt.time(7), 12 * 60), ShiftSpec("夜", "夜班", dt.time(19), 12 * 60)]
DEMO_CYCLE = ["白", "白", "夜", "夜", REST_CODE, REST_CODE]


def _duty_roster(district: District, officers: list[Officer], *, today: dt.date) -> None:
    """A pattern for each street and for each department's officers at district level, and this month's and
    next month's roster generated from it through the roster service (the roster worker, ``manage.py
    roster_watch``, keeps it 14 days ahead after that), so about a third of the officers are on duty whenever
    the demo is opened, on any date. Draws nothing: the seeded draws after this step stay as they were."""
    anchor = today.replace(day=1)
    first_day = anchor  # the days already over are skipped by the service: a roster's past is history
    last_day = (anchor + dt.timedelta(days=32)).replace(day=1)
    last_day = (last_day + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    scopes: list[tuple[str, Street | None, Department | None]] = [
        (f"{street.name}两班三运转", street, None) for street in Street.objects.filter(district=district)
    ]
    departments = {o.home_department_id: o.home_department for o in officers if o.street_id is None}
    scopes += [(f"{d.short_name}区级两班三运转", None, d) for _, d in sorted(departments.items())]
    for name, street, department in scopes:
        pattern = shift_pattern_create(
            actor=ROSTER_ACTOR,
            name=name,
            street=street,
            department=department,
            shifts=DEMO_SHIFTS,
            cycle=DEMO_CYCLE,
            group_count=3,
            anchor_on=anchor,
        )
        roster_generate(actor=ROSTER_ACTOR, pattern=pattern, first_day=first_day, last_day=last_day)
