"""Reads for the triage desk (人工研判): the human triage queue, the kinds a dispatcher chooses from, the model's
candidates as the desk shows them, the corrections counted, and the departments a transfer may go to."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, QuerySet, Value, When

from zhifa.catalog.models import ClockPolicy, ComplaintKind
from zhifa.events.clocks import LOCAL_TZ
from zhifa.events.models import Event, TriageCorrection
from zhifa.events.permissions import can_command_events, covers_event_street
from zhifa.events.selectors import _scoped
from zhifa.events.services.triage import RECLASSIFIABLE_STATES
from zhifa.events.states import EventPriority, EventRoute
from zhifa.org.jurisdiction import jurisdiction_of
from zhifa.org.models import Department
from zhifa.org.selectors import department_list


@dataclass(frozen=True)
class Candidate:
    code: str
    name: str  # the kind's name, or the code when the district has no such kind
    department: str
    probability: float

    @property
    def percent(self) -> int:
        return round(self.probability * 100)


@dataclass(frozen=True)
class CorrectionCounts:
    today: int
    total: int


def can_correct_triage(user: Any, event: Event) -> bool:
    """Whether the user is offered 纠正研判 on the event (the service checks the same again): one who commands
    the event's street, while the event is still the command centre's to route."""
    j = jurisdiction_of(user)
    return event.status in RECLASSIFIABLE_STATES and can_command_events(j) and covers_event_street(j, event.street_id)


def kind_list(*, user: Any) -> list[ComplaintKind]:
    """The district's active kinds, with their departments (what a dispatcher may correct an event to)."""
    j = jurisdiction_of(user)
    return list(
        ComplaintKind.objects.filter(district_id=j.district_id, is_active=True)
        .select_related("department")
        .order_by("code")
    )


def candidates_of(event: Event, kinds: list[ComplaintKind]) -> list[Candidate]:
    """The model's top candidates for the event, named as the district names them."""
    by_code = {k.code: k for k in kinds}
    shown = []
    for code, probability in event.triage_candidates or []:
        kind = by_code.get(str(code))
        shown.append(
            Candidate(
                code=str(code),
                name=kind.name if kind else str(code),
                department=kind.department.short_name if kind else "本区未设",
                probability=float(probability),
            )
        )
    return shown


def triage_queue(*, user: Any) -> QuerySet[Event]:
    """The human triage queue: open events in the user's scope that triage could not route with confidence,
    urgent first, then oldest first."""
    urgent_first = Case(When(priority=EventPriority.URGENT, then=Value(0)), default=Value(1))
    return (
        _scoped(user)
        .filter(route=EventRoute.MANUAL, status__in=RECLASSIFIABLE_STATES)
        .select_related("street", "kind")
        .order_by(urgent_first, "reported_at", "pk")
    )


def correction_counts(*, user: Any, now: dt.datetime) -> CorrectionCounts:
    """The desk's corrections in the user's district: today's and all (each is a training example)."""
    j = jurisdiction_of(user)
    corrections = TriageCorrection.objects.filter(event__district_id=j.district_id)
    start = now.astimezone(LOCAL_TZ).replace(hour=0, minute=0, second=0, microsecond=0)
    return CorrectionCounts(today=corrections.filter(created_at__gte=start).count(), total=corrections.count())


def transfer_departments(*, user: Any) -> list[Department]:
    """Where the command centre may transfer an event: the coordinating departments and the handling
    departments of the district's complaint kinds (``coordination.receives_transfers``)."""
    handling = set(
        ComplaintKind.objects.filter(is_active=True)
        .exclude(clock_policy=ClockPolicy.ON_SITE)
        .values_list("department_id", flat=True)
    )
    return [d for d in department_list(user=user) if d.is_coordinating or d.pk in handling]
