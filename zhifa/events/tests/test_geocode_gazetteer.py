"""Intake's address lookup falls back on the district gazetteer: "武林路128号" is found with no subject there."""

import io
from typing import Any

import pytest

from zhifa.core.actors import SystemActor
from zhifa.core.errors import ValidationFailed
from zhifa.events.geocode import geocode_address
from zhifa.events.models import Event
from zhifa.events.tests.conftest import report
from zhifa.geo.gazetteer_import import places_import
from zhifa.geo.tests.gazetteer_data import GOOD_CSV
from zhifa.subjects.tests.factories import SubjectFactory

WULIN_128 = (120.101 + 0.016 * 127 / 299, 30.305)


@pytest.fixture
def gazetteer(world: Any) -> Any:
    f = io.BytesIO(GOOD_CSV.encode())
    f.name = "places.csv"
    places_import(actor=SystemActor("t"), district=world.district, path_or_file=f)
    return world


def test_a_road_number_is_found_in_the_gazetteer_from_a_homophone(gazetteer: Any) -> None:
    found = geocode_address(district_id=gazetteer.district.pk, address="舞林路128号门口有人摆摊")
    assert found == (pytest.approx(WULIN_128[0]), pytest.approx(WULIN_128[1]))


def test_a_registered_subject_at_the_address_wins_over_the_interpolation(gazetteer: Any) -> None:
    SubjectFactory(district=gazetteer.district, address="杭州市拱墅区武林路128号", lon=120.1077, lat=30.3049)
    assert geocode_address(district_id=gazetteer.district.pk, address="武林路128号") == (120.1077, 30.3049)


def test_a_hotline_event_typed_with_a_gazetteer_address_is_placed_and_located(gazetteer: Any) -> None:
    event = report(gazetteer, lon=None, lat=None, address="武林路128号")
    assert (event.lon, event.lat) == (pytest.approx(WULIN_128[0]), pytest.approx(WULIN_128[1]))
    assert event.street_id == gazetteer.street_a.pk


def test_a_number_beyond_the_roads_range_is_refused_not_placed_at_its_end(gazetteer: Any) -> None:
    # 武林路 is registered for 1–300: 999 would land on the road's end point, perhaps in another street
    # than the result's label says, so the operator is asked to pick on the map and nothing is written.
    with pytest.raises(ValidationFailed) as refused:
        geocode_address(district_id=gazetteer.district.pk, address="武林路999号门口")
    assert refused.value.code == "address_number_out_of_range"
    assert "武林路999号" in refused.value.message and "请在地图上选点" in refused.value.message
    count = Event.objects.count()
    with pytest.raises(ValidationFailed) as at_intake:
        report(gazetteer, lon=None, lat=None, address="武林路999号")
    assert at_intake.value.code == "address_number_out_of_range"
    assert Event.objects.count() == count


def test_the_same_road_without_a_number_or_within_range_is_still_placed(gazetteer: Any) -> None:
    assert geocode_address(district_id=gazetteer.district.pk, address="武林路300号") == (
        pytest.approx(120.117),
        pytest.approx(30.305),
    )
    assert geocode_address(district_id=gazetteer.district.pk, address="武林路") is not None
