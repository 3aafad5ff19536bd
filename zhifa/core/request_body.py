"""The request as it arrived, kept with what it created (DESIGN.md: every intake is stored with its raw
payload) — for audit ("what exactly did the caller send?") and for replay after a fault.

JSON and text bodies are kept as their text. Form and multipart bodies are kept as their fields in JSON
(the order they came in), with each file's name, type and size: the files' bytes are kept as photos, by
their SHA-256, not twice. The record is bounded (``ZHIFA_REQUEST_BODY_MAX_BYTES``, 64 KiB by default):
a larger one is refused before anything is written — no intake field needs more.
"""

import json
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

from zhifa.core.errors import PayloadTooLarge

DEFAULT_MAX_BYTES = 64 * 1024
_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


@dataclass(frozen=True)
class RequestBody:
    content_type: str
    text: str


def request_body_max_bytes() -> int:
    return int(getattr(settings, "ZHIFA_REQUEST_BODY_MAX_BYTES", DEFAULT_MAX_BYTES))


def request_body_of(
    request: HttpRequest, *, leave_out: frozenset[str] = frozenset({"csrfmiddlewaretoken"})
) -> RequestBody:
    """The record of ``request``'s body (``leave_out``: form fields that are no part of what was reported,
    the CSRF token by default). Refused (413 ``request_body_too_large``) past the bound."""
    content_type = (request.content_type or "").lower()
    if content_type in _FORM_TYPES:
        fields = [[name, value] for name, values in request.POST.lists() if name not in leave_out for value in values]
        files = [
            {"field": name, "name": f.name, "content_type": f.content_type, "size": f.size}
            for name, uploads in request.FILES.lists()
            for f in uploads
        ]
        text = json.dumps({"fields": fields, "files": files}, ensure_ascii=False, separators=(",", ":"))
    else:
        text = request.body.decode("utf-8", errors="replace")
    record = RequestBody(content_type=content_type[:100], text=text)
    request_body_check(record)
    return record


def request_body_check(record: RequestBody) -> None:
    limit = request_body_max_bytes()
    size = len(record.text.encode())
    if size > limit:
        raise PayloadTooLarge(
            f"请求内容超过{limit}字节（当前{size}字节），请精简附加属性或描述",
            code="request_body_too_large",
            details={"max_bytes": limit, "size": size},
        )
