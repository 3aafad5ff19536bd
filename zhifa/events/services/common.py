"""What every event service shares: who is acting, applying ``EVENT_WORKFLOW``, assignments, notices.

An actor (``zhifa.core.actors``) is a user with a post, or a named system process (the automatic triage,
an integration that has already authenticated its device, the escalation worker, a management command).
A system process has no jurisdiction to check: it runs with the server's own rights.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from zhifa.core import rows
from zhifa.core.actors import Actor, SystemActor, actor_label, actor_user, is_system
from zhifa.core.errors import NotFound, PermissionDenied
from zhifa.core.workflow import workflow_apply
from zhifa.events.models import Event, EventAssignment, EventTransition, Notification
from zhifa.events.permissions import can_command_events, covers_event_street
from zhifa.events.selectors import event_in_scope
from zhifa.events.states import EVENT_WORKFLOW
from zhifa.org.jurisdiction import Jurisdiction, jurisdiction_of
from zhifa.org.models import Officer, Profile

SYSTEM_TRIAGE = SystemActor("系统（自动研判）")
SYSTEM_DISPATCH = SystemActor("系统（自动派遣）")
SYSTEM_ESCALATION = SystemActor("系统（超时升级）")
SYSTEM_REDISPATCH = SystemActor("系统（超时改派）")


def caller_key(actor: Actor) -> str:
    """Whose idempotency keys these are (``Event.idempotency_caller``): a user — signed in, or the user an
    API token or an Open311 api_key stands for — by account id, a system caller (a device, a worker) by its
    label. Never the display name: two accounts may share one."""
    return f"system:{actor}"[:160] if is_system(actor) else f"user:{actor.pk}"


def actor_jurisdiction(actor: Actor, *, district_id: int) -> Jurisdiction | None:
    """The acting user's jurisdiction, refused outside the event's district; None for the system."""
    if is_system(actor):
        return None
    j = jurisdiction_of(actor)
    if j.district_id != district_id:
        raise PermissionDenied("该事件不在您的管辖范围内", code="outside_jurisdiction")
    return j


def require_in_scope(actor: Actor, event: Event) -> None:
    """Refuse, before anything is written, an event outside the acting user's scope (the selectors' rule) as
    "not found" — the words and code of a missing event, whatever its state, so that nobody learns from a
    refused write which ids exist or which are closed (issue 9)."""
    if is_system(actor):
        return
    if not event_in_scope(user=actor, event=event):
        raise NotFound("事件不存在或不在您的管辖范围内", code="event_not_found", details={"id": event.pk})


def require_command(actor: Actor, event: Event, *, what: str) -> Jurisdiction | None:
    """Decisions on an event: the command centre, the street dispatcher of its street, the administrator."""
    require_in_scope(actor, event)
    j = actor_jurisdiction(actor, district_id=event.district_id)
    if j is None:
        return None
    if not can_command_events(j):
        raise PermissionDenied(f"您的岗位无权{what}", code="permission_denied", details={"role": j.role})
    if not covers_event_street(j, event.street_id):
        raise PermissionDenied("该事件不在您所在街道的辖区内", code="outside_jurisdiction")
    return j


def active_assignments(event: Event) -> QuerySet[EventAssignment]:
    return EventAssignment.objects.filter(event=event, released_at__isnull=True).select_related("officer")


def assignment_of(actor: Actor, event: Event) -> EventAssignment | None:
    """The actor's active assignment on the event (the earliest, with its officer), or None."""
    user = actor_user(actor)
    if user is None:
        return None
    return active_assignments(event).filter(officer__user_id=user.pk).order_by("assigned_at", "pk").first()


def assigned_officer_of(actor: Actor, event: Event) -> Officer | None:
    """The actor's officer record if they hold an active assignment on the event."""
    assignment = assignment_of(actor, event)
    return assignment.officer if assignment is not None else None


def require_assignment(actor: Actor, event: Event, *, what: str) -> EventAssignment:
    """The actor's active assignment on the event; refused (``not_assigned``) when they hold none."""
    require_in_scope(actor, event)
    actor_jurisdiction(actor, district_id=event.district_id)
    assignment = assignment_of(actor, event)
    if assignment is None:
        raise PermissionDenied(f"只有被派遣到该事件的执法人员才能{what}", code="not_assigned")
    return assignment


def release_assignments(event: Event, *, now: Any) -> int:
    return EventAssignment.objects.filter(event=event, released_at__isnull=True).update(released_at=now)


def transition_recorder(
    *, action: str, actor: Actor, reason: str, now: Any, kept: list[EventTransition] | None = None
) -> Callable[[Any, str, str], None]:
    """The workflow helper's ``record_transition`` for events: one ``EventTransition`` row per step, with who
    and why (``kept``: a list the written rows are added to, for a reply built without reading them back)."""

    def record(event: Any, source: str, target: str) -> None:
        transition = EventTransition(
            event=event,
            action=action,
            from_status=source,
            to_status=target,
            actor=actor_user(actor),
            actor_label=actor_label(actor),
            reason=reason,
            created_at=now,
        )
        rows.insert_row(transition)
        if kept is not None:
            kept.append(transition)

    return record


def apply_transition(
    *,
    event: Event,
    action: str,
    actor: Actor,
    reason: str = "",
    updates: dict[str, Any] | None = None,
    is_locked: bool = False,
) -> Event:
    """``EVENT_WORKFLOW`` applied under the row lock: transition row + audit entry in the caller's transaction.
    ``is_locked``: the caller holds the row already (``workflow_apply``)."""
    result = workflow_apply(
        table=EVENT_WORKFLOW,
        obj=event,
        action=action,
        actor=actor,
        reason=reason,
        record_transition=transition_recorder(action=action, actor=actor, reason=reason, now=timezone.now()),
        extra_updates=updates,
        is_locked=is_locked,
    )
    assert isinstance(result, Event)
    return result


def users_with_post(
    *, district_id: int, role: str, street_id: int | None = None, department_id: int | None = None
) -> list[Any]:
    profiles = Profile.objects.filter(district_id=district_id, role=role, user__is_active=True)
    if street_id is not None:
        profiles = profiles.filter(street_id=street_id)
    if department_id is not None:
        profiles = profiles.filter(department_id=department_id)
    return [p.user for p in profiles.select_related("user").order_by("pk")]


def notify(*, event: Event, users: Iterable[Any], message: str) -> int:
    """Notification rows, written in the caller's transaction: a change that rolls back notifies nobody.
    Screens pick them up from the database after commit (``events_changed_since``, the live page)."""
    seen: set[int] = set()
    rows = []
    for user in users:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(Notification(district_id=event.district_id, user=user, event=event, message=message[:300]))
    Notification.objects.bulk_create(rows)
    return len(rows)
