"""Reads behind the Open311 GET methods: the jurisdiction, its services (matters) and its service requests."""

import datetime as dt

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from zhifa.catalog.models import Matter
from zhifa.core.errors import NotFound, ValidationFailed
from zhifa.events.models import CoordinationTask, Event, EventPhoto, EventTransition, PhotoKind
from zhifa.events.photos import photo_file_extension
from zhifa.events.states import OPEN_STATES, EventAction, EventSource, EventStatus
from zhifa.org.models import District

DEFAULT_WINDOW = dt.timedelta(days=90)  # the spec's default span of GET requests
MAX_REQUESTS = 1000  # the spec's upper bound on one response
# A ticket sent back to 12345 (退回12345) is finished here too: the platform answers it from then on.
CLOSED_STATES = frozenset({EventStatus.CLOSED, EventStatus.REJECTED, EventStatus.SENT_BACK})
# A hotline call is written down by an operator and may name the caller; its text is not published, and
# neither are the photos that came with it (they can show the caller's own door or window).
PRIVATE_TEXT_SOURCES = frozenset({EventSource.HOTLINE})
# Reports made by people — a hotline call, a citizen's Open311 request, an account's API report — are public
# only as near as ``ZHIFA_OPEN311_PUBLIC_DETAIL`` says: "masked" (the default) rounds the point to about
# 100 m, keeps the address up to its road and gives a closed or rejected event's status instead of the
# officer's or dispatcher's words, which can name the people involved; "exact" publishes them as stored.
# Patrol findings, alerts and departments' hand-overs are the administration's own records of public
# places and stay exact.
PERSONAL_SOURCES = frozenset({EventSource.HOTLINE, EventSource.OPEN311, EventSource.API})
PUBLIC_DETAIL_EXACT = "exact"
PUBLIC_DETAIL_MASKED = "masked"
# Only what a reporter sent in as the report is published. Camera and drone captures record passers-by
# and number plates in public places, which may serve public security only (个人信息保护法 26); handling
# photos show the party being dealt with before any decision is made (decisions alone are published,
# with personal data masked: APL 48).
PUBLISHED_PHOTO_KINDS = frozenset({PhotoKind.REPORT})


def open311_district(*, jurisdiction_id: str = "") -> District:
    """The deployment's district, or the one named by ``jurisdiction_id`` (its administrative code)."""
    districts = District.objects.order_by("pk")
    if jurisdiction_id.strip():
        districts = districts.filter(code=jurisdiction_id.strip())
    district = districts.first()
    if district is None:
        raise NotFound(f"辖区 {jurisdiction_id} 不存在", code="jurisdiction_unknown")
    return district


def open311_services(*, district: District) -> QuerySet[Matter]:
    return Matter.objects.filter(district=district, is_active=True).order_by("code")


def open311_service(*, district: District, service_code: str) -> Matter:
    matter = (
        Matter.objects.select_related("department")
        .filter(district=district, is_active=True, code=service_code.strip().upper())
        .first()
    )
    if matter is None:
        raise NotFound(f"服务代码 {service_code} 不存在", code="service_code_unknown")
    return matter


def _with_related(events: QuerySet[Event]) -> QuerySet[Event]:
    return events.select_related("matter", "department", "merged_into", "street").prefetch_related(
        "photos",
        Prefetch(
            "transitions",
            queryset=EventTransition.objects.filter(action=EventAction.REJECT),
            to_attr="reject_transitions",
        ),
        Prefetch(
            "coordination_tasks",
            queryset=CoordinationTask.objects.select_related("department").order_by("-due_at"),
            to_attr="coordination_list",
        ),
    )


def _parse_w3c(value: str, name: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValidationFailed(
            f"{name} 须为 W3C 日期时间，如 2026-05-04T09:30:00+08:00", code="date_invalid", details={name: value}
        ) from None
    return moment if moment.tzinfo is not None else timezone.make_aware(moment)


def _comma_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def open311_requests(
    *,
    district: District,
    service_request_id: str = "",
    service_code: str = "",
    start_date: str = "",
    end_date: str = "",
    status: str = "",
) -> list[Event]:
    """GET requests: ``service_request_id`` (comma list) overrides every other filter; otherwise the
    ``start_date``/``end_date`` span (default the last 90 days), ``service_code`` and ``status`` (comma
    lists). Newest first, at most 1000."""
    events = Event.objects.filter(district=district)
    ids = _comma_list(service_request_id)
    if ids:
        return list(_with_related(events.filter(public_no__in=ids[:MAX_REQUESTS])).order_by("-reported_at", "-id"))
    end = _parse_w3c(end_date, "end_date") if end_date.strip() else timezone.now()
    start = _parse_w3c(start_date, "start_date") if start_date.strip() else end - DEFAULT_WINDOW
    if start > end:
        raise ValidationFailed("start_date 不能晚于 end_date", code="date_range_invalid")
    events = events.filter(reported_at__gte=start, reported_at__lte=end)
    codes = [code.upper() for code in _comma_list(service_code)]
    if codes:
        events = events.filter(matter__code__in=codes)
    statuses = set(_comma_list(status.lower()))
    unknown = statuses - {"open", "closed"}
    if unknown:
        raise ValidationFailed(
            f"status 只能为 open 或 closed（收到 {'、'.join(sorted(unknown))}）", code="status_invalid"
        )
    if statuses == {"open"}:
        events = events.filter(
            Q(status__in=OPEN_STATES) | Q(status=EventStatus.MERGED, merged_into__status__in=OPEN_STATES)
        )
    elif statuses == {"closed"}:
        events = events.filter(
            Q(status__in=CLOSED_STATES) | Q(status=EventStatus.MERGED, merged_into__status__in=CLOSED_STATES)
        )
    return list(_with_related(events).order_by("-reported_at", "-id")[:MAX_REQUESTS])


def open311_request(*, district: District, service_request_id: str) -> Event:
    event = _with_related(Event.objects.filter(district=district, public_no=service_request_id.strip())).first()
    if event is None:
        raise NotFound(f"服务请求 {service_request_id} 不存在", code="service_request_unknown")
    return event


def open311_window_request(
    *, district: District, caller: str, idempotency_key: str, since: dt.datetime
) -> Event | None:
    """The request stored under a derived retry key (``services._window_keys``) no earlier than ``since``:
    a POST without a key that repeats it is its retry. The filter is the idempotency constraint's own, so
    the look-up is one probe of its index."""
    return (
        Event.objects.filter(
            district=district,
            source=EventSource.OPEN311,
            idempotency_caller=caller,
            idempotency_key=idempotency_key,
            reported_at__gte=since,
        )
        .exclude(idempotency_key="")
        .first()
    )


def is_published_photo(photo: EventPhoto, event: Event) -> bool:
    """Whether Open311 shows this photo's public copy (EXIF removed; the original never leaves the
    platform through Open311)."""
    return photo.kind in PUBLISHED_PHOTO_KINDS and event.source not in PRIVATE_TEXT_SOURCES


def open311_media(*, token: str, extension: str) -> EventPhoto:
    """The published photo behind a ``media_url``: found by its random token only, never by its id."""
    photo = EventPhoto.objects.select_related("event").filter(public_token=token).first()
    if (
        photo is None
        or not is_published_photo(photo, photo.event)
        or photo_file_extension(photo.content_type) != extension
    ):
        raise NotFound("照片不存在", code="photo_not_found")
    return photo


def open311_public_detail() -> str:
    """``ZHIFA_OPEN311_PUBLIC_DETAIL``: "exact", or "masked" — also for any other value, so that a typo
    publishes less rather than more."""
    value = str(getattr(settings, "ZHIFA_OPEN311_PUBLIC_DETAIL", PUBLIC_DETAIL_MASKED)).strip().lower()
    return PUBLIC_DETAIL_EXACT if value == PUBLIC_DETAIL_EXACT else PUBLIC_DETAIL_MASKED


def is_detail_masked(event: Event) -> bool:
    """Whether Open311 shows ``event``'s place and outcome masked (``PERSONAL_SOURCES``)."""
    return event.source in PERSONAL_SOURCES and open311_public_detail() == PUBLIC_DETAIL_MASKED


def merge_primary(event: Event) -> Event:
    """The event a merged duplicate was merged into (its status is the duplicate's status in Open311)."""
    primary = event
    for _ in range(10):  # one link in practice (only open events take merges); the bound guards a cycle
        if primary.status != EventStatus.MERGED or primary.merged_into is None:
            break
        primary = primary.merged_into
    return primary
