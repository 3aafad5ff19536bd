"""Receiving one alert: authenticate the device, refuse replays, check the payload and photo, store the event.

Order of checks, each refusing with its own code and writing nothing: the device and its signature
(``signature_invalid`` for both: an unknown device and a wrong signature get the same answer, so that the
endpoint does not tell which device numbers exist), the timestamp (``timestamp_out_of_window``), the
payload (``payload_invalid``, or the JSON reader's ``json_too_deep`` / ``number_not_finite`` /
``nul_in_text``) and its photo (``photo_*``), the replay (``alert_replayed``), then everything
``event_intake`` checks (e.g. ``point_outside_district``). The accepted signature, the event and its photo
are written in one transaction, so a refusal at any step leaves no trace.
"""

import base64
import binascii
import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from pydantic import ValidationError as PydanticValidationError

from zhifa.core.actors import device_actor
from zhifa.core.api_input import json_parse
from zhifa.core.errors import Conflict, DomainError, ValidationFailed
from zhifa.events.models import Event
from zhifa.events.photos import ValidatedPhoto, max_photo_bytes, photo_validate
from zhifa.events.services import event_intake
from zhifa.events.states import EventSource
from zhifa.integrations.ai_alerts.schemas import AlertIn
from zhifa.integrations.ai_alerts.signing import alert_signature_matches
from zhifa.integrations.models import AlertSignature, Device, DeviceKind

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
SOURCE_OF_KIND = {DeviceKind.CAMERA: EventSource.AI_CAMERA, DeviceKind.DRONE: EventSource.DRONE}


class AlertUnauthenticated(DomainError):
    """The request does not prove it comes from a registered device now."""

    status = 401
    default_code = "signature_invalid"


@dataclass(frozen=True)
class AlertResult:
    event: Event
    created: bool

    @property
    def is_evidence_eligible(self) -> bool:
        return self.event.is_evidence_eligible


def replay_window_seconds() -> int:
    return int(getattr(settings, "ZHIFA_AI_ALERT_REPLAY_WINDOW_SECONDS", 300))


def alert_body_limit() -> int:
    """The largest request body accepted: a photo at the size limit in base64 (4/3) plus the JSON around it."""
    return max_photo_bytes() * 4 // 3 + 64 * 1024


# Signs for a device number that matches no device, so that the refusal costs what a wrong signature does.
_UNKNOWN_DEVICE_KEY = secrets.token_hex(32)
# A device number used in more districts than this must name its district (X-District).
_MAX_SAME_NUMBER = 8


def _signed_device(*, device_no: str, district_code: str, timestamp: str, body: bytes, signature: str) -> Device:
    """The active device whose secret signed this request.

    An unknown device and a wrong signature are one refusal, the same status, code, message and details,
    after the same work (an HMAC against a throwaway key when no device matches): otherwise the answer, or
    its time, would tell which device numbers exist. Two districts of one installation may number devices
    alike; the signature tells them apart (X-District narrows the search).
    """
    devices = Device.objects.select_related("district").filter(device_no=device_no.strip(), is_active=True)
    if district_code:
        devices = devices.filter(district__code=district_code.strip())
    candidates = list(devices.order_by("pk")[:_MAX_SAME_NUMBER])
    refusal = AlertUnauthenticated(
        "设备未登记、已停用或签名校验失败", code="signature_invalid", details={"device_id": device_no[:50]}
    )
    if not candidates:
        alert_signature_matches(secret=_UNKNOWN_DEVICE_KEY, timestamp=timestamp, body=body, signature=signature)
        raise refusal
    matches = [
        d
        for d in candidates
        if alert_signature_matches(secret=d.secret, timestamp=timestamp, body=body, signature=signature)
    ]
    if len(matches) != 1 or not signature:
        raise refusal
    return matches[0]


def _signed_at(timestamp: str, *, now: dt.datetime) -> dt.datetime:
    window = replay_window_seconds()
    try:
        seconds = int(timestamp.strip())
        signed_at = dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise AlertUnauthenticated(
            "X-Timestamp 须为 Unix 时间戳（秒）", code="timestamp_out_of_window", details={"timestamp": timestamp[:20]}
        ) from None
    skew = abs((now - signed_at).total_seconds())
    if skew > window:
        raise AlertUnauthenticated(
            f"请求时间与服务器时间相差{int(skew)}秒，超出允许的{window}秒，请校准设备时钟",
            code="timestamp_out_of_window",
            details={"timestamp": seconds, "server_time": int(now.timestamp()), "window_seconds": window},
        )
    return signed_at


def _parse(body: bytes) -> tuple[AlertIn, dict[str, Any]]:
    # The API's one bounded JSON reader: a signed body is no less able to nest 100,000 deep.
    raw = json_parse(body)
    try:
        if not isinstance(raw, dict):
            raise ValueError("not an object")
        payload = AlertIn.model_validate(raw)
    except ValueError as exc:
        details: Any = {}
        if isinstance(exc, PydanticValidationError):
            details = [{"loc": list(e["loc"]), "reason": e["msg"]} for e in exc.errors()]
        raise ValidationFailed("告警报文格式不正确", code="payload_invalid", details=details) from None
    return payload, raw


def _photo(image_b64: str | None) -> ValidatedPhoto | None:
    if not image_b64:
        return None
    limit = max_photo_bytes()
    # The decoded length is known from the text's: refuse before decoding anything.
    if len(image_b64) // 4 * 3 > limit + 2:
        raise ValidationFailed(
            f"照片超过大小上限（{limit // (1024 * 1024)} MB）", code="photo_too_large", details={"max_bytes": limit}
        )
    try:
        data = base64.b64decode(image_b64, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed("image 字段不是有效的 Base64 编码", code="photo_unreadable", details={}) from None
    return photo_validate(("alert-image", data))


def _description(*, device: Device, payload: AlertIn) -> str:
    place = device.published_address or f"经度{payload.lon:.6f}、纬度{payload.lat:.6f}"
    seen_at = payload.occurred_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M:%S")
    sentence = (
        f"{device.get_kind_display()}“{device.name}”（编号{device.device_no}）于{seen_at}在{place}"
        f"识别到“{payload.alert_type}”，置信度{payload.confidence:.0%}。"
    )
    if payload.description:
        sentence += payload.description.strip()
    return sentence


def ai_alert_receive(
    *, device_id: str, timestamp: str, signature: str, body: bytes, district_code: str = ""
) -> AlertResult:
    """Authenticate, check and store one alert; a retry of the same ``alert_id`` returns the first event.

    An alert from a device that has not passed legal and technical review with a published location
    (APL 41) is stored, but ``is_evidence_eligible`` is False on its event.
    """
    now = timezone.now()
    device = _signed_device(
        device_no=device_id, district_code=district_code, timestamp=timestamp, body=body, signature=signature
    )
    signed_at = _signed_at(timestamp, now=now)
    payload, raw = _parse(body)
    photo = _photo(payload.image)

    raw.pop("image", None)  # the photo is kept as a file with its SHA-256, not as text in the payload
    if photo is not None:
        raw["image_sha256"] = photo.sha256
    attributes = {
        "device_no": device.device_no,
        "device_kind": device.kind,
        "occurred_at": payload.occurred_at.isoformat(),
        "confidence": payload.confidence,
        "is_device_reviewed": device.is_evidence_ready,
    }
    with transaction.atomic():
        try:
            with transaction.atomic():
                AlertSignature.objects.create(
                    device=device, signature=signature.strip().lower(), signed_at=signed_at, received_at=now
                )
        except IntegrityError:
            raise Conflict(
                "该告警请求已接收过（重放）", code="alert_replayed", details={"device_id": device.device_no}
            ) from None
        result = event_intake(
            actor=device_actor(device.device_no),
            district=device.district,
            source=SOURCE_OF_KIND[DeviceKind(device.kind)],
            description=_description(device=device, payload=payload),
            lon=payload.lon,
            lat=payload.lat,
            coord_system=payload.coord_system,
            address=device.published_address if device.kind == DeviceKind.CAMERA else "",
            # Alert ids are numbered per device; the device number keeps two devices' "1" apart.
            idempotency_key=f"{device.device_no}:{payload.alert_id}",
            source_ref=device.device_no,
            alert_type=payload.alert_type,
            alert_confidence=payload.confidence,
            is_evidence_eligible=device.is_evidence_ready,
            raw_payload=raw,
            attributes=attributes,
            photos=[photo] if photo is not None else [],
        )
        # Signatures older than the window can no longer be replayed: their timestamp is refused first.
        AlertSignature.objects.filter(signed_at__lt=now - dt.timedelta(seconds=replay_window_seconds())).delete()
    return AlertResult(event=result.event, created=result.created)
