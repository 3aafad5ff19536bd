"""The leaders' view pre-aggregated by day (分析日汇总, ADR 0016): ``AnalyticsDaily`` rows per local day × zone ×
responsible department × figure key, so that a period of whole past days is read from a few thousand rows
instead of millions of events; and ``AnalyticsMonthly``, each calendar month's sum of its day rows (plus the
hour of week the hotspots count by), so that a year is read from twelve months' rows, not 365 days'.

``refresh(district_id, first, last)`` recounts those days from the events with the selectors' own conditions
(the cohort, ``clock_q``), a calendar month per transaction, replacing what was there and rewriting the month's
sum in the same transaction (a month row is always the sum of its day rows): it can be run again at any time and
gives the same rows. Kept current by ``manage.py analytics_rollup`` under ``make run`` (every
``--interval`` seconds: the last ``--days`` days, and every older day holding an event, task, assignment,
escalation or handling round written since the previous refresh began; ``--backfill N`` once at the start). ``selectors.overview`` reads a day from here only when
it is a whole past day refreshed after it ended and none of its open clocks or tasks can still turn from
running to missed (``open_due_last`` past); every other day is counted from the events, so a figure is the same
either way (tests: ``test_rollup.py``).

Derived figures, not records: a refresh is not audited (the events it counts are).
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncDate
from django.utils import timezone

from zhifa.analytics.models import COUNT_COLUMNS, AnalyticsDaily, AnalyticsMonthly, AnalyticsRollupDay
from zhifa.analytics.scope import LOCAL_TZ
from zhifa.analytics.selectors import CLOCKS, _escalated, clock_q, month_of
from zhifa.events.models import CoordinationTask, Event, EventAssignment, EventEscalation, EventHandlingRound
from zhifa.events.states import EventStatus

GROUP = ("g_day", "g_street", "g_zone", "g_department")


def _bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return (
        dt.datetime.combine(first, dt.time(0), tzinfo=LOCAL_TZ),
        dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=LOCAL_TZ),
    )


def _events(district_id: int, first: dt.date, last: dt.date) -> QuerySet[Event]:
    """The cohort of these days (as ``selectors.cohort``: reported in them, merged duplicates left out)."""
    starts, ends = _bounds(first, last)
    return Event.objects.filter(district_id=district_id, reported_at__gte=starts, reported_at__lt=ends).exclude(
        status=EventStatus.MERGED
    )


def _by_event(rows: QuerySet[Any], prefix: str) -> QuerySet[Any]:
    """Rows of a table hanging off an event, keyed by their event's day, street, zone and department."""
    return rows.annotate(
        g_day=TruncDate(f"{prefix}reported_at", tzinfo=LOCAL_TZ),
        g_street=F(f"{prefix}street_id"),
        g_zone=F(f"{prefix}zone_id"),
        g_department=F(f"{prefix}department_id"),
    )


def _row(district_id: int, r: dict[str, Any], dim: str, key: Any, **counts: Any) -> AnalyticsDaily:
    return AnalyticsDaily(
        district_id=district_id,
        day=r["g_day"],
        street_id=r["g_street"],
        zone_id=r["g_zone"],
        department_id=r["g_department"],
        dim=dim,
        key="" if key is None else str(key),
        **counts,
    )


def compute(district_id: int, first: dt.date, last: dt.date, *, now: dt.datetime) -> list[AnalyticsDaily]:
    """The rows of these days, counted from the events (nothing written)."""
    events = _by_event(_events(district_id, first, last).order_by(), "")
    out: list[AnalyticsDaily] = []
    aggregates: dict[str, Any] = {"n": Count("pk"), "escalated": Count("pk", filter=Q(_escalated()))}
    for clock, due, done in CLOCKS:
        aggregates[f"{clock}_met"] = Count("pk", filter=clock_q(clock, "met", now))
        aggregates[f"{clock}_late"] = Count("pk", filter=Q(**{f"{done}__gt": F(due)}))
        aggregates[f"{clock}_open"] = Count("pk", filter=Q(**{f"{due}__isnull": False, f"{done}__isnull": True}))
        aggregates[f"{clock}_due"] = Max(due, filter=Q(**{f"{done}__isnull": True}))
    for r in events.values(*GROUP).annotate(**aggregates):
        dues = [r.pop(f"{c}_due") for c, _d, _m in CLOCKS]
        counts = {k: r[k] for k in aggregates if not k.endswith("_due")}
        out.append(_row(district_id, r, "all", None, open_due_last=max((d for d in dues if d), default=None), **counts))
    for dim, expr in (
        ("source", F("source")),
        ("kind", F("kind_id")),
        ("hour", ExtractHour("reported_at", tzinfo=LOCAL_TZ)),
        ("grid", F("grid_id")),
    ):
        for r in events.annotate(value=expr).values(*GROUP, "value").annotate(n=Count("pk")):
            key = "none" if dim == "kind" and r["value"] is None else r["value"]
            out.append(_row(district_id, r, dim, key, n=r["n"]))
    cohort = _events(district_id, first, last)
    steps = _by_event(EventEscalation.objects.filter(event__in=cohort).order_by(), "event__")
    for r in steps.values(*GROUP, "clock", "level").annotate(n=Count("pk")):
        out.append(_row(district_id, r, "escalation", f"{r['clock']}:{r['level']}", n=r["n"]))
    tasks = _by_event(CoordinationTask.objects.filter(event__in=cohort).order_by(), "event__")
    for r in tasks.values(*GROUP, "department_id").annotate(
        n=Count("pk"),
        coordination_met=Count("pk", filter=Q(feedback_at__isnull=False, feedback_at__lte=F("due_at"))),
        coordination_late=Count("pk", filter=Q(feedback_at__gt=F("due_at"))),
        coordination_open=Count("pk", filter=Q(feedback_at__isnull=True)),
        open_due_last=Max("due_at", filter=Q(feedback_at__isnull=True)),
    ):
        key = r.pop("department_id")
        out.append(_row(district_id, r, "coordination", key, **{k: v for k, v in r.items() if k not in GROUP}))
    sent = _by_event(EventAssignment.objects.filter(event__in=cohort).order_by(), "event__")
    for r in sent.values(*GROUP, "officer_id").annotate(n=Count("pk")):
        out.append(_row(district_id, r, "assigned", r["officer_id"], n=r["n"]))
    through: Any = EventHandlingRound.officers.through
    rounds = _by_event(
        through.objects.filter(eventhandlinground__event__in=cohort).order_by(), "eventhandlinground__event__"
    )
    for r in rounds.values(*GROUP, "officer_id").annotate(n=Count("pk")):
        out.append(_row(district_id, r, "handled", r["officer_id"], n=r["n"]))
    return out


def _days(first: dt.date, last: dt.date) -> Iterable[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def refresh(district_id: int, first: dt.date, last: dt.date, *, now: dt.datetime | None = None) -> int:
    """Recount the days ``first``…``last`` (local) of the district, a calendar month at a time (bounded memory
    on a long backfill), each month's sum rewritten with its days; returns the number of day rows written."""
    now = now or timezone.now()
    written = 0
    while first <= last:
        stop = min(last, month_of(first)[1])
        written += _refresh(district_id, first, stop, now=now)
        first = stop + dt.timedelta(days=1)
    return written


def _refresh(district_id: int, first: dt.date, last: dt.date, *, now: dt.datetime) -> int:
    """Days of one calendar month and the month's sum, in one transaction."""
    with transaction.atomic():
        written = _write_days(district_id, first, last, now=now)
        _refresh_month(district_id, first)
    return written


def refresh_days(district_id: int, days: Iterable[dt.date], *, now: dt.datetime | None = None) -> int:
    """Recount these days (in any order, with gaps): each calendar month's days and then its sum once, in one
    transaction per month — the scheduler's changed old days, without a month's sum rewritten per day."""
    now = now or timezone.now()
    by_month: dict[dt.date, list[dt.date]] = {}
    for day in sorted(set(days)):
        by_month.setdefault(month_of(day)[0], []).append(day)
    written = 0
    for month, month_days in by_month.items():
        with transaction.atomic():
            for day in month_days:
                written += _write_days(district_id, day, day, now=now)
            _refresh_month(district_id, month)
    return written


def _write_days(district_id: int, first: dt.date, last: dt.date, *, now: dt.datetime) -> int:
    rows = compute(district_id, first, last, now=now)
    AnalyticsDaily.objects.filter(district_id=district_id, day__gte=first, day__lte=last).delete()
    AnalyticsDaily.objects.bulk_create(rows, batch_size=2000)
    due: dict[dt.date, dt.datetime] = {}
    for r in rows:
        if r.open_due_last is not None and (r.day not in due or r.open_due_last > due[r.day]):
            due[r.day] = r.open_due_last
    AnalyticsRollupDay.objects.filter(district_id=district_id, day__gte=first, day__lte=last).delete()
    AnalyticsRollupDay.objects.bulk_create(
        AnalyticsRollupDay(district_id=district_id, day=d, computed_at=now, open_due_last=due.get(d))
        for d in _days(first, last)
    )
    return len(rows)


def _refresh_month(district_id: int, day: dt.date) -> None:
    """Rewrite the month holding ``day`` as the sum of its day rows (``AnalyticsMonthly``), with the hour of
    week: each day's ``hour`` rows under their day's ISO weekday."""
    first, last = month_of(day)
    days = AnalyticsDaily.objects.filter(district_id=district_id, day__gte=first, day__lte=last).order_by()
    cell = ("street_id", "zone_id", "department_id")
    sums: dict[str, Any] = {c: Sum(c) for c in COUNT_COLUMNS}
    rows = [
        AnalyticsMonthly(district_id=district_id, month=first, open_due_last=r.pop("due"), **r)
        for r in days.values(*cell, "dim", "key").annotate(due=Max("open_due_last"), **sums)
    ]
    by_weekday = days.filter(dim="hour").annotate(weekday=ExtractIsoWeekDay("day"))
    for r in by_weekday.values(*cell, "weekday", "key").annotate(n=Sum("n")):
        weekday = r.pop("weekday")
        r["key"] = f"{weekday}-{r['key']}"
        rows.append(AnalyticsMonthly(district_id=district_id, month=first, dim="weekhour", **r))
    AnalyticsMonthly.objects.filter(district_id=district_id, month=first).delete()
    AnalyticsMonthly.objects.bulk_create(rows, batch_size=2000)


def changed_days(district_id: int, since: dt.datetime) -> set[dt.date]:
    """The local days whose events changed since ``since``: an event saved, or a task, an assignment, an
    escalation step or a handling round of it written since."""
    ours = Event.objects.filter(district_id=district_id).order_by()
    changed = [
        ours.filter(updated_at__gte=since),
        ours.filter(Exists(CoordinationTask.objects.filter(event=OuterRef("pk"), updated_at__gte=since))),
        ours.filter(
            Exists(
                EventAssignment.objects.filter(
                    Q(assigned_at__gte=since) | Q(released_at__gte=since), event=OuterRef("pk")
                )
            )
        ),
        ours.filter(Exists(EventEscalation.objects.filter(event=OuterRef("pk"), escalated_at__gte=since))),
        ours.filter(Exists(EventHandlingRound.objects.filter(event=OuterRef("pk"), handled_at__gte=since))),
    ]
    day = TruncDate("reported_at", tzinfo=LOCAL_TZ)
    found: set[dt.date] = set()
    for events in changed:
        found |= set(events.annotate(d=day).values_list("d", flat=True).distinct())
    return found


def refresh_recent(district_id: int, *, days: int, now: dt.datetime | None = None) -> int:
    """The scheduler's step: the last ``days`` local days, and any older day changed since the previous step
    began (the latest ``computed_at`` kept: a step missed while the scheduler was down is caught up)."""
    now = now or timezone.now()
    since = AnalyticsRollupDay.objects.filter(district_id=district_id).aggregate(at=Max("computed_at"))["at"]
    today = timezone.localtime(now, LOCAL_TZ).date()
    first = today - dt.timedelta(days=days - 1)
    written = refresh(district_id, first, today, now=now)
    if since is not None:
        written += refresh_days(district_id, (d for d in changed_days(district_id, since) if d < first), now=now)
    return written
