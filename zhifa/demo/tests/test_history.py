"""The demo's past weeks of events (``zhifa.demo.history``): closed events whose steps come in order, with
their crews, numbered as intake numbers them, the leaders' view reading them — and a second load refused."""

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from zhifa.analytics.scope import analytics_scope
from zhifa.analytics.selectors import overview
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.core.errors import Conflict
from zhifa.core.models import AuditEntry
from zhifa.demo.history import history_build
from zhifa.events.models import Event, EventAssignment, EventDayCounter, EventTransition
from zhifa.events.states import EventStatus

NOW = dt.datetime(2026, 3, 16, 10, 0, tzinfo=dt.UTC)


def test_a_week_of_closed_events_for_the_leaders_view(world: Any) -> None:
    MatterFactory(department=world.enforcement_dept, district=world.district)
    with time_machine.travel(NOW, tick=False):
        total = history_build(district=world.district, weeks=1, per_day=12, seed=7)
        events = list(Event.objects.order_by("reported_at"))
        assert len(events) == total > 0
        for e in events:
            assert e.status == EventStatus.CLOSED
            steps = [e.reported_at, e.dispatched_at, e.acknowledged_at, e.arrived_at, e.handled_at, e.closed_at]
            assert steps == sorted(steps)  # type: ignore[type-var]
            assert e.arrive_due_at == e.dispatched_at + dt.timedelta(minutes=5)  # type: ignore[operator]
        # Every event has its crew of the grid's zone, and its seven state changes
        assert EventAssignment.objects.count() == total
        assert all(a.officer.zone_id == a.event.zone_id for a in EventAssignment.objects.select_related("event"))
        assert EventTransition.objects.count() == 7 * total
        # Numbered per day as intake numbers them, the day's counter at the last number used
        assert len({e.public_no for e in events}) == total
        for counter in EventDayCounter.objects.all():
            day_events = [e for e in events if e.public_no.startswith("SJ" + counter.day.strftime("%Y%m%d"))]
            assert counter.last == len(day_events) == max(int(e.public_no[-6:]) for e in day_events)
        # The leaders' view counts them
        scope = analytics_scope(
            user=world.user("leader"),
            date_from=(NOW.date() - dt.timedelta(days=7)).isoformat(),
            date_to=NOW.date().isoformat(),
        )
        assert overview(scope)["total"] == total
        # One audit entry for the load; a second load is refused and writes nothing
        assert AuditEntry.objects.filter(action="demo.history_load").count() == 1
        with pytest.raises(Conflict) as refused:
            history_build(district=world.district, weeks=1, per_day=12, seed=7)
        assert refused.value.code == "demo_history_loaded"
        assert Event.objects.count() == total


def test_the_command_refuses_bad_numbers_and_writes_nothing(world: Any) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("load_demo_history", "--weeks", "0")
    assert Event.objects.count() == 0
