"""检查路线 (issue 12 part 4): a street's or department's inspection routes for a day, listed and on the map.

Read-only: the routes are computed on every request from the drawn plans and the roster
(``zhifa.inspections.route_selectors``), scoped to the reader — a street dispatcher or officer sees their
street, a liaison its department, the district-wide posts pick either. The map is drawn without a tile server
(district, streets and the gazetteer's roads, as the other maps); the routes go to the page as JSON
(``json_script``) and every name reaches the map as text (inspection-routes.js).
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from zhifa.inspections.route_selectors import DayRoutes, day_routes, route_scope_get, route_scopes
from zhifa.web.pages import page_view

# Crew colours on the map and in the list (colour-blind-safe palette, cycled).
COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#7a5195", "#3d3d3d")
PAGE_TIME_LIMIT_S = 5.0


def clock(seconds: int) -> str:
    """Seconds from the day's midnight as the page shows them: 09:05, or 次日01:30 past midnight."""
    day, rest = divmod(seconds, 86400)
    text = f"{rest // 3600:02d}:{rest % 3600 // 60:02d}"
    return f"次日{text}" if day else text


def _context(planned: DayRoutes) -> dict[str, Any]:
    data, result = planned.input, planned.result
    crews: list[dict[str, Any]] = []
    map_crews: list[dict[str, Any]] = []
    for n, route in enumerate(result.routes):
        info = data.crew_info[route.crew]
        colour = COLOURS[n % len(COLOURS)]
        label = f"第{n + 1}组"
        stops: list[dict[str, Any]] = []
        map_stops: list[dict[str, Any]] = []
        for order, stop in enumerate(route.stops, start=1):
            visit = data.visits[stop.key]
            start, end = clock(stop.start_s), clock(stop.end_s)
            stops.append(
                {
                    "order": order,
                    "arrival": clock(stop.arrival_s),
                    "start": start,
                    "end": end,
                    "km": stop.road_km,
                    "visit": visit,
                }
            )
            map_stops.append(
                {
                    "lon": visit.lon,
                    "lat": visit.lat,
                    "order": order,
                    "name": visit.subject_name,
                    "text": f"{label} 第{order}站 {start}–{end} · {'、'.join(visit.departments)}",
                }
            )
        crews.append(
            {
                "label": label,
                "colour": colour,
                "info": info,
                "route": route,
                "leave": clock(route.start_s),
                "back": clock(route.back_s),
                "stops": stops,
            }
        )
        map_crews.append(
            {
                "label": f"{label}：{'、'.join(info.officers)}",
                "colour": colour,
                "start": [info.lon, info.lat],
                "startLabel": f"{label}出发点（{info.start_label}）",
                "stops": map_stops,
            }
        )
    unfitted: list[dict[str, Any]] = []
    map_unfitted: list[dict[str, Any]] = []
    for u in result.unfitted:
        visit = data.visits[u.key]
        unfitted.append({"visit": visit, "reason": u.reason, "code": u.code})
        map_unfitted.append({"lon": visit.lon, "lat": visit.lat, "name": visit.subject_name, "text": u.reason})
    return {"crews": crews, "unfitted": unfitted, "map_data": {"crews": map_crews, "unfitted": map_unfitted}}


@require_safe
@page_view
def routes(request: HttpRequest) -> HttpResponse:
    scopes = route_scopes(user=request.user)
    scope = route_scope_get(user=request.user, value=request.GET.get("scope")) if scopes else None
    raw = request.GET.get("date", "").strip()
    date_error = None
    try:
        day = dt.date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError:
        day, date_error = timezone.localdate(), "日期格式应为 YYYY-MM-DD，已显示今天的路线（date_invalid）"
    context: dict[str, Any] = {"scopes": scopes, "scope": scope, "day": day, "date_error": date_error}
    if scope is not None:
        planned = day_routes(user=request.user, day=day, scope=scope, time_limit_s=PAGE_TIME_LIMIT_S)
        context |= {"planned": planned, "input": planned.input, "result": planned.result, **_context(planned)}
    return render(request, "web/inspections/routes.html", context)
