"""Task receipts (送达 / 查看): the officer's open phone page says when a dispatched task reached it and when the
officer first had it in front of them (issue 16: "the officer is never told" — and nobody could tell whether
a late response was a task never seen or a task seen and left).

A receipt is a fact about the officer's own assignments only; it moves no state and starts or stops no clock,
so it is no workflow transition. It is kept once: the first receipt sets ``delivered_at`` (and ``seen_at``
when the page was visible), later ones change nothing and write nothing — the page may send the same receipt
again (a reconnect, a reload, a second open tab). Each receipt that sets a time is audited, as every change.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from zhifa.core.actors import Actor, actor_user
from zhifa.core.audit import audit_record, audited_transaction
from zhifa.core.errors import ValidationFailed
from zhifa.events.models import EventAssignment

# A page receipts the tasks it shows; an officer holds a handful at a time. More in one receipt is not a page.
MAX_RECEIPT_EVENTS = 100


@dataclass(frozen=True)
class ReceiptResult:
    delivered: list[int]  # event ids whose assignment got ``delivered_at`` now
    seen: list[int]  # event ids whose assignment got ``seen_at`` now


def task_receipt_record(*, actor: Actor, event_ids: Iterable[int], is_seen: bool) -> ReceiptResult:
    """Record that the actor's open page has these tasks (``is_seen``: and the page was in front of them).

    Only the actor's own active assignments are touched; an id that is not one (another officer's task, a
    task re-dispatched away meanwhile) is passed over silently — the page may hold a card a moment longer
    than the assignment lasts, and telling it which ids are not the officer's would tell nothing useful.
    Setting ``seen_at`` sets ``delivered_at`` too (what is seen was delivered); neither is ever moved."""
    ids = sorted({int(i) for i in event_ids})
    if len(ids) > MAX_RECEIPT_EVENTS:
        raise ValidationFailed(
            f"一次最多确认{MAX_RECEIPT_EVENTS}件任务", code="receipt_too_many", details={"given": len(ids)}
        )
    user = actor_user(actor)
    if user is None or not ids:
        return ReceiptResult(delivered=[], seen=[])
    now = timezone.now()
    delivered: list[int] = []
    seen: list[int] = []
    with audited_transaction():
        mine = (
            EventAssignment.objects.select_for_update()
            .filter(event_id__in=ids, officer__user_id=user.pk, released_at__isnull=True)
            .select_related("event")
            .order_by("pk")
        )
        for assignment in mine:
            before = {"delivered_at": assignment.delivered_at, "seen_at": assignment.seen_at}
            changed: list[str] = []
            if assignment.delivered_at is None:
                assignment.delivered_at = now
                changed.append("delivered_at")
                delivered.append(assignment.event_id)
            if is_seen and assignment.seen_at is None:
                assignment.seen_at = now
                changed.append("seen_at")
                seen.append(assignment.event_id)
            if not changed:
                continue
            assignment.save(update_fields=changed)
            audit_record(
                actor=actor,
                action="event.task_seen" if "seen_at" in changed else "event.task_delivered",
                obj=assignment,
                district_id=assignment.event.district_id,
                before={k: before[k] for k in changed},
                after={"event_id": assignment.event_id, "officer_id": assignment.officer_id}
                | {k: getattr(assignment, k) for k in changed},
                reason="任务已送达执法终端并被查看" if "seen_at" in changed else "任务已送达执法终端",
            )
    return ReceiptResult(delivered=delivered, seen=seen)
