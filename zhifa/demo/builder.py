"""What the demo district contains, and ``DistrictBuilder``, which writes it from a seed.

``zhifa.demo.services.demo_load`` runs the builder in one transaction and audits the load; nothing else
should call it. Volume goes through ``bulk_create``; each step draws from the builder's seeded generators
in a fixed order, so one seed always yields the same district.
"""

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from shapely.geometry.base import BaseGeometry

from zhifa.catalog.importer import matters_import
from zhifa.catalog.models import Domain, Matter, SubjectCategory
from zhifa.demo import names
from zhifa.demo.geometry import (
    load_district_source,
    order_north_west_first,
    random_points_in,
    spread_generators,
    tile,
    to_geojson,
)
from zhifa.events.models import OfficerPosition, SlaPolicy
from zhifa.events.states import TimeBase
from zhifa.geo.services import GridIndex
from zhifa.org.models import (
    AuxiliaryAssessment,
    AuxiliaryStaff,
    AuxiliaryStatus,
    Department,
    DepartmentKind,
    District,
    DutyShift,
    Grid,
    LeadershipMember,
    LeadershipRole,
    Officer,
    Profile,
    Street,
    Team,
    Zone,
)
from zhifa.org.roles import SECOND_FACTOR_ROLES, Role
from zhifa.subjects.models import Licence, Subject, SubjectKind, SubjectOwner
from zhifa.subjects.search_keys import name_search_keys

DEFAULT_SEED = 20261126
DEMO_DISTRICT_CODE = "330105"
DEMO_DISTRICT_NAME = "拱墅区"
DEMO_AGENCY_NAME = "杭州市拱墅区综合行政执法局"
DEMO_AGENCY_ABBREVIATION = "杭拱综执"
# For the demo only: every demo account shares it, and `demo_logins` prints it.
DEMO_PASSWORD = "zhifa2026"
SYSTEM_ACTOR = "系统"
MATTERS_CSV = Path(__file__).resolve().parent.parent / "catalog" / "data" / "matters.csv"

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

# Subjects per category (besides markets, sites, vendors and vehicles, which are placed on their own).
SCATTERED_COUNTS = {
    SubjectCategory.RETAIL: 420,
    SubjectCategory.OFFICE: 260,
    SubjectCategory.PROPERTY: 130,
    SubjectCategory.LODGING: 110,
    SubjectCategory.MEDICAL: 90,
    SubjectCategory.ENTERTAINMENT: 80,
    SubjectCategory.WAREHOUSE: 50,
    SubjectCategory.INTERNET_CAFE: 40,
    SubjectCategory.HAZARDOUS_CHEMICALS: 20,
}
# Share of individual traders (个体工商户) where a category has them; the rest are companies.
TRADER_SHARE: dict[str, float] = {
    SubjectCategory.CATERING: 0.6,
    SubjectCategory.RETAIL: 0.6,
    SubjectCategory.LODGING: 0.25,
    SubjectCategory.ENTERTAINMENT: 0.3,
    SubjectCategory.INTERNET_CAFE: 0.4,
}
FOOD_STREETS = 8
CATERING_ON_FOOD_STREETS = 440
CATERING_SCATTERED = 280
MARKETS = 12
CONSTRUCTION_SITES = 40
STREET_VENDORS = 150
MUCK_COMPANIES = 8
MUCK_VEHICLES = 120

MARKET_REGULATOR = "杭州市拱墅区市场监督管理局"


@dataclass(frozen=True)
class DemoPersona:
    username: str
    role: str


DEMO_PERSONAS: list[DemoPersona] = [
    DemoPersona("admin", Role.ADMIN),
    DemoPersona("zhihui", Role.DISPATCHER),
    DemoPersona("lingdao", Role.LEADER),
    DemoPersona("fazhi", Role.LEGAL_REVIEWER),
    DemoPersona("shichang", Role.LIAISON),
    DemoPersona("wulin_diaodu", Role.STREET_DISPATCHER),
    DemoPersona("wulin_duiyuan", Role.OFFICER),
    DemoPersona("wulin_xieguan", Role.AUXILIARY),
    DemoPersona("mishixiang_duiyuan", Role.OFFICER),
    DemoPersona("qiye", Role.BUSINESS_OWNER),
]
HOME_STREET = "武林街道"
SECOND_STREET = "米市巷街道"


def demo_business_subject(district: District) -> Subject | None:
    """The shop whose owner the ``qiye`` account plays: the first catering trader in the home street."""
    return (
        Subject.objects.filter(
            district=district,
            street__name=HOME_STREET,
            kind=SubjectKind.INDIVIDUAL_TRADER,
            category=SubjectCategory.CATERING,
        )
        .order_by("id")
        .first()
    )


class DistrictBuilder:
    def __init__(self, seed: int, *, accounts: bool = False) -> None:
        self.seed = seed
        # Accounts share the published DEMO_PASSWORD (the superuser too): made only when asked for.
        self.accounts = accounts
        self.rng = random.Random(seed)
        self.np_rng = np.random.default_rng(seed)
        self.ids = names.UniqueIds(random.Random(seed + 1))
        self.today = timezone.localdate()
        self.matters_note = ""
        self.street_geoms: list[BaseGeometry] = []
        self.streets: list[Street] = []
        self.zones_by_street: dict[int, list[Zone]] = {}
        self.departments: dict[str, Department] = {}
        self.used_person_names: set[str] = set()

    def build(self) -> None:
        self._geography()
        self._departments()
        self._teams_and_people()
        self._subjects()
        if self.accounts:
            self._users()
        self._matters()
        self._operations()

    # --- geography -------------------------------------------------------------------------------------

    def _geography(self) -> None:
        source = load_district_source()
        self.outline = source.outline
        self.district = District.objects.create(
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
        self.street_geoms = cells
        self.streets = Street.objects.bulk_create(
            [
                Street(
                    district=self.district,
                    code=f"{DEMO_DISTRICT_CODE}{i + 1:03d}",
                    name=seed.name,
                    boundary=to_geojson(cell),
                    is_approximate=True,
                    auxiliary_cap=self.rng.randint(8, 14),
                )
                for i, (seed, cell) in enumerate(zip(source.seeds, cells, strict=True))
            ]
        )
        zone_rows: list[tuple[Zone, BaseGeometry]] = []
        for street, geom in zip(self.streets, cells, strict=True):
            k = self.rng.randint(3, 4)
            zone_cells = order_north_west_first(tile(geom, spread_generators(geom, k, self.np_rng)))
            prefix = names.short_street(street.name)
            for i, cell in enumerate(zone_cells):
                zone = Zone(
                    district=self.district,
                    street=street,
                    code=f"{street.code}{i + 1:02d}",
                    name=f"{prefix}片区{CHINESE_NUMERALS[i]}",
                    boundary=to_geojson(cell),
                )
                zone_rows.append((zone, cell))
        zones = Zone.objects.bulk_create([z for z, _ in zone_rows])
        grids: list[Grid] = []
        for zone, (_, geom) in zip(zones, zone_rows, strict=True):
            self.zones_by_street.setdefault(zone.street_id, []).append(zone)
            m = self.rng.randint(6, 12)
            grid_cells = order_north_west_first(tile(geom, spread_generators(geom, m, self.np_rng)))
            prefix = names.short_street(zone.street.name)
            zone_no = int(zone.code[-2:])
            for j, cell in enumerate(grid_cells):
                grids.append(
                    Grid(
                        district=self.district,
                        street_id=zone.street_id,
                        zone=zone,
                        code=f"{zone.code}{j + 1:02d}",
                        name=f"{prefix}{zone_no}-{j + 1:02d}网格",
                        boundary=to_geojson(cell),
                    )
                )
        Grid.objects.bulk_create(grids, batch_size=500)

    # --- departments, teams, people ----------------------------------------------------------------------

    def _departments(self) -> None:
        rows = Department.objects.bulk_create(
            [
                Department(
                    district=self.district,
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
        self.departments = {d.code: d for d in rows}

    def _person(self) -> str:
        for _ in range(50):
            name = names.person_name(self.rng)
            if name not in self.used_person_names:
                self.used_person_names.add(name)
                return name
        return names.person_name(self.rng)

    def _teams_and_people(self) -> None:
        teams = Team.objects.bulk_create(
            [
                Team(
                    district=self.district,
                    street=street,
                    name=f"{street.name}综合行政执法队",
                    office_phone=names.landline(self.rng),
                )
                for street in self.streets
            ]
        )
        officers = self._officers()
        by_street: dict[int, list[Officer]] = {}
        for officer in officers:
            if officer.street_id is not None:
                by_street.setdefault(officer.street_id, []).append(officer)
        members: list[LeadershipMember] = []
        for team in teams:
            short = names.short_street(team.street.name)
            team_officers = [o for o in by_street.get(team.street_id, []) if o.home_department.code == "ZHZF"]
            captain = team_officers[0].name if team_officers else self._person()
            seats = [
                (LeadershipRole.HEAD, f"{short}街道党工委书记", self._person()),
                (LeadershipRole.DEPUTY, f"{short}街道党工委副书记、办事处主任", self._person()),
                (LeadershipRole.DEPUTY, f"{short}街道办事处副主任（分管综合执法）", self._person()),
                (LeadershipRole.MEMBER, "街道综合行政执法队队长", captain),
                (LeadershipRole.MEMBER, "街道综合行政执法队副队长", self._person()),
                (LeadershipRole.MEMBER, "市场监管所所长", self._person()),
                (LeadershipRole.MEMBER, "街道应急管理办公室主任", self._person()),
            ]
            members.extend(
                LeadershipMember(district=self.district, team=team, name=name, position=position, role=role)
                for role, position, name in seats
            )
        LeadershipMember.objects.bulk_create(members)
        self._auxiliaries()

    def _officers(self) -> list[Officer]:
        # Per department, round(n × 74.42%) serve in a street; the rest stay at district level.
        sunk_by_dept = {
            code: int(Decimal(n) * SINKING_SHARE + Decimal("0.5")) for code, n in OFFICERS_BY_DEPARTMENT.items()
        }
        street_cycle: list[Street] = []
        officers: list[Officer] = []
        certificate_numbers: set[str] = set()
        expired, expiring = 3, 4
        serial = 0
        for code, total in OFFICERS_BY_DEPARTMENT.items():
            dept = self.departments[code]
            for n in range(total):
                serial += 1
                street: Street | None = None
                zone: Zone | None = None
                if n < sunk_by_dept[code]:
                    if not street_cycle:
                        street_cycle = self.streets[:]
                        self.rng.shuffle(street_cycle)
                    street = street_cycle.pop()
                    street_zones = self.zones_by_street[street.pk]
                    served = sum(1 for o in officers if o.street_id == street.pk)
                    zone = street_zones[served % len(street_zones)]
                while True:
                    cert = "33010520" + f"{self.rng.randrange(10**6):06d}"
                    if cert not in certificate_numbers:
                        certificate_numbers.add(cert)
                        break
                if serial % 31 == 7 and expired:
                    valid_until = self.today - dt.timedelta(days=self.rng.randint(5, 120))
                    expired -= 1
                elif serial % 23 == 11 and expiring:
                    valid_until = self.today + dt.timedelta(days=self.rng.randint(3, 28))
                    expiring -= 1
                else:
                    valid_until = self.today + dt.timedelta(days=self.rng.randint(120, 5 * 365))
                officers.append(
                    Officer(
                        district=self.district,
                        name=self._person(),
                        badge_no=f"{code}{n + 1:03d}",
                        certificate_no=cert,
                        certificate_valid_until=valid_until,
                        home_department=dept,
                        street=street,
                        zone=zone,
                        phone=names.mobile(self.rng),
                    )
                )
        return Officer.objects.bulk_create(officers)

    def _auxiliaries(self) -> None:
        # At least two per street, the rest to the busy old-city streets; never above a street's cap.
        per_street = {s.pk: 2 for s in self.streets}
        core = [s for s in self.streets if s.name in CORE_STREETS]
        remaining = AUXILIARY_TOTAL - 2 * len(self.streets)
        while remaining > 0:
            street = self.rng.choice(core)
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
        for street in self.streets:
            for i in range(per_street[street.pk]):
                serial += 1
                start = names.random_date(self.rng, dt.date(2023, 1, 1), dt.date(2025, 7, 1))
                # One in twenty has left (contract ended early); the rest are on duty.
                left = serial % 20 == 0 and i > 0
                staff.append(
                    AuxiliaryStaff(
                        district=self.district,
                        name=self._person(),
                        staff_no=f"FZ{DEMO_DISTRICT_CODE}{serial:03d}",
                        street=street,
                        duties=self.rng.choice(duties),
                        contract_start_on=start,
                        contract_end_on=names.add_years(start, 3) - dt.timedelta(days=1),
                        status=AuxiliaryStatus.LEFT if left else AuxiliaryStatus.ACTIVE,
                    )
                )
        staff = AuxiliaryStaff.objects.bulk_create(staff)
        assessments = []
        for person in staff:
            score = Decimal(self.rng.randint(640, 980)) / 10
            grade = "优秀" if score >= 90 else "合格" if score >= 75 else "基本合格" if score >= 60 else "不合格"
            note = {
                "优秀": "工作积极，信息采集准确及时",
                "合格": "能完成岗位职责",
                "基本合格": "巡查记录不够完整，需加强",
            }[grade]
            assessments.append(
                AuxiliaryAssessment(staff=person, year=ASSESSMENT_YEAR, score=score, grade=grade, note=note)
            )
        AuxiliaryAssessment.objects.bulk_create(assessments)

    # --- subjects -----------------------------------------------------------------------------------------

    def _subjects(self) -> None:
        self.subject_specs: list[dict[str, Any]] = []
        self.used_subject_names: set[str] = set()
        self._point_pools: dict[int, list[tuple[float, float]]] = {}
        core_weights = [
            1.6 if s.name in CORE_STREETS else 0.6 if s.name in OUTER_STREETS else 1.0 for s in self.streets
        ]
        outer_weights = [
            2.0 if s.name in OUTER_STREETS else 0.3 if s.name in CORE_STREETS else 1.0 for s in self.streets
        ]
        self._catering(core_weights)
        self._markets_and_vendors(core_weights)
        self._construction_sites()
        self._muck_vehicles()
        for category, count in SCATTERED_COUNTS.items():
            heavy = category in (SubjectCategory.WAREHOUSE, SubjectCategory.HAZARDOUS_CHEMICALS)
            weights = outer_weights if heavy else core_weights
            for _ in range(count):
                lon, lat = self._point_in_street(self.rng.choices(range(len(self.streets)), weights)[0])
                self._add_business(category, lon, lat)
        self._save_subjects()

    def _point_in_street(self, index: int) -> tuple[float, float]:
        pool = self._point_pools.get(index)
        if not pool:
            pool = [(float(x), float(y)) for x, y in random_points_in(self.street_geoms[index], 200, self.np_rng)]
            self._point_pools[index] = pool
        return pool.pop()

    def _inside(self, lon: float, lat: float) -> bool:
        return bool(shapely.contains_xy(self.outline, lon, lat))

    def _near(self, lon: float, lat: float, metres: float) -> tuple[float, float]:
        """A point within about ``metres`` of (lon, lat), inside the district."""
        for _ in range(50):
            x = lon + self.rng.gauss(0, metres) / 96_000
            y = lat + self.rng.gauss(0, metres) / 111_000
            if self._inside(x, y):
                return x, y
        raise RuntimeError(f"({lon:.6f}, {lat:.6f}) 附近找不到区内的点")

    def _compose(self, prefixes: Sequence[str], suffixes: Sequence[str]) -> Callable[[], str]:
        """A name maker: prefix + trade name (字号) + suffix, e.g. 杭州 + 知味 + 餐饮管理有限公司."""

        def make() -> str:
            return f"{self.rng.choice(prefixes)}{self.rng.choice(names.BRANDS)}{self.rng.choice(suffixes)}"

        return make

    def _unique_name(self, make: Callable[[], str], branch: str = "拱墅") -> str:
        """A name not used yet in this load; after many clashes, a branch name tells two shops apart."""
        for _ in range(30):
            name = make()
            if name not in self.used_subject_names:
                self.used_subject_names.add(name)
                return name
        base = make()
        for n in range(1, 1000):
            name = f"{base}（{branch}{'' if n == 1 else n}店）"
            if name not in self.used_subject_names:
                self.used_subject_names.add(name)
                return name
        raise RuntimeError("无法生成不重复的名称")

    def _add(self, **spec: Any) -> None:
        spec.setdefault("licences", [])
        spec.setdefault("uscc", "")
        spec.setdefault("id_number", "")
        spec.setdefault("plate_number", "")
        spec.setdefault("road", None)
        spec.setdefault("house_no", None)
        spec.setdefault("address_suffix", "")
        self.subject_specs.append(spec)

    def _licence(self, kind: str, number: str, issued_by: str, start: dt.date, years: int | None) -> dict[str, Any]:
        until = names.add_years(start, years) - dt.timedelta(days=1) if years else None
        return {"kind": kind, "number": number, "issued_by": issued_by, "valid_from": start, "valid_until": until}

    def _business_licence(self, uscc: str) -> dict[str, Any]:
        start = names.random_date(self.rng, dt.date(2008, 1, 1), dt.date(2025, 10, 1))
        return self._licence("营业执照", uscc, MARKET_REGULATOR, start, None)

    def _trader(self) -> tuple[str, str, str]:
        """(USCC 92…, operator's ID number, operator's name) of an individual trader."""
        return self.ids.uscc("2"), self.ids.id_number(), self._person()

    def _catering(self, weights: list[float]) -> None:
        core_indexes = [i for i, s in enumerate(self.streets) if s.name in CORE_STREETS]
        lines: list[tuple[float, float, float, float, str]] = []
        for _ in range(FOOD_STREETS):
            index = self.rng.choice(core_indexes + core_indexes + list(range(len(self.streets))))
            lon, lat = self._point_in_street(index)
            angle = self.rng.uniform(0, np.pi)
            half = self.rng.uniform(300, 550)
            dx, dy = np.cos(angle) * half / 96_000, np.sin(angle) * half / 111_000
            road = self.rng.choice(names.ROADS_BY_STREET.get(self.streets[index].name, names.FALLBACK_ROADS))
            lines.append((lon - dx, lat - dy, lon + dx, lat + dy, road))
        self.food_street_points: list[tuple[float, float]] = []
        per_line = CATERING_ON_FOOD_STREETS // FOOD_STREETS
        for x0, y0, x1, y1, road in lines:
            for _ in range(per_line):
                for _ in range(30):
                    t = self.rng.random()
                    side = self.rng.choice((-1, 1))
                    # Shops sit 10–25 m either side of the road's centre line.
                    off = side * self.rng.uniform(10, 25)
                    length = np.hypot((x1 - x0) * 96_000, (y1 - y0) * 111_000)
                    nx, ny = -(y1 - y0) * 111_000 / length, (x1 - x0) * 96_000 / length
                    lon = x0 + t * (x1 - x0) + off * nx / 96_000
                    lat = y0 + t * (y1 - y0) + off * ny / 111_000
                    if self._inside(lon, lat):
                        break
                else:
                    lon, lat = self._point_in_street(self.rng.choices(range(len(self.streets)), weights)[0])
                    self._add_catering(lon, lat, None, None)
                    continue
                # Odd numbers on one side of the road, even on the other, rising along it.
                number = 2 * int(t * 240) + (1 if side > 0 else 2)
                self._add_catering(lon, lat, road, number)
                self.food_street_points.append((lon, lat))
        for _ in range(CATERING_SCATTERED):
            lon, lat = self._point_in_street(self.rng.choices(range(len(self.streets)), weights)[0])
            self._add_catering(lon, lat, None, None)

    def _add_catering(self, lon: float, lat: float, road: str | None, house_no: int | None) -> None:
        food_permit_start = names.random_date(self.rng, dt.date(2020, 6, 1), dt.date(2025, 12, 1))
        food_permit = self._licence(
            "食品经营许可证",
            self.ids.number("JY1" + DEMO_DISTRICT_CODE, 7),
            MARKET_REGULATOR,
            food_permit_start,
            5,
        )
        if self.rng.random() < TRADER_SHARE[SubjectCategory.CATERING]:
            uscc, id_number, operator = self._trader()
            name = self._unique_name(self._compose(["拱墅区"], names.CATERING_SHOPS), road or "拱墅")
            self._add(
                kind=SubjectKind.INDIVIDUAL_TRADER,
                category=SubjectCategory.CATERING,
                name=name,
                uscc=uscc,
                id_number=id_number,
                responsible_person=operator,
                phone=names.mobile(self.rng),
                lon=lon,
                lat=lat,
                road=road,
                house_no=house_no,
                licences=[self._business_licence(uscc), food_permit],
            )
            return
        uscc = self.ids.uscc("1")
        name = self._unique_name(self._compose(["杭州"], names.CATERING_COMPANY_SUFFIXES), road or "拱墅")
        self._add(
            kind=SubjectKind.BUSINESS,
            category=SubjectCategory.CATERING,
            name=name,
            uscc=uscc,
            responsible_person=self._person(),
            phone=names.landline(self.rng),
            lon=lon,
            lat=lat,
            road=road,
            house_no=house_no,
            licences=[self._business_licence(uscc), food_permit],
        )

    def _markets_and_vendors(self, weights: list[float]) -> None:
        order = list(range(len(self.streets)))
        self.rng.shuffle(order)
        market_points: list[tuple[float, float]] = []
        for index in order[:MARKETS]:
            lon, lat = self._point_in_street(index)
            market_points.append((lon, lat))
            street = self.streets[index]
            uscc = self.ids.uscc("1")
            name = f"{names.short_street(street.name)}农贸市场"
            self.used_subject_names.add(name)
            self._add(
                kind=SubjectKind.BUSINESS,
                category=SubjectCategory.MARKET,
                name=name,
                uscc=uscc,
                responsible_person=self._person(),
                phone=names.landline(self.rng),
                lon=lon,
                lat=lat,
                licences=[self._business_licence(uscc)],
            )
        for n in range(STREET_VENDORS):
            # Vendors gather where people buy food: around markets and along the food streets.
            if n % 5 < 3:
                lon, lat = self._near(*self.rng.choice(market_points), metres=90)
                where = "农贸市场周边"
            else:
                lon, lat = self._near(*self.rng.choice(self.food_street_points), metres=35)
                where = "美食街路口"
            person = self._person()
            goods = self.rng.choice(names.VENDOR_GOODS)
            self._add(
                kind=SubjectKind.STREET_VENDOR,
                category=SubjectCategory.STREET_VENDOR,
                name=f"{goods}流动摊点（{person}）",
                id_number=self.ids.id_number(born_from=1955, born_to=1995),
                responsible_person=person,
                phone=names.mobile(self.rng),
                lon=lon,
                lat=lat,
                address_suffix=f"附近（{where}）",
            )

    def _construction_sites(self) -> None:
        # Spread over the whole district in proportion to area: sites follow land, not shops.
        points = random_points_in(self.outline, CONSTRUCTION_SITES, self.np_rng)
        for lon, lat in points:
            company = self._unique_name(self._compose(["杭州", "浙江"], names.BUILDER_KINDS), "")
            project = f"{self.rng.choice(names.BRANDS)}{self.rng.choice(names.PROJECT_KINDS)}"
            uscc = self.ids.uscc("1")
            start = names.random_date(self.rng, dt.date(2024, 3, 1), dt.date(2026, 6, 1))
            permit = self._licence(
                "建筑工程施工许可证",
                f"{DEMO_DISTRICT_CODE}{start:%Y%m%d}01{self.rng.randrange(100):02d}",
                "杭州市拱墅区住房和城乡建设局",
                start,
                None,
            )
            self._add(
                kind=SubjectKind.CONSTRUCTION_SITE,
                category=SubjectCategory.CONSTRUCTION_SITE,
                name=f"{company}{project}项目工地",
                uscc=uscc,
                responsible_person=self._person(),
                phone=names.mobile(self.rng),
                lon=float(lon),
                lat=float(lat),
                address_suffix="（施工现场）",
                licences=[permit],
            )

    def _muck_vehicles(self) -> None:
        outer = [i for i, s in enumerate(self.streets) if s.name in OUTER_STREETS or s.name == "上塘街道"]
        sizes = [MUCK_VEHICLES // MUCK_COMPANIES] * MUCK_COMPANIES
        for i in range(MUCK_VEHICLES - sum(sizes)):
            sizes[i] += 1
        for size in sizes:
            company = self._unique_name(self._compose(["杭州"], names.MUCK_COMPANY_SUFFIXES), "")
            yard_lon, yard_lat = self._point_in_street(self.rng.choice(outer))
            for _ in range(size):
                lon, lat = self._near(yard_lon, yard_lat, metres=25)
                plate = self.ids.plate()
                start = names.random_date(self.rng, dt.date(2025, 3, 1), dt.date(2026, 3, 1))
                permit = self._licence(
                    "建筑垃圾运输车辆核准证",
                    f"杭城管渣运〔{start.year}〕{self.rng.randrange(10000):04d}号",
                    "杭州市城市管理局",
                    start,
                    1,
                )
                self._add(
                    kind=SubjectKind.VEHICLE,
                    category=SubjectCategory.MUCK_VEHICLE,
                    name=f"{plate[:2]}·{plate[2:]}渣土运输车",
                    plate_number=plate,
                    responsible_person=company[:50],
                    phone=names.landline(self.rng),
                    lon=lon,
                    lat=lat,
                    address_suffix=f"（{company}停车场）",
                    licences=[permit],
                )

    def _add_business(self, category: str, lon: float, lat: float) -> None:
        licences: list[dict[str, Any]] = []
        permit_start = names.random_date(self.rng, dt.date(2021, 1, 1), dt.date(2025, 12, 1))
        is_trader = self.rng.random() < TRADER_SHARE.get(category, 0.0)
        if is_trader:
            make = self._compose(["拱墅区"], names.TRADER_SHOPS[category])
        else:
            prefixes, suffixes = names.COMPANY_NAMES[category]
            make = self._compose(prefixes, suffixes)
        name = self._unique_name(make)
        if category == SubjectCategory.LODGING:
            licences.append(
                self._licence(
                    "特种行业许可证", self.ids.number("杭公特旅字", 6), "杭州市公安局拱墅区分局", permit_start, None
                )
            )
        elif category == SubjectCategory.ENTERTAINMENT:
            licences.append(
                self._licence(
                    "娱乐经营许可证",
                    self.ids.number(f"{DEMO_DISTRICT_CODE}{permit_start.year}", 4),
                    "杭州市拱墅区文化广电旅游体育局",
                    permit_start,
                    2,
                )
            )
        elif category == SubjectCategory.INTERNET_CAFE:
            licences.append(
                self._licence(
                    "网络文化经营许可证",
                    f"浙网文〔{permit_start.year}〕{self.ids.number('', 4)}-{self.rng.randrange(1000):03d}号",
                    "杭州市拱墅区文化广电旅游体育局",
                    permit_start,
                    3,
                )
            )
        elif category == SubjectCategory.MEDICAL:
            licences.append(
                self._licence(
                    "医疗机构执业许可证", self.ids.number("PDY", 8), "杭州市拱墅区卫生健康局", permit_start, 5
                )
            )
        elif category == SubjectCategory.HAZARDOUS_CHEMICALS:
            licences.append(
                self._licence(
                    "危险化学品经营许可证",
                    f"浙杭安经字〔{permit_start.year}〕{self.ids.number('', 6)}",
                    "杭州市拱墅区应急管理局",
                    permit_start,
                    3,
                )
            )
        if is_trader:
            uscc, id_number, operator = self._trader()
            kind = SubjectKind.INDIVIDUAL_TRADER
            phone = names.mobile(self.rng)
        else:
            uscc, id_number, operator = self.ids.uscc("1"), "", self._person()
            kind = SubjectKind.BUSINESS
            phone = names.landline(self.rng)
        self._add(
            kind=kind,
            category=category,
            name=name,
            uscc=uscc,
            id_number=id_number,
            responsible_person=operator,
            phone=phone,
            lon=lon,
            lat=lat,
            licences=[self._business_licence(uscc), *licences],
        )

    def _save_subjects(self) -> None:
        index = GridIndex(self.district.pk)
        specs = self.subject_specs
        found = index.locate_many([s["lon"] for s in specs], [s["lat"] for s in specs])
        # A point can miss every grid only by landing exactly in a rounding seam; nudge it into its street.
        for i in np.flatnonzero(found < 0):
            for _ in range(100):
                lon, lat = self._near(specs[i]["lon"], specs[i]["lat"], metres=5)
                hit = index.locate_many([lon], [lat])[0]
                if hit >= 0:
                    specs[i]["lon"], specs[i]["lat"], found[i] = lon, lat, hit
                    break
            else:
                raise RuntimeError(f"无法为“{specs[i]['name']}”找到网格")
        street_names = {s.pk: s.name for s in self.streets}
        subjects: list[Subject] = []
        for spec, hit in zip(specs, found, strict=True):
            location = index.location_at(int(hit))
            road = spec["road"] or self.rng.choice(
                names.ROADS_BY_STREET.get(street_names[location.street_id], names.FALLBACK_ROADS)
            )
            house_no = spec["house_no"] or self.rng.randint(1, 899)
            pinyin, initials = name_search_keys(spec["name"])
            subjects.append(
                Subject(
                    district=self.district,
                    kind=spec["kind"],
                    category=spec["category"],
                    name=spec["name"],
                    name_pinyin=pinyin,
                    name_initials=initials,
                    uscc=spec["uscc"],
                    id_number=spec["id_number"],
                    plate_number=spec["plate_number"],
                    responsible_person=spec["responsible_person"],
                    phone=spec["phone"],
                    address=f"杭州市拱墅区{road}{house_no}号{spec['address_suffix']}",
                    lon=round(spec["lon"], 7),
                    lat=round(spec["lat"], 7),
                    street_id=location.street_id,
                    zone_id=location.zone_id,
                    grid_id=location.grid_id,
                )
            )
        subjects = Subject.objects.bulk_create(subjects, batch_size=500)
        licences = [
            Licence(subject=subject, **licence)
            for subject, spec in zip(subjects, specs, strict=True)
            for licence in spec["licences"]
        ]
        Licence.objects.bulk_create(licences, batch_size=1000)

    # --- accounts and catalogue ---------------------------------------------------------------------------

    def _users(self) -> None:
        user_model = get_user_model()
        # One hash for all demo accounts: hashing is deliberately slow, and they share the password anyway.
        password = make_password(DEMO_PASSWORD)
        by_name = {s.name: s for s in self.streets}
        home, second = by_name[HOME_STREET], by_name[SECOND_STREET]
        home_officer = (
            Officer.objects.filter(district=self.district, street=home, home_department__code="ZHZF")
            .order_by("badge_no")
            .first()
        )
        second_officer = (
            Officer.objects.filter(district=self.district, street=second, home_department__code="ZHZF")
            .order_by("badge_no")
            .first()
        )
        home_auxiliary = (
            AuxiliaryStaff.objects.filter(district=self.district, street=home, status=AuxiliaryStatus.ACTIVE)
            .order_by("staff_no")
            .first()
        )
        business = demo_business_subject(self.district)
        if home_officer is None or second_officer is None or home_auxiliary is None or business is None:
            raise RuntimeError("演示人员不全：武林街道或米市巷街道缺少执法队员、辅助人员或餐饮店")
        scope: dict[str, dict[str, Any]] = {
            "admin": {"display_name": "系统管理员"},
            "zhihui": {"display_name": self._person(), "department": self.departments["ZHZX"]},
            "lingdao": {"display_name": self._person(), "department": self.departments["ZHZF"]},
            "fazhi": {"display_name": self._person(), "department": self.departments["ZHZF"]},
            "shichang": {"display_name": self._person(), "department": self.departments["SCJG"]},
            "wulin_diaodu": {"display_name": self._person(), "street": home},
            "wulin_duiyuan": {"display_name": home_officer.name, "street": home},
            "wulin_xieguan": {"display_name": home_auxiliary.name, "street": home},
            "mishixiang_duiyuan": {"display_name": second_officer.name, "street": second},
            "qiye": {"display_name": business.responsible_person},
        }
        for persona in DEMO_PERSONAS:
            user = user_model.objects.filter(username=persona.username).first()
            if user is None:
                user = user_model(username=persona.username)
            user.password = password
            user.is_active = True
            if persona.role == Role.ADMIN:
                user.is_staff = user.is_superuser = True
            user.save()
            Profile.objects.update_or_create(
                user=user, defaults={"district": self.district, "role": persona.role, **scope[persona.username]}
            )
            if persona.username == "wulin_duiyuan":
                home_officer.user = user
                home_officer.save(update_fields=["user", "updated_at"])
            elif persona.username == "mishixiang_duiyuan":
                second_officer.user = user
                second_officer.save(update_fields=["user", "updated_at"])
            elif persona.username == "wulin_xieguan":
                home_auxiliary.user = user
                home_auxiliary.save(update_fields=["user", "updated_at"])
            elif persona.username == "qiye":
                SubjectOwner.objects.get_or_create(subject=business, user=user)
            if persona.role in SECOND_FACTOR_ROLES:
                # The demo's privileged accounts come with their authenticator key, which demo_logins prints,
                # so that the second factor can be tried at once (a real account enrols on its first sign-in).
                TOTPDevice.objects.get_or_create(user=user, defaults={"name": "演示身份验证器", "confirmed": True})

    def _matters(self) -> None:
        if not MATTERS_CSV.exists():
            # The catalogue ships as zhifa/catalog/data/matters.csv; without it the demo runs without matters.
            self.matters_note = "未导入执法事项：找不到 zhifa/catalog/data/matters.csv"
            return
        result = matters_import(actor=SYSTEM_ACTOR, district=self.district, path_or_file=MATTERS_CSV)
        self.matters_note = f"已导入执法事项 {result.total} 条（新增 {result.created} 条）"

    # --- operations: certificates' domains, duty roster, last positions, clock rules ----------------------

    def _operations(self) -> None:
        officers = list(Officer.objects.filter(district=self.district).select_related("home_department", "zone"))
        for officer in officers:
            officer.certified_domains = list(CERTIFIED_DOMAINS.get(officer.home_department.code, ()))
        Officer.objects.bulk_update(officers, ["certified_domains"])
        self._duty_roster(officers)
        self._positions(officers)
        self._clock_rules()
        if self.accounts:
            self._operational_accounts(officers)

    def _operational_accounts(self, officers: list[Officer]) -> None:
        """Accounts the event loop needs beyond the personas: every street officer's phone (username = badge
        number in lower case), a dispatcher per street (zone leads are notified on level-1 escalation) and a
        liaison per coordinating department (transfer notices)."""
        user_model = get_user_model()
        password = make_password(DEMO_PASSWORD)
        taken = set(user_model.objects.values_list("username", flat=True))
        specs: list[tuple[str, dict[str, Any], Officer | None]] = []
        for officer in officers:
            # District-level officers (no street) do not take street events; they get no phone account here.
            if officer.user_id is None and officer.street is not None:
                scope = {"role": Role.OFFICER, "street": officer.street, "display_name": officer.name}
                specs.append((officer.badge_no.lower(), scope, officer))
        for street in self.streets:
            specs.append(
                (
                    f"diaodu_{street.code}",
                    {"role": Role.STREET_DISPATCHER, "street": street, "display_name": f"{street.name}调度员"},
                    None,
                )
            )
        for department in self.departments.values():
            if department.is_coordinating:
                specs.append(
                    (
                        f"lianluo_{department.code.lower()}",
                        {
                            "role": Role.LIAISON,
                            "department": department,
                            "display_name": f"{department.short_name}联络员",
                        },
                        None,
                    )
                )
        specs = [spec for spec in specs if spec[0] not in taken]
        users = user_model.objects.bulk_create([user_model(username=name, password=password) for name, _, _ in specs])
        Profile.objects.bulk_create(
            [
                Profile(user=user, district=self.district, **scope)
                for user, (_, scope, _) in zip(users, specs, strict=True)
            ]
        )
        linked: list[Officer] = []
        for user, (_, _, phone_of) in zip(users, specs, strict=True):
            if phone_of is not None:
                phone_of.user = user
                linked.append(phone_of)
        Officer.objects.bulk_update(linked, ["user"])

    def _duty_roster(self, officers: list[Officer]) -> None:
        """Two twelve-hour shifts (07:00–19:00, 19:00–07:00) for the week before and after the load, so
        about half the officers are on duty whenever the demo is opened; officers alternate by badge."""
        tz = timezone.get_current_timezone()
        first_day = self.today - dt.timedelta(days=7)
        shifts: list[DutyShift] = []
        for index, officer in enumerate(officers):
            for offset in range(15):
                day = first_day + dt.timedelta(days=offset)
                day_shift = (index + offset) % 2 == 0
                start = dt.datetime.combine(day, dt.time(7 if day_shift else 19), tzinfo=tz)
                shifts.append(
                    DutyShift(
                        district=self.district, officer=officer, starts_at=start, ends_at=start + dt.timedelta(hours=12)
                    )
                )
        DutyShift.objects.bulk_create(shifts, batch_size=2000)

    def _positions(self, officers: list[Officer]) -> None:
        """A last known position near the centre of each street officer's zone (as if the phone reported it)."""
        now = timezone.now()
        rows = []
        for officer in officers:
            if officer.zone is None:
                continue
            centre = shapely.geometry.shape(officer.zone.boundary).representative_point()
            lon, lat = self._near(centre.x, centre.y, 300)
            rows.append(OfficerPosition(officer=officer, lon=lon, lat=lat, accuracy_m=15.0, recorded_at=now))
        OfficerPosition.objects.bulk_create(rows)

    def _clock_rules(self) -> None:
        """The district default is "1530" around the clock; planning matters run on working days and market
        matters on working hours, to show the three time bases of city management."""
        SlaPolicy.objects.create(district=self.district, respond_limit=1, arrive_limit=5, feedback_limit=30)
        for matter in Matter.objects.filter(district=self.district, domain=Domain.PLANNING):
            SlaPolicy.objects.create(
                district=self.district,
                matter=matter,
                time_base=TimeBase.WORKING_DAYS,
                respond_limit=1,
                arrive_limit=2,
                feedback_limit=5,
            )
        for matter in Matter.objects.filter(district=self.district, domain=Domain.MARKET):
            SlaPolicy.objects.create(
                district=self.district,
                matter=matter,
                time_base=TimeBase.WORKING_HOURS,
                respond_limit=30,
                arrive_limit=120,
                feedback_limit=480,
            )


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
