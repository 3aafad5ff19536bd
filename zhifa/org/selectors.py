"""Reads of the organisation, each scoped to the reader's jurisdiction."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from zhifa.core.errors import NotFound
from zhifa.org.jurisdiction import jurisdiction_of
from zhifa.org.models import AuxiliaryStaff, Department, Officer, Street, Zone


def officer_list(
    *, user: Any, q: str | None = None, street_id: int | None = None, department_id: int | None = None
) -> QuerySet[Officer]:
    """District roles see every officer; street roles their street's; a liaison their department's."""
    j = jurisdiction_of(user)
    qs = Officer.objects.filter(district_id=j.district_id).select_related("home_department", "street", "zone")
    if j.is_street_scoped:
        qs = qs.filter(street_id=j.own_street_id)
    elif j.is_department_scoped:
        qs = qs.filter(home_department_id=j.own_department_id)
    elif not j.is_district_wide:
        return qs.none()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(badge_no__icontains=q) | Q(certificate_no__icontains=q))
    if street_id:
        qs = qs.filter(street_id=street_id)
    if department_id:
        qs = qs.filter(home_department_id=department_id)
    return qs.order_by("badge_no")


def officer_get(*, user: Any, officer_id: int) -> Officer:
    officer = officer_list(user=user).filter(pk=officer_id).first()
    if officer is None:
        raise NotFound("执法人员不存在或不在您的管辖范围内", code="officer_not_found", details={"id": officer_id})
    return officer


def auxiliary_list(*, user: Any, street_id: int | None = None) -> QuerySet[AuxiliaryStaff]:
    j = jurisdiction_of(user)
    qs = AuxiliaryStaff.objects.filter(district_id=j.district_id).select_related("street")
    if j.is_street_scoped:
        qs = qs.filter(street_id=j.own_street_id)
    elif not j.is_district_wide:
        return qs.none()
    if street_id:
        qs = qs.filter(street_id=street_id)
    return qs.order_by("staff_no")


def street_list(*, user: Any) -> QuerySet[Street]:
    """Streets the user may filter by: all of the district, or just their own."""
    j = jurisdiction_of(user)
    qs = Street.objects.filter(district_id=j.district_id)
    if j.is_street_scoped:
        qs = qs.filter(pk=j.own_street_id)
    return qs.order_by("code")


def zone_list(*, user: Any, street_id: int | None = None) -> QuerySet[Zone]:
    j = jurisdiction_of(user)
    qs = Zone.objects.filter(district_id=j.district_id).select_related("street")
    if j.is_street_scoped:
        qs = qs.filter(street_id=j.own_street_id)
    if street_id:
        qs = qs.filter(street_id=street_id)
    return qs.order_by("code")


@dataclass(frozen=True)
class SinkingShare:
    """人员下沉率: officers of the six sinking departments who serve a street, over all of them."""

    sunk: int
    total: int

    @property
    def ratio(self) -> float:
        return self.sunk / self.total if self.total else 0.0

    @property
    def percent(self) -> str:
        return f"{self.ratio * 100:.2f}%"


def sinking_share(*, district_id: int) -> SinkingShare:
    officers = Officer.objects.filter(district_id=district_id, is_active=True, home_department__is_sinking=True)
    return SinkingShare(sunk=officers.filter(street__isnull=False).count(), total=officers.count())


def department_list(*, user: Any) -> QuerySet[Department]:
    """Departments of the user's district (reference data every role may read); a liaison sees theirs."""
    j = jurisdiction_of(user)
    qs = Department.objects.filter(district_id=j.district_id)
    if j.is_department_scoped:
        qs = qs.filter(pk=j.own_department_id)
    return qs.order_by("code")
