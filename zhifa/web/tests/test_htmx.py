"""Typing in a list's search box refreshes only the table: the same view returns its ``results`` partial."""

import re
from typing import Any

import pytest

from conftest import World
from zhifa.catalog.models import Matter
from zhifa.subjects.models import Subject

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_subject_search_returns_only_the_table(client_as: Any, subject_a: Subject, subject_b: Subject) -> None:
    response = client_as("dispatcher").get("/subjects/?q=zwg", **HTMX)

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div class="results-meta">')
    assert body.rstrip().endswith("</table>")
    assert re.findall(r'<a href="/subjects/\d+/">([^<]+)</a>', body) == ["知味观餐饮店"]
    for frame in ("<html", "<nav", "<form", "sidenav", "topbar"):
        assert frame not in body


@pytest.mark.parametrize("url", ["/matters/", "/officers/"])
def test_other_lists_return_only_the_table(world: World, client_as: Any, matter: Matter, url: str) -> None:
    body = client_as("dispatcher").get(url, **HTMX).content.decode()

    assert body.lstrip().startswith('<div class="results-meta">')
    assert "<html" not in body
    assert "<table" in body


def test_history_restore_gets_the_whole_page(client_as: Any, subject_a: Subject) -> None:
    response = client_as("dispatcher").get("/subjects/?q=zwg", HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX)

    assert "<html" in response.content.decode()


@pytest.mark.django_db
def test_expired_session_sends_the_whole_window_to_login(client: Any) -> None:
    response = client.get("/subjects/?q=zwg", **HTMX)

    assert response.status_code == 204
    assert response["HX-Redirect"] == "/login/?next=/subjects/%3Fq%3Dzwg"
