"""Overdue clocks escalate step by step with frozen time: zone lead, command centre, re-dispatch."""

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from zhifa.core import batches
from zhifa.core.models import AuditEntry
from zhifa.events import services
from zhifa.events.models import CoordinationTask, Event, EventAssignment, EventEscalation, Notification
from zhifa.events.states import Clock, EscalationOutcome, EventStatus
from zhifa.events.tests.conftest import on_duty, walk_to
from zhifa.events.tests.factories import DispatchedEventFactory
from zhifa.org.roles import Role
from zhifa.org.tests.factories import OfficerFactory, ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)  # Monday 10:00 in Shanghai


def minutes(n: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=n)


@pytest.fixture
def zone_lead(world: Any) -> Any:
    user = UserFactory(username="zone_lead_a")
    ProfileFactory(user=user, district=world.district, role=Role.STREET_DISPATCHER, street=world.street_a)
    return user


def steps(result: list[EventEscalation]) -> list[tuple[str, int]]:
    return [(s.clock, s.level) for s in result]


def notified(username: str) -> int:
    return Notification.objects.filter(user__username=username).count()


def test_an_unacknowledged_event_escalates_at_due_then_each_step(world: Any, zone_lead: Any) -> None:
    helper = OfficerFactory(
        district=world.district, name="丙队员", home_department=world.enforcement_dept, street=world.street_a
    )
    with time_machine.travel(T0, tick=False):
        on_duty(helper)  # free and on duty in street A: the one to send when officer_a does not acknowledge
        event = walk_to(world, "dispatched")

    with time_machine.travel(minutes(0.5), tick=False):
        assert services.events_escalate_overdue() == []
    with time_machine.travel(minutes(1), tick=False):  # at the due instant the clock still runs (met if done now)
        assert services.events_escalate_overdue() == []
    with time_machine.travel(minutes(1) + dt.timedelta(seconds=1), tick=False):
        first = services.events_escalate_overdue()
        again = services.events_escalate_overdue()
    assert steps(first) == [("acknowledge", 1)]
    assert again == []
    assert (notified("zone_lead_a"), notified("dispatcher")) == (1, 0)

    with time_machine.travel(minutes(6), tick=False):
        second = services.events_escalate_overdue()
    assert steps(second) == [("acknowledge", 2), ("arrive", 1)]
    assert (notified("zone_lead_a"), notified("dispatcher")) == (2, 1)

    with time_machine.travel(minutes(11), tick=False):
        third = services.events_escalate_overdue()
        assert services.events_escalate_overdue() == []
    assert steps(third) == [("acknowledge", 3)]
    assert (third[0].outcome, third[0].note) == (EscalationOutcome.REDISPATCHED, "已改派给丙队员")
    event.refresh_from_db()
    assert (event.status, event.escalation_level, event.dispatched_at, event.acknowledge_due_at) == (
        EventStatus.DISPATCHED,
        3,
        minutes(11),
        minutes(12),
    )
    assert list(
        EventAssignment.objects.filter(event=event, released_at__isnull=True).values_list("officer__name", flat=True)
    ) == ["丙队员"]
    assert event.transitions.last().actor_label == "系统（超时改派）"
    assert AuditEntry.objects.filter(action="event.escalate").count() == 4
    assert EventEscalation.objects.filter(event=event).count() == 4


def test_a_late_first_run_takes_every_level_due_at_once(world: Any, zone_lead: Any) -> None:
    with time_machine.travel(T0, tick=False):
        event = walk_to(world, "acknowledged")

    with time_machine.travel(minutes(15), tick=False):
        taken = services.events_escalate_overdue()

    assert steps(taken) == [("arrive", 1), ("arrive", 2), ("arrive", 3)]
    assert (taken[2].outcome, taken[2].note) == (EscalationOutcome.NOBODY_TO_SEND, "无可改派的执法人员，已通知指挥中心")
    event.refresh_from_db()
    assert (event.status, event.escalation_level) == (EventStatus.ACKNOWLEDGED, 3)


def test_an_arrived_officer_is_not_redispatched_when_handling_is_late(world: Any, zone_lead: Any) -> None:
    with time_machine.travel(T0, tick=False):
        event = walk_to(world, "arrived")

    with time_machine.travel(minutes(41), tick=False):
        taken = services.events_escalate_overdue()

    assert steps(taken) == [("handle", 1), ("handle", 2), ("handle", 3)]
    assert (taken[2].outcome, taken[2].note) == (
        EscalationOutcome.ARRIVED,
        "人员已在现场处置，未改派；已再次通知指挥中心",
    )
    assert Event.objects.get(pk=event.pk).status == EventStatus.ARRIVED


def test_acting_in_time_stops_the_clock(world: Any, zone_lead: Any) -> None:
    with time_machine.travel(T0, tick=False):
        event = walk_to(world, "dispatched")
        services.event_acknowledge(actor=world.user("officer_a"), event=event)

    with time_machine.travel(minutes(3), tick=False):
        assert services.events_escalate_overdue() == []


def test_an_unanswered_coordination_task_escalates_on_working_days(world: Any, zone_lead: Any) -> None:
    with time_machine.travel(T0, tick=False):
        event = walk_to(world, "transferred")
    due = CoordinationTask.objects.get(event=event).due_at

    with time_machine.travel(due - dt.timedelta(minutes=1), tick=False):
        assert services.events_escalate_overdue() == []
    with time_machine.travel(due + dt.timedelta(minutes=10), tick=False):
        taken = services.events_escalate_overdue()

    assert due == dt.datetime(2026, 6, 4, 2, 0, tzinfo=dt.UTC)
    assert steps(taken) == [("coordination", 1), ("coordination", 2), ("coordination", 3)]
    assert (taken[2].outcome, taken[2].note) == (
        EscalationOutcome.COORDINATION_OVERDUE,
        "协同部门逾期未反馈，已再次通知指挥中心",
    )


def test_the_clock_watch_command_runs_once(world: Any, zone_lead: Any, capsys: Any) -> None:
    with time_machine.travel(T0, tick=False):
        walk_to(world, "dispatched")

    with time_machine.travel(minutes(2), tick=False):
        call_command("clock_watch", "--once")

    assert capsys.readouterr().out.strip().endswith("升级 1 项")
    assert EventEscalation.objects.count() == 1


def test_the_crew_sent_by_a_redispatch_is_escalated_again_when_it_does_not_acknowledge(
    world: Any, zone_lead: Any
) -> None:
    # Given an event officer_a never acknowledged, re-dispatched to 丙队员 at 10:11 (acknowledge due 10:12)
    helper = OfficerFactory(
        district=world.district, name="丙队员", home_department=world.enforcement_dept, street=world.street_a
    )
    with time_machine.travel(T0, tick=False):
        on_duty(helper)
        event = walk_to(world, "dispatched")
    with time_machine.travel(minutes(11), tick=False):
        services.events_escalate_overdue()
    assert Event.objects.get(pk=event.pk).acknowledge_due_at == minutes(12)

    # When 丙队员 lets the new acknowledge clock run out too
    with time_machine.travel(minutes(12) + dt.timedelta(seconds=1), tick=False):
        taken = services.events_escalate_overdue()
        again = services.events_escalate_overdue()

    # Then the new clock starts its own ladder at level 1 (the zone lead hears of it again), once
    assert steps(taken) == [("acknowledge", 1)]
    assert (taken[0].due_at, again) == (minutes(12), [])
    assert notified("zone_lead_a") == 2  # acknowledge L1 of the first crew, acknowledge L1 of the second


def test_a_scan_reads_the_steps_taken_once_whatever_the_number_of_stale_events(
    world: Any, zone_lead: Any, django_assert_max_num_queries: Any
) -> None:
    """Events that reached level 3 and stay overdue (the officers on site, the handling late) cost the
    clock watcher's scan no query of their own: overdue events, coordination tasks, steps taken."""

    def stale_events(n: int) -> None:
        with time_machine.travel(T0, tick=False):
            for _ in range(n):
                walk_to(world, "arrived")
        with time_machine.travel(minutes(41), tick=False):
            services.events_escalate_overdue()

    stale_events(1)
    with time_machine.travel(minutes(50), tick=False), django_assert_max_num_queries(3):
        assert services.events_escalate_overdue() == []
    stale_events(4)
    with time_machine.travel(minutes(50), tick=False), django_assert_max_num_queries(3):
        assert services.events_escalate_overdue() == []


@pytest.mark.parametrize("batch", [None, 1], ids=["one read", "a read per event"])
def test_a_scan_knows_every_events_steps_taken_whether_read_at_once_or_in_batches(
    world: Any, zone_lead: Any, batch: int | None, monkeypatch: Any
) -> None:
    """The steps taken are read in batches of events (a backlog of overdue events can be longer than a statement
    takes parameters): read one event a batch, every event's steps are still known, and none is taken twice."""
    if batch is not None:
        monkeypatch.setattr(batches, "BATCH", batch)
    with time_machine.travel(T0, tick=False):
        events = [walk_to(world, "arrived") for _ in range(3)]
    with time_machine.travel(minutes(41), tick=False):
        first = services.events_escalate_overdue()

    with time_machine.travel(minutes(50), tick=False):
        again = services.events_escalate_overdue()

    assert again == []
    taken = [(s.event_id, s.clock, s.level) for s in first]
    assert {e for e, _clock, _level in taken} == {e.pk for e in events}
    assert sorted(taken) == sorted(
        EventEscalation.objects.filter(event__in=events).values_list("event_id", "clock", "level")
    )


def test_after_two_automatic_redispatches_the_command_centre_settles_it(world: Any, zone_lead: Any) -> None:
    # Given an event nobody acknowledges, with other officers always free to send
    crews = [
        OfficerFactory(
            district=world.district, name=name, home_department=world.enforcement_dept, street=world.street_a
        )
        for name in ("丙队员", "丁队员", "戊队员")
    ]
    with time_machine.travel(T0, tick=False):
        event = walk_to(world, "dispatched")

    # When each crew's acknowledge clock runs out to level 3 in turn (re-dispatches restart it)
    notes = []
    for crew in crews:
        due = Event.objects.get(pk=event.pk).acknowledge_due_at
        on_duty(crew, at=due)  # the next crew comes on duty, free to be sent
        with time_machine.travel(due + dt.timedelta(minutes=10), tick=False):
            notes += [(s.outcome, s.note) for s in services.events_escalate_overdue() if s.level == 3]

    # Then the first two re-dispatch, the third only tells the command centre; 丁队员 keeps the task
    assert notes == [
        (EscalationOutcome.REDISPATCHED, "已改派给丙队员"),
        (EscalationOutcome.REDISPATCHED, "已改派给丁队员"),
        (EscalationOutcome.REDISPATCH_CAP_REACHED, "已自动改派2次，不再自动改派；已通知指挥中心"),
    ]
    assert list(
        EventAssignment.objects.filter(event=event, released_at__isnull=True).values_list("officer__name", flat=True)
    ) == ["丁队员"]
    assert Notification.objects.filter(user__username="dispatcher", message__contains="请人工处置").count() == 1


def test_the_cap_counts_what_the_steps_did_not_how_their_notes_read(world: Any, zone_lead: Any) -> None:
    # Given an event re-dispatched automatically twice, whose steps' notes were later worded otherwise
    crews = [
        OfficerFactory(
            district=world.district, name=name, home_department=world.enforcement_dept, street=world.street_a
        )
        for name in ("丙队员", "丁队员", "戊队员")
    ]
    with time_machine.travel(T0, tick=False):
        event = walk_to(world, "dispatched")
    for crew in crews[:2]:
        due = Event.objects.get(pk=event.pk).acknowledge_due_at
        on_duty(crew, at=due)
        with time_machine.travel(due + dt.timedelta(minutes=10), tick=False):
            services.events_escalate_overdue()
    EventEscalation.objects.filter(outcome=EscalationOutcome.REDISPATCHED).update(note="系统改派")

    # When the second crew's acknowledge clock runs out to level 3 too
    due = Event.objects.get(pk=event.pk).acknowledge_due_at
    on_duty(crews[2], at=due)  # someone is free: only the cap keeps them from being sent
    with time_machine.travel(due + dt.timedelta(minutes=10), tick=False):
        third = [s.outcome for s in services.events_escalate_overdue() if s.level == 3]

    # Then the cap holds: nobody else is sent
    assert third == [EscalationOutcome.REDISPATCH_CAP_REACHED]
    assert list(
        EventAssignment.objects.filter(event=event, released_at__isnull=True).values_list("officer__name", flat=True)
    ) == ["丁队员"]


def test_the_migration_reads_the_outcome_of_steps_taken_before_it_from_their_notes(world: Any) -> None:
    fill = MigrationLoader(connection).get_migration("events", "0010_add_escalation_outcome").operations[-1].code
    # Given steps stored before outcomes were, with the notes escalation wrote then
    event = DispatchedEventFactory(grid=world.grid_a)
    rows = [
        (1, "已通知片区负责人1人"),
        (2, "已通知指挥中心1人"),
        (3, "已改派给丙队员"),
        (3, "已自动改派2次，不再自动改派；已通知指挥中心"),
        (3, "无可改派的执法人员，已通知指挥中心"),
        (3, "人员已在现场处置，未改派；已再次通知指挥中心"),
        (3, "协同部门逾期未反馈，已再次通知指挥中心"),
    ]
    for n, (level, note) in enumerate(rows):
        EventEscalation.objects.create(
            event=event,
            clock=Clock.ACKNOWLEDGE,
            level=level,
            due_at=T0 + dt.timedelta(minutes=n),
            escalated_at=T0,
            note=note,
        )

    # When the migration's data step runs
    fill(apps, None)

    # Then each step says what it did
    assert list(EventEscalation.objects.order_by("due_at").values_list("outcome", flat=True)) == [
        EscalationOutcome.ZONE_LEAD_NOTIFIED,
        EscalationOutcome.COMMAND_CENTRE_NOTIFIED,
        EscalationOutcome.REDISPATCHED,
        EscalationOutcome.REDISPATCH_CAP_REACHED,
        EscalationOutcome.NOBODY_TO_SEND,
        "on_site",  # the name of EscalationOutcome.ARRIVED until migration 0012 (test_renamed_values.py)
        EscalationOutcome.COORDINATION_OVERDUE,
    ]
