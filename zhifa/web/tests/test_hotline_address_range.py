"""12345 hotline intake with a typed address whose house number the gazetteer does not have on its road
(issue 16): the operator is told, next to the address, to pick the point on the map; nothing is written."""

import io
from typing import Any

import pytest

from conftest import World
from zhifa.core.actors import SystemActor
from zhifa.events.models import Event
from zhifa.geo.gazetteer_import import places_import
from zhifa.geo.tests.gazetteer_data import GOOD_CSV
from zhifa.web.tests.test_hotline import call


@pytest.fixture
def gazetteer(world: World) -> World:
    f = io.BytesIO(GOOD_CSV.encode())
    f.name = "places.csv"
    places_import(actor=SystemActor("t"), district=world.district, path_or_file=f)
    return world


def test_a_number_beyond_the_roads_range_asks_for_the_map_and_writes_nothing(client_as: Any, gazetteer: World) -> None:
    response = client_as("dispatcher").post("/hotline/", call(lon="", lat="", address="武林路999号"))

    assert response.status_code == 422
    body = response.content.decode()
    assert "“武林路999号”超出武林路已登记的门牌号范围，无法确定位置，请在地图上选点确认" in body
    assert 'value="武林路999号"' in body  # the typed address is kept
    assert Event.objects.count() == 0


def test_a_number_within_the_range_is_placed(client_as: Any, gazetteer: World) -> None:
    response = client_as("dispatcher").post("/hotline/", call(lon="", lat="", address="武林路128号"))
    assert response.status_code == 302
    assert Event.objects.get().address == "武林路128号"
