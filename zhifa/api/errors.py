"""The API's one error shape ``{code, message, details}``, how each kind of refusal gets it, and how the
OpenAPI document declares it on every operation that can answer it.

ninja's own refusals (validation, authentication, CSRF, an unreadable body) come in English and in its
own shapes; here they get a machine code and a Chinese message like a domain error's.
"""

from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError, ValidationErrorContext
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation

from zhifa.core.errors import DomainError


class ErrorOut(Schema):
    code: str
    message: str
    details: Any


# Chinese wording of pydantic's error types; ``{name}`` is filled from the error's context.
_REASONS = {
    "missing": "缺少必填字段",
    "int_parsing": "须为整数",
    "int_type": "须为整数",
    "int_from_float": "须为整数",
    "float_parsing": "须为数字",
    "float_type": "须为数字",
    "finite_number": "须为有限数值（不接受 NaN、Infinity）",
    "decimal_parsing": "须为数字",
    "decimal_type": "须为数字",
    "decimal_max_digits": "数字位数不能超过{max_digits}位",
    "decimal_max_places": "小数不能超过{decimal_places}位",
    "decimal_whole_digits": "整数部分位数过多",
    "bool_parsing": "须为布尔值（true 或 false）",
    "bool_type": "须为布尔值（true 或 false）",
    "string_type": "须为字符串",
    "string_too_short": "长度不能少于{min_length}个字符",
    "string_too_long": "长度不能超过{max_length}个字符",
    "greater_than": "须大于{gt}",
    "greater_than_equal": "不能小于{ge}",
    "less_than": "须小于{lt}",
    "less_than_equal": "不能大于{le}",
    "enum": "须为以下取值之一：{expected}",
    "literal_error": "须为以下取值之一：{expected}",
    "date_parsing": "须为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "须为日期（YYYY-MM-DD）",
    "date_from_datetime_inexact": "须为日期（YYYY-MM-DD）",
    "date_type": "须为日期（YYYY-MM-DD）",
    "datetime_parsing": "须为日期时间（ISO 8601）",
    "datetime_from_date_parsing": "须为日期时间（ISO 8601）",
    "datetime_type": "须为日期时间（ISO 8601）",
    "list_type": "须为数组",
    "dict_type": "须为 JSON 对象",
    "model_type": "须为 JSON 对象",
    "model_attributes_type": "须为 JSON 对象",
    "too_long": "元素不能超过{max_length}个",
    "too_short": "元素不能少于{min_length}个",
    "url_parsing": "须为网址",
    "json_invalid": "不是合法的 JSON",
}
# A refusal whose every detail is one of these has that as its code: a client can tell them apart.
_NAMED_CODES = frozenset({"field_not_nullable", "nul_in_text", "number_not_finite"})
_NUMBER_TYPES = frozenset({"finite_number"})
_LOC_SOURCES = frozenset({"body", "query", "path", "form", "file", "header", "cookie", "payload"})


def _detail(error: dict[str, Any]) -> dict[str, Any]:
    kind = str(error.get("type", ""))
    if error.get("is_null") and kind not in ("missing", "nul_in_text"):
        # An explicit null for a field that has no null value (PATCH {"name": null}).
        return {"loc": list(error.get("loc", [])), "code": "field_not_nullable", "reason": "不能为空值（null）"}
    code = "number_not_finite" if kind in _NUMBER_TYPES else kind or "invalid"
    template = _REASONS.get(kind)
    message = str(error.get("msg", ""))
    if template is None:
        # Our own validators already speak Chinese; pydantic prefixes them.
        reason = message.removeprefix("Value error, ") or "取值不正确"
    else:
        try:
            reason = template.format(**(error.get("ctx") or {}))
        except (KeyError, IndexError):
            reason = template
    return {"loc": list(error.get("loc", [])), "code": code, "reason": reason}


def request_invalid_body(errors: list[dict[str, Any]]) -> dict[str, Any]:
    details = [_detail(e) for e in errors]
    codes = {d["code"] for d in details}
    code = next(iter(codes)) if len(codes) == 1 and codes <= _NAMED_CODES else "request_invalid"
    message = "请求数据格式不正确"
    if details:
        # The first problem in words, named by its field (without ninja's "body"/"query"/"payload" prefix).
        where = ".".join(str(part) for part in details[0]["loc"] if part not in _LOC_SOURCES)
        message += f"：{where} {details[0]['reason']}" if where else f"：{details[0]['reason']}"
    return {"code": code, "message": message, "details": details}


class ZhifaAPI(NinjaAPI):
    """ninja's API object; its validation errors keep whether the value sent was null (ninja drops the
    input itself, so an explicit null could not be told from a wrong type)."""

    def validation_error_from_error_contexts(self, error_contexts: list[ValidationErrorContext]) -> ValidationError:
        nulls = [
            [e.get("input", ...) is None for e in context.pydantic_validation_error.errors(include_url=False)]
            for context in error_contexts
        ]
        error = super().validation_error_from_error_contexts(error_contexts)
        flags = [flag for context_flags in nulls for flag in context_flags]
        for item, is_null in zip(error.errors, flags, strict=False):
            item["is_null"] = is_null
        return error

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return DeclaredErrorsSchema(self, path_prefix)


# Which refusals an operation can answer follows from its shape; each status is documented with ErrorOut.
_ERROR_DESCRIPTIONS = {
    401: "未登录或令牌无效（not_authenticated）",
    403: "无权操作，或会话的 CSRF 校验未通过",
    404: "对象不存在或不在管辖范围内",
    409: "与当前状态冲突（如流程状态不允许、编码已存在）",
    413: "请求体超过大小上限（payload_too_large）",
    422: "请求数据不正确（request_invalid、field_not_nullable、nul_in_text、number_not_finite、json_invalid、json_too_deep 等）",
}


def _error_statuses(operation: Operation) -> list[int]:
    statuses = []
    if operation.auth_callbacks:
        statuses += [401, 403]
    writes = bool(set(operation.methods) & {"POST", "PUT", "PATCH", "DELETE"})
    has_path = "{" in operation.path
    # A path names a row; an authenticated write names others by id (a department, an officer).
    if has_path or (writes and operation.auth_callbacks):
        statuses.append(404)
    if writes:
        statuses += [409, 413]
    if operation.models or writes:
        statuses.append(422)
    return statuses


class DeclaredErrorsSchema(OpenAPISchema):
    """Also records component names given two different schemas: ninja keeps the last silently, and the
    document then describes one model's fields under the other's name (a matter's department as a string)."""

    def __init__(self, api: NinjaAPI, path_prefix: str) -> None:
        self.name_conflicts: set[str] = set()
        super().__init__(api, path_prefix)

    def add_schema_definitions(self, definitions: dict[str, Any]) -> None:
        self.name_conflicts |= {n for n, s in definitions.items() if self.schemas.get(n, s) != s}
        super().add_schema_definitions(definitions)

    def responses(self, operation: Operation) -> dict[int, Any]:
        result: dict[int, Any] = super().responses(operation)
        ref = {"$ref": "#/components/schemas/ErrorOut"}
        for status in _error_statuses(operation):
            if status not in result:
                result[status] = {
                    "description": _ERROR_DESCRIPTIONS[status],
                    "content": {"application/json": {"schema": ref}},
                }
        self.add_schema_definitions({"ErrorOut": ErrorOut.model_json_schema()})
        return result


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return api.create_response(request, exc.as_dict(), status=exc.status)

    @api.exception_handler(ValidationError)
    def request_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return api.create_response(request, request_invalid_body(list(exc.errors)), status=422)

    @api.exception_handler(AuthenticationError)
    def not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        body = {"code": "not_authenticated", "message": "未登录或令牌无效", "details": {}}
        return api.create_response(request, body, status=401)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc.__cause__, DomainError):
            # ninja wraps any failure of the body parser in a 400 "Cannot parse request body"; the parser's
            # own refusal (json_invalid, json_too_deep, …) is the answer.
            return domain_error(request, exc.__cause__)
        # The other one a client meets is the session's CSRF check (a browser page whose token is missing or
        # stale), which ninja words in English and in its own {"detail"} shape.
        if exc.status_code == 403 and "CSRF" in str(exc):
            body = {"code": "csrf_failed", "message": "安全校验（CSRF）未通过，请刷新页面后重试", "details": {}}
        else:
            body = {
                "code": f"http_{exc.status_code}",
                "message": f"请求无法处理（HTTP {exc.status_code}）",
                "details": {},
            }
        return api.create_response(request, body, status=exc.status_code)

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
        body = {"code": "payload_too_large", "message": "请求体超过大小上限", "details": {}}
        return api.create_response(request, body, status=413)

    @api.exception_handler(TooManyFieldsSent)
    @api.exception_handler(TooManyFilesSent)
    def too_many(request: HttpRequest, exc: Exception) -> HttpResponse:
        body = {"code": "payload_too_large", "message": "请求中的字段或文件过多", "details": {}}
        return api.create_response(request, body, status=413)

    @api.exception_handler(MultiPartParserError)
    def multipart_invalid(request: HttpRequest, exc: Exception) -> HttpResponse:
        body = {"code": "multipart_invalid", "message": "multipart 请求格式不正确", "details": {}}
        return api.create_response(request, body, status=422)


@csrf_exempt
def api_path_unknown(request: HttpRequest, path: str = "") -> JsonResponse:
    """Any /api/ path no operation matches (``/events/abc`` fails the id's converter): the API's 404 in its
    own shape, not the site's HTML page. It reads nothing, so there is nothing for CSRF to protect."""
    body = {"code": "api_path_unknown", "message": "接口不存在，请核对地址与路径参数", "details": {}}
    return JsonResponse(body, status=404, json_dumps_params={"ensure_ascii": False})
