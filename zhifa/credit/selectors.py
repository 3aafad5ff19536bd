"""Every read of the credit app, scoped as the subject pages are (``subjects.selectors.subject_get``): a business
owner reads the files of its own subjects only; a subject out of the reader's scope is not found."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from zhifa.core.batches import batches
from zhifa.credit.models import CreditEntry, CreditGrade, CreditModelVersion
from zhifa.org.jurisdiction import jurisdiction_of
from zhifa.org.roles import Role
from zhifa.subjects.models import Subject
from zhifa.subjects.selectors import subject_get

HISTORY_ROWS = 50


def current_grades_for_subjects(subjects: Sequence[Any]) -> dict[int, str]:
    """The current grade of each subject that has one, by subject id — what the inspections draw reads
    (``zhifa.inspections.grades``; a subject missing here counts as B there). A query per ``batches`` of
    holders: a draw weighs every eligible subject of the district, more than a statement takes parameters."""
    keys: dict[str, list[int]] = {}
    districts = set()
    for s in subjects:
        key = s.uscc or s.id_number
        if key:
            keys.setdefault(key, []).append(s.pk)
            districts.add(s.district_id)
    if not keys:
        return {}
    grades: dict[int, str] = {}
    current = CreditGrade.objects.filter(district_id__in=districts, is_current=True)
    for chunk in batches(keys):
        for key, grade in current.filter(holder_key__in=chunk).values_list("holder_key", "grade"):
            for subject_id in keys[key]:
                grades[subject_id] = grade
    return grades


@dataclass
class CreditFile:
    subject: Subject
    holder_key: str
    on: dt.date
    shown: list[CreditEntry] = field(default_factory=list)
    grade: CreditGrade | None = None
    history: list[CreditGrade] = field(default_factory=list)
    entries_by_id: dict[int, CreditEntry] = field(default_factory=dict)

    @property
    def negative(self) -> list[CreditEntry]:
        return [e for e in self.shown if e.category == "negative"]

    @property
    def positive(self) -> list[CreditEntry]:
        return [e for e in self.shown if e.category == "positive"]


def credit_file(*, user: Any, subject_id: int, on: dt.date | None = None) -> CreditFile:
    """A subject's file on day ``on``: the entries shown that day (expired ones are no longer shown, ZJC 16),
    the current grade with its explanation, and the grade history, newest first."""
    subject = subject_get(user=user, subject_id=subject_id)
    on = on or timezone.localdate()
    key = subject.uscc or subject.id_number
    result = CreditFile(subject=subject, holder_key=key, on=on)
    if not key:
        return result
    result.shown = list(
        CreditEntry.objects.filter(
            district_id=subject.district_id, holder_key=key, occurred_on__lte=on, expires_on__gt=on
        ).order_by("-occurred_on", "-id")
    )
    result.entries_by_id = {e.pk: e for e in result.shown}
    grades = CreditGrade.objects.filter(district_id=subject.district_id, holder_key=key).select_related("model_version")
    result.history = list(grades.order_by("-computed_at", "-id")[:HISTORY_ROWS])
    result.grade = next((g for g in result.history if g.is_current), None)
    return result


def credit_model_versions(*, user: Any) -> list[CreditModelVersion]:
    """The district's scoring model versions, newest (the current one) first; staff only."""
    j = jurisdiction_of(user)
    if j.role == Role.BUSINESS_OWNER:
        return []
    return list(
        CreditModelVersion.objects.filter(district_id=j.district_id).select_related("created_by").order_by("-number")
    )
