"""Who is acting, from where, under which request id — read by the audit chain.

A context variable (not a thread-local) so that ASGI and the task worker see the right values; the
middleware sets it for each request, management commands and tasks set it with ``acting_as``.

Each ``acting_as`` block also carries a memo (``request_memo``): values that hold for one request and are
asked for many times in it (a user's jurisdiction), kept for that request only. Outside such a block there is
none, so code run from a test or a shell between changes always reads afresh.
"""

import contextvars
import uuid
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


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
    # Per request, never shared: a new dict for each acting_as block (see request_memo).
    memo: dict[Hashable, Any] = field(default_factory=dict, compare=False, repr=False)


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar("zhifa_request", default=None)


def current() -> RequestContext:
    ctx = _current.get()
    return ctx if ctx is not None else RequestContext(request_id="", client=Client.SYSTEM)


def request_memo() -> dict[Hashable, Any] | None:
    """The current request's memo, or None outside a request (nothing may then be kept between calls)."""
    ctx = _current.get()
    return ctx.memo if ctx is not None else None


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
