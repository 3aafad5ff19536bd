"""The one django-ninja API object, mounted at /api/v1/ (OpenAPI at /api/v1/openapi.json).

Every domain error becomes ``{code, message, details}`` with the error's status; ninja's own validation
errors are reshaped to the same form so that a client handles one error shape.
"""

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from zhifa.api.auth import api_auth
from zhifa.catalog.api import router as catalog_router
from zhifa.core.errors import DomainError
from zhifa.events.api import officers_router as event_officers_router
from zhifa.events.api import router as events_router
from zhifa.integrations.ai_alerts.api import router as ai_alerts_router
from zhifa.org.api import router as org_router
from zhifa.subjects.api import router as subjects_router

api = NinjaAPI(title="智慧综合执法平台 API", version="1.0.0", urls_namespace="api-v1", auth=api_auth)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def request_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = [{"loc": list(e.get("loc", [])), "reason": e.get("msg", "")} for e in exc.errors]
    body = {"code": "request_invalid", "message": "请求数据格式不正确", "details": details}
    return api.create_response(request, body, status=422)


@api.exception_handler(AuthenticationError)
def not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    body = {"code": "not_authenticated", "message": "未登录或令牌无效", "details": {}}
    return api.create_response(request, body, status=401)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja raises it itself; the one a client meets is the session's CSRF check (a browser page whose
    # token is missing or stale), which it words in English and in its own {"detail"} shape.
    if exc.status_code == 403 and "CSRF" in str(exc):
        body = {"code": "csrf_failed", "message": "安全校验（CSRF）未通过，请刷新页面后重试", "details": {}}
    else:
        body = {"code": f"http_{exc.status_code}", "message": str(exc), "details": {}}
    return api.create_response(request, body, status=exc.status_code)


api.add_router("/org", org_router, tags=["组织机构"])
api.add_router("/catalog", catalog_router, tags=["执法事项目录"])
api.add_router("/subjects", subjects_router, tags=["执法对象"])
api.add_router("/integrations", ai_alerts_router, auth=None, tags=["外部系统对接"])
api.add_router("/events", events_router, tags=["事件"])
api.add_router("/officers", event_officers_router, tags=["事件"])
