"""What every case service shares: who is acting, the legal date of a step, applying ``CASE_WORKFLOW``, deadlines."""

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.utils import timezone

from zhifa.cases import legal
from zhifa.cases.models import Case, CaseDeadline, CaseStep
from zhifa.cases.permissions import (
    can_approve_cases,
    can_handle_cases,
    can_review_cases,
    can_serve_documents,
    covers_case_street,
)
from zhifa.cases.selectors import case_in_scope
from zhifa.cases.states import CASE_WORKFLOW
from zhifa.core.actors import Actor, SystemActor, actor_label, actor_user, is_system
from zhifa.core.audit import audited_transaction
from zhifa.core.calendar import provisional_for_unknown_years
from zhifa.core.errors import NotFound, PermissionDenied, ValidationFailed
from zhifa.core.files import files_removed_on_rollback
from zhifa.core.workflow import workflow_apply
from zhifa.org.jurisdiction import Jurisdiction, jurisdiction_of
from zhifa.org.models import Officer
from zhifa.org.roles import Role

SYSTEM_PAYMENTS = SystemActor("系统（缴款对账）")


def today() -> dt.date:
    return timezone.localdate()


def _jurisdiction(actor: Actor, case: Case) -> Jurisdiction | None:
    if is_system(actor):
        return None
    if not case_in_scope(actor, case):
        raise NotFound("案件不存在或不在您的管辖范围内", code="case_not_found", details={"id": case.pk})
    return jurisdiction_of(actor)


def require_handler(actor: Actor, case: Case, *, what: str) -> Jurisdiction | None:
    j = _jurisdiction(actor, case)
    if j is not None and not (can_handle_cases(j) and covers_case_street(j, case.street_id)):
        raise _refused(j, what)
    return j


def require_server(actor: Actor, case: Case, *, what: str) -> Jurisdiction | None:
    """Serving documents: handlers, and auxiliary staff under supervision (ZJR 30)."""
    j = _jurisdiction(actor, case)
    if j is not None and not (can_serve_documents(j) and covers_case_street(j, case.street_id)):
        raise _refused(j, what)
    return j


def require_approver(actor: Actor, case: Case, *, what: str) -> Jurisdiction | None:
    """Decisions are the agency head's (and deputies'); never an auxiliary's (ZJR 30)."""
    j = _jurisdiction(actor, case)
    if j is not None and not can_approve_cases(j):
        raise _refused(j, what)
    return j


def require_reviewer(actor: Actor, case: Case) -> Jurisdiction | None:
    j = _jurisdiction(actor, case)
    if j is not None and not can_review_cases(j):
        raise _refused(j, "进行法制审核")
    return j


def _refused(j: Jurisdiction, what: str) -> PermissionDenied:
    if j.role == Role.AUXILIARY:
        return PermissionDenied(
            f"辅助人员不得{what}：辅助人员只能协助收集信息、送达文书，不得作出决定（《浙江省综合行政执法条例》第三十条）",
            code="auxiliary_cannot_decide",
        )
    return PermissionDenied(f"您的岗位无权{what}", code="permission_denied", details={"role": j.role})


def last_legal_date(case: Case) -> dt.date | None:
    return case.steps.order_by("-legal_date").values_list("legal_date", flat=True).first()


def check_legal_date(case: Case, legal_date: dt.date, *, not_before: dt.date | None = None) -> None:
    """A step's legal date may be entered late (补录) but is never in the future, and never before the step it
    follows (or ``not_before``, e.g. the notice a hearing request answers)."""
    if legal_date > today():
        raise ValidationFailed(
            "法律上的日期不能晚于今天", code="legal_date_in_future", details={"legal_date": legal_date.isoformat()}
        )
    previous = last_legal_date(case)
    floor = max(d for d in (previous, not_before) if d is not None) if (previous or not_before) else None
    if floor is not None and legal_date < floor:
        raise ValidationFailed(
            f"法律上的日期不能早于上一环节的日期（{floor.isoformat()}）",
            code="legal_date_before_previous_step",
            details={"legal_date": legal_date.isoformat(), "previous": floor.isoformat()},
        )


@contextmanager
def case_transaction() -> Iterator[None]:
    """The transaction of one case step: audited, and a file stored in it — a document's PDF, an evidence file,
    the party's signature, a service photo — is removed again when the step is refused after it
    (``zhifa.core.files``)."""
    with files_removed_on_rollback(), audited_transaction():
        yield


def locked(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def step_recorder(*, action: str, actor: Actor, reason: str, legal_date: dt.date) -> Callable[[Any, str, str], None]:
    def record(case: Any, source: str, target: str) -> None:
        CaseStep.objects.create(
            case=case,
            action=action,
            from_status=source,
            to_status=target,
            legal_date=legal_date,
            actor=actor_user(actor),
            actor_label=actor_label(actor),
            reason=reason,
            created_at=timezone.now(),
        )

    return record


def apply_step(
    case: Case,
    action: str,
    *,
    actor: Actor,
    legal_date: dt.date,
    reason: str = "",
    updates: dict[str, Any] | None = None,
    after_commit: Iterable[Callable[[], None]] = (),
) -> Case:
    """One step of ``CASE_WORKFLOW`` on a case the caller has locked in its open transaction."""
    result = workflow_apply(
        table=CASE_WORKFLOW,
        obj=case,
        action=action,
        actor=actor,
        reason=reason,
        record_transition=step_recorder(action=action, actor=actor, reason=reason, legal_date=legal_date),
        extra_updates=updates,
        after_commit=after_commit,
        is_locked=True,
    )
    assert isinstance(result, Case)
    return result


def start_deadline(case: Case, code: str, start: dt.date, **options: Any) -> CaseDeadline:
    """Store the due date of rule ``code`` counted from the legal date ``start`` (``legal.deadline``)."""
    with provisional_for_unknown_years() as provisional:
        due = legal.deadline(code, start, **options)
    return CaseDeadline.objects.create(
        case=case,
        code=code,
        label=due.label,
        article=due.article,
        starts_on=start,
        due_on=due.due_on,
        is_provisional=provisional.used,
    )


def recount_provisional(deadline: CaseDeadline) -> bool:
    """Count a provisional deadline again now that its year may be known (an administrator's overrides, a newer
    holiday package); True when it is no longer provisional."""
    with provisional_for_unknown_years() as provisional:
        due = legal.deadline(
            deadline.code, deadline.starts_on, extra_days=deadline.extended_days + deadline.suspended_days
        )
    if provisional.used:
        return False
    CaseDeadline.objects.filter(pk=deadline.pk).update(due_on=due.due_on, is_provisional=False)
    return True


# Periods that are the party's to use, not the agency's to meet: the window closes when it runs out (or when the
# party answers, waives, pays); it is never "overdue" work of a handler, and its end is not escalated.
PARTY_WINDOWS = frozenset({"statement_defence", "hearing_request", "payment", "reconsideration", "lawsuit", "reminder"})


def close_windows(case: Case, codes: Iterable[str], on: dt.date) -> None:
    """Close the party's open windows ``codes`` as of ``on``: one that ran out earlier closed on its last day."""
    for deadline in CaseDeadline.objects.filter(case=case, code__in=list(codes), met_on__isnull=True):
        CaseDeadline.objects.filter(pk=deadline.pk).update(met_on=min(deadline.due_on, on))


def meet_deadlines(case: Case, codes: Iterable[str], on: dt.date) -> None:
    CaseDeadline.objects.filter(case=case, code__in=list(codes), met_on__isnull=True).update(met_on=on)


def certified_on(officer: Officer, day: dt.date) -> bool:
    """Holds a valid enforcement certificate (执法证) on ``day`` (APL 42)."""
    return bool(officer.certificate_no) and officer.certificate_valid_until >= day and officer.is_active
