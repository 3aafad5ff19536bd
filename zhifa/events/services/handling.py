"""Rounds of handling (处置轮次) and the result type an officer reports (处置结果类型).

``event_handle`` (dispatch.py) checks the result type with ``handling_result_check`` before it writes
anything, and writes the round with ``handling_round_record`` in the HANDLE transition's transaction;
``event_redo`` (verification.py) closes the round with its reason through ``handling_round_redone`` in the
REDO's transaction. A round keeps what the event's own fields lose when a redo restarts them: the report, its
result, its photos and the clocks of that round (docs/workflows.md, "处置轮次").
"""

import datetime as dt
from collections.abc import Sequence

from zhifa.catalog.models import HandlingResultType
from zhifa.catalog.selectors import handling_options
from zhifa.core.actors import Actor, actor_user
from zhifa.core.audit import audit_record
from zhifa.core.errors import ValidationFailed
from zhifa.events.models import Event, EventAssignment, EventHandlingRound, EventPhoto
from zhifa.events.services.common import actor_label


def handling_result_check(*, event: Event, result_type: str, photo_count: int) -> HandlingResultType | None:
    """The result type the officer chose (by code) among those offered for ``event``'s matter, refused when
    missing, unknown, or when it needs a photo and none came. None only where the district offers no result
    types at all (a district that has not set them up reports in free text as before)."""
    options = handling_options(district_id=event.district_id, matter_id=event.matter_id)
    code = (result_type or "").strip()
    if not options.result_types:
        return None
    if not code:
        raise ValidationFailed("请选择处置结果类型", code="result_type_required", details={"field": "result_type"})
    chosen = options.result_type(code)
    if chosen is None:
        raise ValidationFailed(
            "处置结果类型无效，请重新选择",
            code="result_type_unknown",
            details={"field": "result_type", "value": code[:30]},
        )
    if chosen.requires_photo and photo_count == 0:
        # 已整改 / 责令整改 are verified from the site as the officer left it (核查): without a photo of it the
        # dispatcher has nothing to check the claim against.
        raise ValidationFailed(
            f"处置结果为“{chosen.name}”时须上传处置后现场照片",
            code="result_photo_required",
            details={"field": "photos", "result_type": chosen.code},
        )
    return chosen


def handling_round_record(
    *,
    actor: Actor,
    before: Event,
    outcome: str,
    result_type: HandlingResultType | None,
    handled_at: dt.datetime,
    assignments: Sequence[EventAssignment],
    photos: Sequence[EventPhoto],
) -> EventHandlingRound:
    """The round a report ends, with ``before``'s clocks (the event as locked, before the transition) and
    the officers of ``assignments``. In the caller's transaction, which holds the event's row lock: the
    next number cannot be taken twice (and the unique constraint would refuse it)."""
    number = EventHandlingRound.objects.filter(event_id=before.pk).count() + 1
    handling_round = EventHandlingRound.objects.create(
        event_id=before.pk,
        number=number,
        handled_by=actor_user(actor),
        handled_by_label=actor_label(actor),
        outcome=outcome,
        result_type=result_type,
        result_type_name=result_type.name if result_type is not None else "",
        handled_at=handled_at,
        dispatched_at=before.dispatched_at,
        acknowledged_at=before.acknowledged_at,
        arrived_at=before.arrived_at,
        acknowledge_due_at=before.acknowledge_due_at,
        arrive_due_at=before.arrive_due_at,
        handle_due_at=before.handle_due_at,
    )
    handling_round.officers.set([a.officer_id for a in assignments])
    EventPhoto.objects.filter(pk__in=[p.pk for p in photos]).update(handling_round=handling_round)
    audit_record(
        actor=actor,
        action="event.handling_round",
        obj=handling_round,
        district_id=before.district_id,
        after={
            "event_id": before.pk,
            "number": number,
            "result_type": result_type.code if result_type is not None else "",
            "outcome": outcome,
            "photo_ids": [p.pk for p in photos],
            "officer_ids": [a.officer_id for a in assignments],
        },
    )
    return handling_round


def handling_round_redone(*, actor: Actor, event: Event, reason: str, at: dt.datetime) -> EventHandlingRound | None:
    """Close the event's open round with the 核查不通过 reason; None when there is none (an event handled by
    a coordinating department's feedback has no round of the officers). The REDO's own transition row and
    audit entry carry the reason too; here it stays with the round it judged."""
    last = EventHandlingRound.objects.filter(event_id=event.pk, redone_at__isnull=True).order_by("-number").first()
    if last is None:
        return None
    last.redo_reason = reason
    last.redone_at = at
    last.redone_by_label = actor_label(actor)
    last.save(update_fields=["redo_reason", "redone_at", "redone_by_label"])
    return last
