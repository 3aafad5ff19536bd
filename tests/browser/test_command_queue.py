"""The command centre at scale (issue 16): a new urgent event arrives on top of the queue, highlighted and with
a tone, without a reload; the filters narrow the queue (and what arrives live); a dispatch to the
recommended officer is done in place — the row changes, the page is never reloaded."""

import json
import re
import urllib.request
from typing import Any

from playwright.sync_api import expect

from conftest import POINT_IN_A, POINT_IN_B, World
from tests.browser.conftest import BROWSER_TIMEOUT_MS, login
from tests.browser.test_hostile_names import assert_nothing_ran
from zhifa.core.tokens import api_token_issue
from zhifa.events import services
from zhifa.events.models import Event
from zhifa.events.states import EventPriority, EventSource, EventStatus
from zhifa.events.tests.conftest import officer_of, on_duty
from zhifa.events.tests.factories import DispatchedEventFactory

SCREENSHOTS = "/tmp"
HOSTILE = "<img src=x onerror=alert(1)>"  # the house's hostile name


def post_event(base_url: str, token: str, **payload: Any) -> Event:
    request = urllib.request.Request(
        f"{base_url}/api/v1/events",
        data=json.dumps(payload).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=BROWSER_TIMEOUT_MS / 1000) as response:
        assert response.status == 201
        return Event.objects.get(public_no=json.loads(response.read())["public_no"])


def never_reloaded(page: Any) -> bool:
    return page.evaluate("() => performance.getEntriesByType('navigation').length") == 1


def open_command_centre(page: Any, base_url: str, path: str = "/command/") -> None:
    page.goto(f"{base_url}{path}")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")


def test_a_new_urgent_event_arrives_on_top_with_a_tone(live_server: Any, world: World, page: Any) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    dispatcher = world.user("dispatcher")
    _, token = api_token_issue(actor=dispatcher, user=dispatcher, name="浏览器测试")
    running = DispatchedEventFactory(grid=world.grid_a)
    login(page, live_server.url, "dispatcher")
    open_command_centre(page, live_server.url)
    expect(page.locator("#queue tr.queue-row")).to_have_count(1)
    expect(page.locator("#command-map")).to_have_attribute("data-event-count", "1")

    urgent = post_event(
        live_server.url,
        token,
        description="仓库起火冒烟，有人被困",
        lon=POINT_IN_A[0],
        lat=POINT_IN_A[1],
        source="hotline",
        priority="urgent",
    )

    first = page.locator("#queue tr.queue-row").first
    expect(first).to_have_id(f"event-{urgent.pk}")
    expect(first).to_have_class("queue-row priority-urgent new")
    expect(first.locator(".tag.danger")).to_have_text("紧急")
    expect(page.locator("#queue tr.queue-row").nth(1)).to_have_id(f"event-{running.pk}")
    expect(page.locator("#queue-count")).to_have_text("2")
    expect(page.locator("#queue")).to_have_attribute("data-last-tone", "urgent")
    expect(page.locator("#command-map")).to_have_attribute("data-event-count", "2")
    assert never_reloaded(page)
    assert errors == []
    page.screenshot(path=f"{SCREENSHOTS}/issue16-command-new-urgent.png")

    # Looked at: the highlight goes.
    first.hover()
    expect(first).to_have_class("queue-row priority-urgent")


def test_filters_narrow_the_queue_and_what_arrives_live(live_server: Any, world: World, page: Any) -> None:
    dispatcher = world.user("dispatcher")
    _, token = api_token_issue(actor=dispatcher, user=dispatcher, name="浏览器测试")
    in_a = DispatchedEventFactory(grid=world.grid_a, description="甲街道的事件", address="湖墅南路1号")
    in_b = DispatchedEventFactory(grid=world.grid_b, description="乙街道的事件", address="莫干山路9号")
    login(page, live_server.url, "dispatcher")
    open_command_centre(page, live_server.url)
    expect(page.locator("#queue tr.queue-row")).to_have_count(2)

    # by street
    page.get_by_label("街道").select_option(label="乙街道")
    expect(page.locator("#queue tr.queue-row")).to_have_count(1)
    expect(page.locator(f"#event-{in_b.pk}")).to_be_visible()
    expect(page.locator("#queue-count")).to_have_text("1")
    expect(page).to_have_url(
        f"{live_server.url}/command/?street_id={world.street_b.pk}&domain=&status=&priority=&source=&clock=&q="
    )
    expect(page.locator("#command-map")).to_have_attribute("data-event-count", "1")

    # arriving now: an event in street A is not this view's, one in street B is (after A's, so A's was seen)
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    new_a = post_event(
        live_server.url, token, description="甲街道新来的事件", lon=POINT_IN_A[0], lat=POINT_IN_A[1], source="hotline"
    )
    new_b = post_event(
        live_server.url, token, description="乙街道新来的事件", lon=POINT_IN_B[0], lat=POINT_IN_B[1], source="hotline"
    )
    expect(page.locator("#queue tr.queue-row").first).to_have_id(f"event-{new_b.pk}")
    expect(page.locator("#queue-count")).to_have_text("2")
    expect(page.locator(f"#event-{new_a.pk}")).to_have_count(0)
    expect(page.locator("#command-map")).to_have_attribute("data-event-count", "2")

    # a search, typed: by the address
    page.get_by_label("街道").select_option(label="全部")
    expect(page.locator("#queue tr.queue-row")).to_have_count(4)
    page.get_by_label("搜索").fill("湖墅南路")
    expect(page.locator("#queue tr.queue-row")).to_have_count(1)
    expect(page.locator(f"#event-{in_a.pk}")).to_be_visible()
    # a filter with nothing in it says so
    page.get_by_label("紧急程度").select_option(label="紧急")
    expect(page.locator(".queue-empty")).to_have_text("没有符合条件的待办事件")
    expect(page.locator("#queue-count")).to_have_text("0")
    assert never_reloaded(page)


def test_dispatch_in_place(live_server: Any, world: World, page: Any) -> None:
    officer = officer_of(world, "officer_a")
    on_duty(officer)
    event = services.event_intake(
        actor=world.user("dispatcher"),
        district=world.district,
        source=EventSource.HOTLINE,
        description="仁和路口有流动摊贩占道经营",
        lon=POINT_IN_A[0],
        lat=POINT_IN_A[1],
        priority=EventPriority.NORMAL,
    ).event
    login(page, live_server.url, "dispatcher")
    open_command_centre(page, live_server.url)
    row = page.locator(f"#event-{event.pk}")
    expect(row.locator(".tag.status-triaged")).to_have_text("已研判")

    row.locator(".dispatch-btn").click()

    expect(row.locator(".tag.status-dispatched")).to_have_text("已派遣")
    expect(row.locator(".clock-label")).to_have_text("响应")
    expect(row.locator(".dispatch-btn")).to_have_count(0)
    expect(page.locator("#command-messages")).to_have_text(f"{event.public_no}：已派遣：甲队员")
    event.refresh_from_db()
    assert event.status == EventStatus.DISPATCHED
    assert [a.officer_id for a in event.assignments.all()] == [officer.pk]
    assert never_reloaded(page)
    page.screenshot(path=f"{SCREENSHOTS}/issue16-command-dispatched.png")


def test_dispatch_in_place_takes_the_row_out_of_a_waiting_view(live_server: Any, world: World, page: Any) -> None:
    officer = officer_of(world, "officer_a")
    on_duty(officer)
    event = services.event_intake(
        actor=world.user("dispatcher"),
        district=world.district,
        source=EventSource.HOTLINE,
        description="仁和路口有流动摊贩占道经营",
        lon=POINT_IN_A[0],
        lat=POINT_IN_A[1],
    ).event
    DispatchedEventFactory(grid=world.grid_a)
    login(page, live_server.url, "dispatcher")
    open_command_centre(page, live_server.url, "/command/?clock=waiting")
    expect(page.locator("#queue tr.queue-row")).to_have_count(1)

    page.locator(f"#event-{event.pk} .dispatch-btn").click()

    expect(page.locator("#queue tr.queue-row")).to_have_count(0)
    expect(page.locator("#queue-count")).to_have_text("0")
    expect(page.locator("#command-messages")).to_contain_text("已派遣：甲队员")
    assert never_reloaded(page)


def test_a_hostile_description_arriving_live_is_text_in_the_row_and_on_the_map(
    live_server: Any, world: World, watched: Any
) -> None:
    page, dialogs = watched
    dispatcher = world.user("dispatcher")
    _, token = api_token_issue(actor=dispatcher, user=dispatcher, name="浏览器测试")
    login(page, live_server.url, "dispatcher")
    open_command_centre(page, live_server.url)

    event = post_event(
        live_server.url, token, description=HOSTILE, lon=POINT_IN_A[0], lat=POINT_IN_A[1], source="hotline"
    )

    expect(page.locator(f"#event-{event.pk} .queue-title")).to_have_text(HOSTILE)
    expect(page.locator("#command-map")).to_have_attribute("data-event-count", "1")
    # the marker sits on street A's centre, under its label (labels let the pointer through to the map)
    popup = page.locator(".leaflet-popup-content")
    label = page.locator(".street-label", has_text="甲街道").bounding_box()
    assert label is not None
    page.mouse.click(label["x"] + label["width"] / 2, label["y"] + label["height"] / 2)
    expect(popup).to_have_text(f"{event.public_no} {HOSTILE}（已研判）")
    assert page.locator("#queue img, .leaflet-pane img, .leaflet-pane script").count() == 0
    assert_nothing_ran(page, dialogs)


def test_transfer_in_place_from_the_inline_form(live_server: Any, world: World, page: Any) -> None:
    event = services.event_intake(
        actor=world.user("dispatcher"),
        district=world.district,
        source=EventSource.HOTLINE,
        description="商店商品没有明码标价",
        lon=POINT_IN_A[0],
        lat=POINT_IN_A[1],
    ).event
    login(page, live_server.url, "dispatcher")
    open_command_centre(page, live_server.url)
    row = page.locator(f"#event-{event.pk}")

    row.get_by_role("button", name="转办").click()
    form = page.locator(f"tr.inline-row[data-for='{event.pk}'] form")
    # refused first: no instructions (the browser's own check is bypassed to reach the server's)
    form.locator("select[name=department_id]").select_option(label=world.market_dept.short_name)
    form.locator("input[name=instructions]").evaluate("el => el.removeAttribute('required')")
    form.get_by_role("button", name="转办").click()
    expect(page.locator("#command-messages")).to_have_text(f"{event.public_no}：请填写转办说明")
    expect(form).to_be_visible()  # still there to be completed
    form.locator("input[name=instructions]").fill("请核查商品明码标价情况")
    form.get_by_role("button", name="转办").click()

    expect(row.locator(".tag.status-transferred")).to_have_text("已转办")
    expect(page.locator("tr.inline-row")).to_have_count(0)
    expect(page.locator("#command-messages")).to_have_text(f"{event.public_no}：已转办至{world.market_dept.name}")
    event.refresh_from_db()
    assert event.status == EventStatus.TRANSFERRED
    assert never_reloaded(page)


def test_events_close_together_are_one_cluster_marked_urgent(live_server: Any, world: World, page: Any) -> None:
    for i in range(3):
        DispatchedEventFactory(grid=world.grid_a, description=f"同一路口的事件{i}")
    DispatchedEventFactory(grid=world.grid_a, priority=EventPriority.URGENT, description="同一路口的紧急事件")
    login(page, live_server.url, "dispatcher")
    open_command_centre(page, live_server.url)
    expect(page.locator("#command-map")).to_have_attribute("data-event-count", "4")

    # Four markers at one corner are drawn as one numbered cluster, red because one of them is urgent.
    cluster = page.locator("#command-map .marker-cluster")
    expect(cluster).to_have_count(1)
    expect(cluster).to_have_text("4")
    expect(cluster).to_have_class(re.compile(r"\bhas-urgent\b"))
    page.screenshot(path=f"{SCREENSHOTS}/issue16-command-cluster.png")
