"""Reads scoped by jurisdiction, ordered by deadline, with bounded queries; phones masked."""

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhifa.core.errors import NotFound
from zhifa.events import selectors
from zhifa.events.privacy import mask_phone
from zhifa.events.tests.conftest import officer_of
from zhifa.events.tests.factories import (
    AcknowledgedEventFactory,
    ClosedEventFactory,
    CoordinationTaskFactory,
    DispatchedEventFactory,
    EventFactory,
    OfficerPositionFactory,
    TriagedEventFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("phone", "masked"),
    [("13812341234", "138****1234"), ("", ""), ("110", "***"), ("0571-88001234", "057******1234")],
)
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


def test_each_role_sees_its_own_scope(world: Any) -> None:
    in_a = EventFactory(grid=world.grid_a)
    in_b = EventFactory(grid=world.grid_b)
    task = CoordinationTaskFactory(event__grid=world.grid_b, department=world.market_dept)
    mine = EventFactory(grid=world.grid_a, reporter_user=world.user("business_owner"))

    def seen(persona: str) -> set[int]:
        return set(selectors.event_list(user=world.user(persona)).values_list("pk", flat=True))

    assert seen("dispatcher") == {in_a.pk, in_b.pk, task.event_id, mine.pk}
    assert seen("leader") == {in_a.pk, in_b.pk, task.event_id, mine.pk}
    assert seen("officer_a") == {in_a.pk, mine.pk}
    assert seen("auxiliary_a") == {in_a.pk, mine.pk}
    assert seen("officer_b") == {in_b.pk, task.event_id}
    assert seen("liaison") == {task.event_id}
    assert seen("business_owner") == {mine.pk}


def test_an_event_outside_the_scope_does_not_exist_for_the_reader(world: Any) -> None:
    in_b = EventFactory(grid=world.grid_b)

    with pytest.raises(NotFound) as refused:
        selectors.event_get(user=world.user("officer_a"), event_id=in_b.pk)

    assert refused.value.code == "event_not_found"
    assert selectors.event_get_by_public_no(user=world.user("officer_b"), public_no=in_b.public_no).pk == in_b.pk


def test_the_queue_puts_the_nearest_running_deadline_first(world: Any) -> None:
    now = timezone.now()
    waiting = TriagedEventFactory(grid=world.grid_a)
    later = DispatchedEventFactory(grid=world.grid_a, dispatched_at=now)
    sooner = AcknowledgedEventFactory(grid=world.grid_a, dispatched_at=now - dt.timedelta(minutes=10))
    ClosedEventFactory(grid=world.grid_a)

    queue = list(selectors.event_queue(user=world.user("dispatcher")))

    assert [e.pk for e in queue] == [sooner.pk, later.pk, waiting.pk]
    assert queue[0].next_due_at == sooner.arrive_due_at


def test_officer_tasks_are_the_officers_active_assignments(world: Any) -> None:
    officer = officer_of(world, "officer_a")
    mine = DispatchedEventFactory(grid=world.grid_a, officers=[officer])
    DispatchedEventFactory(grid=world.grid_a)

    assert [e.pk for e in selectors.officer_tasks(user=world.user("officer_a"))] == [mine.pk]
    assert list(selectors.officer_tasks(user=world.user("officer_b"))) == []


def test_latest_positions_with_busy_flag(world: Any) -> None:
    a, b = officer_of(world, "officer_a"), officer_of(world, "officer_b")
    now = timezone.now()
    OfficerPositionFactory(officer=a, lon=120.101, lat=30.301, recorded_at=now - dt.timedelta(minutes=5))
    OfficerPositionFactory(officer=a, lon=120.102, lat=30.302, recorded_at=now)
    OfficerPositionFactory(officer=b, lon=120.112, lat=30.302, recorded_at=now)
    DispatchedEventFactory(grid=world.grid_a, officers=[a])

    rows = [
        (p.officer.name, p.lon, p.is_busy) for p in selectors.officer_positions_latest(user=world.user("dispatcher"))
    ]
    street_rows = [p.officer.name for p in selectors.officer_positions_latest(user=world.user("officer_a"))]

    assert sorted(rows) == [("乙队员", 120.112, False), ("甲队员", 120.102, True)]
    assert street_rows == ["甲队员"]


def test_events_changed_since(world: Any) -> None:
    old = EventFactory(grid=world.grid_a)
    since = timezone.now()
    new = EventFactory(grid=world.grid_a)

    changed = [e.pk for e in selectors.events_changed_since(user=world.user("dispatcher"), since=since)]

    assert old.pk not in changed
    assert changed == [new.pk]


def test_a_merged_reporter_gets_the_primarys_outcome(world: Any) -> None:
    primary = ClosedEventFactory(grid=world.grid_a, outcome="已拆除违章广告牌")
    duplicate = EventFactory(grid=world.grid_a, status="merged", merged_into=primary)

    outcome = selectors.event_outcome_for_reporter(event=duplicate)

    assert (outcome.public_no, outcome.handled_public_no, outcome.status, outcome.outcome) == (
        duplicate.public_no,
        primary.public_no,
        "closed",
        "已拆除违章广告牌",
    )


@pytest.mark.parametrize("rows", [3, 12])
def test_list_and_queue_cost_a_fixed_number_of_queries(world: Any, rows: int) -> None:
    for _ in range(rows):
        DispatchedEventFactory(grid=world.grid_a)
        CoordinationTaskFactory(event__grid=world.grid_b, department=world.market_dept)
    user = world.user("dispatcher")
    user.profile  # noqa: B018 — the profile is read once per request by the middleware

    with CaptureQueriesContext(connection) as listed:
        items = [(e.street.name, e.zone.name, e.matter) for e in selectors.event_list(user=user)]
    with CaptureQueriesContext(connection) as queued:
        queue = [(e.street.name, e.next_due_at) for e in selectors.event_queue(user=user)]

    assert (len(items), len(queue)) == (2 * rows, 2 * rows)
    assert (len(listed), len(queued)) == (1, 1)
