"""/api/v1/events by session and bearer token: intake (JSON, multipart, idempotent), lists, actions, errors."""

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conftest import POINT_IN_A, POINT_OUTSIDE
from zhifa.core.actors import SystemActor
from zhifa.core.models import AuditEntry
from zhifa.core.tokens import api_token_issue
from zhifa.events.api import ACTIONS, LEGACY_ACTIONS
from zhifa.events.distance import METRES_PER_DEGREE_LAT
from zhifa.events.models import Event, EventTransition, OfficerPosition
from zhifa.events.states import EventAction
from zhifa.events.tests.conftest import jpeg_bytes, officer_of, on_duty, position_of, walk_to

pytestmark = pytest.mark.django_db
URL = "/api/v1/events"
T0 = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)  # Monday 10:00 in Shanghai


def session(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def bearer(user: Any) -> Client:
    _, key = api_token_issue(actor=SystemActor("测试"), user=user, name="测试令牌")
    return Client(headers={"Authorization": f"Bearer {key}"})


def post_json(client: Client, url: str, body: dict[str, Any], **headers: Any) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json", headers=headers)


BODY = {
    "description": "仁和路口流动摊贩占道",
    "lon": POINT_IN_A[0],
    "lat": POINT_IN_A[1],
    "reporter_name": "王先生",
    "reporter_phone": "13812341234",
}


def test_intake_by_token_is_idempotent_201_then_200(world: Any) -> None:
    client = bearer(world.user("dispatcher"))

    first = post_json(client, URL, BODY, **{"Idempotency-Key": "abc-1"})
    retry = post_json(client, URL, BODY, **{"Idempotency-Key": "abc-1"})

    assert (first.status_code, retry.status_code) == (201, 200)
    assert first.json() == retry.json()
    assert first.json()["status"] == "triaged"
    # Masked for the command centre too: the whole number is one audited look away (test_contacts_api.py)
    assert (first.json()["reporter_phone"], first.json()["can_reveal_reporter_phone"]) == ("138****1234", True)
    assert Event.objects.count() == 1


def test_intake_multipart_with_photos_and_a_payload_field(world: Any) -> None:
    photo = SimpleUploadedFile("scene.jpg", jpeg_bytes(), content_type="image/jpeg")

    response = session(world.user("officer_a")).post(
        URL, data={"payload": json.dumps({**BODY, "source": "patrol", "client_key": "m-1"}), "photos": [photo]}
    )

    body = response.json()
    assert response.status_code == 201
    assert (body["source"], len(body["photos"]), body["reporter_phone"]) == ("patrol", 1, "138****1234")


def test_intake_errors_have_the_one_shape_and_write_nothing(world: Any) -> None:
    client = session(world.user("dispatcher"))

    outside = post_json(client, URL, {**BODY, "lon": POINT_OUTSIDE[0], "lat": POINT_OUTSIDE[1]})
    malformed = post_json(client, URL, {"lon": "east"})
    unauthenticated = post_json(Client(), URL, BODY)

    assert outside.status_code == 422
    assert outside.json()["code"] == "point_outside_district"
    assert malformed.status_code == 422
    assert malformed.json()["code"] == "request_invalid"
    assert unauthenticated.status_code == 401
    assert Event.objects.count() == 0


def test_list_masks_phones_and_is_scoped(world: Any) -> None:
    post_json(session(world.user("dispatcher")), URL, BODY)

    mine = session(world.user("officer_a")).get(URL, {"limit": 10}).json()
    theirs = session(world.user("officer_b")).get(URL).json()

    assert mine["count"] == 1
    assert mine["items"][0]["reporter_phone"] == "138****1234"
    assert theirs["count"] == 0


def test_the_api_names_its_actions_as_the_workflow_does() -> None:
    # Every workflow action by its EventAction value, classify and relocate (no transitions); no other
    # spelling, and the deprecated old names are no names of their own.
    assert sorted(ACTIONS) == sorted([*(a.value for a in EventAction), "classify", "relocate"])
    assert {"arrive", "handle"} <= set(ACTIONS)
    assert set(LEGACY_ACTIONS).isdisjoint(ACTIONS)


@pytest.mark.parametrize("arrive", ["check-in", "check_in"])
def test_the_old_names_of_arrive_and_handle_are_still_taken_for_one_release(world: Any, arrive: str) -> None:
    # Given an event acknowledged by officer_a, whose phone queued the next steps before the upgrade, under
    # the names the API had then (deprecated)
    event = walk_to(world, "acknowledged")
    officer = bearer(world.user("officer_a"))
    url = f"{URL}/{event.pk}/actions"

    # When they are sent
    arrived = post_json(officer, f"{url}/{arrive}", {"lon": event.lon, "lat": event.lat})
    handled = post_json(officer, f"{url}/report", {"outcome": "已劝离"})

    # Then they are the workflow's arrive and handle
    assert [(r.status_code, r.json()["status"]) for r in (arrived, handled)] == [(200, "arrived"), (200, "handled")]
    assert list(EventTransition.objects.filter(event=event).order_by("pk").values_list("action", flat=True))[-2:] == [
        EventAction.ARRIVE,
        EventAction.HANDLE,
    ]


def test_the_whole_loop_through_actions(world: Any) -> None:
    dispatcher = session(world.user("dispatcher"))
    officer = bearer(world.user("officer_a"))
    event_id = post_json(dispatcher, URL, BODY).json()["id"]
    a = officer_of(world, "officer_a").pk

    def act(client: Client, action: str, **body: Any) -> Any:
        return post_json(client, f"{URL}/{event_id}/actions/{action}", body)

    assert act(dispatcher, "dispatch", officer_ids=[a]).json()["status"] == "dispatched"
    assert act(officer, "acknowledge").json()["status"] == "acknowledged"
    too_far = act(officer, "arrive", lon=POINT_IN_A[0] + 0.005, lat=POINT_IN_A[1])
    assert (too_far.status_code, too_far.json()["code"]) == (422, "arrive_too_far")
    assert act(officer, "arrive", lon=POINT_IN_A[0], lat=POINT_IN_A[1]).json()["status"] == "arrived"
    assert act(officer, "handle", outcome="已劝离").json()["status"] == "handled"
    refused = act(officer, "verify")
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    assert act(dispatcher, "verify").json()["status"] == "verified"
    closed = act(dispatcher, "close").json()
    assert (closed["status"], closed["outcome"], len(closed["transitions"])) == ("closed", "已劝离", 7)


def test_an_unknown_action_and_a_wrong_state_answer_in_the_error_shape(world: Any) -> None:
    event = walk_to(world, "triaged")
    client = session(world.user("dispatcher"))

    unknown = post_json(client, f"{URL}/{event.pk}/actions/explode", {})
    wrong = post_json(client, f"{URL}/{event.pk}/actions/close", {})

    assert (unknown.status_code, unknown.json()["code"]) == (404, "action_unknown")
    assert wrong.status_code == 409
    assert set(wrong.json()) == {"code", "message", "details"}
    assert wrong.json()["code"] == "invalid_transition"


def test_queue_detail_and_recommendations(world: Any, colleague: Any) -> None:
    event = walk_to(world, "dispatched")
    # 丙队员 of street A is on duty, free, and their phone has just placed them 200 m north of the event;
    # 甲队员 is busy with this event, 乙队员 (street B) is not on duty.
    on_duty(colleague)
    position_of(colleague, lon=event.lon, lat=event.lat + 200 / METRES_PER_DEGREE_LAT)
    client = session(world.user("dispatcher"))

    queue = client.get(f"{URL}/queue").json()
    detail = client.get(f"{URL}/{event.pk}").json()
    recommended = client.get(f"{URL}/{event.pk}/recommendations").json()
    refused = session(world.user("auxiliary_a")).get(f"{URL}/{event.pk}/recommendations")

    assert [(i["id"], i["next_due_at"] is not None) for i in queue["items"]] == [(event.pk, True)]
    assert [a["officer_name"] for a in detail["assignments"]] == ["甲队员"]
    assert recommended == [
        {
            "officer_id": colleague.pk,
            "officer_name": "丙队员",
            "distance_m": 200.0,
            "eta_s": round(200 * 1.3 / 4.5, 1),  # road distance at riding speed
            "reasons": ["同街道", "距离约200米", "约1分钟到达", "实时定位"],
        }
    ]
    assert refused.status_code == 403


def test_officer_position_is_recorded_then_throttled(world: Any) -> None:
    client = bearer(world.user("officer_a"))

    first = post_json(client, "/api/v1/officers/me/position", {"lon": POINT_IN_A[0], "lat": POINT_IN_A[1]})
    again = post_json(client, "/api/v1/officers/me/position", {"lon": POINT_IN_A[0], "lat": POINT_IN_A[1]})
    not_officer = post_json(
        session(world.user("dispatcher")), "/api/v1/officers/me/position", {"lon": 120.1, "lat": 30.3}
    )

    assert (first.status_code, first.json()["is_recorded"]) == (201, True)
    assert (again.status_code, again.json()) == (200, {"is_recorded": False, "recorded_at": None})
    assert not_officer.status_code == 404
    assert OfficerPosition.objects.count() == 1


def test_a_session_post_without_its_csrf_token_is_refused_in_our_error_shape(world: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user("dispatcher"))

    response = post_json(client, URL, BODY)

    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert "CSRF" in response.json()["message"]
    assert Event.objects.count() == 0


def test_field_steps_sent_late_are_timed_when_the_officer_acted(world: Any) -> None:
    # Given an event dispatched to officer_a at 10:00
    with time_machine.travel(T0, tick=False):
        event = walk_to(world, "dispatched")
    officer = bearer(world.user("officer_a"))
    url = f"{URL}/{event.pk}/actions"

    # When each step arrives later than it was taken, with the time it was taken in any offset
    with time_machine.travel(T0 + dt.timedelta(minutes=3), tick=False):
        acknowledged = post_json(officer, f"{url}/acknowledge", {"acted_at": "2026-06-01T10:00:30+08:00"})
    with time_machine.travel(T0 + dt.timedelta(minutes=9), tick=False):
        arrived = post_json(
            officer,
            f"{url}/arrive",
            {"lon": event.lon, "lat": event.lat, "acted_at": "2026-06-01T10:04:00+08:00"},
        )
    with time_machine.travel(T0 + dt.timedelta(minutes=40), tick=False):
        handled = post_json(officer, f"{url}/handle", {"outcome": "已劝离", "acted_at": "2026-06-01T02:28:00Z"})

    # Then each clock is met when the officer acted, and the transitions are of their arrival, with a note
    assert [r.json()["status"] for r in (acknowledged, arrived, handled)] == ["acknowledged", "arrived", "handled"]
    stored = Event.objects.get(pk=event.pk)
    assert (stored.acknowledged_at, stored.arrived_at, stored.handled_at) == (
        T0 + dt.timedelta(seconds=30),
        T0 + dt.timedelta(minutes=4),
        T0 + dt.timedelta(minutes=28),
    )
    steps = EventTransition.objects.filter(
        event=event, action__in=[EventAction.ACKNOWLEDGE, EventAction.ARRIVE, EventAction.HANDLE]
    ).order_by("pk")
    assert [(t.action, t.created_at, t.reason) for t in steps] == [
        (
            EventAction.ACKNOWLEDGE,
            T0 + dt.timedelta(minutes=3),
            "补发：按上报的操作时间 06-01 10:00:30 计时，06-01 10:03:00 送达",
        ),
        (
            EventAction.ARRIVE,
            T0 + dt.timedelta(minutes=9),
            "补发：按上报的操作时间 06-01 10:04:00 计时，06-01 10:09:00 送达",
        ),
        (
            EventAction.HANDLE,
            T0 + dt.timedelta(minutes=40),
            "补发：按上报的操作时间 06-01 10:28:00 计时，06-01 10:40:00 送达",
        ),
    ]


@pytest.mark.parametrize(
    ("state", "action", "body"),
    [
        ("dispatched", "acknowledge", {}),
        ("acknowledged", "arrive", {"lon": POINT_IN_A[0], "lat": POINT_IN_A[1]}),
        ("arrived", "handle", {"outcome": "已劝离"}),
    ],
)
def test_a_step_time_without_an_offset_is_refused_and_writes_nothing(
    world: Any, state: str, action: str, body: dict[str, Any]
) -> None:
    # Given an event waiting for officer_a's step
    with time_machine.travel(T0, tick=False):
        event = walk_to(world, state)
    officer = bearer(world.user("officer_a"))
    before = (Event.objects.get(pk=event.pk).status, EventTransition.objects.count(), AuditEntry.objects.count())

    # When the step arrives at 10:05 with a time that names no zone
    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False):
        response = post_json(
            officer,
            f"{URL}/{event.pk}/actions/{action}",
            {**body, "acted_at": "2026-06-01T10:02:00"},
        )

    # Then it is refused in the error shape, saying what a time must look like, and nothing is written
    assert (response.status_code, response.json()) == (
        422,
        {
            "code": "acted_at_naive",
            "message": "操作时间须带时区偏移，例如 2026-06-01T10:00:00+08:00",
            "details": {"field": "acted_at", "value": "2026-06-01T10:02:00"},
        },
    )
    assert (Event.objects.get(pk=event.pk).status, EventTransition.objects.count(), AuditEntry.objects.count()) == (
        before
    )
