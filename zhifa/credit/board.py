"""大综点评 (issue 13 part 8): the public ranking of catering businesses, street by street, refreshed daily.

Each active catering subject gets four parts, each 0–100, from the records of the window before the ranking day:

| part | from | formula |
|---|---|---|
| 检查结果 ``inspection`` | findings (隐患) of its signed inspection records in the last 365 days | 100 − 10 × 一般 − 20 × 较大 − 40 × 重大, at least 0 |
| 整改落实 ``rectification`` | its penalty decisions of the last 365 days that are paid/closed (complied) or in enforcement (not) | 100 × complied ÷ (complied + not); 100 with none |
| 投诉情况 ``complaints`` | events (complaints, reports) of the last 90 days within 50 m of it on a matter that applies to catering; merged, rejected, returned and sent-back events do not count | 100 − 20 × count, at least 0 |
| 信用等级 ``credit`` | its holder's current credit score | the score; the model's base score without a grade |

score = Σ weight × part (default weights 0.3 / 0.2 / 0.2 / 0.3, ``settings.ZHIFA_CREDIT_BOARD_WEIGHTS``; published on the
page with every run). Within a street: highest score first, then higher credit score, then the subject's id (the
older registration) — so every position is decided. One run per district and day (``BoardRun``); the positions of
every day are kept (``BoardPosition``), which is each business's position history.
"""

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from zhifa.cases.models import Case, CaseStatus, Conclusion
from zhifa.catalog.models import Matter, SubjectCategory
from zhifa.catalog.specs import ALL_CATEGORIES
from zhifa.core.actors import SystemActor
from zhifa.core.audit import audit_record
from zhifa.core.errors import NotFound, ValidationFailed
from zhifa.credit.models import BoardPosition, BoardRun, CreditGrade
from zhifa.credit.services import credit_model_current
from zhifa.events.complaints import complaints_near
from zhifa.inspections.models import FindingSeverity, InspectionFinding
from zhifa.inspections.publication import mask_subject_name
from zhifa.inspections.states import VisitStatus
from zhifa.org.models import Street
from zhifa.subjects.models import Subject

BOARD_ACTOR = SystemActor("大综点评")
PARTS = ("inspection", "rectification", "complaints", "credit")
PART_LABELS = {"inspection": "检查结果", "rectification": "整改落实", "complaints": "投诉情况", "credit": "信用等级"}
DEFAULT_WEIGHTS = {"inspection": 0.3, "rectification": 0.2, "complaints": 0.2, "credit": 0.3}
WINDOW_DAYS = 365
COMPLAINT_DAYS = 90
COMPLAINT_RADIUS_M = 50.0
FINDING_POINTS = {FindingSeverity.GENERAL: 10, FindingSeverity.MAJOR: 20, FindingSeverity.SERIOUS: 40}
COMPLAINT_POINTS = 20
COMPLIED = (CaseStatus.PAID, CaseStatus.CLOSED)


def board_weights() -> dict[str, float]:
    """The weights in force: the settings' (checked: the four parts, none negative, summing to 1) or the defaults."""
    raw = dict(getattr(settings, "ZHIFA_CREDIT_BOARD_WEIGHTS", DEFAULT_WEIGHTS))
    try:
        weights = {p: float(raw[p]) for p in PARTS}
    except (KeyError, TypeError, ValueError):
        raise ValidationFailed("大综点评权重须给出四个分项的数值", code="credit_board_weights_invalid") from None
    if set(raw) != set(PARTS) or any(not math.isfinite(w) or w < 0 for w in weights.values()):
        raise ValidationFailed("大综点评权重须给出四个分项的非负数值", code="credit_board_weights_invalid")
    if abs(sum(weights.values()) - 1.0) > 1e-9:
        raise ValidationFailed("大综点评权重之和须为 1", code="credit_board_weights_invalid")
    return weights


def _catering_matter_ids(district_id: int) -> set[int]:
    return {
        pk
        for pk, categories in Matter.objects.filter(district_id=district_id).values_list("pk", "subject_categories")
        if ALL_CATEGORIES in (categories or ()) or SubjectCategory.CATERING in (categories or ())
    }


def _complaint_counts(district_id: int, subjects: list[Subject], on: dt.date) -> dict[int, int]:
    """Events on a catering matter within the radius of each subject (``zhifa.events.complaints``)."""
    found = complaints_near(
        district_id=district_id,
        points={s.pk: (s.lon, s.lat) for s in subjects},
        since=on - dt.timedelta(days=COMPLAINT_DAYS),
        until=on,
        radius_m=COMPLAINT_RADIUS_M,
        matter_ids=_catering_matter_ids(district_id),
    )
    return {pk: len(ids) for pk, ids in found.items()}


def board_compute(*, district_id: int, on: dt.date, weights: dict[str, float]) -> list[dict[str, Any]]:
    """Every active catering subject's parts, score and position in its street on day ``on`` (pure reads)."""
    catering = Subject.objects.filter(district_id=district_id, category=SubjectCategory.CATERING, is_active=True)
    subjects = list(catering.order_by("pk"))
    if not subjects:
        return []
    # A subquery, not the ids: a district's subjects can outnumber a statement's parameters.
    ids = catering.values("pk")
    since = on - dt.timedelta(days=WINDOW_DAYS)
    findings: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for subject_id, severity in InspectionFinding.objects.filter(
        inspection__subject_id__in=ids,
        inspection__status=VisitStatus.SIGNED,
        recorded_at__date__gte=since,
        recorded_at__date__lt=on,
    ).values_list("inspection__subject_id", "severity"):
        findings[subject_id][severity] += 1
    complied: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for subject_id, status in Case.objects.filter(
        subject_id__in=ids,
        conclusion=Conclusion.PENALTY,
        decided_on__gte=since,
        decided_on__lt=on,
        status__in=(*COMPLIED, CaseStatus.ENFORCEMENT),
    ).values_list("subject_id", "status"):
        complied[subject_id][0 if status in COMPLIED else 1] += 1
    complaints = _complaint_counts(district_id, subjects, on)
    base = credit_model_current(district_id=district_id).base_score
    scores = dict(
        CreditGrade.objects.filter(district_id=district_id, is_current=True).values_list("holder_key", "score")
    )
    rows: list[dict[str, Any]] = []
    for s in subjects:
        f = findings.get(s.pk, {})
        done, not_done = complied.get(s.pk, [0, 0])
        key = s.uscc or s.id_number
        parts = {
            "inspection": max(0.0, 100.0 - sum(FINDING_POINTS[FindingSeverity(k)] * n for k, n in f.items())),
            "rectification": round(100.0 * done / (done + not_done), 2) if done + not_done else 100.0,
            "complaints": max(0.0, 100.0 - COMPLAINT_POINTS * complaints[s.pk]),
            "credit": float(scores.get(key, base)) if key else float(base),
        }
        counts = {
            "findings": {str(k): n for k, n in f.items()},
            "complied": done,
            "not_complied": not_done,
            "complaints": complaints[s.pk],
        }
        score = round(sum(weights[p] * parts[p] for p in PARTS), 2)
        rows.append({"subject": s, "parts": parts, "counts": counts, "score": score})
    by_street: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_street[row["subject"].street_id].append(row)
    for street_rows in by_street.values():
        street_rows.sort(key=lambda r: (-r["score"], -r["parts"]["credit"], r["subject"].pk))
        for position, row in enumerate(street_rows, start=1):
            row["position"] = position
    return rows


def board_refresh(*, district_id: int, on: dt.date | None = None) -> BoardRun:
    """The district's ranking for day ``on`` (today by default), once: a second call that day returns the run
    already made (the unique constraint decides between two at once). One audit entry per run."""
    on = on or timezone.localdate()
    existing = BoardRun.objects.filter(district_id=district_id, on=on).first()
    if existing is not None:
        return existing
    weights = board_weights()
    rows = board_compute(district_id=district_id, on=on, weights=weights)
    try:
        with transaction.atomic():
            run = BoardRun.objects.create(
                district_id=district_id, on=on, weights=weights, window_days=WINDOW_DAYS, computed_at=timezone.now()
            )
            BoardPosition.objects.bulk_create(
                [
                    BoardPosition(
                        run=run,
                        subject=r["subject"],
                        street_id=r["subject"].street_id,
                        on=on,
                        position=r["position"],
                        score=r["score"],
                        parts=r["parts"],
                        counts=r["counts"],
                    )
                    for r in rows
                ],
                batch_size=1000,
            )
            audit_record(
                actor=BOARD_ACTOR,
                action="credit.board_refresh",
                obj=run,
                after={"on": on.isoformat(), "weights": weights, "positions": len(rows)},
            )
    except IntegrityError:
        return BoardRun.objects.get(district_id=district_id, on=on)
    return run


# --- public reads (names masked) -------------------------------------------------------------------------------------


@dataclass
class PublicRow:
    subject_id: int
    position: int
    name: str
    score: float
    parts: dict[str, float]
    change: int | None  # places gained since the run before (positive: up), None if not ranked then


@dataclass
class PublicBoard:
    run: BoardRun | None
    streets: list[Street]
    street: Street | None
    rows: list[PublicRow]
    weights: list[tuple[str, float]]


def board_public(*, street_id: int | None = None) -> PublicBoard:
    """The latest run's board of one street (the first street with positions, by default): masked names, the parts,
    the change since the run before, the weights. Anyone may read it. Six queries, whatever the number of rows."""
    run = BoardRun.objects.order_by("-on", "-id").select_related("district").first()
    if run is None:
        return PublicBoard(None, [], None, [], [])
    street_ids = set(BoardPosition.objects.filter(run=run).values_list("street_id", flat=True))
    streets = list(Street.objects.filter(pk__in=street_ids).order_by("pk"))
    if street_id is None:
        street = streets[0] if streets else None
    else:
        street = next((s for s in streets if s.pk == street_id), None)
        if street is None:
            raise NotFound("该街道没有排名", code="credit_board_street_not_found")
    weights = [(PART_LABELS[p], float(run.weights[p])) for p in PARTS]
    if street is None:
        return PublicBoard(run, streets, None, [], weights)
    positions = list(
        BoardPosition.objects.filter(run=run, street=street).select_related("subject").order_by("position")
    )
    previous_run = BoardRun.objects.filter(district_id=run.district_id, on__lt=run.on).order_by("-on").first()
    before = (
        dict(BoardPosition.objects.filter(run=previous_run, street=street).values_list("subject_id", "position"))
        if previous_run is not None
        else {}
    )
    rows = [
        PublicRow(
            subject_id=p.subject_id,
            position=p.position,
            name=mask_subject_name(p.subject.name, kind=p.subject.kind),
            score=p.score,
            parts={PART_LABELS[k]: p.parts[k] for k in PARTS},
            change=(before[p.subject_id] - p.position) if p.subject_id in before else None,
        )
        for p in positions
    ]
    return PublicBoard(run, streets, street, rows, weights)


@dataclass
class PublicHistory:
    subject_id: int
    name: str
    street: str
    positions: list[BoardPosition]


def board_history(*, subject_id: int, limit: int = 365) -> PublicHistory:
    """A catering business's position on its street's board, day by day, newest first (masked name)."""
    subject = Subject.objects.filter(pk=subject_id, category=SubjectCategory.CATERING).select_related("street").first()
    if subject is None or not BoardPosition.objects.filter(subject=subject).exists():
        raise NotFound("该主体不在大综点评排名中", code="credit_board_subject_not_found")
    positions = list(
        BoardPosition.objects.filter(subject=subject).select_related("street").order_by("-on", "-id")[:limit]
    )
    return PublicHistory(
        subject_id=subject.pk,
        name=mask_subject_name(subject.name, kind=subject.kind),
        street=subject.street.name,
        positions=positions,
    )
