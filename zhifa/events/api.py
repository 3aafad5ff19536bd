"""/api/v1/events and /api/v1/officers/me — parse, call one service or selector, return.

``POST /events`` takes JSON, or multipart with ``photos`` files and either a ``payload`` JSON field or
plain form fields; the idempotency key comes from the ``Idempotency-Key`` header or ``client_key``. A
key is the caller's own: a retry with the same content answers 200 with the event first stored (201 the
first time), the same key with other content 409 ``idempotency_key_reused``.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.errors import ValidationError
from ninja.pagination import paginate
from pydantic import ValidationError as PydanticValidationError

from zhifa.catalog.models import Matter
from zhifa.core.api_input import Id, Page, Text, json_check, json_parse
from zhifa.core.errors import NotFound, PermissionDenied, ValidationFailed
from zhifa.core.request_body import request_body_of
from zhifa.events import selectors, services
from zhifa.events.models import CoordinationTask, Event
from zhifa.events.permissions import can_command_events
from zhifa.events.privacy import tel_url
from zhifa.events.recommend import recommend_officers
from zhifa.events.schemas import (
    API_SOURCES,
    ActionIn,
    EventDetailOut,
    EventIn,
    EventOut,
    PositionIn,
    PositionOut,
    QueueItemOut,
    RecommendationOut,
    ReporterPhoneOut,
)
from zhifa.events.services.contacts import can_reveal_reporter_phone
from zhifa.events.services.dispatch import officers_needed
from zhifa.events.states import EventAction
from zhifa.geo.services import to_wgs84
from zhifa.org.jurisdiction import jurisdiction_of
from zhifa.org.models import Department, Officer

router = Router()
officers_router = Router()

# The event actions of the API are the workflow's (EventAction, by value), plus the two operations that are no
# transition: classify (the operator's choice of matter, kept as training signal) and relocate (更正位置).
ACTIONS: tuple[str, ...] = (*(a.value for a in EventAction), "classify", "relocate")
# Deprecated spellings of two actions, accepted for one release after issue 10's renames: a phone or an
# integration may hold requests queued before the upgrade (docs/integrations.md). To be removed after it.
LEGACY_ACTIONS = {"check-in": EventAction.ARRIVE, "check_in": EventAction.ARRIVE, "report": EventAction.HANDLE}


class EventFilterIn(Schema):
    status: Text | None = None
    street_id: Id | None = None
    q: Text | None = None
    open_only: bool = False


def _parse[T: Schema](request: HttpRequest, schema: type[T]) -> tuple[T, list[Any]]:
    """JSON body, or multipart/form (``payload`` JSON field or plain fields) with ``photos`` files."""
    content_type = request.content_type or ""
    files: list[Any] = []
    if content_type.startswith("multipart/") or content_type == "application/x-www-form-urlencoded":
        # The one bounded reader for both forms (json_invalid, json_too_deep, nul_in_text, …; 422).
        raw: Any = request.POST.get("payload")
        data = json_parse(raw) if raw else json_check({k: v for k, v in request.POST.items() if k != "payload"})
        files = list(request.FILES.getlist("photos"))
    else:
        data = json_parse(request.body or b"{}")
    if not isinstance(data, dict):
        raise ValidationError([{"loc": ["body"], "msg": "请求体必须是JSON对象"}])
    try:
        return schema.model_validate(data), files
    except PydanticValidationError as exc:
        # Kept as ninja keeps them (type, context, whether null was sent): zhifa.api words them in Chinese.
        errors = exc.errors(include_url=False)
        raise ValidationError(
            [{**e, "loc": ["body", *e["loc"]], "is_null": e.get("input", ...) is None} for e in errors]
        ) from None


def _detail(request: HttpRequest, event_id: int) -> EventDetailOut:
    return _detail_of(request, selectors.event_get(user=request.user, event_id=event_id))


def _detail_of(request: HttpRequest, event: Event | selectors.StoredEvent) -> EventDetailOut:
    # The number stays masked here for everyone: those who may see it ask for it, and each look is audited.
    out = EventDetailOut.from_orm(event)
    may_reveal = bool(event.reporter_phone) and can_reveal_reporter_phone(request.user, event)  # type: ignore[arg-type]
    return out.model_copy(update={"can_reveal_reporter_phone": may_reveal})


def _body_schema(schema: type[Schema]) -> dict[str, Any]:
    json_schema = schema.model_json_schema()
    multipart = {
        "type": "object",
        "properties": {
            "payload": {"type": "string", "description": "JSON，字段同 application/json"},
            "photos": {"type": "array", "items": {"type": "string", "format": "binary"}},
        },
    }
    return {
        "requestBody": {
            "content": {"application/json": {"schema": json_schema}, "multipart/form-data": {"schema": multipart}}
        }
    }


@router.post(
    "",
    response={200: EventDetailOut, 201: EventDetailOut},
    summary="上报事件（JSON，或 multipart 附照片；幂等）",
    openapi_extra=_body_schema(EventIn),
)
def create_event(request: HttpRequest) -> Status[EventDetailOut]:
    body, photos = _parse(request, EventIn)
    if body.source not in API_SOURCES:
        raise ValidationFailed(
            f"本接口不接受来源 {body.source}", code="source_not_allowed", details={"allowed": list(API_SOURCES)}
        )
    j = jurisdiction_of(request.user)
    result = services.event_intake(
        actor=request.user,
        district=j.district_id,
        source=body.source,
        description=body.description,
        lon=body.lon,
        lat=body.lat,
        coord_system=body.coord_system,
        address=body.address,
        matter_code=body.matter_code or None,
        priority=body.priority,
        reporter_name=body.reporter_name,
        reporter_phone=body.reporter_phone,
        reporter_email=body.reporter_email,
        reporter_user=request.user,
        idempotency_key=request.headers.get("Idempotency-Key", "") or body.client_key,
        attributes=body.attributes,
        request_body=request_body_of(request),
        photos=photos,
        hotline_ticket_no=body.hotline_ticket_no,
        called_at=body.called_at,
    )
    # A new event comes back with what intake wrote; only its place names are read (ADR 0005).
    stored = selectors.event_get_stored(user=request.user, result=result)
    return Status(201 if result.created else 200, _detail_of(request, stored))


@router.get("", response=list[EventOut], summary="事件列表（按管辖范围）")
@paginate(Page)
def list_events(request: HttpRequest, filters: Query[EventFilterIn]) -> Any:
    return selectors.event_list(user=request.user, **filters.model_dump())


@router.get("/queue", response=list[QueueItemOut], summary="指挥中心待办队列（按最近时限排序）")
@paginate(Page)
def event_queue(request: HttpRequest) -> Any:
    return selectors.event_queue(user=request.user)


@router.get("/{int:event_id}", response=EventDetailOut, summary="事件详情")
def get_event(request: HttpRequest, event_id: int) -> EventDetailOut:
    return _detail(request, event_id)


@router.get("/{int:event_id}/recommendations", response=list[RecommendationOut], summary="推荐派遣人员")
def recommendations(request: HttpRequest, event_id: int) -> list[RecommendationOut]:
    event = selectors.event_get(user=request.user, event_id=event_id)
    if not can_command_events(jurisdiction_of(request.user)):
        raise PermissionDenied("您的岗位无权派遣事件", code="permission_denied")
    return [
        RecommendationOut(
            officer_id=r.officer_id,
            officer_name=r.officer_name,
            distance_m=r.distance_m,
            eta_s=r.eta_s,
            reasons=list(r.reasons),
        )
        for r in recommend_officers(event=event, needed=officers_needed(event))
    ]


def _officers(event: Event, ids: list[int]) -> list[Officer]:
    found = Officer.objects.in_bulk([i for i in ids], field_name="pk")
    missing = [i for i in ids if i not in found or found[i].district_id != event.district_id]
    if missing:
        raise ValidationFailed("执法人员不存在", code="officer_not_found", details={"officer_ids": missing})
    return [found[i] for i in ids]


def _need(value: Any, field: str) -> Any:
    if value is None:
        raise ValidationFailed(f"缺少参数 {field}", code="field_required", details={"field": field})
    return value


def _run_action(user: Any, event: Event, action: str, body: ActionIn, photos: list[Any]) -> None:
    if action == EventAction.TRIAGE:
        services.event_triage(actor=user, event=event)
    elif action == EventAction.DISPATCH:
        services.event_dispatch(
            actor=user, event=event, officers=_officers(event, body.officer_ids), was_recommended=body.was_recommended
        )
    elif action == EventAction.REDISPATCH:
        services.event_redispatch(
            actor=user, event=event, officers=_officers(event, body.officer_ids), reason=body.reason
        )
    elif action == EventAction.ACKNOWLEDGE:
        services.event_acknowledge(actor=user, event=event, acted_at=body.acted_at)
    elif action == EventAction.ARRIVE:
        lon, lat = to_wgs84(_need(body.lon, "lon"), _need(body.lat, "lat"), body.coord_system)
        services.event_arrive(
            actor=user,
            event=event,
            lon=lon,
            lat=lat,
            accuracy_m=body.accuracy_m,
            acted_at=body.acted_at,
            exception_reason=body.exception_reason,
            photo=photos[0] if photos else None,
        )
    elif action == EventAction.HANDLE:
        services.event_handle(
            actor=user,
            event=event,
            outcome=body.outcome,
            photos=photos,
            acted_at=body.acted_at,
            result_type=body.result_type,
        )
    elif action == EventAction.VERIFY:
        services.event_verify(actor=user, event=event)
    elif action == EventAction.REDO:
        services.event_redo(actor=user, event=event, reason=body.reason)
    elif action == EventAction.CLOSE:
        services.event_close(
            actor=user,
            event=event,
            comment=body.comment,
            callback_result=body.callback_result,
            callback_note=body.callback_note,
            hotline_reply=body.hotline_reply,
        )
    elif action == EventAction.SEND_BACK:
        services.event_send_back(actor=user, event=event, reason=body.reason, hotline_reply=body.hotline_reply)
    elif action == EventAction.RETURN:
        services.event_return(actor=user, event=event, reason=body.reason)
    elif action == EventAction.TRANSFER:
        department = Department.objects.filter(
            pk=_need(body.department_id, "department_id"), district_id=event.district_id
        ).first()
        if department is None:
            raise ValidationFailed("部门不存在", code="department_not_found", details={"id": body.department_id})
        services.event_transfer(actor=user, event=event, department=department, instructions=body.instructions)
    elif action == EventAction.FEEDBACK:
        task = CoordinationTask.objects.filter(event=event, feedback_at__isnull=True).order_by("-created_at").first()
        if task is None:
            raise NotFound("该事件没有待反馈的协同任务", code="coordination_task_not_found", details={})
        services.event_coordination_feedback(actor=user, task=task, feedback=body.feedback)
    elif action == EventAction.MERGE:
        # Through the user's scope: a target in another street is "not found" as a missing one is (issue 9).
        into = selectors.event_get(user=user, event_id=_need(body.into_id, "into_id"))
        services.event_merge(actor=user, event=event, into=into, reason=body.reason)
    elif action == EventAction.REJECT:
        services.event_reject(actor=user, event=event, reason=body.reason)
    elif action == "classify":
        matter = Matter.objects.filter(pk=_need(body.matter_id, "matter_id"), district_id=event.district_id).first()
        if matter is None:
            raise NotFound("执法事项不存在", code="matter_not_found", details={"id": body.matter_id})
        services.event_classify_override(actor=user, event=event, matter=matter)
    elif action == "relocate":
        services.event_relocate(
            actor=user,
            event=event,
            lon=_need(body.lon, "lon"),
            lat=_need(body.lat, "lat"),
            coord_system=body.coord_system,
            address=body.address,
            reason=body.reason,
        )


@router.post(
    "/{int:event_id}/actions/{action}",
    response=EventDetailOut,
    summary="事件操作：" + " / ".join(ACTIONS),
    description=(
        "dispatch/redispatch: officer_ids (+reason)；acknowledge: [acted_at]；"
        "arrive: lon, lat[, coord_system, accuracy_m, acted_at]（超出签到半径时可加 exception_reason 和一张"
        " multipart photos 现场照片，按超距到场提交并提示调度）；"
        "relocate（更正位置）: lon, lat, reason[, coord_system, address]；handle: outcome, result_type[, acted_at] (+ multipart photos)；"
        "redo/return/reject/merge/send_back: reason；merge: into_id；"
        "close: [comment, callback_result, callback_note, hotline_reply]（12345工单须有 callback_result）；"
        "send_back（退回12345，仅热线来件）: reason[, hotline_reply]；"
        "transfer: department_id, instructions；feedback: feedback；classify: matter_id。"
        "旧名 check-in（= arrive）、report（= handle）仍接受一个版本，已弃用。"
    ),
    openapi_extra=_body_schema(ActionIn),
)
def event_action(request: HttpRequest, event_id: int, action: str) -> EventDetailOut:
    action = LEGACY_ACTIONS.get(action, action)
    if action not in ACTIONS:
        raise NotFound(f"未知的事件操作：{action}", code="action_unknown", details={"allowed": list(ACTIONS)})
    event = selectors.event_get(user=request.user, event_id=event_id)
    body, photos = _parse(request, ActionIn)
    _run_action(request.user, event, action, body, photos)
    return _detail(request, event_id)


@router.post(
    "/{int:event_id}/reporter-phone",
    response=ReporterPhoneOut,
    summary="查看来电人完整号码（指挥中心、被派遣的执法人员；每次查看记入审计）",
)
def reveal_reporter_phone(request: HttpRequest, event_id: int) -> ReporterPhoneOut:
    event = selectors.event_get(user=request.user, event_id=event_id)
    phone = services.event_reporter_phone_reveal(actor=request.user, event=event)
    return ReporterPhoneOut(reporter_phone=phone, tel_url=tel_url(phone))


@officers_router.post("/me/position", response={200: PositionOut, 201: PositionOut}, summary="上报本人位置（节流）")
def record_position(request: HttpRequest, payload: PositionIn) -> Status[PositionOut]:
    officer = Officer.objects.filter(user_id=int(request.user.pk or 0)).first()
    if officer is None:
        raise NotFound("当前账号不是执法人员", code="officer_not_found", details={})
    lon, lat = to_wgs84(payload.lon, payload.lat, payload.coord_system)
    position = services.officer_position_record(
        actor=request.user, officer=officer, lon=lon, lat=lat, accuracy_m=payload.accuracy_m
    )
    if position is None:
        return Status(200, PositionOut(is_recorded=False, recorded_at=None))
    return Status(201, PositionOut(is_recorded=True, recorded_at=position.recorded_at))
