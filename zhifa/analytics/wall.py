"""The command centre's wall screen (大屏, issue 17 part 2): what a room needs to see at a glance, for the
viewer's scope (``analytics_scope`` of today: the district, or a street dispatcher's street).

- **Live events**: today's events of the scope, newest first (merged duplicates not shown, as the figures do
  not count them); urgent ones flagged.
- **Officers**: active officers of the scope on duty (a duty shift covers now), busy (working an event in the
  field: an unreleased assignment to an event dispatched, acknowledged or arrived) and free (on duty, not
  busy) — the command centre's map colours officers by the same rule (zhifa/web/command.py) — and each one's
  latest position for the map.
- **Clocks about to run out**: the open events whose running clock (the command centre queue's
  ``next_due_at``: 响应, then 到场, then 处置; a transfer's coordination deadline) falls due next, soonest first,
  and how many are past due already.
- **Today's 1530 rate**: ``selectors.headline`` of today — the leaders' view's own selector, whose met/missed
  rule is the events app's (``events.clocks.clock_outcome_q``, the event page's own rule in SQL); nothing is
  restated here.
- **Hotspots now**: ``hotspots.recent_by_grid`` over the last ``HOT_HOURS`` hours.

Everything is read on request in a fixed number of queries; the page's live stream (zhifa/web/wall_views.py)
tells the browser when to read again.
"""

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from zhifa.analytics.hotspots import recent_by_grid
from zhifa.analytics.scope import AnalyticsScope, analytics_scope
from zhifa.analytics.selectors import CLOCKS, cohort, headline
from zhifa.events import selectors as event_selectors
from zhifa.events.models import Event, EventAssignment
from zhifa.events.states import FIELD_STATES, Clock, EventPriority, EventStatus
from zhifa.org.models import Officer
from zhifa.org.roster_selectors import shifts_on_duty_at

WALL_EVENTS = 8
WALL_CLOCKS = 8
HOT_HOURS = 2
DESCRIPTION_CHARS = 60
# The clock an open event's ``next_due_at`` is, by its status (events.selectors._with_next_due).
RUNNING_CLOCK = {
    EventStatus.DISPATCHED: Clock.ACKNOWLEDGE,
    EventStatus.ACKNOWLEDGED: Clock.ARRIVE,
    EventStatus.ARRIVED: Clock.HANDLE,
    EventStatus.TRANSFERRED: Clock.COORDINATION,
}


def wall_scope(*, user: Any, street: str | int | None = None) -> AnalyticsScope:
    """Today, for the viewer: refused as the leaders' view refuses (``analytics_forbidden``,
    ``street_outside_scope``, ``unknown_street``)."""
    today = timezone.localdate().isoformat()
    return analytics_scope(user=user, date_from=today, date_to=today, street=street)


def event_row(event: Event) -> dict[str, Any]:
    """One line of the live list (also what the live stream sends for a changed event)."""
    reported = timezone.localtime(event.reported_at)
    return {
        "id": event.pk,
        "public_no": event.public_no,
        "reported_at": event.reported_at.isoformat(),
        "time": reported.strftime("%H:%M"),
        "description": event.description[:DESCRIPTION_CHARS],
        "address": event.address,
        "street": event.street.name,
        "status": event.status,
        "status_label": event.get_status_display(),
        "is_urgent": event.priority == EventPriority.URGENT,
    }


def is_on_wall(event: Event, scope: AnalyticsScope) -> bool:
    """Whether a changed event belongs in the live list: reported today, in the scope, not merged away."""
    if event.status == EventStatus.MERGED or event.district_id != scope.district_id:
        return False
    if scope.street is not None and event.street_id != scope.street.pk:
        return False
    return scope.starts_at <= event.reported_at < scope.ends_at


def latest_events(scope: AnalyticsScope, *, limit: int = WALL_EVENTS) -> list[dict[str, Any]]:
    rows = cohort(scope).select_related("street").order_by("-reported_at", "-pk")[:limit]
    return [event_row(e) for e in rows]


def _scope_officers(scope: AnalyticsScope) -> QuerySet[Officer]:
    officers = Officer.objects.filter(district_id=scope.district_id, is_active=True)
    if scope.street is not None:
        officers = officers.filter(street_id=scope.street.pk)
    return officers


def officer_counts(scope: AnalyticsScope, *, now: dt.datetime) -> dict[str, int]:
    """On duty, busy and free (on duty and not busy), in one query."""
    on_duty = Q(Exists(shifts_on_duty_at(now).filter(officer=OuterRef("pk"))))
    busy = Q(
        Exists(
            EventAssignment.objects.filter(
                officer=OuterRef("pk"), released_at__isnull=True, event__status__in=FIELD_STATES
            )
        )
    )
    counts = _scope_officers(scope).aggregate(
        on_duty=Count("pk", filter=on_duty), busy=Count("pk", filter=busy), free=Count("pk", filter=on_duty & ~busy)
    )
    return {k: int(v) for k, v in counts.items()}


def officer_points(*, user: Any, scope: AnalyticsScope) -> list[dict[str, Any]]:
    """The latest position of each officer of the scope, coloured as the command centre's map does."""
    positions = event_selectors.officer_positions_latest(user=user)
    if scope.street is not None:
        positions = positions.filter(officer__street_id=scope.street.pk)
    out = []
    p: Any  # with the selector's is_busy / is_on_duty annotations
    for p in positions:
        status = "busy" if p.is_busy else ("free" if p.is_on_duty else "off_duty")
        out.append({"id": p.officer_id, "name": p.officer.name, "lon": p.lon, "lat": p.lat, "status": status})
    return out


def clocks_due(*, user: Any, scope: AnalyticsScope, now: dt.datetime, limit: int = WALL_CLOCKS) -> dict[str, Any]:
    """The next ``limit`` running clocks to fall due (not yet past), soonest first, and the count already past."""
    queue = event_selectors.event_queue(user=user)
    if scope.street is not None:
        queue = queue.filter(street_id=scope.street.pk)
    # ``next_due_at`` is the queue's annotation (in Q objects: the type checker knows the model's fields only).
    running: Any = queue.filter(Q(next_due_at__gte=now))
    upcoming = running.order_by("next_due_at", "pk")[:limit]
    rows = []
    for e in upcoming:
        clock = RUNNING_CLOCK.get(EventStatus(e.status))
        rows.append(
            {
                "id": e.pk,
                "public_no": e.public_no,
                "clock": str(clock) if clock else "",
                "clock_label": clock.label if clock else "",
                "due_at": e.next_due_at.isoformat(),
                "street": e.street.name,
                "description": e.description[:DESCRIPTION_CHARS],
                "is_urgent": e.priority == EventPriority.URGENT,
            }
        )
    return {"upcoming": rows, "overdue": queue.filter(Q(next_due_at__lt=now)).count()}


def wall_figures(*, user: Any, scope: AnalyticsScope, now: dt.datetime | None = None) -> dict[str, Any]:
    """Everything the wall shows but the map's outlines, as plain data (the page's first paint and every
    refresh of its JSON read this one dict)."""
    now = now or timezone.now()
    today = headline(scope, now=now)
    return {
        "now": now.isoformat(),
        "scope": {"street": {"id": scope.street.pk, "name": scope.street.name} if scope.street else None},
        "events": latest_events(scope),
        "events_limit": WALL_EVENTS,
        "total": today["total"],
        "escalated": today["escalated"],
        "rates": [{"key": str(c), "label": Clock(c).label, "rate": today["rates"][str(c)]} for c, _d, _m in CLOCKS],
        "officers": officer_counts(scope, now=now),
        "officer_points": officer_points(user=user, scope=scope),
        "clocks": clocks_due(user=user, scope=scope, now=now),
        "hot_hours": HOT_HOURS,
        "hotspots": recent_by_grid(scope, now=now, hours=HOT_HOURS),
    }
