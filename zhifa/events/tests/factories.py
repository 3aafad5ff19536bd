"""Factories for events: one per workflow state, filled as the services would have left the row.

Service tests reach states through the services (``walk_to`` in ``conftest.py``); selector and API tests,
which need many rows fast, use these factories.
"""

import datetime as dt
from typing import Any

import factory
from django.utils import timezone

from zhifa.events.models import CoordinationTask, Event, EventAssignment, OfficerPosition, SlaPolicy
from zhifa.events.states import EventRoute, EventSource, EventStatus, TimeBase
from zhifa.org.tests.factories import GridFactory


class EventFactory(factory.django.DjangoModelFactory):
    """A reported event inside its grid (the grid's south-west corner + 0.005°)."""

    class Meta:
        model = Event

    grid = factory.SubFactory(GridFactory)
    zone = factory.SelfAttribute("grid.zone")
    street = factory.SelfAttribute("grid.street")
    district = factory.SelfAttribute("grid.district")
    public_no = factory.Sequence(lambda n: f"SJ20990101{n:06d}")
    source = EventSource.API
    status = EventStatus.REPORTED
    description = factory.Sequence(lambda n: f"测试事件{n}：路边占道经营")
    lon = factory.LazyAttribute(lambda o: o.grid.boundary["coordinates"][0][0][0] + 0.005)
    lat = factory.LazyAttribute(lambda o: o.grid.boundary["coordinates"][0][0][1] + 0.005)
    reported_at = factory.LazyFunction(timezone.now)


class TriagedEventFactory(EventFactory):
    status = EventStatus.TRIAGED
    route = EventRoute.ZONE_TEAM
    triaged_at = factory.LazyFunction(timezone.now)


class DispatchedEventFactory(TriagedEventFactory):
    """Dispatched now with the "1530" clocks; pass ``officers=[...]`` to assign them (first leads)."""

    class Meta:
        skip_postgeneration_save = True

    status = EventStatus.DISPATCHED
    dispatched_at = factory.LazyFunction(timezone.now)
    time_base = TimeBase.AROUND_THE_CLOCK
    acknowledge_due_at = factory.LazyAttribute(lambda o: o.dispatched_at + dt.timedelta(minutes=1))
    arrive_due_at = factory.LazyAttribute(lambda o: o.dispatched_at + dt.timedelta(minutes=5))
    handle_due_at = factory.LazyAttribute(lambda o: o.dispatched_at + dt.timedelta(minutes=30))

    @factory.post_generation
    def officers(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create or not extracted:
            return
        for i, officer in enumerate(extracted):
            EventAssignment.objects.create(
                event=self, officer=officer, is_lead=(i == 0), assigned_at=self.dispatched_at
            )


class AcknowledgedEventFactory(DispatchedEventFactory):
    status = EventStatus.ACKNOWLEDGED
    acknowledged_at = factory.LazyAttribute(lambda o: o.dispatched_at)


class ArrivedEventFactory(AcknowledgedEventFactory):
    status = EventStatus.ARRIVED
    arrived_at = factory.LazyAttribute(lambda o: o.dispatched_at)


class HandledEventFactory(ArrivedEventFactory):
    status = EventStatus.HANDLED
    handled_at = factory.LazyAttribute(lambda o: o.dispatched_at)
    outcome = "已劝离，现场恢复整洁"


class ClosedEventFactory(HandledEventFactory):
    status = EventStatus.CLOSED
    closed_at = factory.LazyAttribute(lambda o: o.dispatched_at)


class TransferredEventFactory(TriagedEventFactory):
    status = EventStatus.TRANSFERRED
    route = EventRoute.COORDINATION


class CoordinationTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoordinationTask

    event = factory.SubFactory(TransferredEventFactory)
    due_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=3))
    instructions = "请核实处理并书面反馈"


class SlaPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SlaPolicy


class OfficerPositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OfficerPosition

    recorded_at = factory.LazyFunction(timezone.now)
