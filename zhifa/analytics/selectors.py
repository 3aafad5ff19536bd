"""The leaders' view (领导驾驶舱, issue 17 part 1): every figure computed from the records, for an
``AnalyticsScope`` (district or a drill-down to street, zone, department or officer; a period of local days).

The events a figure counts (the period's *cohort*): the events of the district reported in the period, minus
those merged into another (a duplicate is counted once, as the event it joined), narrowed by the drill-down —
street, zone, the responsible department (``Event.department``), or the events an officer was ever assigned to.
Every figure about events (clocks, escalations, transfers, workload, repeats) is over this cohort, so the
figures of one page add up; ``event_records`` returns the cohort's rows behind any one figure, built from the
same conditions, so a figure and its list cannot disagree.

A clock (acknowledge / arrive / handle) is judged by the events app's one rule (zhifa/events/clocks.py:
``CLOCK_FIELDS``, ``OUTCOME_CASES``), here in SQL (``clock_outcome_q``, named ``clock_q`` below), on the event
page on the loaded row (``clock_outcome``): from the due time stored when the clock started and the time its
step was done, *met* when done at or before the due time; *missed* when done after it, or not done and the due
time has passed; *running* otherwise. Events whose clock never started (never dispatched) are in none. A
re-dispatch or a redo restarts the clocks; the event's current run is the one judged. The rate is
met / (met + missed): a clock still running is neither yet.

The number of queries does not grow with the number of events (a test holds it): each figure is one grouped
query, the repeat places a grouped read of the repeat marks (ADR 0016).
"""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay
from django.utils import timezone

from zhifa.analytics import repeat_marks
from zhifa.analytics.models import AnalyticsDaily, AnalyticsMonthly, AnalyticsRollupDay, RepeatMark, RepeatPlaceMonth
from zhifa.analytics.repeat_marks import Marked
from zhifa.analytics.repeats import REPEAT_WINDOW, RepeatPlace
from zhifa.analytics.scope import LOCAL_TZ, AnalyticsScope
from zhifa.cases.models import Case, CaseDeadline
from zhifa.cases.services.common import PARTY_WINDOWS
from zhifa.catalog.models import ComplaintKind
from zhifa.core.api_input import MAX_ID
from zhifa.core.errors import ValidationFailed
from zhifa.events.clocks import CLOCK_FIELDS, clock_outcome_q
from zhifa.events.models import CoordinationTask, Event, EventAssignment, EventEscalation, EventHandlingRound
from zhifa.events.states import Clock, EscalationLevel, EventSource, EventStatus
from zhifa.org.models import Department, Grid, Officer, Street, Zone

# The three "1530" clocks: (clock, due field, done field), as the events app describes them.
CLOCKS = [(clock, due, done) for clock, (due, done) in CLOCK_FIELDS.items()]
CLOCK_OUTCOMES = {"met": "达标", "missed": "超时", "running": "计时中"}
COORDINATION_OUTCOMES = {"met": "按时反馈", "late": "逾期反馈", "overdue": "逾期未反馈", "open": "办理中"}
NO_KIND = "none"


def cohort(scope: AnalyticsScope) -> QuerySet[Event]:
    """The events every event figure of ``scope`` counts (see the module's docstring)."""
    events = Event.objects.filter(
        district_id=scope.district_id, reported_at__gte=scope.starts_at, reported_at__lt=scope.ends_at
    ).exclude(status=EventStatus.MERGED)
    if scope.street is not None:
        events = events.filter(street_id=scope.street.pk)
    if scope.zone is not None:
        events = events.filter(zone_id=scope.zone.pk)
    if scope.department is not None:
        events = events.filter(department_id=scope.department.pk)
    if scope.officer is not None:
        # From the officer's assignments (their index), not a test of every event of the period (ADR 0016).
        events = events.filter(pk__in=EventAssignment.objects.filter(officer_id=scope.officer.pk).values("event_id"))
    return events


def with_week_hour(events: QuerySet[Event]) -> QuerySet[Event]:
    """``weekday`` (1 Monday … 7 Sunday) and ``hour`` (0–23) of ``reported_at``, local time: the hour of week
    the hotspots count by (analytics/hotspots.py) and their records are filtered by."""
    return events.annotate(
        weekday=ExtractIsoWeekDay("reported_at", tzinfo=LOCAL_TZ), hour=ExtractHour("reported_at", tzinfo=LOCAL_TZ)
    )


# The condition for a clock's outcome (met / missed / running): the events app's rule, not restated here.
clock_q = clock_outcome_q


def coordination_q(outcome: str, now: dt.datetime, prefix: str = "") -> Q:
    """A coordination task's timeliness: its written feedback against the stored ``due_at``."""
    p = prefix
    if outcome == "met":
        return Q(**{f"{p}feedback_at__isnull": False, f"{p}feedback_at__lte": F(f"{p}due_at")})
    if outcome == "late":
        return Q(**{f"{p}feedback_at__gt": F(f"{p}due_at")})
    if outcome == "overdue":
        return Q(**{f"{p}feedback_at__isnull": True, f"{p}due_at__lt": now})
    return Q(**{f"{p}feedback_at__isnull": True, f"{p}due_at__gte": now})


def _rate(met: int, missed: int) -> float | None:
    return round(met / (met + missed), 4) if met + missed else None


def _escalated() -> Exists:
    return Exists(EventEscalation.objects.filter(event=OuterRef("pk")))


def headline(scope: AnalyticsScope, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The few figures the leader's home page shows (events, the 1530 rates, escalated): one query."""
    now = now or timezone.now()
    aggregates: dict[str, Any] = {"total": Count("pk"), "escalated": Count("pk", filter=Q(_escalated()))}
    for clock, _due, _done in CLOCKS:
        for outcome in ("met", "missed"):
            aggregates[f"{clock}_{outcome}"] = Count("pk", filter=clock_q(clock, outcome, now))
    totals = cohort(scope).aggregate(**aggregates)
    return {
        "total": totals["total"],
        "escalated": totals["escalated"],
        "rates": {str(c): _rate(totals[f"{c}_met"], totals[f"{c}_missed"]) for c, _d, _m in CLOCKS},
    }


def overview(scope: AnalyticsScope, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """Every figure of the leaders' view for ``scope``, as plain data (the page's tables and charts, the API's
    answer and the CSV exports all read this one dict)."""
    now = now or timezone.now()
    # Whole past days already counted (ADR 0016) come from the day rollup, the rest from the events.
    days, events = rolled_and_raw(scope)
    rolled = _rolled(scope, days)
    aggregates: dict[str, Any] = {"total": Count("pk"), "escalated": Count("pk", filter=Q(_escalated()))}
    for clock, _due, _done in CLOCKS:
        for outcome in CLOCK_OUTCOMES:
            aggregates[f"{clock}_{outcome}"] = Count("pk", filter=clock_q(clock, outcome, now))
    totals = events.aggregate(**aggregates)
    for name, n in rolled.get("totals", {}).items():
        totals[name] += n
    compliance = []
    for clock, _due, _done in CLOCKS:
        met, missed, running = (totals[f"{clock}_{o}"] for o in CLOCK_OUTCOMES)
        compliance.append(
            {
                "key": str(clock),
                "label": Clock(clock).label,
                "met": met,
                "missed": missed,
                "running": running,
                "rate": _rate(met, missed),
            }
        )
    return {
        "period": {"from": scope.date_from.isoformat(), "to": scope.date_to.isoformat()},
        "scope": _scope_names(scope),
        "total": totals["total"],
        "by_source": _by_source(events, rolled.get("source", {})),
        "by_kind": _by_kind(events, rolled.get("kind", {})),
        "by_street": _grouped(events, "street_id", "street__name", rolled.get("street", {}), Street),
        "by_zone": _grouped(events, "zone_id", "zone__name", rolled.get("zone", {}), Zone),
        "by_hour": _by_hour(events, rolled.get("hour", {})),
        "compliance": compliance,
        "escalated": totals["escalated"],
        "escalations": _escalations(events, rolled.get("escalation", {})),
        "coordination": _coordination(events, now, rolled.get("coordination", {})),
        "repeats": _repeats(scope),
        "workload": _workload(scope, events, rolled.get("assigned", {}), rolled.get("handled", {})),
        "cases": _cases(scope, today=timezone.localdate(now)),
    }


def _scope_names(scope: AnalyticsScope) -> dict[str, Any]:
    names: dict[str, Any] = {}
    for name in ("street", "zone", "department", "officer"):
        row = getattr(scope, name)
        names[name] = {"id": row.pk, "name": row.name} if row is not None else None
    return names


def rolled_days(scope: AnalyticsScope) -> list[dt.date]:
    """The days of the period read from the day rollup (``AnalyticsDaily``, zhifa/analytics/rollup.py): whole
    days refreshed after they ended whose open clocks and tasks were already past due when refreshed (so none
    can still be met). Not for an officer (the rollup has no officer dimension): their events are few."""
    if scope.officer is not None:
        return []
    rows = AnalyticsRollupDay.objects.filter(
        district_id=scope.district_id, day__gte=scope.date_from, day__lte=scope.date_to
    ).values_list("day", "computed_at", "open_due_last")
    ends = {d: dt.datetime.combine(d + dt.timedelta(days=1), dt.time(0), tzinfo=LOCAL_TZ) for d, _c, _o in rows}
    return sorted(d for d, at, due in rows if at >= ends[d] and (due is None or due < at))


def rolled_and_raw(scope: AnalyticsScope) -> tuple[list[dt.date], QuerySet[Event]]:
    """The period's days read from the rollup (``rolled_days``), and the cohort of every other day."""
    days = rolled_days(scope)
    return days, cohort(scope).filter(_days_q(_raw_days(scope, days))) if days else cohort(scope)


def _raw_days(scope: AnalyticsScope, rolled: list[dt.date]) -> list[dt.date]:
    skip, day, out = set(rolled), scope.date_from, []
    while day <= scope.date_to:
        if day not in skip:
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def _runs(days: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    runs: list[tuple[dt.date, dt.date]] = []
    for day in days:
        if runs and runs[-1][1] + dt.timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _days_q(days: list[dt.date]) -> Q:
    """Events reported on these local days (no day: none)."""
    q = Q(pk__in=[])
    for first, last in _runs(days):
        q |= Q(
            reported_at__gte=dt.datetime.combine(first, dt.time(0), tzinfo=LOCAL_TZ),
            reported_at__lt=dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=LOCAL_TZ),
        )
    return q


ROLLED_DIMS = ("source", "kind", "hour", "escalation", "coordination", "assigned", "handled")


def month_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar month holding ``day``: its first and last day."""
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def _whole_months(days: list[dt.date]) -> tuple[list[dt.date], list[dt.date]]:
    """``days`` split into the calendar months they hold whole (their first days) and the other days."""
    have, months, rest = set(days), set(), []
    for day in days:
        first, last = month_of(day)
        if first in months:
            continue
        if all(d in have for d in _span(first, last)):
            months.add(first)
        else:
            rest.append(day)
    return sorted(months), rest


def _span(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _rollup_rows(scope: AnalyticsScope, days: list[dt.date]) -> list[QuerySet[Any]]:
    """The rollup's rows covering ``days`` for the scope's drill-down: whole calendar months from
    ``AnalyticsMonthly`` (a month is the sum of its days, rewritten with them), the other days from
    ``AnalyticsDaily`` — a year is a few months' rows, not 365 days' (ADR 0016)."""
    months, rest = _whole_months(days)
    sources: list[QuerySet[Any]] = []
    if months:
        sources.append(AnalyticsMonthly.objects.filter(district_id=scope.district_id, month__in=months))
    if rest:
        day_q = Q(pk__in=[])
        for first, last in _runs(rest):
            day_q |= Q(day__gte=first, day__lte=last)
        sources.append(AnalyticsDaily.objects.filter(day_q, district_id=scope.district_id))
    out = []
    for rows in sources:
        if scope.street is not None:
            rows = rows.filter(street_id=scope.street.pk)
        if scope.zone is not None:
            rows = rows.filter(zone_id=scope.zone.pk)
        if scope.department is not None:
            rows = rows.filter(department_id=scope.department.pk)
        out.append(rows.order_by())
    return out


def _summed(sources: list[QuerySet[Any]], group: list[str], sums: dict[str, Any]) -> dict[Any, dict[str, int]]:
    """The rollup rows of every source grouped by ``group`` (one query per source), added up."""
    out: dict[Any, dict[str, int]] = {}
    for rows in sources:
        for r in rows.values(*group).annotate(**sums):
            key = tuple(r[g] for g in group) if len(group) > 1 else r[group[0]]
            into = out.setdefault(key, dict.fromkeys(sums, 0))
            for name in sums:
                into[name] += r[name] or 0
    return out


def rolled_counts(scope: AnalyticsScope, days: list[dt.date], dim: str) -> dict[str, int]:
    """The rollup's count of each key of ``dim`` over ``days`` (rolled days: ``rolled_days``)."""
    if not days:
        return {}
    found = _summed([rows.filter(dim=dim) for rows in _rollup_rows(scope, days)], ["key"], {"n": Sum("n")})
    return {key: r["n"] for key, r in found.items()}


def rolled_week_hours(scope: AnalyticsScope, days: list[dt.date]) -> dict[tuple[int, int], int]:
    """The rollup's count by (ISO weekday, hour) over ``days``: a whole month's ``weekhour`` rows, a day's
    ``hour`` rows under the day's weekday."""
    if not days:
        return {}
    months, rest = _whole_months(days)
    out: dict[tuple[int, int], int] = {}
    sources = _rollup_rows(scope, days)
    if months:
        for key, r in _summed([sources[0].filter(dim="weekhour")], ["key"], {"n": Sum("n")}).items():
            weekday, _, hour = key.partition("-")
            out[(int(weekday), int(hour))] = out.get((int(weekday), int(hour)), 0) + r["n"]
    if rest:
        for (day, hour), r in _summed([sources[-1].filter(dim="hour")], ["day", "key"], {"n": Sum("n")}).items():
            slot = (day.isoweekday(), int(hour))
            out[slot] = out.get(slot, 0) + r["n"]
    return out


def _rolled(scope: AnalyticsScope, days: list[dt.date]) -> dict[str, Any]:
    """The rollup's counts over ``days`` for the scope: one grouped query per figure and source."""
    if not days:
        return {}
    sources = _rollup_rows(scope, days)
    sums = {"n": Sum("n"), "met": Sum("coordination_met"), "late": Sum("coordination_late")}
    sums["open"] = Sum("coordination_open")
    out: dict[str, Any] = {}
    for dim in ROLLED_DIMS:
        found = _summed([rows.filter(dim=dim) for rows in sources], ["key"], sums)
        if dim == "coordination":
            # Settled days: a task without feedback is past due.
            out[dim] = {
                key: {"total": r["n"], "met": r["met"], "late": r["late"], "overdue": r["open"], "open": 0}
                for key, r in found.items()
            }
        else:
            out[dim] = {key: r["n"] for key, r in found.items()}
    columns = ["n", "escalated"] + [f"{c}_{o}" for c, _d, _m in CLOCKS for o in ("met", "late", "open")]
    whole = _summed(
        [rows.filter(dim="all") for rows in sources], ["street_id", "zone_id"], {c: Sum(c) for c in columns}
    )
    totals = dict.fromkeys(["total", "escalated"] + [f"{c}_{o}" for c, _d, _m in CLOCKS for o in CLOCK_OUTCOMES], 0)
    out["street"], out["zone"] = {}, {}
    for (street_id, zone_id), r in whole.items():
        totals["total"] += r["n"]
        totals["escalated"] += r["escalated"]
        for clock, _d, _m in CLOCKS:
            totals[f"{clock}_met"] += r[f"{clock}_met"]
            # Settled days: a clock not done is past due.
            totals[f"{clock}_missed"] += r[f"{clock}_late"] + r[f"{clock}_open"]
        for dim, key in (("street", str(street_id)), ("zone", str(zone_id))):
            out[dim][key] = out[dim].get(key, 0) + r["n"]
    out["totals"] = totals
    return out


def _by_source(events: QuerySet[Event], rolled: dict[str, int]) -> list[dict[str, Any]]:
    counts = dict(events.order_by().values_list("source").annotate(n=Count("pk")).values_list("source", "n"))
    for key, n in rolled.items():
        counts[key] = counts.get(key, 0) + n
    # Every channel, in the order the desk knows them, zeros included: a channel that fell silent is news.
    return [{"key": str(s), "label": s.label, "count": counts.get(s.value, 0)} for s in EventSource]


def _by_kind(events: QuerySet[Event], rolled: dict[str, int]) -> list[dict[str, Any]]:
    counts = dict(rolled)
    for kind_id, n in events.order_by().values_list("kind_id").annotate(n=Count("pk")).values_list("kind_id", "n"):
        key = str(kind_id) if kind_id else NO_KIND
        counts[key] = counts.get(key, 0) + n
    kinds = ComplaintKind.objects.filter(pk__in=[int(k) for k in counts if k != NO_KIND]).values_list(
        "pk", "code", "name"
    )
    names = {str(pk): (code, name) for pk, code, name in kinds}
    out = [
        {
            "key": key,
            "label": names[key][1] if key in names else "未研判类型",
            "code": names[key][0] if key in names else "",
            "count": n,
        }
        for key, n in counts.items()
    ]
    return sorted(out, key=lambda r: (-r["count"], r["label"]))


def _grouped(
    events: QuerySet[Event], key: str, label: str, rolled: dict[str, int], model: type[Street] | type[Zone]
) -> list[dict[str, Any]]:
    rows = events.order_by().values(key, label).annotate(n=Count("pk"))
    counts, labels = dict(rolled), {}
    for r in rows:
        counts[str(r[key])] = counts.get(str(r[key]), 0) + r["n"]
        labels[str(r[key])] = r[label]
    missing = [int(k) for k in counts if k not in labels]
    if missing:
        labels.update({str(pk): name for pk, name in model.objects.filter(pk__in=missing).values_list("pk", "name")})
    out = [{"key": k, "label": labels[k], "count": n} for k, n in counts.items()]
    return sorted(out, key=lambda r: (-r["count"], r["label"]))


def _by_hour(events: QuerySet[Event], rolled: dict[str, int]) -> list[dict[str, Any]]:
    counts = dict(
        events.order_by()
        .annotate(hour=ExtractHour("reported_at", tzinfo=LOCAL_TZ))
        .values("hour")
        .annotate(n=Count("pk"))
        .values_list("hour", "n")
    )
    return [
        {"key": str(h), "label": f"{h:02d}时", "count": counts.get(h, 0) + rolled.get(str(h), 0)} for h in range(24)
    ]


def _escalations(events: QuerySet[Event], rolled: dict[str, int]) -> list[dict[str, Any]]:
    raw = EventEscalation.objects.filter(event__in=events).order_by().values("clock", "level").annotate(n=Count("pk"))
    counts = dict(rolled)
    for r in raw:
        key = f"{r['clock']}:{r['level']}"
        counts[key] = counts.get(key, 0) + r["n"]
    rows: list[dict[str, Any]] = [
        {"clock": k.split(":")[0], "level": int(k.split(":")[1]), "n": n} for k, n in counts.items()
    ]
    out = [
        {
            "clock": r["clock"],
            "clock_label": Clock(r["clock"]).label,
            "level": r["level"],
            "level_label": EscalationLevel(r["level"]).label,
            "count": r["n"],
        }
        for r in rows
    ]
    return sorted(out, key=lambda r: (r["clock"], r["level"]))


def _coordination(events: QuerySet[Event], now: dt.datetime, rolled: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    tasks = CoordinationTask.objects.filter(event__in=events).order_by()
    counts = {o: Count("pk", filter=coordination_q(o, now)) for o in COORDINATION_OUTCOMES}
    by_department: dict[str, dict[str, Any]] = {k: {"department_id": int(k), **v} for k, v in rolled.items()}
    grouped: Any = tasks.values("department_id").annotate(total=Count("pk"), **counts)
    for r in grouped:
        into = by_department.setdefault(
            str(r["department_id"]), dict.fromkeys(r, 0) | {"department_id": r["department_id"]}
        )
        for name in ("total", *COORDINATION_OUTCOMES):
            into[name] += r[name]
    names = dict(Department.objects.filter(pk__in=[int(k) for k in by_department]).values_list("pk", "name"))
    rows = [{**r, "department__name": names.get(r["department_id"], "")} for r in by_department.values()]
    out = [
        {
            "key": str(r["department_id"]),
            "label": r["department__name"],
            "total": r["total"],
            **{o: r[o] for o in COORDINATION_OUTCOMES},
            "rate": _rate(r["met"], r["late"] + r["overdue"]),
        }
        for r in rows
    ]
    return sorted(out, key=lambda r: (-r["total"], r["label"]))


# The repeat places a view lists: the largest (most repeats in the period); the figure says how many there are.
PLACES_SHOWN = 50


@dataclass
class RepeatFigures:
    """The repeat figures of a scope and period: the repeats, how many places, the largest ``places``."""

    events: int
    places_total: int
    places: list[RepeatPlace]
    addresses: dict[int, str]


def _marks(scope: AnalyticsScope) -> QuerySet[RepeatMark]:
    """The marks of the scope's events (``RepeatMark``, kept by the rollup job; detection is district-wide, a
    scope keeps the repeats that fall in it)."""
    marks = RepeatMark.objects.filter(district_id=scope.district_id).order_by()
    if scope.street is not None:
        marks = marks.filter(street_id=scope.street.pk)
    if scope.zone is not None:
        marks = marks.filter(zone_id=scope.zone.pk)
    if scope.department is not None:
        marks = marks.filter(department_id=scope.department.pk)
    if scope.officer is not None:
        # The officer's events first (their assignments' index), then their marks by key: as a subquery the
        # planner read the period's marks of the district and tested each (3.6 s at 5 million events).
        marks = marks.filter(event_id__in=_officer_events(scope))
    return marks


def _officer_events(scope: AnalyticsScope) -> set[int]:
    """The events the scope's officer was sent to, reported in the period or the 30 days before it."""
    assert scope.officer is not None
    window = {"event__reported_at__gte": scope.starts_at - REPEAT_WINDOW, "event__reported_at__lt": scope.ends_at}
    return set(
        EventAssignment.objects.filter(officer_id=scope.officer.pk, **window)
        .order_by()
        .values_list("event_id", flat=True)
        .distinct()
    )


def _in_scope(scope: AnalyticsScope, street: int, zone: int, department: int | None) -> bool:
    """A mark's scope fields in the scope (the officer's events are tested apart)."""
    return (
        (scope.street is None or street == scope.street.pk)
        and (scope.zone is None or zone == scope.zone.pk)
        and (scope.department is None or department == scope.department.pk)
    )


def _live(scope: AnalyticsScope) -> tuple[list[Marked], set[int]]:
    """The window's events not marked yet (saved since the job's last step, or every one of a district never
    marked), detected against the marks: all of them, and the ids of those in the scope."""
    found = repeat_marks.live(scope.district_id, scope.starts_at - REPEAT_WINDOW, scope.ends_at)
    if not found:
        return [], set()
    inside = {m.row.event_id for m in found if _in_scope(scope, m.row.street_id, m.row.zone_id, m.row.department_id)}
    if scope.officer is not None:
        inside &= set(
            EventAssignment.objects.filter(officer_id=scope.officer.pk, event_id__in=inside).values_list(
                "event_id", flat=True
            )
        )
    return found, inside


def _period_q(scope: AnalyticsScope) -> Q:
    return Q(reported_at__gte=scope.starts_at, reported_at__lt=scope.ends_at)


def _place_counts(scope: AnalyticsScope, live: list[Marked], inside: set[int]) -> dict[int, int]:
    """The scope's repeats in the period by place: the period's whole months summed from the monthly counts
    (``RepeatPlaceMonth``, kept with the marks), its ragged ends counted from the marks, the events not marked
    yet from ``live``. An officer's scope has no monthly counts (it is not a column): marks only."""
    days = _span(scope.date_from, scope.date_to)
    months, rest = _whole_months(days) if scope.officer is None else ([], days)
    counts: dict[int, int] = {}
    if months:
        monthly = RepeatPlaceMonth.objects.filter(district_id=scope.district_id, month__in=months).order_by()
        if scope.street is not None:
            monthly = monthly.filter(street_id=scope.street.pk)
        if scope.zone is not None:
            monthly = monthly.filter(zone_id=scope.zone.pk)
        if scope.department is not None:
            monthly = monthly.filter(department_id=scope.department.pk)
        counts = dict(monthly.values_list("place").annotate(n=Sum("repeats")))
    for first, last in _runs(rest):
        since = dt.datetime.combine(first, dt.time(0, 0), tzinfo=LOCAL_TZ)
        until = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0, 0), tzinfo=LOCAL_TZ)
        marked = _marks(scope).filter(is_repeat=True, reported_at__gte=since, reported_at__lt=until)
        for place, n in marked.values_list("place").annotate(n=Count("pk")):
            counts[place] = counts.get(place, 0) + n
    for m in live:
        if m.is_repeat and m.row.event_id in inside and _in_period(m, scope):
            counts[m.place] = counts.get(m.place, 0) + 1
    return counts


def repeat_figures(scope: AnalyticsScope, *, limit: int | None = None) -> RepeatFigures:
    """The scope's repeats in the period (its events that repeat an earlier report, ADR 0016), how many places
    they are in, and the ``limit`` largest places (most repeats in the period, then the earliest place), each
    with its reports from ``REPEAT_WINDOW`` before the period to its end (the earlier ones are why the first
    of the period count; in any scope). Read from the marks (one grouped query) and the events not marked yet."""
    limit = PLACES_SHOWN if limit is None else limit
    live, inside = _live(scope)
    counts = _place_counts(scope, live, inside)
    top = sorted(counts, key=lambda p: (-counts[p], p))[:limit]
    if not top:
        return RepeatFigures(sum(counts.values()), len(counts), [], {})
    window = Q(reported_at__gte=scope.starts_at - REPEAT_WINDOW, reported_at__lt=scope.ends_at)
    # The listed places' reports of the window, in any scope; their repeats in the scope picked from them. By
    # place alone (a place is an event's id, of one district): with the district too, the planner read the
    # district's year of marks by (district, kind, reported_at) to keep 16,016 of 5.7 million (2.1 s at 5 million
    # events; by place 0.5 s cold).
    marked = RepeatMark.objects.filter(window, place__in=top).values_list(
        "event_id", "place", "reported_at", "is_repeat", "street_id", "zone_id", "department_id"
    )
    officers = _officer_events(scope) if scope.officer is not None else None
    rows, repeats = [], {m.row.event_id for m in live if m.is_repeat and m.row.event_id in inside}
    for pk, place, at, is_repeat, street, zone, department in marked:
        rows.append((pk, place, at))
        if is_repeat and _in_scope(scope, street, zone, department) and (officers is None or pk in officers):
            repeats.add(pk)
    rows += [(m.row.event_id, m.place, m.row.reported_at) for m in live if m.place in counts and _in_window(m, scope)]
    anchors = {
        pk: (kind, grid)
        for pk, kind, grid in RepeatMark.objects.filter(event_id__in=top).values_list("event_id", "kind_id", "grid_id")
    }
    anchors.update({m.row.event_id: (m.row.kind_id, m.row.grid_id) for m in live if m.row.event_id in set(top)})
    by_place: dict[int, list[tuple[dt.datetime, int]]] = {p: [] for p in top}
    for pk, place, at in rows:
        if place in by_place:
            by_place[place].append((at, pk))
    places = []
    for p in top:
        reports = sorted(set(by_place[p]))
        kind, grid = anchors.get(p, (0, 0))
        places.append(
            RepeatPlace(
                kind_id=kind,
                grid_id=grid,
                event_ids=[pk for _at, pk in reports],
                repeat_ids=[pk for at, pk in reports if pk in repeats and scope.starts_at <= at < scope.ends_at],
                first_at=reports[0][0] if reports else None,
                last_at=reports[-1][0] if reports else None,
                anchor=p,
            )
        )
    addresses = dict(Event.objects.filter(pk__in=top).values_list("pk", "address"))
    return RepeatFigures(sum(counts.values()), len(counts), places, addresses)


def _in_window(m: Marked, scope: AnalyticsScope) -> bool:
    return scope.starts_at - REPEAT_WINDOW <= m.row.reported_at < scope.ends_at


def repeat_places_of(scope: AnalyticsScope) -> tuple[list[RepeatPlace], dict[int, str]]:
    """The largest repeat places of the scope and period (``repeat_figures``) and their first reports'
    addresses."""
    found = repeat_figures(scope)
    return found.places, found.addresses


def _repeats(scope: AnalyticsScope) -> dict[str, Any]:
    found = repeat_figures(scope)
    places = found.places
    kinds = dict(ComplaintKind.objects.filter(pk__in={p.kind_id for p in places}).values_list("pk", "name"))
    grids = dict(Grid.objects.filter(pk__in={p.grid_id for p in places}).values_list("pk", "name"))
    return {
        "events": found.events,
        # How many places there are; ``places`` lists the largest ``PLACES_SHOWN`` of them.
        "places_total": found.places_total,
        "places": [
            {
                "key": str(p.anchor_id),
                "kind": kinds.get(p.kind_id, ""),
                "grid": grids.get(p.grid_id, ""),
                "address": found.addresses.get(p.anchor_id, ""),
                "events": len(p.event_ids),
                "repeats": len(p.repeat_ids),
                "first_at": p.first_at.isoformat() if p.first_at else None,
                "last_at": p.last_at.isoformat() if p.last_at else None,
            }
            for p in places
        ],
    }


def repeat_event_ids(scope: AnalyticsScope, *, place: int | None = None) -> Q:
    """The condition on events for the repeat records: the scope's repeats in the period, or (``place``) the
    place's reports from ``REPEAT_WINDOW`` before the period to its end — refused as ``unknown_figure_key``
    when the place has no repeat in the scope and period."""
    live, inside = _live(scope)
    if place is None:
        ids = [m.row.event_id for m in live if m.is_repeat and m.row.event_id in inside and _in_period(m, scope)]
        marked = Q(pk__in=_marks(scope).filter(_period_q(scope), is_repeat=True).values("event_id"))
        return marked | Q(pk__in=ids) if ids else marked
    shown = _marks(scope).filter(_period_q(scope), is_repeat=True, place=place).exists() or any(
        m.place == place and m.is_repeat and m.row.event_id in inside and _in_period(m, scope) for m in live
    )
    if not shown:
        raise _bad_key("repeat", str(place))
    window = Q(reported_at__gte=scope.starts_at - REPEAT_WINDOW, reported_at__lt=scope.ends_at)
    marked = Q(pk__in=RepeatMark.objects.filter(window, district_id=scope.district_id, place=place).values("event_id"))
    ids = [m.row.event_id for m in live if m.place == place and _in_window(m, scope)]
    return marked | Q(pk__in=ids) if ids else marked


def _in_period(m: Marked, scope: AnalyticsScope) -> bool:
    return scope.starts_at <= m.row.reported_at < scope.ends_at


def repeat_count(scope: AnalyticsScope) -> int:
    """The scope's repeats in the period (``repeat_figures``' ``events``)."""
    live, inside = _live(scope)
    return sum(_place_counts(scope, live, inside).values())


def _workload(
    scope: AnalyticsScope, events: QuerySet[Event], rolled_assigned: dict[str, int], rolled_handled: dict[str, int]
) -> list[dict[str, Any]]:
    """Per officer: assignments (派遣次数, every time they were sent to an event of the cohort, re-dispatches
    included) and handled (处置次数, the rounds of handling they were part of). Every active officer of the
    scope is listed, those with nothing included; so is anyone of another street sent into it."""
    assigned = _add(
        dict(
            EventAssignment.objects.filter(event__in=events)
            .order_by()
            .values_list("officer_id")
            .annotate(n=Count("pk"))
            .values_list("officer_id", "n")
        ),
        rolled_assigned,
    )
    through: Any = EventHandlingRound.officers.through
    handled = _add(
        dict(
            through.objects.filter(eventhandlinground__event__in=events)
            .order_by()
            .values_list("officer_id")
            .annotate(n=Count("pk"))
            .values_list("officer_id", "n")
        ),
        rolled_handled,
    )
    officers = Officer.objects.filter(district_id=scope.district_id)
    if scope.officer is not None:
        officers = officers.filter(pk=scope.officer.pk)
    else:
        listed = Q(is_active=True)
        if scope.zone is not None:
            listed &= Q(zone_id=scope.zone.pk)
        elif scope.street is not None:
            listed &= Q(street_id=scope.street.pk)
        if scope.department is not None:
            listed &= Q(home_department_id=scope.department.pk)
        officers = officers.filter(listed | Q(pk__in=set(assigned) | set(handled)))
    rows = officers.select_related("street").order_by("street__code", "badge_no", "pk")
    return [
        {
            "key": str(o.pk),
            "label": o.name,
            "badge_no": o.badge_no,
            "street": o.street.name if o.street else "",
            "assigned": assigned.get(o.pk, 0),
            "handled": handled.get(o.pk, 0),
        }
        for o in rows
    ]


def _add(counts: dict[int, int], rolled: dict[str, int]) -> dict[int, int]:
    for key, n in rolled.items():
        counts[int(key)] = counts.get(int(key), 0) + n
    return counts


def case_cohort(scope: AnalyticsScope) -> QuerySet[Case] | None:
    """The cases of the scope: the district's, a street's, or those an officer handles (主办 or 协办). Cases
    have no zone and no responsible department of their own: at those levels there is no case figure."""
    if scope.zone is not None or scope.department is not None:
        return None
    cases = Case.objects.filter(district_id=scope.district_id)
    if scope.street is not None:
        cases = cases.filter(street_id=scope.street.pk)
    if scope.officer is not None:
        cases = cases.filter(Q(handler_id=scope.officer.pk) | Q(co_handler_id=scope.officer.pk))
    return cases


def overdue_deadlines(cases: QuerySet[Case], today: dt.date) -> QuerySet[CaseDeadline]:
    """The agency's deadlines past due and not met, as the deadline watch escalates them
    (zhifa/cases/services/deadlines.py): not suspended, and not one of the party's own windows."""
    return CaseDeadline.objects.filter(
        case__in=cases, met_on__isnull=True, suspended_since__isnull=True, due_on__lt=today
    ).exclude(code__in=PARTY_WINDOWS)


def _cases(scope: AnalyticsScope, *, today: dt.date) -> dict[str, Any] | None:
    cases = case_cohort(scope)
    if cases is None:
        return None
    period = {"gte": scope.date_from, "lte": scope.date_to}
    decided = Q(decided_on__gte=period["gte"], decided_on__lte=period["lte"])
    totals = cases.aggregate(
        filed=Count("pk", filter=Q(filed_on__gte=period["gte"], filed_on__lte=period["lte"])),
        decided=Count("pk", filter=decided),
        fines=Sum("decided_fine", filter=decided),
    )
    return {
        "filed": totals["filed"],
        "decided": totals["decided"],
        "fines_total": str(Decimal(totals["fines"] or 0).quantize(Decimal("0.01"))),
        "overdue_deadlines": overdue_deadlines(cases, today).count(),
    }


# ---- the records behind a figure ------------------------------------------------------------------------

EVENT_FIGURES = {
    "all": "全部事件",
    "source": "来源",
    "kind": "诉求类型",
    "street": "街道",
    "zone": "片区",
    "hour": "时段",
    "grid": "网格",
    "weekhour": "周时段",
    "clock": "1530时限",
    "escalated": "超时升级",
    "coordination": "协同联办",
    "repeat": "重复发生",
    "assigned": "派遣",
    "handled": "处置",
}
CASE_FIGURES = {"filed": "立案", "decided": "作出决定", "overdue": "期限已过未完成"}


def _bad_key(figure: str, key: str) -> ValidationFailed:
    return ValidationFailed(
        f"统计项“{figure}”没有“{key[:30]}”这一项", code="unknown_figure_key", details={"field": "key"}
    )


def _int_key(figure: str, key: str) -> int:
    try:
        value = int(key)
    except ValueError:
        raise _bad_key(figure, key) from None
    if not 0 <= value <= MAX_ID:
        raise _bad_key(figure, key)
    return value


def event_records(
    scope: AnalyticsScope, *, figure: str, key: str = "", now: dt.datetime | None = None
) -> QuerySet[Event]:
    """The events behind one figure of ``overview``, newest first; refused with ``unknown_figure`` or
    ``unknown_figure_key``."""
    now = now or timezone.now()
    events = cohort(scope)
    if figure == "all":
        pass
    elif figure == "source":
        if key not in EventSource.values:
            raise _bad_key(figure, key)
        events = events.filter(source=key)
    elif figure == "kind":
        events = events.filter(kind__isnull=True) if key == NO_KIND else events.filter(kind_id=_int_key(figure, key))
    elif figure in ("street", "zone", "grid"):
        events = events.filter(**{f"{figure}_id": _int_key(figure, key)})
    elif figure == "hour":
        hour = _int_key(figure, key)
        if not 0 <= hour <= 23:
            raise _bad_key(figure, key)
        events = events.annotate(hour=ExtractHour("reported_at", tzinfo=LOCAL_TZ)).filter(hour=hour)
    elif figure == "weekhour":
        # "<weekday 1–7>-<hour 0–23>", the hotspots' hour of week.
        slot = re.fullmatch(r"([1-7])-(\d{1,2})", key)
        if slot is None or int(slot[2]) > 23:
            raise _bad_key(figure, key)
        # In a Q object: the type checker knows the model's fields only, not the annotations.
        events = with_week_hour(events).filter(Q(weekday=int(slot[1]), hour=int(slot[2])))
    elif figure == "clock":
        clock, _, outcome = key.partition(":")
        if clock not in {c for c, _d, _m in CLOCKS} or outcome not in CLOCK_OUTCOMES:
            raise _bad_key(figure, key)
        events = events.filter(clock_q(clock, outcome, now))
    elif figure == "escalated":
        events = events.filter(_escalated())
    elif figure == "coordination":
        department, _, outcome = key.partition(":")
        tasks = CoordinationTask.objects.filter(event=OuterRef("pk"), department_id=_int_key(figure, department))
        if outcome:
            if outcome not in COORDINATION_OUTCOMES:
                raise _bad_key(figure, key)
            tasks = tasks.filter(coordination_q(outcome, now))
        events = events.filter(Exists(tasks))
    elif figure == "repeat":
        if key:
            # The whole place, its reports before the period included: the records explain the figure.
            events = Event.objects.filter(repeat_event_ids(scope, place=_int_key(figure, key)))
        else:
            events = events.filter(repeat_event_ids(scope))
    elif figure == "assigned":
        officer = _int_key(figure, key)
        events = events.filter(Exists(EventAssignment.objects.filter(event=OuterRef("pk"), officer_id=officer)))
    elif figure == "handled":
        officer = _int_key(figure, key)
        rounds = EventHandlingRound.objects.filter(event=OuterRef("pk"), officers=officer)
        events = events.filter(Exists(rounds))
    else:
        raise ValidationFailed(f"没有“{figure[:30]}”这一统计项", code="unknown_figure", details={"field": "figure"})
    return events.select_related("street", "zone", "kind", "matter").order_by("-reported_at", "-pk")


# The figures whose records the rollup counts (the records page's total).
ROLLED_RECORD_FIGURES = frozenset(
    {"all", "source", "kind", "street", "zone", "grid", "hour", "weekhour", "clock", "escalated"}
)


def event_records_count(scope: AnalyticsScope, *, figure: str, key: str = "", now: dt.datetime | None = None) -> int:
    """How many events ``event_records`` lists — the figure's own number: for a figure the rollup holds, its
    settled days are counted from the rollup (as ``overview`` counts them) and the rest from the events, so a
    district's month is a few thousand rollup rows, not 420,000 events (ADR 0016); any other figure counts the
    events. Refused as ``event_records`` is."""
    now = now or timezone.now()
    records = event_records(scope, figure=figure, key=key, now=now)  # validates the figure and key
    if figure == "repeat" and not key:
        return repeat_count(scope)  # the marks' count, not 420,000 events tested against them
    days = rolled_days(scope) if figure in ROLLED_RECORD_FIGURES else []
    if not days:
        return records.count()
    raw = _raw_days(scope, days)
    n = records.filter(_days_q(raw)).count() if raw else 0
    if figure in ("source", "kind", "grid", "hour"):
        if figure != "source" and key != NO_KIND:
            key = str(int(key))  # as the rollup keeps it ("08" is hour 8)
        return n + rolled_counts(scope, days, figure).get(key, 0)
    if figure == "weekhour":
        weekday, _, hour = key.partition("-")
        return n + rolled_week_hours(scope, days).get((int(weekday), int(hour)), 0)
    column = "escalated" if figure == "escalated" else "n"
    sources = [rows.filter(dim="all") for rows in _rollup_rows(scope, days)]
    if figure in ("street", "zone"):
        sources = [rows.filter(**{f"{figure}_id": int(key)}) for rows in sources]
    elif figure == "clock":
        clock, _, outcome = key.partition(":")
        if outcome == "running":
            return n  # settled days: no clock is still running
        column = f"{clock}_met"
        if outcome == "missed":  # settled days: a clock not done is past due
            found = _summed(sources, ["district_id"], {"late": Sum(f"{clock}_late"), "open": Sum(f"{clock}_open")})
            return n + sum(r["late"] + r["open"] for r in found.values())
    found = _summed(sources, ["district_id"], {"n": Sum(column)})
    return n + sum(r["n"] for r in found.values())


def case_records(scope: AnalyticsScope, *, figure: str, today: dt.date | None = None) -> QuerySet[Case]:
    """The cases behind one case figure; ``overdue``: the cases with an overdue deadline."""
    today = today or timezone.localdate()
    cases = case_cohort(scope)
    if cases is None:
        raise ValidationFailed("案件不按片区或部门统计，请在区或街道层级查看", code="cases_not_by_zone")
    if figure == "filed":
        cases = cases.filter(filed_on__gte=scope.date_from, filed_on__lte=scope.date_to)
    elif figure == "decided":
        cases = cases.filter(decided_on__gte=scope.date_from, decided_on__lte=scope.date_to)
    elif figure == "overdue":
        cases = cases.filter(pk__in=overdue_deadlines(cases, today).values("case_id"))
    else:
        raise ValidationFailed(f"没有“{figure[:30]}”这一统计项", code="unknown_figure", details={"field": "figure"})
    return cases.select_related("street", "matter").order_by("-created_at", "-pk")
