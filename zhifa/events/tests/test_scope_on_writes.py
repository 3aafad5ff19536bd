"""Every write to an event outside the actor's scope is "not found", whatever the event's state, and writes
nothing — through the API and the pages, for both ends of a merge (issue 9, item 5).

Each action is taken by a persona who may take it on an event of their own scope (200 through the API, a
redirect from the pages), and by the same persona on another street's event in the state the action needs,
on an id that does not exist, and on another street's closed event: the three answers are the same 404 and
nothing changes (transitions, audit entries, assignments, positions, notices, photo rows and files)."""

import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conftest import POINT_IN_A, POINT_IN_B
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.core.errors import NotFound
from zhifa.core.models import AuditEntry
from zhifa.events import services
from zhifa.events.models import (
    ClassificationFeedback,
    CoordinationTask,
    Event,
    EventAssignment,
    EventPhoto,
    EventTransition,
    Notification,
    OfficerPosition,
)
from zhifa.events.states import EventStatus
from zhifa.events.tests.conftest import jpeg_bytes, officer_of, report

pytestmark = pytest.mark.django_db

NOT_FOUND = {"code": "event_not_found", "message": "事件不存在或不在您的管辖范围内"}
STEPS = ["reported", "triaged", "dispatched", "acknowledged", "arrived", "handled", "verified", "closed"]


def event_in(world: Any, street: str, state: str) -> Event:
    """An event of street A or B brought to ``state`` through the services, with that street's officer."""
    point = POINT_IN_A if street == "A" else POINT_IN_B
    officer = world.user("officer_a" if street == "A" else "officer_b")
    dispatcher = world.user("dispatcher")
    event = report(world, lon=point[0], lat=point[1], auto_triage=state != "reported")
    if state == "transferred":
        services.event_transfer(actor=dispatcher, event=event, department=world.market_dept, instructions="请核处")
        return Event.objects.get(pk=event.pk)
    for step in STEPS[2 : STEPS.index(state) + 1]:
        if step == "dispatched":
            who = officer_of(world, "officer_a" if street == "A" else "officer_b")
            event = services.event_dispatch(actor=dispatcher, event=event, officers=[who])
        elif step == "acknowledged":
            event = services.event_acknowledge(actor=officer, event=event)
        elif step == "arrived":
            event = services.event_arrive(actor=officer, event=event, lon=event.lon, lat=event.lat)
        elif step == "handled":
            event = services.event_handle(actor=officer, event=event, outcome="已劝离")
        elif step == "verified":
            event = services.event_verify(actor=dispatcher, event=event)
        elif step == "closed":
            event = services.event_close(actor=dispatcher, event=event)
    return event


def footprint() -> tuple[Any, ...]:
    media = Path(settings.MEDIA_ROOT)
    files = sorted(str(p) for p in media.rglob("*") if p.is_file()) if media.exists() else []
    return (
        sorted(Event.objects.values_list("pk", "status", "street_id", "merged_into_id", "matter_id")),
        EventTransition.objects.count(),
        AuditEntry.objects.count(),
        EventAssignment.objects.count(),
        sorted(EventAssignment.objects.values_list("pk", "released_at", "acknowledged_at", "arrived_at")),
        OfficerPosition.objects.count(),
        Notification.objects.count(),
        sorted(CoordinationTask.objects.values_list("pk", "feedback")),
        ClassificationFeedback.objects.count(),
        EventPhoto.objects.count(),
        files,
    )


# action → (persona, the state the action needs, the API body, the page's URL name and form)
ACTIONS: dict[str, tuple[str, str]] = {
    "triage": ("street_dispatcher_a", "reported"),
    "dispatch": ("street_dispatcher_a", "triaged"),
    "redispatch": ("street_dispatcher_a", "dispatched"),
    "acknowledge": ("officer_a", "dispatched"),
    "arrive": ("officer_a", "acknowledged"),
    "handle": ("officer_a", "arrived"),
    "verify": ("street_dispatcher_a", "handled"),
    "redo": ("street_dispatcher_a", "handled"),
    "close": ("street_dispatcher_a", "verified"),
    "return": ("officer_a", "dispatched"),
    "transfer": ("street_dispatcher_a", "triaged"),
    "feedback": ("liaison", "transferred"),
    "merge": ("street_dispatcher_a", "triaged"),
    "reject": ("street_dispatcher_a", "triaged"),
    "classify": ("street_dispatcher_a", "triaged"),
}


def _api_body(world: Any, action: str, target: Event | None) -> dict[str, Any]:
    point = (target.lon, target.lat) if target is not None else POINT_IN_A
    return {
        "dispatch": {"officer_ids": [officer_of(world, "officer_a").pk]},
        "redispatch": {"officer_ids": [officer_of(world, "officer_a").pk], "reason": "改派"},
        "arrive": {"lon": point[0], "lat": point[1]},
        "redo": {"reason": "不合格"},
        "return": {"reason": "非本片区"},
        "transfer": {"department_id": world.market_dept.pk, "instructions": "请核处"},
        "feedback": {"feedback": "已责令整改"},
        "merge": {"into_id": report(world, description="同一处的另一条上报").pk, "reason": "重复上报"},
        "reject": {"reason": "不属于执法事项"},
        "classify": {"matter_id": MatterFactory(department=world.enforcement_dept).pk},
        "handle": {"outcome": "已劝离"},
    }.get(action, {})


def _api(client: Client, action: str, event_id: int, body: dict[str, Any]) -> Any:
    url = f"/api/v1/events/{event_id}/actions/{action}"
    if action == "handle":
        photo = SimpleUploadedFile("p.jpg", jpeg_bytes(), "image/jpeg")
        return client.post(url, data={"payload": json.dumps(body), "photos": [photo]})
    return client.post(url, data=json.dumps(body), content_type="application/json")


def _page(client: Client, world: Any, action: str, event_id: int, body: dict[str, Any]) -> Any:
    if action in {"acknowledge", "arrive", "handle"}:
        url = f"/m/events/{event_id}/{action}/"
        form: dict[str, Any] = {"arrive": {"lon": body.get("lon"), "lat": body.get("lat"), "accuracy": 5}}.get(
            action, {}
        )
        if action == "handle":
            form = {"outcome": "已劝离", "photos": [SimpleUploadedFile("p.jpg", jpeg_bytes(), "image/jpeg")]}
        return client.post(url, form)
    form = {k: v for k, v in body.items() if k not in {"officer_ids", "into_id"}}
    if "officer_ids" in body:
        form["officer_ids"] = body["officer_ids"]
    if action == "merge":
        form["into"] = Event.objects.get(pk=body["into_id"]).public_no
    return client.post(f"/events/{event_id}/do/{action}/", form)


def _target(world: Any, case: str, state: str) -> int:
    if case == "own":
        return event_in(world, "A", state).pk
    if case == "other":
        # The liaison's "other" is an event that was not transferred to their department.
        return event_in(world, "B", "triaged" if state == "transferred" else state).pk
    if case == "closed_other":
        return event_in(world, "B", "closed").pk
    return (Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000


@pytest.mark.parametrize("channel", ["api", "page"])
@pytest.mark.parametrize("case", ["own", "other", "missing", "closed_other"])
@pytest.mark.parametrize("action", list(ACTIONS))
def test_a_write_outside_scope_is_not_found_whatever_the_state_and_writes_nothing(
    world: Any, action: str, case: str, channel: str
) -> None:
    # Given the persona for the action, and the target of the case
    persona, state = ACTIONS[action]
    target_id = _target(world, case, state)
    target = Event.objects.filter(pk=target_id).first()
    body = _api_body(world, action, target)
    client = Client()
    client.force_login(world.user(persona))
    before = footprint()
    # When the persona takes the action on it
    if channel == "api":
        response = _api(client, action, target_id, body)
    else:
        response = _page(client, world, action, target_id, body)
    # Then in their own scope it is done; anywhere else the answer is the same 404 and nothing is written
    if case == "own":
        assert response.status_code == (200 if channel == "api" else 302), response.content.decode()[:300]
        assert footprint() != before
        return
    assert response.status_code == 404
    if channel == "api":
        assert response.json() == {**NOT_FOUND, "details": {"id": target_id}}
    assert footprint() == before


@pytest.mark.parametrize("channel", ["api", "page"])
@pytest.mark.parametrize("into_case", ["other_open", "other_closed", "missing"])
def test_a_street_dispatcher_cannot_merge_into_another_streets_event(world: Any, into_case: str, channel: str) -> None:
    # Given an event of street A and a target that is street B's (open or closed) or missing
    own = event_in(world, "A", "triaged")
    if into_case == "missing":
        into_id, into_no = own.pk + 1000, "SJ20990101999999"
    else:
        into = event_in(world, "B", "triaged" if into_case == "other_open" else "closed")
        into_id, into_no = into.pk, into.public_no
    client = Client()
    client.force_login(world.user("street_dispatcher_a"))
    before = footprint()
    # When street A's dispatcher merges their event into it
    if channel == "api":
        response = _api(client, "merge", own.pk, {"into_id": into_id, "reason": "重复上报"})
    else:
        response = client.post(f"/events/{own.pk}/do/merge/", {"into": into_no, "reason": "重复上报"})
    # Then the target is "not found" in the same words whatever it is, and nothing is written
    assert response.status_code == 404
    if channel == "api":
        assert response.json() == {**NOT_FOUND, "details": {"id": into_id}}
    else:
        assert f"事件 {into_no} 不存在或不在您的管辖范围内" in response.content.decode()
    assert footprint() == before
    assert Event.objects.get(pk=own.pk).status == EventStatus.TRIAGED


def test_the_merge_service_holds_both_ends_to_the_actors_scope(world: Any) -> None:
    own = event_in(world, "A", "triaged")
    other = event_in(world, "B", "triaged")
    before = footprint()

    with pytest.raises(NotFound) as into_other:
        services.event_merge(actor=world.user("street_dispatcher_a"), event=own, into=other, reason="重复上报")
    with pytest.raises(NotFound) as from_other:
        services.event_merge(actor=world.user("street_dispatcher_a"), event=other, into=own, reason="重复上报")

    assert (into_other.value.details, from_other.value.details) == ({"id": other.pk}, {"id": other.pk})
    assert footprint() == before
    merged = services.event_merge(actor=world.user("dispatcher"), event=own, into=other, reason="重复上报")
    assert (merged.status, merged.merged_into_id) == (EventStatus.MERGED, other.pk)


@pytest.mark.parametrize("persona", ["officer_a", "auxiliary_a", "street_dispatcher_a"])
def test_a_street_role_reporting_in_another_street_is_refused_before_anything_is_written(
    world: Any, persona: str
) -> None:
    client = Client()
    client.force_login(world.user(persona))
    before = footprint()

    response = client.post(
        "/api/v1/events",
        data=json.dumps({"description": "乙街道路边垃圾堆放", "lon": POINT_IN_B[0], "lat": POINT_IN_B[1]}),
        content_type="application/json",
    )
    own = client.post(
        "/api/v1/events",
        data=json.dumps({"description": "甲街道路口占道", "lon": POINT_IN_A[0], "lat": POINT_IN_A[1]}),
        content_type="application/json",
    )

    assert (response.status_code, response.json()) == (
        403,
        {
            "code": "outside_jurisdiction",
            "message": "该位置在乙街道，不在您所在街道的辖区内，请联系指挥中心上报",
            "details": {"street_id": world.street_b.pk},
        },
    )
    assert own.status_code == 201
    assert Event.objects.count() == len(before[0]) + 1


def test_an_officer_sent_to_another_streets_event_works_it_and_sees_it_after_the_report(world: Any) -> None:
    # Given street B's event sent by the command centre to street A's officer
    event = event_in(world, "B", "triaged")
    services.event_dispatch(actor=world.user("dispatcher"), event=event, officers=[officer_of(world, "officer_a")])
    client = Client()
    client.force_login(world.user("officer_a"))
    # When the officer takes every field step through the API
    steps = [
        _api(client, "acknowledge", event.pk, {}),
        _api(client, "arrive", event.pk, {"lon": event.lon, "lat": event.lat}),
        _api(client, "handle", event.pk, {"outcome": "已劝离"}),
    ]
    # Then each is answered with the event, the last one too (the report released the assignment)
    assert [(r.status_code, r.json()["status"]) for r in steps] == [
        (200, "acknowledged"),
        (200, "arrived"),
        (200, "handled"),
    ]
    # And street B's other events stay out of the officer's sight
    hidden = event_in(world, "B", "triaged")
    assert client.get(f"/api/v1/events/{hidden.pk}").status_code == 404


def test_a_liaison_reporting_an_event_is_answered_with_it_and_sees_only_that_one(world: Any) -> None:
    # Given a department liaison, and another street's event that was never transferred to their department
    client = Client()
    client.force_login(world.user("liaison"))
    someone_elses = event_in(world, "B", "triaged")

    # When they report what they saw
    response = client.post(
        "/api/v1/events",
        data=json.dumps({"description": "乙街道路边垃圾堆放", "lon": POINT_IN_B[0], "lat": POINT_IN_B[1]}),
        content_type="application/json",
    )

    # Then the answer is their event (stored once), which they may open again; others' stay not found
    assert response.status_code == 201
    reported = Event.objects.get(pk=response.json()["id"])
    assert (reported.reporter_user, reported.description) == (world.user("liaison"), "乙街道路边垃圾堆放")
    assert client.get(f"/api/v1/events/{reported.pk}").status_code == 200
    assert (client.get(f"/api/v1/events/{someone_elses.pk}").status_code, Event.objects.count()) == (404, 2)
