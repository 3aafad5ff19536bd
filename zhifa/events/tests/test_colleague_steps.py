"""Each officer's own acknowledgement and arrival on an event sent to two (``EventAssignment.acknowledged_at``,
``arrived_at``).

The first officer's step moves the event (its transition, its clocks) and is also kept on their assignment;
the colleague's step, arriving once the event has moved past it, is kept on the colleague's assignment with an
audit entry of its own and no transition. A copy of it writes nothing; anyone not assigned, or anyone once
the event was reported, meets the refusals of today."""

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from conftest import migration_data_step
from zhifa.core.errors import DomainError, PermissionDenied, ValidationFailed
from zhifa.core.models import AuditEntry
from zhifa.events import services
from zhifa.events.models import Event, EventAssignment, EventTransition, Notification, OfficerPosition
from zhifa.events.states import EventAction, EventStatus
from zhifa.events.tests.conftest import officer_of, walk_to
from zhifa.org.models import Officer

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)  # Monday 10:00 in Shanghai


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def sent_to_two(world: Any, colleague: Officer) -> Event:
    """An event of street A dispatched at 10:00 to officer_a (lead) and the colleague."""
    with time_machine.travel(T0, tick=False):
        event = walk_to(world, "triaged")
        return services.event_dispatch(
            actor=world.user("dispatcher"), event=event, officers=[officer_of(world, "officer_a"), colleague]
        )


def step_times(event: Event) -> dict[str, tuple[dt.datetime | None, dt.datetime | None]]:
    """Each active assignment's own acknowledgement and arrival, by officer's username."""
    rows = EventAssignment.objects.filter(event=event, released_at__isnull=True).select_related("officer__user")
    return {a.officer.user.username: (a.acknowledged_at, a.arrived_at) for a in rows}  # type: ignore[union-attr]


def written(event: Event) -> tuple[Any, ...]:
    """Everything a field step writes, as stored."""
    fresh = Event.objects.get(pk=event.pk)
    return (
        fresh.status,
        fresh.acknowledged_at,
        fresh.arrived_at,
        fresh.updated_at,
        EventTransition.objects.count(),
        AuditEntry.objects.count(),
        list(OfficerPosition.objects.order_by("pk").values_list("officer_id", "lon", "lat", "recorded_at")),
        list(EventAssignment.objects.order_by("pk").values_list("acknowledged_at", "arrived_at", "released_at")),
        Notification.objects.count(),
    )


def field_steps(event: Event) -> list[tuple[str, str]]:
    rows = EventTransition.objects.filter(event=event, action__in=[EventAction.ACKNOWLEDGE, EventAction.ARRIVE])
    return [(t.action, t.actor.username) for t in rows.order_by("pk")]  # type: ignore[union-attr]


def audit_since(count: int) -> list[tuple[str, str, str, Any, Any, str]]:
    entries = AuditEntry.objects.order_by("seq")[count:]
    return [(e.action, e.object_type, e.object_id, e.before, e.after, e.reason) for e in entries]


def assignment_of(event: Event, officer: Officer) -> EventAssignment:
    return EventAssignment.objects.get(event=event, officer=officer, released_at__isnull=True)


def test_the_first_officers_steps_are_kept_on_their_own_assignment(world: Any, colleague: Officer) -> None:
    # Given an event sent at 10:00 to officer_a and a colleague
    event = sent_to_two(world, colleague)
    officer = world.user("officer_a")

    # When officer_a acknowledges (tapped offline at 10:00:30, arriving at 10:02) and arrives at 10:04
    with time_machine.travel(at(2), tick=False):
        event = services.event_acknowledge(actor=officer, event=event, acted_at=at(0.5))
    with time_machine.travel(at(4), tick=False):
        event = services.event_arrive(actor=officer, event=event, lon=event.lon, lat=event.lat)

    # Then their assignment holds the same times as the event; the colleague's holds none yet
    assert (event.acknowledged_at, event.arrived_at) == (at(0.5), at(4))
    assert step_times(event) == {"officer_a": (at(0.5), at(4)), "colleague_a": (None, None)}


@pytest.mark.parametrize("state", [EventStatus.ACKNOWLEDGED, EventStatus.ARRIVED])
def test_the_colleague_acknowledges_after_the_first_officer(world: Any, colleague: Officer, state: str) -> None:
    # Given an event sent to two, acknowledged by officer_a at 10:01 (and arrived by them at 10:02)
    event = sent_to_two(world, colleague)
    officer = world.user("officer_a")
    with time_machine.travel(at(1), tick=False):
        event = services.event_acknowledge(actor=officer, event=event)
    if state == EventStatus.ARRIVED:
        with time_machine.travel(at(2), tick=False):
            event = services.event_arrive(actor=officer, event=event, lon=event.lon, lat=event.lat)
    transitions = EventTransition.objects.count()
    audit_count = AuditEntry.objects.count()

    # When the colleague's acknowledgement, tapped offline at 10:01:30, arrives at 10:03
    with time_machine.travel(at(3), tick=False):
        returned = services.event_acknowledge(actor=colleague.user, event=event, acted_at=at(1.5))

    # Then it is kept on the colleague's assignment at its tap, with one audit entry; the event, its clocks
    # and its transitions stay officer_a's
    assert (returned.pk, returned.status, returned.acknowledged_at) == (event.pk, state, at(1))
    stored = Event.objects.get(pk=event.pk)
    assert (stored.status, stored.acknowledged_at, stored.updated_at) == (state, at(1), event.updated_at)
    assert EventTransition.objects.count() == transitions
    assert field_steps(event)[0] == ("acknowledge", "officer_a")
    assert step_times(event)["colleague_a"] == (at(1.5), None)
    mine = assignment_of(event, colleague)
    assert audit_since(audit_count) == [
        (
            "event.colleague_acknowledge",
            "events.eventassignment",
            str(mine.pk),
            {"acknowledged_at": None},
            {"event_id": event.pk, "officer_id": colleague.pk, "acknowledged_at": "2026-06-01T02:01:30+00:00"},
            "同组队员响应；补发：按上报的操作时间 06-01 10:01:30 计时，06-01 10:03:00 送达",
        )
    ]


def test_the_colleagues_acknowledgement_sent_again_writes_nothing(world: Any, colleague: Officer) -> None:
    # Given an event sent to two, acknowledged by officer_a, then by the colleague at 10:02
    event = sent_to_two(world, colleague)
    with time_machine.travel(at(1), tick=False):
        event = services.event_acknowledge(actor=world.user("officer_a"), event=event)
    with time_machine.travel(at(2), tick=False):
        services.event_acknowledge(actor=colleague.user, event=event)
    before = written(event)

    # When the colleague's acknowledgement arrives again at 10:03
    with time_machine.travel(at(3), tick=False):
        returned = services.event_acknowledge(actor=colleague.user, event=event, acted_at=at(2.5))

    # Then it is answered with the event, and nothing is written
    assert (returned.pk, returned.status) == (event.pk, EventStatus.ACKNOWLEDGED)
    assert written(event) == before
    assert step_times(event)["colleague_a"] == (at(2), None)


def test_the_colleague_arrives_after_the_first_officer(world: Any, colleague: Officer) -> None:
    # Given an event sent to two, acknowledged by both and arrived by officer_a at 10:03
    event = sent_to_two(world, colleague)
    officer = world.user("officer_a")
    with time_machine.travel(at(1), tick=False):
        event = services.event_acknowledge(actor=officer, event=event)
        services.event_acknowledge(actor=colleague.user, event=event)
    with time_machine.travel(at(3), tick=False):
        event = services.event_arrive(actor=officer, event=event, lon=event.lon, lat=event.lat)
    transitions = EventTransition.objects.count()
    audit_count = AuditEntry.objects.count()

    # When the colleague arrives at 10:04, about 100 m from the event
    with time_machine.travel(at(4), tick=False):
        returned = services.event_arrive(
            actor=colleague.user, event=event, lon=event.lon, lat=event.lat + 0.0009, accuracy_m=6
        )

    # Then their arrival and position are recorded, with one audit entry and no transition; the event's
    # arrival (and its arrive clock) stays officer_a's
    assert (returned.status, returned.arrived_at) == (EventStatus.ARRIVED, at(3))
    assert Event.objects.get(pk=event.pk).arrived_at == at(3)
    assert EventTransition.objects.count() == transitions
    assert field_steps(event) == [("acknowledge", "officer_a"), ("arrive", "officer_a")]
    assert step_times(event) == {"officer_a": (at(1), at(3)), "colleague_a": (at(1), at(4))}
    assert list(
        OfficerPosition.objects.filter(officer=colleague).values_list("lon", "lat", "accuracy_m", "recorded_at")
    ) == [(event.lon, event.lat + 0.0009, 6, at(4))]
    mine = assignment_of(event, colleague)
    assert audit_since(audit_count) == [
        (
            "event.colleague_arrive",
            "events.eventassignment",
            str(mine.pk),
            {"arrived_at": None},
            {"event_id": event.pk, "officer_id": colleague.pk, "arrived_at": "2026-06-01T02:04:00+00:00"},
            "同组队员到场签到",
        )
    ]


@pytest.mark.parametrize("offset", [0.0, 0.01], ids=["same_place", "a_kilometre_away"])
def test_the_colleagues_arrival_sent_again_writes_nothing(world: Any, colleague: Officer, offset: float) -> None:
    # Given an event on site with both officers arrived, the colleague at 10:04
    event = sent_to_two(world, colleague)
    officer = world.user("officer_a")
    with time_machine.travel(at(1), tick=False):
        event = services.event_acknowledge(actor=officer, event=event)
        event = services.event_arrive(actor=officer, event=event, lon=event.lon, lat=event.lat)
    with time_machine.travel(at(4), tick=False):
        services.event_arrive(actor=colleague.user, event=event, lon=event.lon, lat=event.lat)
    before = written(event)

    # When the colleague's arrival arrives again — from where it was made, or from a second tap elsewhere
    with time_machine.travel(at(5), tick=False):
        returned = services.event_arrive(actor=colleague.user, event=event, lon=event.lon, lat=event.lat + offset)

    # Then it is answered with the event, and nothing is written (no position either)
    assert (returned.pk, returned.status) == (event.pk, EventStatus.ARRIVED)
    assert written(event) == before
    assert step_times(event)["colleague_a"] == (None, at(4))


def test_the_colleague_arriving_too_far_away_is_refused_and_nothing_is_written(world: Any, colleague: Officer) -> None:
    # Given an event on site by officer_a's arrival
    event = sent_to_two(world, colleague)
    officer = world.user("officer_a")
    event = services.event_acknowledge(actor=officer, event=event)
    event = services.event_arrive(actor=officer, event=event, lon=event.lon, lat=event.lat)
    before = written(event)

    # When the colleague arrives about 1112 m away
    with pytest.raises(ValidationFailed) as refused:
        services.event_arrive(actor=colleague.user, event=event, lon=event.lon, lat=event.lat + 0.01)

    # Then they are refused with the distance, as anyone arriving, and nothing is written
    assert (refused.value.code, refused.value.details) == ("arrive_too_far", {"distance_m": 1112, "max_m": 300})
    assert refused.value.message == "您距离事件地点约1112米，超过300米，请到达现场后再签到"
    assert written(event) == before


def test_the_colleagues_arrival_is_not_timed_before_their_own_acknowledgement(world: Any, colleague: Officer) -> None:
    # Given an event on site by officer_a at 10:01, and the colleague's acknowledgement at 10:02
    event = sent_to_two(world, colleague)
    officer = world.user("officer_a")
    with time_machine.travel(at(1), tick=False):
        event = services.event_acknowledge(actor=officer, event=event)
        event = services.event_arrive(actor=officer, event=event, lon=event.lon, lat=event.lat)
    with time_machine.travel(at(2), tick=False):
        services.event_acknowledge(actor=colleague.user, event=event)
    audit_count = AuditEntry.objects.count()

    # When the colleague's arrival arrives at 10:05 saying it was made at 10:01:30
    with time_machine.travel(at(5), tick=False):
        services.event_arrive(actor=colleague.user, event=event, lon=event.lon, lat=event.lat, acted_at=at(1.5))

    # Then it counts from its arrival, for the time and the position, and the audit entry says why
    assert step_times(event)["colleague_a"] == (at(2), at(5))
    assert list(OfficerPosition.objects.filter(officer=colleague).values_list("recorded_at", flat=True)) == [at(5)]
    assert [entry[5] for entry in audit_since(audit_count)] == [
        "同组队员到场签到；上报的操作时间 06-01 10:01:30 早于本人响应时间 06-01 10:02:00，按送达时间 06-01 10:05:00 计时"
    ]


def test_two_officers_each_step_once_whoever_is_first(world: Any, colleague: Officer) -> None:
    # Given an event sent to two
    event = sent_to_two(world, colleague)
    officer = world.user("officer_a")

    # When officer_a acknowledges first, the colleague acknowledges and arrives first, then officer_a arrives
    with time_machine.travel(at(1), tick=False):
        event = services.event_acknowledge(actor=officer, event=event)
    with time_machine.travel(at(2), tick=False):
        event = services.event_acknowledge(actor=colleague.user, event=event)
    with time_machine.travel(at(3), tick=False):
        event = services.event_arrive(actor=colleague.user, event=event, lon=event.lon, lat=event.lat)
    with time_machine.travel(at(4), tick=False):
        event = services.event_arrive(actor=officer, event=event, lon=event.lon, lat=event.lat)

    # Then each step moved the event once, by whoever took it first, and each officer's own times are kept
    assert (event.status, event.acknowledged_at, event.arrived_at) == (EventStatus.ARRIVED, at(1), at(3))
    assert field_steps(event) == [("acknowledge", "officer_a"), ("arrive", "colleague_a")]
    assert step_times(event) == {"officer_a": (at(1), at(4)), "colleague_a": (at(2), at(3))}


def test_a_copy_from_before_a_redispatch_to_both_is_the_officers_acknowledgement_of_the_new_dispatch(
    world: Any, colleague: Officer
) -> None:
    # Given an event officer_a acknowledged at 10:00, re-dispatched at 10:10 to the colleague and officer_a,
    # and acknowledged by the colleague at 10:11
    with time_machine.travel(T0, tick=False):
        event = walk_to(world, "acknowledged")
    with time_machine.travel(at(10), tick=False):
        event = services.event_redispatch(
            actor=world.user("dispatcher"),
            event=event,
            officers=[colleague, officer_of(world, "officer_a")],
            reason="加派人员",
        )
    with time_machine.travel(at(11), tick=False):
        event = services.event_acknowledge(actor=colleague.user, event=event)
    transitions = EventTransition.objects.count()

    # When officer_a's acknowledgement tapped at 10:00:30 arrives again at 10:12
    with time_machine.travel(at(12), tick=False):
        services.event_acknowledge(actor=world.user("officer_a"), event=event, acted_at=at(0.5))

    # Then it is not a copy of a step the event rests on: it is officer_a's acknowledgement of the new
    # dispatch, timed at its arrival (the tap was before it), and no transition
    assert step_times(event) == {"colleague_a": (at(11), None), "officer_a": (at(12), None)}
    assert EventTransition.objects.count() == transitions
    assert AuditEntry.objects.order_by("-seq").values_list("reason", flat=True).first() == (
        "同组队员响应；上报的操作时间 06-01 10:00:30 早于派遣给本人的时间 06-01 10:10:00，按送达时间 06-01 10:12:00 计时"
    )


def test_the_api_gives_each_officers_own_times(world: Any, colleague: Officer) -> None:
    # Given an event sent to two, acknowledged by officer_a at 10:01 and by the colleague at 10:02
    event = sent_to_two(world, colleague)
    with time_machine.travel(at(1), tick=False):
        event = services.event_acknowledge(actor=world.user("officer_a"), event=event)
    with time_machine.travel(at(2), tick=False):
        services.event_acknowledge(actor=colleague.user, event=event)
    client = Client()
    client.force_login(world.user("dispatcher"))

    # When the event is read through the API
    detail = client.get(f"/api/v1/events/{event.pk}").json()

    # Then each assignment carries its officer's own acknowledgement and arrival
    assert sorted((a["officer_name"], a["acknowledged_at"], a["arrived_at"]) for a in detail["assignments"]) == [
        ("丙队员", "2026-06-01T02:02:00Z", None),
        ("甲队员", "2026-06-01T02:01:00Z", None),
    ]


@pytest.mark.parametrize("persona", ["officer_b", "auxiliary_a", "dispatcher"])
@pytest.mark.parametrize("step", ["acknowledge", "arrive"])
def test_anyone_not_assigned_is_refused(world: Any, colleague: Officer, persona: str, step: str) -> None:
    # Given an event sent to two, on site by officer_a's arrival
    event = sent_to_two(world, colleague)
    officer = world.user("officer_a")
    event = services.event_acknowledge(actor=officer, event=event)
    event = services.event_arrive(actor=officer, event=event, lon=event.lon, lat=event.lat)
    before = written(event)

    # When someone not sent takes the step
    with pytest.raises(DomainError) as refused:
        take(step, world.user(persona), event)

    # Then they are refused, and nothing is written; street B's officer does not see street A's event at all
    what = {"acknowledge": "响应任务", "arrive": "到场签到"}[step]
    expected = ("not_assigned", f"只有被派遣到该事件的执法人员才能{what}")
    if persona == "officer_b":
        expected = ("event_not_found", "事件不存在或不在您的管辖范围内")
    assert (refused.value.code, refused.value.message) == expected
    assert written(event) == before


@pytest.mark.parametrize("step", ["acknowledge", "arrive"])
def test_once_the_event_is_reported_the_colleague_is_refused_as_today(
    world: Any, colleague: Officer, step: str
) -> None:
    # Given an event sent to two that officer_a took on site and reported (both officers released)
    event = sent_to_two(world, colleague)
    officer = world.user("officer_a")
    event = services.event_acknowledge(actor=officer, event=event)
    event = services.event_arrive(actor=officer, event=event, lon=event.lon, lat=event.lat)
    event = services.event_handle(actor=officer, event=event, outcome="已劝离，恢复通行")
    before = written(event)

    # When the colleague's step arrives
    with pytest.raises(PermissionDenied) as refused:
        take(step, colleague.user, event)

    # Then the task is no longer theirs, and nothing is written
    assert refused.value.code == "not_assigned"
    assert written(event) == before


def take(step: str, actor: Any, event: Event) -> Event:
    if step == "acknowledge":
        return services.event_acknowledge(actor=actor, event=event)
    return services.event_arrive(actor=actor, event=event, lon=event.lon, lat=event.lat)


def test_the_migration_gives_steps_taken_before_it_to_their_officers(world: Any, colleague: Officer) -> None:
    """Events acknowledged and arrived before migration 0007: each step goes to the officer who took it,
    at the time the event holds for it, and a colleague who took neither step keeps both empty."""
    from django.apps import apps

    backfill = migration_data_step("events", "0007_add_assignment_step_times")
    # Given an event officer_a acknowledged at 10:01 (recorded offline, arriving 10:03) and arrived at 10:06
    event = sent_to_two(world, colleague)
    officer = world.user("officer_a")
    with time_machine.travel(at(3), tick=False):
        event = services.event_acknowledge(actor=officer, event=event, acted_at=at(1))
    with time_machine.travel(at(6), tick=False):
        event = services.event_arrive(actor=officer, event=event, lon=event.lon, lat=event.lat)
    # ... stored before the assignments had times of their own
    EventAssignment.objects.update(acknowledged_at=None, arrived_at=None)

    # When the migration's data step runs
    backfill(apps, None)

    # Then officer_a's steps are theirs, at the event's times; the colleague's are still to come
    assert step_times(event) == {"officer_a": (at(1), at(6)), colleague.user.username: (None, None)}
