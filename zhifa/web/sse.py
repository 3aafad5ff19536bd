"""A Server-Sent Events stream over a feed that polls the database — the officer's live task list (phone.py).

The same mechanism as the command centre's stream (command.py, whose notes apply): all state lives in the
database and in the client's cursor (the SSE ``id``, sent back as ``Last-Event-ID`` on a reconnect), so any
process can serve any reconnect. Under uvicorn (ASGI) the stream is an async generator that sleeps with
``asyncio.sleep`` and reaches the ORM through ``sync_to_async``; under a WSGI server (pytest-django's
``live_server``) it is a plain generator that writes a one-byte keep-alive every second, the only way a
server thread learns that the browser left. The stream ends after ``STREAM_SECONDS``; EventSource reconnects.
"""

import asyncio
import json
import logging
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any, Protocol

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, StreamingHttpResponse

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.5
HEARTBEAT_SECONDS = 15.0
WSGI_KEEPALIVE_SECONDS = 1.0
STREAM_SECONDS = 300.0
RETRY_MS = 2000


class Feed(Protocol):
    def poll(self) -> list[str]:
        """The SSE messages due since the last poll (each one ``sse_message``'s text)."""
        ...


def sse_message(data: Any, *, event: str, id: str) -> str:
    return f"event: {event}\nid: {id}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


_open_wsgi_streams = 0
_open_wsgi_streams_lock = threading.Lock()


def open_wsgi_streams() -> int:
    """How many WSGI stream threads of this process are still running (browser tests wait for none before
    the database is emptied)."""
    return _open_wsgi_streams


def _sync_stream(feed: Feed, what: str) -> Iterator[str]:
    global _open_wsgi_streams
    with _open_wsgi_streams_lock:
        _open_wsgi_streams += 1
    try:
        yield f"retry: {RETRY_MS}\n\n"
        started = last_beat = time.monotonic()
        while time.monotonic() - started < STREAM_SECONDS:
            try:
                messages = feed.poll()
            except Exception:  # the database went away (server shutting down): end; the browser reconnects
                logger.warning("%s poll failed; closing the stream", what, exc_info=True)
                return
            yield from messages
            if time.monotonic() - last_beat >= WSGI_KEEPALIVE_SECONDS:
                last_beat = time.monotonic()
                yield ":\n\n"
            time.sleep(POLL_SECONDS)
    finally:
        with _open_wsgi_streams_lock:
            _open_wsgi_streams -= 1


async def _async_stream(feed: Feed) -> AsyncIterator[str]:
    yield f"retry: {RETRY_MS}\n\n"
    poll = sync_to_async(feed.poll)
    started = last_beat = time.monotonic()
    while time.monotonic() - started < STREAM_SECONDS:
        for message in await poll():
            yield message
        if time.monotonic() - last_beat >= HEARTBEAT_SECONDS:
            last_beat = time.monotonic()
            yield ": heartbeat\n\n"
        await asyncio.sleep(POLL_SECONDS)


def sse_response(request: HttpRequest, feed: Feed, *, what: str) -> StreamingHttpResponse:
    """The streaming answer for ``feed``: async under ASGI, a keep-alive-writing generator under WSGI."""
    content: Iterator[str] | AsyncIterator[str]
    content = _async_stream(feed) if isinstance(request, ASGIRequest) else _sync_stream(feed, what)
    response = StreamingHttpResponse(content, content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx must pass each message through at once
    return response
