"""The command centre's check of the outcome: verify, redo, close (核查、结案).

Closing tells the reporters — of the event and of every report merged into it — the outcome (issue 3:
"the citizen of each gets the outcome"): a notification to each reporter account, and
``zhifa.events.selectors.event_outcome_for_reporter`` for the channels that ask (Open311, the hotline).
"""

from django.db import transaction
from django.utils import timezone

from zhifa.core.actors import Actor, actor_user
from zhifa.core.audit import audit_record, audited_transaction
from zhifa.core.errors import ValidationFailed
from zhifa.events import hotline
from zhifa.events.models import Event, EventAssignment, EventCallback
from zhifa.events.services.common import actor_label, apply_transition, notify, require_command
from zhifa.events.services.dispatch import assign_officers, clock_updates
from zhifa.events.services.handling import handling_round_redone
from zhifa.events.states import CallbackResult, EventAction
from zhifa.org.models import Officer

MAX_COMMENT_CHARS = 1000
MAX_CALLBACK_NOTE_CHARS = 300


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


def event_close(
    *,
    actor: Actor,
    event: Event,
    comment: str = "",
    callback_result: str = "",
    callback_note: str = "",
    hotline_reply: str | None = None,
) -> Event:
    """结案, with the dispatcher's comment (the transition's reason, shown in the timeline) and the call back
    to the caller (回访, an ``EventCallback`` row: the satisfaction record). A 12345 ticket (an event with a
    工单号) is closed only with its call-back result — the platform asks for it with the reply — and a caller
    who left a number is called: "no call-back needed" is for anonymous callers. The reply to the platform
    (``hotline_reply``) is stored as the dispatcher sent it; left out, it is drafted from the outcome."""
    require_command(actor, event, what="结案")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT_CHARS:
        raise ValidationFailed(
            f"结案意见不能超过{MAX_COMMENT_CHARS}字",
            code="close_comment_too_long",
            details={"field": "comment", "max": MAX_COMMENT_CHARS, "length": len(comment)},
        )
    callback_result = (callback_result or "").strip()
    if callback_result and callback_result not in CallbackResult.values:
        raise ValidationFailed(
            f"未知的回访结果：{callback_result[:40]}",
            code="callback_result_unknown",
            details={"field": "callback_result", "allowed": list(CallbackResult.values)},
        )
    callback_note = (callback_note or "").strip()
    if len(callback_note) > MAX_CALLBACK_NOTE_CHARS:
        raise ValidationFailed(
            f"回访说明不能超过{MAX_CALLBACK_NOTE_CHARS}字",
            code="callback_note_too_long",
            details={"field": "callback_note", "max": MAX_CALLBACK_NOTE_CHARS},
        )
    if event.hotline_ticket_no and not callback_result:
        raise ValidationFailed(
            "12345工单结案前须记录回访结果", code="callback_required", details={"field": "callback_result"}
        )
    if callback_result == CallbackResult.NOT_NEEDED and event.reporter_phone:
        raise ValidationFailed(
            "来电人留有联系电话，须回访后结案（未接通请选“未接通”）",
            code="callback_needed",
            details={"field": "callback_result"},
        )
    reply = hotline.reply_clean(hotline_reply) if hotline_reply is not None else ""
    if not reply and event.hotline_ticket_no:
        reply = hotline.reply_draft_closed(
            ticket_no=event.hotline_ticket_no,
            called_at=event.called_at,
            reported_at=event.reported_at,
            description=event.description,
            street_name=event.street.name,
            outcome=event.outcome,
        )
    with audited_transaction():
        now = timezone.now()
        closed = apply_transition(
            event=event,
            action=EventAction.CLOSE,
            actor=actor,
            reason=comment,
            updates={"closed_at": now, "hotline_reply": reply},
        )
        if callback_result:
            callback = EventCallback.objects.create(
                event=closed,
                result=callback_result,
                note=callback_note,
                called_back_at=now,
                actor=actor_user(actor),
                actor_label=actor_label(actor),
            )
            audit_record(
                actor=actor,
                action="event.callback",
                obj=closed,
                after={"callback_id": callback.pk, "result": callback_result, "note": callback_note},
            )
        for report in [closed, *merged_reports(closed)]:
            if report.reporter_user_id:
                notify(
                    event=report,
                    users=[report.reporter_user],
                    message=f"您反映的事件 {report.public_no} 已办结：{closed.outcome[:200]}",
                )
    return closed


def close_reply_draft(event: Event) -> str:
    """What the close form offers as the 12345 reply of a ticket before the dispatcher edits it."""
    if not event.hotline_ticket_no:
        return ""
    return hotline.reply_draft_closed(
        ticket_no=event.hotline_ticket_no,
        called_at=event.called_at,
        reported_at=event.reported_at,
        description=event.description,
        street_name=event.street.name,
        outcome=event.outcome,
    )
