"""Duplicate reports (重复上报): the same problem reported again, nearby and soon after, by someone else.

Rule: an event is a duplicate of the earliest *open* event (``OPEN_STATES``, not itself merged) of the same
district and the same enforcement matter, reported at most ``ZHIFA_DEDUP_WINDOW_MINUTES`` before it, within
``ZHIFA_DEDUP_RADIUS_M`` metres (great-circle distance on WGS-84). An event without a matter has no
duplicate: two different problems at one shop door must not be merged because nobody classified them.

The query narrows by district, matter and a band of longitude around the point — the ``event_dedup_idx``
index, which also carries the latitude, state, time and merge link so that the rest of the bounding box and
the window are checked on the index alone — and the exact distance is then checked in Python on the few
rows left.
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import connection

from zhifa.core import rows
from zhifa.events.distance import bounding_box, haversine_m
from zhifa.events.models import Event
from zhifa.events.states import OPEN_STATES


@rows.sql_once
def _sql(conn: Any) -> str:
    # Hand-written: it runs inside every intake's write transaction, and building the same filter through
    # the ORM took ten times as long as the indexed query itself (ADR 0005).
    open_states = ", ".join(f"'{s}'" for s in sorted(OPEN_STATES))
    return (
        f"SELECT e.id, e.lon, e.lat FROM {conn.ops.quote_name(Event._meta.db_table)} e "
        "WHERE e.district_id = %s AND e.matter_id = %s "
        f"AND e.status IN ({open_states}) AND e.reported_at >= %s AND e.merged_into_id IS NULL "
        "AND e.lon >= %s AND e.lon <= %s AND e.lat >= %s AND e.lat <= %s "
        # "Before it": earlier, or at the same instant but stored first (ids break ties).
        "AND (e.reported_at < %s OR (e.reported_at = %s AND e.id < %s)) AND e.id <> %s "
        "ORDER BY e.reported_at, e.id"
    )


def find_duplicate(*, event: Event, lock: bool = False) -> Event | None:
    """The primary open event this one duplicates, or ``None``; ``lock``: read it ``FOR UPDATE``."""
    if event.matter_id is None:
        return None
    radius_m = float(getattr(settings, "ZHIFA_DEDUP_RADIUS_M", 100))
    window = dt.timedelta(minutes=int(getattr(settings, "ZHIFA_DEDUP_WINDOW_MINUTES", 120)))
    west, south, east, north = bounding_box(event.lon, event.lat, radius_m)
    reported_at = _REPORTED_AT.get_db_prep_value(event.reported_at, connection)
    since = _REPORTED_AT.get_db_prep_value(event.reported_at - window, connection)
    # An unsaved event has no id yet: every stored one is "before" it at the same instant.
    own_id = event.pk if event.pk is not None else _NO_ID
    params = [event.district_id, event.matter_id, since, west, east, south, north, reported_at, reported_at]
    # Planned for these values every time: which index is best depends on how many events there are now.
    found = rows.fetch_planned_each_time(_sql(), [*params, own_id, own_id])
    # The candidates are primaries (merged_into IS NULL), so the first one within the radius is the answer.
    for candidate_id, lon, lat in found:
        if haversine_m(event.lon, event.lat, lon, lat) <= radius_m:
            return rows.select_one(Event, pk=candidate_id, lock=lock)
    return None


_REPORTED_AT = Event._meta.get_field("reported_at")
_NO_ID = 2**62
