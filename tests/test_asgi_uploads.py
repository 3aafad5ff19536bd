"""Photo uploads to the API have threads of their own at the server's entry point (config/asgi.py): while
one request's photos are being checked, another caller's JSON request is answered (issue 9, item 7)."""

import asyncio
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from conftest import POINT_IN_A, World
from zhifa.core.tokens import api_token_issue
from zhifa.events import photos
from zhifa.events.models import Event
from zhifa.events.tests.conftest import jpeg_bytes

pytestmark = pytest.mark.django_db(transaction=True)


class _Gate:
    """Stands in for the photo decode slots: holds the photo check until the test opens it."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.opened = threading.Event()

    def __enter__(self) -> None:
        self.entered.set()
        self.opened.wait(30)

    def __exit__(self, *exc: Any) -> None:
        return None


def _scope(method: str, path: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    raw = [(b"host", b"127.0.0.1"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": raw,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


async def _serve(app: Any, scope: dict[str, Any], body: bytes) -> dict[str, Any]:
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
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    await app(scope, receive, send)
    return answer


def test_a_json_request_is_answered_while_another_callers_photos_are_checked(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from config.asgi import application

    gate = _Gate()
    monkeypatch.setattr(photos, "_decode_slots", gate)
    _, key = api_token_issue(actor="测试", user=world.user("dispatcher"), name="asgi")
    auth = {"Authorization": f"Bearer {key}"}
    payload = json.dumps({"description": "占道经营", "lon": POINT_IN_A[0], "lat": POINT_IN_A[1]})
    upload_body = encode_multipart(BOUNDARY, {"payload": payload, "photos": [_file("a.jpg", jpeg_bytes())]})
    upload = _scope("POST", "/api/v1/events", {**auth, "Content-Type": MULTIPART_CONTENT}, upload_body)
    listing = _scope("GET", "/api/v1/events", auth, b"")

    async def both() -> tuple[dict[str, Any], dict[str, Any], bool]:
        pending = asyncio.create_task(_serve(application, upload, upload_body))
        # When the upload is inside the photo check, held there
        assert await asyncio.to_thread(gate.entered.wait, 30)
        # Then a JSON request of another caller is answered meanwhile (on one shared thread it would wait)
        answered = await asyncio.wait_for(_serve(application, listing, b""), 20)
        was_pending = not pending.done()
        gate.opened.set()
        return answered, await asyncio.wait_for(pending, 30), was_pending

    with ThreadPoolExecutor(max_workers=1) as loop_thread:
        answered, uploaded, was_pending = loop_thread.submit(asyncio.run, both()).result()

    assert (answered["status"], json.loads(answered["body"])["count"], was_pending) == (200, 0, True)
    assert uploaded["status"] == 201
    assert Event.objects.count() == 1


def _file(name: str, data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, "image/jpeg")
