"""How an event is shown on a page, on the command centre's queue and map, and on the phone.

Pure functions of an already-loaded event (the selectors did the querying): which clock is running and
when it is due, the reporter's phone masked, and the compact row the live stream sends.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from zhifa.events.clocks import CLOCK_FIELDS, clock_outcome
from zhifa.events.models import Event
from zhifa.events.states import EVENT_WORKFLOW, FIELD_STATES, OPEN_STATES, Clock, EventAction, EventStatus


@dataclass(frozen=True)
class ClockState:
    """A clock as the page shows it; whether it is met or missed is the events app's rule
    (``clocks.clock_outcome``, the one the leaders' view counts in SQL), judged now."""

    clock: str
    label: str
    due_at: dt.datetime | None
    met_at: dt.datetime | None

    @property
    def outcome(self) -> str | None:
        return clock_outcome(self.due_at, self.met_at, timezone.now())

    @property
    def is_met(self) -> bool:
        return self.outcome == "met"

    @property
    def is_missed(self) -> bool:
        return self.outcome == "missed"


def clock_states(event: Event) -> list[ClockState]:
    """The three "1530" clocks with their due times and when each was met (None while running)."""
    return [
        ClockState(clock, Clock(clock).label, getattr(event, due), getattr(event, done))
        for clock, (due, done) in CLOCK_FIELDS.items()
    ]


def running_deadline(event: Event, coordination_due_at: dt.datetime | None = None) -> ClockState | None:
    """The nearest clock still running: the zone team's clocks while it is in the field, the coordinating
    department's deadline while transferred. None when no clock runs (waiting for the command centre)."""
    if event.status in FIELD_STATES:
        running = [c for c in clock_states(event) if c.due_at is not None and c.met_at is None]
        return min(running, key=lambda c: c.due_at or timezone.now(), default=None)
    if event.status == EventStatus.TRANSFERRED and coordination_due_at is not None:
        return ClockState(Clock.COORDINATION, Clock.COORDINATION.label, coordination_due_at, None)
    return None


def coordination_due_at(event: Event) -> dt.datetime | None:
    """The open coordination task's deadline; reads the prefetched tasks when the selector prefetched them."""
    tasks = [t for t in event.coordination_tasks.all() if t.feedback_at is None]
    return min((t.due_at for t in tasks), default=None)


def crew_of(event: Event) -> list[Any]:
    """The officers working ``event`` now, the lead first: ``selectors.crew_prefetch``'s list when the rows
    were read with it, else from the event's assignments (prefetched by ``event_get``)."""
    crew = getattr(event, "crew", None)
    if crew is None:
        active = [a for a in event.assignments.all() if a.released_at is None]
        crew = sorted(active, key=lambda a: (not a.is_lead, a.assigned_at, a.pk))
    return list(crew)


def silent_lead(assignments: Any) -> Any | None:
    """The 主办's assignment when they have not acknowledged while a partner of the same crew already has:
    the partner is on the way and the one answerable for the event is silent. Reads the given (loaded)
    assignments only; released ones do not count."""
    active = [a for a in assignments if a.released_at is None]
    lead = next((a for a in active if a.is_lead), None)
    if lead is None or lead.acknowledged_at is not None:
        return None
    return lead if any(a.acknowledged_at is not None for a in active if a is not lead) else None


def queue_row(
    event: Event, *, request: Any = None, can_dispatch: bool = False, recommendations: Any = ()
) -> dict[str, Any]:
    """What the command centre's live stream sends for one event: its queue row as server-rendered HTML
    (the same template partial the page renders first) and the fields the map and the countdown need."""
    deadline = running_deadline(event, coordination_due_at(event))
    allowed = set(EVENT_WORKFLOW.actions_from(event.status)) if can_dispatch else set()
    crew = crew_of(event)
    context: dict[str, Any] = {
        "event": event,
        "deadline": deadline,
        "can_dispatch": can_dispatch,
        # Only the buttons the workflow allows from this state: a 转办 on a dispatched event would only fail.
        "can_transfer": EventAction.TRANSFER in allowed,
        "can_merge": EventAction.MERGE in allowed,
        "recommendations": list(recommendations),
        "crew": crew,
        "silent_lead": silent_lead(crew),
    }
    if request is not None:
        # The row's forms need the request's token and nothing else from it: rendering with the request would
        # run every context processor (the unread-notification count is a query) for each of a page's rows.
        context["csrf_token"] = get_token(request)
    return {
        "id": event.pk,
        "public_no": event.public_no,
        "status": event.status,
        "status_label": event.get_status_display(),
        "is_open": event.status in OPEN_STATES,
        "lon": event.lon,
        "lat": event.lat,
        "title": event.matter.name if event.matter is not None else event.description[:30],
        "due_at": deadline.due_at.isoformat() if deadline and deadline.due_at else None,
        "url": reverse("web:event-detail", args=[event.pk]),
        "html": render_to_string("web/command.html#queue-row", context),
    }
