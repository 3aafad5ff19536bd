"""What every API endpoint accepts, bounded in one place: JSON bodies, pages, ids, numbers and text.

A bound here turns input that no endpoint can serve into a domain error (code, Chinese message) before any
query runs, where it used to surface as a database error and a 500: an offset or id past the database's
64-bit integers, JSON nested deeper than the parser's recursion limit, ``NaN``/``Infinity`` (not JSON, and
re-emitted bare in answers), and NUL characters (PostgreSQL text cannot hold them).
"""

import json
import math
from typing import Annotated, Any

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from zhifa.core.errors import PayloadTooLarge, ValidationFailed

# Largest page an endpoint returns, and the furthest a client may page: far past any district's rows, and
# inside every database's integer range (an OFFSET past 2**63 is a datatype error on SQLite).
MAX_LIMIT = 500
MAX_OFFSET = 10_000_000
# The largest primary key any table can hold (bigint on PostgreSQL, INTEGER on SQLite).
MAX_ID = 2**63 - 1
# Deeper than any document of ours (the deepest, a matter with tiers, is 3) and far from the parser's
# recursion limit.
MAX_JSON_DEPTH = 32

NUL_MESSAGE = "文本中不能含有空字符（\\u0000）"


def _text_without_nul(value: str) -> str:
    if "\x00" in value:
        raise PydanticCustomError("nul_in_text", NUL_MESSAGE)
    return value


# An id of a row: a query with a larger one is an overflow on SQLite, not "not found".
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# A coordinate, accuracy or score: NaN and ±Infinity compare false with every bound and are not JSON.
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
# Text that may reach a query or a row: a path or query parameter the JSON parser never sees.
Text = Annotated[str, AfterValidator(_text_without_nul)]


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def omittable(**kwargs: Any) -> Any:
    """A PATCH field: left out, the value stays as it is. Its type says what the field holds, so an explicit
    null for a field without one is refused (``field_not_nullable``) instead of reaching the row as NULL;
    the document shows no ``null`` default that the type does not allow."""
    return Field(None, json_schema_extra=_no_default, **kwargs)


class PageIn(Schema):
    limit: int = Field(100, ge=1, le=MAX_LIMIT, description=f"每页条数（1–{MAX_LIMIT}）")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description=f"跳过的条数（0–{MAX_OFFSET}）")


class Page(LimitOffsetPagination):
    """ninja's limit/offset pages with the bounds above: a page past them is refused (422), never queried."""

    class Input(PageIn):
        pass

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)


def _not_finite(token: str) -> Any:
    raise ValidationFailed("不接受 NaN、Infinity 等非有限数值", code="number_not_finite", details={"value": token[:40]})


def _finite_float(token: str) -> float:
    number = float(token)
    if not math.isfinite(number):  # 1e999 parses to inf
        _not_finite(token)
    return number


def json_check(data: Any, *, depth: int = MAX_JSON_DEPTH) -> Any:
    """Refuse a decoded document nested deeper than ``depth`` or holding a NUL in a key or a string.
    Iterative, so that the check itself cannot run out of stack."""
    pending: list[tuple[Any, int]] = [(data, 1)]
    while pending:
        value, level = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise ValidationFailed(NUL_MESSAGE, code="nul_in_text", details={})
        elif isinstance(value, dict | list):
            if level > depth:
                raise ValidationFailed(f"JSON 嵌套超过{depth}层", code="json_too_deep", details={"max_depth": depth})
            items = list(value.items()) if isinstance(value, dict) else [(None, v) for v in value]
            for key, item in items:
                if key is not None:
                    pending.append((key, level))
                pending.append((item, level + 1))
    return data


def json_parse(raw: bytes | str, *, max_bytes: int | None = None, depth: int = MAX_JSON_DEPTH) -> Any:
    """The one JSON reader for request bodies: size, syntax, finite numbers, depth and NUL, each refused
    with its own code (422; 413 for size) before anything else reads the document."""
    if max_bytes is not None and len(raw) > max_bytes:
        raise PayloadTooLarge(f"请求体超过{max_bytes}字节", details={"max_bytes": max_bytes})
    try:
        data = json.loads(raw, parse_constant=_not_finite, parse_float=_finite_float)
    except RecursionError:
        # Nested past the decoder's own limit (about a thousand levels): far past ours.
        raise ValidationFailed(f"JSON 嵌套超过{depth}层", code="json_too_deep", details={"max_depth": depth}) from None
    except ValueError as exc:  # also UnicodeDecodeError, and int strings past Python's digit limit
        details = {"line": exc.lineno, "column": exc.colno} if isinstance(exc, json.JSONDecodeError) else {}
        raise ValidationFailed("请求体不是合法的 JSON", code="json_invalid", details=details) from None
    return json_check(data, depth=depth)
