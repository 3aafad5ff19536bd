"""Escalation of overdue clocks (超时升级), run by the clock worker (``clock_watch``, ``escalate_overdue_task``).

A clock is running while its step is not done: acknowledge until acknowledged, arrive until arrived, handle
until handled (the zone team's clocks, from dispatch), coordination until the department's written
feedback. Past its due time it escalates one level per ``ZHIFA_ESCALATION_STEP_MINUTES``:

1. at the due time — the zone lead (the street dispatchers of the event's street) is notified;
2. one step later — the command centre (the district's dispatchers) is notified;
3. two steps later — the event is re-dispatched to the best other recommended officers, if any are free
   (a coordination task, or an event already on site, cannot be re-dispatched: the command centre is told).
   At most ``ZHIFA_AUTO_REDISPATCH_MAX`` times per event (default 2): crew after crew letting the clock
   run out is for the command centre to settle, not for the watcher to pass round the roster every ten
   minutes; past that, level 3 tells the command centre again.

Each step is recorded once per run of its clock — (event, clock, due time, level); ``EventEscalation``'s
unique constraint settles a race between two workers — and audited, so running the worker twice changes
nothing the second time. A re-dispatch restarts the clocks with new due times, so a new crew that lets them
run out is escalated again from level 1. The steps already taken are read in one query per scan: an event
that has reached level 3 and stays overdue costs the scan nothing more than its row.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from zhifa.core.audit import audit_record
from zhifa.core.batches import batches
from zhifa.core.errors import DomainError
from zhifa.events import recommend
from zhifa.events.clocks import LOCAL_TZ
from zhifa.events.models import CoordinationTask, Event, EventEscalation
from zhifa.events.services.common import (
    SYSTEM_ESCALATION,
    SYSTEM_REDISPATCH,
    active_assignments,
    notify,
    users_with_post,
)
from zhifa.events.services.dispatch import event_redispatch, officers_needed
from zhifa.events.states import FIELD_STATES, Clock, EscalationLevel, EscalationOutcome, EventStatus
from zhifa.org.models import Officer
from zhifa.org.roles import Role

log = logging.getLogger(__name__)

REDISPATCHABLE_STATES = frozenset({EventStatus.DISPATCHED, EventStatus.ACKNOWLEDGED})
DEFAULT_AUTO_REDISPATCH_MAX = 2


def _auto_redispatch_max() -> int:
    return int(getattr(settings, "ZHIFA_AUTO_REDISPATCH_MAX", DEFAULT_AUTO_REDISPATCH_MAX))


def _step() -> dt.timedelta:
    return dt.timedelta(minutes=int(getattr(settings, "ZHIFA_ESCALATION_STEP_MINUTES", 5)))


def running_clocks(event: Event) -> list[tuple[str, dt.datetime]]:
    """The zone team's clocks still running on ``event``, with their due times."""
    clocks: list[tuple[str, dt.datetime]] = []
    if event.status not in FIELD_STATES:
        return clocks
    if event.status == EventStatus.DISPATCHED and event.acknowledged_at is None and event.acknowledge_due_at:
        clocks.append((Clock.ACKNOWLEDGE, event.acknowledge_due_at))
    if event.status != EventStatus.ARRIVED and event.arrived_at is None and event.arrive_due_at:
        clocks.append((Clock.ARRIVE, event.arrive_due_at))
    if event.handled_at is None and event.handle_due_at:
        clocks.append((Clock.HANDLE, event.handle_due_at))
    return clocks


def _levels_due(due_at: dt.datetime, now: dt.datetime) -> int:
    # A clock is missed only once ``now`` is past its due time (``zhifa.events.clocks``: done at the due time is
    # met), so the first step is taken then, not at the due instant itself.
    if now <= due_at:
        return 0
    return min(int(EscalationLevel.REDISPATCH), 1 + int((now - due_at) / _step()))


def events_escalate_overdue(*, now: dt.datetime | None = None) -> list[EventEscalation]:
    """Take every escalation step that is due and not yet taken; returns the steps taken now."""
    now = now or timezone.now()
    taken: list[EventEscalation] = []
    overdue = list(
        Event.objects.filter(status__in=FIELD_STATES)
        .filter(
            Q(status=EventStatus.DISPATCHED, acknowledged_at__isnull=True, acknowledge_due_at__lt=now)
            | Q(arrived_at__isnull=True, arrive_due_at__lt=now)
            | Q(handled_at__isnull=True, handle_due_at__lt=now)
        )
        .order_by("pk")
    )
    tasks = list(
        CoordinationTask.objects.filter(feedback_at__isnull=True, due_at__lt=now, event__status=EventStatus.TRANSFERRED)
        .select_related("event", "department")
        .order_by("pk")
    )
    done = _steps_taken({e.pk for e in overdue} | {t.event_id for t in tasks})
    for event in overdue:
        taken += _escalate_event(event, now, done)
    for task in tasks:
        for level in _levels_to_take(done, task.event_id, Clock.COORDINATION, task.due_at, now):
            step = _take_step(task.event, Clock.COORDINATION, level, task.due_at, now, task=task)
            if step is not None:
                taken.append(step)
    return taken


_Done = dict[tuple[int, str, dt.datetime], set[int]]


def _steps_taken(event_ids: set[int]) -> _Done:
    """The levels already taken per (event, clock, due time), for all the scan's events in a query per batch of
    them: a backlog of overdue events, every district's, can be longer than a statement takes parameters."""
    done: _Done = {}
    steps = EventEscalation.objects.values_list("event_id", "clock", "due_at", "level")
    for chunk in batches(sorted(event_ids)):
        for event_id, clock, due_at, level in steps.filter(event_id__in=chunk):
            done.setdefault((event_id, clock, due_at), set()).add(level)
    return done


def _levels_to_take(done: _Done, event_id: int, clock: str, due_at: dt.datetime, now: dt.datetime) -> list[int]:
    taken = done.get((event_id, clock, due_at), set())
    return [level for level in range(1, _levels_due(due_at, now) + 1) if level not in taken]


def _escalate_event(event: Event, now: dt.datetime, done: _Done) -> list[EventEscalation]:
    taken: list[EventEscalation] = []
    for clock, due_at in running_clocks(event):
        for level in _levels_to_take(done, event.pk, clock, due_at, now):
            step = _take_step(event, clock, level, due_at, now)
            if step is None:
                continue
            taken.append(step)
            if step.outcome == EscalationOutcome.REDISPATCHED:
                return taken  # new officers, new clocks: the other clocks are looked at on the next run
    return taken


def _take_step(
    event: Event,
    clock: str,
    level: int,
    due_at: dt.datetime,
    now: dt.datetime,
    *,
    task: CoordinationTask | None = None,
) -> EventEscalation | None:
    try:
        with transaction.atomic():
            locked = Event.objects.select_for_update().get(pk=event.pk)
            if task is None and (clock, due_at) not in running_clocks(locked):
                return None  # the officer acted (or the clock restarted) since the scan
            if task is not None and locked.status != EventStatus.TRANSFERRED:
                return None
            try:
                with transaction.atomic():
                    step = EventEscalation.objects.create(
                        event=locked, clock=clock, level=level, due_at=due_at, escalated_at=now
                    )
            except IntegrityError:
                return None  # another worker took this step
            step.outcome, note = _act(locked, clock, level, due_at, now, task=task)
            step.note = note[:300]
            step.save(update_fields=["outcome", "note"])
            Event.objects.filter(pk=locked.pk, escalation_level__lt=level).update(escalation_level=level)
            audit_record(
                actor=SYSTEM_ESCALATION,
                action="event.escalate",
                obj=locked,
                after={"clock": clock, "level": level, "due_at": due_at},
                reason=step.note,
            )
            return step
    except DomainError:
        log.exception("escalation of event %s %s level %s failed", event.pk, clock, level)
        return None


def _clock_label(clock: str) -> str:
    return str(Clock(clock).label)


def _act(
    event: Event, clock: str, level: int, due_at: dt.datetime, now: dt.datetime, *, task: CoordinationTask | None
) -> tuple[EscalationOutcome, str]:
    """Takes the step: who is told, or whom the event goes to; returns what it did and the note saying so."""
    late = int((now - due_at).total_seconds() // 60)
    what = f"事件 {event.public_no} {_clock_label(clock)}超时"
    due_text = due_at.astimezone(LOCAL_TZ).strftime("%m-%d %H:%M")
    if level == EscalationLevel.ZONE_LEAD:
        leads = users_with_post(district_id=event.district_id, role=Role.STREET_DISPATCHER, street_id=event.street_id)
        notify(event=event, users=leads, message=f"{what}（时限 {due_text}），请片区负责人督办")
        return EscalationOutcome.ZONE_LEAD_NOTIFIED, f"已通知片区负责人{len(leads)}人"
    dispatchers = users_with_post(district_id=event.district_id, role=Role.DISPATCHER)
    if level == EscalationLevel.COMMAND_CENTRE:
        notify(event=event, users=dispatchers, message=f"{what}已{late}分钟（时限 {due_text}），已升级至指挥中心")
        return EscalationOutcome.COMMAND_CENTRE_NOTIFIED, f"已通知指挥中心{len(dispatchers)}人"
    if task is not None:
        notify(event=event, users=dispatchers, message=f"{what}：{task.department.short_name}逾期{late}分钟未反馈")
        return EscalationOutcome.COORDINATION_OVERDUE, "协同部门逾期未反馈，已再次通知指挥中心"
    if event.status not in REDISPATCHABLE_STATES:
        notify(event=event, users=dispatchers, message=f"{what}已{late}分钟，人员已在现场，未改派")
        return EscalationOutcome.ARRIVED, "人员已在现场处置，未改派；已再次通知指挥中心"
    redispatched = EventEscalation.objects.filter(event=event, outcome=EscalationOutcome.REDISPATCHED).count()
    if redispatched >= _auto_redispatch_max():
        notify(
            event=event,
            users=dispatchers,
            message=f"{what}已{late}分钟，已自动改派{redispatched}次仍超时，请人工处置",
        )
        return EscalationOutcome.REDISPATCH_CAP_REACHED, f"已自动改派{redispatched}次，不再自动改派；已通知指挥中心"
    officers = _other_officers(event, now)
    if not officers:
        notify(event=event, users=dispatchers, message=f"{what}已{late}分钟，无可改派人员，请人工处置")
        return EscalationOutcome.NOBODY_TO_SEND, "无可改派的执法人员，已通知指挥中心"
    event_redispatch(
        actor=SYSTEM_REDISPATCH,
        event=event,
        officers=officers,
        reason=f"{_clock_label(clock)}超时{late}分钟，系统自动改派",
        was_recommended=True,
    )
    return EscalationOutcome.REDISPATCHED, "已改派给" + "、".join(o.name for o in officers)


def _other_officers(event: Event, now: dt.datetime) -> list[Officer]:
    current = {a.officer_id for a in active_assignments(event)}
    needed = officers_needed(event)
    candidates = recommend.recommend_officers(event=event, needed=needed, now=now, limit=needed + len(current) + 5)
    ids = [c.officer_id for c in candidates if c.officer_id not in current][:needed]
    if len(ids) < needed:
        return []
    by_id = Officer.objects.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]
