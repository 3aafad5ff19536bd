"""The demo district's past weeks of events (``manage.py load_demo_history``, run by ``make run`` after the
demo): closed events with their dispatch, clocks, crews and handling, so the leaders' view, the hotspots, the
wall, the reports and predictive deployment have a history to show. The simulation (``make simulate``) does
not load it: its figures are read from the day it replays.

What is drawn, from the seed: per day a number of reports around ``per_day`` (weekends lighter), each at an
hour of the day from a street's daily curve (quiet at night, busy 09:00–19:00), in a grid chosen with a few
hot grids weighted up (markets, school gates, a night-food street), at a point near the grid's inside point;
a matter from the district's catalogue (city-appearance matters most); a source (hotline, patrol, cameras,
the public app, departments). The zone's officers answer: dispatched within a minute and a half, accepted
in ~25 s (now and then later than the minute), on site after a ride of about two and a half minutes (now and
then much longer), handled in
8–25 minutes, closed after checking — so the 1530 figures come out as a real street's do, neither all met
nor all missed.

The rows are written in bulk (as the subject import is, ADR 0003) with one audit entry for the whole load,
and each day's event-number counter set to the numbers used, so the platform's own intake continues after
them. Loading twice is refused: the history is there (``demo_history_loaded``)."""

import datetime as dt
import math
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from shapely.geometry import shape

from zhifa.catalog.models import ComplaintKind, Domain, Matter
from zhifa.core.actors import SystemActor
from zhifa.core.audit import audit_record
from zhifa.core.errors import Conflict
from zhifa.events.models import (
    Event,
    EventAssignment,
    EventDayCounter,
    EventHandlingRound,
    EventTransition,
)
from zhifa.events.states import EventAction, EventSource, EventStatus, TimeBase
from zhifa.org.models import District, Grid, Officer

SOURCE_REF = "demo-history"
ACTOR = SystemActor("演示历史数据")
# A street's day: the share of its reports per hour (the simulation's scenario has the same shape).
HOURLY = [1, 0.5, 0.3, 0.3, 0.5, 1, 2, 5, 9, 11, 12, 13, 12, 10, 11, 12, 12, 11, 10, 9, 7, 5, 3, 2]
SOURCES = [
    (EventSource.HOTLINE, 50),
    (EventSource.PATROL, 25),
    (EventSource.OPEN311, 12),
    (EventSource.AI_CAMERA, 8),
    (EventSource.DEPARTMENT, 5),
]
HOT_GRIDS = 15
HOT_WEIGHT = 8.0
BATCH = 2000


@dataclass(frozen=True)
class _Place:
    grid: Grid
    lon: float
    lat: float
    officers: list[Officer]


def _places(district: District) -> list[_Place]:
    by_zone: dict[int, list[Officer]] = {}
    for officer in Officer.objects.filter(district=district, is_active=True, zone__isnull=False).order_by("pk"):
        by_zone.setdefault(officer.zone_id or 0, []).append(officer)
    out = []
    for grid in Grid.objects.filter(district=district).order_by("pk"):
        if by_zone.get(grid.zone_id):
            inside = shape(grid.boundary).representative_point()
            out.append(_Place(grid, inside.x, inside.y, by_zone[grid.zone_id]))
    return out


def _matters(district: District) -> tuple[list[Matter], list[float]]:
    matters = list(
        Matter.objects.filter(district=district, department__isnull=False).select_related("department").order_by("pk")
    )
    weights = [6.0 if m.domain == Domain.CITY_APPEARANCE else 1.0 for m in matters]
    return matters, weights


def history_build(*, district: District, weeks: int = 8, per_day: int = 240, seed: int = 1530) -> int:
    """Write ``weeks`` weeks of closed events before today; returns how many. Refused when loaded before."""
    if Event.objects.filter(district=district, source_ref=SOURCE_REF).exists():
        raise Conflict("演示历史事件已加载，未做任何改动", code="demo_history_loaded")
    rng = random.Random(seed)
    places = _places(district)
    matters, matter_weights = _matters(district)
    # The complaint kind a report of the matter is triaged to (the first kind naming the matter).
    kinds: dict[int, int] = {}
    for matter_id, kind_id in (
        ComplaintKind.matters.through.objects.filter(matter__district=district)
        .order_by("complaintkind_id")
        .values_list("matter_id", "complaintkind_id")
    ):
        kinds.setdefault(matter_id, kind_id)
    if not places or not matters:
        return 0
    place_weights = [1.0] * len(places)
    for i in rng.sample(range(len(places)), min(HOT_GRIDS, len(places))):
        place_weights[i] = HOT_WEIGHT
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    sources, source_weights = zip(*SOURCES, strict=True)
    total = 0
    with transaction.atomic():
        for back in range(weeks * 7, 0, -1):
            day = today - dt.timedelta(days=back)
            count = max(1, round(per_day * (0.75 if day.weekday() >= 5 else 1.0) * rng.uniform(0.85, 1.15)))
            hours = rng.choices(range(24), weights=HOURLY, k=count)
            reports = sorted(
                dt.datetime.combine(day, dt.time(h), tzinfo=tz) + dt.timedelta(seconds=rng.uniform(0, 3600))
                for h in hours
            )
            events, crews = [], []
            prefix = "SJ" + day.strftime("%Y%m%d")
            for n, reported in enumerate(reports, start=1):
                place = rng.choices(places, weights=place_weights)[0]
                matter = rng.choices(matters, weights=matter_weights)[0]
                dispatched = reported + dt.timedelta(seconds=rng.uniform(5, 90))
                acknowledged = dispatched + dt.timedelta(seconds=rng.lognormvariate(math.log(25), 0.7))
                arrived = acknowledged + dt.timedelta(seconds=rng.lognormvariate(math.log(150), 0.5))
                handled = arrived + dt.timedelta(minutes=rng.uniform(8, 25))
                closed = handled + dt.timedelta(minutes=rng.uniform(1, 30))
                jitter = 0.0006
                events.append(
                    Event(
                        district=district,
                        public_no=f"{prefix}{n:06d}",
                        source=rng.choices(sources, weights=source_weights)[0],
                        source_ref=SOURCE_REF,
                        status=EventStatus.CLOSED,
                        description=f"市民反映：{matter.name}",
                        lon=place.lon + rng.uniform(-jitter, jitter),
                        lat=place.lat + rng.uniform(-jitter, jitter),
                        street_id=place.grid.street_id,
                        zone_id=place.grid.zone_id,
                        grid=place.grid,
                        matter=matter,
                        kind_id=kinds.get(matter.pk),
                        department=matter.department,
                        outcome="已到场处置。",
                        reported_at=reported,
                        triaged_at=reported,
                        dispatched_at=dispatched,
                        acknowledged_at=acknowledged,
                        arrived_at=arrived,
                        handled_at=handled,
                        closed_at=closed,
                        time_base=TimeBase.AROUND_THE_CLOCK,
                        acknowledge_due_at=dispatched + dt.timedelta(minutes=1),
                        arrive_due_at=dispatched + dt.timedelta(minutes=5),
                        handle_due_at=dispatched + dt.timedelta(minutes=30),
                    )
                )
                crews.append(rng.choice(place.officers))
            Event.objects.bulk_create(events, batch_size=BATCH)
            _lifecycle(events, crews)
            EventDayCounter.objects.update_or_create(day=day, defaults={"last": len(events)})
            total += len(events)
        audit_record(
            actor=ACTOR,
            action="demo.history_load",
            obj=district,
            after={"weeks": weeks, "per_day": per_day, "seed": seed, "events": total},
        )
    return total


def _lifecycle(events: list[Event], crews: list[Officer]) -> None:
    """Each event's crew, handling round and state changes, as the services would have written them."""
    if events and events[0].pk is None:  # a backend that returns no keys from a bulk insert
        by_no = dict(Event.objects.filter(public_no__in=[e.public_no for e in events]).values_list("public_no", "pk"))
        for event in events:
            event.pk = by_no[event.public_no]
    assignments, rounds, transitions = [], [], []
    steps = (
        (EventAction.TRIAGE, EventStatus.REPORTED, EventStatus.TRIAGED, "triaged_at"),
        (EventAction.DISPATCH, EventStatus.TRIAGED, EventStatus.DISPATCHED, "dispatched_at"),
        (EventAction.ACKNOWLEDGE, EventStatus.DISPATCHED, EventStatus.ACKNOWLEDGED, "acknowledged_at"),
        (EventAction.ARRIVE, EventStatus.ACKNOWLEDGED, EventStatus.ARRIVED, "arrived_at"),
        (EventAction.HANDLE, EventStatus.ARRIVED, EventStatus.HANDLED, "handled_at"),
        (EventAction.VERIFY, EventStatus.HANDLED, EventStatus.VERIFIED, "closed_at"),
        (EventAction.CLOSE, EventStatus.VERIFIED, EventStatus.CLOSED, "closed_at"),
    )
    for event, officer in zip(events, crews, strict=True):
        assignments.append(
            EventAssignment(
                event=event,
                officer=officer,
                is_lead=True,
                assigned_at=event.dispatched_at or event.reported_at,
                was_recommended=True,
                acknowledged_at=event.acknowledged_at,
                arrived_at=event.arrived_at,
                released_at=event.closed_at,
            )
        )
        rounds.append(
            EventHandlingRound(
                event=event,
                number=1,
                handled_by_label=officer.name,
                outcome=event.outcome,
                handled_at=event.handled_at or event.reported_at,
                dispatched_at=event.dispatched_at,
                acknowledged_at=event.acknowledged_at,
                arrived_at=event.arrived_at,
                acknowledge_due_at=event.acknowledge_due_at,
                arrive_due_at=event.arrive_due_at,
                handle_due_at=event.handle_due_at,
            )
        )
        for action, before, after, field in steps:
            transitions.append(
                EventTransition(
                    event=event,
                    action=action,
                    from_status=before,
                    to_status=after,
                    actor_label=officer.name if action in (EventAction.ACKNOWLEDGE, EventAction.ARRIVE) else "演示",
                    created_at=getattr(event, field),
                )
            )
    EventAssignment.objects.bulk_create(assignments, batch_size=BATCH)
    EventHandlingRound.objects.bulk_create(rounds, batch_size=BATCH)
    through = EventHandlingRound.officers.through
    if rounds and rounds[0].pk is None:
        keys = dict(EventHandlingRound.objects.filter(event__in=events).values_list("event_id", "pk"))
        for r in rounds:
            r.pk = keys[r.event_id]
    through.objects.bulk_create(
        [through(eventhandlinground_id=r.pk, officer_id=o.pk) for r, o in zip(rounds, crews, strict=True)],
        batch_size=BATCH,
    )
    EventTransition.objects.bulk_create(transitions, batch_size=BATCH)
