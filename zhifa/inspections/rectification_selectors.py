"""Reads of the rectification orders and the three colours (issue 12 parts 6 and 7), scoped to who may see them:
district-wide posts everything of their district, street posts their street, a department liaison its department's
orders, a business owner the orders of its own subjects; colours follow the subjects the reader may see
(``subjects.selectors.subject_list``)."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from zhifa.core.errors import NotFound
from zhifa.inspections.colours import ALLIANCE_CATEGORY, COLOUR_LABELS, GREEN
from zhifa.inspections.models import RectificationOrder, SubjectColour
from zhifa.inspections.states import RECTIFICATION_OPEN
from zhifa.org.jurisdiction import jurisdiction_of
from zhifa.org.roles import Role
from zhifa.subjects.selectors import subject_list

STAFF_ROLES = frozenset(
    {Role.ADMIN, Role.DISPATCHER, Role.LEADER, Role.STREET_DISPATCHER, Role.OFFICER, Role.AUXILIARY, Role.LIAISON}
)


def _orders(user: Any) -> QuerySet[RectificationOrder]:
    j = jurisdiction_of(user)
    rows = RectificationOrder.objects.filter(district_id=j.district_id)
    if j.role == Role.BUSINESS_OWNER:
        return rows.filter(subject__owners__user_id=j.user_id)
    if j.role not in STAFF_ROLES:
        return rows.none()
    if j.is_district_wide:
        return rows
    if j.is_street_scoped:
        return rows.filter(street_id=j.own_street_id)
    if j.is_department_scoped:
        return rows.filter(department_id=j.own_department_id)
    return rows.none()


def order_list(*, user: Any, overdue: bool = False, open_only: bool = False) -> list[RectificationOrder]:
    rows = _orders(user).select_related("subject", "street", "department", "finding")
    if overdue:
        rows = rows.filter(status__in=RECTIFICATION_OPEN, deadline__lt=timezone.localdate())
    elif open_only:
        rows = rows.filter(status__in=RECTIFICATION_OPEN)
    return list(rows.order_by("deadline", "pk")[:500])


def order_get(*, user: Any, order_id: int) -> RectificationOrder:
    order = (
        _orders(user)
        .select_related("subject", "street", "department", "finding__inspection", "issued_by", "reinspected_by")
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise NotFound("整改通知不存在或不在您的管辖范围内", code="rectification_not_found", details={"id": order_id})
    return order


def is_overdue(order: RectificationOrder, today: dt.date | None = None) -> bool:
    return order.status in RECTIFICATION_OPEN and (today or timezone.localdate()) > order.deadline


def owner_open_orders(*, user: Any) -> list[RectificationOrder]:
    """For the business's home: the open orders of its own subjects (nothing for anyone else)."""
    if jurisdiction_of(user).role != Role.BUSINESS_OWNER:
        return []
    return list(_orders(user).filter(status__in=RECTIFICATION_OPEN).select_related("subject").order_by("deadline"))


def order_history(order: RectificationOrder) -> dict[str, Any]:
    return {
        "submissions": list(order.submissions.prefetch_related("photos").order_by("submitted_at", "pk")),
        "transitions": list(order.transitions.order_by("at", "pk")),
    }


# --- colours ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColouredSubject:
    subject_id: int
    name: str
    category: str
    street: str
    lon: float
    lat: float
    colour: str
    colour_label: str
    score: float
    computed_at: dt.datetime
    rows: list[dict[str, Any]]


def _coloured(user: Any) -> QuerySet[SubjectColour]:
    subjects = subject_list(user=user)
    return (
        SubjectColour.objects.filter(is_current=True, subject__in=subjects.values("pk"))
        .select_related("subject", "subject__street", "model_version")
        .order_by("-score", "subject_id")
    )


def _as_row(c: SubjectColour) -> ColouredSubject:
    return ColouredSubject(
        subject_id=c.subject_id,
        name=c.subject.name,
        category=c.subject.get_category_display(),
        street=c.subject.street.name,
        lon=c.subject.lon,
        lat=c.subject.lat,
        colour=c.colour,
        colour_label=COLOUR_LABELS.get(c.colour, ""),
        score=c.score,
        computed_at=c.computed_at,
        rows=list((c.explanation or {}).get("rows", [])),
    )


def colour_list(*, user: Any, colour: str = "", category: str = "") -> list[ColouredSubject]:
    rows = _coloured(user)
    if colour:
        rows = rows.filter(colour=colour)
    if category:
        rows = rows.filter(subject__category=category)
    return [_as_row(c) for c in rows[:2000]]


def colour_counts(*, user: Any) -> dict[str, int]:
    counts = {"red": 0, "yellow": 0, "green": 0}
    for colour in _coloured(user).values_list("colour", flat=True):
        counts[colour] = counts.get(colour, 0) + 1
    return counts


def site_alliance(*, user: Any) -> list[ColouredSubject]:
    """工地联盟: the construction sites the reader may see whose current colour is green, best score first."""
    return sorted(
        colour_list(user=user, colour=GREEN, category=ALLIANCE_CATEGORY), key=lambda r: (r.score, r.subject_id)
    )


def colour_history(*, user: Any, subject_id: int) -> list[SubjectColour]:
    subject = subject_list(user=user).filter(pk=subject_id).first()
    if subject is None:
        raise NotFound("执法对象不存在", code="subject_not_found", details={"id": subject_id})
    return list(
        SubjectColour.objects.filter(subject=subject).select_related("model_version").order_by("-computed_at", "-pk")
    )
