"""Intake (智能感知): every channel — API, Open311, hotline, AI camera and drone alerts, patrol findings —
becomes one ``Event`` through ``event_intake``.

Everything is checked before anything is written (DESIGN.md: bad input changes nothing): the text, the
point (or the typed address, geocoded against the subject registry), the district's grid, the matter code,
and every photo. An idempotency key is the caller's own (``common.caller_key``): a retry by the same caller
with the same (district, source, key) and the same content returns the first event — the unique constraint
refuses its INSERT, nothing of it stays; the same key with other content is refused
(``idempotency_key_reused``), and another caller's key of the same spelling is another event.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from zhifa.catalog.models import Matter
from zhifa.core import rows
from zhifa.core.actors import Actor
from zhifa.core.audit import audit_record, audited_transaction, snapshot
from zhifa.core.errors import Conflict, PermissionDenied, ValidationFailed
from zhifa.core.request_body import RequestBody
from zhifa.core.workflow import workflow_apply_new
from zhifa.events import geocode, hotline
from zhifa.events import photos as photo_store
from zhifa.events.clocks import LOCAL_TZ
from zhifa.events.models import Event, EventDayCounter, EventPhoto, EventTransition, PhotoKind
from zhifa.events.permissions import can_report_at, can_report_event
from zhifa.events.services.common import SYSTEM_TRIAGE, actor_jurisdiction, caller_key, transition_recorder
from zhifa.events.services.triage import classify_event, triage_after_store, triage_decision
from zhifa.events.states import EVENT_WORKFLOW, ClassifiedBy, EventPriority, EventSource, EventStatus
from zhifa.geo.services import locate_point, to_wgs84
from zhifa.org.models import District, Grid, Street, Zone

MAX_DESCRIPTION_CHARS = 2000
PUBLIC_NO_PREFIX = "SJ"
ALERT_SOURCES = frozenset({EventSource.AI_CAMERA, EventSource.DRONE})
_COUNTER_NEXT_SQL = f"UPDATE {EventDayCounter._meta.db_table} SET last = last + 1 WHERE day = %s RETURNING last"


@dataclass(frozen=True)
class IntakeResult:
    """The event, and whether this call created it (``False``: a retry answered with the first one).

    A created event comes with what intake wrote of it — its transitions and photos, each list complete —
    so that a reply can be built without reading them back (``selectors.event_get_stored``); a retry's
    lists are ``None``: nothing of it was written here."""

    event: Event
    created: bool
    transitions: list[EventTransition] | None = None
    photos: list[EventPhoto] | None = None


@rows.sql_once
def _existing_sql(conn: Any) -> str:
    # The condition repeats the unique constraint's own (event_idempotency_per_caller_unique) word for word:
    # only then does SQLite use that partial index; without it the look-up scanned the district's events.
    return (
        f"SELECT {rows.columns(Event, alias='e')} FROM {conn.ops.quote_name(Event._meta.db_table)} e "
        "WHERE e.district_id = %s AND e.source = %s AND e.idempotency_caller = %s AND e.idempotency_key = %s "
        "AND NOT (e.idempotency_key = '') LIMIT 1"
    )


def _existing(*, district_id: int, source: str, caller: str, idempotency_key: str) -> Event | None:
    if not idempotency_key:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_existing_sql(), [district_id, source, caller, idempotency_key])
        row = cursor.fetchone()
    return None if row is None else rows.from_row(Event, row)


def _fingerprint(content: dict[str, Any]) -> str:
    """SHA-256 of the request's content as intake received it, in one canonical JSON spelling (keys sorted,
    no spaces), so that a retry of the same report has the same fingerprint whatever order its fields came in."""
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _key_reused(idempotency_key: str) -> Conflict:
    return Conflict(
        f"幂等键“{idempotency_key}”已用于另一份不同内容的上报，请为新的上报使用新的幂等键",
        code="idempotency_key_reused",
        details={"idempotency_key": idempotency_key},
    )


def _clean_text(description: str) -> str:
    text = (description or "").strip()
    if not text:
        raise ValidationFailed("请填写事件描述", code="description_required", details={"field": "description"})
    if len(text) > MAX_DESCRIPTION_CHARS:
        raise ValidationFailed(
            f"事件描述不能超过{MAX_DESCRIPTION_CHARS}字（当前{len(text)}字）",
            code="description_too_long",
            details={"field": "description", "max": MAX_DESCRIPTION_CHARS, "length": len(text)},
        )
    return text


def _check_lengths(**fields: tuple[str, int]) -> None:
    for name, (value, limit) in fields.items():
        if len(value) > limit:
            raise ValidationFailed(
                f"字段 {name} 不能超过{limit}个字符", code="field_too_long", details={"field": name, "max": limit}
            )


def _resolve_point(
    *, district_id: int, lon: float | None, lat: float | None, coord_system: str, address: str
) -> tuple[float, float]:
    if lon is not None and lat is not None:
        return to_wgs84(float(lon), float(lat), coord_system)
    if lon is not None or lat is not None:
        raise ValidationFailed("经度和纬度须同时提供", code="coord_incomplete", details={"lon": lon, "lat": lat})
    if not address.strip():
        raise ValidationFailed("请提供事件位置（坐标或地址）", code="location_required", details={})
    found = geocode.geocode_address(district_id=district_id, address=address.strip())
    if found is None:
        raise ValidationFailed(
            f"无法根据地址“{address.strip()}”确定位置，请在地图上选点",
            code="address_not_found",
            details={"address": address.strip()},
        )
    return float(found[0]), float(found[1])


def _matter_by_code(*, district_id: int, code: str) -> Matter:
    matter = (
        Matter.objects.select_related("department")
        .filter(district_id=district_id, code=code.strip().upper(), is_active=True)
        .first()
    )
    if matter is None:
        raise ValidationFailed(f"执法事项编码 {code} 不存在", code="matter_code_unknown", details={"code": code})
    return matter


def _day_and_prefix(now: dt.datetime) -> tuple[dt.date, str]:
    """The local day an event number counts in, and the number's prefix (SJ + that date)."""
    day = now.astimezone(LOCAL_TZ).date()
    return day, PUBLIC_NO_PREFIX + day.strftime("%Y%m%d")


def _next_public_no(now: dt.datetime) -> str:
    """SJ + local date + the day's 6-digit sequence, from the day's counter row (never reused)."""
    day, prefix = _day_and_prefix(now)
    for _ in range(3):
        # One statement (SQLite ≥ 3.35 and PostgreSQL both have RETURNING) instead of UPDATE then SELECT.
        with connection.cursor() as cursor:
            cursor.execute(_COUNTER_NEXT_SQL, [day])
            row = cursor.fetchone()
        if row is not None:
            return f"{prefix}{int(row[0]):06d}"
        _counter_ensure(day, prefix)
    raise IntegrityError("could not allocate an event number")


def _counter_ensure(day: dt.date, prefix: str) -> None:
    """The day's counter row, created by its first event: it starts after any number already used that day
    (events stored before the counter existed). A concurrent first intake may create it first."""
    highest = (
        Event.objects.filter(public_no__gte=prefix, public_no__lt=prefix + "~")
        .order_by("-public_no")
        .values_list("public_no", flat=True)
        .first()
    )
    try:
        with transaction.atomic():
            EventDayCounter.objects.create(day=day, last=int(highest[len(prefix) :]) if highest else 0)
    except IntegrityError:
        pass


def event_intake(
    *,
    actor: Actor,
    district: District | int,
    source: str,
    description: str,
    lon: float | None = None,
    lat: float | None = None,
    coord_system: str = "wgs84",
    address: str = "",
    matter_code: str | None = None,
    priority: str = EventPriority.NORMAL,
    reporter_name: str = "",
    reporter_phone: str = "",
    reporter_email: str = "",
    reporter_user: Any = None,
    idempotency_key: str = "",
    source_ref: str = "",
    alert_type: str = "",
    alert_confidence: float | None = None,
    is_evidence_eligible: bool = True,
    raw_payload: dict[str, Any] | None = None,
    request_body: RequestBody | None = None,
    attributes: dict[str, Any] | None = None,
    photos: Iterable[Any] = (),
    reported_at: dt.datetime | None = None,
    auto_triage: bool = True,
    hotline_ticket_no: str = "",
    called_at: dt.datetime | None = None,
) -> IntakeResult:
    """Store one event from any channel, located and (with ``auto_triage``) triaged in the same transaction.

    ``raw_payload``: the channel's message as parsed (Open311, AI alerts), part of what a retry must repeat;
    ``request_body``: the HTTP request as it arrived (``zhifa.core.request_body``), kept for audit and
    replay, and not compared on a retry (a phone's resend differs in its timing fields).
    ``hotline_ticket_no`` / ``called_at``: a 12345 ticket's number and call time (``zhifa.events.hotline``)."""
    district_id = district if isinstance(district, int) else district.pk
    j = actor_jurisdiction(actor, district_id=district_id)
    if j is not None and not can_report_event(j):
        raise PermissionDenied("您的岗位无权上报事件", code="permission_denied")
    idempotency_key = (idempotency_key or "").strip()
    _check_lengths(
        idempotency_key=(idempotency_key, 100),
        source_ref=(source_ref, 100),
        address=(address, 200),
        reporter_name=(reporter_name, 50),
        reporter_phone=(reporter_phone, 20),
        reporter_email=(reporter_email, 100),
        alert_type=(alert_type, 50),
    )
    if source not in EventSource.values:
        raise ValidationFailed(f"未知的事件来源：{source}", code="source_unknown", details={"source": source})
    if priority not in EventPriority.values:
        raise ValidationFailed(f"未知的优先级：{priority}", code="priority_unknown", details={"priority": priority})
    text = _clean_text(description)
    ticket_no = hotline.ticket_no_clean(hotline_ticket_no, source=source)
    called_at = hotline.called_at_check(called_at, now=timezone.now())
    w_lon, w_lat = _resolve_point(
        district_id=district_id, lon=lon, lat=lat, coord_system=coord_system, address=address or ""
    )
    location = locate_point(district_id=district_id, lon=w_lon, lat=w_lat)
    if j is not None and not can_report_at(j, street_id=location.street_id):
        # Refused here, before anything is written: stored, the event would be outside the reporter's own
        # scope, and the answer to their report "not found" (issue 9).
        raise PermissionDenied(
            f"该位置在{location.street_name}，不在您所在街道的辖区内，请联系指挥中心上报",
            code="outside_jurisdiction",
            details={"street_id": location.street_id},
        )
    matter = _matter_by_code(district_id=district_id, code=matter_code) if matter_code else None
    # Every photo is checked before anything is written; the checked photos are what gets stored.
    uploads = photo_store.photos_validate(photos)
    caller = caller_key(actor) if idempotency_key else ""
    # What the caller sent, not what the server added: the time (the phone's offline time is counted back
    # from the arrival, so a retry's differs), the evidence flag and the triage are left out.
    fingerprint = (
        _fingerprint(
            {
                "source": source,
                "description": text,
                "lon": lon,
                "lat": lat,
                "coord_system": coord_system,
                "address": (address or "").strip(),
                "matter_code": matter.code if matter else None,
                "priority": priority,
                "reporter": [reporter_name.strip(), reporter_phone.strip(), reporter_email.strip()],
                "source_ref": source_ref,
                "hotline": [ticket_no, called_at],
                "alert": [alert_type, alert_confidence],
                "raw_payload": raw_payload or {},
                "attributes": attributes or {},
                "photos": [upload.sha256 for upload in uploads],
            }
        )
        if idempotency_key
        else ""
    )

    now = timezone.now()
    event = Event(
        district_id=district_id,
        source=source,
        source_ref=source_ref,
        hotline_ticket_no=ticket_no,
        called_at=called_at,
        idempotency_key=idempotency_key,
        idempotency_caller=caller,
        idempotency_fingerprint=fingerprint,
        status=EventStatus.REPORTED,
        priority=priority,
        description=text,
        address=(address or "").strip(),
        lon=w_lon,
        lat=w_lat,
        # The places as the grid index knows them (id and name): enough for the reply, no query.
        street=Street.from_db(connection.alias, ["id", "name"], [location.street_id, location.street_name]),
        zone=Zone.from_db(connection.alias, ["id", "name"], [location.zone_id, location.zone_name]),
        grid=Grid.from_db(connection.alias, ["id", "name"], [location.grid_id, location.grid_name]),
        matter=matter,
        department_id=matter.department_id if matter else None,
        classified_by=ClassifiedBy.REPORTER if matter else "",
        reporter_name=reporter_name.strip(),
        reporter_phone=reporter_phone.strip(),
        reporter_email=reporter_email.strip(),
        reporter_user=reporter_user,
        alert_type=alert_type,
        alert_confidence=alert_confidence,
        is_evidence_eligible=is_evidence_eligible,
        raw_payload=raw_payload or {},
        request_body=request_body.text if request_body else "",
        request_content_type=request_body.content_type if request_body else "",
        attributes=attributes or {},
        reported_at=reported_at or now,
    )
    # Classified before the write transaction opens: on SQLite that transaction holds the district's one
    # writer lock, and the text needs nothing that a concurrent intake could change.
    classification = classify_event(event) if auto_triage else {}
    try:
        # A rollback after the photos were written (the idempotency race below) leaves no file behind.
        with photo_store.photo_files_removed_on_rollback(), audited_transaction():
            kind = PhotoKind.ALERT if source in ALERT_SOURCES else PhotoKind.REPORT
            result = _store(
                event,
                actor=actor,
                now=now,
                triage=classification if auto_triage else None,
                uploads=uploads,
                kind=kind,
            )
            if auto_triage and event.status == EventStatus.TRIAGED:
                dispatched = triage_after_store(event)
                if dispatched is not event:
                    # Dispatched as well: more was written than intake kept; the reply reads it back.
                    result = IntakeResult(event=dispatched, created=True)
    except IntegrityError:
        # A retry: the unique constraint on (district, source, caller, idempotency key) refused the INSERT,
        # and the whole transaction — number, photos' rows and files included — was rolled back; answer with
        # the event stored first. Asked here rather than before every intake: retries are rare, and the
        # constraint also catches the concurrent retry that a look-up first would miss (ADR 0005).
        found = _existing(district_id=district_id, source=source, caller=caller, idempotency_key=idempotency_key)
        if found is None:
            raise
        # Other content under the same key is not a retry: answering with the first event would drop this
        # report unseen. An empty fingerprint was stored before fingerprints were kept (migration 0009).
        if found.idempotency_fingerprint not in ("", fingerprint):
            raise _key_reused(idempotency_key) from None
        return IntakeResult(event=found, created=False)
    return result


def _store(
    event: Event,
    *,
    actor: Actor,
    now: dt.datetime,
    triage: dict[str, Any] | None,
    uploads: list[Any],
    kind: str,
) -> IntakeResult:
    """Number and INSERT the event with its audit entry and photos — with ``triage``, through the workflow
    helper as the triage (or merge) it takes: one INSERT in the target state, and the transition row, audit
    entry and checks every other step of ``EVENT_WORKFLOW`` gets (ADR 0005)."""
    # As reported (before triage); the number is filled in when it is taken, last, just before the INSERT.
    intake_after = snapshot(event, ["public_no", "source", "street", "zone", "grid", "matter", "priority"])
    transitions: list[EventTransition] = []
    photos: list[EventPhoto] = []

    def insert(obj: Any) -> None:
        _insert_numbered(obj, now=now)
        audit_record(actor=actor, action="event.intake", obj=obj, after={**intake_after, "public_no": obj.public_no})
        photos.extend(photo_store.photo_ingest(event=obj, upload=upload, kind=kind, actor=actor) for upload in uploads)

    if triage is None:
        insert(event)
    else:
        action, updates, reason = triage_decision(event, now=now, classification=triage)

        workflow_apply_new(
            table=EVENT_WORKFLOW,
            obj=event,
            action=action,
            actor=SYSTEM_TRIAGE,
            reason=reason,
            insert=insert,
            record_transition=transition_recorder(
                action=action, actor=SYSTEM_TRIAGE, reason=reason, now=now, kept=transitions
            ),
            extra_updates=updates,
        )
    return IntakeResult(event=event, created=True, transitions=transitions, photos=photos)


def _insert_numbered(event: Event, *, now: dt.datetime) -> None:
    """Take the day's next number and INSERT the event.

    The day's counter row is locked from here to the commit, so every intake of the district waits for it:
    this comes late, after the reads."""
    event.public_no = _next_public_no(now)
    rows.insert_row(event)
