"""The command centre's check of the outcome: verify, redo, close (核查、结案).

Closing tells the reporters — of the event and of every report merged into it — the outcome (issue 3:
"the citizen of each gets the outcome"): a notification to each reporter account, and
``zhifa.events.selectors.event_outcome_for_reporter`` for the channels that ask (Open311, the hotline).
"""

from django.db import transaction
from django.utils import timezone

from zhifa.core.actors import Actor
from zhifa.events.models import Event, EventAssignment
from zhifa.events.services.common import apply_transition, notify, require_command
from zhifa.events.services.dispatch import assign_officers, clock_updates
from zhifa.events.services.handling import handling_round_redone
from zhifa.events.states import EventAction
from zhifa.org.models import Officer


def event_verify(*, actor: Actor, event: Event) -> Event:
    require_command(actor, event, what="核查事件")
    with transaction.atomic():
        return apply_transition(event=event, action=EventAction.VERIFY, actor=actor)


def _last_officers(event: Event) -> list[Officer]:
    last = EventAssignment.objects.filter(event=event).order_by("-assigned_at", "-pk").first()
    if last is None:
        return []
    batch = EventAssignment.objects.filter(event=event, assigned_at=last.assigned_at).select_related("officer")
    return [a.officer for a in batch.order_by("-is_lead", "pk") if a.officer.is_active]


def event_redo(*, actor: Actor, event: Event, reason: str) -> Event:
    """核查不通过: back to the officers who handled it, clocks restarted. An event handled by a department's
    feedback has no officers: it stays dispatched without any until the dispatcher re-dispatches it.

    The round the officers handed in is closed with the reason (``EventHandlingRound``: its report, photos
    and clocks stay as they were), and the officers' notice says why the event came back, so that the second
    round answers the objection instead of repeating the first."""
    require_command(actor, event, what="退回重办")
    with transaction.atomic():
        now = timezone.now()
        redone = apply_transition(
            event=event, action=EventAction.REDO, actor=actor, reason=reason, updates=clock_updates(event, start=now)
        )
        handling_round_redone(actor=actor, event=redone, reason=reason, at=now)
        officers = _last_officers(redone)
        if officers:
            notice = f"核查不通过，请重新处置 {redone.public_no}：{reason.strip()[:200]}"
            assign_officers(redone, officers, actor=actor, was_recommended=False, now=now, notice=notice)
    return redone


def merged_reports(event: Event) -> list[Event]:
    """Every event merged into ``event``, directly or through another duplicate."""
    found: list[Event] = []
    frontier = [event.pk]
    while frontier:
        batch = list(Event.objects.filter(merged_into_id__in=frontier).order_by("pk"))
        found += batch
        frontier = [e.pk for e in batch]
    return found


def event_close(*, actor: Actor, event: Event) -> Event:
    require_command(actor, event, what="结案")
    with transaction.atomic():
        closed = apply_transition(
            event=event, action=EventAction.CLOSE, actor=actor, updates={"closed_at": timezone.now()}
        )
        for report in [closed, *merged_reports(closed)]:
            if report.reporter_user_id:
                notify(
                    event=report,
                    users=[report.reporter_user],
                    message=f"您反映的事件 {report.public_no} 已办结：{closed.outcome[:200]}",
                )
    return closed
