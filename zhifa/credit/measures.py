"""联合奖惩 (issue 13 part 4): the measures attached to grades and lists, and the record of each application.

| measure | attached to | applied where |
|---|---|---|
| 抽查频次倍数 ``inspection_multiplier`` | every grade (A 0.5×, C 2×, D 4×; B 1× is no measure) | the 双随机 draw (``inspections.services.plan_draw``), one row per candidate off 1× |
| 无事不扰 ``no_disturbance`` | A | routine non-random checks: ``inspections.grades.routine_check_subjects`` leaves A out, one row per subject left out |
| 重点监管名单 ``key_supervision`` | D (ZJC 23: holders of negative information are key inspection targets) | on entering D at a grade recompute; the list page reads the current D grades |
| 绿色通道（容缺受理） ``fast_track`` | A | on entering A at a grade recompute; the business sees the flag on its home page |

Inspections sits below credit: it reports applications through the sink it defines (``grades.measure_sink_register``),
to which ``CreditConfig.ready`` hands ``measures_record_from_port``. Rows are append-only, written in the caller's
transaction, with one audit entry per batch (the rows are the record of each application).
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Max
from django.utils import timezone

from zhifa.core.actors import SystemActor
from zhifa.core.audit import audit_record
from zhifa.credit.models import CreditGrade, MeasureApplication, MeasureKind
from zhifa.org.jurisdiction import jurisdiction_of
from zhifa.org.roles import Role
from zhifa.subjects.models import Subject
from zhifa.subjects.selectors import subject_list

MEASURE_ACTOR = SystemActor("联合奖惩")
# The measures a grade carries from the moment a holder enters it (the multiplier and 无事不扰 are applied where
# inspections pick subjects, not at the grade).
ON_ENTERING = {"A": MeasureKind.FAST_TRACK, "D": MeasureKind.KEY_SUPERVISION}
GRADE_WHERE = "信用等级评定"


def measures_record(
    *,
    measure: str,
    rows: Iterable[tuple[Any, str, dict[str, Any]]],
    where: str,
    source_type: str = "",
    source_id: int | None = None,
    district_id: int | None = None,
) -> int:
    """Record ``measure`` applied to each (subject or holder key, grade, detail). Returns the rows written."""
    now = timezone.now()
    objs = []
    for who, grade, detail in rows:
        if isinstance(who, str):
            assert district_id is not None, "a holder key needs its district"
            subject_id, key, district = None, who, district_id
        else:
            subject_id, key, district = who.pk, who.uscc or who.id_number, who.district_id
        objs.append(
            MeasureApplication(
                district_id=district,
                measure=measure,
                subject_id=subject_id,
                holder_key=key,
                grade=grade,
                cause=f"grade:{grade}",
                where=where[:200],
                source_type=source_type,
                source_id=source_id,
                detail=detail,
                applied_at=now,
            )
        )
    if not objs:
        return 0
    MeasureApplication.objects.bulk_create(objs, batch_size=1000)
    audit_record(
        actor=MEASURE_ACTOR,
        action="credit.measures_apply",
        object_type="credit.measureapplication",
        object_id="*",
        district_id=objs[0].district_id,
        after={"measure": measure, "where": where, "source": [source_type, source_id], "count": len(objs)},
    )
    return len(objs)


def measures_record_from_port(
    measure: str, rows: list[tuple[Any, str, dict[str, Any]]], where: str, source_type: str, source_id: int | None
) -> None:
    """The recorder the inspections app calls (``grades.measures_applied``)."""
    measures_record(measure=MeasureKind(measure), rows=rows, where=where, source_type=source_type, source_id=source_id)


def grade_entry_measures(*, district_id: int, entered: list[tuple[str, str, str]]) -> int:
    """The measures of a grade, recorded when a holder enters it at a recompute: ``entered`` holds
    (holder key, old grade or "", new grade). Called by ``services.credit_grades_recompute`` in its transaction."""
    written = 0
    for grade, measure in ON_ENTERING.items():
        rows = [(key, grade, {"from": old}) for key, old, new in entered if new == grade and old != grade]
        written += measures_record(
            measure=measure, rows=rows, where=GRADE_WHERE, source_type="credit.creditgrade", district_id=district_id
        )
    return written


# --- reads ---------------------------------------------------------------------------------------------------------


def measures_for_holder(*, district_id: int, holder_key: str, limit: int = 50) -> list[MeasureApplication]:
    """The measures applied to a holder (any of its subjects), newest first — shown on the credit file."""
    if not holder_key:
        return []
    return list(
        MeasureApplication.objects.filter(district_id=district_id, holder_key=holder_key).order_by(
            "-applied_at", "-id"
        )[:limit]
    )


def has_fast_track(*, subject: Subject) -> bool:
    """A subject whose holder is A now gets the fast-track services (绿色通道、容缺受理)."""
    key = subject.uscc or subject.id_number
    return (
        bool(key)
        and CreditGrade.objects.filter(
            district_id=subject.district_id, holder_key=key, is_current=True, grade="A"
        ).exists()
    )


@dataclass
class KeySupervisionRow:
    subject: Subject
    grade: CreditGrade
    listed_at: dt.datetime | None


def key_supervision_list(*, user: Any) -> list[KeySupervisionRow]:
    """重点监管名单: the subjects in the reader's scope whose holder is D now, with the day the holder entered
    (the latest key-supervision measure). Staff only; a business gets nothing. A fixed number of queries."""
    j = jurisdiction_of(user)
    if j.role == Role.BUSINESS_OWNER:
        return []
    d_grades = CreditGrade.objects.filter(district_id=j.district_id, is_current=True, grade="D")
    grades = {g.holder_key: g for g in d_grades.select_related("model_version")}
    if not grades:
        return []
    # The holders as a subquery, not their keys: a district's D holders can outnumber a statement's parameters.
    keys = d_grades.values("holder_key")
    subjects = list(
        subject_list(user=user).filter(uscc__in=keys).select_related("street").order_by("street_id", "name")
    ) + list(
        subject_list(user=user)
        .filter(uscc="", id_number__in=keys)
        .select_related("street")
        .order_by("street_id", "name")
    )
    listed = dict(
        MeasureApplication.objects.filter(
            district_id=j.district_id, holder_key__in=keys, measure=MeasureKind.KEY_SUPERVISION
        )
        .values("holder_key")
        .annotate(at=Max("applied_at"))
        .values_list("holder_key", "at")
    )
    rows = []
    for s in subjects:
        key = s.uscc or s.id_number
        if key not in grades:
            continue  # graded D by a recompute that committed between the two reads: on the next reading
        rows.append(KeySupervisionRow(subject=s, grade=grades[key], listed_at=listed.get(key)))
    return rows
