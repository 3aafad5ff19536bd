"""超距到场 (an arrival beyond the radius, accepted as an exception): the checks before the arrival's
transaction and the record written inside it, for ``dispatch.event_arrive``.

Why accept it at all: the event's pin is where the caller said, and callers say the road, not the gate; a
site inside a compound or a market hall is often more than 300 m from its pin, and a phone indoors places
its owner badly. Refusing the arrival then stops the officer's clock for no fault of theirs. So the officer
may arrive anyway, with a reason and a photo of the site, and the dispatcher is told and shown the flag
(event page, command centre) to correct the location (更正位置) or look into it.
"""

import datetime as dt
from typing import Any

from zhifa.core.actors import Actor
from zhifa.core.audit import audit_record
from zhifa.core.errors import ValidationFailed
from zhifa.events import photos as photo_store
from zhifa.events.models import ArrivalException, Event, EventAssignment, PhotoKind
from zhifa.events.services.common import notify, users_with_post
from zhifa.org.roles import Role

MAX_REASON_CHARS = 200


def arrival_exception_check(reason: str, photo: Any) -> tuple[str, Any] | None:
    """The reason and the validated photo of an exception asked for, or None when none was asked for.
    Checked before the arrival's transaction: a bad photo refuses the arrival and writes nothing."""
    text = (reason or "").strip()
    if not text:
        return None
    if len(text) > MAX_REASON_CHARS:
        raise ValidationFailed(
            f"超距原因不能超过{MAX_REASON_CHARS}字",
            code="arrive_exception_reason_too_long",
            details={"field": "exception_reason", "max": MAX_REASON_CHARS},
        )
    if photo is None:
        raise ValidationFailed(
            "超距到场须拍摄一张现场照片", code="arrive_exception_photo_required", details={"field": "photo"}
        )
    return text, photo_store.photo_validate(photo)


def too_far(distance: float, max_m: int) -> ValidationFailed:
    """The refusal without an exception asked for; the phone page offers the exception form with it."""
    return ValidationFailed(
        f"您距离事件地点约{round(distance)}米，超过{max_m}米，请到达现场后再签到",
        code="arrive_too_far",
        details={"distance_m": round(distance), "max_m": max_m},
    )


def arrival_exception_record(
    *,
    actor: Actor,
    event: Event,
    assignment: EventAssignment,
    asked: tuple[str, Any],
    distance: float,
    max_m: int,
    lon: float,
    lat: float,
    at: dt.datetime,
) -> ArrivalException:
    """The photo, the flag row, its audit entry and the dispatchers' notice, in the arrival's transaction."""
    reason, upload = asked
    photo = photo_store.photo_ingest(event=event, upload=upload, kind=PhotoKind.ARRIVAL, actor=actor)
    row = ArrivalException.objects.create(
        event=event,
        assignment=assignment,
        officer=assignment.officer,
        distance_m=round(distance),
        max_m=max_m,
        reason=reason,
        lon=float(lon),
        lat=float(lat),
        photo=photo,
        arrived_at=at,
    )
    audit_record(
        actor=actor,
        action="event.arrive_exception",
        obj=row,
        after={
            "event_id": event.pk,
            "public_no": event.public_no,
            "officer_id": assignment.officer_id,
            "distance_m": row.distance_m,
            "max_m": max_m,
            "reason": reason,
            "photo_sha256": photo.sha256,
        },
        reason=reason,
        district_id=event.district_id,
    )
    notify(
        event=event,
        users=[
            *users_with_post(district_id=event.district_id, role=Role.DISPATCHER),
            *users_with_post(district_id=event.district_id, role=Role.STREET_DISPATCHER, street_id=event.street_id),
        ],
        message=f"超距到场 {event.public_no}：{assignment.officer.name}距事件位置约{row.distance_m}米签到，原因：{reason}"[
            :300
        ],
    )
    return row
