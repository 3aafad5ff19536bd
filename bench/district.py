"""A synthetic district of realistic size for benchmarks: a ~10 km square (≈ a central Chinese urban
district) divided into 18 streets, 72 zones and 1,520 grids (网格 of ~250 m, the usual size).

Grid corners are jittered so that the cells are irregular quadrilaterals, as real grids are, while still
tiling the square exactly (shared corners; the outer edge stays straight), so every point inside the square
lies in exactly one grid.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
from shapely import unary_union
from shapely.geometry import Polygon, mapping

from zhifa.org.models import District, Grid, Street, Zone

WEST, SOUTH = 120.10, 30.25
# 10 km: one degree of longitude is ~96 km at 30.3°N, one of latitude ~111 km.
WIDTH, HEIGHT = 0.104, 0.090
COLUMNS, ROWS = 40, 38  # grids
STREET_COLUMNS = (7, 7, 7, 7, 6, 6)  # grid columns per street column: 6 × 3 = 18 streets
STREET_ROWS = (13, 13, 12)


@dataclass(frozen=True)
class BenchDistrict:
    district: District
    west: float
    south: float
    east: float
    north: float
    grid_count: int
    street_count: int


def _geojson(geom: Any) -> dict[str, Any]:
    data: dict[str, Any] = mapping(geom)
    return {"type": data["type"], "coordinates": _lists(data["coordinates"])}


def _lists(value: Any) -> Any:
    return [_lists(v) for v in value] if isinstance(value, list | tuple) else float(value)


def _split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def _corners(rng: np.random.Generator) -> np.ndarray:
    xs = np.linspace(WEST, WEST + WIDTH, COLUMNS + 1)
    ys = np.linspace(SOUTH, SOUTH + HEIGHT, ROWS + 1)
    grid = np.stack(np.meshgrid(xs, ys, indexing="ij"), axis=-1)  # [column, row, (lon, lat)]
    jitter = rng.uniform(-0.3, 0.3, size=grid.shape) * np.array([WIDTH / COLUMNS, HEIGHT / ROWS])
    jitter[0, :, :] = jitter[-1, :, :] = 0.0
    jitter[:, 0, :] = jitter[:, -1, :] = 0.0
    result: np.ndarray = grid + jitter
    return result


def build_district(seed: int = 20261126) -> BenchDistrict:
    rng = np.random.default_rng(seed)
    corners = _corners(rng)

    def cell(c: int, r: int) -> Polygon:
        ring = [corners[c, r], corners[c + 1, r], corners[c + 1, r + 1], corners[c, r + 1]]
        return Polygon([tuple(p) for p in ring])

    outline = Polygon([(WEST, SOUTH), (WEST + WIDTH, SOUTH), (WEST + WIDTH, SOUTH + HEIGHT), (WEST, SOUTH + HEIGHT)])
    district = District.objects.create(
        code="339999",
        name="基准测试区",
        agency_name="基准测试区综合行政执法局",
        agency_abbreviation="基综执",
        boundary=_geojson(outline),
    )
    grids: list[Grid] = []
    street_no = 0
    c0 = 0
    for street_columns in STREET_COLUMNS:
        r0 = 0
        for street_rows in STREET_ROWS:
            street_no += 1
            cells = {(c, r): cell(c, r) for c in range(c0, c0 + street_columns) for r in range(r0, r0 + street_rows)}
            street = Street.objects.create(
                district=district,
                code=f"S{street_no:02d}",
                name=f"第{street_no}街道",
                boundary=_geojson(unary_union(list(cells.values()))),
            )
            zone_no = 0
            zc0 = c0
            for zone_columns in _split(street_columns, 2):
                zr0 = r0
                for zone_rows in _split(street_rows, 2):
                    zone_no += 1
                    zone_cells = [(c, r) for c in range(zc0, zc0 + zone_columns) for r in range(zr0, zr0 + zone_rows)]
                    zone = Zone.objects.create(
                        district=district,
                        street=street,
                        code=f"{street.code}-{zone_no}",
                        name=f"{street.name}第{zone_no}片区",
                        boundary=_geojson(unary_union([cells[k] for k in zone_cells])),
                    )
                    for c, r in zone_cells:
                        grids.append(
                            Grid(
                                district=district,
                                street=street,
                                zone=zone,
                                code=f"G{c:02d}{r:02d}",
                                name=f"{c + 1}列{r + 1}行网格",
                                boundary=_geojson(cells[(c, r)]),
                            )
                        )
                    zr0 += zone_rows
                zc0 += zone_columns
            r0 += street_rows
        c0 += street_columns
    Grid.objects.bulk_create(grids, batch_size=500)
    return BenchDistrict(
        district=district,
        west=WEST,
        south=SOUTH,
        east=WEST + WIDTH,
        north=SOUTH + HEIGHT,
        grid_count=len(grids),
        street_count=street_no,
    )


def random_points(bench: BenchDistrict, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points uniformly inside the district (kept a hair inside its outer edge)."""
    eps = 1e-7
    lons = rng.uniform(bench.west + eps, bench.east - eps, n)
    lats = rng.uniform(bench.south + eps, bench.north - eps, n)
    return lons, lats
