"""An OpenAPI description of our GeoReport v2 endpoints, written for the fuzzer only.

Open311 is plain Django views, outside the ninja schema (its paths, form POST and error format are the
spec's). This document names its JSON paths and parameters so that Schemathesis can send them bad values;
only server errors are checked against it (its answers are the spec's, not our API's contract). The POST
carries the authorised caller's token as ``api_key`` so that requests get past the key check.
"""

from typing import Any

_ERRORS = {
    "description": "GeoReport v2 错误",
    "content": {
        "application/json": {
            "schema": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
                },
            }
        }
    },
}
_LIST = {"description": "成功", "content": {"application/json": {"schema": {"type": "array"}}}}


def _query(name: str, **schema: Any) -> dict[str, Any]:
    return {"in": "query", "name": name, "required": False, "schema": schema or {"type": "string"}}


def _path(name: str) -> dict[str, Any]:
    return {"in": "path", "name": name, "required": True, "schema": {"type": "string", "minLength": 1}}


def _get(*parameters: dict[str, Any], ok: dict[str, Any] | None = None) -> dict[str, Any]:
    responses = {"200": ok or _LIST, "400": _ERRORS, "404": _ERRORS}
    return {"get": {"parameters": [_query("jurisdiction_id"), *parameters], "responses": responses}}


def open311_schema(*, api_key: str) -> dict[str, Any]:
    submit = {
        "type": "object",
        "required": ["api_key", "service_code"],
        "properties": {
            "api_key": {"type": "string", "enum": [api_key]},
            "jurisdiction_id": {"type": "string"},
            "service_code": {"type": "string"},
            "lat": {"type": "string"},
            "long": {"type": "string"},
            "address_string": {"type": "string"},
            "address_id": {"type": "string"},
            "email": {"type": "string"},
            "device_id": {"type": "string"},
            "account_id": {"type": "string"},
            "first_name": {"type": "string"},
            "last_name": {"type": "string"},
            "phone": {"type": "string"},
            "description": {"type": "string"},
            "media_url": {"type": "string"},
            "attribute[kind]": {"type": "string"},
        },
    }
    requests = _get(
        _query("service_request_id"),
        _query("service_code"),
        _query("start_date"),
        _query("end_date"),
        _query("status"),
    )
    requests["post"] = {
        "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": submit}}},
        "responses": {"201": _LIST, "400": _ERRORS, "403": _ERRORS, "404": _ERRORS},
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "Open311 GeoReport v2（仅供模糊测试）", "version": "2"},
        "paths": {
            "/discovery.json": _get(ok={"description": "成功", "content": {"application/json": {"schema": {}}}}),
            "/services.json": _get(),
            "/services/{service_code}.json": {"get": {**_get()["get"], "parameters": [_path("service_code")]}},
            "/requests.json": requests,
            "/requests/{service_request_id}.json": {
                "get": {**_get()["get"], "parameters": [_path("service_request_id")]}
            },
            "/tokens/{token}.json": {"get": {**_get()["get"], "parameters": [_path("token")]}},
        },
    }
