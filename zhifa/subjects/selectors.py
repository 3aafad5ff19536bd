"""Every read of the subject registry, already scoped to the reader's jurisdiction.

Scope by role (``zhifa.org.roles``):

- district-wide roles (admin, command centre, leaders, legal reviewers): the whole district;
- street roles (officer, auxiliary, street dispatcher): their street only;
- department liaison: subjects of a category (业态) on which at least one active matter of their department
  applies — a matter listing "*" applies to every category, so such a department sees the district;
- business owner: the subjects linked to their account (``SubjectOwner``);
- anyone else: nothing.

Out-of-scope subjects are reported as not found, never as forbidden, so that scope does not reveal existence.
"""

import re
from typing import Any

from django.db.models import Q, QuerySet

from zhifa.catalog.models import Matter
from zhifa.catalog.selectors import matters_for_category
from zhifa.catalog.specs import ALL_CATEGORIES
from zhifa.core.errors import NotFound
from zhifa.org.jurisdiction import Jurisdiction, jurisdiction_of
from zhifa.org.roles import Role
from zhifa.subjects.models import Subject

_ASCII_ALNUM = re.compile(r"^[A-Za-z0-9]+$")
_ASCII_LETTERS = re.compile(r"^[A-Za-z]+$")


def _department_categories(j: Jurisdiction) -> set[str]:
    categories: set[str] = set()
    if j.department_id is None:
        return categories
    matters = Matter.objects.filter(district_id=j.district_id, department_id=j.department_id, is_active=True)
    for listed in matters.values_list("subject_categories", flat=True):
        categories.update(listed or ())
    return categories


def _scoped(j: Jurisdiction) -> QuerySet[Subject]:
    subjects = Subject.objects.filter(district_id=j.district_id)
    if j.is_district_wide:
        return subjects
    if j.is_street_scoped:
        return subjects.filter(street_id=j.street_id) if j.street_id is not None else subjects.none()
    if j.is_department_scoped:
        categories = _department_categories(j)
        if ALL_CATEGORIES in categories:
            return subjects
        return subjects.filter(category__in=sorted(categories)) if categories else subjects.none()
    if j.role == Role.BUSINESS_OWNER:
        return subjects.filter(owners__user_id=j.user_id)
    return subjects.none()


def _search(subjects: QuerySet[Subject], q: str) -> QuerySet[Subject]:
    """Name, address, USCC prefix, and — for ASCII input — pinyin: "zwg" or "zhiwei" finds 知味观."""
    match = Q(name__icontains=q) | Q(address__icontains=q)
    if _ASCII_ALNUM.match(q):
        match |= Q(uscc__startswith=q.upper()) | Q(plate_number__icontains=q.upper())
    if _ASCII_LETTERS.match(q):
        key = q.lower()
        # One or two letters match too much anywhere inside a key, so short input anchors at the start.
        match |= Q(name_initials__contains=key) if len(key) >= 2 else Q(name_initials__startswith=key)
        match |= Q(name_pinyin__contains=key) if len(key) >= 3 else Q(name_pinyin__startswith=key)
    return subjects.filter(match)


def subject_list(
    *,
    user: Any,
    q: str | None = None,
    street_id: int | None = None,
    kind: str | None = None,
    category: str | None = None,
) -> QuerySet[Subject]:
    subjects = _scoped(jurisdiction_of(user))
    if street_id is not None:
        subjects = subjects.filter(street_id=street_id)
    if kind:
        subjects = subjects.filter(kind=kind)
    if category:
        subjects = subjects.filter(category=category)
    if q and q.strip():
        subjects = _search(subjects, q.strip())
    return subjects.select_related("street", "zone", "grid").order_by("id")


def subject_get(*, user: Any, subject_id: int) -> Subject:
    subject = (
        _scoped(jurisdiction_of(user))
        .select_related("district", "street", "zone", "grid")
        .prefetch_related("licences")
        .filter(pk=subject_id)
        .first()
    )
    if subject is None:
        raise NotFound("执法对象不存在或不在您的管辖范围内", code="subject_not_found", details={"id": subject_id})
    return subject


def subject_matters(*, subject: Subject) -> list[Matter]:
    """The active enforcement matters that apply to the subject's category (or to every category), by code."""
    return list(matters_for_category(district_id=subject.district_id, category=subject.category))
