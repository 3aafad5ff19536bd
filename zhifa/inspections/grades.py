"""What the draw reads about a subject's credit and risk, and the default multipliers (LEGAL.md, ZJR 21).

Subjects carry no credit grade yet: the credit files come with issue 13, which sits above this app and may
not be imported from here. Until then ``credit_grade_of`` reads a ``credit_grade`` attribute if the subject has
one (a field issue 13 may add to ``Subject``, or an annotation a caller puts on the queryset) and treats a
missing or unknown grade as B — the neutral 1×, so nobody is inspected more or less for want of a record. Risk
colour likewise: ``risk_colour`` if present (red/yellow/green, issue 12 part 7), else none (1×).
"""

from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings

from zhifa.inspections.colours import current_colours

GRADES = ("A", "B", "C", "D")
DEFAULT_GRADE = "B"
# D is always in the plan (LEGAL.md: "D always in the year's plan").
MANDATORY_GRADE = "D"
COLOURS = ("red", "yellow", "green")
COLOUR_LABELS = {"red": "红", "yellow": "黄", "green": "绿", "": "—"}

# LEGAL.md defaults; a district overrides them in settings, a plan stores the ones it was made with.
DEFAULT_GRADE_WEIGHTS = {"A": 0.5, "B": 1.0, "C": 2.0, "D": 4.0}
# High risk (red) inspected more, low risk (green) less; no colour: 1×.
DEFAULT_COLOUR_WEIGHTS = {"red": 2.0, "yellow": 1.0, "green": 0.5}


def default_grade_weights() -> dict[str, float]:
    return dict(getattr(settings, "ZHIFA_INSPECTION_GRADE_WEIGHTS", DEFAULT_GRADE_WEIGHTS))


def default_colour_weights() -> dict[str, float]:
    return dict(getattr(settings, "ZHIFA_INSPECTION_COLOUR_WEIGHTS", DEFAULT_COLOUR_WEIGHTS))


# Issue 13: the credit app (above this one) hands its selector of current grades to this port at start-up
# (``CreditConfig.ready``): it takes the subjects and returns {subject id: grade} for those that have one.
type GradeSource = Callable[[Sequence[Any]], dict[int, str]]
_grade_source: list[GradeSource] = []


def grade_source_register(source: GradeSource) -> None:
    _grade_source[:] = [source]


def with_credit_grades[T](subjects: list[T]) -> list[T]:
    """Put each subject's current credit grade on it as ``credit_grade`` (what ``credit_grade_of`` reads), in one
    read through the registered source; a subject without a grade keeps none (B)."""
    if _grade_source and subjects:
        grades = _grade_source[0](subjects)
        for s in subjects:
            grade = grades.get(s.pk)  # type: ignore[attr-defined]
            if grade:
                s.credit_grade = grade  # type: ignore[attr-defined]
    return subjects


def with_risk_colours[T](subjects: list[T]) -> list[T]:
    """Put each subject's current three-colour (issue 12 part 7, ``colours.current_colours``) on it as
    ``risk_colour`` (what ``risk_colour_of`` reads), in one read; a subject without a colour keeps none (1×)."""
    if subjects:
        found = current_colours(s.pk for s in subjects)  # type: ignore[attr-defined]
        for s in subjects:
            colour = found.get(s.pk)  # type: ignore[attr-defined]
            if colour:
                s.risk_colour = colour  # type: ignore[attr-defined]
    return subjects


def credit_grade_of(subject: Any) -> str:
    value = str(getattr(subject, "credit_grade", "") or "").upper()
    return value if value in GRADES else DEFAULT_GRADE


def risk_colour_of(subject: Any) -> str:
    value = str(getattr(subject, "risk_colour", "") or "").lower()
    return value if value in COLOURS else ""


def subject_weight(
    *, grade: str, colour: str, grade_weights: dict[str, float], colour_weights: dict[str, float]
) -> float:
    """The subject's weight in the draw: its grade's multiplier times its colour's (1 without a colour)."""
    weight = float(grade_weights[grade])
    if colour:
        weight *= float(colour_weights.get(colour, 1.0))
    return weight


# Issue 13 part 4 (联合奖惩): the credit app records each measure it steers when the measure is applied here. This app
# cannot import it, so the credit app registers its recorder (``credit.measures.measures_record_from_port``) at
# start-up: ``sink(measure, rows, where, source_type, source_id)`` with rows of (subject, grade, detail).
type MeasureSink = Callable[[str, list[tuple[Any, str, dict[str, Any]]], str, str, int | None], None]
_measure_sink: list[MeasureSink] = []
# 无事不扰: the grade whose subjects routine (non-random) checks leave alone; the random draw still reaches them at
# their multiplier (ZJR 21), so "never inspected" is not what A means.
UNDISTURBED_GRADE = "A"


def measure_sink_register(sink: MeasureSink) -> None:
    _measure_sink[:] = [sink]


def measures_applied(
    measure: str,
    rows: list[tuple[Any, str, dict[str, Any]]],
    *,
    where: str,
    source_type: str = "",
    source_id: int | None = None,
) -> None:
    """Tell the credit app that ``measure`` was applied to these subjects here (no-op without a recorder)."""
    if _measure_sink and rows:
        _measure_sink[0](measure, rows, where, source_type, source_id)


def routine_check_subjects[T](
    subjects: list[T], *, where: str, source_type: str = "", source_id: int | None = None
) -> list[T]:
    """The subjects a routine, non-random check (a patrol round, a special check, a list of regular visits) may
    pick: every one but the A grades (无事不扰, issue 13 part 4), each left out recorded as the measure applied.
    Every place that picks subjects for a routine check goes through this; the random draw does not."""
    with_credit_grades(subjects)
    kept: list[T] = []
    left_out: list[tuple[Any, str, dict[str, Any]]] = []
    for s in subjects:
        if credit_grade_of(s) == UNDISTURBED_GRADE:
            left_out.append((s, UNDISTURBED_GRADE, {}))
        else:
            kept.append(s)
    measures_applied("no_disturbance", left_out, where=where, source_type=source_type, source_id=source_id)
    return kept
