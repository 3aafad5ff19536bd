"""Every intake keeps the request as it arrived (DESIGN.md, issue 10), bounded, for audit and replay."""

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conftest import POINT_IN_A
from zhifa.core.models import AuditEntry
from zhifa.events.models import Event
from zhifa.events.tests.conftest import jpeg_bytes

pytestmark = pytest.mark.django_db

URL = "/api/v1/events"
BODY = {"description": "仁和路口流动摊贩占道", "lon": POINT_IN_A[0], "lat": POINT_IN_A[1], "reporter_name": "王先生"}


def signed_in(user: Any, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def test_a_json_intake_keeps_its_body_to_the_byte(world: Any) -> None:
    # Spelled as a client might: key order, spacing and escapes are the caller's, and are what is kept.
    sent = '{"lat": 30.305, "description": "仁和路口\\u6d41动摊贩", "lon": 120.105,  "attributes": {"渠道": "小程序"}}'

    response = signed_in(world.user("dispatcher")).post(URL, data=sent, content_type="application/json")

    event = Event.objects.get(pk=response.json()["id"])
    assert response.status_code == 201
    assert (event.request_body, event.request_content_type) == (sent, "application/json")
    assert json.loads(event.request_body)["description"] == event.description == "仁和路口流动摊贩"


def test_a_multipart_intake_keeps_its_fields_and_what_files_came_not_their_bytes(world: Any) -> None:
    photo = SimpleUploadedFile("现场.jpg", jpeg_bytes(), content_type="image/jpeg")
    payload = json.dumps({**BODY, "source": "patrol"}, ensure_ascii=False)

    response = signed_in(world.user("officer_a")).post(URL, data={"payload": payload, "photos": [photo]})

    event = Event.objects.get(pk=response.json()["id"])
    kept = json.loads(event.request_body)
    assert event.request_content_type == "multipart/form-data"
    assert kept["fields"] == [["payload", payload]]
    assert kept["files"] == [
        {"field": "photos", "name": "现场.jpg", "content_type": "image/jpeg", "size": len(jpeg_bytes())}
    ]
    assert event.photos.get().sha256 == response.json()["photos"][0]["sha256"]


def test_a_body_past_the_bound_is_refused_and_nothing_is_written(world: Any, settings: Any) -> None:
    settings.ZHIFA_REQUEST_BODY_MAX_BYTES = 2048
    audit_before = AuditEntry.objects.count()
    body = {**BODY, "attributes": {f"k{i}": "值" * 20 for i in range(40)}}

    response = signed_in(world.user("dispatcher")).post(
        URL, data=json.dumps(body, ensure_ascii=False), content_type="application/json"
    )

    assert response.status_code == 413
    assert response.json()["code"] == "request_body_too_large"
    assert "2048" in response.json()["message"]
    assert (Event.objects.count(), AuditEntry.objects.count()) == (0, audit_before)


def test_a_retry_spelled_differently_is_the_same_report(world: Any) -> None:
    client = signed_in(world.user("dispatcher"))
    first = client.post(URL, data=json.dumps(BODY), content_type="application/json", headers={"Idempotency-Key": "r-1"})
    reordered = json.dumps(dict(reversed(list(BODY.items()))), indent=2)

    retry = client.post(URL, data=reordered, content_type="application/json", headers={"Idempotency-Key": "r-1"})

    assert (first.status_code, retry.status_code, retry.json()["id"]) == (201, 200, first.json()["id"])
    assert Event.objects.get().request_body == json.dumps(BODY)  # the first arrival's, as stored then


def test_the_hotline_form_keeps_what_the_operator_entered_without_the_csrf_token(world: Any) -> None:
    client = signed_in(world.user("dispatcher"), enforce_csrf_checks=False)
    form = {
        "description": "居民反映夜间施工噪音",
        "lon": POINT_IN_A[0],
        "lat": POINT_IN_A[1],
        "address": "",
        "priority": "normal",
        "reporter_name": "李女士",
        "reporter_phone": "13900001111",
        "csrfmiddlewaretoken": "token-not-kept",
    }

    response = client.post("/hotline/", data=form)

    event = Event.objects.get()
    kept = dict(json.loads(event.request_body)["fields"])
    assert response.status_code == 302
    assert (kept["description"], kept["reporter_phone"]) == ("居民反映夜间施工噪音", "13900001111")
    assert "csrfmiddlewaretoken" not in kept
