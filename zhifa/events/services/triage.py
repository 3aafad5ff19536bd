"""Triage (研判): classify, deduplicate, route — and the command centre's own triage decisions
(reclassify, correct, merge, reject).

Classifying (ADR 0012): the triage model (``zhifa.events.triage_model``, read through ``zhifa.events.routing``)
reads the text as one complaint kind (诉求类型) of the district's taxonomy, with a calibrated confidence and
whether it is urgent. The kind names the department and the route: an on-site kind (1530 clocks) goes to the
zone team, every other kind to the coordination desk, which transfers it to the kind's department. Within an
enforcement kind, the catalogue's matter classifier (``zhifa.events.classify``) picks the matter among the
kind's matters. A text the model is unsure of (below ``ZHIFA_TRIAGE_MIN_CONFIDENCE``), or whose kind the
district does not route, goes to the command centre's human triage queue (``EventRoute.MANUAL``) — never
silently to a zone team. An urgent text (active danger: a fight, a gas smell, a fire, someone trapped) is
marked urgent with the phrase that made it so, and the desk is told.

A dispatcher's correction of kind or urgency (``event_correct_triage``) re-routes the event and is kept as a
labelled example (``TriageCorrection``) for ``manage.py retrain_triage``.
"""

from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from zhifa.catalog.models import ComplaintKind, ComplaintPriority, Matter
from zhifa.core import rows
from zhifa.core.actors import Actor, actor_user
from zhifa.core.audit import audit_record, audited_transaction
from zhifa.core.errors import Conflict, ValidationFailed
from zhifa.core.workflow import workflow_check
from zhifa.events import classify, dedup, recommend, routing
from zhifa.events.models import ClassificationFeedback, Event, TriageCorrection
from zhifa.events.services.common import SYSTEM_DISPATCH, apply_transition, require_command, require_in_scope
from zhifa.events.services.dispatch import desk_notify, event_dispatch, officers_needed
from zhifa.events.states import (
    EVENT_WORKFLOW,
    OPEN_STATES,
    ClassifiedBy,
    EventAction,
    EventPriority,
    EventRoute,
    EventStatus,
)
from zhifa.org.models import Department, Officer

ENFORCEMENT_DEPARTMENT_CODE = "ZHZF"
# Reclassifying makes sense only while the event is still the command centre's to route.
RECLASSIFIABLE_STATES = frozenset({EventStatus.REPORTED, EventStatus.TRIAGED, EventStatus.RETURNED})


def route_for(department: Department | None) -> str:
    """The route of an event whose matter was given (by the reporter or an operator) rather than read by the
    model: by the matter's department; none → the human triage queue."""
    if department is None:
        return EventRoute.MANUAL
    if department.code == ENFORCEMENT_DEPARTMENT_CODE or department.is_sinking:
        return EventRoute.ZONE_TEAM
    if department.is_coordinating:
        return EventRoute.COORDINATION
    return EventRoute.ZONE_TEAM


def event_triage(*, actor: Actor, event: Event) -> Event:
    """研判 by a dispatcher: an event stored without triage (``event_intake(auto_triage=False)``), or one waiting
    in the human triage queue (read again — after a retrained model, say), gets the one decision intake takes
    (``triage_decision``), applied through the workflow like any other step."""
    require_command(actor, event, what="研判事件")
    with audited_transaction():
        locked = rows.select_one(Event, pk=event.pk, lock=True)
        if locked is None:
            raise Event.DoesNotExist(f"event {event.pk}")
        # Checked before the classifier runs: a step the workflow refuses costs nothing.
        workflow_check(table=EVENT_WORKFLOW, obj=locked, action=EventAction.TRIAGE, actor=actor, state=locked.status)
        # The decision is read on a copy: the workflow checks the step against the event as it stands.
        reading = rows.select_one(Event, pk=event.pk)
        assert reading is not None
        action, updates, reason = triage_decision(reading, now=timezone.now(), classification=classify_event(reading))
        if hasattr(reading, "merged_into_public_no"):
            locked.merged_into_public_no = reading.merged_into_public_no  # type: ignore[attr-defined]
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
    route = classification.get("route") or route_for(_department_of(event))
    updates.update(route=route, triaged_at=now)
    event.route = route
    return EventAction.TRIAGE, updates, ""


def triage_after_store(event: Event) -> Event:
    """What follows a triage in the same transaction: with ``ZHIFA_AUTO_DISPATCH``, a zone-team event goes
    to the top recommended officers. An urgent event is announced to the desk (the command centre's
    dispatchers and the street's), with the phrase that made it urgent."""
    if event.priority == EventPriority.URGENT:
        why = f"：“{event.urgent_phrase}”" if event.urgent_phrase else ""
        desk_notify(event, f"紧急事件 {event.public_no}{why} — {event.description[:40]}")
    if getattr(settings, "ZHIFA_AUTO_DISPATCH", False) and event.route == EventRoute.ZONE_TEAM:
        return _auto_dispatch(event)
    return event


def merge_reason(event: Event, primary: Event) -> str:
    matter_name = event.matter.name if event.matter else "事件"
    return f"自动合并：同一事项（{matter_name}）在附近已有未办结事件 {primary.public_no}"


def classify_event(event: Event) -> dict[str, Any]:
    """Read an event's text: the fields triage sets (changes neither the event nor the database;
    ``apply_classification`` does the first).

    A matter given by the reporter or an operator stands: only its kind is filled in. Otherwise the model's
    kind, confidence, candidates and urgency, and — for a kind the district routes, read with enough
    confidence — its department, route and (within an enforcement kind) the matter; else the route to the
    human triage queue."""
    kinds = routing.district_kinds(event.district_id)
    if event.matter_id is not None:
        kind = kinds.kind_of_matter.get(event.matter_id)
        return {"kind": kind} if kind is not None else {}
    prediction = routing.running_model().predict(event.description)
    fields: dict[str, Any] = {
        "triage_candidates": [[code, p] for code, p in prediction.candidates],
        "kind_confidence": prediction.confidence,
    }
    if prediction.urgent:
        fields.update(priority=EventPriority.URGENT, urgent_phrase=prediction.urgent_phrase[:100])
    kind = kinds.by_code.get(prediction.kind)
    if kind is None or prediction.confidence < float(settings.ZHIFA_TRIAGE_MIN_CONFIDENCE):
        return {**fields, "route": EventRoute.MANUAL}
    if kind.default_priority == ComplaintPriority.URGENT:
        fields["priority"] = EventPriority.URGENT
    matter, share = _matter_within(kind, kinds.matter_ids.get(kind.pk, frozenset()), event)
    return {
        **fields,
        "kind": kind,
        "matter": matter,
        "department": kind.department,
        "classified_by": ClassifiedBy.AUTO,
        "classification_score": share,
        "route": routing.route_of_kind(kind),
    }


def _matter_within(kind: ComplaintKind, matter_ids: frozenset[int], event: Event) -> tuple[Matter | None, float | None]:
    """The catalogue matter of an enforcement kind that the text names (the matter classifier's evidence,
    among the kind's matters — or the department's, for a kind that lists none), with its share of that
    evidence; a kind with one matter is that matter; an ambiguous text (below
    ``ZHIFA_AUTO_CLASSIFY_MIN_SCORE``) has none — the dispatcher or the officer names it."""
    model = classify.matter_model(district_id=event.district_id)
    allowed = matter_ids or frozenset(m for m, d in model.department_of.items() if d == kind.department_id)
    ranked = [(m, score) for m, score in model.rank(event.description) if m in allowed]
    if ranked and ranked[0][1] >= classify.MIN_EVIDENCE:
        share = ranked[0][1] / sum(score for _, score in ranked)
        if share >= float(getattr(settings, "ZHIFA_AUTO_CLASSIFY_MIN_SCORE", 0.3)):
            matter_id = ranked[0][0]
            return model.matters.get(matter_id) or matter_with_department(matter_id), round(share, 4)
        return None, None
    if len(matter_ids) == 1:
        (only,) = matter_ids
        return matter_with_department(only), None
    return None, None


def apply_classification(event: Event, classification: dict[str, Any]) -> dict[str, Any]:
    """Set ``classify_event``'s fields on the event; returns them as stored (``matter_id``, for the record)."""
    # The route is the triage's to set (a merged event has none).
    fields = {k: v for k, v in classification.items() if k != "route"}
    for name, value in fields.items():
        setattr(event, name, value)
    # Related rows are set as objects (the reply reads them without a query) and stored by id.
    related = ("matter", "kind", "department")
    return {
        **{f"{name}_id": getattr(event, f"{name}_id") for name in related if name in fields},
        **{k: v for k, v in fields.items() if k not in related},
    }


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


def event_correct_triage(*, actor: Actor, event: Event, kind: ComplaintKind, urgent: bool) -> Event:
    """The dispatcher corrects what triage read — the kind (hence department and route) and the urgency — while
    the event is still the command centre's to route. The event is re-routed (the matter re-read within the new
    kind, unless the one it has belongs to it) and the correction kept as a labelled example with who and when;
    nothing changes and nothing is kept when the kind and urgency are what they were."""
    require_command(actor, event, what="纠正研判结果")
    if kind.district_id != event.district_id or not kind.is_active:
        raise ValidationFailed(
            "该诉求类型不属于本区或已停用", code="kind_not_in_district", details={"kind_id": kind.pk}
        )
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        if locked.status not in RECLASSIFIABLE_STATES:
            raise Conflict(
                f"事件已{locked.get_status_display()}，不能再纠正研判结果",
                code="classification_locked",
                details={"status": locked.status},
            )
        was_urgent = locked.priority == EventPriority.URGENT
        if locked.kind_id == kind.pk and was_urgent == urgent and locked.route != EventRoute.MANUAL:
            raise ValidationFailed("类型和紧急程度与原研判相同，无需纠正", code="correction_unchanged", details={})
        fields = ["kind", "kind_confidence", "department", "classified_by", "priority", "route", "updated_at"]
        before = _triage_state(locked)
        TriageCorrection.objects.create(
            event=locked,
            text=locked.description,
            predicted_kind_id=locked.kind_id,
            chosen_kind=kind,
            predicted_department_id=locked.department_id,
            chosen_department_id=kind.department_id,
            predicted_urgent=was_urgent,
            chosen_urgent=urgent,
            actor=actor_user(actor),
        )
        kinds = routing.district_kinds(locked.district_id)
        matter_ids = kinds.matter_ids.get(kind.pk, frozenset())
        if locked.matter_id is None or locked.matter_id not in matter_ids:
            locked.matter, locked.classification_score = _matter_within(kind, matter_ids, locked)
            fields += ["matter", "classification_score"]
        locked.kind = kind
        locked.kind_confidence = None
        locked.department_id = kind.department_id
        locked.classified_by = ClassifiedBy.OPERATOR
        locked.priority = EventPriority.URGENT if urgent else EventPriority.NORMAL
        if not urgent:
            locked.urgent_phrase = ""
            fields.append("urgent_phrase")
        locked.route = routing.route_of_kind(kind)
        locked.save(update_fields=fields)
        audit_record(actor=actor, action="event.correct_triage", obj=locked, before=before, after=_triage_state(locked))
    return locked


def _triage_state(event: Event) -> dict[str, Any]:
    return {
        "kind_id": event.kind_id,
        "department_id": event.department_id,
        "matter_id": event.matter_id,
        "priority": event.priority,
        "route": event.route,
        "classified_by": event.classified_by,
    }


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
