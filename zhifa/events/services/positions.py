"""Officer positions from the phone: kept (append-only) for dispatch and the map, throttled on write.

A phone reports every few seconds; a new row is kept unless the previous one is both recent
(``ZHIFA_POSITION_THROTTLE_SECONDS``) and close (``ZHIFA_POSITION_THROTTLE_METRES``) — an officer standing
still adds nothing, one on the move is tracked.
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from zhifa.core.actors import Actor
from zhifa.core.errors import PermissionDenied
from zhifa.events.distance import haversine_m
from zhifa.events.models import OfficerPosition
from zhifa.events.permissions import can_record_position
from zhifa.events.services.common import actor_jurisdiction
from zhifa.geo.services import to_wgs84
from zhifa.org.models import Officer


def officer_position_record(
    *,
    actor: Actor,
    officer: Officer,
    lon: float,
    lat: float,
    accuracy_m: float | None = None,
    recorded_at: dt.datetime | None = None,
) -> OfficerPosition | None:
    """Append a position; None when throttled. Positions are not audited: they are telemetry, not decisions."""
    j = actor_jurisdiction(actor, district_id=officer.district_id)
    if j is not None and not can_record_position(j, officer.user_id):
        raise PermissionDenied("只能上报本人的位置", code="permission_denied")
    w_lon, w_lat = to_wgs84(float(lon), float(lat))
    at = recorded_at or timezone.now()
    previous = OfficerPosition.objects.filter(officer=officer).order_by("-recorded_at", "-pk").first()
    if previous is not None:
        seconds = float(getattr(settings, "ZHIFA_POSITION_THROTTLE_SECONDS", 15))
        metres = float(getattr(settings, "ZHIFA_POSITION_THROTTLE_METRES", 20))
        is_recent = (at - previous.recorded_at).total_seconds() < seconds
        is_close = haversine_m(w_lon, w_lat, previous.lon, previous.lat) < metres
        if is_recent and is_close:
            return None
    return OfficerPosition.objects.create(officer=officer, lon=w_lon, lat=w_lat, accuracy_m=accuracy_m, recorded_at=at)
