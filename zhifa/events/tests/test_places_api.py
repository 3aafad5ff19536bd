"""The API's 超距到场 (arrive with exception_reason and a multipart photo) and relocate (更正位置) actions."""

import json
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import POINT_IN_A, POINT_IN_B
from zhifa.events.models import ArrivalException, EventRelocation
from zhifa.events.tests.conftest import jpeg_bytes, walk_to
from zhifa.events.tests.test_api import URL, bearer, post_json, session


def test_an_arrival_beyond_the_radius_goes_through_as_an_exception_with_reason_and_photo(world: Any) -> None:
    event = walk_to(world, "acknowledged")
    officer = bearer(world.user("officer_a"))
    url = f"{URL}/{event.pk}/actions/arrive"
    far = {"lon": POINT_IN_A[0] + 0.005, "lat": POINT_IN_A[1]}

    refused = post_json(officer, url, far)
    assert (refused.status_code, refused.json()["code"]) == (422, "arrive_too_far")
    no_photo = post_json(officer, url, {**far, "exception_reason": "定位漂移"})
    assert (no_photo.status_code, no_photo.json()["code"]) == (422, "arrive_exception_photo_required")

    photo = SimpleUploadedFile("gate.jpg", jpeg_bytes(), content_type="image/jpeg")
    accepted = officer.post(
        url, data={"payload": json.dumps({**far, "exception_reason": "在商场内部"}), "photos": [photo]}
    )

    assert (accepted.status_code, accepted.json()["status"]) == (200, "arrived")
    [flag] = accepted.json()["arrival_exceptions"]
    assert (flag["officer_name"], flag["reason"], flag["max_m"]) == ("甲队员", "在商场内部", 300)
    assert ArrivalException.objects.get(event=event).reason == "在商场内部"


def test_relocate_moves_the_event_and_is_refused_without_a_reason(world: Any) -> None:
    event = walk_to(world, "dispatched")  # officer_a's: they see it, and may not move it
    dispatcher = session(world.user("dispatcher"))
    url = f"{URL}/{event.pk}/actions/relocate"

    missing = post_json(dispatcher, url, {"lon": POINT_IN_B[0], "lat": POINT_IN_B[1]})
    assert (missing.status_code, missing.json()["code"]) == (422, "relocate_reason_required")
    moved = post_json(
        dispatcher, url, {"lon": POINT_IN_B[0], "lat": POINT_IN_B[1], "reason": "来电人更正", "address": "武林路2号"}
    )

    assert moved.status_code == 200
    assert (moved.json()["lon"], moved.json()["address"]) == (POINT_IN_B[0], "武林路2号")
    assert EventRelocation.objects.get(event=event).to_street_id == world.street_b.pk
    [moved_from] = moved.json()["relocations"]
    assert (moved_from["from_lon"], moved_from["reason"]) == (POINT_IN_A[0], "来电人更正")
    officer = post_json(
        bearer(world.user("officer_a")), url, {"lon": POINT_IN_A[0], "lat": POINT_IN_A[1], "reason": "x"}
    )
    assert officer.status_code == 403
