"""A street dispatcher (街道调度员) of street A at the command centre: the queue, the live stream and the
officers' map show street A only; they dispatch street A's events to street A's officers, and anything of
street B is refused with its error code and changes nothing."""

import json
from typing import Any

import pytest
from django.test import Client

from conftest import POINT_IN_A, POINT_IN_B, World
from zhifa.core.models import AuditEntry
from zhifa.events import services
from zhifa.events.models import Event, EventAssignment, EventTransition, Notification
from zhifa.events.states import EventAction, EventStatus
from zhifa.events.tests.conftest import officer_of, on_duty, report
from zhifa.events.tests.factories import OfficerPositionFactory

PERSONA = "street_dispatcher_a"


@pytest.fixture
def in_a(world: World) -> Event:
    return report(world, description="仁和路口有流动摊贩占道经营")


@pytest.fixture
def in_b(world: World) -> Event:
    return report(world, description="丽水路夜宵摊油烟扰民", lon=POINT_IN_B[0], lat=POINT_IN_B[1])


def post_json(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def footprint(event: Event) -> tuple[Any, ...]:
    """What a refused dispatch must leave as it was."""
    event.refresh_from_db()
    return (
        event.status,
        event.dispatched_at,
        EventAssignment.objects.filter(event=event).count(),
        EventTransition.objects.filter(event=event).count(),
        AuditEntry.objects.count(),
        Notification.objects.count(),
    )


def first_event_message(response: Any) -> dict[str, Any]:
    """The stream's first event message (it polls; every change in scope comes in order of change)."""
    for chunk in response.streaming_content:
        text = chunk.decode()
        if text.startswith("event: event"):
            response.close()
            return json.loads(text.split("data: ", 1)[1])
    raise AssertionError("the stream ended without an event")


def test_the_persona_is_a_street_dispatcher_of_street_a(world: World, in_a: Event, in_b: Event) -> None:
    profile = world.user(PERSONA).profile

    assert (profile.role, profile.street_id) == ("street_dispatcher", world.street_a.pk)
    assert (in_a.status, in_a.street_id, in_b.status, in_b.street_id) == (
        EventStatus.TRIAGED,
        world.street_a.pk,
        EventStatus.TRIAGED,
        world.street_b.pk,
    )


def test_queue_shows_only_their_streets_events(client_as: Any, world: World, in_a: Event, in_b: Event) -> None:
    client = client_as(PERSONA)

    page = client.get("/command/")
    api = client.get("/api/v1/events/queue")

    body = page.content.decode()
    assert page.status_code == 200
    assert f'id="event-{in_a.pk}"' in body
    assert f'id="event-{in_b.pk}"' not in body
    assert in_b.public_no not in body
    assert [item["id"] for item in api.json()["items"]] == [in_a.pk]
    # The district's command centre sees both: street B's event is left out for the street dispatcher only.
    district_wide = client_as("dispatcher").get("/api/v1/events/queue").json()["items"]
    assert sorted(item["id"] for item in district_wide) == sorted([in_a.pk, in_b.pk])


def test_dispatching_street_bs_event_is_refused_and_changes_nothing(client_as: Any, world: World, in_b: Event) -> None:
    client = client_as(PERSONA)
    officer_b = officer_of(world, "officer_b")
    before = footprint(in_b)

    api = post_json(client, f"/api/v1/events/{in_b.pk}/actions/dispatch", {"officer_ids": [officer_b.pk]})
    page = client.post(f"/events/{in_b.pk}/do/dispatch/", {"officer_ids": [officer_b.pk], "next": "/command/"})

    # Out of their street is "not found", not "forbidden": they must not learn that it exists.
    assert (api.status_code, api.json()["code"]) == (404, "event_not_found")
    assert page.status_code == 404
    assert footprint(in_b) == before


def test_sending_street_bs_officer_to_street_as_event_is_refused(client_as: Any, world: World, in_a: Event) -> None:
    before = footprint(in_a)

    response = post_json(
        client_as(PERSONA),
        f"/api/v1/events/{in_a.pk}/actions/dispatch",
        {"officer_ids": [officer_of(world, "officer_b").pk]},
    )

    assert response.status_code == 403
    assert (response.json()["code"], response.json()["details"]) == (
        "outside_jurisdiction",
        {"officer_id": officer_of(world, "officer_b").pk},
    )
    assert footprint(in_a) == before


def test_dispatching_street_as_event_by_the_api(client_as: Any, world: World, in_a: Event) -> None:
    officer_a = officer_of(world, "officer_a")

    response = post_json(
        client_as(PERSONA), f"/api/v1/events/{in_a.pk}/actions/dispatch", {"officer_ids": [officer_a.pk]}
    )

    assert response.status_code == 200
    assert (response.json()["status"], [a["officer_id"] for a in response.json()["assignments"]]) == (
        "dispatched",
        [officer_a.pk],
    )
    in_a.refresh_from_db()
    assert in_a.status == EventStatus.DISPATCHED
    assert list(EventTransition.objects.filter(event=in_a, action=EventAction.DISPATCH).values_list("actor")) == [
        (world.user(PERSONA).pk,)
    ]
    assert list(Notification.objects.filter(event=in_a).values_list("user__username", flat=True)) == ["officer_a"]


def test_one_click_dispatch_from_their_queue(client_as: Any, world: World, in_a: Event) -> None:
    officer_a = officer_of(world, "officer_a")
    on_duty(officer_a)  # the one officer on duty: recommended for street A's event
    client = client_as(PERSONA)
    assert "派遣 甲队员" in client.get("/command/").content.decode()

    response = client.post(
        f"/events/{in_a.pk}/do/dispatch/", {"officer_ids": [officer_a.pk], "was_recommended": "1", "next": "/command/"}
    )

    assert response["Location"] == "/command/"
    in_a.refresh_from_db()
    assert in_a.status == EventStatus.DISPATCHED
    assert list(EventAssignment.objects.filter(event=in_a).values_list("officer_id", "was_recommended")) == [
        (officer_a.pk, True)
    ]


def test_live_stream_does_not_send_street_bs_changes(client_as: Any, world: World, in_a: Event, in_b: Event) -> None:
    response = client_as(PERSONA).get("/command/stream")
    assert next(iter(response.streaming_content)).decode() == "retry: 2000\n\n"

    # Street B's event changes first, then street A's: were B's sent, it would come first.
    dispatcher = world.user("dispatcher")
    services.event_dispatch(actor=dispatcher, event=in_b, officers=[officer_of(world, "officer_b")])
    services.event_dispatch(actor=dispatcher, event=in_a, officers=[officer_of(world, "officer_a")])

    row = first_event_message(response)
    assert (row["id"], row["public_no"]) == (in_a.pk, in_a.public_no)


def test_officers_map_shows_only_their_streets_officers(client_as: Any, world: World) -> None:
    OfficerPositionFactory(officer=officer_of(world, "officer_a"), lon=POINT_IN_A[0], lat=POINT_IN_A[1])
    OfficerPositionFactory(officer=officer_of(world, "officer_b"), lon=POINT_IN_B[0], lat=POINT_IN_B[1])

    data = client_as(PERSONA).get("/command/officers.json").json()

    assert [o["name"] for o in data["officers"]] == ["甲队员"]
