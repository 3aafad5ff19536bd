"""检查路线 in a browser (issue 12 part 4): street A's dispatcher opens the routes page from the nav, picks the day
and sees the crew's route drawn on the map — a line, its start and one marker per visit — and listed; a
subject named as markup is text in the list and in the marker's tooltip, no script runs and the page's policy
is never violated."""

from typing import Any

from playwright.sync_api import expect

from conftest import World
from tests.browser.conftest import login
from tests.browser.test_hostile_names import assert_nothing_ran, hover_until_shown, open_page
from zhifa.inspections.tests.route_world import DAY, HOSTILE_NAME, route_day


def test_the_days_route_is_on_the_map_with_a_hostile_name_as_text(
    live_server: Any, world: World, watched: tuple[Any, list[str]]
) -> None:
    page, dialogs = watched
    route_day(world, joint_name=HOSTILE_NAME)

    # Given: street A's dispatcher, signed in.
    login(page, live_server.url, "street_dispatcher_a")
    open_page(page, f"{live_server.url}/")

    # When: 检查路线 from the nav, the day picked.
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="检查路线").click()
    page.get_by_label("日期").fill(DAY.isoformat())
    page.get_by_role("button", name="排定路线").click()

    # Then: one crew's route with the two visits, listed (the name as text) and drawn.
    expect(page.locator("#route-summary")).to_contain_text("已排 2 次")
    rows = page.locator(".route-crew table.route-stops tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text=HOSTILE_NAME)).to_have_count(1)
    expect(rows.filter(has_text=HOSTILE_NAME)).to_contain_text("联合检查")
    themap = page.locator("#routes-map")
    expect(themap).to_have_attribute("data-ready", "true")
    expect(themap).to_have_attribute("data-route-count", "1")
    expect(themap).to_have_attribute("data-layers-loaded", "true")
    expect(themap.locator("path.route-line")).to_have_count(1)
    expect(themap.locator("path.route-start")).to_have_count(1)
    stops = themap.locator("path.route-stop")
    expect(stops).to_have_count(2)

    # The hostile subject's marker: its tooltip shows the name as text.
    order = rows.filter(has_text=HOSTILE_NAME).locator(".route-stop-no").inner_text()
    tooltip = page.locator(".leaflet-tooltip", has_text=HOSTILE_NAME)
    hover_until_shown(page, stops.nth(int(order) - 1), tooltip)
    expect(tooltip).to_contain_text(f"{order}. {HOSTILE_NAME}")
    expect(tooltip).to_contain_text("综合执法、市场监管")
    expect(page.locator(".leaflet-tooltip img")).to_have_count(0)
    assert_nothing_ran(page, dialogs)
