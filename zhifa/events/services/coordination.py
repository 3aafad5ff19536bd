"""协同联办: an event outside comprehensive-enforcement scope goes to one of the coordinating departments with
instructions and its own deadline (``SlaPolicy.coordination_limit`` working days); the department's written
feedback brings it back to the command centre as handled, to verify and close.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from zhifa.catalog.models import ClockPolicy, ComplaintKind
from zhifa.core.actors import Actor
from zhifa.core.errors import NotFound, PermissionDenied, ValidationFailed
from zhifa.events.clocks import clock_due, sla_policy_for
from zhifa.events.models import CoordinationTask, Event
from zhifa.events.permissions import can_give_coordination_feedback
from zhifa.events.services.common import (
    actor_jurisdiction,
    actor_user,
    apply_transition,
    notify,
    require_command,
    require_in_scope,
    users_with_post,
)
from zhifa.events.states import EventAction, EventStatus, TimeBase
from zhifa.org.jurisdiction import Jurisdiction
from zhifa.org.models import Department
from zhifa.org.roles import Role


def open_task(event: Event) -> CoordinationTask | None:
    return CoordinationTask.objects.filter(event=event, feedback_at__isnull=True).order_by("-created_at").first()


def is_open_task_liaison(j: Jurisdiction, event: Event) -> bool:
    if event.status != EventStatus.TRANSFERRED:
        return False
    task = open_task(event)
    return task is not None and can_give_coordination_feedback(j, task.department_id)


def event_transfer(*, actor: Actor, event: Event, department: Department, instructions: str) -> CoordinationTask:
    """转办 to a coordinating department, or to the department the district's taxonomy names for a complaint kind
    (a utility, the housing bureau); the instructions are the transfer's reason (required). The deadline is the
    event's kind's (``ComplaintKind.due_hours``, in hours) when it has one, else the clock policy's working days."""
    require_command(actor, event, what="转办事件")
    if department.district_id != event.district_id or not receives_transfers(department):
        raise ValidationFailed(
            f"{department.name}不是本区的协同联办部门",
            code="department_not_coordinating",
            details={"department_id": department.pk},
        )
    text = (instructions or "").strip()
    if not text:
        raise ValidationFailed("请填写转办说明", code="instructions_required", details={"field": "instructions"})
    with transaction.atomic():
        now = timezone.now()
        transferred = apply_transition(event=event, action=EventAction.TRANSFER, actor=actor, reason=text)
        policy = sla_policy_for(
            district_id=event.district_id, matter_id=transferred.matter_id, priority=transferred.priority
        )
        task = CoordinationTask.objects.create(
            event=transferred,
            department=department,
            due_at=_kind_due(transferred, now)
            or clock_due(start=now, limit=policy.coordination_limit, time_base=TimeBase.WORKING_DAYS),
            instructions=text,
        )
        notify(
            event=transferred,
            users=users_with_post(district_id=event.district_id, role=Role.LIAISON, department_id=department.pk),
            message=f"协同联办 {transferred.public_no}：{text[:120]}（请于{task.due_at:%m月%d日 %H:%M}前书面反馈）",
        )
    return task


def receives_transfers(department: Department) -> bool:
    """A department the command centre may hand events to: one of the coordinating departments, or the
    handling department of an active complaint kind that is not worked on site (a utility, the housing bureau)."""
    return (
        department.is_coordinating
        or ComplaintKind.objects.filter(department=department, is_active=True)
        .exclude(clock_policy=ClockPolicy.ON_SITE)
        .exists()
    )


def _kind_due(event: Event, now: dt.datetime) -> dt.datetime | None:
    kind = ComplaintKind.objects.filter(pk=event.kind_id).only("due_hours").first() if event.kind_id else None
    return now + dt.timedelta(hours=kind.due_hours) if kind is not None and kind.due_hours else None


def event_coordination_feedback(*, actor: Actor, task: CoordinationTask, feedback: str) -> Event:
    """The department's written feedback (required): the event returns to the command centre as handled."""
    event = task.event
    require_in_scope(actor, event)
    j = actor_jurisdiction(actor, district_id=event.district_id)
    if j is not None and not can_give_coordination_feedback(j, task.department_id):
        raise PermissionDenied("只有承办部门的联络员才能反馈", code="permission_denied")
    text = (feedback or "").strip()
    if not text:
        raise ValidationFailed("请填写书面反馈", code="feedback_required", details={"field": "feedback"})
    with transaction.atomic():
        locked_task = CoordinationTask.objects.select_for_update().filter(pk=task.pk).first()
        if locked_task is None:
            raise NotFound("协同任务不存在", code="coordination_task_not_found", details={"task_id": task.pk})
        if locked_task.feedback_at is not None:
            raise ValidationFailed("该协同任务已反馈", code="coordination_already_answered", details={})
        now = timezone.now()
        handled = apply_transition(
            event=event,
            action=EventAction.FEEDBACK,
            actor=actor,
            reason=text,
            updates={"outcome": text, "handled_at": now},
        )
        locked_task.feedback = text
        locked_task.feedback_at = now
        locked_task.feedback_by = actor_user(actor)
        locked_task.save(update_fields=["feedback", "feedback_at", "feedback_by", "updated_at"])
        notify(
            event=handled,
            users=users_with_post(district_id=event.district_id, role=Role.DISPATCHER),
            message=f"{locked_task.department.short_name}已反馈 {handled.public_no}，请核查结案",
        )
    return handled
