"""GeoReport v2 responses in the two formats the spec defines, from one Python structure.

JSON is the structure as it is. XML follows the spec's element names: a list is a container element whose
children take the singular name (``<services><service>``, ``<attributes><attribute>``), booleans are
``true``/``false`` and an absent value is an empty element.
"""

import json
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# Container element → item element, as in the spec's XML examples.
_ITEM_NAMES = {
    "endpoints": "endpoint",
    "formats": "format",
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "errors": "error",
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _append(parent: ET.Element, name: str, value: Any) -> None:
    element = ET.SubElement(parent, name)
    _fill(element, name, value)


def _fill(element: ET.Element, name: str, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _append(element, key, child)
    elif isinstance(value, list):
        item_name = _ITEM_NAMES[name]
        for child in value:
            _append(element, item_name, child)
    else:
        element.text = _text(value)


def to_xml(root: str, data: Any) -> bytes:
    element = ET.Element(root)
    _fill(element, root, data)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="utf-8")


def respond(data: Any, *, fmt: str, root: str, status: int = 200) -> HttpResponse:
    """``root`` names the XML document element (``discovery``, ``services``, ``service_definition``,
    ``service_requests``, ``errors``); a list at the top level is its items."""
    body = to_xml(root, data) if fmt == "xml" else json.dumps(data, ensure_ascii=False).encode("utf-8")
    return HttpResponse(body, status=status, content_type=FORMATS[fmt])


ERROR_CODE_HEADER = "Zhifa-Error-Code"


def error_response(*, fmt: str, status: int, description: str, code: str = "") -> HttpResponse:
    """The spec's error format: ``[{"code": 404, "description": "…"}]`` / ``<errors><error>…``; our machine
    code (``code``), for which the spec's error has no field, in the ``Zhifa-Error-Code`` header."""
    response = respond([{"code": status, "description": description}], fmt=fmt, root="errors", status=status)
    if code:
        response[ERROR_CODE_HEADER] = code
    return response
