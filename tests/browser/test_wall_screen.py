"""The wall screen (大屏, issue 17 part 2) and the hotspot map (part 1) in a browser.

A dispatcher opens the wall from the command centre on a 1920×1080 display; an event taken in through the
intake service appears on it without a reload — its description, typed as markup, shown as text — and the
page never scrolls. The hotspot maps' tooltips show a grid and a street named as markup as text, on the wall
and on the leaders' view, where a grid opens the records behind its count. No script runs from the data and
the page's policy is never violated."""

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import POINT_IN_A, World
from tests.browser.conftest import BROWSER_TIMEOUT_MS, WATCH, login, login_with_second_factor
from zhifa.events import services
from zhifa.events.states import EventPriority, EventSource
from zhifa.events.tests.factories import DispatchedEventFactory
from zhifa.org.models import Grid, Street

HOSTILE_DESCRIPTION = '<img src=x onerror="window.__xss=1">湖墅南路流动摊贩占道经营'
HOSTILE_GRID = '<img src=x onerror="window.__xss=2">网格'
HOSTILE_STREET = "<b onmouseover=alert(3)>甲</b>"


@pytest.fixture
def wall_page(browser: Any) -> Iterator[tuple[Any, list[str]]]:
    """A 1920×1080 page that records CSP violations and dialogs, as the ``watched`` fixture does."""
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1920, "height": 1080})
    context.add_init_script(WATCH)
    page = context.new_page()
    page.set_default_timeout(BROWSER_TIMEOUT_MS)
    dialogs: list[str] = []

    def dismiss(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    yield page, dialogs
    context.close()


def _hostile_place(world: World) -> None:
    Grid.objects.filter(pk=world.grid_a.pk).update(name=HOSTILE_GRID)
    Street.objects.filter(pk=world.street_a.pk).update(name=HOSTILE_STREET)


def test_the_wall_shows_a_new_event_without_reloading(
    live_server: Any, world: World, wall_page: tuple[Any, list[str]]
) -> None:
    page, dialogs = wall_page
    _hostile_place(world)
    DispatchedEventFactory(grid=world.grid_a, district=world.district)
    login(page, live_server.url, "dispatcher")

    # Given: the wall opened from the command centre, its live stream connected.
    page.goto(f"{live_server.url}/command/")
    page.locator("#wall-link").click()
    expect(page.locator("#wall-live")).to_have_attribute("data-state", "live")
    expect(page.locator("#wall-events li.wall-event")).to_have_count(1)
    expect(page.locator("#wall-clocks .countdown")).to_have_count(1)

    # When: a hotline call is taken in, urgent.
    event = services.event_intake(
        actor=world.user("dispatcher"),
        district=world.district,
        source=EventSource.HOTLINE,
        description=HOSTILE_DESCRIPTION,
        lon=POINT_IN_A[0],
        lat=POINT_IN_A[1],
        priority=EventPriority.URGENT,
    ).event

    # Then: it is first in the live list, highlighted, its description as text; the page was never reloaded.
    first = page.locator("#wall-events li.wall-event").first
    expect(first).to_contain_text(event.public_no)
    expect(first.locator(".desc")).to_have_text(HOSTILE_DESCRIPTION)
    expect(first).to_have_class("wall-event urgent fresh")
    expect(page.locator("#wall-events img")).to_have_count(0)
    expect(page.locator("#wall-total")).to_have_text("2")
    expect(page.locator("#wall-hot")).to_contain_text(HOSTILE_GRID)
    assert page.evaluate("() => performance.getEntriesByType('navigation').length") == 1

    # The hot grid's tooltip on the map: the street and the grid named as markup, shown as text.
    page.locator("#wall-map path.leaflet-interactive").first.hover()
    tip = page.locator(".leaflet-tooltip")
    expect(tip).to_contain_text(f"{HOSTILE_STREET} · {HOSTILE_GRID}：近2小时 2 件")
    expect(tip.locator("img, b")).to_have_count(0)

    # A wall never scrolls: everything fits 1920×1080.
    size = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert size[0] <= 1920 and size[1] <= 1080
    page.screenshot(path="/tmp/wall-screen.png")
    assert page.evaluate("() => [typeof window.__xss, window.__violations]") == ["undefined", []]
    assert dialogs == []


def test_the_hotspot_map_on_the_leaders_view(live_server: Any, world: World, watched: tuple[Any, list[str]]) -> None:
    page, dialogs = watched
    _hostile_place(world)
    for _ in range(3):
        DispatchedEventFactory(grid=world.grid_a, district=world.district)
    DispatchedEventFactory(grid=world.grid_b, district=world.district)
    login_with_second_factor(page, live_server.url, world.user("leader"))

    page.goto(f"{live_server.url}/analytics/")

    # The heatmap drawn, the busiest grid first in its table, as text.
    expect(page.locator("#chart-weekhour canvas")).to_have_count(1)
    expect(page.locator("#table-hot-grids tbody tr").first).to_contain_text(HOSTILE_GRID)
    # The hostile grid on the map: its tooltip as text; a click opens its three events.
    grid = page.locator("#hotspot-map path.leaflet-interactive").first
    grid.hover()
    tip = page.locator(".leaflet-tooltip")
    expect(tip).to_have_text(f"{HOSTILE_STREET} · {HOSTILE_GRID}：3 件")
    expect(tip.locator("img, b")).to_have_count(0)
    grid.click()
    expect(page.locator("h1")).to_contain_text("统计明细：网格")
    expect(page.locator("#results .total")).to_have_text("3")

    # And the wall from the leaders' view.
    page.go_back()
    page.locator("#wall-link").click()
    expect(page.locator("#wall-live")).to_have_attribute("data-state", "live")
    assert page.evaluate("() => [typeof window.__xss, window.__violations]") == ["undefined", []]
    assert dialogs == []


def test_a_busy_evening_fits_the_screen(live_server: Any, world: World, wall_page: tuple[Any, list[str]]) -> None:
    page, _ = wall_page
    for i in range(20):
        DispatchedEventFactory(
            grid=world.grid_a if i % 2 else world.grid_b,
            district=world.district,
            description="拱墅区湖墅南路与文晖路交叉口东北角人行道上有流动摊贩长时间占道经营，影响通行" * 2,
            address="杭州市拱墅区湖墅南路与文晖路交叉口东北角人行道",
            priority=EventPriority.URGENT if i % 5 == 0 else EventPriority.NORMAL,
        )
    login(page, live_server.url, "dispatcher")

    page.goto(f"{live_server.url}/analytics/wall/")

    # Full lists: every line of each list inside its panel, and the page no larger than the screen.
    expect(page.locator("#wall-events li.wall-event")).to_have_count(8)
    expect(page.locator("#wall-clocks li.wall-due")).to_have_count(8)
    page.screenshot(path="/tmp/wall-screen-busy.png")
    outside = page.evaluate(
        """() => [...document.querySelectorAll("#wall-events li, #wall-clocks li, #wall-hot li")].filter((li) => {
            const panel = li.closest(".wall-panel").getBoundingClientRect();
            const box = li.getBoundingClientRect();
            return box.bottom > panel.bottom + 0.5 || box.right > panel.right + 0.5;
        }).length"""
    )
    assert outside == 0
    size = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert size[0] <= 1920 and size[1] <= 1080
