"""Every page is served with a strict Content-Security-Policy (issue 9, item 2): scripts from this site or
carrying this response's nonce, never 'unsafe-inline' or eval; and the pages themselves need nothing more —
every <script> carries the nonce, and no element has a style="" attribute or an inline event handler (both
of which the policy refuses, so a page relying on them would break)."""

from html.parser import HTMLParser
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client

from conftest import World
from zhifa.catalog.models import Matter
from zhifa.events.tests.conftest import officer_of
from zhifa.events.tests.factories import DispatchedEventFactory
from zhifa.subjects.models import Subject
from zhifa.web.csp import tile_sources

pytestmark = pytest.mark.django_db


class Tags(HTMLParser):
    """Every start tag of a page, with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags_of(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(html)
    return parser.tags


def policy_of(response: Any) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = [d.split() for d in header.split(";") if d.strip()]
    return {d[0]: d[1:] for d in directives}


# (persona, path) — the pages people use, each with what it shows filled in by the fixture below.
PAGES = [
    (None, "/login/"),
    ("dispatcher", "/"),
    ("dispatcher", "/subjects/"),
    ("dispatcher", "/subjects/{subject}/"),
    ("dispatcher", "/matters/"),
    ("dispatcher", "/matters/{matter}/"),
    ("dispatcher", "/officers/"),
    ("dispatcher", "/officers/{officer}/"),
    ("dispatcher", "/map/"),
    ("dispatcher", "/events/"),
    ("dispatcher", "/events/{event}/"),
    ("dispatcher", "/hotline/"),
    ("dispatcher", "/command/"),
    ("dispatcher", "/notifications/"),
    ("dispatcher", "/subjects/999999/"),  # the 404 page
    ("officer_a", "/m/"),
    ("officer_a", "/m/events/{event}/"),
    ("officer_a", "/m/finding/"),
    ("officer_a", "/account/password/"),
    ("leader:password-step", "/account/totp/enrol/"),  # the QR code is an inline <svg>, no style="" in it
]


@pytest.fixture
def records(world: World, subject_a: Subject, matter: Matter) -> dict[str, int]:
    officer = officer_of(world, "officer_a")
    event = DispatchedEventFactory(grid=world.grid_a, officers=[officer], description="路边占道经营")
    return {"subject": subject_a.pk, "matter": matter.pk, "officer": officer.pk, "event": event.pk}


@pytest.mark.parametrize(("persona", "path"), PAGES, ids=[p for _, p in PAGES])
def test_page_is_served_with_a_nonce_policy_its_markup_keeps(
    persona: str | None, path: str, client_as: Any, client: Client, world: World, records: dict[str, int]
) -> None:
    if persona == "leader:password-step":
        client.force_login(world.user("leader"))  # a leader must enrol a second factor before any page
        web = client
    else:
        web = client_as(persona) if persona else client

    response = web.get(path.format(**records))

    assert response.status_code == (404 if "999999" in path else 200)
    assert response["Content-Type"] == "text/html; charset=utf-8"
    policy = policy_of(response)
    tags = tags_of(response.content.decode())
    scripts = [attrs for tag, attrs in tags if tag == "script" and attrs.get("type") != "application/json"]
    nonces = {attrs.get("nonce") for attrs in scripts}
    # The nonce reaches the header only when the page used it: a page without scripts allows just 'self'.
    expected_script_src = ["'self'", *(f"'nonce-{n}'" for n in nonces)]
    assert (policy["script-src"], len(nonces)) == (expected_script_src, 1 if scripts else 0)
    assert all(attrs.get("src", "").startswith("/static/") for attrs in scripts)  # no inline script
    assert [(tag, name) for tag, attrs in tags for name in attrs if name == "style" or name.startswith("on")] == []
    assert [tag for tag, _ in tags if tag == "style"] == []


def test_the_whole_policy(client: Client, settings: Any) -> None:
    policy = policy_of(client.get("/login/"))

    assert policy == {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", *tile_sources(settings.ZHIFA_TILE_URL)],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }


def test_each_response_has_its_own_nonce(client_as: Any, records: dict[str, int]) -> None:
    web = client_as("dispatcher")

    first, second = (policy_of(web.get("/map/"))["script-src"] for _ in range(2))

    assert (first[0], second[0]) == ("'self'", "'self'")
    assert first[1].startswith("'nonce-") and second[1].startswith("'nonce-") and first[1] != second[1]


@pytest.mark.parametrize(
    "path", ["/api/v1/openapi.json", "/map/layers.json", "/m/sw.js"], ids=["api", "page-json", "service-worker"]
)
def test_other_responses_carry_the_policy_too(path: str, client_as: Any, records: dict[str, int]) -> None:
    web = client_as("officer_a" if path.startswith("/m/") else "dispatcher")

    response = web.get(path)

    assert (response.status_code, policy_of(response)["script-src"]) == (200, ["'self'"])


def test_admin_index_has_the_policy_and_no_inline_script(sign_in: Any, world: World) -> None:
    admin = world.user("dispatcher")
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])

    response = sign_in(admin).get("/admin/")

    assert response.status_code == 200
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    scripts = [attrs for tag, attrs in tags_of(response.content.decode()) if tag == "script"]
    assert scripts and all(attrs.get("src") or attrs.get("type") == "application/json" for attrs in scripts)


def test_the_server_error_page_needs_no_inline_style() -> None:
    # Django renders it with no request, so it has no nonce for a <style>.
    tags = tags_of(render_to_string("500.html"))

    assert [tag for tag, _ in tags if tag == "style"] == []
    assert [(tag, name) for tag, attrs in tags for name in attrs if name == "style"] == []


@pytest.mark.parametrize(
    ("tile_url", "sources"),
    [
        ("", []),
        ("https://t{s}.tianditu.gov.cn/vec_w/wmts?x={x}&y={y}&l={z}&tk=KEY", ["https://*.tianditu.gov.cn"]),
        ("https://{s}.tile.example.cn/{z}/{x}/{y}.png", ["https://*.tile.example.cn"]),
        ("http://tiles.example.cn:8080/{z}/{x}/{y}.png", ["http://tiles.example.cn:8080"]),
        ("/tiles/{z}/{x}/{y}.png", []),
    ],
)
def test_tile_server_allowed_for_images(tile_url: str, sources: list[str]) -> None:
    assert tile_sources(tile_url) == sources
