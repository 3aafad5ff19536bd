"""Triage (研判): classify, deduplicate, route — and the command centre's own triage decisions
(reclassify, merge, reject).

Routing (综合行政执法 vs 协同联办): an event whose matter belongs to the comprehensive enforcement department
(code ZHZF) or to a department whose officers sink to the streets (``is_sinking``) goes to the zone team;
a matter of a coordinating department that does not sink (``is_coordinating``) goes to coordination,
where the command centre transfers it with instructions (``event_transfer``). An event nobody could
classify is triaged to the zone team without a matter: it waits in the queue for an operator to
classify or dispatch it.
"""

from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from zhifa.catalog.models import Matter
from zhifa.core import rows
from zhifa.core.actors import Actor, actor_user
from zhifa.core.audit import audit_record, audited_transaction
from zhifa.core.errors import Conflict, ValidationFailed
from zhifa.events import classify, dedup, recommend
from zhifa.events.models import ClassificationFeedback, Event
from zhifa.events.services.common import SYSTEM_DISPATCH, apply_transition, require_command, require_in_scope
from zhifa.events.services.dispatch import event_dispatch, officers_needed
from zhifa.events.states import EVENT_WORKFLOW, OPEN_STATES, ClassifiedBy, EventAction, EventRoute, EventStatus
from zhifa.org.models import Department, Officer

ENFORCEMENT_DEPARTMENT_CODE = "ZHZF"
# Reclassifying makes sense only while the event is still the command centre's to route.
RECLASSIFIABLE_STATES = frozenset({EventStatus.REPORTED, EventStatus.TRIAGED, EventStatus.RETURNED})


def route_for(department: Department | None) -> str:
    if department is None:
        return EventRoute.ZONE_TEAM
    if department.code == ENFORCEMENT_DEPARTMENT_CODE or department.is_sinking:
        return EventRoute.ZONE_TEAM
    if department.is_coordinating:
        return EventRoute.COORDINATION
    return EventRoute.ZONE_TEAM


def event_triage(*, actor: Actor, event: Event) -> Event:
    """研判 by a dispatcher: an event stored without triage (``event_intake(auto_triage=False)``) gets the one
    decision intake takes (``triage_decision``), applied through the workflow like any other step."""
    require_command(actor, event, what="研判事件")
    with audited_transaction():
        locked = rows.select_one(Event, pk=event.pk, lock=True)
        if locked is None:
            raise Event.DoesNotExist(f"event {event.pk}")
        # Checked before the classifier runs: a step the workflow refuses costs nothing.
        EVENT_WORKFLOW.lookup(locked.status, EventAction.TRIAGE)
        action, updates, reason = triage_decision(locked, now=timezone.now(), classification=classify_event(locked))
        triaged = apply_transition(
            event=locked, action=action, actor=actor, reason=reason, updates=updates, is_locked=True
        )
        return triage_after_store(triaged) if action == EventAction.TRIAGE else triaged


def triage_decision(event: Event, *, now: Any, classification: dict[str, Any]) -> tuple[str, dict[str, Any], str]:
    """The one triage (intake's and a dispatcher's alike), for an event classified already
    (``classification``: what ``classify_event`` found): the workflow action — triage, or merge into an open
    duplicate —, the fields it sets and its reason. The duplicate found stays locked until the caller
    commits; read under that lock, a primary closed or merged since the index said "open" is no target, and
    the event is triaged instead. Writes nothing: the caller applies the action through the workflow."""
    updates = apply_classification(event, classification)
    # The primary is held open while this transaction lasts (PostgreSQL; SQLite's writer holds everything).
    target = dedup.find_duplicate(event=event, lock=True)
    if target is not None and target.status in OPEN_STATES and target.merged_into_id is None:
        event.merged_into_public_no = target.public_no  # type: ignore[attr-defined]  # as event_get annotates
        return EventAction.MERGE, {**updates, "merged_into_id": target.pk}, merge_reason(event, target)
    updates.update(route=route_for(_department_of(event)), triaged_at=now)
    return EventAction.TRIAGE, updates, ""


def triage_after_store(event: Event) -> Event:
    """What follows a triage in the same transaction: with ``ZHIFA_AUTO_DISPATCH``, a zone-team event goes
    to the top recommended officers."""
    if getattr(settings, "ZHIFA_AUTO_DISPATCH", False) and event.route == EventRoute.ZONE_TEAM:
        return _auto_dispatch(event)
    return event


def merge_reason(event: Event, primary: Event) -> str:
    matter_name = event.matter.name if event.matter else "事件"
    return f"自动合并：同一事项（{matter_name}）在附近已有未办结事件 {primary.public_no}"


def classify_event(event: Event) -> dict[str, Any]:
    """Classify an event that has no matter yet: the fields to set, ``matter`` (with its department loaded)
    among them — empty when the reporter or an operator gave the matter, or the text is too ambiguous to
    route on a guess. Changes neither the event nor the database (``apply_classification`` does the first)."""
    if event.matter_id is not None:
        return {}
    result = classify.classify_text(district_id=event.district_id, text=event.description)
    # An ambiguous text (the top matter holds little of the evidence) is left for the operator rather than
    # routed on a guess; ZHIFA_AUTO_CLASSIFY_MIN_SCORE sets how sure is sure enough.
    min_score = float(getattr(settings, "ZHIFA_AUTO_CLASSIFY_MIN_SCORE", 0.3))
    if result is None or result.score < min_score:
        return {}
    # The classifier's model holds the matter with its department (loaded under the same stamp); a model
    # built without them falls back to one prepared read.
    matter = result.matter if result.matter is not None else matter_with_department(result.matter_id)
    return {
        "matter": matter,
        "department_id": result.department_id,
        "classified_by": ClassifiedBy.AUTO,
        "classification_score": float(result.score),
    }


def apply_classification(event: Event, classification: dict[str, Any]) -> dict[str, Any]:
    """Set ``classify_event``'s fields on the event; returns them as stored (``matter_id``, for the record)."""
    for name, value in classification.items():
        setattr(event, name, value)
    stored = {k: v for k, v in classification.items() if k != "matter"}
    if "matter" in classification:
        stored = {"matter_id": event.matter_id, **stored}
    return stored


@rows.sql_once
def _matter_sql(conn: Any) -> str:
    qn = conn.ops.quote_name
    return (
        f"SELECT {rows.columns(Matter, alias='m')}, {rows.columns(Department, alias='d')} "
        f"FROM {qn(Matter._meta.db_table)} m INNER JOIN {qn(Department._meta.db_table)} d "
        "ON d.id = m.department_id WHERE m.id = %s"
    )


def matter_with_department(matter_id: int) -> Matter:
    """The matter and its department in one prepared join (when the classifier's model did not carry it)."""
    with connection.cursor() as cursor:
        cursor.execute(_matter_sql(), [matter_id])
        row = cursor.fetchone()
    if row is None:
        raise Matter.DoesNotExist(f"matter {matter_id}")
    n = len(Matter._meta.concrete_fields)
    matter = rows.from_row(Matter, row[:n])
    Matter.department.field.set_cached_value(matter, rows.from_row(Department, row[n:]))
    return matter


def _department_of(event: Event) -> Department | None:
    if event.department_id is None:
        return None
    # The matter comes with its department when it was classified here or given at intake: no query then.
    if Event.matter.is_cached(event) and event.matter is not None:
        matter = event.matter
        if matter.department_id == event.department_id and Matter.department.is_cached(matter):
            return matter.department
    return Department.objects.filter(pk=event.department_id).first()


def _auto_dispatch(event: Event) -> Event:
    needed = officers_needed(event)
    picks = recommend.recommend_officers(event=event, needed=needed)[:needed]
    if len(picks) < needed:
        return event  # not enough officers free: the dispatcher decides
    by_id = Officer.objects.in_bulk([p.officer_id for p in picks])
    officers = [by_id[p.officer_id] for p in picks]
    return event_dispatch(actor=SYSTEM_DISPATCH, event=event, officers=officers, was_recommended=True)


def event_classify_override(*, actor: Actor, event: Event, matter: Matter) -> Event:
    """The operator sets the matter; the automatic guess and the choice are kept as training signal."""
    require_command(actor, event, what="修改事件分类")
    if matter.district_id != event.district_id:
        raise ValidationFailed("该执法事项不属于本区", code="matter_not_in_district", details={"matter_id": matter.pk})
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        if locked.status not in RECLASSIFIABLE_STATES:
            raise Conflict(
                f"事件已{locked.get_status_display()}，不能再修改分类",
                code="classification_locked",
                details={"status": locked.status},
            )
        before = {
            "matter_id": locked.matter_id,
            "department_id": locked.department_id,
            "classified_by": locked.classified_by,
            "route": locked.route,
        }
        ClassificationFeedback.objects.create(
            event=locked,
            text=locked.description,
            predicted_matter_id=locked.matter_id if locked.classified_by == ClassifiedBy.AUTO else None,
            chosen_matter=matter,
            actor=actor_user(actor),
        )
        locked.matter = matter
        locked.department_id = matter.department_id
        locked.classified_by = ClassifiedBy.OPERATOR
        locked.classification_score = None
        if locked.status != EventStatus.REPORTED:
            locked.route = route_for(matter.department)
        locked.save(
            update_fields=["matter", "department", "classified_by", "classification_score", "route", "updated_at"]
        )
        audit_record(
            actor=actor,
            action="event.classify",
            obj=locked,
            before=before,
            after={
                "matter_id": matter.pk,
                "department_id": matter.department_id,
                "classified_by": ClassifiedBy.OPERATOR,
                "route": locked.route,
            },
        )
    return locked


def event_merge(*, actor: Actor, event: Event, into: Event, reason: str) -> Event:
    """Link a duplicate to the open event it repeats (terminal); its reporter gets the primary's outcome.

    Both ends are the actor's to command: a street dispatcher merges within their street only, and a target
    outside the actor's scope is "not found" whether it is open, closed or missing (issue 9)."""
    require_command(actor, event, what="合并事件")
    require_in_scope(actor, into)
    if into.pk == event.pk:
        raise ValidationFailed("不能将事件合并到自身", code="merge_into_self", details={})
    if into.district_id != event.district_id:
        raise ValidationFailed("只能合并到本区的事件", code="merge_other_district", details={"into_id": into.pk})
    with transaction.atomic():
        target = Event.objects.select_for_update().get(pk=into.pk)
        if target.status not in OPEN_STATES or target.merged_into_id is not None:
            raise Conflict(
                f"事件 {target.public_no} 已{target.get_status_display()}，不能作为合并目标",
                code="merge_target_closed",
                details={"into_id": target.pk, "status": target.status},
            )
        return apply_transition(
            event=event,
            action=EventAction.MERGE,
            actor=actor,
            reason=reason,
            updates={"merged_into_id": target.pk},
        )


def event_reject(*, actor: Actor, event: Event, reason: str) -> Event:
    """不予受理: not an enforcement matter, or nothing to act on — the reason is required (table)."""
    require_command(actor, event, what="作出不予受理决定")
    with transaction.atomic():
        return apply_transition(event=event, action=EventAction.REJECT, actor=actor, reason=reason)
