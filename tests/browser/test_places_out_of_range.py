"""Issue 16: a house number beyond its road's registered range is listed on the hotline's pick map without
the road's street (its point is the road's end, which may lie in another street), and asks for a pick on the
map; typed and submitted unpicked, it is refused next to the address and writes nothing."""

from typing import Any

from playwright.sync_api import expect

from conftest import World
from tests.browser.conftest import login
from tests.browser.test_places import _gazetteer
from zhifa.events.models import Event


def test_a_number_beyond_the_road_names_no_street_and_is_refused_unpicked(
    live_server: Any, world: World, page: Any
) -> None:
    _gazetteer(world)
    login(page, live_server.url, "dispatcher")
    page.goto(f"{live_server.url}/hotline/")
    expect(page.locator("#pickmap")).to_have_attribute("data-ready", "true")

    page.get_by_label("查找地名地址").fill("武林路999号")
    first = page.locator(".pick-results .pick-hit").first
    expect(first).to_contain_text("武林路999号")
    expect(first).to_contain_text("门牌号超出已登记范围，请在地图上选点")
    expect(first).not_to_contain_text("甲街道")

    page.get_by_label("来电内容").fill("门口有流动摊贩占道经营")
    page.get_by_label("地址", exact=True).fill("武林路999号")
    page.get_by_role("button", name="受理并生成事件").click()
    expect(page.locator("body")).to_contain_text("超出武林路已登记的门牌号范围，无法确定位置，请在地图上选点确认")
    assert Event.objects.count() == 0
