"""Reading cases, always scoped to the reader's jurisdiction (district first, then street)."""

import datetime as dt
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery

from zhifa.cases.models import Case, CaseDeadline, CaseStatus, LegalReview, ReviewOutcome
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


def _soonest_open(codes: list[str], *, today: dt.date | None = None) -> dict[str, Subquery]:
    """Annotations ``next_due_on`` and ``next_due_label``: the case's soonest open deadline among ``codes`` (with
    ``today``: only those still running, or a payment past due — an unpaid fine stays to be paid)."""
    deadlines = CaseDeadline.objects.filter(case=OuterRef("pk"), code__in=codes, met_on__isnull=True)
    if today is not None:
        deadlines = deadlines.filter(Q(due_on__gte=today) | Q(code="payment"))
    deadlines = deadlines.order_by("due_on", "pk")
    return {
        "next_due_on": Subquery(deadlines.values("due_on")[:1]),
        "next_due_label": Subquery(deadlines.values("label")[:1]),
    }


def legal_review_queue(user: Any) -> QuerySet[Case]:
    """Everything waiting for the legal reviewer (法制审核), for the queue page and the home page alike: cases
    submitted for review, and heard cases whose review after the hearing (APL 58 (3)) has not passed yet. The
    decision deadline (APL 60: the review must be done before it) soonest first, then the longest waiting;
    ``next_due_on`` / ``next_due_label`` carry that deadline."""
    passed_since_hearing = LegalReview.objects.filter(
        case=OuterRef("pk"), outcome=ReviewOutcome.PASSED, reviewed_on__gte=OuterRef("hearing__held_on")
    )
    return (
        cases_in_scope(user)
        .annotate(review_passed_since_hearing=Exists(passed_since_hearing), **_soonest_open(["decision"]))
        .filter(
            Q(status=CaseStatus.LEGAL_REVIEW)
            | Q(status=CaseStatus.HEARD, needs_legal_review=True, review_passed_since_hearing=False)
        )
        .order_by(F("next_due_on").asc(nulls_last=True), "updated_at", "pk")
    )


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


# The party's own periods that ask something of it: to state its case, to request a hearing, to pay (a part
# of PARTY_WINDOWS, the periods that are the party's to use). Its home page and its case page both read this.
PARTY_ACTION_WINDOWS = ["statement_defence", "hearing_request", "payment"]


def party_open_cases(user: Any, *, today: dt.date) -> QuerySet[Case]:
    """A business owner's cases still in progress (its to-do list): each with the soonest of its own periods
    still running (``next_due_on`` / ``next_due_label``: 陈述申辩, 要求听证, or a fine to pay, even past due),
    those with such a period first, soonest first; then the newest."""
    return (
        party_cases(user)
        .filter(status__in=OPEN_STATES)
        .annotate(**_soonest_open(PARTY_ACTION_WINDOWS, today=today))
        .order_by(F("next_due_on").asc(nulls_last=True), "-created_at", "-pk")
    )
