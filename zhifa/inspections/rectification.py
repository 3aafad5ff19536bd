"""责令改正 (issue 12 part 6): a finding of a signed visit becomes a rectification order with a deadline; the party
sends evidence (photos and a note) through its own link or from its business home; an officer re-inspects and
confirms it rectified, or finds it not, or hands it to the cases app as a lead (移送立案).

One workflow, ``states.RECTIFICATION_WORKFLOW``: issued → submitted → (reinspected →) rectified | escalated. Every
service checks who acts, validates everything before it writes, writes in one audited transaction and refuses bad
input with a Chinese message and a code, writing nothing.

Deadlines (``deadline_for``): days per severity, ``ZHIFA_RECTIFICATION_DAYS`` (一般 15, 较大 7, 重大 3), counted in
working days (``zhifa.core.calendar``, holidays and make-up days known) unless ``ZHIFA_RECTIFICATION_WORKING_DAYS``
is False. An officer may set an earlier or later day when issuing.

Case leads: the cases app sits above this one, so it registers its hand-off here at start-up
(``lead_sink_register``, from ``zhifa.cases.inspection_leads``): a 重大 finding's order hands a lead at issue (the
order stays open: the hazard must still be removed), an escalated order hands one when it is escalated. The sink
reads the finding and makes the lead with every photo of the finding and of the party's submissions as evidence
with its SHA-256.
"""

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.utils import timezone

from zhifa.core.actors import Actor, SystemActor, actor_label, actor_user, is_system
from zhifa.core.audit import audit_record, audited_transaction
from zhifa.core.calendar import add_calendar_days, add_working_days, provisional_for_unknown_years
from zhifa.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from zhifa.core.files import file_store, files_removed_on_rollback
from zhifa.core.workflow import workflow_apply, workflow_check
from zhifa.events import photos as photo_store
from zhifa.events.models import Notification
from zhifa.inspections import colours
from zhifa.inspections.models import (
    FindingSeverity,
    InspectionFinding,
    RectificationOrder,
    RectificationPhoto,
    RectificationSubmission,
    RectificationTransition,
)
from zhifa.inspections.states import (
    RECTIFICATION_OPEN,
    RECTIFICATION_WORKFLOW,
    RectificationAction,
    RectificationStatus,
    VisitStatus,
)
from zhifa.org.jurisdiction import Jurisdiction, jurisdiction_of
from zhifa.org.models import Officer, Profile
from zhifa.org.roles import Role

DEFAULT_DAYS = {FindingSeverity.GENERAL: 15, FindingSeverity.MAJOR: 7, FindingSeverity.SERIOUS: 3}
NOTE_LIMIT = 500
REASON_LIMIT = 200
TOKEN_MAX = 64
# Who issues orders and re-inspects: the district's and the street's staff who handle enforcement.
ISSUERS = frozenset({Role.ADMIN, Role.DISPATCHER, Role.STREET_DISPATCHER, Role.OFFICER})


# --- the hand-off to the cases app (port) ---------------------------------------------------------------------

# ``sink(actor, order, reason) -> (case id, case number)``: registered by the cases app (CasesConfig.ready).
type LeadSink = Callable[[Actor, RectificationOrder, str], tuple[int, str]]
_lead_sink: list[LeadSink] = []


def lead_sink_register(sink: LeadSink) -> None:
    _lead_sink[:] = [sink]


def _hand_to_cases(actor: Actor, order: RectificationOrder, reason: str) -> None:
    if order.case_id is not None:
        return
    if not _lead_sink:
        raise Conflict("案件模块未启用，不能移送立案", code="rectification_cases_unavailable")
    case_id, number = _lead_sink[0](actor, order, reason)
    order.case_id, order.case_number = case_id, number
    order.save(update_fields=["case_id", "case_number", "updated_at"])
    audit_record(actor=actor, action="rectification.lead", obj=order, after={"case_id": case_id, "number": number})


# --- deadlines --------------------------------------------------------------------------------------------------


def deadline_days() -> dict[str, int]:
    raw = {**DEFAULT_DAYS, **dict(getattr(settings, "ZHIFA_RECTIFICATION_DAYS", {}))}
    return {str(k): int(v) for k, v in raw.items()}


def working_days() -> bool:
    return bool(getattr(settings, "ZHIFA_RECTIFICATION_WORKING_DAYS", True))


def deadline_for(severity: str, issued_on: dt.date) -> tuple[dt.date, str]:
    """The default deadline of a finding of ``severity`` issued on ``issued_on``, and the rule as the order says it.
    A deadline reaching into a year whose holidays are not entered yet is counted Monday–Friday, and the rule
    says so: the officer sees it and may name a date instead, and nobody is stopped at the turn of the year."""
    days = deadline_days()[severity]
    with provisional_for_unknown_years() as provisional:
        if working_days():
            deadline, rule = add_working_days(issued_on, days), f"{days}个工作日"
        else:
            deadline, rule = add_calendar_days(issued_on, days), f"{days}日"
    if provisional.used:
        years = "、".join(f"{year}年" for year in sorted(provisional.years))
        rule += f"（{years}节假日安排未录入，暂按周一至周五计算）"
    return deadline, rule


# --- who acts -----------------------------------------------------------------------------------------------------


def _staff(actor: Actor) -> Jurisdiction:
    if is_system(actor):
        raise PermissionDenied("整改通知由执法人员下达和复查", code="rectification_forbidden")
    j = jurisdiction_of(actor)
    if j.role not in ISSUERS:
        raise PermissionDenied("您无权下达或复查整改通知", code="rectification_forbidden")
    return j


def _officer(actor: Actor, j: Jurisdiction) -> Officer:
    officer = Officer.objects.filter(user_id=j.user_id, district_id=j.district_id, is_active=True).first()
    if officer is None:
        raise PermissionDenied("须以执法人员身份下达或复查整改通知", code="rectification_officer_required")
    return officer


def _order_for_staff(actor: Actor, order_id: Any) -> tuple[RectificationOrder, Jurisdiction]:
    j = _staff(actor)
    not_found = NotFound("整改通知不存在或不在您的管辖范围内", code="rectification_not_found", details={"id": order_id})
    if not str(order_id).isdigit() or len(str(order_id)) > 12:
        raise not_found
    rows = RectificationOrder.objects.filter(pk=int(order_id), district_id=j.district_id)
    if j.is_street_scoped:
        rows = rows.filter(street_id=j.own_street_id)
    order = rows.select_related("subject", "finding").first()
    if order is None:
        raise not_found
    return order, j


# --- issuing ------------------------------------------------------------------------------------------------------


def order_issue(
    *, actor: Actor, finding_id: Any, deadline: dt.date | None = None, requirement: str = ""
) -> RectificationOrder:
    """责令改正: an order for one finding of a signed visit in the actor's scope, with the item's legal basis and the
    default deadline of its severity (or ``deadline``, not before tomorrow). A 重大 finding's lead goes to the
    cases app at once. One order per finding."""
    j = _staff(actor)
    officer = _officer(actor, j)
    not_found = NotFound("隐患不存在或不在您的管辖范围内", code="finding_not_found", details={"id": finding_id})
    if not str(finding_id).isdigit() or len(str(finding_id)) > 12:
        raise not_found
    rows = InspectionFinding.objects.filter(pk=int(finding_id), inspection__district_id=j.district_id)
    if j.is_street_scoped:
        rows = rows.filter(inspection__street_id=j.own_street_id)
    finding = rows.select_related("inspection", "item", "item__version__matter").first()
    if finding is None:
        raise not_found
    if finding.inspection.status != VisitStatus.SIGNED:
        raise Conflict("检查记录签署后方可下达整改通知", code="rectification_visit_not_signed")
    if RectificationOrder.objects.filter(finding=finding).exists():
        raise Conflict("该隐患已下达整改通知", code="rectification_exists")
    requirement = (requirement or "").strip() or f"整改隐患：{finding.description}"
    if len(requirement) > NOTE_LIMIT:
        raise ValidationFailed(f"整改要求不能超过{NOTE_LIMIT}字", code="rectification_requirement_too_long")
    now = timezone.now()
    today = timezone.localdate(now)
    default_deadline, rule = deadline_for(finding.severity, today)
    if deadline is not None:
        if deadline <= today:
            raise ValidationFailed(
                "整改期限须晚于今天", code="rectification_deadline_past", details={"deadline": deadline.isoformat()}
            )
        rule = "指定日期"
    legal_basis = ""
    if finding.item is not None:
        matter = finding.item.version.matter
        legal_basis = finding.item.legal_basis or f"《{matter.law_name}》{matter.violated_provision}"
    with audited_transaction():
        order = RectificationOrder.objects.create(
            district_id=finding.inspection.district_id,
            finding=finding,
            subject_id=finding.inspection.subject_id,
            street_id=finding.inspection.street_id,
            department_id=finding.department_id,
            severity=finding.severity,
            requirement=requirement,
            legal_basis=legal_basis[:300],
            issued_at=now,
            issued_by=officer,
            deadline=deadline or default_deadline,
            deadline_rule=rule,
        )
        _transition_row(order, "", "issue", RectificationStatus.ISSUED, actor, "")
        audit_record(
            actor=actor,
            action="rectification.issue",
            obj=order,
            after={"finding": finding.pk, "deadline": order.deadline.isoformat(), "rule": rule},
        )
        if finding.severity == FindingSeverity.SERIOUS:
            _hand_to_cases(actor, order, "重大隐患")
        colours.colour_recompute(subject_id=order.subject_id, trigger=f"整改通知 {order.pk} 下达")
    return order


def _transition_row(
    order: RectificationOrder, source: str, action: str, target: str, actor: Actor, reason: str
) -> None:
    RectificationTransition.objects.create(
        order=order,
        from_status=source,
        action=action,
        to_status=target,
        actor_label=actor_label(actor),
        reason=reason[:300],
        at=timezone.now(),
    )


def _recorder(actor: Actor) -> Callable[[Any, str, str], None]:
    def record(obj: Any, source: str, target: str) -> None:
        RectificationTransition.objects.create(
            order=obj,
            from_status=source,
            action=getattr(obj, "_action", ""),
            to_status=target,
            actor_label=actor_label(actor),
            reason=getattr(obj, "_reason", "")[:300],
            at=timezone.now(),
        )

    return record


def _apply(order: RectificationOrder, *, action: str, actor: Actor, reason: str = "", **updates: Any) -> Any:
    order._action = action  # type: ignore[attr-defined]
    order._reason = reason  # type: ignore[attr-defined]
    return workflow_apply(
        table=RECTIFICATION_WORKFLOW,
        obj=order,
        action=action,
        actor=actor,
        reason=reason,
        record_transition=_recorder(actor),
        extra_updates=updates or None,
        is_locked=True,
    )


# --- the party's evidence -----------------------------------------------------------------------------------------


def party_actor(order: RectificationOrder) -> SystemActor:
    """The party answering through its link: not signed in, named so in the audit chain."""
    return SystemActor(f"当事人（整改链接，通知{order.pk}）")


def order_by_token(token: str) -> RectificationOrder:
    """The one order a party link opens; anything else is "not found" (nobody learns which tokens exist)."""
    order = None
    if token and len(token) <= TOKEN_MAX:
        order = RectificationOrder.objects.filter(party_token=token).select_related("subject", "finding").first()
    if order is None:
        raise NotFound("整改通知不存在或链接已失效", code="rectification_not_found")
    return order


def _submit(
    order: RectificationOrder, *, actor: Actor, note: str, photos: Sequence[Any], via: str
) -> RectificationSubmission:
    note = (note or "").strip()
    if not note:
        raise ValidationFailed("请填写整改情况说明", code="rectification_note_required", details={"field": "note"})
    if len(note) > NOTE_LIMIT:
        raise ValidationFailed(f"整改说明不能超过{NOTE_LIMIT}字", code="rectification_note_too_long")
    if not photos:
        raise ValidationFailed("请上传整改后的照片", code="rectification_photo_required", details={"field": "photos"})
    validated = photo_store.photos_validate(photos)
    workflow_check(
        table=RECTIFICATION_WORKFLOW, obj=order, action=RectificationAction.SUBMIT, actor=actor, state=order.status
    )
    now = timezone.now()
    with files_removed_on_rollback(), audited_transaction():
        locked = RectificationOrder.objects.select_for_update().get(pk=order.pk)
        submission = RectificationSubmission.objects.create(
            order=locked, note=note, via=via, submitted_by=actor_user(actor), submitted_at=now
        )
        for photo in validated:
            row = RectificationPhoto(
                submission=submission, sha256=photo.sha256, content_type=photo.content_type, size=photo.size
            )
            filename = f"{photo.sha256}.{photo.extension}"
            file_store(row.original, filename, photo.data)
            file_store(row.public_copy, filename, photo.public_data)
            row.save()
        _apply(locked, action=RectificationAction.SUBMIT, actor=actor, submitted_at=now)
        audit_record(
            actor=actor,
            action="rectification.submit",
            obj=locked,
            after={"submission": submission.pk, "via": via, "photos": [p.sha256 for p in validated]},
        )
    return submission


def party_submit(*, token: str, note: str, photos: Sequence[Any]) -> RectificationSubmission:
    """The party sends its evidence through its link (no account)."""
    order = order_by_token(token)
    return _submit(order, actor=party_actor(order), note=note, photos=photos, via="link")


def owner_submit(*, actor: Actor, order_id: Any, note: str, photos: Sequence[Any]) -> RectificationSubmission:
    """The business sends its evidence from its home page: only an order of a subject it owns."""
    j = jurisdiction_of(actor)
    order = None
    if j.role == Role.BUSINESS_OWNER and str(order_id).isdigit() and len(str(order_id)) <= 12:
        order = RectificationOrder.objects.filter(
            pk=int(order_id), district_id=j.district_id, subject__owners__user_id=j.user_id
        ).first()
    if order is None:
        raise NotFound("整改通知不存在", code="rectification_not_found", details={"id": order_id})
    return _submit(order, actor=actor, note=note, photos=photos, via="home")


# --- re-inspection and escalation ---------------------------------------------------------------------------------

OUTCOMES = ("confirm", "reject", "escalate")


def order_reinspect(*, actor: Actor, order_id: Any, outcome: str, note: str = "") -> RectificationOrder:
    """复查: an officer confirms the order rectified (on time or late, by the deadline), or finds it not rectified
    (the party may send evidence again), or escalates it to the cases app (a reason is required for both)."""
    if outcome not in OUTCOMES:
        raise ValidationFailed("复查结论无效", code="rectification_outcome_invalid", details={"outcome": outcome})
    note = (note or "").strip()
    if len(note) > REASON_LIMIT:
        raise ValidationFailed(f"复查意见不能超过{REASON_LIMIT}字", code="rectification_note_too_long")
    order, j = _order_for_staff(actor, order_id)
    officer = _officer(actor, j)
    if outcome == "escalate":
        return order_escalate(actor=actor, order_id=order.pk, reason=note, officer=officer)
    action = RectificationAction.CONFIRM if outcome == "confirm" else RectificationAction.REJECT
    workflow_check(table=RECTIFICATION_WORKFLOW, obj=order, action=action, actor=actor, reason=note, state=order.status)
    now = timezone.now()
    updates: dict[str, Any] = {"reinspected_at": now, "reinspected_by": officer, "reinspection_note": note}
    if action == RectificationAction.CONFIRM:
        updates |= {"closed_at": now, "on_time": timezone.localdate(now) <= order.deadline}
    with audited_transaction():
        locked = RectificationOrder.objects.select_for_update().get(pk=order.pk)
        locked = _apply(locked, action=action, actor=actor, reason=note, **updates)
        if action == RectificationAction.CONFIRM:
            colours.colour_recompute(subject_id=locked.subject_id, trigger=f"整改通知 {locked.pk} 复查通过")
    return locked


def order_escalate(*, actor: Actor, order_id: Any, reason: str, officer: Officer | None = None) -> RectificationOrder:
    """移送立案: an open order that is overdue (its deadline passed), 重大, or re-inspected and not rectified
    becomes a case lead through the cases app with the finding's and the party's photos as evidence."""
    order, j = _order_for_staff(actor, order_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请填写移送理由", code="reason_required", details={"field": "reason"})
    if len(reason) > REASON_LIMIT:
        raise ValidationFailed(f"移送理由不能超过{REASON_LIMIT}字", code="rectification_note_too_long")
    workflow_check(
        table=RECTIFICATION_WORKFLOW,
        obj=order,
        action=RectificationAction.ESCALATE,
        actor=actor,
        reason=reason,
        state=order.status,
    )
    now = timezone.now()
    overdue = timezone.localdate(now) > order.deadline
    if not (overdue or order.severity == FindingSeverity.SERIOUS or order.status == RectificationStatus.REINSPECTED):
        raise Conflict(
            "整改期限未到，且复查尚未认定未整改，不能移送立案",
            code="rectification_not_overdue",
            details={"deadline": order.deadline.isoformat()},
        )
    officer = officer or _officer(actor, j)
    with audited_transaction():
        locked = RectificationOrder.objects.select_for_update().get(pk=order.pk)
        locked = _apply(
            locked,
            action=RectificationAction.ESCALATE,
            actor=actor,
            reason=reason,
            escalation_reason=reason,
            closed_at=now,
            on_time=False,
            reinspected_at=locked.reinspected_at or now,
            reinspected_by=locked.reinspected_by or officer,
        )
        _hand_to_cases(actor, locked, reason)
        colours.colour_recompute(subject_id=locked.subject_id, trigger=f"整改通知 {locked.pk} 移送立案")
    return locked


def rectification_overdue_remind(*, district_id: int, on: dt.date | None = None) -> int:
    """逾期提醒 (the nightly pass): each open order of the district whose deadline passed before ``on`` (today)
    and that nobody was told of yet — its issuing officer and the department's liaisons get a notice to re-inspect
    it or hand it to a case (移送立案 stays their decision: the law gives the department, not the platform, the
    choice to file). Once per order; stamped (``overdue_notified_on``) and audited. Returns how many orders."""
    day = on or timezone.localdate()
    actor = SystemActor("整改逾期提醒")
    orders = (
        RectificationOrder.objects.filter(
            district_id=district_id,
            status__in=RECTIFICATION_OPEN,
            deadline__lt=day,
            overdue_notified_on__isnull=True,
        )
        .select_related("subject", "issued_by", "department")
        .order_by("deadline", "pk")
    )
    reminded = 0
    for order in orders:
        with audited_transaction():
            locked = RectificationOrder.objects.select_for_update().get(pk=order.pk)
            if locked.overdue_notified_on is not None or locked.status not in RECTIFICATION_OPEN:
                continue  # another pass told them, or the order moved on meanwhile
            days = (day - order.deadline).days
            message = (
                f"整改逾期：{order.subject.name} 的整改通知（第 {order.pk} 号，{order.department.name}）"
                f"期限 {order.deadline:%Y-%m-%d}，已逾期 {days} 天，请复查或移送立案"
            )[:300]
            users = [order.issued_by.user_id] if order.issued_by.user_id else []
            users += Profile.objects.filter(
                role=Role.LIAISON, department_id=order.department_id, user__is_active=True
            ).values_list("user_id", flat=True)
            recipients = list(dict.fromkeys(users))
            Notification.objects.bulk_create(
                Notification(district_id=order.district_id, user_id=uid, message=message) for uid in recipients
            )
            locked.overdue_notified_on = day
            locked.save(update_fields=["overdue_notified_on", "updated_at"])
            audit_record(
                actor=actor,
                action="rectification.overdue_remind",
                obj=locked,
                after={"overdue_notified_on": day.isoformat(), "days_overdue": days, "recipients": len(recipients)},
                reason=message,
            )
            reminded += 1
    return reminded


def overdue_orders(*, on: dt.date | None = None) -> list[RectificationOrder]:
    """Open orders whose deadline passed before ``on`` (today), oldest deadline first — across districts (the
    nightly command's count); pages read ``rectification_selectors.order_list(overdue=True)``."""
    day = on or timezone.localdate()
    return list(RectificationOrder.objects.filter(status__in=RECTIFICATION_OPEN, deadline__lt=day).order_by("deadline"))
