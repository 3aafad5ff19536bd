"""Hotspots (热点, issue 17 part 1): where and when events happen — the events of an ``AnalyticsScope`` counted by
grid (网格, the smallest area the district is divided into; every event has one) and by hour of week (the
local weekday and hour of ``reported_at``, 7 × 24 cells), with the busiest cells of each.

The events counted are the leaders' view's cohort (``selectors.cohort``: reported in the period, in the
district or the drill-down, merged duplicates not counted), so the hotspots add up with every other figure of
the page; their records are ``selectors.event_records`` with ``figure=grid`` (key: the grid's id) and
``figure=weekhour`` (key ``<weekday 1–7>-<hour>``), built from the same conditions (``with_week_hour``).

Two grouped queries count (one by grid, one by weekday and hour) whatever the number of events; a third reads
the scope's grids (their names and outlines, for the map), which do not grow with the events. The settled days
are counted from the rollup instead (ADR 0016: grid; hour of week from months, hour under the day's weekday from
days), one more query for which days they are and one or two per count. ``recent_by_grid``
is the wall screen's "hotspots now": the same count by grid over the last hours instead of a period of days.
"""

import dataclasses
import datetime as dt
from typing import Any

from django.db.models import Count, QuerySet

from zhifa.analytics.scope import LOCAL_TZ, AnalyticsScope
from zhifa.analytics.selectors import cohort, rolled_and_raw, rolled_counts, rolled_week_hours, with_week_hour
from zhifa.events.models import Event
from zhifa.org.models import Grid

WEEKDAYS = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
TOP_CELLS = 10


def scope_grids(scope: AnalyticsScope) -> QuerySet[Grid]:
    """The grids the scope's map shows: the district's, the street's or the zone's."""
    grids = Grid.objects.filter(district_id=scope.district_id)
    if scope.zone is not None:
        grids = grids.filter(zone_id=scope.zone.pk)
    elif scope.street is not None:
        grids = grids.filter(street_id=scope.street.pk)
    return grids.select_related("street", "zone").order_by("code", "pk")


def _by_grid(events: QuerySet[Event]) -> dict[int, int]:
    return dict(events.order_by().values_list("grid_id").annotate(n=Count("pk")).values_list("grid_id", "n"))


def _grid_rows(grids: QuerySet[Grid], counts: dict[int, int]) -> list[dict[str, Any]]:
    """Every grid of the scope, zeros included (a quiet grid is shaded too), busiest first. Read as plain
    values: a district has some 1,500 grids, and their outlines are not needed here."""
    rows = [
        {"key": str(pk), "label": name, "code": code, "street": street, "zone": zone, "count": counts.get(pk, 0)}
        for pk, name, code, street, zone in grids.values_list("pk", "name", "code", "street__name", "zone__name")
    ]
    return sorted(rows, key=lambda r: (-r["count"], r["code"]))


def hotspots(scope: AnalyticsScope, *, top: int = TOP_CELLS) -> dict[str, Any]:
    """The hotspots of ``scope`` as plain data: ``grids`` (every grid of the scope with its count, busiest
    first), ``top_grids`` (the ``top`` busiest with events), ``week_hours`` (7 rows Monday…Sunday of 24 counts),
    ``top_slots`` (the ``top`` busiest hours of week with events), ``total`` and ``max_grid``/``max_slot``."""
    # Settled days from the rollup (grid; hour of week), the rest from the events, as the overview (ADR 0016).
    days, events = rolled_and_raw(scope)
    grid_counts = _by_grid(events)
    for key, n in rolled_counts(scope, days, "grid").items():
        grid_counts[int(key)] = grid_counts.get(int(key), 0) + n
    annotated: Any = with_week_hour(events)  # weekday, hour: annotations the type checker does not follow
    slots = annotated.order_by().values("weekday", "hour").annotate(n=Count("pk"))
    matrix = [[0] * 24 for _ in range(7)]
    for row in slots:
        matrix[row["weekday"] - 1][row["hour"]] = row["n"]
    for (weekday, hour), n in rolled_week_hours(scope, days).items():
        matrix[weekday - 1][hour] += n
    grid_rows = _grid_rows(scope_grids(scope), grid_counts)
    slot_rows: list[dict[str, Any]] = sorted(
        (
            {"key": f"{d + 1}-{h}", "label": f"{WEEKDAYS[d]} {h:02d}时", "weekday": d + 1, "hour": h, "count": n}
            for d, hours in enumerate(matrix)
            for h, n in enumerate(hours)
            if n
        ),
        key=lambda r: (-r["count"], r["weekday"], r["hour"]),
    )
    return {
        "period": {"from": scope.date_from.isoformat(), "to": scope.date_to.isoformat()},
        "total": sum(grid_counts.values()),
        "grids": grid_rows,
        "top_grids": [r for r in grid_rows if r["count"]][:top],
        "max_grid": max((r["count"] for r in grid_rows), default=0),
        "weekdays": WEEKDAYS,
        "week_hours": matrix,
        "top_slots": slot_rows[:top],
        "max_slot": max((max(r) for r in matrix), default=0),
    }


def grid_outlines(grids: QuerySet[Grid]) -> dict[str, Any]:
    """The grids' outlines as a GeoJSON FeatureCollection for the map (the id and the names only; the counts
    travel apart, so that the wall can refresh them without sending the outlines again)."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": pk,
                "geometry": boundary,
                "properties": {"key": str(pk), "name": name, "street": street, "zone": zone},
            }
            for pk, name, boundary, street, zone in grids.values_list(
                "pk", "name", "boundary", "street__name", "zone__name"
            )
            if boundary
        ],
    }


def recent_by_grid(scope: AnalyticsScope, *, now: dt.datetime, hours: int = 2) -> list[dict[str, Any]]:
    """The wall screen's hotspots now: the scope's events reported in the last ``hours`` (merged duplicates not
    counted), by grid, busiest first; only grids with events. One grouped query."""
    since = now - dt.timedelta(hours=hours)
    # The cohort of the days the window touches (it may start yesterday), then the window itself.
    days = dataclasses.replace(scope, date_from=min(scope.date_from, since.astimezone(LOCAL_TZ).date()))
    rows = (
        cohort(days)
        .filter(reported_at__gte=since, reported_at__lte=now)
        .order_by()
        .values("grid_id", "grid__name", "street__name")
        .annotate(n=Count("pk"))
    )
    out = [
        {"key": str(r["grid_id"]), "label": r["grid__name"], "street": r["street__name"], "count": r["n"]} for r in rows
    ]
    return sorted(out, key=lambda r: (-r["count"], r["label"]))
