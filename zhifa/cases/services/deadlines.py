"""The deadlines engine: every statutory or configured period of a case is a stored ``CaseDeadline`` (due date,
rule, article); the head may extend one where the law allows it, with a reason; a suspension stops a clock and
shows why; a periodic scan warns the handlers before a due date and tells the agency's heads after it."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from zhifa.cases import legal
from zhifa.cases.models import Case, CaseDeadline
from zhifa.cases.services.common import (
    PARTY_WINDOWS,
    case_transaction,
    locked,
    recount_provisional,
    require_approver,
    today,
)
from zhifa.core.actors import Actor
from zhifa.core.audit import audit_record
from zhifa.core.calendar import provisional_for_unknown_years
from zhifa.core.errors import Conflict, NotFound, ValidationFailed
from zhifa.events.models import Notification
from zhifa.org.models import Profile
from zhifa.org.roles import Role


def _open_deadline(case: Case, code: str) -> CaseDeadline:
    deadline = CaseDeadline.objects.select_for_update().filter(case=case, code=code, met_on__isnull=True).first()
    if deadline is None:
        raise NotFound("该案件没有进行中的此项期限", code="deadline_not_found", details={"code": code})
    return deadline


def _recount(deadline: CaseDeadline) -> None:
    with provisional_for_unknown_years() as provisional:
        deadline.due_on = legal.deadline(
            deadline.code, deadline.starts_on, extra_days=deadline.extended_days + deadline.suspended_days
        ).due_on
    deadline.is_provisional = provisional.used


def extend_decision_deadline(case: Case, *, actor: Actor, days: int, reason: str, legal_date: dt.date) -> CaseDeadline:
    """APL 60: the decision is due 90 days after filing unless extended. Here (configurable): the head approves an
    extension of at most ``ZHIFA_LEGAL_DECISION_EXTENSION_DAYS`` (default 30) with a reason; any further
    extension needs the heads' collective discussion recorded on the case first."""
    require_approver(actor, case, what="批准延长办案期限")
    limit = int(getattr(settings, "ZHIFA_LEGAL_DECISION_EXTENSION_DAYS", 30))
    if not 1 <= days <= limit:
        raise ValidationFailed(
            f"每次延长不得超过{limit}日", code="extension_too_long", details={"days": days, "max": limit}
        )
    if not reason.strip():
        raise ValidationFailed("请填写延长理由", code="reason_required")
    with case_transaction():
        case = locked(case)
        deadline = _open_deadline(case, "decision")
        if legal_date > today():
            raise ValidationFailed("批准日期不能晚于今天", code="legal_date_in_future")
        if deadline.extended_days and case.collective_discussion_on is None:
            raise Conflict(
                "办案期限已延长过一次，再次延长须经行政机关负责人集体讨论（《行政处罚法》第六十条）",
                code="extension_needs_collective_discussion",
            )
        before = deadline.due_on
        deadline.extended_days += days
        deadline.extension_reason = "\n".join(
            x for x in (deadline.extension_reason, f"{legal_date.isoformat()} 延长{days}日：{reason.strip()}") if x
        )
        _recount(deadline)
        deadline.save(update_fields=["extended_days", "extension_reason", "due_on", "is_provisional"])
        audit_record(
            actor=actor,
            action="case.extend_deadline",
            obj=case,
            before={"code": "decision", "due_on": before},
            after={"code": "decision", "due_on": deadline.due_on, "days": days},
            reason=reason.strip(),
        )
    return deadline


def suspend_deadline(case: Case, *, actor: Actor, code: str, since: dt.date, reason: str) -> CaseDeadline:
    """Stop a calendar-day clock (e.g. the decision period while an expert appraisal runs): the days it stands
    still are added to its due date when it resumes."""
    require_approver(actor, case, what="中止期限计算")
    if not reason.strip():
        raise ValidationFailed("请填写中止原因", code="reason_required")
    with case_transaction():
        case = locked(case)
        deadline = _open_deadline(case, code)
        if deadline.suspended_since is not None:
            raise Conflict("该期限已在中止中", code="deadline_already_suspended")
        if since > today() or since < deadline.starts_on:
            raise ValidationFailed("中止起始日无效", code="legal_date_invalid")
        legal.deadline(code, deadline.starts_on, extra_days=1)  # refuses a working-day or month period
        deadline.suspended_since = since
        deadline.suspension_reason = reason.strip()
        deadline.save(update_fields=["suspended_since", "suspension_reason"])
        audit_record(
            actor=actor, action="case.suspend_deadline", obj=case, after={"code": code, "since": since}, reason=reason
        )
    return deadline


def resume_deadline(case: Case, *, actor: Actor, code: str, on: dt.date) -> CaseDeadline:
    require_approver(actor, case, what="恢复期限计算")
    with case_transaction():
        case = locked(case)
        deadline = _open_deadline(case, code)
        if deadline.suspended_since is None:
            raise Conflict("该期限未中止", code="deadline_not_suspended")
        if on > today() or on < deadline.suspended_since:
            raise ValidationFailed("恢复日期无效", code="legal_date_invalid")
        deadline.suspended_days += (on - deadline.suspended_since).days
        deadline.suspended_since = None
        _recount(deadline)
        deadline.save(update_fields=["suspended_days", "suspended_since", "due_on", "is_provisional"])
        audit_record(
            actor=actor,
            action="case.resume_deadline",
            obj=case,
            after={"code": code, "on": on, "due_on": deadline.due_on},
        )
    return deadline


@dataclass(frozen=True)
class DeadlineNotice:
    deadline: CaseDeadline
    kind: str  # "warning" | "overdue"
    recipients: int


def scan_deadlines(*, on: dt.date) -> list[DeadlineNotice]:
    """Warn the handlers of every open deadline of the agency due within ``ZHIFA_CASE_DEADLINE_WARN_DAYS`` (default
    3) days, once; tell the district's heads (leaders) of every one past due, once. A suspended clock is neither.
    The party's windows (``PARTY_WINDOWS``) close when they run out; an unpaid fine tells the handlers."""
    warn_days = int(getattr(settings, "ZHIFA_CASE_DEADLINE_WARN_DAYS", 3))
    notices: list[DeadlineNotice] = []
    for provisional in CaseDeadline.objects.filter(met_on__isnull=True, is_provisional=True):
        recount_provisional(provisional)
    due = (
        CaseDeadline.objects.filter(
            met_on__isnull=True, suspended_since__isnull=True, due_on__lte=on + dt.timedelta(days=warn_days)
        )
        .select_related("case", "case__handler", "case__co_handler")
        .order_by("due_on", "pk")
    )
    for deadline in due:
        case = deadline.case
        with transaction.atomic():
            if deadline.code in PARTY_WINDOWS:
                notice = _party_window(deadline, on)
                if notice is not None:
                    notices.append(notice)
                continue
            if deadline.due_on < on and deadline.escalated_on is None:
                leaders = list(
                    Profile.objects.filter(district_id=case.district_id, role=Role.LEADER).values_list(
                        "user_id", flat=True
                    )
                )
                message = f"案件{case.number}（{case.party_name}）的“{deadline.label}”已于{deadline.due_on.isoformat()}届满，尚未完成（{deadline.article}）"
                _notify(case, leaders, message)
                CaseDeadline.objects.filter(pk=deadline.pk).update(escalated_on=on)
                notices.append(DeadlineNotice(deadline, "overdue", len(leaders)))
            elif deadline.due_on >= on and deadline.warned_on is None:
                handlers = [o.user_id for o in (case.handler, case.co_handler) if o is not None and o.user_id]
                message = f"案件{case.number}（{case.party_name}）的“{deadline.label}”将于{deadline.due_on.isoformat()}届满（{deadline.article}）"
                _notify(case, handlers, message)
                CaseDeadline.objects.filter(pk=deadline.pk).update(warned_on=on)
                notices.append(DeadlineNotice(deadline, "warning", len(handlers)))
    return notices


def _party_window(deadline: CaseDeadline, on: dt.date) -> DeadlineNotice | None:
    """A party's window that ran out closes on its last day; an unpaid fine's tells the handlers, once, that the
    party may now be reminded (催告, ACL 35) — the handlers act on it, the heads are not told of the party's delay."""
    if deadline.due_on >= on:
        return None
    case = deadline.case
    if deadline.code != "payment":
        CaseDeadline.objects.filter(pk=deadline.pk).update(met_on=deadline.due_on)
        return None
    if deadline.escalated_on is not None:
        return None
    handlers = [o.user_id for o in (case.handler, case.co_handler) if o is not None and o.user_id]
    _notify(
        case,
        handlers,
        f"案件{case.number}（{case.party_name}）的罚款缴纳期限已于{deadline.due_on.isoformat()}届满，尚未缴款，可依法催告（《行政强制法》第三十五条）",
    )
    CaseDeadline.objects.filter(pk=deadline.pk).update(escalated_on=on)
    return DeadlineNotice(deadline, "payment_overdue", len(handlers))


def _notify(case: Case, user_ids: Sequence[int | None], message: str) -> None:
    Notification.objects.bulk_create(
        [
            Notification(district_id=case.district_id, user_id=uid, message=message[:300])
            for uid in dict.fromkeys(user_ids)
            if uid
        ]
    )
