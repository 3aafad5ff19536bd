from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from zhifa.core import request_context
from zhifa.core.request_context import Client

PHONE_HEADER = "HTTP_X_ZHIFA_CLIENT"


def client_of(request: HttpRequest) -> str:
    if request.META.get(PHONE_HEADER) == Client.PHONE or request.path.startswith("/m/"):
        return Client.PHONE
    if request.path.startswith(("/api/", "/open311/")):
        return Client.API
    return Client.WEB


class RequestContextMiddleware:
    """Gives every request an id (taken from X-Request-ID when a proxy set one) and a client kind."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")[:64]
        with request_context.acting_as(client=client_of(request), request_id=incoming or None) as ctx:
            request.request_id = ctx.request_id  # type: ignore[attr-defined]
            response = self.get_response(request)
        response["X-Request-ID"] = ctx.request_id
        return response
