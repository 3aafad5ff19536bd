"""POST requests: an Open311 service request becomes an event through ``event_intake``.

Everything is checked before anything is written: the api_key, the service code, the location, the
attribute answers against the service definition, the contact fields; then ``event_intake`` checks the
point against the district's grids. ``media_url`` is kept as given and never fetched (nothing is downloaded
at run time; the reporter's server keeps the file).
"""

import math
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator, validate_email

from zhifa.catalog.models import Matter
from zhifa.core.errors import NotFound, PermissionDenied, ValidationFailed
from zhifa.core.tokens import api_token_user
from zhifa.events.models import Event
from zhifa.events.services import event_intake
from zhifa.events.states import EventSource
from zhifa.integrations.open311.attributes import attribute_values_clean
from zhifa.integrations.open311.selectors import open311_service
from zhifa.org.models import District
from zhifa.subjects.models import Subject

MAX_MEDIA_URL = 500
# The form fields of a POST that are kept with the event as its raw payload (never the api_key).
_RECORDED_FIELDS = (
    "service_code",
    "lat",
    "long",
    "address_string",
    "address_id",
    "email",
    "device_id",
    "account_id",
    "first_name",
    "last_name",
    "phone",
    "description",
    "media_url",
)


@dataclass(frozen=True)
class Open311Submission:
    event: Event
    account_id: str


def _field(data: Any, name: str, limit: int = 200) -> str:
    value = str(data.get(name, "") or "").strip()
    if len(value) > limit:
        raise ValidationFailed(f"{name} 不能超过{limit}个字符", code="field_too_long", details={"field": name})
    return value


def _reporter(data: Any) -> Any:
    key = _field(data, "api_key")
    if not key:
        raise PermissionDenied("提交服务请求须提供 api_key", code="api_key_missing")
    user = api_token_user(key)
    if user is None:
        raise PermissionDenied("api_key 无效或已停用", code="api_key_invalid")
    return user


def _matter(*, district: District, data: Any) -> Matter:
    code = _field(data, "service_code", 40)
    if not code:
        raise ValidationFailed("缺少 service_code", code="service_code_required")
    try:
        return open311_service(district=district, service_code=code)
    except NotFound as exc:
        # In a POST the code is a bad parameter (400), not a missing resource.
        raise ValidationFailed(exc.message, code=exc.code, details={"service_code": code}) from None


def _coordinate(value: str, name: str, bound: float) -> float:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or abs(number) > bound:
        raise ValidationFailed(f"{name} 不是有效的坐标值：{value}", code="coord_invalid", details={name: value})
    return number


def _location(*, district: District, data: Any) -> dict[str, Any]:
    """lat & long (WGS-84, per the spec), or address_id (a subject of our registry), or address_string."""
    lat, lon = _field(data, "lat", 40), _field(data, "long", 40)
    address = _field(data, "address_string")
    address_id = _field(data, "address_id", 40)
    if lat or lon:
        if not (lat and lon):
            raise ValidationFailed("lat 与 long 须同时提供", code="coord_incomplete")
        return {
            "lat": _coordinate(lat, "lat", 90),
            "lon": _coordinate(lon, "long", 180),
            "address": address,
            "address_id": address_id,
        }
    if address_id:
        subject = (
            Subject.objects.filter(district=district, pk=int(address_id)).first() if address_id.isdigit() else None
        )
        if subject is None:
            raise ValidationFailed(f"address_id {address_id} 不存在", code="address_id_unknown")
        return {"lat": subject.lat, "lon": subject.lon, "address": address or subject.address, "address_id": address_id}
    if address:
        return {"lat": None, "lon": None, "address": address, "address_id": ""}
    raise ValidationFailed("须提供 lat 与 long、address_string 或 address_id 之一", code="location_required")


def _contact(data: Any) -> dict[str, str]:
    email = _field(data, "email", 100)
    if email:
        try:
            validate_email(email)
        except DjangoValidationError:
            raise ValidationFailed(f"email 格式不正确：{email}", code="email_invalid") from None
    media_url = _field(data, "media_url", MAX_MEDIA_URL)
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except DjangoValidationError:
            raise ValidationFailed("media_url 须为 http(s) 地址", code="media_url_invalid") from None
    # Chinese order: family name first.
    name = f"{_field(data, 'last_name', 25)}{_field(data, 'first_name', 25)}"
    return {"email": email, "phone": _field(data, "phone", 20), "name": name, "media_url": media_url}


def open311_request_submit(*, district: District, data: Any) -> Open311Submission:
    """Create one event from a GeoReport v2 POST (``data``: the form, a ``QueryDict``)."""
    user = _reporter(data)
    matter = _matter(district=district, data=data)
    location = _location(district=district, data=data)
    values = attribute_values_clean(matter=matter, fields=data.lists())
    contact = _contact(data)
    account_id = _field(data, "account_id", 100)
    description = _field(data, "description", 2000) or f"{matter.name}（经 Open311 上报）"
    attributes: dict[str, Any] = dict(values)
    if contact["media_url"]:
        attributes["media_url"] = contact["media_url"]
    if location["address_id"]:
        attributes["address_id"] = location["address_id"]
    raw = {name: data.get(name) for name in _RECORDED_FIELDS if data.get(name)}
    raw["attributes"] = {name: values for name, values in data.lists() if name.startswith("attribute[")}
    result = event_intake(
        actor=user,
        district=district,
        source=EventSource.OPEN311,
        description=description,
        lon=location["lon"],
        lat=location["lat"],
        coord_system="wgs84",  # GeoReport v2 defines lat/long as WGS-84
        address=location["address"],
        matter_code=matter.code,
        reporter_name=contact["name"],
        reporter_phone=contact["phone"],
        reporter_email=contact["email"],
        raw_payload=raw,
        attributes=attributes,
    )
    return Open311Submission(event=result.event, account_id=account_id)
