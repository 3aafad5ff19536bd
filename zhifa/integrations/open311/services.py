"""POST requests: an Open311 service request becomes an event through ``event_intake``.

Everything is checked before anything is written: the api_key, the service code, the location, the
attribute answers against the service definition, the contact fields; then ``event_intake`` checks the
point against the district's grids. ``media_url`` is kept as given and never fetched (nothing is downloaded
at run time; the reporter's server keeps the file).

**A client's retry is the same request, not a second event.** A client that sent a POST and lost the reply
(a timeout, a dropped connection) cannot tell whether the request was stored, and sends it again. GeoReport
v2 defines no idempotency field, so two ways are taken, both through ``event_intake``'s idempotency keys
(the caller's own: the api_key's account; same key and same content → the first event, nothing written;
same key, other content → ``idempotency_key_reused``, nothing written):

- the client's own key, in the ``Idempotency-Key`` header (the header ``POST /api/v1/events`` takes, after
  the IETF httpapi draft). No form field: the spec has none, and one name for one concept is enough. A key
  holds for as long as the event exists.
- without a key, a fingerprint window: the same form (every field but the api_key, in any order) from the
  same account within ``ZHIFA_OPEN311_RETRY_WINDOW_SECONDS`` (600) of the first is that first request.
  Clients written to the spec send no key, and their retries come within seconds or minutes; the same
  person sending the very same words, point and contact again within the window has nothing new to tell.
  The window is kept as a key derived from the form's SHA-256 and the window-long slot of the clock it was
  sent in (``_window_keys``): within one slot the unique constraint decides, concurrent retries included;
  a retry in the next slot finds the first request by the previous slot's key, if it is younger than the
  window. 0 turns the window off (every POST without a key is a new request).

A retry is answered ``200`` with the first request's ``service_request_id`` in the POST's usual shape (the
first answer was ``201``), as ``POST /api/v1/events`` answers its retries.
"""

import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator, validate_email
from django.utils import timezone

from zhifa.catalog.models import Matter
from zhifa.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from zhifa.core.request_body import RequestBody
from zhifa.core.tokens import api_token_user
from zhifa.events.models import Event
from zhifa.events.services import event_intake
from zhifa.events.services.common import caller_key
from zhifa.events.states import EventSource
from zhifa.integrations.open311.attributes import attribute_values_clean
from zhifa.integrations.open311.selectors import open311_service, open311_window_request
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


# Derived keys start with this; the client's own keys are taken as sent.
WINDOW_KEY_PREFIX = "open311-window:"


@dataclass(frozen=True)
class Open311Submission:
    event: Event
    account_id: str
    created: bool  # False: a retry, answered with the request stored first


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


def _window_keys(*, data: Any, now: dt.datetime, window_s: int) -> tuple[str, str]:
    """The derived keys of a POST without a key: this slot's and the previous slot's.

    A slot is ``window_s`` long, so two sends in one slot are less than a window apart; a send early in a
    slot may be a retry of one late in the previous slot, which ``open311_window_request`` finds by the
    previous key and keeps only if it is younger than the window. The form is hashed as sent (names sorted,
    repeated values in their order), without the api_key: the account is already the key's owner."""
    form = sorted((name, values) for name, values in data.lists() if name != "api_key")
    digest = hashlib.sha256(json.dumps(form, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()
    slot = int(now.timestamp()) // window_s
    # The window's length is part of the key: slots of another length are numbered differently.
    return (f"{WINDOW_KEY_PREFIX}{window_s}:{digest}:{slot}", f"{WINDOW_KEY_PREFIX}{window_s}:{digest}:{slot - 1}")


def open311_request_submit(
    *, district: District, data: Any, idempotency_key: str = "", request_body: RequestBody | None = None
) -> Open311Submission:
    """Create one event from a GeoReport v2 POST (``data``: the form, a ``QueryDict``), or answer a retry
    with the event its first send created (``idempotency_key``: the client's ``Idempotency-Key``, if any;
    see the module docstring; ``request_body``: the POST as it arrived, kept with the event)."""
    user = _reporter(data)
    matter = _matter(district=district, data=data)
    location = _location(district=district, data=data)
    values = attribute_values_clean(matter=matter, fields=data.lists())
    contact = _contact(data)
    account_id = _field(data, "account_id", 100)
    description = _field(data, "description", 2000) or f"{matter.name}（经 Open311 上报）"
    key = idempotency_key.strip()
    window_s = settings.ZHIFA_OPEN311_RETRY_WINDOW_SECONDS
    is_derived = not key and window_s > 0
    if is_derived:
        now = timezone.now()
        since = now - dt.timedelta(seconds=window_s)
        key, previous_key = _window_keys(data=data, now=now, window_s=window_s)
        earlier = open311_window_request(
            district=district, caller=caller_key(user), idempotency_key=previous_key, since=since
        )
        if earlier is not None:
            return Open311Submission(event=earlier, account_id=account_id, created=False)
    attributes: dict[str, Any] = dict(values)
    if contact["media_url"]:
        attributes["media_url"] = contact["media_url"]
    if location["address_id"]:
        attributes["address_id"] = location["address_id"]
    raw = {name: data.get(name) for name in _RECORDED_FIELDS if data.get(name)}
    raw["attributes"] = {name: values for name, values in data.lists() if name.startswith("attribute[")}
    try:
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
            idempotency_key=key,
            raw_payload=raw,
            request_body=request_body,
            attributes=attributes,
        )
    except Conflict as exc:
        if not (is_derived and exc.code == "idempotency_key_reused"):
            raise
        # The same form stored first with other content (an address_id's subject moved in between): the
        # client sent the same request and never saw a key, so it gets that request, not a key error. Stored
        # in this slot, it is younger than the window.
        first = open311_window_request(district=district, caller=caller_key(user), idempotency_key=key, since=since)
        if first is None:
            raise
        return Open311Submission(event=first, account_id=account_id, created=False)
    return Open311Submission(event=result.event, account_id=account_id, created=result.created)
