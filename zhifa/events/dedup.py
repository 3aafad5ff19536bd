"""Duplicate reports (重复上报): the same problem reported again, nearby and soon after, by someone else.

Rule: an event is a duplicate of the earliest *open* event (``OPEN_STATES``, not itself merged) of the same
district and the same enforcement matter, reported at most ``ZHIFA_DEDUP_WINDOW_MINUTES`` before it, within
``ZHIFA_DEDUP_RADIUS_M`` metres (great-circle distance on WGS-84). An event without a matter has no
duplicate: two different problems at one shop door must not be merged because nobody classified them.

The query narrows by (district, matter, status, reported_at) — the ``event_dedup_idx`` index — and by a
bounding box around the point; the exact distance is then checked in Python on the few rows left.
"""

import datetime as dt

from django.conf import settings
from django.db.models import Q

from zhifa.events.distance import bounding_box, haversine_m
from zhifa.events.models import Event
from zhifa.events.states import OPEN_STATES

# A chain of merges is one link long when merges go through find_duplicate; the bound only guards
# against a cycle made by hand in the admin.
_MAX_MERGE_HOPS = 10


def find_duplicate(*, event: Event) -> Event | None:
    """The primary open event this one duplicates, or ``None``."""
    if event.matter_id is None:
        return None
    radius_m = float(getattr(settings, "ZHIFA_DEDUP_RADIUS_M", 100))
    window = dt.timedelta(minutes=int(getattr(settings, "ZHIFA_DEDUP_WINDOW_MINUTES", 120)))
    west, south, east, north = bounding_box(event.lon, event.lat, radius_m)
    # "Before it": earlier, or at the same instant but stored first (ids break ties deterministically).
    before = Q(reported_at__lt=event.reported_at)
    if event.pk is not None:
        before |= Q(reported_at=event.reported_at, id__lt=event.pk)
    candidates = (
        Event.objects.filter(
            district_id=event.district_id,
            matter_id=event.matter_id,
            status__in=OPEN_STATES,
            reported_at__gte=event.reported_at - window,
            merged_into__isnull=True,
            lon__gte=west,
            lon__lte=east,
            lat__gte=south,
            lat__lte=north,
        )
        .filter(before)
        .order_by("reported_at", "id")
    )
    if event.pk is not None:
        candidates = candidates.exclude(pk=event.pk)
    for candidate in candidates:
        if haversine_m(event.lon, event.lat, candidate.lon, candidate.lat) <= radius_m:
            return _primary(candidate)
    return None


def _primary(event: Event) -> Event:
    for _ in range(_MAX_MERGE_HOPS):
        if event.merged_into_id is None:
            return event
        event = Event.objects.get(pk=event.merged_into_id)
    return event
