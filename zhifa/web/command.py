"""The command centre (指挥中心) live page and its Server-Sent Events stream.

New and changed events reach an open page within ~1 s without reloading: ``/command/stream`` polls the
database (``events_changed_since``) every ``POLL_SECONDS`` and sends each changed event's queue row. All
state lives in the database and in the client's cursor (the SSE ``id``, sent back as ``Last-Event-ID`` when
the browser reconnects), so any process can serve any reconnect (DESIGN.md: no in-memory state another
process needs).

Under uvicorn (ASGI) the stream is an async generator that sleeps with ``asyncio.sleep`` and reaches the
ORM through ``sync_to_async``; under a WSGI server (pytest-django's ``live_server``, gunicorn sync
workers) Django would consume an async iterator to the end before sending anything, so there it is a plain
generator. Either way the stream ends after ``STREAM_SECONDS`` and the browser's EventSource reconnects.
"""

import asyncio
import datetime as dt
import json
import logging
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from zhifa.events import selectors
from zhifa.events.models import Event
from zhifa.events.permissions import can_command_events
from zhifa.events.recommend import recommend_officers
from zhifa.events.services.dispatch import officers_needed
from zhifa.events.states import EVENT_WORKFLOW, EventAction
from zhifa.org.jurisdiction import jurisdiction_of, require
from zhifa.org.selectors import department_list
from zhifa.web.event_display import queue_row
from zhifa.web.event_views import can_command
from zhifa.web.health import escalation_banner
from zhifa.web.pages import page_view

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.5
HEARTBEAT_SECONDS = 15.0
WSGI_KEEPALIVE_SECONDS = 1.0
STREAM_SECONDS = 300.0
RETRY_MS = 2000
# Re-read this far back on every poll: a transaction that stamped updated_at before a later one but
# committed after our last poll would otherwise be skipped. Rows already sent are not sent twice.
LOOKBACK = dt.timedelta(seconds=5)
# How often an open stream re-reads the clock watcher's heartbeat for the "escalation stopped" banner: the
# watcher is stale only after three of its 10 s scans, so a few seconds more do not matter.
ESCALATION_CHECK = dt.timedelta(seconds=5)


def _require_command_centre(user: Any) -> None:
    j = jurisdiction_of(user)
    require(can_command_events(j), "只有指挥中心或街道调度员可以进入指挥中心", code="command_not_allowed")


def command_row(event: Event, *, user: Any, request: HttpRequest | None = None) -> dict[str, Any]:
    """One queue row, with the top recommended officers for one-click dispatch when it can be dispatched."""
    may_command = can_command(user, event)
    top: list[Any] = []
    if may_command and EventAction.DISPATCH in EVENT_WORKFLOW.actions_from(event.status):
        needed = officers_needed(event)
        top = recommend_officers(event=event, needed=needed, limit=needed)
        # One click dispatches the whole crew the law needs, or nobody.
        top = top if len(top) >= needed else []
    return queue_row(event, request=request, can_dispatch=may_command, recommendations=top)


@page_view
def command_centre(request: HttpRequest) -> HttpResponse:
    _require_command_centre(request.user)
    now = timezone.now()
    rows = [command_row(e, user=request.user, request=request) for e in selectors.event_queue(user=request.user)]
    context = {
        "rows": rows,
        "cursor": now.isoformat(),
        "departments": [d for d in department_list(user=request.user) if d.is_coordinating],
        "escalation": escalation_banner(now=now),
    }
    return render(request, "web/command.html", context)


OFFICER_STATUS_LABELS = {"free": "空闲", "busy": "忙碌", "off_duty": "不在岗"}


@page_view
def command_officers(request: HttpRequest) -> JsonResponse:
    """The officers' latest positions with their status (free / busy / off duty) for the map."""
    _require_command_centre(request.user)
    positions = selectors.officer_positions_latest(user=request.user)
    return JsonResponse({"officers": [_officer_point(p) for p in positions]})


def _officer_point(position: Any) -> dict[str, Any]:
    status = "busy" if position.is_busy else ("free" if position.is_on_duty else "off_duty")
    return {
        "id": position.officer_id,
        "name": position.officer.name,
        "lon": position.lon,
        "lat": position.lat,
        "status": status,
        "status_label": OFFICER_STATUS_LABELS[status],
        "recorded_at": position.recorded_at.isoformat(),
    }


# --- Server-Sent Events ----------------------------------------------------------------------------------


class ChangeFeed:
    """The events changed since the client's cursor, as SSE messages; the cursor only moves forward."""

    def __init__(self, *, user: Any, since: dt.datetime) -> None:
        self.user = user
        self.cursor = since
        self.sent: dict[int, dt.datetime] = {}
        self.escalation: dict[str, Any] | None = None
        self.escalation_checked_at: dt.datetime | None = None

    def poll(self) -> list[str]:
        out = self._escalation()
        for event in selectors.events_changed_since(user=self.user, since=self.cursor - LOOKBACK):
            if self.sent.get(event.pk) == event.updated_at:
                continue
            self.sent[event.pk] = event.updated_at
            self.cursor = max(self.cursor, event.updated_at)
            row = command_row(event, user=self.user)
            out.append(sse_message(row, event="event", id=self.cursor.isoformat()))
        # Forget rows that left the look-back window: they cannot come back with the same timestamp.
        horizon = self.cursor - LOOKBACK
        self.sent = {pk: at for pk, at in self.sent.items() if at >= horizon}
        return out

    def _escalation(self) -> list[str]:
        """The banner's state when it changed (and first thing on every stream, so that a page open
        across a restart of the watcher is right after its reconnect)."""
        now = timezone.now()
        if self.escalation_checked_at is not None and now - self.escalation_checked_at < ESCALATION_CHECK:
            return []
        self.escalation_checked_at = now
        banner = escalation_banner(now=now)
        if banner == self.escalation:
            return []
        self.escalation = banner
        return [sse_message(banner, event="escalation", id=self.cursor.isoformat())]


def sse_message(data: Any, *, event: str, id: str) -> str:
    return f"event: {event}\nid: {id}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


_open_wsgi_streams = 0
_open_wsgi_streams_lock = threading.Lock()


def open_wsgi_streams() -> int:
    """How many WSGI stream threads of this process are still running (tests wait for none before the
    database is emptied; a stream notices a closed browser only at its next keep-alive)."""
    return _open_wsgi_streams


def _sync_stream(feed: ChangeFeed) -> Iterator[str]:
    """Under WSGI each open stream holds a server thread, and a thread only learns that the browser left
    when a write fails: so it writes a one-byte-comment keep-alive every second, not every 15 s."""
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
                logger.warning("command stream poll failed; closing the stream", exc_info=True)
                return
            yield from messages
            if time.monotonic() - last_beat >= WSGI_KEEPALIVE_SECONDS:
                last_beat = time.monotonic()
                yield ":\n\n"
            time.sleep(POLL_SECONDS)
    finally:
        with _open_wsgi_streams_lock:
            _open_wsgi_streams -= 1


async def _async_stream(feed: ChangeFeed) -> AsyncIterator[str]:
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


def _since(request: HttpRequest) -> dt.datetime:
    """Where the client left off: Last-Event-ID on a reconnect, else the page's render time, else now."""
    for raw in (request.headers.get("Last-Event-ID", ""), request.GET.get("since", "")):
        parsed = parse_datetime(raw) if raw else None
        if parsed is not None and timezone.is_aware(parsed):
            return parsed
    return timezone.now()


@page_view
def command_stream(request: HttpRequest) -> StreamingHttpResponse:
    _require_command_centre(request.user)
    user = request.user
    # Load the profile now: the async stream must not touch the lazy user from the event loop.
    jurisdiction_of(user)
    feed = ChangeFeed(user=user, since=_since(request))
    content: Iterator[str] | AsyncIterator[str]
    content = _async_stream(feed) if isinstance(request, ASGIRequest) else _sync_stream(feed)
    response = StreamingHttpResponse(content, content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx must pass each message through at once
    return response
