"""/api/v1/integrations — AI camera and drone alerts (HMAC-signed, no token) and the published device list.

The alert endpoint reads the raw body itself: the signature covers the exact bytes sent, and the device
must be authenticated before the payload is even parsed.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from zhifa.api.errors import ErrorOut
from zhifa.core.errors import PayloadTooLarge
from zhifa.integrations.ai_alerts.schemas import AlertIn, AlertOut, PublishedDeviceOut
from zhifa.integrations.ai_alerts.selectors import devices_published
from zhifa.integrations.ai_alerts.services import ai_alert_receive, alert_body_limit

router = Router(auth=None, tags=["外部系统对接"])


def _read_body(request: HttpRequest) -> bytes:
    """The raw body, refusing one over the alert limit before reading it. The endpoint's own limit replaces
    Django's form-data limit, which is smaller than one photo at the allowed size."""
    limit = alert_body_limit()
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    data = b"" if declared > limit else request.read(limit + 1)
    if declared > limit or len(data) > limit:
        raise PayloadTooLarge(f"请求体超过{limit}字节", details={"max_bytes": limit})
    return data


_HEADERS = [
    {"in": "header", "name": "X-Device-Id", "required": True, "schema": {"type": "string"}, "description": "设备编号"},
    {"in": "header", "name": "X-Timestamp", "required": True, "schema": {"type": "string"}, "description": "Unix 秒"},
    {
        "in": "header",
        "name": "X-Signature",
        "required": True,
        "schema": {"type": "string"},
        "description": 'hex(HMAC-SHA256(设备密钥, f"{X-Timestamp}." + 原始请求体))',
    },
    {"in": "header", "name": "X-District", "required": False, "schema": {"type": "string"}, "description": "区划代码"},
]


@router.post(
    "/ai-alerts",
    response={201: AlertOut, 200: AlertOut, 401: ErrorOut},
    auth=None,
    summary="接收AI摄像头/无人机告警（HMAC-SHA256 签名）",
    openapi_extra={
        "parameters": _HEADERS,
        "requestBody": {"required": True, "content": {"application/json": {"schema": AlertIn.model_json_schema()}}},
    },
)
def receive_alert(request: HttpRequest) -> Status[AlertOut]:
    result = ai_alert_receive(
        device_id=request.headers.get("X-Device-Id", ""),
        timestamp=request.headers.get("X-Timestamp", ""),
        signature=request.headers.get("X-Signature", ""),
        district_code=request.headers.get("X-District", ""),
        body=_read_body(request),
    )
    out = AlertOut(
        event_no=result.event.public_no,
        status=result.event.status,
        is_evidence_eligible=result.is_evidence_eligible,
    )
    return Status(201 if result.created else 200, out)


@router.get(
    "/devices/published",
    response=list[PublishedDeviceOut],
    auth=None,
    summary="已向社会公布设置地点的电子技术监控设备（行政处罚法第四十一条）",
)
def published_devices(request: HttpRequest, district: str = "") -> Any:
    return [
        PublishedDeviceOut(
            name=d.name,
            kind=d.kind,
            kind_label=d.get_kind_display(),
            address=d.published_address,
            lon=d.lon,
            lat=d.lat,
        )
        for d in devices_published(district_code=district)
    ]
