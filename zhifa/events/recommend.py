"""Which officers to send (派遣推荐): on duty, free, certified for the matter, nearby — fastest first.

Candidates are the district's active officers who

- are on duty now (``zhifa.org.roster_selectors.shifts_on_duty_at``: a live roster shift covering ``now``);
- are not busy (no unreleased ``EventAssignment`` on an event whose field clocks run, ``FIELD_STATES``);
- hold a valid enforcement certificate (``certificate_valid_until`` ≥ today) that covers the matter's domain
  (``Officer.certified_domains``; for an unclassified event any valid certificate) — APL 42: only certified
  officers investigate;
- serve the event's zone or street (片区化执法: the zone team answers for its zone). When fewer of them
  qualify than the event needs (``needed``: the caller's, from APL 42's rule in
  ``zhifa.events.services.dispatch.officers_needed``), officers of the neighbouring streets (whose
  boundaries touch the event's street) are added.

Ranking — estimated travel time, then zone before street before neighbour:

- from the officer's last known position: the latest ``OfficerPosition`` of the last
  ``POSITION_FRESH_MINUTES`` minutes; without one, their standby post of the shift (预判布防, ``StandbyPost``
  of a live plan covering ``now``), else the centre of their zone, else of their street (where they patrol);
- distance = great-circle distance × ``ROAD_FACTOR`` (1.3: the usual ratio of road to straight-line
  distance in a city grid);
- speed by the officer's ``travel_mode``: ``ZHIFA_RIDING_SPEED_MPS`` for those who ride e-bikes (4.5 m/s ≈
  16 km/h with stops), ``ZHIFA_WALKING_SPEED_MPS`` for those on foot (1.3 m/s) — a walker 600 m off is
  12 minutes away, and a rider twice as far arrives first;
- ``distance_m`` in the result is the straight-line distance (what the dispatcher sees on the map),
  ``eta_s`` the travel-time estimate.

Cost: a fixed number of queries whatever the number of officers — one for the matter, one for the streets'
geometry stamp (centroids and neighbours are cached per district), and one for the officers with their
latest position fetched by correlated sub-queries on the ``position_latest_idx`` index (portable: SQLite
and PostgreSQL alike). bench/recommend.py measures 300 on-duty officers.
"""

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef, Q, Subquery
from django.utils import timezone
from shapely.geometry import shape

from zhifa.catalog.models import Matter
from zhifa.core.stamped import StampedCache
from zhifa.events.distance import haversine_m
from zhifa.events.models import Event, EventAssignment, OfficerPosition
from zhifa.events.standby_selectors import standby_post_latest
from zhifa.events.states import FIELD_STATES
from zhifa.org.models import Officer, Street, TravelMode, Zone
from zhifa.org.roster_selectors import shifts_on_duty_at

ROAD_FACTOR = 1.3
POSITION_FRESH_MINUTES = 30
_NEIGHBOUR_TOLERANCE_DEG = 1e-6  # shared edges of hand-drawn boundaries rarely coincide to the last digit

_ZONE, _STREET, _NEIGHBOUR = 0, 1, 2
_SCOPE_REASON = {_ZONE: "同片区", _STREET: "同街道", _NEIGHBOUR: "邻近街道"}


@dataclass(frozen=True)
class Recommendation:
    officer_id: int
    officer_name: str
    distance_m: float
    eta_s: float
    reasons: list[str]


# --- the district's geometry: zone and street centres, neighbouring streets (cached per process) ---------


@dataclass(frozen=True)
class _Geometry:
    zone_centre: dict[int, tuple[float, float]]
    street_centre: dict[int, tuple[float, float]]
    neighbours: dict[int, frozenset[int]]


def _geometry_stamp(district_id: int) -> tuple[Any, ...]:
    stamp_row = Street.objects.filter(district_id=district_id).aggregate(
        street_count=Count("id", distinct=True),
        street_last=Max("updated_at"),
        zone_count=Count("zones", distinct=True),
        zone_last=Max("zones__updated_at"),
    )
    return tuple(stamp_row.values())


def _geometry(district_id: int) -> _Geometry:
    return _geometry_cache.get(district_id)


def _build_geometry(district_id: int) -> _Geometry:
    streets = {pk: shape(b) for pk, b in Street.objects.filter(district_id=district_id).values_list("id", "boundary")}
    zones = {pk: shape(b) for pk, b in Zone.objects.filter(district_id=district_id).values_list("id", "boundary")}
    grown = {pk: geom.buffer(_NEIGHBOUR_TOLERANCE_DEG) for pk, geom in streets.items()}
    neighbours = {
        pk: frozenset(other for other, geom in streets.items() if other != pk and grown[pk].intersects(geom))
        for pk in streets
    }
    return _Geometry(
        zone_centre={pk: (g.centroid.x, g.centroid.y) for pk, g in zones.items()},
        street_centre={pk: (g.centroid.x, g.centroid.y) for pk, g in streets.items()},
        neighbours=neighbours,
    )


# --- recommendation ---------------------------------------------------------------------------------------


_geometry_cache: StampedCache[int, _Geometry] = StampedCache(stamp=_geometry_stamp, build=_build_geometry)


def travel_seconds(straight_m: float, mode: str = TravelMode.RIDING) -> float:
    """The travel-time estimate for a straight-line distance: road factor and the speed of the officer's travel
    mode (module docstring). Predictive deployment (``zhifa.analytics.deployment``) judges its reach with it too."""
    if mode == TravelMode.WALKING:
        speed = float(getattr(settings, "ZHIFA_WALKING_SPEED_MPS", 1.3))
    else:
        speed = float(getattr(settings, "ZHIFA_RIDING_SPEED_MPS", 4.5))
    return straight_m * ROAD_FACTOR / speed


def _distance_text(metres: float) -> str:
    if metres < 1000:
        return f"距离约{max(10, round(metres / 10) * 10)}米"
    return f"距离约{metres / 1000:.1f}公里"


def recommend_officers(
    *, event: Event, needed: int, now: dt.datetime | None = None, limit: int = 5
) -> list[Recommendation]:
    """The officers to send to ``event``, fastest first: at most ``max(limit, needed)`` of them. ``needed``: how
    many officers the event takes (``dispatch.officers_needed``); the neighbouring streets are searched only
    when the zone and street cannot field that many."""
    now = now or timezone.now()
    matter = Matter.objects.filter(pk=event.matter_id).values("domain").first() if event.matter_id is not None else None
    geometry = _geometry(event.district_id)
    neighbour_streets = geometry.neighbours.get(event.street_id, frozenset())
    near = Q(zone_id=event.zone_id) | Q(street_id=event.street_id) | Q(street_id__in=neighbour_streets)
    rows = _candidates(district_id=event.district_id, now=now, near=near)
    return _ranked(
        event, rows, domain=matter["domain"] if matter else None, geometry=geometry, needed=needed, limit=limit
    )


def recommend_officers_many(
    *, events: list[tuple[Event, int]], now: dt.datetime | None = None, limit: int = 5
) -> dict[int, list[Recommendation]]:
    """``recommend_officers`` for each ``(event, needed)`` of one district at once, by event id — for a page
    of the command centre's queue: the district's free officers on duty are read once (one query, instead
    of three for every event), then ranked for each event by the same rule."""
    if not events:
        return {}
    now = now or timezone.now()
    district_id = events[0][0].district_id
    matter_ids = {e.matter_id for e, _ in events if e.matter_id is not None}
    domains = dict(Matter.objects.filter(pk__in=matter_ids).values_list("pk", "domain")) if matter_ids else {}
    geometry = _geometry(district_id)
    rows = _candidates(district_id=district_id, now=now, near=None)
    return {
        e.pk: _ranked(
            e,
            rows,
            domain=domains.get(e.matter_id) if e.matter_id is not None else None,
            geometry=geometry,
            needed=needed,
            limit=limit,
        )
        for e, needed in events
    }


_Row = tuple[
    int,
    str,
    str,
    int | None,
    int | None,
    list[str] | None,
    float | None,
    float | None,
    float | None,
    float | None,
    str,
]


def _candidates(*, district_id: int, now: dt.datetime, near: Q | None) -> list[_Row]:
    """Active officers with a valid certificate, on duty and not busy, with their fresh position if any;
    ``near`` narrows them to an event's zone, street and neighbouring streets (None: the whole district)."""
    latest = OfficerPosition.objects.filter(
        officer_id=OuterRef("pk"),
        recorded_at__gte=now - dt.timedelta(minutes=POSITION_FRESH_MINUTES),
        recorded_at__lte=now,
    ).order_by("-recorded_at")
    on_duty = shifts_on_duty_at(now).filter(officer_id=OuterRef("pk"))
    post = standby_post_latest(OuterRef("pk"), now)
    busy = EventAssignment.objects.filter(
        officer_id=OuterRef("pk"), released_at__isnull=True, event__status__in=FIELD_STATES
    )
    officers = Officer.objects.filter(
        district_id=district_id, is_active=True, certificate_valid_until__gte=timezone.localdate(now)
    )
    if near is not None:
        officers = officers.filter(near)
    rows = (
        officers.filter(Exists(on_duty))
        .filter(~Exists(busy))
        .annotate(
            position_lon=Subquery(latest.values("lon")[:1]),
            position_lat=Subquery(latest.values("lat")[:1]),
            post_lon=Subquery(post.values("lon")[:1]),
            post_lat=Subquery(post.values("lat")[:1]),
        )
        .values_list(
            "id",
            "name",
            "badge_no",
            "zone_id",
            "street_id",
            "certified_domains",
            "position_lon",
            "position_lat",
            "post_lon",
            "post_lat",
            "travel_mode",
        )
    )
    return list(rows)


def _ranked(
    event: Event, rows: list[_Row], *, domain: str | None, geometry: _Geometry, needed: int, limit: int
) -> list[Recommendation]:
    neighbour_streets = geometry.neighbours.get(event.street_id, frozenset())
    candidates: list[tuple[float, int, str, Recommendation]] = []
    for officer_id, name, badge_no, zone_id, street_id, domains, p_lon, p_lat, s_lon, s_lat, mode in rows:
        if domain is not None and domain not in (domains or ()):
            continue
        if zone_id is not None and zone_id == event.zone_id:
            scope = _ZONE
        elif street_id == event.street_id:
            scope = _STREET
        elif street_id in neighbour_streets:
            scope = _NEIGHBOUR
        else:
            continue  # another part of the district (rows read for a whole page of events)
        if p_lon is not None and p_lat is not None:
            origin, source = (p_lon, p_lat), "实时定位"
        elif s_lon is not None and s_lat is not None:
            origin, source = (s_lon, s_lat), "按预判布防点位估算"
        elif zone_id in geometry.zone_centre:
            origin, source = geometry.zone_centre[zone_id], "按所在片区中心估算"
        elif street_id in geometry.street_centre:
            origin, source = geometry.street_centre[street_id], "按所在街道中心估算"
        else:
            continue  # an officer sunk to no street has no place to start from
        straight = haversine_m(origin[0], origin[1], event.lon, event.lat)
        eta_s = travel_seconds(straight, mode)
        reasons = [
            _SCOPE_REASON[scope],
            _distance_text(straight),
            f"约{max(1, math.ceil(eta_s / 60))}分钟到达" + ("（步行）" if mode == TravelMode.WALKING else ""),
            source,
        ]
        recommendation = Recommendation(officer_id, name, round(straight, 1), round(eta_s, 1), reasons)
        candidates.append((eta_s, scope, badge_no, recommendation))

    in_scope = [c for c in candidates if c[1] != _NEIGHBOUR]
    # Widen to the neighbouring streets only when the zone and street cannot field the officers needed.
    chosen = in_scope if len(in_scope) >= needed else candidates
    chosen.sort(key=lambda c: (c[0], c[1], c[2]))
    return [c[3] for c in chosen[: max(limit, needed)]]
