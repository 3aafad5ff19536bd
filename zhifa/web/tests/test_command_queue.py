"""The command centre at scale (issue 16): the queue paged and filtered on the server, urgent first; the map's
points from their own bounded endpoint; the row actions answered in place; the live stream told the page's
filters."""

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import World
from zhifa.catalog.models import Domain
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.events import services
from zhifa.events.models import Event
from zhifa.events.states import EventPriority, EventSource, EventStatus
from zhifa.events.tests.conftest import officer_of, on_duty
from zhifa.events.tests.factories import (
    ArrivedEventFactory,
    ClosedEventFactory,
    DispatchedEventFactory,
    HandledEventFactory,
    TriagedEventFactory,
)
from zhifa.web.pages import PAGE_SIZE
from zhifa.web.tests.test_command_centre import hotline_event, messages_of

NOW = dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC)


def row_ids(body: str) -> list[int]:
    """The queue rows' event ids, in the page's order."""
    ids = []
    for part in body.split('class="queue-row ')[1:]:
        ids.append(int(part.split('data-id="', 1)[1].split('"', 1)[0]))
    return ids


def count_of(body: str) -> int:
    return int(body.split('<b id="queue-count">', 1)[1].split("<", 1)[0])


def test_urgent_first_then_the_nearest_deadline_then_waiting(client_as: Any, world: World) -> None:
    now = timezone.now()
    waiting = TriagedEventFactory(grid=world.grid_a)
    later = DispatchedEventFactory(grid=world.grid_a, dispatched_at=now - dt.timedelta(seconds=10))
    sooner = DispatchedEventFactory(grid=world.grid_a, dispatched_at=now - dt.timedelta(seconds=50))
    urgent_waiting = TriagedEventFactory(grid=world.grid_b, priority=EventPriority.URGENT)
    urgent_running = DispatchedEventFactory(grid=world.grid_b, priority=EventPriority.URGENT)
    ClosedEventFactory(grid=world.grid_a, priority=EventPriority.URGENT)

    body = client_as("dispatcher").get("/command/").content.decode()

    assert row_ids(body) == [urgent_running.pk, urgent_waiting.pk, sooner.pk, later.pk, waiting.pk]
    assert count_of(body) == 5


def test_one_page_of_fifty_and_the_count_of_all(client_as: Any, world: World) -> None:
    events = [DispatchedEventFactory(grid=world.grid_a) for _ in range(PAGE_SIZE + 1)]
    client = client_as("dispatcher")

    first = client.get("/command/").content.decode()
    second = client.get("/command/", {"page": 2}).content.decode()

    assert (len(row_ids(first)), count_of(first)) == (50, 51)
    assert (len(row_ids(second)), count_of(second)) == (1, 51)
    assert set(row_ids(first) + row_ids(second)) == {e.pk for e in events}
    assert 'href="?page=2"' in first
    assert 'data-page="2"' in second


def test_the_page_reads_a_fixed_number_of_queries_whatever_its_rows(client_as: Any, world: World) -> None:
    officer = officer_of(world, "officer_a")
    on_duty(officer)
    client = client_as("dispatcher")

    def queries(rows: int) -> int:
        for i in range(rows):
            TriagedEventFactory(grid=world.grid_a, description=f"待派遣{i}")
            DispatchedEventFactory(grid=world.grid_a)
        client.get("/command/")  # the district's geometry is cached by the first page
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/command/").status_code == 200
        return len(captured)

    assert queries(2) == queries(10)


@pytest.fixture
def assorted(world: World) -> dict[str, Event]:
    """One event for each filter to find, all in the queue; the time is NOW (frozen by each test)."""
    fumes = MatterFactory(
        district=world.district, department=world.enforcement_dept, name="餐饮油烟直排", domain=Domain.CATERING_FUMES
    )
    return {
        "in_b": TriagedEventFactory(grid=world.grid_b, description="乙街道的事件"),
        "fumes": TriagedEventFactory(grid=world.grid_a, matter=fumes, description="饭店油烟"),
        "urgent": TriagedEventFactory(grid=world.grid_a, priority=EventPriority.URGENT, description="紧急的事"),
        "hotline": TriagedEventFactory(grid=world.grid_a, source=EventSource.HOTLINE, description="热线来的"),
        "overdue": DispatchedEventFactory(grid=world.grid_a, dispatched_at=NOW - dt.timedelta(minutes=2)),
        "due_soon": ArrivedEventFactory(
            grid=world.grid_a, dispatched_at=NOW, handle_due_at=NOW + dt.timedelta(minutes=5)
        ),
        "later": ArrivedEventFactory(grid=world.grid_a, dispatched_at=NOW, handle_due_at=NOW + dt.timedelta(hours=2)),
        "handled": HandledEventFactory(grid=world.grid_a, address="武林路128号"),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"street_id": "B"}, ["in_b"]),
        ({"domain": Domain.CATERING_FUMES.value}, ["fumes"]),
        ({"priority": EventPriority.URGENT.value}, ["urgent"]),
        ({"source": EventSource.HOTLINE.value}, ["hotline"]),
        ({"status": EventStatus.HANDLED.value}, ["handled"]),
        ({"clock": "overdue"}, ["overdue"]),
        ({"clock": "due_soon"}, ["due_soon"]),
        ({"clock": "running"}, ["due_soon", "later"]),
        ({"clock": "waiting"}, ["urgent", "in_b", "fumes", "hotline", "handled"]),
        ({"q": "武林路"}, ["handled"]),  # the address
        ({"q": "油烟"}, ["fumes"]),  # the description
        ({"q": "B", "priority": EventPriority.URGENT.value}, []),
    ],
)
def test_each_filter_narrows_the_queue(
    client_as: Any, world: World, assorted: dict[str, Event], query: dict[str, str], expected: list[str]
) -> None:
    if query.get("street_id") == "B":
        query = {**query, "street_id": str(world.street_b.pk)}
    with time_machine.travel(NOW, tick=False):
        body = client_as("dispatcher").get("/command/", query).content.decode()

    assert row_ids(body) == [assorted[name].pk for name in expected]
    assert count_of(body) == len(expected)


def test_a_search_finds_the_event_number(client_as: Any, world: World) -> None:
    wanted = TriagedEventFactory(grid=world.grid_a)
    TriagedEventFactory(grid=world.grid_a)

    body = client_as("dispatcher").get("/command/", {"q": wanted.public_no.lower()}).content.decode()

    assert row_ids(body) == [wanted.pk]


def test_htmx_asks_for_the_results_alone_with_the_filters_for_stream_and_map(client_as: Any, world: World) -> None:
    TriagedEventFactory(grid=world.grid_b)

    response = client_as("dispatcher").get(
        "/command/", {"street_id": world.street_b.pk, "q": "占道"}, headers={"HX-Request": "true"}
    )

    body = response.content.decode()
    assert body.lstrip().startswith('<div id="queue-results"')
    assert f'data-query="street_id={world.street_b.pk}&amp;q=%E5%8D%A0%E9%81%93"' in body
    assert "<html" not in body and 'id="queue-filters"' not in body


def test_a_street_outside_the_street_dispatchers_scope_is_ignored(client_as: Any, world: World) -> None:
    in_a = TriagedEventFactory(grid=world.grid_a)
    TriagedEventFactory(grid=world.grid_b)
    client = client_as("street_dispatcher_a")

    body = client.get("/command/", {"street_id": world.street_b.pk}).content.decode()
    points = client.get("/command/events.json", {"street_id": world.street_b.pk}).json()

    assert row_ids(body) == [in_a.pk]
    assert [p[0] for p in points["events"]] == [in_a.pk]


def test_the_maps_points_follow_the_filters(client_as: Any, world: World) -> None:
    fumes = MatterFactory(
        district=world.district, department=world.enforcement_dept, name="餐饮油烟直排", domain=Domain.CATERING_FUMES
    )
    urgent = TriagedEventFactory(grid=world.grid_a, priority=EventPriority.URGENT, matter=fumes, lon=120.1, lat=30.3)
    plain = DispatchedEventFactory(grid=world.grid_b, description="乙街道门口乱堆放建材，影响通行，已多次反映")
    ClosedEventFactory(grid=world.grid_a)
    client = client_as("dispatcher")

    everything = client.get("/command/events.json").json()
    narrowed = client.get("/command/events.json", {"priority": "urgent"}).json()

    assert everything["titles"] == ["餐饮油烟直排", "乙街道门口乱堆放建材，影响通行，已多次反映"]
    assert everything["events"] == [
        [urgent.pk, 120.1, 30.3, urgent.public_no, "triaged", 1, 0],
        [plain.pk, round(plain.lon, 6), round(plain.lat, 6), plain.public_no, "dispatched", 0, 1],
    ]
    assert everything["statuses"]["triaged"] == "已研判"
    assert (everything["is_truncated"], everything["limit"]) == (False, 5000)
    assert [p[0] for p in narrowed["events"]] == [urgent.pk]


@pytest.mark.parametrize("persona", ["officer_a", "liaison", "leader", "business_owner"])
def test_the_new_endpoints_are_for_operators_only(client_as: Any, world: World, persona: str) -> None:
    event = TriagedEventFactory(grid=world.grid_a)
    client = client_as(persona)

    assert client.get("/command/events.json").status_code == 403
    assert client.post(f"/command/events/{event.pk}/do/dispatch/", {"officer_ids": [1]}).status_code == 403
    event.refresh_from_db()
    assert event.status == EventStatus.TRIAGED


# --- actions in place ------------------------------------------------------------------------------------


def in_place(client: Any, event: Event, action: str, data: dict[str, Any], page: str = "/command/") -> Any:
    return client.post(
        f"/command/events/{event.pk}/do/{action}/",
        data,
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{page}"},
    )


def test_dispatch_in_place_answers_the_row_as_it_is_now(client_as: Any, world: World) -> None:
    officer = officer_of(world, "officer_a")
    on_duty(officer)
    event = hotline_event(world)
    DispatchedEventFactory(grid=world.grid_a)  # the queue holds two
    client = client_as("dispatcher")

    response = in_place(client, event, "dispatch", {"officer_ids": [officer.pk], "was_recommended": "1"})

    body = response.content.decode()
    assert response.status_code == 200
    assert body.startswith(f'<tr id="event-{event.pk}" class="queue-row priority-normal"')
    assert 'data-status="dispatched"' in body and "dispatch-btn" not in body
    assert f"{event.public_no}：已派遣：甲队员" in body
    assert '<b id="queue-count" hx-swap-oob="true">2</b>' in body
    event.refresh_from_db()
    assert event.status == EventStatus.DISPATCHED


def test_dispatch_in_place_under_a_waiting_filter_takes_the_row_away(client_as: Any, world: World) -> None:
    officer = officer_of(world, "officer_a")
    on_duty(officer)
    event = hotline_event(world)
    client = client_as("dispatcher")

    response = in_place(client, event, "dispatch", {"officer_ids": [officer.pk]}, page="/command/?clock=waiting")

    body = response.content.decode()
    assert response.status_code == 200
    assert "<tr" not in body
    assert '<b id="queue-count" hx-swap-oob="true">0</b>' in body


def test_a_refused_action_changes_nothing_and_says_why(client_as: Any, world: World) -> None:
    event = hotline_event(world)
    client = client_as("dispatcher")

    response = in_place(client, event, "merge", {"into": "SJ-NOPE", "reason": "同一事件重复上报"})

    body = response.content.decode()
    assert (response.status_code, response["X-Command-Answer"]) == (404, "row")
    assert body.startswith(f'<tr id="event-{event.pk}"')
    assert f'<div class="notice danger">{event.public_no}：事件 SJ-NOPE 不存在或不在您的管辖范围内</div>' in body
    event.refresh_from_db()
    assert event.status == EventStatus.TRIAGED


def test_a_transfer_without_instructions_is_refused_in_place(client_as: Any, world: World) -> None:
    event = hotline_event(world)
    client = client_as("dispatcher")

    response = in_place(client, event, "transfer", {"department_id": world.market_dept.pk, "instructions": ""})

    body = response.content.decode()
    assert response.status_code == 422
    assert f'<tr id="event-{event.pk}"' in body
    assert f'<div class="notice danger">{event.public_no}：请填写转办说明</div>' in body
    event.refresh_from_db()
    assert event.status == EventStatus.TRIAGED


def test_only_the_rows_actions_are_done_in_place(client_as: Any, world: World) -> None:
    event = HandledEventFactory(grid=world.grid_a)

    response = in_place(client_as("dispatcher"), event, "close", {})

    assert response.status_code == 404
    event.refresh_from_db()
    assert event.status == EventStatus.HANDLED


def test_another_streets_event_is_not_found_for_the_street_dispatcher(client_as: Any, world: World) -> None:
    officer = officer_of(world, "officer_b")
    on_duty(officer)
    in_b = TriagedEventFactory(grid=world.grid_b)

    response = in_place(client_as("street_dispatcher_a"), in_b, "dispatch", {"officer_ids": [officer.pk]})

    assert response.status_code == 404
    in_b.refresh_from_db()
    assert in_b.status == EventStatus.TRIAGED


# --- the live stream under the page's filters --------------------------------------------------------------


def test_the_stream_says_whether_a_row_is_in_the_pages_queue_and_new_to_it(client_as: Any, world: World) -> None:
    client = client_as("dispatcher")
    since = timezone.now() - dt.timedelta(seconds=1)
    old = DispatchedEventFactory(grid=world.grid_b)
    Event.objects.filter(pk=old.pk).update(created_at=since - dt.timedelta(hours=1))
    new_in_a = hotline_event(world)

    response = client.get("/command/stream", {"since": since.isoformat(), "street_id": world.street_a.pk})

    rows = {r["id"]: r for r in (json.loads(m.split("data: ", 1)[1]) for m in messages_of(response, wanted=2))}
    assert (rows[new_in_a.pk]["matches"], rows[new_in_a.pk]["is_new"]) == (True, True)
    assert (rows[old.pk]["matches"], rows[old.pk]["is_new"]) == (False, False)
    assert rows[new_in_a.pk]["is_urgent"] is False


def test_a_closed_event_leaves_the_queue_on_the_stream(client_as: Any, world: World) -> None:
    client = client_as("dispatcher")
    since = timezone.now() - dt.timedelta(seconds=1)
    event = HandledEventFactory(grid=world.grid_a)
    services.event_verify(actor=world.user("dispatcher"), event=event)
    services.event_close(actor=world.user("dispatcher"), event=Event.objects.get(pk=event.pk))

    response = client.get("/command/stream", {"since": since.isoformat()})

    [message] = messages_of(response, wanted=1)
    row = json.loads(message.split("data: ", 1)[1])
    assert (row["id"], row["is_open"], row["matches"]) == (event.pk, False, False)


def test_hostile_text_is_escaped_in_the_rows(client_as: Any, world: World) -> None:
    TriagedEventFactory(grid=world.grid_a, description="<img src=x onerror=alert(1)>", address="<b>武林路</b>")

    body = client_as("dispatcher").get("/command/", {"q": "<img"}).content.decode()

    assert "<img src=x" not in body and "<b>武林路" not in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body
    assert 'data-query="q=%3Cimg"' in body
