"""Predictive deployment (issue 17 part 4) in a browser: the command centre's map shows the standby posts live
now as a layer, each post's tooltip naming the officer and the grid — both named as markup here, and shown as
text: no element made from them, no script run, no dialog, no CSP violation; and a plan the dispatcher computes
reaches the officer's open phone without a reload."""

import datetime as dt
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import World
from tests.browser.conftest import BROWSER_TIMEOUT_MS, WATCH, login
from zhifa.events.services.standby import StandbyPostDraft, standby_plan_publish
from zhifa.org.models import DutyShift, Grid, Officer

# ≤ 30 characters, an officer's name's length (PostgreSQL refuses a longer one; SQLite would not tell).
HOSTILE_OFFICER = '<img src=x onerror="__xss=1">王'
HOSTILE_GRID = '<b onmouseover="window.__xss=2">湖墅</b>网格'
# command.js announces its map; the test keeps it to find the post's marker on the canvas.
KEEP_MAP = "document.addEventListener('zhifa:command-map', function (e) { window.__commandMap = e.detail.map; });"


@pytest.fixture
def command_page(browser: Any) -> Iterator[tuple[Any, list[str]]]:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1400, "height": 900})
    context.add_init_script(WATCH)
    context.add_init_script(KEEP_MAP)
    page = context.new_page()
    page.set_default_timeout(BROWSER_TIMEOUT_MS)
    dialogs: list[str] = []

    def dismiss(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    yield page, dialogs
    context.close()


def test_the_command_map_shows_the_posts_with_names_as_text(
    live_server: Any, world: World, command_page: tuple[Any, list[str]]
) -> None:
    page, dialogs = command_page
    officer = Officer.objects.get(name="甲队员")
    Officer.objects.filter(pk=officer.pk).update(name=HOSTILE_OFFICER)
    Grid.objects.filter(pk=world.grid_a.pk).update(name=HOSTILE_GRID)
    now = timezone.now()
    standby_plan_publish(
        actor=world.user("dispatcher"),
        district_id=world.district.pk,
        street_id=world.street_a.pk,
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=3),
        reach_s=300,
        expected_events=2.0,
        covered_events=2.0,
        posts=[StandbyPostDraft(officer.pk, world.grid_a.pk, 120.105, 30.305)],
    )
    login(page, live_server.url, "dispatcher")

    page.goto(f"{live_server.url}/command/")
    expect(page.locator("#command-map")).to_have_attribute("data-posts", "1")
    expect(page.locator(".leaflet-control-layers")).to_contain_text("建议点位（预判布防）")

    # Hover the post's marker (drawn on the map's canvas) where the map puts its point.
    point = page.evaluate(
        "() => { var m = window.__commandMap; m.setView([30.305, 120.105], 17, {animate: false});"
        " var p = m.latLngToContainerPoint([30.305, 120.105]);"
        " var r = document.getElementById('command-map').getBoundingClientRect();"
        " return {x: r.left + p.x, y: r.top + p.y}; }"
    )
    page.mouse.move(point["x"], point["y"])
    tooltip = page.locator(".leaflet-tooltip .standby-tooltip")
    expect(tooltip).to_have_text(f"建议点位：{HOSTILE_OFFICER} · {HOSTILE_GRID}")
    assert page.locator(".leaflet-tooltip img, .leaflet-tooltip b").count() == 0
    assert page.evaluate("() => window.__xss") is None
    assert dialogs == []
    assert page.evaluate("() => window.__violations") == []


def test_a_plan_published_by_the_dispatcher_reaches_the_officers_open_phone(
    live_server: Any, world: World, browser: Any, command_page: tuple[Any, list[str]]
) -> None:
    """Issue 17 part 4, "pushed to officers' phones as a suggested post": 甲队员's task list is open; the
    dispatcher computes the shift's posts on the deployment page; the list shows the post and its notice
    without a reload, the grid's name (markup here) as text."""
    page, dialogs = command_page
    officer = Officer.objects.get(name="甲队员")
    Grid.objects.filter(pk=world.grid_a.pk).update(name=HOSTILE_GRID)
    now = timezone.localtime()
    DutyShift.objects.create(
        district=world.district,
        officer=officer,
        starts_at=now - dt.timedelta(hours=2),
        ends_at=now + dt.timedelta(hours=4),
    )
    phone_context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 390, "height": 844}, is_mobile=True
    )
    phone_context.add_init_script(WATCH)
    phone = phone_context.new_page()
    phone.set_default_timeout(BROWSER_TIMEOUT_MS)
    try:
        login(phone, live_server.url, "officer_a")
        phone.goto(f"{live_server.url}/m/")
        expect(phone.locator("#live-status")).to_have_attribute("data-state", "live")
        expect(phone.locator("#standby-post")).to_have_count(0)
        phone.evaluate("() => { window.__sameDocument = 'kept'; }")

        # The dispatcher, at the desk, computes street A's posts for the shift under way (this hour, two hours).
        login(page, live_server.url, "dispatcher")
        shift = {
            "street": world.street_a.pk,
            "date": now.date().isoformat(),
            "from": now.hour,
            "to": (now.hour + 2) % 24,
        }
        page.goto(f"{live_server.url}/analytics/deployment/?{urlencode(shift)}")
        page.locator("#deployment-compute").click()
        expect(page.locator("#deployment-posts")).to_contain_text(HOSTILE_GRID)

        end = (dt.datetime.combine(now.date(), dt.time(now.hour)) + dt.timedelta(hours=2)).strftime("%H:%M")
        card = phone.locator("#standby-post")
        expect(card).to_contain_text(f"建议待命点位：{HOSTILE_GRID}（至 {end}）")
        expect(phone.locator("#standby-banner")).to_have_text(f"建议待命点位：{HOSTILE_GRID}（至 {end}）")
        assert phone.locator("#standby-slot b[onmouseover]").count() == 0
        # Never reloaded: the same document, the one navigation of the page's opening.
        assert phone.evaluate("() => window.__sameDocument") == "kept"
        assert phone.evaluate("() => performance.getEntriesByType('navigation').length") == 1
        assert phone.evaluate("() => window.__xss") is None
        assert phone.evaluate("() => window.__violations") == []
        assert dialogs == []
    finally:
        phone_context.close()
