"""The API's handle action with a 处置结果类型 (issue 16): the same rules as the phone page."""

from typing import Any

import pytest

from zhifa.catalog.services import handling_defaults_install
from zhifa.core.actors import SystemActor
from zhifa.events.models import Event, EventHandlingRound
from zhifa.events.states import EventStatus
from zhifa.events.tests.conftest import walk_to
from zhifa.events.tests.test_api import URL, bearer, post_json

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def defaults(world: Any) -> None:
    handling_defaults_install(actor=SystemActor("测试"), district_id=world.district.pk)


def test_a_handle_with_a_result_type_is_kept_on_its_round(world: Any) -> None:
    event = walk_to(world, "arrived")
    response = post_json(
        bearer(world.user("officer_a")),
        f"{URL}/{event.pk}/actions/handle",
        {"outcome": "现场无摊贩", "result_type": "no_violation"},
    )
    assert response.status_code == 200
    assert list(EventHandlingRound.objects.values_list("result_type_name", "outcome")) == [("无违法事实", "现场无摊贩")]


def test_a_result_that_needs_a_photo_is_refused_without_one_in_the_error_shape(world: Any) -> None:
    event = walk_to(world, "arrived")
    response = post_json(
        bearer(world.user("officer_a")),
        f"{URL}/{event.pk}/actions/handle",
        {"outcome": "已整改", "result_type": "rectified"},
    )
    assert (response.status_code, response.json()) == (
        422,
        {
            "code": "result_photo_required",
            "message": "处置结果为“已整改”时须上传处置后现场照片",
            "details": {"field": "photos", "result_type": "rectified"},
        },
    )
    assert (Event.objects.get(pk=event.pk).status, EventHandlingRound.objects.count()) == (EventStatus.ARRIVED, 0)
