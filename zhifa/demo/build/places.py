"""The demo's gazetteer (地名地址库): the roads the demo's addresses use (``names.ROADS_BY_STREET``), each with
odd and even house numbers along a line, and well-known landmarks and residential compounds (小区) of
拱墅区 — real-sounding names on generated geometry (the streets are Voronoi cells, so no line is surveyed).

Input: the seed and the ``Geography`` from ``org``. Output: ``Place`` rows, each in the street its point falls in.

Run LAST by ``zhifa.demo.builder``, with its own ``random.Random(seed + PLACES_SEED_OFFSET)``: the shared
``Draws`` must not draw one number more, or every subject, officer and event after would change.
"""

import math
import random

import shapely
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

from zhifa.demo import names
from zhifa.demo.build.org import Geography
from zhifa.geo.models import NumberParity, Place, PlaceKind
from zhifa.geo.services import GridIndex

PLACES_SEED_OFFSET = 16
METRES_PER_DEG_LAT = 111_000.0
# About one house number a side per 10 m of road, and enough for the examples the pages and docs give
# (the hotline's placeholder says 武林路128号).
METRES_PER_NUMBER = 10.0
MIN_NUMBERS_PER_SIDE = 100
# Points a road's line is tried at to find where it crosses into the next street.
PIECE_STEPS = 200

# (name, street, aliases): landmarks people name when they call.
LANDMARKS: list[tuple[str, str, str]] = [
    ("武林广场", "武林街道", "武林门"),
    ("杭州大厦", "武林街道", ""),
    ("浙江展览馆", "武林街道", "展览馆"),
    ("西湖文化广场", "朝晖街道", "文化广场"),
    ("运河天地", "湖墅街道", ""),
    ("大兜路历史街区", "湖墅街道", "大兜路"),
    ("信义坊商业街", "湖墅街道", "信义坊"),
    ("拱宸桥", "拱宸桥街道", ""),
    ("桥西历史街区", "拱宸桥街道", "桥西"),
    ("香积寺", "大关街道", ""),
    ("胜利河美食街", "潮鸣街道", "胜利河"),
    ("朝晖公园", "朝晖街道", ""),
    ("半山国家森林公园", "半山街道", "半山公园"),
    ("杭州东站", "东新街道", ""),
    ("长庆街道社区服务中心", "长庆街道", ""),
    ("小河直街", "小河街道", ""),
]
COMPOUND_SUFFIXES = ["新村", "一区", "二区", "三区", "花园", "苑", "公寓", "家园"]


def places_build(*, seed: int, geography: Geography) -> int:
    """Every demo place; the number written."""
    rng = random.Random(seed + PLACES_SEED_OFFSET)
    index = GridIndex(geography.district.pk)
    inside = _Inside(index)
    rows: list[Place] = []
    rows.extend(_roads(rng, geography, inside))
    rows.extend(_landmarks(rng, geography, inside))
    rows.extend(_compounds(rng, geography, inside))
    Place.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


class _Inside:
    """Street of a point from the grids (the only places an event can be), or None outside them."""

    def __init__(self, index: GridIndex) -> None:
        self.index = index
        self.street_ids = index.street_ids.tolist()

    def street_of(self, lon: float, lat: float) -> int | None:
        found = int(self.index.locate_many([lon], [lat])[0])
        return self.street_ids[found] if found >= 0 else None


def _metres_to_deg(lat: float) -> tuple[float, float]:
    return 1.0 / (METRES_PER_DEG_LAT * math.cos(math.radians(lat))), 1.0 / METRES_PER_DEG_LAT


def _roads(rng: random.Random, geography: Geography, inside: _Inside) -> list[Place]:
    """Each road's line, kept to its piece in one street — the road's first street where it crosses it,
    else its longest — and registered there: a road is one row a side (``Place``'s unique name and side),
    and a number must be placed in the street its search result names (issue 16: 武林路128号 was
    labelled 武林街道 but lay in 长庆街道 on a line running through both)."""
    cells = {s.name: geom for s, geom in zip(geography.streets, geography.street_geoms, strict=True)}
    street_ids = {s.name: s.pk for s in geography.streets}
    streets_of: dict[str, list[str]] = {}
    for street, roads in names.ROADS_BY_STREET.items():
        for road in roads:
            streets_of.setdefault(road, []).append(street)
    rows: list[Place] = []
    for road, streets in streets_of.items():
        known = [cells[s] for s in streets if s in cells]
        if not known:
            continue
        full = _road_line(rng, known, geography.outline, inside)
        if full is None:
            continue
        pieces = _pieces_by_street(full, inside)
        first = street_ids.get(streets[0])
        own = [p for p in pieces if p[2] == first] or pieces
        if not own:
            continue
        t0, t1, street_id = max(own, key=lambda p: p[1] - p[0])
        a, b = full.interpolate(t0, normalized=True), full.interpolate(t1, normalized=True)
        line = LineString([(a.x, a.y), (b.x, b.y)])
        kx, ky = _metres_to_deg(a.y)
        length_m = math.hypot((b.x - a.x) / kx, (b.y - a.y) / ky)
        per_side = max(MIN_NUMBERS_PER_SIDE, int(length_m / METRES_PER_NUMBER))
        coords = [[round(x, 7), round(y, 7)] for x, y in line.coords]
        middle = line.interpolate(0.5, normalized=True)
        for parity, low, high in ((NumberParity.ODD, 1, 2 * per_side - 1), (NumberParity.EVEN, 2, 2 * per_side)):
            rows.append(
                Place(
                    district=geography.district,
                    kind=PlaceKind.ROAD,
                    name=road,
                    lon=middle.x,
                    lat=middle.y,
                    line=coords,
                    number_from=low,
                    number_to=high,
                    parity=parity,
                    street_id=street_id,
                )
            )
    return rows


def _pieces_by_street(line: LineString, inside: _Inside) -> list[tuple[float, float, int]]:
    """(from, to, street) along ``line`` (fractions of its length): where the street of a point on it
    changes, found on a fine walk (``PIECE_STEPS``) against the grids the events are placed in; the ends
    pulled in by half a step so that an end is not on the border."""
    marks: list[tuple[float, int]] = []
    for i in range(PIECE_STEPS + 1):
        t = i / PIECE_STEPS
        point = line.interpolate(t, normalized=True)
        street_id = inside.street_of(point.x, point.y)
        if street_id is not None and (not marks or marks[-1][1] != street_id):
            marks.append((t, street_id))
    pieces = []
    for k, (t, street_id) in enumerate(marks):
        # The cut halfway between the last step in the one street and the first in the next.
        t0 = 0.0 if k == 0 else t
        t1 = 1.0 if k == len(marks) - 1 else marks[k + 1][0] - 1.0 / PIECE_STEPS
        pieces.append((t0, t1, street_id))
    return pieces


def _road_line(
    rng: random.Random, cells: list[BaseGeometry], outline: BaseGeometry, inside: _Inside
) -> LineString | None:
    """A line through the road's streets: from one street's middle to another's, or, for a road of one street,
    across it in a drawn direction; kept to its longest piece inside the district and ends inside the grids."""
    points = [c.representative_point() for c in cells]
    if len(points) >= 2:
        a, b = points[0], points[-1]
        line = LineString([(a.x, a.y), (b.x, b.y)])
    else:
        centre = points[0]
        angle = rng.uniform(0, math.pi)
        half = rng.uniform(400, 800)
        kx, ky = _metres_to_deg(centre.y)
        dx, dy = math.cos(angle) * half * kx, math.sin(angle) * half * ky
        line = LineString([(centre.x - dx, centre.y - dy), (centre.x + dx, centre.y + dy)])
    piece = line.intersection(outline)
    if piece.is_empty:
        return None
    if piece.geom_type != "LineString":
        piece = max(getattr(piece, "geoms", []), key=lambda g: g.length, default=None)
        if piece is None or piece.geom_type != "LineString":
            return None
    # Pull the ends in until both lie in a grid (the outline and the grids differ by centimetres at the edge).
    for shrink in (0.0, 0.02, 0.05, 0.1, 0.2):
        start, end = piece.interpolate(shrink, normalized=True), piece.interpolate(1 - shrink, normalized=True)
        if inside.street_of(start.x, start.y) is not None and inside.street_of(end.x, end.y) is not None:
            return LineString([(start.x, start.y), (end.x, end.y)])
    return None


def _point_in(rng: random.Random, cell: BaseGeometry, inside: _Inside) -> tuple[float, float, int] | None:
    minx, miny, maxx, maxy = cell.bounds
    for _ in range(200):
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if shapely.contains_xy(cell, x, y):
            street_id = inside.street_of(x, y)
            if street_id is not None:
                return x, y, street_id
    centre: Point = cell.representative_point()
    street_id = inside.street_of(centre.x, centre.y)
    return (centre.x, centre.y, street_id) if street_id is not None else None


def _landmarks(rng: random.Random, geography: Geography, inside: _Inside) -> list[Place]:
    cells = {s.name: geom for s, geom in zip(geography.streets, geography.street_geoms, strict=True)}
    rows = []
    for name, street, aliases in LANDMARKS:
        if street not in cells:
            continue
        found = _point_in(rng, cells[street], inside)
        if found is None:
            continue
        rows.append(
            Place(
                district=geography.district,
                kind=PlaceKind.LANDMARK,
                name=name,
                aliases=aliases,
                lon=found[0],
                lat=found[1],
                street_id=found[2],
            )
        )
    return rows


def _compounds(rng: random.Random, geography: Geography, inside: _Inside) -> list[Place]:
    rows = []
    seen: set[str] = set()
    for street, cell in zip(geography.streets, geography.street_geoms, strict=True):
        stem = street.name.removesuffix("街道")
        roads = names.ROADS_BY_STREET.get(street.name, names.FALLBACK_ROADS)
        for suffix in rng.sample(COMPOUND_SUFFIXES, 3):
            name = f"{stem}{suffix}"
            if name in seen:
                continue
            found = _point_in(rng, cell, inside)
            if found is None:
                continue
            seen.add(name)
            road = rng.choice(roads)
            rows.append(
                Place(
                    district=geography.district,
                    kind=PlaceKind.COMPOUND,
                    name=name,
                    address=f"{road}{rng.randint(1, 120)}号",
                    lon=found[0],
                    lat=found[1],
                    street_id=found[2],
                )
            )
    return rows
