import numpy as np
import pytest
from shapely.geometry import Point, Polygon

from zhifa.demo.geometry import load_district_source, spread_generators, tile, to_geojson

# A U shape: a Voronoi cell of a generator in one arm reaches across the gap into the other arm, so clipping
# cuts it in two — the case where a stray part must go to a neighbour.
U_SHAPE = Polygon([(0, 0), (3, 0), (3, 3), (2, 3), (2, 1), (1, 1), (1, 3), (0, 3)])


def test_tile_covers_a_concave_parent_with_single_polygons() -> None:
    cells = tile(U_SHAPE, [Point(0.5, 2.5), Point(1.5, 0.5), Point(2.5, 2.5), Point(1.5, 1.6)])
    assert all(c.geom_type == "Polygon" for c in cells)
    assert sum(c.area for c in cells) == pytest.approx(U_SHAPE.area)
    for i, a in enumerate(cells):
        for b in cells[i + 1 :]:
            assert a.intersection(b).area == pytest.approx(0, abs=1e-12)


def test_spread_generators_lie_inside_the_parent() -> None:
    points = spread_generators(U_SHAPE, 6, np.random.default_rng(1))
    assert len(points) == 6
    assert all(U_SHAPE.covers(p) for p in points)


def test_bundled_source_has_eighteen_seeds_inside_the_outline() -> None:
    source = load_district_source()
    assert len(source.seeds) == 18
    assert all(source.outline.contains(s.point) for s in source.seeds)
    assert 90 < source.outline.area * 111.0 * 96.0 < 105  # ≈ 97 km²


def test_geojson_output_is_plain_lists() -> None:
    data = to_geojson(Polygon([(0.123456789, 0), (1, 0), (1, 1)]))
    assert data["type"] == "Polygon"
    assert data["coordinates"][0][0] == [0.12345679, 0.0]
