"""Every read of events a page or endpoint serves, scoped to the reader's jurisdiction.

Scope: district roles (command centre, leaders, legal reviewers, admin) see the district; street roles
(street dispatcher, officer, auxiliary) their street, and officers and auxiliaries also the events they were
sent to (the command centre may send them to another street's event); a department liaison the events
transferred to their department; a business owner the events they reported. Services hold every write to
the same rule (``event_in_scope``): outside it an event is "not found", whatever its state.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    Count,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextChoices,
    Value,
    When,
)
from django.utils import timezone

from zhifa.catalog.models import Matter
from zhifa.core.errors import NotFound
from zhifa.events.handling_selectors import with_redo_reason
from zhifa.events.models import (
    ArrivalException,
    CoordinationTask,
    Event,
    EventAssignment,
    Notification,
    OfficerPosition,
)
from zhifa.events.states import FIELD_STATES, OPEN_STATES, EventPriority, EventStatus
from zhifa.org.jurisdiction import jurisdiction_of
from zhifa.org.models import Officer
from zhifa.org.roles import Role
from zhifa.org.roster_selectors import shifts_on_duty_at

# Street roles who go where they are sent: their scope is their street and the events they were assigned to.
_FIELD_ROLES = frozenset({Role.OFFICER, Role.AUXILIARY})

_LIST_RELATED = ("street", "zone", "grid", "matter", "department", "kind")


def _scoped(user: Any) -> QuerySet[Event]:
    j = jurisdiction_of(user)
    events = Event.objects.filter(district_id=j.district_id)
    if j.is_district_wide:
        return events
    if j.is_street_scoped:
        if j.role in _FIELD_ROLES:
            # Released assignments too: the officer's own report releases them, and must not hide the event
            # from the officer who just made it.
            sent = EventAssignment.objects.filter(event=OuterRef("pk"), officer__user_id=j.user_id)
            return events.filter(Q(street_id=j.own_street_id) | Exists(sent))
        return events.filter(street_id=j.own_street_id)
    if j.is_department_scoped:
        # And what the liaison reported: a report they made is answered with its event, never "not found".
        transferred = CoordinationTask.objects.filter(event=OuterRef("pk"), department_id=j.own_department_id)
        return events.filter(Q(reporter_user_id=j.user_id) | Exists(transferred))
    if j.role == Role.BUSINESS_OWNER:
        return events.filter(reporter_user_id=j.user_id)
    return events.none()


def text_match(term: str) -> Q:
    """What a search box finds an event by: its number, the 12345 ticket number, the text or the address."""
    return (
        Q(public_no__icontains=term)
        | Q(hotline_ticket_no__icontains=term)
        | Q(description__icontains=term)
        | Q(address__icontains=term)
    )


def _with_next_due(events: QuerySet[Event]) -> QuerySet[Event]:
    """``next_due_at``: the running clock's due time — acknowledge, then arrive, then handle; for a transferred
    event the coordination task's; none while the event waits on the command centre."""
    task_due = (
        CoordinationTask.objects.filter(event=OuterRef("pk"), feedback_at__isnull=True)
        .order_by("due_at")
        .values("due_at")[:1]
    )
    return events.annotate(
        next_due_at=Case(
            When(status=EventStatus.DISPATCHED, then=F("acknowledge_due_at")),
            When(status=EventStatus.ACKNOWLEDGED, then=F("arrive_due_at")),
            When(status=EventStatus.ARRIVED, then=F("handle_due_at")),
            When(status=EventStatus.TRANSFERRED, then=Subquery(task_due)),
            default=Value(None),
            output_field=DateTimeField(),
        )
    )


def event_list(
    *,
    user: Any,
    status: str | None = None,
    street_id: int | None = None,
    q: str | None = None,
    open_only: bool = False,
) -> QuerySet[Event]:
    events = _scoped(user).select_related(*_LIST_RELATED)
    if status:
        events = events.filter(status=status)
    if open_only:
        events = events.filter(status__in=OPEN_STATES)
    if street_id:
        events = events.filter(street_id=street_id)
    if q and q.strip():
        term = q.strip()
        events = events.filter(text_match(term))
    return events.order_by("-reported_at", "-pk")


def event_get(*, user: Any, event_id: int) -> Event:
    # The merge target is wanted for its number only: joining the whole second event (and the reporter's
    # account, which nothing here reads) doubled the cost of the detail behind every API intake.
    event = (
        _scoped(user)
        .select_related(*_LIST_RELATED)
        .annotate(merged_into_public_no=F("merged_into__public_no"))
        .prefetch_related(
            "assignments__officer",
            "photos",
            "transitions",
            "escalations",
            "coordination_tasks__department",
            "callbacks",
            "arrival_exceptions__officer",
            "relocations",
        )
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        raise NotFound("事件不存在或不在您的管辖范围内", code="event_not_found", details={"id": event_id})
    return event


def event_in_scope(*, user: Any, event: Event) -> bool:
    """Whether ``event`` is in the user's scope (``_scoped`` as a test of one event): the rule every write to
    an event is held to before it writes anything (``services.common.require_in_scope``)."""
    j = jurisdiction_of(user)
    if event.district_id != j.district_id:
        return False
    if j.is_district_wide:
        return True
    if j.is_street_scoped:
        if event.street_id == j.own_street_id:
            return True
        return (
            j.role in _FIELD_ROLES
            and event.pk is not None
            and EventAssignment.objects.filter(event_id=event.pk, officer__user_id=j.user_id).exists()
        )
    if j.is_department_scoped:
        return event.reporter_user_id == j.user_id or any(
            t.department_id == j.own_department_id for t in event.coordination_tasks.all()
        )
    if j.role == Role.BUSINESS_OWNER:
        return event.reporter_user_id == j.user_id
    return False


class StoredEvent:
    """An event a service has just written, with its related rows as the lists it wrote: read as the event
    (every attribute but the lists is the event's own), so that a reply schema built from it reads nothing
    more. Built by ``event_get_stored`` only."""

    def __init__(self, event: Event, **related: list[Any]) -> None:
        self._event = event
        self.__dict__.update(related)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._event, name)


def event_get_stored(*, user: Any, result: Any) -> Event | StoredEvent:
    """``event_get`` for an event intake has just stored (``result``: its ``IntakeResult``), built from what
    intake wrote — the event with its places, matter and department loaded, its transitions and photos — so
    that nothing is read, instead of the six queries of ``event_get`` (ADR 0005). Anything less (a retry, an
    event dispatched on intake) falls back to ``event_get``, and so does scope: an event the user may not
    see is "not found" either way."""
    event = result.event
    if result.transitions is None or result.photos is None or not event_in_scope(user=user, event=event):
        return event_get(user=user, event_id=event.pk)
    if not all(relation.is_cached(event) for relation in (Event.street, Event.zone, Event.grid)):
        return event_get(user=user, event_id=event.pk)
    matter = event.matter if Event.matter.is_cached(event) else None
    if event.matter_id is not None and (matter is None or not Matter.department.is_cached(matter)):
        return event_get(user=user, event_id=event.pk)
    if event.department_id is not None and not Event.department.is_cached(event):
        if matter is None or matter.department_id != event.department_id:
            return event_get(user=user, event_id=event.pk)
        event.department = matter.department
    if event.kind_id is not None and not Event.kind.is_cached(event):
        return event_get(user=user, event_id=event.pk)
    if event.merged_into_id is not None and not hasattr(event, "merged_into_public_no"):
        return event_get(user=user, event_id=event.pk)
    # Nothing else is written with a new event: no officer, escalation or department task yet.
    return StoredEvent(
        event,
        transitions=list(result.transitions),
        photos=list(result.photos),
        assignments=[],
        escalations=[],
        coordination_tasks=[],
        callbacks=[],
        arrival_exceptions=[],
        relocations=[],
    )


def event_get_by_public_no(*, user: Any, public_no: str) -> Event:
    found = _scoped(user).filter(public_no=public_no.strip().upper()).values_list("pk", flat=True).first()
    if found is None:
        raise NotFound(
            f"事件 {public_no} 不存在或不在您的管辖范围内", code="event_not_found", details={"public_no": public_no}
        )
    return event_get(user=user, event_id=found)


class QueueClock(TextChoices):
    """The queue's clock filter: where the event's running clock (``next_due_at``) stands now."""

    OVERDUE = "overdue", "已超时"
    DUE_SOON = "due_soon", "即将超时"
    RUNNING = "running", "计时中"
    WAITING = "waiting", "待调度"


# "Due soon": the time a dispatcher needs to phone the crew or send another before the clock runs out.
DUE_SOON = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class QueueFilters:
    """What the command centre narrows its queue to; None (or empty) is "all". ``domain`` is the matter's
    领域, ``q`` a part of the number, description or address."""

    street_id: int | None = None
    domain: str | None = None
    status: str | None = None
    priority: str | None = None
    source: str | None = None
    clock: str | None = None
    q: str | None = None


def event_queue(*, user: Any, filters: QueueFilters | None = None, now: dt.datetime | None = None) -> QuerySet[Event]:
    """Open events in the user's scope: urgent first, then the nearest running deadline; events waiting on
    the command centre follow, oldest first. Narrowed by ``filters``; ``now`` decides overdue / due soon."""
    events = _with_arrival_flag(
        _with_next_due(_scoped(user).filter(status__in=OPEN_STATES).select_related(*_LIST_RELATED))
    )
    if filters is not None:
        events = _queue_filtered(events, filters, now or timezone.now())
    urgent_first = Case(When(priority=EventPriority.URGENT, then=Value(0)), default=Value(1))
    return events.order_by(urgent_first, F("next_due_at").asc(nulls_last=True), "reported_at", "pk")


def event_queue_rows(
    *, user: Any, filters: QueueFilters | None = None, now: dt.datetime | None = None
) -> QuerySet[Event]:
    """``event_queue`` as the command centre's rows read it: with the coordination tasks, whose open one
    gives a transferred event its deadline (one query for the page instead of one a row)."""
    return event_queue(user=user, filters=filters, now=now).prefetch_related("coordination_tasks", crew_prefetch())


def crew_prefetch() -> Prefetch:
    """The officers working an event now (its active assignments, the lead first) as ``event.crew``: the
    command centre's row shows them with their work phones (issue 16), one query for a page of rows."""
    active = (
        EventAssignment.objects.filter(released_at__isnull=True)
        .select_related("officer")
        .order_by("-is_lead", "assigned_at", "pk")
    )
    return Prefetch("assignments", queryset=active, to_attr="crew")


def _queue_filtered(events: QuerySet[Event], f: QueueFilters, now: dt.datetime) -> QuerySet[Event]:
    # ``next_due_at`` is _with_next_due's annotation (in Q objects: the type checker knows the model's fields only).
    if f.street_id:
        events = events.filter(street_id=f.street_id)
    if f.domain:
        events = events.filter(matter__domain=f.domain)
    if f.status:
        events = events.filter(status=f.status)
    if f.priority:
        events = events.filter(priority=f.priority)
    if f.source:
        events = events.filter(source=f.source)
    if f.clock == QueueClock.OVERDUE:
        events = events.filter(Q(next_due_at__lt=now))
    elif f.clock == QueueClock.DUE_SOON:
        events = events.filter(Q(next_due_at__gte=now) & Q(next_due_at__lt=now + DUE_SOON))
    elif f.clock == QueueClock.RUNNING:
        events = events.filter(Q(next_due_at__gte=now))
    elif f.clock == QueueClock.WAITING:
        events = events.filter(Q(next_due_at__isnull=True))
    if f.q and f.q.strip():
        term = f.q.strip()
        events = events.filter(text_match(term))
    return events


def officer_tasks(*, user: Any) -> QuerySet[Event]:
    """The phone's task list: events the user's officer record is assigned to and still working on."""
    jurisdiction_of(user)
    mine = EventAssignment.objects.filter(event=OuterRef("pk"), officer__user_id=user.pk, released_at__isnull=True)
    events = Event.objects.filter(Exists(mine), status__in=FIELD_STATES).select_related(*_LIST_RELATED)
    return _with_next_due(with_redo_reason(events)).order_by(F("next_due_at").asc(nulls_last=True), "pk")


def officer_tasks_changed_since(*, user: Any, since: dt.datetime) -> QuerySet[Event]:
    """Events the user's officer record was ever assigned to that changed after ``since``, for the phone's
    live task list: ``is_task`` tells whether each is on the list now (``officer_tasks``), so the page adds
    or updates it, or takes it away (re-dispatched to someone else, handled, returned)."""
    jurisdiction_of(user)
    ever = EventAssignment.objects.filter(event=OuterRef("pk"), officer__user_id=user.pk)
    mine = ever.filter(released_at__isnull=True)
    events = Event.objects.filter(Exists(ever), updated_at__gt=since).select_related(*_LIST_RELATED)
    events = events.annotate(is_task=Exists(mine.filter(event__status__in=FIELD_STATES)))
    return _with_next_due(with_redo_reason(events)).order_by("updated_at", "pk")


def officer_positions_latest(*, user: Any) -> QuerySet[OfficerPosition]:
    """Each in-scope active officer's latest position, with ``is_busy`` (working on an event now) and
    ``is_on_duty`` (a duty shift covers now)."""
    j = jurisdiction_of(user)
    officers = Officer.objects.filter(district_id=j.district_id, is_active=True)
    if j.is_street_scoped:
        officers = officers.filter(street_id=j.own_street_id)
    elif not j.is_district_wide:
        officers = officers.none()
    latest = (
        OfficerPosition.objects.filter(officer=OuterRef("officer")).order_by("-recorded_at", "-pk").values("pk")[:1]
    )
    busy = EventAssignment.objects.filter(
        officer=OuterRef("officer"), released_at__isnull=True, event__status__in=FIELD_STATES
    )
    now = timezone.now()
    on_duty = shifts_on_duty_at(now).filter(officer=OuterRef("officer"))
    return (
        OfficerPosition.objects.filter(officer__in=officers, pk=Subquery(latest))
        .select_related("officer", "officer__street", "officer__zone")
        .annotate(is_busy=Exists(busy), is_on_duty=Exists(on_duty))
        .order_by("officer__badge_no")
    )


def events_changed_since(*, user: Any, since: dt.datetime) -> QuerySet[Event]:
    """Events created or changed after ``since`` (the live page polls or streams these)."""
    events = _with_next_due(_scoped(user).filter(updated_at__gt=since).select_related(*_LIST_RELATED))
    return _with_arrival_flag(events).prefetch_related(crew_prefetch()).order_by("updated_at", "pk")


def _with_arrival_flag(events: QuerySet[Event]) -> QuerySet[Event]:
    """``has_arrival_exception``: an officer arrived beyond the radius (超距到场), flagged on the command
    centre's row — on the page and on the rows its live stream sends (issue 16)."""
    return events.annotate(has_arrival_exception=Exists(ArrivalException.objects.filter(event_id=OuterRef("pk"))))


@dataclass(frozen=True)
class ReporterOutcome:
    """What a reporter is told: their own event's number, and the state and outcome of the event that was
    actually handled (the primary one, when theirs was merged into it)."""

    public_no: str
    handled_public_no: str
    status: str
    status_label: str
    outcome: str
    closed_at: dt.datetime | None


def event_outcome_for_reporter(*, event: Event) -> ReporterOutcome:
    primary = event
    seen = {event.pk}
    while primary.merged_into_id is not None and primary.merged_into_id not in seen:
        seen.add(primary.merged_into_id)
        primary = Event.objects.get(pk=primary.merged_into_id)
    is_done = primary.status == EventStatus.CLOSED
    return ReporterOutcome(
        public_no=event.public_no,
        handled_public_no=primary.public_no,
        status=primary.status,
        status_label=str(primary.get_status_display()),
        outcome=primary.outcome if is_done else "",
        closed_at=primary.closed_at,
    )


def notification_list(*, user: Any, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's own notifications (escalations, dispatches, transfers), newest first."""
    jurisdiction_of(user)  # no post, no notifications (raises)
    qs = Notification.objects.filter(user=user).select_related("event")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def notification_unread_count(*, user: Any) -> int:
    if not getattr(user, "is_authenticated", False) or getattr(user, "profile", None) is None:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


@dataclass(frozen=True)
class EventOverview:
    """The leader's glance at the events in their scope (home page, issue 16): open ones by status, those
    past their running deadline, and today's (local day) reported and closed."""

    open_by_status: list[tuple[str, str, int]]  # (status, label, count), in the workflow's order
    open_total: int
    overdue: int
    reported_today: int
    closed_today: int


def event_overview(*, user: Any, now: dt.datetime | None = None) -> EventOverview:
    """Counts over the user's scope only (``_scoped``); overdue as the command centre's queue counts it
    (``QueueClock.OVERDUE``), so that the home page and the queue agree."""
    now = now or timezone.now()
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    scoped = _scoped(user)
    rows = scoped.filter(status__in=OPEN_STATES).order_by().values("status").annotate(n=Count("pk"))
    counts: dict[str, int] = {row["status"]: row["n"] for row in rows}
    by_status = [(s.value, s.label, counts[s.value]) for s in EventStatus if counts.get(s.value)]
    return EventOverview(
        open_by_status=by_status,
        open_total=sum(counts.values()),
        overdue=event_queue(user=user, filters=QueueFilters(clock=QueueClock.OVERDUE), now=now).count(),
        reported_today=scoped.filter(reported_at__gte=midnight).count(),
        closed_today=scoped.filter(closed_at__gte=midnight).count(),
    )
