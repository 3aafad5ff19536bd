"""The server's entry point (config/asgi.py) as uvicorn calls it: the API and Open311 through the WSGI
handler on the API's own thread, pages through Django's ASGI handler. Driven in-process with ASGI
messages, so what is checked is what a client on the wire gets."""

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from conftest import POINT_IN_A, World
from zhifa.core.tokens import api_token_issue
from zhifa.events.models import Event

pytestmark = pytest.mark.django_db(transaction=True)


def _call(method: str, path: str, *, body: bytes = b"", headers: dict[str, str] | None = None) -> dict[str, Any]:
    from config.asgi import application

    raw_headers = [(b"host", b"127.0.0.1")] + [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    if body:
        raw_headers.append((b"content-length", str(len(body)).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": raw_headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    sent = False
    answer: dict[str, Any] = {"body": b""}

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
            answer["headers"] = {k.decode().lower(): v.decode() for k, v in message["headers"]}
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    # A loop of its own on a thread of its own, as uvicorn's; this thread may already run one (Playwright's).
    with ThreadPoolExecutor(max_workers=1) as loop_thread:
        loop_thread.submit(asyncio.run, application(scope, receive, send)).result()
    return answer


def _token(world: World) -> str:
    _, key = api_token_issue(actor="测试", user=world.user("dispatcher"), name="asgi")
    return key


def _post_event(key: str, idempotency_key: str, **fields: Any) -> dict[str, Any]:
    payload = {"description": "店门口摆了好多桌子占了人行道", "lon": POINT_IN_A[0], "lat": POINT_IN_A[1], **fields}
    return _call(
        "POST",
        "/api/v1/events",
        body=json.dumps(payload, ensure_ascii=False).encode(),
        headers={
            "Authorization": f"Bearer {key}",
            "Content-Type": "application/json",
            "Idempotency-Key": idempotency_key,
        },
    )


def test_api_intake_through_the_server_entry_point_is_stored_and_answered(world: World) -> None:
    key = _token(world)
    first = _post_event(key, "asgi-1")
    assert first["status"] == 201
    assert first["headers"]["content-type"].startswith("application/json")
    assert first["headers"]["x-request-id"]
    event = json.loads(first["body"])
    stored = Event.objects.get(pk=event["id"])
    assert (stored.public_no, stored.status, stored.street_id) == (event["public_no"], "triaged", world.street_a.pk)
    # A retry with the same key is answered with the same event, nothing new stored.
    again = _post_event(key, "asgi-1")
    assert (again["status"], json.loads(again["body"])["id"]) == (200, event["id"])
    assert Event.objects.count() == 1


def test_api_errors_pass_through_unchanged_and_write_nothing(world: World) -> None:
    key = _token(world)
    answer = _post_event(key, "asgi-2", lon=121.5, lat=31.2)
    assert answer["status"] == 422
    assert json.loads(answer["body"])["code"] == "point_outside_district"
    refused = _call("POST", "/api/v1/events", body=b"{}", headers={"Authorization": "Bearer wrong"})
    assert refused["status"] == 401
    assert json.loads(refused["body"])["code"] == "not_authenticated"
    assert Event.objects.count() == 0


def test_pages_and_open311_are_served_through_the_same_entry_point(world: World) -> None:
    page = _call("GET", "/login/")
    assert page["status"] == 200
    assert "登录" in page["body"].decode()
    services = _call("GET", "/open311/v2/services.json")
    assert services["status"] == 200
    assert isinstance(json.loads(services["body"]), list)
