"""The command centre's wall screen (大屏, issue 17 part 2) at /analytics/wall/, and the hotspots' part of the
leaders' view (issue 17 part 1, ``hotspot_section``).

The wall is one page for a 1920×1080 display (dark, large type, never scrolled) drawn by web/wall.js from the
figures of ``analytics.wall.wall_figures`` passed as JSON; it keeps itself current without reloading:

- ``/analytics/wall/stream`` — a Server-Sent Events stream (zhifa/web/sse.py, the mechanism the command
  centre's and the phone's streams share) of every event of the viewer's scope created or changed since the
  client's cursor, as the live list's row: the new event shows at once.
- ``/analytics/wall/data.json`` — the whole of ``wall_figures``, read again by the page shortly after a
  streamed change (the 1530 rate, the clocks and the hotspots move with it) and every ``REFRESH_SECONDS``
  (officers' positions and duty change without an event changing).

Not the command centre's own stream (``/command/stream``): that one is for those who command events — a leader
is not among them, and the wall is for leaders too — and each of its messages is a queue row with the
recommended crew computed for it, work the wall does not need. The wall's feed follows the same rules (the
cursor in the SSE id, a look-back for late commits, nothing kept in the process).
"""

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from zhifa.analytics.hotspots import grid_outlines, hotspots, scope_grids
from zhifa.analytics.scope import AnalyticsScope
from zhifa.analytics.wall import event_row, is_on_wall, wall_figures, wall_scope
from zhifa.events import selectors as event_selectors
from zhifa.org.jurisdiction import jurisdiction_of
from zhifa.web.pages import page_view
from zhifa.web.sse import sse_message, sse_response

REFRESH_SECONDS = 10
# Re-read this far back on every poll, as the command centre's stream does (a transaction that stamped
# updated_at earlier but committed after the last poll); rows already sent are not sent twice.
LOOKBACK = dt.timedelta(seconds=5)


def _event_url(event_id: int) -> str:
    return reverse("web:event-detail", args=[event_id])


def _records(scope: AnalyticsScope, figure: str, key: str) -> str:
    return f"{reverse('web:analytics-records')}?{urlencode(scope.query(figure=figure, key=key))}"


def _linked(scope: AnalyticsScope, figures: dict[str, Any]) -> dict[str, Any]:
    for row in figures["events"]:
        row["url"] = _event_url(row["id"])
    for row in figures["clocks"]["upcoming"]:
        row["url"] = _event_url(row["id"])
    # The records of a hot grid: today's events there (the records page counts by day, not by the hour).
    for row in figures["hotspots"]:
        row["url"] = _records(scope, "grid", row["key"])
    return figures


def _street(request: HttpRequest) -> str | None:
    return request.GET.get("street") or None


@page_view
def wall(request: HttpRequest) -> Any:
    scope = wall_scope(user=request.user, street=_street(request))
    now = timezone.now()
    query = {"street": str(scope.street.pk)} if scope.street and not scope.is_street_locked else {}
    suffix = f"?{urlencode(query)}" if query else ""
    context = {
        "scope": scope,
        "figures": _linked(scope, wall_figures(user=request.user, scope=scope, now=now)),
        "outlines": grid_outlines(scope_grids(scope)),
        "config": {
            "dataUrl": reverse("web:analytics-wall-data") + suffix,
            "streamUrl": reverse("web:analytics-wall-stream"),
            "streamQuery": query,
            "since": now.isoformat(),
            "refreshSeconds": REFRESH_SECONDS,
        },
    }
    return render(request, "web/analytics/wall.html", context)


@page_view
def wall_data(request: HttpRequest) -> JsonResponse:
    scope = wall_scope(user=request.user, street=_street(request))
    figures = _linked(scope, wall_figures(user=request.user, scope=scope))
    return JsonResponse(figures, json_dumps_params={"ensure_ascii": False})


class WallFeed:
    """The scope's events changed since the client's cursor, as the live list's rows with ``on_wall`` (whether
    the row belongs in the list: reported today, in the scope, not merged away); the cursor only moves forward."""

    def __init__(self, *, user: Any, scope: AnalyticsScope, since: dt.datetime) -> None:
        self.user = user
        self.scope = scope
        self.cursor = since
        self.sent: dict[int, dt.datetime] = {}

    def poll(self) -> list[str]:
        changed = event_selectors.events_changed_since(user=self.user, since=self.cursor - LOOKBACK)
        if self.scope.street is not None:
            changed = changed.filter(street_id=self.scope.street.pk)
        out = []
        for event in changed:
            if self.sent.get(event.pk) == event.updated_at:
                continue
            self.sent[event.pk] = event.updated_at
            self.cursor = max(self.cursor, event.updated_at)
            row = {**event_row(event), "url": _event_url(event.pk), "on_wall": is_on_wall(event, self.scope)}
            out.append(sse_message(row, event="event", id=self.cursor.isoformat()))
        horizon = self.cursor - LOOKBACK
        self.sent = {pk: at for pk, at in self.sent.items() if at >= horizon}
        return out


def _since(request: HttpRequest) -> dt.datetime:
    """Where the client left off: Last-Event-ID on a reconnect, else the page's render time, else now."""
    for raw in (request.headers.get("Last-Event-ID", ""), request.GET.get("since", "")):
        parsed = parse_datetime(raw) if raw else None
        if parsed is not None and timezone.is_aware(parsed):
            return parsed
    return timezone.now()


@page_view
def wall_stream(request: HttpRequest) -> StreamingHttpResponse:
    scope = wall_scope(user=request.user, street=_street(request))
    # Load the profile now: the async stream must not touch the lazy user from the event loop.
    jurisdiction_of(request.user)
    feed = WallFeed(user=request.user, scope=scope, since=_since(request))
    return sse_response(request, feed, what="wall stream")


# ---- the hotspots on the leaders' view --------------------------------------------------------------------


def hotspot_section(scope: AnalyticsScope) -> dict[str, Any]:
    """The leaders' view's hotspots: the figures with the address of the records behind each grid and each hour
    of week (the heatmap's cells and the map's grids open them), and the scope's grid outlines for the map."""
    figures = hotspots(scope)
    for row in figures["grids"]:
        row["url"] = _records(scope, "grid", row["key"])
    for row in figures["top_slots"]:
        row["url"] = _records(scope, "weekhour", row["key"])
    # Every cell of the heatmap opens its records: one address pattern, the key filled in by the script.
    figures["weekhour_url"] = _records(scope, "weekhour", "")
    figures["outlines"] = grid_outlines(scope_grids(scope))
    return figures
