"""AI camera and drone alerts: HMAC-signed per device, replay-proof, stored as events (APL 41 for evidence)."""

import base64
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.contrib.admin.sites import AdminSite
from django.test import Client, RequestFactory

from conftest import POINT_IN_A, POINT_OUTSIDE, World
from zhifa.core.models import AuditEntry
from zhifa.events.models import Event, EventPhoto, PhotoKind
from zhifa.events.states import EventSource
from zhifa.events.tests.test_photos import GPS_IN_A, photo_bytes
from zhifa.integrations.admin import SECRET_MASK, DeviceAdmin
from zhifa.integrations.ai_alerts.signing import alert_signature
from zhifa.integrations.models import AlertSignature, Device, DeviceKind
from zhifa.integrations.tests.factories import DeviceFactory
from zhifa.org.tests.factories import DistrictFactory

URL = "/api/v1/integrations/ai-alerts"
NOW = dt.datetime(2026, 5, 6, 10, 0, 0, tzinfo=dt.UTC)


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def camera(world: World) -> Device:
    return DeviceFactory(district=world.district, device_no="CAM-0001", name="文一路口摄像头")


def payload(**overrides: Any) -> dict[str, Any]:
    lon, lat = POINT_IN_A
    data: dict[str, Any] = {
        "alert_id": "A-20260506-0001",
        "alert_type": "占道经营",
        "confidence": 0.92,
        "occurred_at": "2026-05-06T17:58:30+08:00",
        "lon": lon,
        "lat": lat,
        "image": base64.b64encode(photo_bytes(gps=GPS_IN_A)).decode(),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post_alert(
    client: Client,
    device: Device,
    data: dict[str, Any] | bytes,
    *,
    at: dt.datetime = NOW,
    secret: str | None = None,
    signature: str | None = None,
    device_id: str | None = None,
) -> Any:
    body = data if isinstance(data, bytes) else json.dumps(data, ensure_ascii=False).encode()
    timestamp = str(int(at.timestamp()))
    headers = {
        "X-Device-Id": device.device_no if device_id is None else device_id,
        "X-Timestamp": timestamp,
        "X-Signature": signature
        if signature is not None
        else alert_signature(secret=secret or device.secret, timestamp=timestamp, body=body),
    }
    return client.post(URL, data=body, content_type="application/json", headers=headers)


def written(media: Path) -> dict[str, int]:
    return {
        "events": Event.objects.count(),
        "photos": EventPhoto.objects.count(),
        "signatures": AlertSignature.objects.count(),
        "audit": AuditEntry.objects.count(),
        "files": sum(1 for p in media.rglob("*") if p.is_file()),
    }


def test_signed_alert_from_a_reviewed_camera_becomes_an_evidence_event_with_its_photo(
    client: Client, camera: Device, media: Path, frozen: Any
) -> None:
    response = post_alert(client, camera, payload())

    assert response.status_code == 201
    event = Event.objects.get()
    assert response.json() == {
        "event_no": event.public_no,
        "status": event.status,
        "is_evidence_eligible": True,
    }
    assert (event.source, event.source_ref, event.idempotency_key) == (
        EventSource.AI_CAMERA,
        "CAM-0001",
        "CAM-0001:A-20260506-0001",
    )
    assert (event.alert_type, event.alert_confidence, event.is_evidence_eligible) == ("占道经营", 0.92, True)
    assert (event.lon, event.lat, event.address) == (*POINT_IN_A, "甲街道文一路与学院路交叉口")
    assert event.description == (
        "摄像头“文一路口摄像头”（编号CAM-0001）于2026-05-06 17:58:30在甲街道文一路与学院路交叉口"
        "识别到“占道经营”，置信度92%。"
    )
    assert event.attributes == {
        "device_no": "CAM-0001",
        "device_kind": "camera",
        "occurred_at": "2026-05-06T17:58:30+08:00",
        "confidence": 0.92,
        "is_device_reviewed": True,
    }
    photo = EventPhoto.objects.get(event=event)
    assert "image" not in event.raw_payload
    assert event.raw_payload["image_sha256"] == photo.sha256
    assert (photo.kind, photo.exif_lon, photo.exif_lat) == (PhotoKind.ALERT, 120.105, 30.305)
    assert (media / photo.original.name).read_bytes() == photo_bytes(gps=GPS_IN_A)
    assert AlertSignature.objects.filter(device=camera).count() == 1


def test_drone_alert_without_image_is_a_drone_event(client: Client, world: World, media: Path, frozen: Any) -> None:
    drone = DeviceFactory(district=world.district, kind=DeviceKind.DRONE, device_no="UAV-07", name="巡查无人机7号")

    response = post_alert(client, drone, payload(image=None, alert_type="渣土车未密闭", description="车牌不清"))

    assert response.status_code == 201
    event = Event.objects.get()
    assert (event.source, event.address, event.photos.count()) == (EventSource.DRONE, "", 0)
    assert event.description.endswith("识别到“渣土车未密闭”，置信度92%。车牌不清")


@pytest.mark.parametrize("missing", ["legal_review_passed", "technical_review_passed", "is_location_published"])
def test_alert_from_an_unreviewed_device_is_stored_but_never_evidence(
    client: Client, world: World, media: Path, frozen: Any, missing: str
) -> None:
    device = DeviceFactory(district=world.district, **{missing: False})

    response = post_alert(client, device, payload())

    assert response.status_code == 201
    assert response.json()["is_evidence_eligible"] is False
    event = Event.objects.get()
    assert event.is_evidence_eligible is False
    assert event.attributes["is_device_reviewed"] is False
    assert event.photos.count() == 1


def test_retry_of_the_same_alert_with_a_fresh_signature_returns_the_same_event(
    client: Client, camera: Device, media: Path, frozen: Any
) -> None:
    first = post_alert(client, camera, payload())

    retry = post_alert(client, camera, payload(), at=NOW + dt.timedelta(seconds=5))

    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json() == first.json()
    assert (Event.objects.count(), EventPhoto.objects.count()) == (1, 1)


def test_two_devices_may_number_their_alerts_alike(client: Client, world: World, media: Path, frozen: Any) -> None:
    one = DeviceFactory(district=world.district)
    two = DeviceFactory(district=world.district)

    responses = [post_alert(client, device, payload(alert_id="1", image=None)) for device in (one, two)]

    assert [r.status_code for r in responses] == [201, 201]
    assert Event.objects.count() == 2


def test_replayed_request_is_refused_and_writes_nothing(
    client: Client, camera: Device, media: Path, frozen: Any
) -> None:
    body = json.dumps(payload()).encode()
    assert post_alert(client, camera, body).status_code == 201
    before = written(media)

    response = post_alert(client, camera, body)  # byte-for-byte the same request

    assert response.status_code == 409
    assert response.json()["code"] == "alert_replayed"
    assert written(media) == before


@pytest.mark.parametrize(
    ("tamper", "code"),
    [
        ({"secret": "not-the-device-secret"}, "signature_invalid"),
        ({"signature": ""}, "signature_invalid"),
        ({"signature": "00" * 32}, "signature_invalid"),
        ({"device_id": "CAM-9999"}, "signature_invalid"),
        ({"at": NOW - dt.timedelta(seconds=301)}, "timestamp_out_of_window"),
        ({"at": NOW + dt.timedelta(seconds=301)}, "timestamp_out_of_window"),
    ],
    ids=["wrong-secret", "no-signature", "forged-signature", "unknown-device", "stale", "future"],
)
def test_authentication_failures_are_401_and_write_nothing(
    client: Client, camera: Device, media: Path, frozen: Any, tamper: dict[str, Any], code: str
) -> None:
    before = written(media)

    response = post_alert(client, camera, payload(), **tamper)

    assert response.status_code == 401
    assert response.json()["code"] == code
    assert written(media) == before


def test_timestamp_at_the_edge_of_the_window_is_accepted(
    client: Client, camera: Device, media: Path, frozen: Any
) -> None:
    response = post_alert(client, camera, payload(image=None), at=NOW - dt.timedelta(seconds=300))

    assert response.status_code == 201


def test_tampered_body_fails_the_signature(client: Client, camera: Device, media: Path, frozen: Any) -> None:
    body = json.dumps(payload(image=None)).encode()
    timestamp = str(int(NOW.timestamp()))
    signature = alert_signature(secret=camera.secret, timestamp=timestamp, body=body)
    tampered = body.replace(b"0.92", b"0.99")

    response = client.post(
        URL,
        data=tampered,
        content_type="application/json",
        headers={"X-Device-Id": camera.device_no, "X-Timestamp": timestamp, "X-Signature": signature},
    )

    assert (response.status_code, response.json()["code"]) == (401, "signature_invalid")
    assert Event.objects.count() == 0


def test_inactive_device_is_unknown(client: Client, world: World, media: Path, frozen: Any) -> None:
    device = DeviceFactory(district=world.district, is_active=False)

    response = post_alert(client, device, payload())

    assert (response.status_code, response.json()["code"]) == (401, "signature_invalid")
    assert Event.objects.count() == 0


def _unsupported_gif() -> str:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("P", (4, 4)).save(buffer, format="GIF")
    return base64.b64encode(buffer.getvalue()).decode()


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"image": base64.b64encode(b"definitely not a jpeg").decode()}, 422, "photo_unreadable"),
        ({"image": "@@@ not base64 @@@"}, 422, "photo_unreadable"),
        ({"image": _unsupported_gif()}, 422, "photo_type_unsupported"),
        ({"lon": POINT_OUTSIDE[0], "lat": POINT_OUTSIDE[1]}, 422, "point_outside_district"),
        ({"confidence": 1.5}, 422, "payload_invalid"),
        ({"alert_id": ""}, 422, "payload_invalid"),
        ({"occurred_at": "yesterday"}, 422, "payload_invalid"),
    ],
    ids=["fake-image", "bad-base64", "gif", "outside-district", "confidence", "no-alert-id", "bad-time"],
)
def test_bad_alerts_are_refused_with_their_code_and_write_nothing(
    client: Client,
    camera: Device,
    media: Path,
    frozen: Any,
    overrides: dict[str, Any],
    status: int,
    code: str,
) -> None:
    before = written(media)

    response = post_alert(client, camera, payload(**overrides))

    assert response.status_code == status
    assert response.json()["code"] == code
    assert written(media) == before


def test_oversized_image_is_refused_and_writes_nothing(
    client: Client, camera: Device, media: Path, frozen: Any, settings: Any
) -> None:
    image = photo_bytes(size=(300, 300))
    settings.ZHIFA_PHOTO_MAX_BYTES = len(image) - 1
    before = written(media)

    response = post_alert(client, camera, payload(image=base64.b64encode(image).decode()))

    assert (response.status_code, response.json()["code"]) == (422, "photo_too_large")
    assert written(media) == before


def test_body_over_the_endpoint_limit_is_refused_unread(
    client: Client, camera: Device, media: Path, frozen: Any, settings: Any
) -> None:
    settings.ZHIFA_PHOTO_MAX_BYTES = 1024  # body limit: 1365 + 64 KiB
    body = json.dumps(payload(description="x" * 70_000)).encode()

    response = post_alert(client, camera, body)

    assert (response.status_code, response.json()["code"]) == (413, "payload_too_large")
    assert Event.objects.count() == 0


def test_non_json_body_is_payload_invalid(client: Client, camera: Device, media: Path, frozen: Any) -> None:
    response = post_alert(client, camera, b"[1, 2, 3]")

    assert (response.status_code, response.json()["code"]) == (422, "payload_invalid")


def test_signatures_older_than_the_window_are_pruned(client: Client, camera: Device, media: Path) -> None:
    with time_machine.travel(NOW, tick=False):
        post_alert(client, camera, payload(alert_id="old", image=None))
    later = NOW + dt.timedelta(seconds=301)
    with time_machine.travel(later, tick=False):
        response = post_alert(client, camera, payload(alert_id="new", image=None), at=later)

    assert response.status_code == 201
    assert list(AlertSignature.objects.values_list("signed_at", flat=True)) == [later]


def test_published_devices_list_shows_published_active_devices_only(client: Client, world: World) -> None:
    DeviceFactory(district=world.district, device_no="CAM-1", name="文一路口", lon=120.1, lat=30.3)
    DeviceFactory(district=world.district, device_no="UAV-1", kind=DeviceKind.DRONE, name="无人机", lon=None, lat=None)
    DeviceFactory(district=world.district, device_no="CAM-2", is_location_published=False)
    DeviceFactory(district=world.district, device_no="CAM-3", is_active=False)

    response = client.get("/api/v1/integrations/devices/published")

    assert response.status_code == 200
    assert response.json() == [
        {
            "name": "文一路口",
            "kind": "camera",
            "kind_label": "摄像头",
            "address": "甲街道文一路与学院路交叉口",
            "lon": 120.1,
            "lat": 30.3,
        },
        {
            "name": "无人机",
            "kind": "drone",
            "kind_label": "无人机",
            "address": "甲街道文一路与学院路交叉口",
            "lon": None,
            "lat": None,
        },
    ]


def test_evidence_ready_needs_all_three_reviews(world: World) -> None:
    device = DeviceFactory.build(district=world.district)
    assert device.is_evidence_ready is True
    for flag in ("legal_review_passed", "technical_review_passed", "is_location_published"):
        assert DeviceFactory.build(district=world.district, **{flag: False}).is_evidence_ready is False


def test_admin_change_is_audited_without_the_secret(world: World) -> None:
    device = DeviceFactory(district=world.district, secret="old-secret-value")
    request = RequestFactory().post("/admin/")
    request.user = world.user("dispatcher")
    device.secret = "new-secret-value"
    device.legal_review_passed = False

    DeviceAdmin(Device, AdminSite()).save_model(request, device, form=None, change=True)

    entry = AuditEntry.objects.get(action="admin.change", object_type="integrations.device")
    assert entry.before["secret"] == entry.after["secret"] == SECRET_MASK
    assert entry.after["secret_changed"] is True
    assert (entry.before["legal_review_passed"], entry.after["legal_review_passed"]) == (True, False)
    assert "secret-value" not in json.dumps([entry.before, entry.after])


def test_the_worked_example_in_the_docs_is_right() -> None:
    body = json.dumps(
        {
            "alert_id": "A-0001",
            "alert_type": "占道经营",
            "confidence": 0.92,
            "occurred_at": "2026-05-06T09:58:30+08:00",
            "lon": 120.105,
            "lat": 30.305,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")

    signature = alert_signature(secret="demo-secret-CAM-0001", timestamp="1778032800", body=body)

    assert signature == "f0cb8041a4bc049c183e0f7992f229921e414a0f583c2f972f0e2481e5e1c302"
    assert signature in (Path(__file__).resolve().parents[3] / "docs" / "integrations.md").read_text(encoding="utf-8")


def test_an_unknown_device_and_a_wrong_signature_get_one_answer_after_the_same_work(
    client: Client, camera: Device, media: Path, frozen: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a spy on the real signature check, counting the HMACs computed per request
    from zhifa.integrations.ai_alerts import services

    real = services.alert_signature_matches
    macs: list[int] = []

    def counted(**kwargs: Any) -> bool:
        macs[-1] += 1
        return real(**kwargs)

    monkeypatch.setattr(services, "alert_signature_matches", counted)
    before = written(media)

    # When an unknown device and a known one with a wrong secret each send the same alert
    answers = []
    for tamper in ({"device_id": "CAM-9999"}, {"device_id": "CAM-9999", "secret": camera.secret}, {"secret": "x"}):
        macs.append(0)
        response = post_alert(client, camera, payload(image=None), **tamper)
        answers.append((response.status_code, response.json()["code"], response.json()["message"]))

    # Then they cannot be told apart: one status, code and message, each after one HMAC
    assert answers == [(401, "signature_invalid", "设备未登记、已停用或签名校验失败")] * 3
    assert macs == [1, 1, 1]
    assert written(media) == before


def test_a_device_number_two_districts_share_is_told_apart_by_its_signature(
    client: Client, world: World, camera: Device, media: Path, frozen: Any
) -> None:
    other = DistrictFactory(code="330106", name="西湖区")
    DeviceFactory(district=other, device_no=camera.device_no)  # another district's camera, same number

    response = post_alert(client, camera, payload(image=None))

    assert response.status_code == 201
    assert Event.objects.get().district_id == world.district.pk


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b'{"alert_id": "A-1", "nested": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "json_too_deep"),
        (b'{"alert_id": "A-1", "alert_type": "x", "confidence": NaN}', "number_not_finite"),
        (b'{"alert_id": "A-1\\u0000", "alert_type": "x"}', "nul_in_text"),
    ],
    ids=["nested-100000-deep", "NaN", "NUL"],
)
def test_a_correctly_signed_body_the_json_reader_refuses_is_422_and_writes_nothing(
    client: Client, camera: Device, media: Path, frozen: Any, body: bytes, code: str
) -> None:
    before = written(media)

    response = post_alert(client, camera, body)  # signed with the device's own secret

    assert (response.status_code, response.json()["code"]) == (422, code)
    assert written(media) == before
