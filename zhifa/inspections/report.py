"""检查报告 (issue 12 part 8): for a street (or the whole district), a period and optionally one subject category,
the figures of the joint inspections and the paragraph the article prints, computed from the records (reads only).

Every figure is defined on records, and every figure keeps the ids of the records behind it (``records``):

| figure | records |
|---|---|
| 联合检查 ``visits`` | joint inspections signed (``signed_at``) in the period, of the scope's subjects |
| 发现问题 ``findings`` | the findings (隐患) of those visits, by severity |
| 整改 ``rectified`` | the rectification orders of those findings confirmed rectified (已整改), as of the moment of reading |
| 立案 ``cases`` | the orders of those findings handed to the cases app as a case lead (``case_id`` set), but a lead the cases app later refused (不予立案) or withdrew (撤案), as the three colours count cases — told by the caller's ``cases_not_counted`` (the cases app sits above this one) |
| 颜色变化 ``colour`` | the scope's subjects whose colour (``SubjectColour`` history) at the period's end differs from the one at its start |
| 投诉 ``complaints`` | public-channel events (12345 hotline, Open311) within 50 m of a subject inspected in the period, this period against the previous period of the same length |
| 高频问题 ``trend`` | the findings per checklist matter (the item's matter; 清单外 without an item) per week of the period |

Complaints are counted as the three colours count them (``zhifa.events.complaints.complaints_near`` with
``colours.COMPLAINT_RADIUS_M``: merged, rejected, returned and sent-back events do not count), restricted to the
public channels, over the same subjects in both periods (those inspected in this one). change = (this − previous)
/ previous, rounded to a whole percent; none when the previous period had none.

Dates are local (Asia/Shanghai) calendar days, both ends included.
"""

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from zhifa.catalog.models import SubjectCategory
from zhifa.core.batches import batches
from zhifa.events.complaints import complaints_near
from zhifa.events.models import Event
from zhifa.events.states import EventSource
from zhifa.inspections.colours import COLOUR_LABELS, COMPLAINT_RADIUS_M
from zhifa.inspections.models import (
    FindingSeverity,
    InspectionFinding,
    JointInspection,
    RectificationOrder,
    SubjectColour,
)
from zhifa.inspections.states import RectificationStatus, VisitStatus
from zhifa.subjects.models import Subject

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
# The channels the public complains through: the 12345 hotline and citizens' reports (Open311).
PUBLIC_SOURCES = (EventSource.HOTLINE, EventSource.OPEN311)
# How many matters the trend chart draws by name; the rest are summed as 其他.
TREND_TOP = 5
OFF_CHECKLIST = "none"
OTHER = "other"
FIGURES = {
    "visits": "联合检查",
    "findings": "发现问题",
    "rectified": "已整改",
    "cases": "移送立案",
    "colour": "颜色变化",
    "complaints": "投诉",
    "trend": "高频问题",
}


@dataclass(frozen=True)
class ReportScope:
    district_id: int
    date_from: dt.date
    date_to: dt.date
    street_id: int | None = None
    category: str = ""

    @property
    def starts_at(self) -> dt.datetime:
        return dt.datetime.combine(self.date_from, dt.time(0, 0), tzinfo=LOCAL_TZ)

    @property
    def ends_at(self) -> dt.datetime:
        """The first instant after the period."""
        return dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time(0, 0), tzinfo=LOCAL_TZ)

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    @property
    def previous(self) -> tuple[dt.date, dt.date]:
        """The previous period of the same length, ending the day before this one starts."""
        end = self.date_from - dt.timedelta(days=1)
        return end - dt.timedelta(days=self.days - 1), end


@dataclass
class Trend:
    weeks: list[str]  # "03-02" … the first day of each week of the period
    series: list[dict[str, Any]]  # [{key, label, counts: [per week], total}]


@dataclass
class InspectionReport:
    scope: ReportScope
    place: str
    visits: int
    findings: int
    by_severity: list[dict[str, Any]]  # [{key, label, count}]
    orders: int
    rectified: int
    cases: int
    colour_moves: list[dict[str, Any]]  # [{key "red-green", from, to, from_label, to_label, count}]
    red_to_green: int
    complaints: int
    complaints_previous: int
    complaint_change: int | None  # whole percent; None when the previous period had none
    trend: Trend
    paragraph: str
    records: dict[str, Any] = field(default_factory=dict)


def _subjects(scope: ReportScope) -> QuerySet[Subject]:
    rows = Subject.objects.filter(district_id=scope.district_id)
    if scope.street_id is not None:
        rows = rows.filter(street_id=scope.street_id)
    if scope.category:
        rows = rows.filter(category=scope.category)
    return rows


def _visits(scope: ReportScope) -> QuerySet[JointInspection]:
    rows = JointInspection.objects.filter(
        district_id=scope.district_id,
        status=VisitStatus.SIGNED,
        signed_at__gte=scope.starts_at,
        signed_at__lt=scope.ends_at,
    )
    if scope.street_id is not None:
        rows = rows.filter(street_id=scope.street_id)
    if scope.category:
        rows = rows.filter(subject__category=scope.category)
    return rows


def _colour_at(subjects: QuerySet[Subject] | list[int], before: dt.datetime) -> dict[int, str]:
    """Each subject's colour as last computed before ``before`` (from the history); ``subjects``: a query of
    them (read as a subquery: a district has more subjects than a statement takes parameters) or their ids."""
    colours: dict[int, str] = {}
    history = SubjectColour.objects.filter(computed_at__lt=before).order_by("subject_id", "computed_at", "pk")
    if isinstance(subjects, QuerySet):
        parts = [history.filter(subject_id__in=subjects.values("pk"))]
    else:
        parts = [history.filter(subject_id__in=ids) for ids in batches(subjects)]
    for rows in parts:
        for subject_id, colour in rows.values_list("subject_id", "colour"):
            colours[subject_id] = colour
    return colours


def _complaints(
    scope: ReportScope, points: dict[int, tuple[float, float]], since: dt.date, until: dt.date
) -> list[int]:
    if not points:
        return []
    near = complaints_near(
        district_id=scope.district_id,
        points=points,
        since=since,
        until=until + dt.timedelta(days=1),
        radius_m=COMPLAINT_RADIUS_M,
    )
    ids = sorted({pk for found in near.values() for pk in found})
    public = Event.objects.filter(source__in=PUBLIC_SOURCES)
    return sorted(pk for chunk in batches(ids) for pk in public.filter(pk__in=chunk).values_list("pk", flat=True))


def _trend(scope: ReportScope, findings: list[tuple[int, int | None, str, dt.datetime]]) -> tuple[Trend, dict]:
    """Findings per matter per week: (trend, {series key: [finding ids]})."""
    weeks = (scope.days + 6) // 7
    labels = [f"{scope.date_from + dt.timedelta(days=7 * w):%m-%d}" for w in range(weeks)]
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * weeks)
    names: dict[str, str] = {OFF_CHECKLIST: "清单外问题", OTHER: "其他"}
    ids: dict[str, list[int]] = defaultdict(list)
    for pk, matter_id, matter_name, at in findings:
        key = str(matter_id) if matter_id is not None else OFF_CHECKLIST
        names.setdefault(key, matter_name)
        # A visit signed in the period may record its findings before the period's first day: week 0.
        week = min(max((at.astimezone(LOCAL_TZ).date() - scope.date_from).days // 7, 0), weeks - 1)
        counts[key][week] += 1
        ids[key].append(pk)
    ranked = sorted(counts, key=lambda k: (-sum(counts[k]), names[k], k))
    series = []
    for key in ranked[:TREND_TOP]:
        series.append({"key": key, "label": names[key], "counts": counts[key], "total": sum(counts[key])})
    rest = ranked[TREND_TOP:]
    if rest:
        summed = [sum(counts[k][w] for k in rest) for w in range(weeks)]
        series.append({"key": OTHER, "label": names[OTHER], "counts": summed, "total": sum(summed)})
        ids[OTHER] = sorted(pk for k in rest for pk in ids[k])
    return Trend(labels, series), dict(ids)


def _noun(category: str) -> tuple[str, str]:
    """(what was inspected, what the sites are called) in the paragraph."""
    if category == SubjectCategory.CONSTRUCTION_SITE:
        return "工地", "工地"
    if category:
        label = SubjectCategory(category).label
        return label, f"{label}对象"
    return "", "对象"


def _paragraph(r: InspectionReport, category: str) -> str:
    kind, sites = _noun(category)
    s = r.scope
    period = f"{s.date_from.year}年{s.date_from.month}月{s.date_from.day}日至{s.date_to.year}年{s.date_to.month}月{s.date_to.day}日"
    if r.complaint_change is None:
        complaints = f"投诉{r.complaints}件（上期无投诉）" if r.complaints else "期内及上期均无投诉"
    elif r.complaint_change < 0:
        complaints = f"投诉量下降{-r.complaint_change}%"
    elif r.complaint_change > 0:
        complaints = f"投诉量上升{r.complaint_change}%"
    else:
        complaints = "投诉量与上期持平"
    return (
        f"{period}，{r.place}开展{kind}联合检查{r.visits}次，发现问题{r.findings}个，整改{r.rectified}个，"
        f"立案{r.cases}起，{r.red_to_green}个{sites}由红转绿，{complaints}。"
    )


def inspection_report(
    scope: ReportScope, *, place: str, cases_not_counted: Callable[[list[int]], set[int]] | None = None
) -> InspectionReport:
    """The report's figures for ``scope`` (already checked against the reader by the caller); ``place``: the
    street's or the district's name as the paragraph names it; ``cases_not_counted(case ids)``: those of the
    given cases that are not counted (不予立案, 撤案), from the cases app."""
    visits = list(_visits(scope).values_list("pk", "subject_id"))
    visit_ids = [pk for pk, _ in visits]
    findings = list(
        InspectionFinding.objects.filter(inspection__in=_visits(scope).values("pk"))
        .order_by("recorded_at", "pk")
        .values_list("pk", "severity", "item__version__matter_id", "item__version__matter__name", "recorded_at")
    )
    finding_ids = [f[0] for f in findings]
    severity_ids: dict[str, list[int]] = defaultdict(list)
    for pk, severity, *_ in findings:
        severity_ids[severity].append(pk)
    orders = list(
        RectificationOrder.objects.filter(finding__inspection__in=_visits(scope).values("pk"))
        .order_by("pk")
        .values_list("pk", "status", "case_id")
    )
    rectified = [pk for pk, status, _ in orders if status == RectificationStatus.RECTIFIED]
    led = [case_id for _, _, case_id in orders if case_id is not None]
    dropped = cases_not_counted(led) if cases_not_counted is not None and led else set()
    cases = [pk for pk, _, case_id in orders if case_id is not None and case_id not in dropped]

    before = _colour_at(_subjects(scope), scope.starts_at)
    after = _colour_at(_subjects(scope), scope.ends_at)
    moved: dict[str, list[int]] = defaultdict(list)
    for subject_id, colour in after.items():
        old = before.get(subject_id)
        if old is not None and old != colour:
            moved[f"{old}-{colour}"].append(subject_id)
    order = ["red", "yellow", "green"]
    moves = [
        {
            "key": key,
            "from": key.split("-")[0],
            "to": key.split("-")[1],
            "from_label": COLOUR_LABELS[key.split("-")[0]],
            "to_label": COLOUR_LABELS[key.split("-")[1]],
            "count": len(ids),
        }
        for key, ids in sorted(moved.items(), key=lambda kv: [order.index(c) for c in kv[0].split("-")])
    ]

    inspected = sorted({subject_id for _, subject_id in visits})
    points = {
        pk: (lon, lat)
        for chunk in batches(inspected)
        for pk, lon, lat in Subject.objects.filter(pk__in=chunk).values_list("pk", "lon", "lat")
    }
    current = _complaints(scope, points, scope.date_from, scope.date_to)
    previous = _complaints(scope, points, *scope.previous)
    change = round((len(current) - len(previous)) * 100 / len(previous)) if previous else None

    trend, trend_ids = _trend(scope, [(pk, m, name or "", at) for pk, _, m, name, at in findings])
    report = InspectionReport(
        scope=scope,
        place=place,
        visits=len(visit_ids),
        findings=len(finding_ids),
        by_severity=[
            {"key": s.value, "label": s.label, "count": len(severity_ids.get(s.value, ()))} for s in FindingSeverity
        ],
        orders=len(orders),
        rectified=len(rectified),
        cases=len(cases),
        colour_moves=moves,
        red_to_green=len(moved.get("red-green", ())),
        complaints=len(current),
        complaints_previous=len(previous),
        complaint_change=change,
        trend=trend,
        paragraph="",
        records={
            "visits": visit_ids,
            "findings": finding_ids,
            "severity": dict(severity_ids),
            "rectified": rectified,
            "cases": cases,
            "colour": dict(moved),
            "complaints": {"current": current, "previous": previous},
            "trend": trend_ids,
        },
    )
    report.paragraph = _paragraph(report, scope.category)
    return report


# --- the records behind a figure (the page's records table) -----------------------------------------------------


def figure_records(
    report: InspectionReport, figure: str, key: str = "", *, limit: int | None = None
) -> tuple[str, list[dict[str, Any]], int]:
    """(kind of rows, rows, how many records) behind one figure: ``visits``, ``findings`` (key: a severity),
    ``rectified``, ``cases``, ``colour`` (key: "red-green" …, else every move), ``complaints`` (key: current |
    previous), ``trend`` (key: a series' key). ``limit``: read only the first records by id (the oldest). An
    unknown figure or key gives no rows."""
    rec = report.records
    reader: Callable[[list[int]], list[dict[str, Any]]]
    if figure == "visits":
        kind, ids, reader = "visits", rec["visits"], _visit_rows
    elif figure == "findings":
        kind, ids, reader = "findings", rec["severity"].get(key, []) if key else rec["findings"], _finding_rows
    elif figure == "trend":
        kind, ids, reader = "findings", rec["trend"].get(key, []), _finding_rows
    elif figure in ("rectified", "cases"):
        kind, ids, reader = "orders", rec[figure], _order_rows
    elif figure == "colour":
        ids = rec["colour"].get(key, []) if key else [pk for ids in rec["colour"].values() for pk in ids]
        kind, reader = "colours", functools.partial(_colour_rows, report.scope)
    elif figure == "complaints":
        kind, ids, reader = "events", rec["complaints"].get(key or "current", []), _event_rows
    else:
        return "", [], 0
    chosen = sorted(ids)[:limit] if limit is not None else list(ids)
    return kind, reader(chosen), len(ids)


def _visit_rows(ids: list[int]) -> list[dict[str, Any]]:
    visits = JointInspection.objects.select_related("subject", "street").prefetch_related("departments")
    rows = sorted((v for chunk in batches(ids) for v in visits.filter(pk__in=chunk)), key=lambda v: (v.signed_at, v.pk))
    return [
        {
            "id": v.pk,
            "subject": v.subject.name,
            "subject_id": v.subject_id,
            "street": v.street.name,
            "signed_at": v.signed_at,
            "departments": "、".join(
                d.short_name or d.name for d in sorted(v.departments.all(), key=lambda d: (d.code, d.pk))
            ),
        }
        for v in rows
    ]


def _finding_rows(ids: list[int]) -> list[dict[str, Any]]:
    findings = InspectionFinding.objects.select_related("inspection__subject", "item__version__matter")
    rows = sorted(
        (f for chunk in batches(ids) for f in findings.filter(pk__in=chunk)), key=lambda f: (f.recorded_at, f.pk)
    )
    statuses = {
        finding: status
        for chunk in batches(ids)
        for finding, status in RectificationOrder.objects.filter(finding_id__in=chunk).values_list(
            "finding_id", "status"
        )
    }
    labels = dict(RectificationStatus.choices)
    return [
        {
            "id": f.pk,
            "visit_id": f.inspection_id,
            "subject": f.inspection.subject.name,
            "severity": f.get_severity_display(),
            "matter": f.item.version.matter.name if f.item is not None else "清单外问题",
            "description": f.description,
            "recorded_at": f.recorded_at,
            "order": labels.get(statuses.get(f.pk, ""), "未下达整改"),
        }
        for f in rows
    ]


def _order_rows(ids: list[int]) -> list[dict[str, Any]]:
    orders = RectificationOrder.objects.select_related("subject", "finding")
    rows = sorted((o for chunk in batches(ids) for o in orders.filter(pk__in=chunk)), key=lambda o: (o.deadline, o.pk))
    return [
        {
            "id": o.pk,
            "visit_id": o.finding.inspection_id,
            "subject": o.subject.name,
            "severity": o.get_severity_display(),
            "requirement": o.requirement,
            "deadline": o.deadline,
            "status": o.get_status_display(),
            "closed_at": o.closed_at,
            "case_id": o.case_id,
            "case_number": o.case_number,
        }
        for o in rows
    ]


def _colour_rows(scope: ReportScope, ids: list[int]) -> list[dict[str, Any]]:
    before = _colour_at(ids, scope.starts_at)
    after = _colour_at(ids, scope.ends_at)
    return [
        {
            "subject_id": s.pk,
            "subject": s.name,
            "from": COLOUR_LABELS[before[s.pk]],
            "to": COLOUR_LABELS[after[s.pk]],
        }
        for s in sorted(
            (s for chunk in batches(ids) for s in Subject.objects.filter(pk__in=chunk)), key=lambda s: (s.name, s.pk)
        )
    ]


def _event_rows(ids: list[int]) -> list[dict[str, Any]]:
    rows = sorted(
        (e for chunk in batches(ids) for e in Event.objects.filter(pk__in=chunk)), key=lambda e: (e.reported_at, e.pk)
    )
    return [
        {
            "id": e.pk,
            "public_no": e.public_no,
            "source": e.get_source_display(),
            "reported_at": e.reported_at,
            "description": e.description,
            "address": e.address,
        }
        for e in rows
    ]
