"""A day built by hand (2026-03-10, Asia/Shanghai) whose every figure is known, seen at 18:00 that day.

Street A (甲街道), grid 甲一网格, ten events dispatched through the day:

- sources: 6 hotline, 3 patrol, 1 drone; kinds: 7 of kind 占道经营 (the first kind), 3 of none;
- reported at 08:xx (4 events), 09:xx (3), 14:xx (3) local time;
- acknowledge: all 10 within the minute (met);
- arrive: 7 at 4 minutes (met), 2 at 7 minutes (missed), 1 never arrived and due long past (missed) → 70%;
- handle: 6 within 30 minutes (met), 1 at 40 minutes (missed), 3 not handled, due past (missed) → 60%;
- escalations: the never-arrived event escalated twice (levels 1, 2 on the arrive clock);
- officer 甲队员 on all 10 (assigned 10), in the handling round of 7 (handled 7).

Street B (乙街道): two events the same day (1 hotline, 1 api), one transferred to the market department
(coordination: feedback in time), one with a second task that ran over its due time without feedback.

Outside the period: one street A event the day before (2026-03-09), one merged duplicate on the day (never
counted). Cases: street A filed C-1 and decided C-2 (filed the day before, fine 200.00) on the day, street B
filed C-4; C-3, filed a month before, has its decision deadline (case_decision) overdue; C-2's payment window
has run out, which is the party's, no agency's delay.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from zhifa.cases.models import Case, CaseDeadline
from zhifa.catalog.models import ComplaintKind
from zhifa.events.models import CoordinationTask, EventEscalation, EventHandlingRound
from zhifa.events.states import Clock, EscalationLevel, EscalationOutcome, EventSource, EventStatus
from zhifa.events.tests.factories import DispatchedEventFactory, EventFactory, TransferredEventFactory
from zhifa.org.models import Officer

TZ = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 3, 10)
NOW = dt.datetime(2026, 3, 10, 18, 0, tzinfo=TZ)


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


@dataclass
class Day:
    world: Any
    kind: ComplaintKind
    officer_a: Officer
    street_a_events: list[Any]
    street_b_events: list[Any]


def _dispatched(world: Any, grid: Any, reported: dt.datetime, **fields: Any) -> Any:
    return DispatchedEventFactory(
        grid=grid,
        district=world.district,
        reported_at=reported,
        dispatched_at=reported + dt.timedelta(minutes=1),
        **fields,
    )


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def day(world: Any, frozen: Any) -> Day:
    kind = ComplaintKind.objects.filter(district=world.district).order_by("pk").first()
    assert kind is not None
    officer_a = Officer.objects.get(user=world.user("officer_a"))
    hours = [8, 8, 8, 8, 9, 9, 9, 14, 14, 14]
    sources = [EventSource.HOTLINE] * 6 + [EventSource.PATROL] * 3 + [EventSource.DRONE]
    arrive_after = [4, 4, 4, 4, 4, 4, 4, 7, 7, None]  # minutes after dispatch
    handle_after = [20, 20, 20, 20, 20, 20, 40, None, None, None]
    events = []
    for i in range(10):
        reported = at(hours[i], 10 + i)
        dispatched = reported + dt.timedelta(minutes=1)
        arrived = dispatched + dt.timedelta(minutes=arrive_after[i]) if arrive_after[i] is not None else None
        handled = dispatched + dt.timedelta(minutes=handle_after[i]) if handle_after[i] is not None else None
        status = EventStatus.HANDLED if handled else EventStatus.ARRIVED if arrived else EventStatus.ACKNOWLEDGED
        event = _dispatched(
            world,
            world.grid_a,
            reported,
            source=sources[i],
            kind=kind if i < 7 else None,
            status=status,
            acknowledged_at=dispatched + dt.timedelta(seconds=30),
            arrived_at=arrived,
            handled_at=handled,
            # every event at the grid's own point: the seven of one kind are one repeat place
            officers=[officer_a],
        )
        if handled is not None:
            handling_round = EventHandlingRound.objects.create(
                event=event, number=1, outcome="已处置", handled_at=handled
            )
            handling_round.officers.add(officer_a)
        events.append(event)
    never = events[9]
    for level in (EscalationLevel.ZONE_LEAD, EscalationLevel.COMMAND_CENTRE):
        EventEscalation.objects.create(
            event=never,
            clock=Clock.ARRIVE,
            level=level,
            due_at=never.arrive_due_at,
            escalated_at=never.arrive_due_at + dt.timedelta(minutes=5 * level),
            outcome=EscalationOutcome.ZONE_LEAD_NOTIFIED,
        )
    # Street B: a transfer answered in time, and one whose task ran out unanswered.
    b1 = TransferredEventFactory(
        grid=world.grid_b, district=world.district, reported_at=at(10), source=EventSource.HOTLINE
    )
    b2 = TransferredEventFactory(grid=world.grid_b, district=world.district, reported_at=at(11), source=EventSource.API)
    CoordinationTask.objects.create(
        event=b1,
        department=world.market_dept,
        due_at=at(16),
        instructions="请核实",
        feedback="已处理",
        feedback_at=at(15),
    )
    CoordinationTask.objects.create(event=b2, department=world.market_dept, due_at=at(17), instructions="请核实")
    # Outside the figures: the day before, and a merged duplicate.
    EventFactory(grid=world.grid_a, district=world.district, reported_at=at(9, day=DAY - dt.timedelta(days=1)))
    EventFactory(grid=world.grid_a, district=world.district, reported_at=at(9, 30), status=EventStatus.MERGED)
    _cases(world, officer_a)
    return Day(world, kind, officer_a, events, [b1, b2])


def _case(world: Any, number: str, **fields: Any) -> Case:
    return Case.objects.create(
        district=world.district,
        number=number,
        source="patrol",
        street=fields.pop("street", world.street_a),
        party_kind="person",
        party_name="张三",
        facts="占道经营",
        discovered_on=DAY - dt.timedelta(days=40),
        violation_ended_on=DAY - dt.timedelta(days=40),
        **fields,
    )


def _cases(world: Any, officer: Officer) -> None:
    _case(world, "C-1", filed_on=DAY, handler=officer)
    decided = _case(world, "C-2", filed_on=DAY - dt.timedelta(days=1), decided_on=DAY, decided_fine=Decimal("200.00"))
    old = _case(world, "C-3", filed_on=DAY - dt.timedelta(days=30))
    _case(world, "C-4", filed_on=DAY, street=world.street_b)
    common = {"article": "APL 60", "starts_on": DAY - dt.timedelta(days=90)}
    CaseDeadline.objects.create(
        case=old, code="case_decision", label="作出处罚决定", due_on=DAY - dt.timedelta(days=1), **common
    )
    CaseDeadline.objects.create(
        case=decided, code="payment", label="缴纳罚款", due_on=DAY - dt.timedelta(days=2), **common
    )
