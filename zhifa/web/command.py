"""The command centre (指挥中心): the queue of open events, its map and its Server-Sent Events stream.

A district holds thousands of open events (issue 16), so the page is one page of the queue (``PAGE_SIZE``)
under filters read from the query string (street, 领域, status, urgency, source, clock, a search), urgent
first and then the nearest deadline; the map's markers come from ``/command/events.json`` under the same
filters, never inside the page; the row actions (dispatch the recommended crew, transfer, merge) are HTMX
posts answered with the row alone, so the page is never reloaded.

New and changed events reach an open page within ~1 s without reloading: ``/command/stream`` polls the
database (``events_changed_since``) every ``POLL_SECONDS`` and sends each changed event's queue row, with
whether it is in the page's queue (``matches``, under the filters the page gave the stream) and whether it
is new to the page (``is_new``). All state lives in the database and in the client's cursor (the SSE ``id``,
sent back as ``Last-Event-ID`` when the browser reconnects), so any process can serve any reconnect
(DESIGN.md: no in-memory state another process needs).

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
from urllib.parse import urlsplit

from asgiref.sync import sync_to_async
from django import forms
from django.core.handlers.asgi import ASGIRequest
from django.db.models.functions import Left
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_POST

from zhifa.catalog.models import Domain
from zhifa.core.errors import DomainError, PermissionDenied
from zhifa.events import selectors
from zhifa.events.models import Event
from zhifa.events.permissions import can_command_events
from zhifa.events.privacy import tel_url
from zhifa.events.recommend import recommend_officers_many
from zhifa.events.selectors import QueueClock, QueueFilters
from zhifa.events.services.dispatch import officers_needed
from zhifa.events.states import EVENT_WORKFLOW, OPEN_STATES, EventAction, EventPriority, EventSource, EventStatus
from zhifa.events.triage_selectors import transfer_departments
from zhifa.org.jurisdiction import jurisdiction_of, require
from zhifa.org.selectors import street_list
from zhifa.web.event_display import queue_row
from zhifa.web.event_views import HANDLERS, can_command
from zhifa.web.forms import ALL, ListFilterForm
from zhifa.web.health import escalation_banner
from zhifa.web.pages import is_htmx, page_view, paginate

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


class QueueFilterForm(ListFilterForm):
    """The queue's filters, from the query string. A value outside the choices (a street outside the user's
    scope, a closed status) is dropped by validation, like the list pages' filters; the others still apply."""

    street_id = forms.TypedChoiceField(label="街道", required=False, coerce=int, empty_value=None)
    domain = forms.ChoiceField(label="领域", required=False, choices=[ALL, *Domain.choices])
    status = forms.ChoiceField(
        label="状态", required=False, choices=[ALL, *((s.value, s.label) for s in EventStatus if s in OPEN_STATES)]
    )
    priority = forms.ChoiceField(label="紧急程度", required=False, choices=[ALL, *EventPriority.choices])
    source = forms.ChoiceField(label="来源", required=False, choices=[ALL, *EventSource.choices])
    clock = forms.ChoiceField(label="时限", required=False, choices=[ALL, *QueueClock.choices])

    field_order = ["street_id", "domain", "status", "priority", "source", "clock", "q"]

    def __init__(self, *args: Any, streets: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = "事件编号、工单号、描述或地址"
        self._offer(self.fields["street_id"], streets)

    def queue_filters(self) -> QueueFilters:
        return QueueFilters(**self.filters())


def _filter_form(request: HttpRequest, query: QueryDict | None = None) -> QueueFilterForm:
    return QueueFilterForm(request.GET if query is None else query, streets=street_list(user=request.user))


def _filter_query(form: QueueFilterForm) -> str:
    """The filters that apply, as a query string (no page): for the live stream and the map's endpoint, so
    that both show what the table shows."""
    query = QueryDict(mutable=True)
    for name, value in form.filters().items():
        if value is not None:
            query[name] = str(value)
    return query.urlencode()


def command_rows(events: list[Event], *, user: Any, request: HttpRequest | None = None) -> list[dict[str, Any]]:
    """The queue rows of ``events``, each that can be dispatched with its recommended crew for one-click
    dispatch: the recommendations of a whole page are made at once (``recommend_officers_many``)."""
    may_command = {e.pk: can_command(user, e) for e in events}
    dispatchable = [
        (e, officers_needed(e))
        for e in events
        if may_command[e.pk] and EventAction.DISPATCH in EVENT_WORKFLOW.actions_from(e.status)
    ]
    crews = recommend_officers_many(events=dispatchable, limit=1)
    needed = {e.pk: n for e, n in dispatchable}
    rows = []
    for event in events:
        top = crews.get(event.pk, [])
        # One click dispatches the whole crew the law needs, or nobody.
        top = top if len(top) >= needed.get(event.pk, 1) else []
        row = queue_row(event, request=request, can_dispatch=may_command[event.pk], recommendations=top)
        row["is_urgent"] = event.priority == EventPriority.URGENT
        rows.append(row)
    return rows


def command_row(event: Event, *, user: Any, request: HttpRequest | None = None) -> dict[str, Any]:
    """One queue row (the live stream's, an action's answer)."""
    return command_rows([event], user=user, request=request)[0]


def _queue_context(request: HttpRequest, form: QueueFilterForm) -> dict[str, Any]:
    now = timezone.now()
    queue = selectors.event_queue_rows(user=request.user, filters=form.queue_filters(), now=now)
    page = paginate(request, queue)
    return {
        "form": form,
        "page": page,
        "rows": command_rows(list(page), user=request.user, request=request),
        "query": _filter_query(form),
        "cursor": now.isoformat(),
    }


@page_view
def command_centre(request: HttpRequest) -> HttpResponse:
    """The queue, one page of it (``PAGE_SIZE``) under the filters; HTMX asks for the results part alone
    when a filter or the page changes."""
    _require_command_centre(request.user)
    context = _queue_context(request, _filter_form(request))
    if is_htmx(request):
        return render(request, "web/command.html#results", context)
    context.update(
        departments=transfer_departments(user=request.user),
        escalation=escalation_banner(now=timezone.now()),
    )
    return render(request, "web/command.html", context)


# The map's markers for the current filters: every open event of a district at its busiest (the bench fills
# 5,000), but never an unbounded answer; the most pressing come first, as in the queue.
MAP_LIMIT = 5000


@page_view
def command_events(request: HttpRequest) -> JsonResponse:
    """The queue's events as compact map points: ``[id, lon, lat, number, status, is_urgent, title index]``,
    with the status labels and the titles listed once (a district has a few dozen matters, not thousands)."""
    _require_command_centre(request.user)
    form = _filter_form(request)
    queue = selectors.event_queue(user=request.user, filters=form.queue_filters())
    columns = ("pk", "lon", "lat", "public_no", "status", "priority", "matter__name", "short")
    found = list(queue.annotate(short=Left("description", 30)).values_list(*columns)[: MAP_LIMIT + 1])
    titles: dict[str, int] = {}
    points = []
    for pk, lon, lat, public_no, status, priority, matter_name, short in found[:MAP_LIMIT]:
        title = matter_name if matter_name is not None else short
        index = titles.setdefault(title, len(titles))
        points.append(
            [pk, round(lon, 6), round(lat, 6), public_no, status, int(priority == EventPriority.URGENT), index]
        )
    return JsonResponse(
        {
            "events": points,
            "titles": list(titles),
            "statuses": {s.value: s.label for s in EventStatus if s in OPEN_STATES},
            "limit": MAP_LIMIT,
            "is_truncated": len(found) > MAP_LIMIT,
        },
        json_dumps_params={"ensure_ascii": False, "separators": (",", ":")},
    )


# Actions the queue's rows offer; each is the event page's own handler (one POST, one service call).
IN_PLACE_ACTIONS = frozenset({"dispatch", "transfer", "merge"})


@require_POST
@page_view
def command_action(request: HttpRequest, event_id: int, action: str) -> HttpResponse:
    """An action on a queue row, done in place: the answer is the row as it is now under the page's filters
    (or nothing, when the event left them), the queue's count and the outcome, swapped in by HTMX. A domain
    error changes nothing and comes back with the unchanged row and the Chinese message."""
    _require_command_centre(request.user)
    if action not in IN_PLACE_ACTIONS:
        raise Http404("没有这个操作")
    event = selectors.event_get(user=request.user, event_id=event_id)
    try:
        done = HANDLERS[action](request, event)
    except PermissionDenied:
        raise
    except DomainError as exc:
        return _row_answer(
            request, event_id, notice=f"{event.public_no}：{exc.message}", is_error=True, status=exc.status
        )
    return _row_answer(request, event_id, notice=f"{event.public_no}：{done}", is_error=False, status=200)


def _row_answer(request: HttpRequest, event_id: int, *, notice: str, is_error: bool, status: int) -> HttpResponse:
    # The page's filters travel in the URL HTMX reports (the filter form pushes them there).
    page_url = request.headers.get("HX-Current-URL", "")
    form = _filter_form(request, QueryDict(urlsplit(page_url).query))
    queue = selectors.event_queue(user=request.user, filters=form.queue_filters())
    event = queue.filter(pk=event_id).first()
    context = {
        "row": command_row(event, user=request.user, request=request) if event is not None else None,
        "count": queue.count(),
        "notice": notice,
        "is_error": is_error,
    }
    response = render(request, "web/command.html#action-answer", context, status=status)
    # command.js swaps a refused action's answer (4xx) in only when it is this: the row with its message, never
    # an error page.
    response["X-Command-Answer"] = "row"
    return response


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
        # The officer's work phone, for the dispatcher to call from the map (issue 16); empty when unknown.
        "phone": position.officer.phone,
        "tel_url": tel_url(position.officer.phone),
    }


# --- Server-Sent Events ----------------------------------------------------------------------------------


class ChangeFeed:
    """The events changed since the client's cursor, as SSE messages; the cursor only moves forward."""

    def __init__(self, *, user: Any, since: dt.datetime, filters: QueueFilters | None = None) -> None:
        self.user = user
        self.cursor = since
        self.filters = filters
        # Created after this, an event is new to the page (it cannot be on it): the page's own look-back too,
        # so that an event committed just after the page read the queue is not lost.
        self.new_after = since - LOOKBACK
        self.sent: dict[int, dt.datetime] = {}
        self.escalation: dict[str, Any] | None = None
        self.escalation_checked_at: dt.datetime | None = None

    def poll(self) -> list[str]:
        out = self._escalation()
        changed = [
            event
            for event in selectors.events_changed_since(user=self.user, since=self.cursor - LOOKBACK)
            if self.sent.get(event.pk) != event.updated_at
        ]
        # Whether each is in the page's queue (open, and under its filters): one query for all of them.
        matching = (
            set(
                selectors.event_queue(user=self.user, filters=self.filters)
                .filter(pk__in=[e.pk for e in changed])
                .values_list("pk", flat=True)
            )
            if changed
            else set()
        )
        for event, row in zip(changed, command_rows(changed, user=self.user), strict=True):
            self.sent[event.pk] = event.updated_at
            self.cursor = max(self.cursor, event.updated_at)
            row["matches"] = event.pk in matching
            row["is_new"] = event.created_at > self.new_after
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
    filters = _filter_form(request).queue_filters()
    feed = ChangeFeed(user=user, since=_since(request), filters=filters)
    content: Iterator[str] | AsyncIterator[str]
    content = _async_stream(feed) if isinstance(request, ASGIRequest) else _sync_stream(feed)
    response = StreamingHttpResponse(content, content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx must pass each message through at once
    return response
