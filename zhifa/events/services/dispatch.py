"""Dispatch and the field steps (指挥调度): dispatch, re-dispatch, acknowledge, arrive, handle, return.

Dispatching starts the acknowledge / arrive / handle clocks ("1530" by default) from the dispatch time, each
due time computed once with the event's SLA policy and stored (DESIGN.md invariants). A re-dispatch
restarts them for the new officers; the escalation steps already taken are not repeated (one per clock
and level, ``EventEscalation``).
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zhifa.core.actors import Actor
from zhifa.core.audit import audit_record, audited_transaction
from zhifa.core.errors import Conflict, PermissionDenied, ValidationFailed
from zhifa.events import photos as photo_store
from zhifa.events.clocks import LOCAL_TZ, clock_due, sla_policy_for
from zhifa.events.distance import haversine_m
from zhifa.events.models import Event, EventAssignment, EventTransition, OfficerPosition, PhotoKind
from zhifa.events.outbound import task_notices_enqueue
from zhifa.events.permissions import can_command_events
from zhifa.events.services import arrival
from zhifa.events.services.common import (
    active_assignments,
    actor_jurisdiction,
    actor_user,
    apply_transition,
    assigned_officer_of,
    is_system,
    notify,
    release_assignments,
    require_assignment,
    require_command,
    require_in_scope,
    users_with_post,
)
from zhifa.events.services.handling import handling_result_check, handling_round_record
from zhifa.events.states import HANDLED_STATES, EventAction, EventStatus
from zhifa.org.jurisdiction import Jurisdiction
from zhifa.org.models import Officer
from zhifa.org.roles import Role

DEFAULT_ARRIVE_MAX_DISTANCE_M = 300
DEFAULT_OFFLINE_MAX_AGE_S = 24 * 3600


def officers_needed(event: Event) -> int:
    """APL 42: at least two certified officers investigate where the matter requires them
    (``Matter.requires_two_officers``: the general procedure, docs/catalog.md); else one. The one place of
    the rule: dispatch refuses fewer, and the recommender, auto-dispatch and re-dispatch ask it."""
    matter = event.matter if event.matter_id is not None else None
    return 2 if matter is not None and matter.requires_two_officers else 1


def clock_updates(event: Event, *, start: dt.datetime) -> dict[str, Any]:
    policy = sla_policy_for(district_id=event.district_id, matter_id=event.matter_id, priority=event.priority)
    base = policy.time_base
    return {
        "dispatched_at": start,
        "acknowledged_at": None,
        "arrived_at": None,
        "handled_at": None,
        "time_base": base,
        "acknowledge_due_at": clock_due(start=start, limit=policy.acknowledge_limit, time_base=base),
        "arrive_due_at": clock_due(start=start, limit=policy.arrive_limit, time_base=base),
        "handle_due_at": clock_due(start=start, limit=policy.handle_limit, time_base=base),
    }


def _checked_officers(j: Jurisdiction | None, event: Event, officers: Sequence[Officer]) -> list[Officer]:
    unique: list[Officer] = []
    for officer in officers:
        if officer.pk not in {o.pk for o in unique}:
            unique.append(officer)
    fresh = Officer.objects.in_bulk([o.pk for o in unique])
    for officer in unique:
        current = fresh.get(officer.pk)
        if current is None or not current.is_active or current.district_id != event.district_id:
            raise ValidationFailed(
                f"执法人员 {officer.name} 不在岗或不属于本区，不能派遣",
                code="officer_unavailable",
                details={"officer_id": officer.pk},
            )
        if j is not None and j.role == Role.STREET_DISPATCHER and current.street_id != j.street_id:
            raise PermissionDenied(
                f"执法人员 {officer.name} 不在您所在街道，不能派遣",
                code="outside_jurisdiction",
                details={"officer_id": officer.pk},
            )
    needed = officers_needed(event)
    if len(unique) < needed:
        raise ValidationFailed(
            f"该事项须至少{needed}名执法人员处置，已选{len(unique)}名",
            code="officers_insufficient",
            details={"needed": needed, "given": len(unique)},
        )
    return [fresh[o.pk] for o in unique]


def assign_officers(
    event: Event, officers: Iterable[Officer], *, actor: Actor, was_recommended: bool, now: Any, notice: str = ""
) -> None:
    """Assign ``officers`` (the first leads) and tell them; ``notice``: the message, when it is not a new task
    (a redo tells them why the event came back)."""
    created = EventAssignment.objects.bulk_create(
        [
            EventAssignment(
                event=event,
                officer=officer,
                is_lead=(i == 0),
                assigned_at=now,
                assigned_by=actor_user(actor),
                was_recommended=was_recommended,
            )
            for i, officer in enumerate(officers)
        ]
    )
    notify(
        event=event,
        users=[o.user for o in officers if o.user_id],
        message=notice or f"新派遣任务 {event.public_no}：{event.description[:60]}（请在时限内响应）",
    )
    # And outside the open phone page (SMS, a messenger's work notice): after commit, by the task worker.
    task_notices_enqueue(a.pk for a in created)


def event_dispatch(*, actor: Actor, event: Event, officers: Sequence[Officer], was_recommended: bool = False) -> Event:
    """派遣: assign officers (the first leads) and start the clocks."""
    j = require_command(actor, event, what="派遣事件")
    chosen = _checked_officers(j, event, officers)
    with transaction.atomic():
        now = timezone.now()
        dispatched = apply_transition(
            event=event, action=EventAction.DISPATCH, actor=actor, updates=clock_updates(event, start=now)
        )
        assign_officers(dispatched, chosen, actor=actor, was_recommended=was_recommended, now=now)
    return dispatched


def event_redispatch(
    *, actor: Actor, event: Event, officers: Sequence[Officer], reason: str, was_recommended: bool = False
) -> Event:
    """改派: release the current officers, assign others, restart the clocks; the reason is required."""
    j = require_command(actor, event, what="改派事件")
    chosen = _checked_officers(j, event, officers)
    with transaction.atomic():
        now = timezone.now()
        redispatched = apply_transition(
            event=event,
            action=EventAction.REDISPATCH,
            actor=actor,
            reason=reason,
            updates=clock_updates(event, start=now),
        )
        release_assignments(redispatched, now=now)
        assign_officers(redispatched, chosen, actor=actor, was_recommended=was_recommended, now=now)
    return redispatched


def event_acknowledge(*, actor: Actor, event: Event, acted_at: dt.datetime | None = None) -> Event:
    """响应: an assigned officer accepts the task on the phone (acknowledge clock).

    ``acted_at``: when the officer tapped it, for an acknowledgement the phone kept while offline and sends
    late; the acknowledge clock is met at that moment if it is plausible (``_step_time``), else at arrival.

    A copy that arrives again (the phone resends when the server's answer was lost; two taps offline queue
    two) is answered with the event as stored and writes nothing, as ``event_handle`` does: the same officer,
    whose acknowledgement the event still rests on (acknowledged, on site or later, not sent back to the
    field since). Anyone else, or the same officer after a redo / re-dispatch / return, meets the usual
    refusals. The check runs under the row lock: of two copies sent at once, the second finds the first's.

    On a two-officer event the first acknowledgement moves the event; the colleague's, arriving once the
    event is acknowledged or on site, is recorded on their own assignment only (``acknowledged_at``, with
    its audit entry): the event, its clocks and its transitions stay the first officer's. A copy of the
    colleague's acknowledgement finds their ``acknowledged_at`` set and writes nothing.

    The escalation worker judged the acknowledge clock on what the server knew: an acknowledgement made at
    10:00:30 that arrives at 10:03 is recorded as made at 10:00:30 (the clock was met), and the escalation
    the worker took at 10:01 stays recorded as it happened, with its notices; the transition row and the
    audit entry carry the arrival time and a note naming both times, which is what explains the pair. An
    acknowledgement that arrives after the worker re-dispatched the event is refused (the officer no longer
    holds the task)."""
    require_in_scope(actor, event)
    actor_jurisdiction(actor, district_id=event.district_id)
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        if _step_taken_already(actor, locked, EventAction.ACKNOWLEDGE):
            return locked
        assignment = require_assignment(actor, locked, what="响应任务")
        if locked.status in _COLLEAGUE_STATES[EventAction.ACKNOWLEDGE]:
            # A colleague acknowledged first: this officer's own acknowledgement, or a copy of it once recorded.
            if assignment.acknowledged_at is None:
                _colleague_step(actor=actor, event=locked, assignment=assignment, step=_ACKNOWLEDGED, acted_at=acted_at)
            return locked
        at, note = _step_time(acted_at, now=timezone.now(), earliest=[(assignment.assigned_at, _ASSIGNED_LABEL)])
        acknowledged = apply_transition(
            event=locked,
            action=EventAction.ACKNOWLEDGE,
            actor=actor,
            reason=note,
            updates={"acknowledged_at": at},
            is_locked=True,
        )
        EventAssignment.objects.filter(pk=assignment.pk).update(acknowledged_at=at)
    return acknowledged


def event_arrive(
    *,
    actor: Actor,
    event: Event,
    lon: float,
    lat: float,
    accuracy_m: float | None = None,
    acted_at: dt.datetime | None = None,
    exception_reason: str = "",
    photo: Any = None,
) -> Event:
    """到场签到: refused farther than ``ZHIFA_ARRIVE_MAX_DISTANCE_M`` from the event, with the distance shown —
    unless the officer gives ``exception_reason`` and a ``photo`` of the site: then the arrival counts as
    超距到场, flagged for the dispatcher (``arrival.arrival_exception_record``). Within the radius the two
    are ignored: an arrival on the spot is no exception.

    ``acted_at``: when the officer arrived, for an arrival the phone kept while offline; the arrive clock
    and the position are recorded at that moment if it is plausible (``_step_time``; not before the
    acknowledgement either), else at arrival. A copy from the officer who arrived, sent again, returns
    the event and writes nothing (no transition, audit entry or position), under the same rules and for
    the same reasons as ``event_acknowledge``'s; escalations taken before a late arrival was received stay too.

    On a two-officer event the first arrival moves the event; the colleague's, arriving once the event is on
    site, is held to the same distance and recorded on their own assignment (``arrived_at``, not before
    their own acknowledgement if they made one) with its position and audit entry, and no transition."""
    require_in_scope(actor, event)
    actor_jurisdiction(actor, district_id=event.district_id)
    max_m = int(getattr(settings, "ZHIFA_ARRIVE_MAX_DISTANCE_M", DEFAULT_ARRIVE_MAX_DISTANCE_M))
    asked = arrival.arrival_exception_check(exception_reason, photo)
    with photo_store.photo_files_removed_on_rollback(), transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        # Before the distance: a copy is answered as the arrival it repeats, wherever it was sent from.
        if _step_taken_already(actor, locked, EventAction.ARRIVE):
            return locked
        assignment = require_assignment(actor, locked, what="到场签到")
        is_colleague = locked.status in _COLLEAGUE_STATES[EventAction.ARRIVE]
        if is_colleague and assignment.arrived_at is not None:
            return locked  # the colleague's own arrival, sent again: wherever from, as for the first officer's
        distance = haversine_m(float(lon), float(lat), locked.lon, locked.lat)
        if distance > max_m and asked is None:
            raise arrival.too_far(distance, max_m)
        if is_colleague:
            at = _colleague_step(actor=actor, event=locked, assignment=assignment, step=_ARRIVED, acted_at=acted_at)
            arrived = locked
        else:
            earliest = [(assignment.assigned_at, _ASSIGNED_LABEL), (locked.acknowledged_at, "响应时间")]
            at, note = _step_time(acted_at, now=timezone.now(), earliest=earliest)
            arrived = apply_transition(
                event=locked,
                action=EventAction.ARRIVE,
                actor=actor,
                reason=note,
                updates={"arrived_at": at},
                is_locked=True,
            )
            EventAssignment.objects.filter(pk=assignment.pk).update(arrived_at=at)
        OfficerPosition.objects.create(
            officer=assignment.officer, lon=lon, lat=lat, accuracy_m=accuracy_m, recorded_at=at
        )
        if distance > max_m and asked is not None:
            arrival.arrival_exception_record(
                actor=actor,
                event=arrived,
                assignment=assignment,
                asked=asked,
                distance=distance,
                max_m=max_m,
                lon=lon,
                lat=lat,
                at=at,
            )
    return arrived


# A field step is repeated only while the event rests on it: the steps listed may have followed it (the
# event moved on, forward), any other (redo, re-dispatch, return, transfer) sent the event back since.
_FOLLOWING_STEPS = {
    EventAction.ACKNOWLEDGE: (EventAction.ARRIVE, EventAction.HANDLE, EventAction.VERIFY, EventAction.CLOSE),
    EventAction.ARRIVE: (EventAction.HANDLE, EventAction.VERIFY, EventAction.CLOSE),
    EventAction.HANDLE: (EventAction.VERIFY, EventAction.CLOSE),
}
_STATES_AFTER = {
    EventAction.ACKNOWLEDGE: frozenset({EventStatus.ACKNOWLEDGED, EventStatus.ARRIVED}) | HANDLED_STATES,
    EventAction.ARRIVE: frozenset({EventStatus.ARRIVED}) | HANDLED_STATES,
    EventAction.HANDLE: HANDLED_STATES,
}


def _step_taken_already(actor: Actor, stored: Event, action: EventAction) -> bool:
    """Whether ``stored`` (read under the row lock) rests on ``actor``'s own ``action``: a copy of it is a resend."""
    if is_system(actor) or stored.status not in _STATES_AFTER[action]:
        return False
    last = (
        EventTransition.objects.filter(event_id=stored.pk)
        .exclude(action__in=_FOLLOWING_STEPS[action])
        .order_by("-pk")
        .values_list("action", "actor_id")
        .first()
    )
    return last == (action, actor.pk)


_ASSIGNED_LABEL = "派遣给本人的时间"


# Where an officer's step no longer moves the event: a colleague took that step (or a later field step) first.
_COLLEAGUE_STATES = {
    EventAction.ACKNOWLEDGE: frozenset({EventStatus.ACKNOWLEDGED, EventStatus.ARRIVED}),
    EventAction.ARRIVE: frozenset({EventStatus.ARRIVED}),
}


@dataclass(frozen=True)
class _ColleagueStep:
    field: str  # the ``EventAssignment`` time it sets
    action: str  # the audit entry's action
    summary: str  # the audit entry's reason, before the time note


_ACKNOWLEDGED = _ColleagueStep("acknowledged_at", "event.colleague_acknowledge", "同组队员响应")
_ARRIVED = _ColleagueStep("arrived_at", "event.colleague_arrive", "同组队员到场签到")


def _colleague_step(
    *, actor: Actor, event: Event, assignment: EventAssignment, step: _ColleagueStep, acted_at: dt.datetime | None
) -> dt.datetime:
    """An officer's own ``step`` on an event a colleague already moved past it, not recorded yet: their
    assignment's time and an audit entry, in the caller's transaction (which holds the event's row lock).
    No transition: the event's state and clocks are the first officer's. Returns the time recorded, taken
    by ``_step_time`` from the officer's own dispatch and, for an arrival, their own acknowledgement."""
    earliest: list[tuple[dt.datetime | None, str]] = [(assignment.assigned_at, _ASSIGNED_LABEL)]
    if step is _ARRIVED:
        earliest.append((assignment.acknowledged_at, "本人响应时间"))
    at, note = _step_time(acted_at, now=timezone.now(), earliest=earliest)
    with audited_transaction():
        setattr(assignment, step.field, at)
        assignment.save(update_fields=[step.field])
        audit_record(
            actor=actor,
            action=step.action,
            obj=assignment,
            district_id=event.district_id,
            before={step.field: None},
            after={"event_id": event.pk, "officer_id": assignment.officer_id, step.field: at},
            reason=f"{step.summary}；{note}" if note else step.summary,
        )
    return at


def offline_max_age() -> dt.timedelta:
    """How old a time the phone recorded offline may be (``ZHIFA_OFFLINE_MAX_AGE_S``, default 24 h)."""
    return dt.timedelta(seconds=int(getattr(settings, "ZHIFA_OFFLINE_MAX_AGE_S", DEFAULT_OFFLINE_MAX_AGE_S)))


def _step_time(
    acted_at: dt.datetime | None, *, now: dt.datetime, earliest: list[tuple[dt.datetime | None, str]]
) -> tuple[dt.datetime, str]:
    """When a field step is recorded as done, and the note for its transition row and audit entry.

    The time the phone (or an API client) gives is taken only if it is plausible: not after the arrival (a
    clock ahead, or a copy made up), not older than ``offline_max_age`` (a phone clock far off), and not before
    the step could have been taken (``earliest``: the dispatch to this officer, and for an arrival the
    acknowledgement, for a report the arrival) — the clocks run from the dispatch, so a time before it would
    meet a clock that had not started. Outside those bounds the step counts from its arrival and the note says
    which bound and what the phone said. A time without an offset (the API takes ISO 8601) is refused
    (``acted_at_naive``) rather than read in some zone; the caller's transaction writes nothing then."""
    if acted_at is None:
        return now, ""
    if timezone.is_naive(acted_at):
        # Whose local time it would be is a guess, and a wrong guess moves a clock by hours.
        raise ValidationFailed(
            "操作时间须带时区偏移，例如 2026-06-01T10:00:00+08:00",
            code="acted_at_naive",
            details={"field": "acted_at", "value": acted_at.isoformat()},
        )
    said, arrived = _local(acted_at), _local(now)
    if acted_at > now:
        return now, f"上报的操作时间 {said} 晚于送达时间，按送达时间 {arrived} 计时"
    max_age = offline_max_age()
    if acted_at < now - max_age:
        return now, f"上报的操作时间 {said} 早于送达前{_span(max_age)}，按送达时间 {arrived} 计时"
    bound, label = max(((at, label) for at, label in earliest if at is not None), default=(None, ""))
    if bound is not None and acted_at < bound:
        return now, f"上报的操作时间 {said} 早于{label} {_local(bound)}，按送达时间 {arrived} 计时"
    return acted_at, f"补发：按上报的操作时间 {said} 计时，{arrived} 送达"


def _local(at: dt.datetime) -> str:
    return at.astimezone(LOCAL_TZ).strftime("%m-%d %H:%M:%S")


def _span(length: dt.timedelta) -> str:
    seconds = int(length.total_seconds())
    if seconds % 3600 == 0:
        return f"{seconds // 3600}小时"
    return f"{seconds // 60}分钟" if seconds % 60 == 0 else f"{seconds}秒"


def event_handle(
    *,
    actor: Actor,
    event: Event,
    outcome: str,
    photos: Iterable[Any] = (),
    acted_at: dt.datetime | None = None,
    result_type: str = "",
) -> Event:
    """处置反馈: outcome text (required), result type and photos; the officers are released (handle clock).

    ``result_type``: the code of a 处置结果类型 offered for the event's matter, required where the district
    offers any; one that needs a photo (已整改) is refused without one (``handling.handling_result_check``).
    The report is kept as a round of handling (``EventHandlingRound``) with the round's clocks, so that a
    redo (核查不通过) starts a second round without losing the first.

    ``acted_at``: when the officer submitted the report, for a report the phone kept while offline; the
    handle clock is met at that moment if it is plausible (``_step_time``; not before the arrival
    either), else at arrival, with the note on the transition row and audit entry as for
    ``event_acknowledge``.

    A report that arrives twice is recorded once: the phone's offline queue sends a report again when the
    server's answer to the first copy was lost on the way back, and a double tap sends two. The same text
    from the officer whose report handled the event returns the event as it is and writes nothing (no
    second transition, no second audit entry; the copy's photos are not kept, the first copy's were); a
    different text from them is refused (``already_handled``), and anyone else meets the usual refusals."""
    text = (outcome or "").strip()
    # Before the assignment check: the first copy released the officer's assignment.
    require_in_scope(actor, event)
    actor_jurisdiction(actor, district_id=event.district_id)
    earlier = _handled_already(actor, Event.objects.get(pk=event.pk), text)
    if earlier is not None:
        return earlier
    assignment = require_assignment(actor, event, what="反馈处置结果")
    if not text:
        raise ValidationFailed("请填写处置结果", code="outcome_required", details={"field": "outcome"})
    uploads = photo_store.photos_validate(photos)
    chosen = handling_result_check(event=event, result_type=result_type, photo_count=len(uploads))
    with photo_store.photo_files_removed_on_rollback(), transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        # Two copies sent at once both got past the look above; the second waited here for the first.
        earlier = _handled_already(actor, locked, text)
        if earlier is not None:
            return earlier
        now = timezone.now()
        earliest = [(assignment.assigned_at, _ASSIGNED_LABEL), (locked.arrived_at, "到场时间")]
        at, note = _step_time(acted_at, now=now, earliest=earliest)
        before = Event(**{f.attname: getattr(locked, f.attname) for f in Event._meta.concrete_fields})
        crew = list(active_assignments(locked))
        handled = apply_transition(
            event=locked,
            action=EventAction.HANDLE,
            actor=actor,
            reason=note,
            updates={"outcome": text, "handled_at": at},
            is_locked=True,
        )
        stored = [
            photo_store.photo_ingest(event=handled, upload=upload, kind=PhotoKind.HANDLE, actor=actor)
            for upload in uploads
        ]
        handling_round_record(
            actor=actor,
            before=before,
            outcome=text,
            result_type=chosen,
            handled_at=at,
            assignments=crew,
            photos=stored,
        )
        # At arrival, not at ``at``: until the report arrived the officer counted as busy with this task,
        # and the assignment rows say what the dispatch knew when.
        release_assignments(handled, now=now)
        # The next step (核查) is the desk's: without a notice the handled event waits unseen in a queue.
        desk_notify(handled, f"事件 {handled.public_no} 已处置，待核查：{text[:60]}")
    return handled


def desk_notify(event: Event, message: str) -> int:
    """Tell the desk that has the next step: the command centre's dispatchers (district-wide) and the
    street dispatcher of the event's street. In the caller's transaction (``notify``)."""
    return notify(
        event=event,
        users=[
            *users_with_post(district_id=event.district_id, role=Role.DISPATCHER),
            *users_with_post(district_id=event.district_id, role=Role.STREET_DISPATCHER, street_id=event.street_id),
        ],
        message=message,
    )


def _handled_already(actor: Actor, stored: Event, text: str) -> Event | None:
    """``stored`` (the event as stored) if ``actor``'s report is what handled it and the text is the same;
    None if the actor's report did not handle it (or the event went back to the field since)."""
    # A redo and a colleague's report since then replace the actor's report (``_step_taken_already``).
    if not _step_taken_already(actor, stored, EventAction.HANDLE):
        return None
    if stored.outcome != text:
        raise Conflict(
            "您已反馈过该事件的处置结果，不能再次反馈",
            code="already_handled",
            details={"outcome": stored.outcome},
        )
    return stored


def event_return(*, actor: Actor, event: Event, reason: str) -> Event:
    """退回: an assigned officer (or the command centre; or the coordinating department's liaison for a
    transferred event) sends the event back with a reason (required by the table)."""
    require_in_scope(actor, event)
    j = actor_jurisdiction(actor, district_id=event.district_id)
    if j is not None and assigned_officer_of(actor, event) is None:
        from zhifa.events.services.coordination import is_open_task_liaison

        if not is_open_task_liaison(j, event):
            require_command(actor, event, what="退回事件")
    with transaction.atomic():
        now = timezone.now()
        returned = apply_transition(event=event, action=EventAction.RETURN, actor=actor, reason=reason)
        release_assignments(returned, now=now)
        # Sent back from the field (officer or liaison): the desk must re-dispatch it, so it is told. The
        # desk's own 退回 needs no notice to itself.
        if j is None or not can_command_events(j):
            desk_notify(returned, f"事件 {returned.public_no} 被退回，待重新派遣：{(reason or '').strip()[:60]}")
    return returned


def current_officers(event: Event) -> list[Officer]:
    return [a.officer for a in active_assignments(event).order_by("-is_lead", "pk")]
