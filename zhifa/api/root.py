"""The one django-ninja API object, mounted at /api/v1/ (OpenAPI at /api/v1/openapi.json)."""

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from zhifa.core.errors import DomainError

api = NinjaAPI(title="智慧综合执法平台 API", version="1.0.0", urls_namespace="api-v1")


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)
