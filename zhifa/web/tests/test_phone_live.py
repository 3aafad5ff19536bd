"""The phone's live task list (issue 16): the stream sends a task dispatched to the officer (with its urgency)
and takes away one re-dispatched to someone else; the page's receipt keeps when the task was delivered and
first seen, once, audited, on the officer's own assignment only, and the event page shows both."""

import datetime as dt
import json
from typing import Any

import time_machine

from conftest import POINT_IN_A, World
from zhifa.core.models import AuditEntry
from zhifa.events import services
from zhifa.events.models import Event, EventAssignment
from zhifa.events.states import EventPriority, EventSource
from zhifa.events.tests.conftest import officer_of
from zhifa.web.phone import TaskFeed

T0 = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)  # Monday 10:00 in Shanghai


def triaged(world: World, *, description: str = "仁和路口有流动摊贩占道经营", urgent: bool = False) -> Event:
    event = services.event_intake(
        actor=world.user("dispatcher"),
        district=world.district,
        source=EventSource.HOTLINE,
        description=description,
        lon=POINT_IN_A[0],
        lat=POINT_IN_A[1],
    ).event
    if urgent:
        Event.objects.filter(pk=event.pk).update(priority=EventPriority.URGENT)
        event.refresh_from_db()
    return event


def messages(feed: TaskFeed) -> list[dict[str, Any]]:
    out = []
    for text in feed.poll():
        lines = dict(line.split(": ", 1) for line in text.strip().splitlines())
        assert lines["event"] == "task"
        out.append(json.loads(lines["data"]))
    return out


def test_the_stream_sends_a_task_dispatched_to_the_officer_with_its_urgency(world: World) -> None:
    event = triaged(world, description="<img src=x onerror=alert(1)>", urgent=True)
    with time_machine.travel(T0, tick=False):
        feed = TaskFeed(user=world.user("officer_a"), since=T0 - dt.timedelta(minutes=1))
        assert messages(feed) == []
    with time_machine.travel(T0 + dt.timedelta(seconds=10), tick=False):
        services.event_dispatch(actor=world.user("dispatcher"), event=event, officers=[officer_of(world, "officer_a")])
        [task] = messages(feed)
        assert (task["id"], task["is_task"], task["is_new"], task["is_urgent"]) == (event.pk, True, True, True)
        assert "紧急" in task["html"] and f'id="task-{event.pk}"' in task["html"]
        assert "<img" not in task["html"] and "&lt;img src=x" in task["html"]
        # Sent once: the next poll (within the look-back window) has nothing new.
        assert messages(feed) == []


def test_another_officers_task_is_not_sent_and_a_redispatched_task_is_taken_away(world: World) -> None:
    event = triaged(world)
    feed_a = TaskFeed(user=world.user("officer_a"), since=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
    feed_b = TaskFeed(user=world.user("officer_b"), since=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
    services.event_dispatch(actor=world.user("dispatcher"), event=event, officers=[officer_of(world, "officer_a")])
    assert [m["is_task"] for m in messages(feed_a)] == [True]
    assert messages(feed_b) == []

    services.event_redispatch(
        actor=world.user("dispatcher"), event=event, officers=[officer_of(world, "officer_b")], reason="就近改派"
    )
    [gone] = messages(feed_a)
    assert (gone["id"], gone["is_task"], gone["html"]) == (event.pk, False, "")
    assert [m["is_task"] for m in messages(feed_b)] == [True]


def test_the_stream_is_for_field_staff(client_as: Any) -> None:
    assert client_as("dispatcher").get("/m/stream").status_code == 403
    response = client_as("officer_a").get("/m/stream")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/event-stream")
    response.close()


def test_task_list_page_has_the_live_channel_and_shows_urgency(client_as: Any, world: World) -> None:
    event = triaged(world, urgent=True)
    services.event_dispatch(actor=world.user("dispatcher"), event=event, officers=[officer_of(world, "officer_a")])
    body = client_as("officer_a").get("/m/").content.decode()
    assert 'data-stream-url="/m/stream"' in body and 'data-receipt-url="/m/receipt/"' in body
    assert '<span class="m-tag urgent">紧急</span>' in body


def test_receipt_keeps_delivery_and_first_sight_once_and_audits_each(client_as: Any, world: World) -> None:
    event = triaged(world)
    services.event_dispatch(actor=world.user("dispatcher"), event=event, officers=[officer_of(world, "officer_a")])
    client = client_as("officer_a")

    with time_machine.travel(T0, tick=False):
        response = client.post("/m/receipt/", {"event": [event.pk], "seen": "0"})
    assert response.json() == {"delivered": [event.pk], "seen": []}
    with time_machine.travel(T0 + dt.timedelta(seconds=30), tick=False):
        assert client.post("/m/receipt/", {"event": [event.pk], "seen": "1"}).json() == {
            "delivered": [],
            "seen": [event.pk],
        }
    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False):
        # Sent again (a reload, a reconnect): nothing moves, nothing is written.
        assert client.post("/m/receipt/", {"event": [event.pk], "seen": "1"}).json() == {"delivered": [], "seen": []}

    assignment = EventAssignment.objects.get(event=event)
    assert (assignment.delivered_at, assignment.seen_at) == (T0, T0 + dt.timedelta(seconds=30))
    entries = AuditEntry.objects.filter(object_id=str(assignment.pk), action__startswith="event.task_")
    assert list(entries.order_by("seq").values_list("action", "client")) == [
        ("event.task_delivered", "phone"),
        ("event.task_seen", "phone"),
    ]

    page = client_as("dispatcher").get(f"/events/{event.pk}/").content.decode()
    assert '<td class="delivered-at">06-01 10:00:00</td>' in page
    assert '<td class="seen-at">06-01 10:00:30</td>' in page


def test_receipt_touches_only_the_officers_own_assignment(client_as: Any, world: World) -> None:
    event = triaged(world)
    services.event_dispatch(actor=world.user("dispatcher"), event=event, officers=[officer_of(world, "officer_a")])

    assert client_as("officer_b").post("/m/receipt/", {"event": [event.pk], "seen": "1"}).json() == {
        "delivered": [],
        "seen": [],
    }
    assert EventAssignment.objects.get(event=event).delivered_at is None


def test_receipt_refuses_bad_input_and_writes_nothing(client_as: Any, world: World) -> None:
    client = client_as("officer_a")
    response = client.post("/m/receipt/", {"event": ["abc"]})
    assert (response.status_code, response.json()["code"]) == (400, "receipt_invalid")
    response = client.post("/m/receipt/", {"event": [str(i) for i in range(1, 102)]})
    assert (response.status_code, response.json()["code"]) == (422, "receipt_too_many")
    assert client_as("dispatcher").post("/m/receipt/", {"event": ["1"]}).status_code == 403
    assert not AuditEntry.objects.filter(action__startswith="event.task_").exists()
