"""GeoReport v2 views: parse, call one selector or service, render in the requested format.

Plain Django views rather than the ninja API: the spec fixes the paths (format suffixes), the form-encoded
POST, the XML documents and its own error format, none of which is our API's JSON contract. Domain errors
become the spec's errors (``[{"code": 400, "description": "…"}]``) with the same HTTP status; a validation
error is a 400 as in the spec, not our API's 422. The spec's error has no place for our machine code, so it
travels in the ``Zhifa-Error-Code`` header (e.g. ``idempotency_key_reused``), leaving the body the spec's.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from zhifa.core.api_input import NUL_MESSAGE
from zhifa.core.errors import DomainError, NotFound, ValidationFailed
from zhifa.core.request_body import request_body_of
from zhifa.events.photos import photo_file_open, photo_served_content_type
from zhifa.integrations.open311.render import error_response, respond
from zhifa.integrations.open311.representation import (
    PolicyCache,
    discovery_data,
    request_data,
    service_data,
    service_definition_data,
    service_notice,
)
from zhifa.integrations.open311.selectors import (
    open311_district,
    open311_media,
    open311_request,
    open311_requests,
    open311_service,
    open311_services,
)
from zhifa.integrations.open311.services import open311_request_submit

View = Callable[..., HttpResponse]
# The client's own key for a POST (services: a retry under it is the first request).
IDEMPOTENCY_HEADER = "Idempotency-Key"


def _status(exc: DomainError) -> int:
    return 400 if exc.status == 422 else exc.status


def _refuse_nul(request: HttpRequest, path_values: dict[str, Any]) -> None:
    """A NUL character in any parameter is refused before it reaches a query: PostgreSQL text cannot hold
    one, and the database error would be a 500."""
    params = request.POST if request.method == "POST" else request.GET
    texts = [*path_values.values(), *params.keys(), *(v for _, values in params.lists() for v in values)]
    texts.append(request.headers.get(IDEMPOTENCY_HEADER, ""))
    if any("\x00" in str(text) for text in texts):
        raise ValidationFailed(NUL_MESSAGE, code="nul_in_text")


def open311_view(*methods: str) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        # Machine clients authenticate with api_key in the form, never with a browser session, so the
        # session's CSRF protection does not apply.
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                response = error_response(fmt=fmt, status=405, description=f"不支持 {request.method} 方法")
                response["Allow"] = ", ".join(methods)
                return response
            try:
                _refuse_nul(request, kwargs)
                return view(request, fmt=fmt, **kwargs)
            except DomainError as exc:
                return error_response(fmt=fmt, status=_status(exc), description=exc.message, code=exc.code)

        return wrapper

    return decorate


def _district(request: HttpRequest) -> Any:
    params = request.POST if request.method == "POST" else request.GET
    return open311_district(jurisdiction_id=params.get("jurisdiction_id", ""))


@open311_view("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    return respond(discovery_data(request=request, district=_district(request)), fmt=fmt, root="discovery")


@open311_view("GET")
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    matters = open311_services(district=_district(request)).select_related("department")
    return respond([service_data(m) for m in matters], fmt=fmt, root="services")


@open311_view("GET")
def service_definition(request: HttpRequest, fmt: str, service_code: str) -> HttpResponse:
    matter = open311_service(district=_district(request), service_code=service_code)
    return respond(service_definition_data(matter), fmt=fmt, root="service_definition")


@open311_view("GET", "POST")
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    district = _district(request)
    if request.method == "POST":
        submitted = open311_request_submit(
            district=district,
            data=request.POST,
            idempotency_key=request.headers.get(IDEMPOTENCY_HEADER, ""),
            # Kept as it arrived, but for the api_key: a credential is no part of the report.
            request_body=request_body_of(request, leave_out=frozenset({"api_key", "csrfmiddlewaretoken"})),
        )
        body = [
            {
                "service_request_id": submitted.event.public_no,
                "service_notice": service_notice(submitted.event),
                "account_id": submitted.account_id,
            }
        ]
        # A retry gets the first answer again, as 200: nothing was created this time.
        return respond(body, fmt=fmt, root="service_requests", status=201 if submitted.created else 200)
    params = request.GET
    events = open311_requests(
        district=district,
        service_request_id=params.get("service_request_id", ""),
        service_code=params.get("service_code", ""),
        start_date=params.get("start_date", ""),
        end_date=params.get("end_date", ""),
        status=params.get("status", ""),
    )
    policies: PolicyCache = {}
    data = [request_data(e, request=request, policies=policies) for e in events]
    return respond(data, fmt=fmt, root="service_requests")


@open311_view("GET")
def request_detail(request: HttpRequest, fmt: str, service_request_id: str) -> HttpResponse:
    event = open311_request(district=_district(request), service_request_id=service_request_id)
    return respond([request_data(event, request=request)], fmt=fmt, root="service_requests")


@open311_view("GET")
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    """Requests are created synchronously, so the service_request_id is known at once and serves as the
    token: a client that stored a token gets its id back."""
    event = open311_request(district=_district(request), service_request_id=token)
    body = [{"service_request_id": event.public_no, "token": token}]
    return respond(body, fmt=fmt, root="service_requests")


@require_safe
def media(request: HttpRequest, token: str, ext: str) -> FileResponse:
    """A published photo's public copy, for anyone holding its ``media_url`` (no login: Open311 is public).
    Only ever the public copy: the original, with its EXIF, never leaves the platform through here."""
    try:
        photo = open311_media(token=token, extension=ext)
        file = photo_file_open(photo, original=False)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    response = FileResponse(file, content_type=photo_served_content_type(photo))
    # The browser must take the declared image type, never guess another from the bytes.
    response["X-Content-Type-Options"] = "nosniff"
    # Public and unchanging, but short-lived in shared caches so that a change to what is published
    # (PUBLISHED_PHOTO_KINDS) reaches the readers within the hour.
    response["Cache-Control"] = "public, max-age=3600"
    return response
