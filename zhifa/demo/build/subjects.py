"""The demo's ``subjects`` records: about 2,300 regulated subjects with their licences, placed where such
businesses cluster (restaurants along food streets, vendors around markets and food streets, sites spread
over the land, muck lorries at their yards, the rest weighted to the old-city streets).

Input: the seeded ``Draws`` and the ``Geography`` from ``org`` (streets' shapes and the district outline).
Output: the Subject and Licence rows, each subject in the street, zone and grid its point falls in.
"""

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import shapely

from zhifa.catalog.models import SubjectCategory
from zhifa.demo import names
from zhifa.demo.build.draws import Draws
from zhifa.demo.build.org import CORE_STREETS, DEMO_DISTRICT_CODE, OUTER_STREETS, Geography
from zhifa.demo.geometry import random_points_in
from zhifa.geo.services import GridIndex
from zhifa.subjects.models import Licence, Subject, SubjectKind
from zhifa.subjects.search_keys import name_search_keys

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


def subjects_build(draws: Draws, *, geography: Geography) -> None:
    """Every demo subject and its licences (see the module's docstring)."""
    _SubjectPlacer(draws, geography).run()


class _SubjectPlacer:
    """Collects every subject as a spec first (the draws in their order), then saves them in bulk once each
    point's grid is known: one spatial lookup for all instead of one a subject."""

    def __init__(self, draws: Draws, geography: Geography) -> None:
        self.draws = draws
        self.rng = draws.rng
        self.np_rng = draws.np_rng
        self.ids = draws.ids
        self.district = geography.district
        self.outline = geography.outline
        self.streets = geography.streets
        self.street_geoms = geography.street_geoms
        self.subject_specs: list[dict[str, Any]] = []
        self.used_subject_names: set[str] = set()
        self._point_pools: dict[int, list[tuple[float, float]]] = {}
        self.food_street_points: list[tuple[float, float]] = []

    def run(self) -> None:
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
        return self.draws.near(self.outline, lon, lat, metres)

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
        return self.ids.uscc("2"), self.ids.id_number(), self.draws.person()

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
            responsible_person=self.draws.person(),
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
                responsible_person=self.draws.person(),
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
            person = self.draws.person()
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
                responsible_person=self.draws.person(),
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
            uscc, id_number, operator = self.ids.uscc("1"), "", self.draws.person()
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
