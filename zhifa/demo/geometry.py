"""The demo district's geometry: outline, streets, zones and grids, all in WGS-84.

Streets are the Voronoi cells of the 18 street seed points clipped to the district outline; each street is
split into zones, and each zone into grids, the same way around generators spread by a few rounds of
k-means over random points inside the parent. Every level tiles its parent: the cells of one Voronoi
diagram cover the plane without overlap, clipping keeps that inside the parent, and a part that clipping cut
off from its own cell (a concave outline can do that) is handed to the neighbour it shares the longest edge
with, so that every tile is one polygon and no area is lost.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPoint, Point, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry

from zhifa.geo.coords import gcj02_to_wgs84

DATA_FILE = Path(__file__).resolve().parent / "data" / "gongshu-district.geojson"
DISTRICT_FEATURE = "拱墅区"
STREET_SEED_KIND = "street_seed"

# Stored coordinates keep 8 decimals (about 1 mm): shared vertices stay shared, files stay small.
COORD_DECIMALS = 8
# A cell smaller than this share of the mean cell is merged into a neighbour rather than kept.
MIN_CELL_SHARE = 0.12


@dataclass(frozen=True)
class StreetSeed:
    name: str
    point: Point  # WGS-84


@dataclass(frozen=True)
class DistrictSource:
    outline: Polygon  # WGS-84
    seeds: list[StreetSeed]


def _ring_to_wgs84(ring: list[list[float]]) -> list[tuple[float, float]]:
    return [gcj02_to_wgs84(lon, lat) for lon, lat in ring]


def load_district_source(path: Path = DATA_FILE) -> DistrictSource:
    """The district outline and street seeds from the bundled GeoJSON, converted GCJ-02 → WGS-84."""
    data = json.loads(path.read_text(encoding="utf-8"))
    outline: Polygon | None = None
    seeds: list[StreetSeed] = []
    for feature in data["features"]:
        props, geom = feature["properties"], feature["geometry"]
        if props.get("kind") == STREET_SEED_KIND:
            lon, lat = gcj02_to_wgs84(*geom["coordinates"])
            seeds.append(StreetSeed(props["name"], Point(lon, lat)))
        elif props.get("name") == DISTRICT_FEATURE:
            rings = geom["coordinates"]
            outline = Polygon(_ring_to_wgs84(rings[0]), [_ring_to_wgs84(r) for r in rings[1:]])
    if outline is None:
        raise ValueError(f"{path.name} 中没有“{DISTRICT_FEATURE}”边界")
    outline = shapely.make_valid(outline) if not outline.is_valid else outline
    if not isinstance(outline, Polygon):
        outline = max(_polygons(outline), key=lambda p: p.area)
    return DistrictSource(outline=outline, seeds=seeds)


def _polygons(geom: BaseGeometry) -> list[Polygon]:
    """The polygonal parts of a geometry (clipping can also yield stray lines and points)."""
    if geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    parts: list[Polygon] = []
    for part in getattr(geom, "geoms", []):
        parts.extend(_polygons(part))
    return parts


def _largest_polygon(geom: BaseGeometry) -> BaseGeometry:
    parts = _polygons(geom)
    if len(parts) == 1:
        return parts[0]
    # Merging can leave a zero-width spike as a second part; anything real is kept (as a MultiPolygon).
    real = [p for p in parts if p.area > 1e-12]
    return real[0] if len(real) == 1 else shapely.MultiPolygon(real)


def tile(parent: BaseGeometry, generators: list[Point]) -> list[BaseGeometry]:
    """Split ``parent`` into one cell per generator; the cells cover ``parent`` without gaps or overlaps.

    A generator whose cell ends up too small loses it to its neighbours, so the result can be shorter
    than ``generators``; the cells keep the generators' order.
    """
    if len(generators) == 1:
        return [parent]
    diagram = shapely.voronoi_polygons(MultiPoint(generators), extend_to=parent)
    cells: list[BaseGeometry | None] = [None] * len(generators)
    for cell in diagram.geoms:
        for i, point in enumerate(generators):
            if cells[i] is None and cell.covers(point):
                cells[i] = cell
                break
    main: list[Polygon | None] = []
    orphans: list[Polygon] = []
    for i, cell in enumerate(cells):
        if cell is None:
            main.append(None)
            continue
        parts = _polygons(cell.intersection(parent))
        if not parts:
            main.append(None)
            continue
        own = next((p for p in parts if p.covers(generators[i])), None) or max(parts, key=lambda p: p.area)
        main.append(own)
        orphans.extend(p for p in parts if p is not own)
    kept = [p for p in main if p is not None]
    mean_area = sum(p.area for p in kept) / len(kept)
    for i, poly in enumerate(main):
        if poly is not None and poly.area < MIN_CELL_SHARE * mean_area and len(kept) > 1:
            orphans.append(poly)
            kept.remove(poly)
            main[i] = None
    # Largest first, so a small piece that only touches another orphan finds it already merged.
    pending = sorted(orphans, key=lambda p: -p.area)
    while pending:
        progressed = False
        for piece in list(pending):
            best, best_len = -1, 0.0
            for j, poly in enumerate(main):
                if poly is None:
                    continue
                shared = poly.boundary.intersection(piece.boundary).length
                if shared > best_len:
                    best, best_len = j, shared
            if best >= 0:
                main[best] = _largest_polygon(shapely.union(main[best], piece))  # type: ignore[assignment]
                pending.remove(piece)
                progressed = True
        if not progressed:  # pieces touching nothing at all: keep them with the largest cell
            j = max((k for k, p in enumerate(main) if p is not None), key=lambda k: main[k].area)  # type: ignore[union-attr]
            main[j] = shapely.union(main[j], shapely.MultiPolygon(pending))  # type: ignore[assignment]
            pending = []
    return [p for p in main if p is not None]


def random_points_in(geom: BaseGeometry, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` points drawn uniformly inside ``geom`` (rejection sampling), as an (n, 2) lon/lat array."""
    min_x, min_y, max_x, max_y = geom.bounds
    shapely.prepare(geom)
    out = np.empty((0, 2))
    while len(out) < n:
        batch = max(64, 3 * (n - len(out)))
        xs = rng.uniform(min_x, max_x, batch)
        ys = rng.uniform(min_y, max_y, batch)
        inside = shapely.contains_xy(geom, xs, ys)
        out = np.vstack([out, np.column_stack([xs[inside], ys[inside]])])
    return out[:n]


def spread_generators(geom: BaseGeometry, k: int, rng: np.random.Generator) -> list[Point]:
    """``k`` generators spread evenly over ``geom``: k-means over random interior points, each centre then
    moved to its nearest sample so that it lies inside ``geom`` even when ``geom`` is concave."""
    samples = random_points_in(geom, 60 * k, rng)
    centres = samples[rng.choice(len(samples), size=k, replace=False)]
    for _ in range(12):
        d = ((samples[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        nearest = d.argmin(axis=1)
        for c in range(k):
            members = samples[nearest == c]
            if len(members):
                centres[c] = members.mean(axis=0)
    snapped = [samples[((samples - c) ** 2).sum(axis=1).argmin()] for c in centres]
    return [Point(float(x), float(y)) for x, y in snapped]


def order_north_west_first(cells: list[BaseGeometry]) -> list[BaseGeometry]:
    """Reading order for numbering: north to south in bands, west to east within a band."""
    if not cells:
        return cells
    ys = [c.centroid.y for c in cells]
    band = (max(ys) - min(ys)) / max(1, round(len(cells) ** 0.5)) or 1.0
    return sorted(cells, key=lambda c: (round((max(ys) - c.centroid.y) / band), c.centroid.x))


def to_geojson(geom: BaseGeometry) -> dict[str, Any]:
    """GeoJSON dict with coordinates rounded to ``COORD_DECIMALS`` (lists, not tuples, so it compares equal
    to what the JSON field reads back)."""

    def rnd(value: Any) -> Any:
        if isinstance(value, list | tuple) and value and isinstance(value[0], float):
            return [round(v, COORD_DECIMALS) for v in value]
        if isinstance(value, list | tuple):
            return [rnd(v) for v in value]
        return value

    data = mapping(geom)
    return {"type": data["type"], "coordinates": rnd(data["coordinates"])}


def from_geojson(data: dict[str, Any]) -> BaseGeometry:
    return shape(data)
