"""Our records as GeoReport v2 objects, with exactly the spec's field names.

Statuses: Open311 knows only ``open`` and ``closed``. Closed and rejected (不予受理) events are closed; a
merged duplicate shows the status of the event it was merged into (its reporter gets that outcome);
every other state is open.
"""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Max
from django.http import HttpRequest
from django.urls import reverse

from zhifa.catalog.models import Domain, Matter
from zhifa.events.clocks import sla_policy_for
from zhifa.events.models import Event, SlaPolicy
from zhifa.events.photos import photo_file_extension
from zhifa.events.privacy import mask_address, round_coordinate
from zhifa.events.states import EventAction, EventSource, EventStatus, TimeBase
from zhifa.integrations.open311.attributes import attributes_for
from zhifa.integrations.open311.selectors import (
    CLOSED_STATES,
    PRIVATE_TEXT_SOURCES,
    is_detail_masked,
    is_published_photo,
    merge_primary,
)
from zhifa.org.models import District

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def w3c(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(LOCAL_TZ).isoformat(timespec="seconds") if moment is not None else None


def discovery_data(*, request: HttpRequest, district: District) -> dict[str, Any]:
    changed = Matter.objects.filter(district=district).aggregate(last=Max("updated_at"))["last"]
    changeset = w3c(max(filter(None, [changed, district.updated_at])))
    return {
        "changeset": changeset,
        "contact": f"{district.agency_name}指挥中心",
        "key_service": f"提交服务请求须使用 api_key：请向{district.agency_name}申请接口令牌（API token）。",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": request.build_absolute_uri("/open311/v2/"),
                "changeset": changeset,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }


def service_data(matter: Matter) -> dict[str, Any]:
    return {
        "service_code": matter.code,
        "service_name": matter.name,
        "description": f"{matter.name}。依据{matter.law_name}，由{matter.department.name}负责。",
        "metadata": bool(attributes_for(matter)),
        "type": "realtime",
        "keywords": ",".join(matter.keywords.split()),
        "group": Domain(matter.domain).label if matter.domain in Domain.values else matter.domain,
    }


def service_definition_data(matter: Matter) -> dict[str, Any]:
    return {
        "service_code": matter.code,
        "attributes": [
            {
                "variable": spec.variable,
                "code": spec.code,
                "datatype": spec.datatype,
                "required": spec.required,
                "datatype_description": spec.datatype_description,
                "order": order,
                "description": spec.description,
                "values": [{"key": key, "name": name} for key, name in spec.values],
            }
            for order, spec in enumerate(attributes_for(matter), start=1)
        ],
    }


def _limit_text(limit: int, time_base: str, what: str) -> str:
    unit = "个工作日" if time_base == TimeBase.WORKING_DAYS else "分钟"
    within = "（工作时间内）" if time_base == TimeBase.WORKING_HOURS else ""
    return f"{limit}{unit}{within}{what}"


PolicyCache = dict[tuple[int | None, str], SlaPolicy]


def service_notice(event: Event, policies: PolicyCache | None = None) -> str:
    """What will happen next, from the event's SLA ("1530" by default) or its coordinating department.
    ``policies`` caches the SLA lookup across the events of one response."""
    if event.status == EventStatus.TRANSFERRED:
        tasks = getattr(event, "coordination_list", None) or list(event.coordination_tasks.all())
        if tasks:
            return f"已转{tasks[0].department.name}协同办理，办理时限{w3c(tasks[0].due_at)}。"
    policies = {} if policies is None else policies
    key = (event.matter_id, event.priority)
    if key not in policies:
        policies[key] = sla_policy_for(
            district_id=event.district_id, matter_id=event.matter_id, priority=event.priority
        )
    policy = policies[key]
    base = event.time_base or policy.time_base
    parts = [
        _limit_text(policy.acknowledge_limit, base, "内响应"),
        _limit_text(policy.arrive_limit, base, "内到场"),
        _limit_text(policy.handle_limit, base, "内反馈处置结果"),
    ]
    return f"已受理。派遣后执法队员将在{'、'.join(parts)}。"


def open311_status(event: Event) -> str:
    primary = merge_primary(event)
    return "closed" if primary.status in CLOSED_STATES else "open"


def _reject_reason(event: Event) -> str:
    transitions = getattr(event, "reject_transitions", None)
    if transitions is None:
        transitions = list(event.transitions.filter(action=EventAction.REJECT))
    return transitions[-1].reason if transitions else ""


def status_notes(event: Event) -> str:
    if event.status == EventStatus.MERGED:
        primary = merge_primary(event)
        notes = status_notes(primary) if primary.pk != event.pk else ""
        return f"与事件{primary.public_no}为同一问题，已合并处理。{notes}".strip()
    # The reason and the outcome are a dispatcher's and an officer's words; for a person's report they are
    # summarised by the status (``is_detail_masked``).
    if event.status == EventStatus.REJECTED:
        return "不予受理。" if is_detail_masked(event) else f"不予受理：{_reject_reason(event)}"
    if event.status == EventStatus.CLOSED:
        return "已办结。" if is_detail_masked(event) else event.outcome
    if event.status == EventStatus.SENT_BACK:
        return "不属本区职责，已退回12345热线平台。"
    if event.status == EventStatus.TRANSFERRED:
        tasks = getattr(event, "coordination_list", None) or []
        return f"已转{tasks[0].department.name}协同办理。" if tasks else ""
    return ""


def expected_datetime(event: Event) -> dt.datetime | None:
    """The handle clock's due time; while with a coordinating department, that department's deadline."""
    primary = merge_primary(event)
    if primary.status == EventStatus.TRANSFERRED:
        open_tasks = [t for t in getattr(primary, "coordination_list", []) if t.feedback_at is None]
        if open_tasks:
            return open_tasks[0].due_at
    return primary.handle_due_at


def _description(event: Event) -> str:
    if event.source in PRIVATE_TEXT_SOURCES:
        subject = event.matter.name if event.matter else "城市管理问题"
        return f"{EventSource(event.source).label}转来的{subject}事件（原始描述不公开）"
    return event.description


def _media_url(event: Event, request: HttpRequest) -> str:
    """The link the reporter submitted; else the public copy (EXIF removed) of the event's first published
    photo, at an address keyed by the photo's random token."""
    url = str((event.attributes or {}).get("media_url") or "")
    if url:
        return url
    published = [p for p in event.photos.all() if is_published_photo(p, event)]
    if not published:
        return ""
    first = min(published, key=lambda p: (p.created_at, p.pk))
    path = reverse(
        "open311:media", kwargs={"token": first.public_token, "ext": photo_file_extension(first.content_type)}
    )
    return request.build_absolute_uri(path)


def _address(event: Event) -> str:
    if not is_detail_masked(event):
        return event.address
    # An address that is nothing but a number is said by its street, as near as a masked address goes.
    return mask_address(event.address) or (event.street.name if event.address.strip() else "")


def request_data(event: Event, *, request: HttpRequest, policies: PolicyCache | None = None) -> dict[str, Any]:
    masked = is_detail_masked(event)
    return {
        "service_request_id": event.public_no,
        "status": open311_status(event),
        "status_notes": status_notes(event),
        "service_name": event.matter.name if event.matter else "",
        "service_code": event.matter.code if event.matter else "",
        "description": _description(event),
        "agency_responsible": event.department.name if event.department else "",
        "service_notice": service_notice(event, policies),
        "requested_datetime": w3c(event.reported_at),
        "updated_datetime": w3c(event.updated_at),
        "expected_datetime": w3c(expected_datetime(event)),
        "address": _address(event),
        "address_id": str((event.attributes or {}).get("address_id") or ""),
        "zipcode": "",
        "lat": round_coordinate(event.lat) if masked else event.lat,
        "long": round_coordinate(event.lon) if masked else event.lon,
        "media_url": _media_url(event, request),
    }
