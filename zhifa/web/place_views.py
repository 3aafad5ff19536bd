"""The pick map's two questions to the server (hotline form, phone finding, 更正位置):

- ``places.json?q=``: the gazetteer's places for what the operator types (fuzzy, pinyin; ``zhifa.geo.places``),
  at most ``MAX_LIMIT``, in the user's own district only;
- ``where.json?lon=&lat=``: what a clicked point is called — inside the district or not (a pick outside is
  refused on the page at once, as the services refuse it on submit), its street, and the nearest road number
  or landmark — so the page shows "武林路128号附近 · 甲街道" rather than WGS-84 numbers.

- ``roads.json``: the gazetteer's road lines as GeoJSON, drawn on the pick map when no tile server is
  configured, so that there are streets to click on (at most ``MAX_ROADS``).

All answer JSON, read-only, for any signed-in user with a post; the gazetteer holds public names, but each
district's only to its own users.
"""

import math

from django.http import HttpRequest, JsonResponse

from zhifa.core.errors import ValidationFailed
from zhifa.geo.models import Place, PlaceKind
from zhifa.geo.places import DEFAULT_LIMIT, MAX_LIMIT, nearest_place_label, place_search
from zhifa.geo.services import locate_point
from zhifa.org.jurisdiction import jurisdiction_of
from zhifa.web.pages import page_view


@page_view
def places_search(request: HttpRequest) -> JsonResponse:
    district_id = jurisdiction_of(request.user).district_id
    query = request.GET.get("q", "")[:60]
    try:
        limit = max(1, min(int(request.GET.get("limit", DEFAULT_LIMIT)), MAX_LIMIT))
    except ValueError:
        limit = DEFAULT_LIMIT
    hits = place_search(district_id=district_id, query=query, limit=limit)
    return JsonResponse({"query": query, "results": [h.as_json() for h in hits]})


MAX_ROADS = 5000


@page_view
def roads(request: HttpRequest) -> JsonResponse:
    district_id = jurisdiction_of(request.user).district_id
    rows = (
        Place.objects.filter(district_id=district_id, kind=PlaceKind.ROAD)
        .order_by("name", "parity")
        .values_list("name", "line")[: MAX_ROADS + 1]
    )
    features = [
        {"type": "Feature", "properties": {"name": name}, "geometry": {"type": "LineString", "coordinates": line}}
        for name, line in rows[:MAX_ROADS]
        if len(line) >= 2
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features, "is_complete": len(rows) <= MAX_ROADS})


@page_view
def place_where(request: HttpRequest) -> JsonResponse:
    district_id = jurisdiction_of(request.user).district_id
    try:
        lon, lat = float(request.GET.get("lon", "")), float(request.GET.get("lat", ""))
    except ValueError:
        lon = lat = math.nan
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return JsonResponse({"code": "coord_invalid", "message": "坐标无效"}, status=400)
    try:
        location = locate_point(district_id=district_id, lon=lon, lat=lat)
    except ValidationFailed as exc:
        return JsonResponse({"inside": False, "code": exc.code, "message": exc.message})
    street = location.street_name
    near = nearest_place_label(district_id=district_id, lon=lon, lat=lat)
    label = " · ".join(part for part in (near, street) if part)
    return JsonResponse({"inside": True, "street": street, "near": near, "label": label})
