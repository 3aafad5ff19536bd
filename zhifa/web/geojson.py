"""GeoJSON FeatureCollections for the map (一张图), built from what the selectors return.

Only the properties the map shows leave the server: a subject's feature carries no ID number or phone.
"""

from collections.abc import Iterable
from typing import Any

from django.urls import reverse

# Beyond this many subjects in scope the map asks for the visible box only, to keep the payload light.
ALL_SUBJECTS_LIMIT = 5000

# One colour per 业态, so the map's legend and markers agree.
CATEGORY_COLOURS = {
    "catering": "#e4572e",
    "retail": "#f3a712",
    "market": "#a8c545",
    "entertainment": "#b04fbf",
    "lodging": "#29a19c",
    "internet_cafe": "#5465ff",
    "construction_site": "#8d6e63",
    "street_vendor": "#ff7f50",
    "muck_vehicle": "#6d4c41",
    "property": "#1e88e5",
    "warehouse": "#546e7a",
    "hazardous_chemicals": "#d81b60",
    "medical": "#00897b",
    "office": "#3949ab",
}
DEFAULT_COLOUR = "#607d8b"


def collection(features: Iterable[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features), **extra}


def boundary_feature(geometry: dict[str, Any], **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def subject_feature(subject: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": subject.pk,
        "geometry": {"type": "Point", "coordinates": [subject.lon, subject.lat]},
        "properties": subject_properties(subject),
    }


def subject_properties(subject: Any) -> dict[str, Any]:
    return {
        "id": subject.pk,
        "name": subject.name,
        "address": subject.address,
        "category": subject.category,
        "category_label": subject.get_category_display(),
        "street": subject.street.name,
        "colour": CATEGORY_COLOURS.get(subject.category, DEFAULT_COLOUR),
        "url": reverse("web:subject-detail", args=[subject.pk]),
    }


def parse_bbox(raw: str | None) -> tuple[float, float, float, float] | None:
    """``min_lon,min_lat,max_lon,max_lat`` as Leaflet's ``toBBoxString()`` writes it; None when absent or bad."""
    if not raw:
        return None
    try:
        west, south, east, north = (float(part) for part in raw.split(","))
    except ValueError:
        return None
    if west > east or south > north:
        return None
    return west, south, east, north
