"""How the API reads and writes JSON: every body through ``json_parse`` (bounded depth, finite numbers, no
NUL), every query and form value free of NUL, and answers that are JSON (never a bare NaN or Infinity)."""

import json
import math
from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja.parser import Parser
from ninja.renderers import JSONRenderer

from zhifa.core.api_input import NUL_MESSAGE, json_parse
from zhifa.core.errors import ValidationFailed


class BoundedParser(Parser):
    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data: dict[str, Any] = json_parse(request.body)
        return data

    def parse_querydict(self, data: MultiValueDict, list_fields: list[str], request: HttpRequest) -> dict[str, Any]:
        for key, values in data.lists():
            if "\x00" in key or any(isinstance(v, str) and "\x00" in v for v in values):
                raise ValidationFailed(NUL_MESSAGE, code="nul_in_text", details={"field": key.replace("\x00", "")})
        result: dict[str, Any] = super().parse_querydict(data, list_fields, request)
        return result


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


class FiniteJSONRenderer(JSONRenderer):
    """JSON as RFC 8259 defines it: a non-finite number (which input refuses, but a computation could still
    make) is written as null rather than as the bare NaN/Infinity that JSON parsers reject."""

    json_dumps_params = {"allow_nan": False}

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> Any:
        try:
            return super().render(request, data, response_status=response_status)
        except ValueError:  # only when a non-finite float is present: the common answer is dumped once
            return json.dumps(_finite(data), cls=self.encoder_class, allow_nan=False)
