"""Reading cases, always scoped to the reader's jurisdiction (district first, then street)."""

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from zhifa.cases.models import Case, CaseDeadline, CaseStatus
from zhifa.cases.permissions import can_see_cases
from zhifa.core.errors import NotFound
from zhifa.org.jurisdiction import jurisdiction_of
from zhifa.org.roles import Role

OPEN_STATES = frozenset(
    {
        CaseStatus.LEAD,
        CaseStatus.FILING_APPROVAL,
        CaseStatus.INVESTIGATING,
        CaseStatus.CONCLUDED,
        CaseStatus.LEGAL_REVIEW,
        CaseStatus.REVIEWED,
        CaseStatus.NOTICED,
        CaseStatus.HEARING_REQUESTED,
        CaseStatus.HEARD,
        CaseStatus.DECIDED,
        CaseStatus.SERVED,
        CaseStatus.PAID,
        CaseStatus.ENFORCEMENT,
    }
)


def cases_in_scope(user: Any) -> QuerySet[Case]:
    j = jurisdiction_of(user)
    cases = Case.objects.filter(district_id=j.district_id)
    if not can_see_cases(j):
        return cases.none()
    if j.is_street_scoped:
        cases = cases.filter(street_id=j.own_street_id)
    return cases


def case_in_scope(user: Any, case: Case) -> bool:
    j = jurisdiction_of(user)
    if case.district_id != j.district_id or not can_see_cases(j):
        return False
    return not j.is_street_scoped or case.street_id == j.own_street_id


def case_detail(user: Any, case_id: int) -> Case:
    case = (
        cases_in_scope(user)
        .select_related("street", "matter", "subject", "handler", "co_handler", "event")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound("案件不存在或不在您的管辖范围内", code="case_not_found", details={"id": case_id})
    return case


def case_list(user: Any, *, status: str = "", q: str = "") -> QuerySet[Case]:
    cases = cases_in_scope(user).select_related("street", "matter", "handler")
    if status:
        cases = cases.filter(status=status)
    if q:
        cases = cases.filter(Q(number__icontains=q) | Q(party_name__icontains=q) | Q(decision_number__icontains=q))
    return cases.order_by("-created_at", "-pk")


def review_queue(user: Any) -> QuerySet[Case]:
    """The legal reviewer's queue: cases waiting for their review, oldest first."""
    return cases_in_scope(user).filter(status=CaseStatus.LEGAL_REVIEW).order_by("updated_at", "pk")


def approval_queue(user: Any) -> QuerySet[Case]:
    """What waits for the head: filings to approve, and cases ready for a decision."""
    return (
        cases_in_scope(user)
        .filter(
            status__in=[
                CaseStatus.FILING_APPROVAL,
                CaseStatus.CONCLUDED,
                CaseStatus.REVIEWED,
                CaseStatus.NOTICED,
                CaseStatus.HEARD,
            ]
        )
        .order_by("updated_at", "pk")
    )


def deadlines_due(user: Any, *, today: dt.date, within_days: int = 3) -> QuerySet[CaseDeadline]:
    """Open deadlines of the cases in scope that are overdue or fall due within ``within_days``."""
    return (
        CaseDeadline.objects.filter(
            case__in=cases_in_scope(user),
            met_on__isnull=True,
            due_on__lte=today + dt.timedelta(days=within_days),
        )
        .select_related("case", "case__handler")
        .order_by("due_on", "pk")
    )


def party_cases(user: Any) -> QuerySet[Case]:
    """A business owner's cases: those whose party is one of the subjects it owns (its self-service view)."""
    j = jurisdiction_of(user)
    if j.role != Role.BUSINESS_OWNER:
        return Case.objects.none()
    return Case.objects.filter(district_id=j.district_id, subject__owners__user_id=j.user_id).exclude(
        status__in=[CaseStatus.LEAD, CaseStatus.FILING_APPROVAL, CaseStatus.NOT_FILED]
    )
