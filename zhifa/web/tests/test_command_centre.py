"""The command centre: who may open it, the queue, the officers on the map, and the live stream."""

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from conftest import POINT_IN_A, World
from zhifa.events import services
from zhifa.events.models import Event
from zhifa.events.states import EventSource, EventStatus
from zhifa.events.tests.conftest import officer_of, on_duty
from zhifa.events.tests.factories import DispatchedEventFactory, OfficerPositionFactory
from zhifa.org.models import DutyShift
from zhifa.org.tests.factories import OfficerFactory


def hotline_event(world: World, description: str = "仁和路口有流动摊贩占道经营") -> Event:
    return services.event_intake(
        actor=world.user("dispatcher"),
        district=world.district,
        source=EventSource.HOTLINE,
        description=description,
        lon=POINT_IN_A[0],
        lat=POINT_IN_A[1],
    ).event


def messages_of(response: Any, *, wanted: int) -> list[str]:
    """Reads the stream until ``wanted`` event messages arrived (the generator polls, it never blocks long)."""
    found: list[str] = []
    for chunk in response.streaming_content:
        text = chunk.decode()
        if text.startswith("event: event"):
            found.append(text)
            if len(found) == wanted:
                break
    response.close()
    return found


@pytest.mark.parametrize("persona", ["officer_a", "auxiliary_a", "liaison", "leader", "business_owner"])
def test_command_centre_is_for_operators_only(client_as: Any, persona: str) -> None:
    client = client_as(persona)

    assert client.get("/command/").status_code == 403
    assert client.get("/command/stream").status_code == 403
    assert client.get("/command/officers.json").status_code == 403


def test_queue_is_sorted_by_the_nearest_deadline(client_as: Any, world: World) -> None:
    now = timezone.now()
    later = DispatchedEventFactory(grid=world.grid_a, dispatched_at=now - dt.timedelta(seconds=10))
    sooner = DispatchedEventFactory(grid=world.grid_a, dispatched_at=now - dt.timedelta(seconds=50))

    body = client_as("dispatcher").get("/command/").content.decode()

    assert body.index(f'id="event-{sooner.pk}"') < body.index(f'id="event-{later.pk}"')
    assert f'data-due="{sooner.acknowledge_due_at.isoformat()}"' in body
    assert 'data-stream-url="/command/stream"' in body


def test_officers_on_the_map_with_their_status(client_as: Any, world: World) -> None:
    now = timezone.now()
    officer_a, officer_b = officer_of(world, "officer_a"), officer_of(world, "officer_b")
    OfficerPositionFactory(officer=officer_a, lon=POINT_IN_A[0], lat=POINT_IN_A[1])
    OfficerPositionFactory(officer=officer_b, lon=120.115, lat=30.305)
    DutyShift.objects.create(
        district=world.district,
        officer=officer_a,
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=1),
    )
    DispatchedEventFactory(grid=world.grid_b, officers=[officer_b])
    resting = OfficerFactory(
        district=world.district,
        name="丙队员",
        home_department=world.enforcement_dept,
        street=world.street_a,
        zone=world.zone_a,
    )
    OfficerPositionFactory(officer=resting, lon=POINT_IN_A[0], lat=POINT_IN_A[1])  # no shift covers now

    data = client_as("dispatcher").get("/command/officers.json").json()

    assert {o["name"]: (o["status"], o["status_label"]) for o in data["officers"]} == {
        "甲队员": ("free", "空闲"),
        "乙队员": ("busy", "忙碌"),
        "丙队员": ("off_duty", "不在岗"),
    }


def test_stream_sends_a_new_event(client_as: Any, world: World) -> None:
    client = client_as("dispatcher")
    since = timezone.now() - dt.timedelta(seconds=1)
    event = hotline_event(world)

    response = client.get("/command/stream", {"since": since.isoformat()})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"
    first = next(iter(response.streaming_content)).decode()
    assert first == "retry: 2000\n\n"
    [message] = messages_of(response, wanted=1)
    lines = message.strip().split("\n")
    assert lines[0] == "event: event"
    assert lines[1].startswith("id: ")
    row = json.loads(lines[2].removeprefix("data: "))
    assert (row["id"], row["public_no"], row["is_open"]) == (event.pk, event.public_no, True)
    assert f'id="event-{event.pk}"' in row["html"]


def test_stream_sends_an_event_created_after_it_opened(client_as: Any, world: World) -> None:
    client = client_as("dispatcher")
    response = client.get("/command/stream")
    stream = iter(response.streaming_content)
    assert next(stream).decode() == "retry: 2000\n\n"

    event = hotline_event(world, "建材店门前乱堆放")

    [message] = messages_of(response, wanted=1)
    assert json.loads(message.split("data: ", 1)[1])["id"] == event.pk


def test_stream_resumes_from_last_event_id(client_as: Any, world: World) -> None:
    seen = hotline_event(world, "第一件")
    cursor = Event.objects.get(pk=seen.pk).updated_at + dt.timedelta(seconds=10)
    later = DispatchedEventFactory(grid=world.grid_a)
    Event.objects.filter(pk=later.pk).update(updated_at=cursor + dt.timedelta(seconds=1))

    response = client_as("dispatcher").get("/command/stream", headers={"last-event-id": cursor.isoformat()})

    [message] = messages_of(response, wanted=1)
    assert json.loads(message.split("data: ", 1)[1])["id"] == later.pk


def test_one_click_dispatch_from_the_queue(client_as: Any, world: World) -> None:
    officer = officer_of(world, "officer_a")
    on_duty(officer)  # the one officer on duty: recommended for the new event
    event = hotline_event(world)
    client = client_as("dispatcher")

    body = client.get("/command/").content.decode()
    assert "派遣 甲队员" in body

    response = client.post(
        f"/events/{event.pk}/do/dispatch/", {"officer_ids": [officer.pk], "was_recommended": "1", "next": "/command/"}
    )

    assert response["Location"] == "/command/"
    event.refresh_from_db()
    assert event.status == EventStatus.DISPATCHED


def test_queue_offers_transfer_and_merge_only_where_the_workflow_allows(client_as: Any, world: World) -> None:
    triaged = hotline_event(world)
    dispatched = DispatchedEventFactory(grid=world.grid_a)

    body = client_as("dispatcher").get("/command/").content.decode()

    def row(event: Event) -> str:
        start = body.index(f'id="event-{event.pk}"')
        return body[start : body.index("</tr>", start)]

    assert "转办" in row(triaged) and "合并" in row(triaged)
    # A dispatched event can be re-dispatched or returned, not transferred or merged: no button that only fails.
    assert "转办" not in row(dispatched) and "合并" not in row(dispatched)
