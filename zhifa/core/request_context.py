"""Who is acting, from where, under which request id — read by the audit chain.

A context variable (not a thread-local) so that ASGI and the task worker see the right values; the
middleware sets it for each request, management commands and tasks set it with ``acting_as``.
"""

import contextvars
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


class Client:
    """Where a write came from (the audit entry's ``client``)."""

    WEB = "web"
    PHONE = "phone"
    API = "api"
    SYSTEM = "system"
    CHOICES = [(WEB, "网页"), (PHONE, "手机"), (API, "接口"), (SYSTEM, "系统")]


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    client: str


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar("zhifa_request", default=None)


def current() -> RequestContext:
    ctx = _current.get()
    return ctx if ctx is not None else RequestContext(request_id="", client=Client.SYSTEM)


def new_request_id() -> str:
    return uuid.uuid4().hex


@contextmanager
def acting_as(*, client: str, request_id: str | None = None) -> Iterator[RequestContext]:
    ctx = RequestContext(request_id=request_id or new_request_id(), client=client)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)
