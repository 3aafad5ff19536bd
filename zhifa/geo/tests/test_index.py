from typing import Any

import pytest

from conftest import POINT_IN_A, POINT_IN_B, POINT_OUTSIDE
from zhifa.core.errors import ValidationFailed
from zhifa.geo.services import grid_index, locate_point


def test_points_are_located_in_their_street_zone_and_grid(world: Any) -> None:
    a = locate_point(district_id=world.district.pk, lon=POINT_IN_A[0], lat=POINT_IN_A[1])
    b = locate_point(district_id=world.district.pk, lon=POINT_IN_B[0], lat=POINT_IN_B[1])
    assert (a.street_id, a.zone_id, a.grid_id) == (world.street_a.pk, world.zone_a.pk, world.grid_a.pk)
    assert (b.street_id, b.zone_id, b.grid_id) == (world.street_b.pk, world.zone_b.pk, world.grid_b.pk)


def test_point_outside_the_district_is_refused(world: Any) -> None:
    with pytest.raises(ValidationFailed) as exc:
        locate_point(district_id=world.district.pk, lon=POINT_OUTSIDE[0], lat=POINT_OUTSIDE[1])
    assert exc.value.code == "point_outside_district"


def test_bulk_lookup_marks_points_in_no_grid(world: Any) -> None:
    index = grid_index(world.district.pk)
    found = index.locate_many(
        [POINT_IN_A[0], POINT_OUTSIDE[0], POINT_IN_B[0]], [POINT_IN_A[1], POINT_OUTSIDE[1], POINT_IN_B[1]]
    )
    assert [index.location_at(i).grid_id if i >= 0 else None for i in found] == [world.grid_a.pk, None, world.grid_b.pk]


def test_index_is_rebuilt_when_grids_change(world: Any) -> None:
    first = grid_index(world.district.pk)
    world.grid_b.boundary = world.grid_a.boundary
    world.grid_b.save()
    assert grid_index(world.district.pk) is not first
