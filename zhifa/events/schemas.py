"""What the events API accepts and returns — only the fields meant to be exposed.

The reporter's phone number is personal data: masked in every list and detail (138****1234); those who must
call the reporter (the command centre, the officers assigned) ask for it whole, one audited look at a time
(``POST /events/{id}/reporter-phone``, ``services.event_reporter_phone_reveal``).
"""

import datetime as dt
from typing import Any

from ninja import Field, Schema

from zhifa.core.api_input import FiniteFloat, Id
from zhifa.events.models import Event, EventAssignment, EventCallback, EventPhoto
from zhifa.events.privacy import mask_phone

# Channels a client of our own API may name; Open311 and the AI alert webhook have their own endpoints.
API_SOURCES = ("api", "patrol", "hotline", "department")


class EventIn(Schema):
    description: str = Field(..., description="事件描述（不超过2000字）")
    lon: FiniteFloat | None = Field(None, description="经度；与纬度同时提供，或改为提供地址")
    lat: FiniteFloat | None = Field(None, description="纬度")
    coord_system: str = Field("wgs84", description="wgs84 / gcj02 / bd09")
    address: str = Field("", max_length=200)
    matter_code: str | None = Field(None, description="执法事项编码（可选，提供则不再自动分类）")
    priority: str = Field("normal", description="normal / urgent")
    source: str = Field("api", description="api / patrol（巡查发现）/ hotline / department")
    reporter_name: str = Field("", max_length=50)
    reporter_phone: str = Field("", max_length=20)
    reporter_email: str = Field("", max_length=100)
    client_key: str = Field("", max_length=100, description="幂等键；也可用请求头 Idempotency-Key")
    attributes: dict[str, str] = Field(default_factory=dict)
    hotline_ticket_no: str = Field(
        "", max_length=64, description="12345工单号（仅 source=hotline；6至32位字母、数字或连字符）"
    )
    called_at: dt.datetime | None = Field(
        None, description="来电时间（ISO 8601，须带时区偏移；不得晚于当前时间）；仅 12345 热线来件"
    )


class PlaceOut(Schema):
    id: int
    name: str


class MatterRefOut(Schema):
    id: int
    code: str
    name: str


class EventDepartmentOut(Schema):
    id: int
    name: str
    short_name: str


class KindRefOut(Schema):
    id: int
    code: str
    name: str


class CandidateOut(Schema):
    code: str = Field(..., description="诉求类型编码")
    probability: float = Field(..., description="研判模型给出的概率（已校准）")


class EventOut(Schema):
    id: int
    public_no: str
    source: str
    source_label: str
    status: str
    status_label: str
    priority: str
    description: str
    address: str
    lon: float = Field(..., description="经度(WGS-84)")
    lat: float = Field(..., description="纬度(WGS-84)")
    street: PlaceOut
    zone: PlaceOut
    grid: PlaceOut
    matter: MatterRefOut | None
    department: EventDepartmentOut | None
    route: str = Field(..., description="zone_team（片区执法队）/ coordination（协同联办）/ manual（人工研判）")
    kind: KindRefOut | None = Field(..., description="诉求类型（研判结果）")
    kind_confidence: float | None = Field(..., description="诉求类型置信度（已校准的概率）")
    triage_candidates: list[CandidateOut] = Field(..., description="研判模型的前三个候选类型")
    urgent_phrase: str = Field(..., description="判为紧急的依据（原文片段）")
    reporter_name: str
    reporter_phone: str = Field(..., description="报告人电话（已脱敏）")
    merged_into_id: int | None
    reported_at: dt.datetime
    dispatched_at: dt.datetime | None
    acknowledge_due_at: dt.datetime | None
    arrive_due_at: dt.datetime | None
    handle_due_at: dt.datetime | None
    escalation_level: int

    @staticmethod
    def resolve_triage_candidates(obj: Event) -> list[dict[str, Any]]:
        return [{"code": str(code), "probability": float(p)} for code, p in obj.triage_candidates or []]

    @staticmethod
    def resolve_reporter_phone(obj: Event) -> str:
        return mask_phone(obj.reporter_phone)

    @staticmethod
    def resolve_status_label(obj: Event) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_source_label(obj: Event) -> str:
        return str(obj.get_source_display())


class QueueItemOut(EventOut):
    next_due_at: dt.datetime | None = Field(None, description="正在计时的最近时限")


class AssignmentOut(Schema):
    officer_id: int
    officer_name: str
    is_lead: bool
    assigned_at: dt.datetime
    released_at: dt.datetime | None
    was_recommended: bool
    acknowledged_at: dt.datetime | None = Field(..., description="本人响应时间（同组队员各自记录）")
    arrived_at: dt.datetime | None = Field(..., description="本人到场时间（同组队员各自记录）")

    @staticmethod
    def resolve_officer_name(obj: EventAssignment) -> str:
        return obj.officer.name


class TransitionOut(Schema):
    action: str
    from_status: str
    to_status: str
    actor_label: str
    reason: str
    created_at: dt.datetime


class PhotoOut(Schema):
    id: int
    kind: str
    sha256: str
    content_type: str
    width: int
    height: int
    url: str

    @staticmethod
    def resolve_url(obj: EventPhoto) -> str:
        return obj.public_copy.url if obj.public_copy else ""


class CoordinationTaskOut(Schema):
    id: int
    department: EventDepartmentOut
    due_at: dt.datetime
    instructions: str
    feedback: str
    feedback_at: dt.datetime | None


class EscalationOut(Schema):
    clock: str
    level: int
    due_at: dt.datetime
    escalated_at: dt.datetime
    note: str


class ArrivalExceptionOut(Schema):
    """超距到场: an arrival beyond the radius accepted with a reason and a photo (flagged for the dispatcher)."""

    officer_id: int
    officer_name: str
    distance_m: int
    max_m: int
    reason: str
    arrived_at: dt.datetime
    photo_id: int

    @staticmethod
    def resolve_officer_name(obj: Any) -> str:
        return str(obj.officer.name)


class RelocationOut(Schema):
    """更正位置: one correction of the event's place, with the place before."""

    from_lon: float
    from_lat: float
    from_address: str
    to_lon: float
    to_lat: float
    to_address: str
    reason: str
    actor_label: str
    relocated_at: dt.datetime


class CallbackOut(Schema):
    result: str
    result_label: str
    note: str
    called_back_at: dt.datetime
    actor_label: str

    @staticmethod
    def resolve_result_label(obj: EventCallback) -> str:
        return str(obj.get_result_display())


class EventDetailOut(EventOut):
    reporter_phone: str = Field(
        ..., description="报告人电话（一律脱敏；有权者通过 POST /events/{id}/reporter-phone 查看全号，每次留痕）"
    )
    can_reveal_reporter_phone: bool = Field(False, description="当前用户可否查看来电人全号")
    hotline_ticket_no: str = Field("", description="12345工单号")
    called_at: dt.datetime | None = Field(None, description="来电时间")
    hotline_reply: str = Field("", description="给 12345 平台的回复（结案或退回12345时保存）")
    callbacks: list[CallbackOut] = Field(default_factory=list, description="回访记录（满意度）")
    outcome: str
    classified_by: str
    classification_score: float | None
    time_base: str
    triaged_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    arrived_at: dt.datetime | None
    handled_at: dt.datetime | None
    closed_at: dt.datetime | None
    is_evidence_eligible: bool
    assignments: list[AssignmentOut]
    transitions: list[TransitionOut]
    photos: list[PhotoOut]
    coordination_tasks: list[CoordinationTaskOut]
    escalations: list[EscalationOut]
    arrival_exceptions: list[ArrivalExceptionOut] = Field(
        default_factory=list, description="超距到场（超出签到半径到场，附原因和现场照片）"
    )
    relocations: list[RelocationOut] = Field(default_factory=list, description="位置更正记录")


class ActionIn(Schema):
    """The fields an action reads; each action uses its own (see the endpoint's description)."""

    officer_ids: list[Id] = Field(default_factory=list)
    lon: FiniteFloat | None = None
    lat: FiniteFloat | None = None
    coord_system: str = "wgs84"
    accuracy_m: FiniteFloat | None = None
    outcome: str = ""
    result_type: str = Field(
        "",
        description=(
            "handle：处置结果类型编码（如 rectified 已整改、ordered 责令整改、case_opened 转立案、no_violation 无违法事实；"
            "所在区设有结果类型时必填，须拍照的类型须同时上传处置照片）"
        ),
    )
    reason: str = ""
    department_id: Id | None = None
    instructions: str = ""
    feedback: str = ""
    into_id: Id | None = None
    matter_id: Id | None = None
    was_recommended: bool = False
    comment: str = Field("", description="close：结案意见")
    exception_reason: str = Field("", description="arrive：超出签到半径时的超距原因（须同时上传一张现场照片）")
    address: str | None = Field(None, description="relocate：更正后的地址；不填则保留原地址")
    callback_result: str = Field(
        "",
        description="close：回访结果 satisfied / basically_satisfied / dissatisfied / unreachable / declined / not_needed",
    )
    callback_note: str = Field("", description="close：回访说明")
    hotline_reply: str | None = Field(
        None, description="close / send_back：给 12345 平台的回复；不填则按处置结果（或退回理由）生成"
    )
    acted_at: dt.datetime | None = Field(
        default=None,
        description=(
            "acknowledge / arrive / handle：执法人员实际操作的时间（ISO 8601，须带时区偏移，如"
            " 2026-06-01T10:00:00+08:00），用于离线暂存后补发的操作；不填则按送达时间计时。"
            "晚于送达时间、早于送达前 ZHIFA_OFFLINE_MAX_AGE_S 秒、或早于派遣给本人（签到：响应；反馈：到场）"
            "的时间不予采用，按送达时间计时并在流转记录中注明；不带时区偏移的时间被拒绝（acted_at_naive）"
        ),
    )


class RecommendationOut(Schema):
    officer_id: int
    officer_name: str
    distance_m: float
    eta_s: float
    reasons: list[str]


class PositionIn(Schema):
    lon: FiniteFloat
    lat: FiniteFloat
    coord_system: str = "wgs84"
    accuracy_m: FiniteFloat | None = None


class ReporterPhoneOut(Schema):
    reporter_phone: str = Field(..., description="来电人完整号码（本次查看已记入审计）")
    tel_url: str = Field(..., description="一键拨打链接 tel:")


class PositionOut(Schema):
    is_recorded: bool = Field(..., description="false：与上次位置过近过快，未重复记录")
    recorded_at: dt.datetime | None
