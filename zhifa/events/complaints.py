"""Complaints near a place: the events (complaints, reports) reported within a radius of each of several points over a
period, not counting those folded into another, refused or handed back. One query for the period, then each point
reads the ~100 m cells around it. Read by the credit board's 投诉情况 and the inspections' three colours."""

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping

from zhifa.events.distance import haversine_m
from zhifa.events.models import Event
from zhifa.events.states import EventStatus

# Events that are not a complaint about the place: folded into another, refused, or handed back.
NOT_COMPLAINTS = (EventStatus.MERGED, EventStatus.REJECTED, EventStatus.RETURNED, EventStatus.SENT_BACK)
_CELL = 0.001


def complaints_near(
    *,
    district_id: int,
    points: Mapping[int, tuple[float, float]],
    since: dt.date,
    until: dt.date,
    radius_m: float,
    matter_ids: Iterable[int] | None = None,
) -> dict[int, list[int]]:
    """{key: [event ids]} of the events reported on [since, until) within ``radius_m`` of each point (lon, lat);
    ``matter_ids``: only events on those matters (None: any)."""
    events = Event.objects.filter(district_id=district_id, reported_at__date__gte=since, reported_at__date__lt=until)
    if matter_ids is not None:
        events = events.filter(matter_id__in=list(matter_ids))
    buckets: dict[tuple[int, int], list[tuple[int, float, float]]] = defaultdict(list)
    for pk, lon, lat in events.exclude(status__in=NOT_COMPLAINTS).values_list("pk", "lon", "lat"):
        buckets[(math.floor(lon / _CELL), math.floor(lat / _CELL))].append((pk, lon, lat))
    # A cell is 0.001° (~111 m north–south, ~96 m east–west at 30°N): enough cells around each point to hold the radius.
    span = range(-max(1, math.ceil(radius_m / 90.0)), max(1, math.ceil(radius_m / 90.0)) + 1)
    found: dict[int, list[int]] = {}
    for key, (lon0, lat0) in points.items():
        cx, cy = math.floor(lon0 / _CELL), math.floor(lat0 / _CELL)
        found[key] = sorted(
            pk
            for dx in span
            for dy in span
            for pk, lon, lat in buckets.get((cx + dx, cy + dy), ())
            if haversine_m(lon0, lat0, lon, lat) <= radius_m
        )
    return found
