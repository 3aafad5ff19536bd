"""Every read of the enforcement-matter catalogue, scoped to the reader.

Matters are district-level reference data: the command centre, leaders, legal reviewers and every street
role read the whole district's catalogue (a street officer enforces all of it); a department liaison reads
only the matters their department answers for; a business owner reads the public catalogue — the active
matters, which APL 34 requires to be published with their discretion benchmarks.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from zhifa.catalog.models import HandlingPhrase, HandlingResultType, Matter
from zhifa.catalog.specs import ALL_CATEGORIES
from zhifa.core.errors import NotFound
from zhifa.org.jurisdiction import jurisdiction_of
from zhifa.org.roles import Role


def _scoped(user: object) -> QuerySet[Matter]:
    jurisdiction = jurisdiction_of(user)
    matters = Matter.objects.filter(district_id=jurisdiction.district_id)
    if jurisdiction.is_department_scoped:
        if jurisdiction.department_id is None:
            return matters.none()  # a liaison not yet attached to a department answers for nothing
        matters = matters.filter(department_id=jurisdiction.department_id)
    elif jurisdiction.role == Role.BUSINESS_OWNER:
        matters = matters.filter(is_active=True)
    return matters


def matter_list(
    *,
    user: object,
    q: str | None = None,
    domain: str | None = None,
    department_id: int | None = None,
    is_active: bool | None = None,
) -> QuerySet[Matter]:
    """The matters ``user`` may see, filtered; ``q`` matches code, name or classification keywords."""
    matters = _scoped(user).select_related("department")
    if q and q.strip():
        term = q.strip()
        matters = matters.filter(Q(code__icontains=term) | Q(name__icontains=term) | Q(keywords__icontains=term))
    if domain:
        matters = matters.filter(domain=domain)
    if department_id is not None:
        matters = matters.filter(department_id=department_id)
    if is_active is not None:
        matters = matters.filter(is_active=is_active)
    return matters.order_by("code")


def matter_get(*, user: object, matter_id: int) -> Matter:
    """One matter with its tiers and checklist; a matter outside the reader's scope does not exist for them."""
    matter = (
        _scoped(user)
        .select_related("department")
        .prefetch_related("discretion_levels", "checklist")
        .filter(pk=matter_id)
        .first()
    )
    if matter is None:
        raise NotFound("执法事项不存在或不在您的职责范围内", code="matter_not_found", details={"matter_id": matter_id})
    return matter


def matter_get_by_code(*, user: object, code: str) -> Matter:
    """A matter by its catalogue code (e.g. ``ZJ-YY-001``), as integrations and imports refer to it."""
    matter = (
        _scoped(user)
        .select_related("department")
        .prefetch_related("discretion_levels", "checklist")
        .filter(code=code.strip().upper())
        .first()
    )
    if matter is None:
        raise NotFound(f"执法事项编码 {code} 不存在", code="matter_code_unknown", details={"code": code})
    return matter


def matter_ids_by_category(*, district_id: int) -> dict[str, set[int]]:
    """For each subject category, the ids of the district's active matters that apply to it; ``"*"``
    holds the matters that apply to every category. One query, for callers that map many subjects.

    Why in Python: ``subject_categories`` is a JSON list, and a JSON "contains" lookup exists on
    PostgreSQL but not on SQLite (our embedded default). The catalogue of a district is a few hundred
    rows, so reading ``(id, categories)`` once and matching exactly in Python is cheap, exact, and behaves
    the same on both databases — unlike matching the JSON text with LIKE.
    """
    index: dict[str, set[int]] = {}
    rows = Matter.objects.filter(district_id=district_id, is_active=True).values_list("pk", "subject_categories")
    for pk, categories in rows:
        for category in categories or []:
            index.setdefault(category, set()).add(pk)
    return index


def matters_for_category(*, district_id: int, category: str) -> QuerySet[Matter]:
    """The district's active matters that apply to subjects of ``category`` (listed for it, or for "*").

    Used by the subjects app to derive each subject's matters. Two queries: the category index (see
    ``matter_ids_by_category`` for why it is built in Python) and the matters themselves.
    """
    index = matter_ids_by_category(district_id=district_id)
    ids = index.get(category, set()) | index.get(ALL_CATEGORIES, set())
    return Matter.objects.filter(pk__in=ids).select_related("department").order_by("code")


@dataclass(frozen=True)
class HandlingOptions:
    """What the phone's handle form offers for one event: result types and common phrases (常用语)."""

    result_types: list[HandlingResultType]
    phrases: list[HandlingPhrase]

    def result_type(self, code: str) -> HandlingResultType | None:
        return next((t for t in self.result_types if t.code == code), None)


def handling_options(*, district_id: int, matter_id: int | None) -> HandlingOptions:
    """The district's defaults followed by the matter's additions, each in its order. A matter's result type
    with a default's code takes that default's place (a matter may, say, require a photo for 责令整改 where
    the district does not). Reference data of an event the caller already reads in scope: not scoped again."""
    matter_q = Q(matter__isnull=True) | (Q(matter_id=matter_id) if matter_id is not None else Q(pk__in=[]))
    types = HandlingResultType.objects.filter(matter_q, district_id=district_id, is_active=True)
    defaults = [t for t in types if t.matter_id is None]
    own = {t.code: t for t in types if t.matter_id is not None}
    merged = [own.pop(t.code, t) for t in defaults] + list(own.values())
    phrases = HandlingPhrase.objects.filter(matter_q, district_id=district_id)
    ordered = sorted(phrases, key=lambda p: (p.matter_id is not None, p.position, p.pk))
    return HandlingOptions(result_types=merged, phrases=ordered)
