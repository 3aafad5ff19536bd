"""Stored XSS (issue 9, item 2): names that anyone with a form can type — a subject's, an officer's, a
street's, an event's description and address — are shown as text on the map (tooltip and popup), the
subject's page and the command centre (officer marker tooltip, queue rows), and no script runs; every page
comes with the Content-Security-Policy header."""

import datetime as dt
import time
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from conftest import POINT_IN_A, World
from tests.browser.conftest import BROWSER_TIMEOUT_MS, login
from zhifa.events import services
from zhifa.events.tests.factories import OfficerPositionFactory
from zhifa.org.models import DutyShift, Street
from zhifa.org.tests.factories import OfficerFactory
from zhifa.subjects.tests.factories import SubjectFactory

HOSTILE_SUBJECT = '<img src=x onerror="window.__xss=1">'
HOSTILE_OFFICER = "<script>self.__xss=2</script>"  # ≤ 30 characters, the column's length
HOSTILE_STREET = '<img src=x onerror="window.__xss=3">乙街道'
HOSTILE_DESCRIPTION = "<img src=x onerror=__xss=4>"  # ≤ 28 characters: the queue row shows it whole
HOSTILE_ADDRESS = "<svg onload=__xss=5>"  # ≤ 20 characters, likewise


def open_page(page: Any, url: str) -> None:
    response = page.goto(url)
    assert response.status == 200
    assert "script-src 'self' 'nonce-" in response.headers["content-security-policy"]


def assert_nothing_ran(page: Any, dialogs: list[str]) -> None:
    assert page.evaluate("() => [typeof window.__xss, window.__violations]") == ["undefined", []]
    assert dialogs == []


def hover_until_shown(page: Any, target: Any, shown: Any) -> None:
    """Moves the mouse onto the middle of ``target`` until ``shown`` appears (a street's label sits on the
    street's centre, where the test puts the marker; labels let the pointer through to the map). Leaflet's
    canvas looks at one pointer move per 32 ms, and on a busy machine a move can come to nothing: the pointer
    moves by a pixel on the marker until the tooltip is there, within the tests' one timeout."""
    box = target.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    deadline = time.monotonic() + BROWSER_TIMEOUT_MS / 1000
    page.mouse.move(x - 40, y - 40)
    page.mouse.move(x, y)
    nudge = 1
    while True:
        try:
            shown.wait_for(state="visible", timeout=500)
            return
        except PlaywrightTimeoutError:
            if time.monotonic() > deadline:
                raise
        # Long after the last move, so past the canvas' 32 ms: this one is looked at, on the marker.
        page.mouse.move(x + nudge, y)
        nudge = -nudge


@pytest.fixture
def hostile(world: World) -> dict[str, Any]:
    """A subject and an officer on street A's centre (POINT_IN_A), street B renamed, and an event in street
    A reported with a hostile description and address; the officer is on duty, so recommended for it."""
    Street.objects.filter(pk=world.street_b.pk).update(name=HOSTILE_STREET)
    subject = SubjectFactory(district=world.district, name=HOSTILE_SUBJECT, lon=POINT_IN_A[0], lat=POINT_IN_A[1])
    officer = OfficerFactory(
        district=world.district,
        name=HOSTILE_OFFICER,
        home_department=world.enforcement_dept,
        street=world.street_a,
        zone=world.zone_a,
    )
    OfficerPositionFactory(officer=officer, lon=POINT_IN_A[0], lat=POINT_IN_A[1])
    now = timezone.now()
    DutyShift.objects.create(
        district=world.district,
        officer=officer,
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=8),
    )
    event = services.event_intake(
        actor=world.user("dispatcher"),
        district=world.district,
        source="hotline",
        description=HOSTILE_DESCRIPTION,
        address=HOSTILE_ADDRESS,
        lon=POINT_IN_A[0] - 0.003,
        lat=POINT_IN_A[1] - 0.003,
    ).event
    return {"subject": subject, "officer": officer, "event": event}


def test_hostile_names_are_text_on_the_map(live_server: Any, hostile: dict[str, Any], watched: Any) -> None:
    page, dialogs = watched
    login(page, live_server.url, "dispatcher")

    open_page(page, f"{live_server.url}/map/")
    expect(page.locator("#map")).to_have_attribute("data-subject-count", "1")
    expect(page.locator(".street-label").nth(1)).to_have_text(HOSTILE_STREET)
    street_a = page.locator(".street-label", has_text="甲街道")
    tooltip = page.locator(".leaflet-tooltip:not(.street-label)")
    hover_until_shown(page, street_a, tooltip)
    expect(tooltip).to_have_text(HOSTILE_SUBJECT)
    page.mouse.down()
    page.mouse.up()
    popup = page.locator(".leaflet-popup.subject-popup")
    expect(popup.locator(".popup-name")).to_have_text(HOSTILE_SUBJECT)

    assert page.locator(".leaflet-pane img, .leaflet-pane script, .leaflet-pane svg").count() == 0
    assert_nothing_ran(page, dialogs)


def test_hostile_name_is_text_on_the_subjects_page(live_server: Any, hostile: dict[str, Any], watched: Any) -> None:
    page, dialogs = watched
    login(page, live_server.url, "dispatcher")

    open_page(page, f"{live_server.url}/subjects/{hostile['subject'].pk}/")
    expect(page.locator("h1.subject-name")).to_contain_text(HOSTILE_SUBJECT)
    minimap = page.locator("#minimap")
    # Once the streets are drawn (they come later and would lie over the marker until it is brought to front).
    expect(minimap.locator(".street-label")).to_have_count(2)
    tooltip = minimap.locator(".leaflet-tooltip:not(.street-label)")
    hover_until_shown(page, minimap, tooltip)  # the subject's marker is the mini map's centre
    expect(tooltip).to_have_text(HOSTILE_SUBJECT)

    assert page.locator("main img, main script:not([src]):not([type='application/json'])").count() == 0
    assert_nothing_ran(page, dialogs)


def test_hostile_names_are_text_in_the_command_centre(live_server: Any, hostile: dict[str, Any], watched: Any) -> None:
    page, dialogs = watched
    event = hostile["event"]
    login(page, live_server.url, "dispatcher")

    open_page(page, f"{live_server.url}/command/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    row = page.locator(f"#event-{event.pk}")
    expect(row.locator(".queue-title")).to_have_text(HOSTILE_DESCRIPTION)
    expect(row.locator(".muted").last).to_contain_text(f"甲街道 · {HOSTILE_ADDRESS} · ")
    expect(row.locator(".dispatch-btn")).to_have_text(f"派遣 {HOSTILE_OFFICER}")
    expect(page.locator("#command-map")).to_have_attribute("data-officer-count", "1")
    tooltip = page.locator(".leaflet-tooltip:not(.street-label)")
    hover_until_shown(page, page.locator(".street-label", has_text="甲街道"), tooltip)
    expect(tooltip).to_have_text(f"{HOSTILE_OFFICER}（空闲）")

    assert page.locator("#queue img, #queue svg, .leaflet-pane img, .leaflet-pane script").count() == 0
    assert_nothing_ran(page, dialogs)

    # and on the event's own page
    open_page(page, f"{live_server.url}/events/{event.pk}/")
    expect(page.locator("dl.fields")).to_contain_text(HOSTILE_ADDRESS)
    expect(page.locator("p.prose").first).to_have_text(HOSTILE_DESCRIPTION)
    assert_nothing_ran(page, dialogs)
