"""三色管理 (issue 12 part 7): a subject's risk colour — 红 red, 黄 yellow, 绿 green — from an explainable score over a
rolling window (default 90 days) before the day it is computed:

| row | from | default points |
|---|---|---|
| 一般/较大/重大隐患 ``finding_general/major/serious`` | findings of its signed visits recorded in the window | 2 / 5 / 10 each |
| 按期整改 ``rectified_on_time`` | its orders confirmed rectified by the deadline, closed in the window | 0 each |
| 逾期整改 ``rectified_late`` | its orders confirmed rectified after the deadline, closed in the window | 3 each |
| 移送立案 ``escalated`` | its orders escalated to a case lead in the window | 6 each |
| 逾期未整改 ``overdue_open`` | its open orders whose deadline has passed | 4 each |
| 投诉 ``complaint`` | events reported in the window within 50 m of it (``zhifa.events.complaints``, as the credit board counts them) or naming it in their description (a name of 4 characters or more) | 2 each |
| 案件 ``case`` | case leads about it registered in the window (not 不予立案, not 撤案), read through the cases app's port | 8 each |

score = Σ count × points; red when score ≥ thresholds["red"] (20), yellow when ≥ thresholds["yellow"] (8), else
green. The window, the points and the thresholds are a district's ``ColourModelVersion`` (the newest is in force;
version 1 is written from ``settings.ZHIFA_COLOUR_MODEL`` or the defaults the first time it is needed); every colour
names its version and keeps the rows that made it (``explanation``), so a colour can always be explained.

A subject's colour is recomputed on every record that moves it — a visit signed (its findings), an order issued,
closed or escalated, a case lead registered — and nightly (``manage.py colours_refresh``, run by make run's scheduler) for the window's
passing. A new ``SubjectColour`` row is written only when the colour or the score changes: the rows are the history.
"""

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.signals import post_save
from django.utils import timezone

from zhifa.catalog.models import SubjectCategory
from zhifa.core.actors import SystemActor
from zhifa.core.audit import audit_record
from zhifa.core.batches import batches
from zhifa.core.errors import ValidationFailed
from zhifa.events.complaints import NOT_COMPLAINTS, complaints_near
from zhifa.events.models import Event
from zhifa.inspections.models import (
    ColourModelVersion,
    FindingSeverity,
    InspectionFinding,
    JointInspection,
    RectificationOrder,
    SubjectColour,
)
from zhifa.inspections.states import RECTIFICATION_OPEN, RectificationStatus, VisitStatus
from zhifa.subjects.models import Subject

COLOUR_ACTOR = SystemActor("三色管理")
RED, YELLOW, GREEN = "red", "yellow", "green"
COLOUR_LABELS = {RED: "红", YELLOW: "黄", GREEN: "绿"}
ROWS: dict[str, str] = {
    "finding_general": "一般隐患",
    "finding_major": "较大隐患",
    "finding_serious": "重大隐患",
    "rectified_on_time": "按期整改",
    "rectified_late": "逾期整改",
    "escalated": "移送立案",
    "overdue_open": "逾期未整改",
    "complaint": "投诉",
    "case": "案件",
}
DEFAULT_MODEL: dict[str, Any] = {
    "window_days": 90,
    "weights": {
        "finding_general": 2,
        "finding_major": 5,
        "finding_serious": 10,
        "rectified_on_time": 0,
        "rectified_late": 3,
        "escalated": 6,
        "overdue_open": 4,
        "complaint": 2,
        "case": 8,
    },
    "thresholds": {RED: 20, YELLOW: 8},
}
COMPLAINT_RADIUS_M = 50.0
NAME_MIN = 4
# Categories coloured nightly even without a record (the sites the alliance is about); others once they have one.
DEFAULT_CATEGORIES = (SubjectCategory.CONSTRUCTION_SITE,)
ALLIANCE_CATEGORY = SubjectCategory.CONSTRUCTION_SITE


# --- the cases app's port: case leads about subjects (the cases app sits above this one) ------------------------

# ``source(subject ids, since, until) -> {subject id: [(case id, number, registered on)]}``
type CaseSource = Callable[[Sequence[int], dt.date, dt.date], dict[int, list[tuple[int, str, dt.date]]]]
_case_source: list[CaseSource] = []


def case_source_register(source: CaseSource) -> None:
    _case_source[:] = [source]


# --- the model ----------------------------------------------------------------------------------------------------


def model_parse(raw: dict[str, Any]) -> dict[str, Any]:
    """Check a model: a window of 1–730 days, a non-negative finite number for every row, 0 < yellow ≤ red."""
    try:
        window = int(raw["window_days"])
        weights = {k: float(raw["weights"][k]) for k in ROWS}
        thresholds = {RED: float(raw["thresholds"][RED]), YELLOW: float(raw["thresholds"][YELLOW])}
    except (KeyError, TypeError, ValueError):
        raise ValidationFailed(
            "三色模型须给出窗口天数、各类记录分值和红黄分数线", code="colour_model_invalid"
        ) from None
    if not 1 <= window <= 730:
        raise ValidationFailed("统计窗口须在 1 至 730 天之间", code="colour_model_invalid")
    if any(not math.isfinite(w) or w < 0 for w in weights.values()):
        raise ValidationFailed("各类记录分值须为非负数", code="colour_model_invalid")
    if not 0 < thresholds[YELLOW] <= thresholds[RED]:
        raise ValidationFailed("黄色分数线须大于 0 且不高于红色分数线", code="colour_model_invalid")
    return {"window_days": window, "weights": weights, "thresholds": thresholds}


def colour_model_current(*, district_id: int) -> ColourModelVersion:
    version = ColourModelVersion.objects.filter(district_id=district_id).order_by("-number").first()
    if version is not None:
        return version
    model = model_parse(dict(getattr(settings, "ZHIFA_COLOUR_MODEL", DEFAULT_MODEL)))
    try:
        with transaction.atomic():
            return colour_model_write(
                district_id=district_id, model=model, note="默认模型", created_by=COLOUR_ACTOR.name
            )
    except IntegrityError:
        return ColourModelVersion.objects.get(district_id=district_id, number=1)


def colour_model_write(*, district_id: int, model: dict[str, Any], note: str, created_by: str) -> ColourModelVersion:
    """A new version of the district's model (the newest is in force); audited."""
    model = model_parse(model)
    last = ColourModelVersion.objects.filter(district_id=district_id).order_by("-number").first()
    version = ColourModelVersion.objects.create(
        district_id=district_id,
        number=(last.number + 1) if last else 1,
        window_days=model["window_days"],
        weights=model["weights"],
        thresholds=model["thresholds"],
        note=note[:300],
        created_by=created_by[:150],
    )
    audit_record(actor=COLOUR_ACTOR, action="colour.model", obj=version, after=model)
    return version


def colour_of(score: float, thresholds: dict[str, Any]) -> str:
    if score >= float(thresholds[RED]):
        return RED
    if score >= float(thresholds[YELLOW]):
        return YELLOW
    return GREEN


# --- computing ----------------------------------------------------------------------------------------------------


def _records(subjects: Sequence[Subject], *, since: dt.date, on: dt.date) -> dict[int, dict[str, list[dict[str, Any]]]]:
    """Every record of the window [since, on] (both days included) per subject and row: [{type, id, text, on}], in
    a few grouped reads. An order is overdue on ``on`` when its deadline is before it."""
    until = on + dt.timedelta(days=1)
    ids = [s.pk for s in subjects]
    rows: dict[int, dict[str, list[dict[str, Any]]]] = {s.pk: defaultdict(list) for s in subjects}
    findings = InspectionFinding.objects.filter(
        inspection__subject_id__in=ids,
        inspection__status=VisitStatus.SIGNED,
        recorded_at__date__gte=since,
        recorded_at__date__lt=until,
    ).values_list("pk", "inspection__subject_id", "severity", "description", "recorded_at")
    for pk, subject_id, severity, text, at in findings.order_by("recorded_at", "pk"):
        label = FindingSeverity(severity).label
        rows[subject_id][f"finding_{severity}"].append(
            {"type": "finding", "id": pk, "text": f"{label}隐患：{text}", "on": timezone.localdate(at).isoformat()}
        )
    orders = RectificationOrder.objects.filter(subject_id__in=ids).filter(
        Q(closed_at__date__gte=since, closed_at__date__lt=until) | Q(status__in=RECTIFICATION_OPEN, deadline__lt=on)
    )
    for o in orders.order_by("deadline", "pk"):
        base = {"type": "rectification", "id": o.pk, "on": o.deadline.isoformat()}
        if o.status == RectificationStatus.RECTIFIED and o.closed_at is not None:
            row = "rectified_on_time" if o.on_time else "rectified_late"
            rows[o.subject_id][row].append({**base, "text": f"整改通知{o.pk}，期限{o.deadline:%Y-%m-%d}"})
        elif o.status == RectificationStatus.ESCALATED:
            rows[o.subject_id]["escalated"].append({**base, "text": f"整改通知{o.pk}移送立案：{o.escalation_reason}"})
        elif o.status in RECTIFICATION_OPEN:
            rows[o.subject_id]["overdue_open"].append({**base, "text": f"整改通知{o.pk}逾期未整改"})
    district_id = subjects[0].district_id
    near = complaints_near(
        district_id=district_id,
        points={s.pk: (s.lon, s.lat) for s in subjects},
        since=since,
        until=until,
        radius_m=COMPLAINT_RADIUS_M,
    )
    # The window's complaints, read once: those near (above) and those naming a subject are both taken from here.
    window = {
        pk: (public_no, at, description)
        for pk, public_no, at, description in Event.objects.filter(
            district_id=district_id, reported_at__date__gte=since, reported_at__date__lt=until
        )
        .exclude(status__in=NOT_COMPLAINTS)
        .values_list("pk", "public_no", "reported_at", "description")
    }
    for s in subjects:
        event_ids = set(near.get(s.pk, ()))
        if len(s.name) >= NAME_MIN:
            event_ids.update(pk for pk, (_no, _at, text) in window.items() if s.name in text)
        for pk in sorted(event_ids, key=lambda k: (window[k][1], k)):
            public_no, at, _text = window[pk]
            rows[s.pk]["complaint"].append(
                {"type": "event", "id": pk, "text": f"事件{public_no}", "on": timezone.localdate(at).isoformat()}
            )
    if _case_source:
        for subject_id, cases in _case_source[0](ids, since, until).items():
            for pk, number, day in cases:
                rows[subject_id]["case"].append(
                    {"type": "case", "id": pk, "text": f"案件{number}", "on": day.isoformat()}
                )
    return rows


def colour_compute(
    subjects: Sequence[Subject], *, version: ColourModelVersion, on: dt.date
) -> dict[int, tuple[str, float, dict[str, Any]]]:
    """{subject id: (colour, score, explanation)} at the end of day ``on``: the window is the ``window_days`` days
    ending with ``on`` (pure reads)."""
    if not subjects:
        return {}
    since = on - dt.timedelta(days=version.window_days - 1)
    records = _records(subjects, since=since, on=on)
    out: dict[int, tuple[str, float, dict[str, Any]]] = {}
    for s in subjects:
        lines = []
        score = 0.0
        for key, label in ROWS.items():
            found = records[s.pk].get(key, [])
            each = float(version.weights.get(key, 0))
            points = each * len(found)
            score += points
            if found:
                lines.append(
                    {"row": key, "label": label, "count": len(found), "each": each, "points": points, "records": found}
                )
        colour = colour_of(score, version.thresholds)
        out[s.pk] = (
            colour,
            score,
            {
                "since": since.isoformat(),
                "until": on.isoformat(),  # included
                "window_days": version.window_days,
                "model_version": version.number,
                "thresholds": version.thresholds,
                "rows": lines,
            },
        )
    return out


def _write(
    subject: Subject, result: tuple[str, float, dict[str, Any]], *, version: ColourModelVersion, trigger: str
) -> SubjectColour | None:
    colour, score, explanation = result
    current = SubjectColour.objects.select_for_update().filter(subject=subject, is_current=True).first()
    if current is not None and current.colour == colour and current.score == score:
        return None
    now = timezone.now()
    if current is not None:
        current.is_current = False
        current.save(update_fields=["is_current"])
    row = SubjectColour.objects.create(
        district_id=subject.district_id,
        subject=subject,
        colour=colour,
        previous_colour=current.colour if current else "",
        score=score,
        explanation=explanation,
        model_version=version,
        trigger=trigger[:100],
        computed_at=now,
    )
    audit_record(
        actor=COLOUR_ACTOR,
        action="colour.change",
        obj=row,
        before={"colour": current.colour, "score": current.score} if current else None,
        after={"colour": colour, "score": score, "trigger": trigger[:100]},
    )
    return row


def colour_recompute(*, subject_id: int, trigger: str, on: dt.date | None = None) -> SubjectColour | None:
    """Recompute one subject's colour now (inside the caller's transaction); a new row when it changed."""
    subject = Subject.objects.get(pk=subject_id)
    version = colour_model_current(district_id=subject.district_id)
    day = on or timezone.localdate()
    with transaction.atomic():
        return _write(
            subject, colour_compute([subject], version=version, on=day)[subject.pk], version=version, trigger=trigger
        )


def colours_refresh(*, district_id: int, on: dt.date | None = None, categories: Iterable[str] | None = None) -> int:
    """Nightly: the district's subjects of the coloured categories, every subject with a record in the window and
    every subject with a colour. Returns how many colours changed."""
    version = colour_model_current(district_id=district_id)
    day = on or timezone.localdate()
    since = day - dt.timedelta(days=version.window_days - 1)
    cats = list(
        categories if categories is not None else getattr(settings, "ZHIFA_COLOUR_CATEGORIES", DEFAULT_CATEGORIES)
    )
    ids = set(
        Subject.objects.filter(district_id=district_id, is_active=True, category__in=cats).values_list("pk", flat=True)
    )
    ids |= set(
        SubjectColour.objects.filter(district_id=district_id, is_current=True).values_list("subject_id", flat=True)
    )
    ids |= set(
        InspectionFinding.objects.filter(inspection__district_id=district_id, recorded_at__date__gte=since).values_list(
            "inspection__subject_id", flat=True
        )
    )
    ids |= set(
        RectificationOrder.objects.filter(district_id=district_id)
        .filter(Q(closed_at__date__gte=since) | Q(status__in=RECTIFICATION_OPEN))
        .values_list("subject_id", flat=True)
    )
    changed = 0
    # In batches, not one IN: the district's subjects can outnumber a statement's parameters. The ids sorted, each
    # batch read in pk order: the subjects come out in pk order as one read would give them.
    subjects = [s for chunk in batches(sorted(ids)) for s in Subject.objects.filter(pk__in=chunk).order_by("pk")]
    for start in range(0, len(subjects), 500):
        chunk = subjects[start : start + 500]
        results = colour_compute(chunk, version=version, on=day)
        with transaction.atomic():
            for s in chunk:
                if _write(s, results[s.pk], version=version, trigger="每日重算") is not None:
                    changed += 1
    return changed


def _recolour_on_signed(sender: Any, instance: JointInspection, **kwargs: Any) -> None:
    """A visit saved as signed: its findings now count for its subject's colour (after the commit)."""
    if instance.status == VisitStatus.SIGNED:
        subject_id, visit_id = instance.subject_id, instance.pk
        # robust: the visit is signed whatever happens here; a failure is logged and the nightly run catches up.
        transaction.on_commit(
            lambda: colour_recompute(subject_id=subject_id, trigger=f"综合检查 {visit_id} 签署"), robust=True
        )


def register() -> None:
    """Connected at start-up (``InspectionsConfig.ready``): the visit services are another slice's and say nothing
    about colours, so the signing is heard as a ``post_save`` of the visit."""
    post_save.connect(_recolour_on_signed, sender=JointInspection, dispatch_uid="inspections_recolour_on_signed")


def current_colours(subject_ids: Iterable[int]) -> dict[int, str]:
    """{subject id: current colour} for those that have one (the draw's port reads this). In batches: a draw
    weighs every eligible subject of the district, more than a statement takes parameters."""
    current = SubjectColour.objects.filter(is_current=True)
    return {
        subject_id: colour
        for chunk in batches(subject_ids)
        for subject_id, colour in current.filter(subject_id__in=chunk).values_list("subject_id", "colour")
    }
