"""更正位置: move an open event to where it really is, with a reason.

The pin is where the caller said, and callers name the road, not the gate; the officer on site or the
caller's second call says where it is. The new point is located again (street, zone, grid) and refused outside
the district, like any intake; the old place is kept (``EventRelocation``) and the change audited.

Who: those who command the event (the command centre; a street dispatcher for their street's events), and
a street dispatcher only to a point inside their own street — moving an event into another street hands it
to that street, which is the command centre's call. Open events only: a closed event's place is the record.

An event already dispatched keeps its officers; if it moved to another street, the dispatcher re-dispatches
(改派) as for any other reason. The clocks are not touched.
"""

from django.db import transaction
from django.utils import timezone

from zhifa.core.actors import Actor, actor_user
from zhifa.core.audit import audit_record
from zhifa.core.errors import Conflict, PermissionDenied, ValidationFailed
from zhifa.events.models import Event, EventRelocation
from zhifa.events.permissions import covers_event_street
from zhifa.events.services.common import actor_label, require_command
from zhifa.events.states import OPEN_STATES
from zhifa.geo.services import locate_point, to_wgs84

MAX_REASON_CHARS = 200
MAX_ADDRESS_CHARS = 200


def event_relocate(
    *,
    actor: Actor,
    event: Event,
    lon: float,
    lat: float,
    reason: str,
    address: str | None = None,
    coord_system: str = "wgs84",
) -> Event:
    """The event at its corrected place; ``address`` None keeps the typed address, "" clears it."""
    j = require_command(actor, event, what="更正事件位置")
    text = (reason or "").strip()
    if not text:
        raise ValidationFailed("请填写更正位置的原因", code="relocate_reason_required", details={"field": "reason"})
    if len(text) > MAX_REASON_CHARS:
        raise ValidationFailed(
            f"更正原因不能超过{MAX_REASON_CHARS}字",
            code="field_too_long",
            details={"field": "reason", "max": MAX_REASON_CHARS},
        )
    new_address = event.address if address is None else address.strip()
    if len(new_address) > MAX_ADDRESS_CHARS:
        raise ValidationFailed(
            f"地址不能超过{MAX_ADDRESS_CHARS}字",
            code="field_too_long",
            details={"field": "address", "max": MAX_ADDRESS_CHARS},
        )
    w_lon, w_lat = to_wgs84(float(lon), float(lat), coord_system)
    location = locate_point(district_id=event.district_id, lon=w_lon, lat=w_lat)
    if j is not None and not covers_event_street(j, location.street_id):
        raise PermissionDenied(
            f"新位置在{location.street_name or '其他街道'}，不在您所在街道的辖区内，请报区指挥中心更正",
            code="outside_jurisdiction",
            details={"street_id": location.street_id},
        )
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        if locked.status not in OPEN_STATES:
            raise Conflict(
                f"事件{locked.get_status_display()}，不能再更正位置",
                code="event_not_open",
                details={"status": locked.status},
            )
        before = {
            "lon": locked.lon,
            "lat": locked.lat,
            "address": locked.address,
            "street_id": locked.street_id,
            "zone_id": locked.zone_id,
            "grid_id": locked.grid_id,
        }
        row = EventRelocation.objects.create(
            event=locked,
            from_lon=locked.lon,
            from_lat=locked.lat,
            from_address=locked.address,
            from_street_id=locked.street_id,
            to_lon=w_lon,
            to_lat=w_lat,
            to_address=new_address,
            to_street_id=location.street_id,
            reason=text,
            actor=actor_user(actor),
            actor_label=actor_label(actor),
            relocated_at=timezone.now(),
        )
        after = {
            "lon": w_lon,
            "lat": w_lat,
            "address": new_address,
            "street_id": location.street_id,
            "zone_id": location.zone_id,
            "grid_id": location.grid_id,
        }
        Event.objects.filter(pk=locked.pk).update(updated_at=row.relocated_at, **after)
        audit_record(
            actor=actor,
            action="event.relocate",
            obj=locked,
            before=before,
            after={**after, "relocation_id": row.pk},
            reason=text,
            district_id=locked.district_id,
        )
    return Event.objects.get(pk=event.pk)
