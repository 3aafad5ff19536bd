"""12345 hotline intake: operators only; a bad call record is shown back with the Chinese message next to
its field and writes nothing."""

from typing import Any

import pytest

from conftest import POINT_IN_A, POINT_OUTSIDE, World
from zhifa.events.models import Event
from zhifa.events.states import EventSource


def call(**overrides: Any) -> dict[str, Any]:
    data = {
        "reporter_name": "李女士",
        "reporter_phone": "13912345678",
        "description": "小区门口餐馆油烟直排，味道很大",
        "priority": "normal",
        "lon": str(POINT_IN_A[0]),
        "lat": str(POINT_IN_A[1]),
        "address": "",
        "matter_code": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("persona", ["dispatcher"])
def test_operator_sees_the_form(client_as: Any, persona: str) -> None:
    body = client_as(persona).get("/hotline/").content.decode()

    assert "12345 热线受理" in body
    assert 'id="pickmap"' in body
    assert 'name="lon"' in body and 'type="hidden"' in body


@pytest.mark.parametrize("persona", ["officer_a", "auxiliary_a", "liaison", "leader", "business_owner"])
def test_other_roles_are_refused(client_as: Any, persona: str) -> None:
    client = client_as(persona)

    assert client.get("/hotline/").status_code == 403
    assert client.post("/hotline/", call()).status_code == 403
    assert Event.objects.count() == 0


def test_a_call_becomes_a_hotline_event_and_opens_its_page(client_as: Any, world: World) -> None:
    response = client_as("dispatcher").post("/hotline/", call())

    event = Event.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/events/{event.pk}/"
    assert (event.source, event.reporter_phone, event.street_id) == (
        EventSource.HOTLINE,
        "13912345678",
        world.street_a.pk,
    )


def test_point_outside_the_district_is_shown_under_the_map_and_writes_nothing(client_as: Any, world: World) -> None:
    response = client_as("dispatcher").post("/hotline/", call(lon=str(POINT_OUTSIDE[0]), lat=str(POINT_OUTSIDE[1])))

    assert response.status_code == 422
    body = response.content.decode()
    assert 'id="location-errors"' in body
    assert "李女士" in body  # the operator's typing is kept
    assert Event.objects.count() == 0


def test_empty_text_is_required_and_writes_nothing(client_as: Any, world: World) -> None:
    response = client_as("dispatcher").post("/hotline/", call(description=""))

    assert response.status_code == 422
    assert '<ul class="errorlist" id="description-errors"><li>请填写来电内容</li></ul>' in response.content.decode()
    assert Event.objects.count() == 0


def test_no_point_and_no_address_is_refused(client_as: Any, world: World) -> None:
    response = client_as("dispatcher").post("/hotline/", call(lon="", lat=""))

    assert response.status_code == 422
    assert "请在地图上点选事件位置，或输入地址" in response.content.decode()
    assert Event.objects.count() == 0
