"""Places in the browser: an address from the gazetteer found on the hotline form from a fuzzy spelling, a
pick outside the district refused, and an arrival beyond the radius accepted as a flagged exception."""

import io
from typing import Any

from playwright.sync_api import expect

from conftest import POINT_IN_A, World
from tests.browser.conftest import BROWSER_TIMEOUT_MS, login
from zhifa.core.actors import SystemActor
from zhifa.events import services
from zhifa.events.models import ArrivalException, Event
from zhifa.events.states import EventSource, EventStatus
from zhifa.events.tests.conftest import jpeg_bytes, officer_of
from zhifa.geo.gazetteer_import import places_import
from zhifa.geo.tests.gazetteer_data import GOOD_CSV

WULIN_128 = (120.101 + 0.016 * 127 / 299, 30.305)


def _gazetteer(world: World, extra: str = "") -> None:
    f = io.BytesIO((GOOD_CSV + extra).encode())
    f.name = "places.csv"
    places_import(actor=SystemActor("测试"), district=world.district, path_or_file=f)


def test_a_hotline_address_is_found_from_a_homophone_and_named_not_numbered(
    live_server: Any, world: World, page: Any
) -> None:
    _gazetteer(world)
    login(page, live_server.url, "dispatcher")
    page.goto(f"{live_server.url}/hotline/")
    expect(page.locator("#pickmap")).to_have_attribute("data-ready", "true")
    # No tile server in the tests: the page says so, and draws the gazetteer's roads to click on
    expect(page.locator(".pick-note")).to_contain_text("未配置底图服务")
    expect(page.locator("#pickmap")).to_have_attribute("data-roads", "4")

    page.get_by_label("来电内容").fill("门口有流动摊贩占道经营")
    page.get_by_label("查找地名地址").fill("舞林路128号")  # 舞 for 武, as the caller was heard
    first = page.locator(".pick-results .pick-hit").first
    expect(first).to_contain_text("武林路128号")
    first.click()
    expect(page.locator("#picked")).to_have_text("已选位置：武林路128号 · 甲街道")
    expect(page.get_by_label("地址", exact=True)).to_have_value("武林路128号")
    expect(page.locator("#picked")).not_to_contain_text("120.")
    page.screenshot(path="/tmp/places-hotline-found.png", full_page=True)

    page.get_by_role("button", name="受理并生成事件").click()
    event = Event.objects.get()
    expect(page).to_have_url(f"{live_server.url}/events/{event.pk}/")
    assert (event.address, event.street_id) == ("武林路128号", world.street_a.pk)
    assert abs(event.lon - WULIN_128[0]) < 1e-6 and abs(event.lat - WULIN_128[1]) < 1e-6


def test_a_hostile_place_name_is_shown_as_text_in_the_results(live_server: Any, world: World, page: Any) -> None:
    hostile = "<img src=x onerror=alert(1)>广场"
    _gazetteer(world, f"地标,{hostile},120.104,30.306,,,,,,,\n")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    login(page, live_server.url, "dispatcher")
    page.goto(f"{live_server.url}/hotline/")
    expect(page.locator("#pickmap")).to_have_attribute("data-ready", "true")
    page.get_by_label("查找地名地址").fill(hostile)
    first = page.locator(".pick-results .pick-hit").first
    expect(first).to_contain_text(hostile)
    first.click()
    expect(page.locator("#picked")).to_contain_text(hostile)
    assert page.locator("img[src='x']").count() == 0
    assert dialogs == []


def test_a_pick_outside_the_district_is_refused_with_a_reason(live_server: Any, world: World, page: Any) -> None:
    login(page, live_server.url, "dispatcher")
    page.goto(f"{live_server.url}/hotline/")
    expect(page.locator("#pickmap")).to_have_attribute("data-ready", "true")
    box = page.locator("#pickmap").bounding_box()
    assert box is not None
    # The map is fitted to the district: its top-left corner pixel is outside the district's square
    page.mouse.click(box["x"] + 8, box["y"] + box["height"] - 8)
    expect(page.locator("#pick-error")).to_have_text("所选位置不在拱墅区辖区内，请在辖区范围内重新选点")
    expect(page.locator("#picked")).to_have_text("尚未选择位置")
    assert page.locator("[name=lon]").input_value() == ""


def test_an_arrival_beyond_the_radius_goes_through_as_a_flagged_exception(
    live_server: Any, world: World, browser: Any, tmp_path: Any
) -> None:
    event = services.event_intake(
        actor=world.user("dispatcher"),
        district=world.district,
        source=EventSource.HOTLINE,
        description="小区内有人违规搭建",
        lon=POINT_IN_A[0],
        lat=POINT_IN_A[1],
    ).event
    services.event_dispatch(actor=world.user("dispatcher"), event=event, officers=[officer_of(world, "officer_a")])
    photo = tmp_path / "gate.jpg"
    photo.write_bytes(jpeg_bytes())
    context = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    context.grant_permissions(["geolocation"], origin=live_server.url)
    context.set_geolocation({"longitude": POINT_IN_A[0] + 0.005, "latitude": POINT_IN_A[1], "accuracy": 10})
    phone = context.new_page()
    phone.set_default_timeout(BROWSER_TIMEOUT_MS)
    try:
        login(phone, live_server.url, "officer_a")
        phone.goto(f"{live_server.url}/m/events/{event.pk}/")
        phone.locator("#acknowledge").click()
        expect(phone.locator("#task-status")).to_have_text("已响应")
        phone.locator("#arrive").click()
        expect(phone.locator("#task-error")).to_contain_text("超过300米")

        phone.get_by_label("超距原因").fill("定位点在路边，现场在小区最里面")
        phone.get_by_label("现场照片").set_input_files(str(photo))
        phone.locator("#arrive-exception").click()
        expect(phone.locator("#task-status")).to_have_text("已到场")
        expect(phone.get_by_text("超距到场，已提示调度员")).to_be_visible()
        phone.screenshot(path="/tmp/places-arrive-exception.png", full_page=True)
    finally:
        context.close()
    flag = ArrivalException.objects.get(event=event)
    assert flag.reason == "定位点在路边，现场在小区最里面" and 450 < flag.distance_m < 500
    assert Event.objects.get(pk=event.pk).status == EventStatus.ARRIVED

    page = browser.new_page(locale="zh-CN", timezone_id="Asia/Shanghai")
    page.set_default_timeout(BROWSER_TIMEOUT_MS)
    try:
        login(page, live_server.url, "dispatcher")
        page.goto(f"{live_server.url}/events/{event.pk}/")
        expect(page.locator("#arrival-exceptions")).to_contain_text("定位点在路边，现场在小区最里面")
        expect(page.locator("#arrival-exceptions")).to_contain_text("甲队员")
        page.goto(f"{live_server.url}/command/")
        expect(page.locator(f"#event-{event.pk} .flag-exception")).to_have_text("超距到场")
    finally:
        page.close()


def test_the_command_centre_corrects_an_events_location_from_the_gazetteer(
    live_server: Any, world: World, page: Any
) -> None:
    _gazetteer(world)
    event = services.event_intake(
        actor=world.user("dispatcher"),
        district=world.district,
        source=EventSource.HOTLINE,
        description="路边占道经营",
        lon=POINT_IN_A[0],
        lat=POINT_IN_A[1],
    ).event
    login(page, live_server.url, "dispatcher")
    page.goto(f"{live_server.url}/events/{event.pk}/")
    page.locator("#relocate summary").click()
    expect(page.locator("#relocatemap")).to_have_attribute("data-ready", "true")
    page.locator("#relocate-q").fill("tycl51")  # 体育场路 by its initials, the odd side
    page.locator("#relocate .pick-hit").first.click()
    expect(page.locator("#relocate-status")).to_have_text("已选位置：体育场路51号 · 乙街道")
    page.get_by_label("更正原因（必填）").fill("来电人更正：在体育场路")
    page.get_by_role("button", name="更正位置", exact=True).click()

    expect(page.locator("#relocations")).to_contain_text("来电人更正：在体育场路")
    event.refresh_from_db()
    assert (event.address, event.street_id) == ("体育场路51号", world.street_b.pk)
    assert abs(event.lat - 30.308) < 1e-6 and abs(event.lon - (120.102 + 0.016 * 50 / 98)) < 1e-6


def test_the_phone_finding_names_the_fix_and_suggests_gazetteer_names(
    live_server: Any, world: World, browser: Any
) -> None:
    _gazetteer(world)
    context = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    context.grant_permissions(["geolocation"], origin=live_server.url)
    context.set_geolocation({"longitude": WULIN_128[0], "latitude": WULIN_128[1] + 0.0001, "accuracy": 10})
    phone = context.new_page()
    phone.set_default_timeout(BROWSER_TIMEOUT_MS)
    try:
        login(phone, live_server.url, "officer_a")
        phone.goto(f"{live_server.url}/m/finding/")
        expect(phone.locator("[data-geo-status]")).to_contain_text("武林路128号附近 · 甲街道")
        phone.get_by_label("位置说明").fill("wll")
        phone.locator("#place-suggestions .m-suggest-item", has_text="武林路").first.click()
        expect(phone.get_by_label("位置说明")).to_have_value("武林路")
    finally:
        context.close()


def test_with_a_tile_server_configured_the_pick_map_uses_it_and_says_nothing(
    live_server: Any, world: World, page: Any, settings: Any
) -> None:
    _gazetteer(world)
    # A same-origin address (the page's CSP allows it); the tiles themselves need not exist for this test.
    settings.ZHIFA_TILE_URL = f"{live_server.url}/static/tiles/{{z}}/{{x}}/{{y}}.png"
    login(page, live_server.url, "dispatcher")
    page.goto(f"{live_server.url}/hotline/")
    expect(page.locator("#pickmap")).to_have_attribute("data-ready", "true")
    expect(page.locator("#pickmap")).to_have_attribute("data-tiles", "true")
    expect(page.locator(".pick-note")).to_be_hidden()
    assert page.locator("#pickmap .leaflet-tile-pane img").count() > 0
    assert page.locator("#pickmap").get_attribute("data-roads") is None  # the tiles carry the roads
