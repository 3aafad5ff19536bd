"""The officer's phone without a network: a report or a patrol finding made offline waits in the phone's
outbox (IndexedDB, photos included), is shown as waiting, and reaches the server once when the network is
back — also when the server's first answer is lost and the phone sends it again, and only under the account
that recorded it; what the server refuses is shown to the officer, not dropped in silence. A phone that
believes it is online but has no connection keeps what it could not send the same way. Offline, an officer
is shown only pages kept for them, and a page not kept is answered with the offline page. An acknowledgement
or arrival tapped twice offline is one step, not a step and a refusal, timed when the officer took it."""

import datetime as dt
import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test.testcases import QuietWSGIRequestHandler
from playwright.sync_api import expect

from conftest import POINT_IN_A, World
from tests.browser.conftest import BROWSER_TIMEOUT_MS, login
from zhifa.events.models import Event, EventPhoto, EventTransition, OfficerPosition, PhotoKind
from zhifa.events.states import EventAction, EventSource, EventStatus
from zhifa.events.tests.conftest import jpeg_bytes, officer_of
from zhifa.events.tests.factories import AcknowledgedEventFactory, ArrivedEventFactory, DispatchedEventFactory

QUEUED_ALERT = "当前无网络，已保存在本机，联网后自动发送"
OFFLINE_PAGE_TITLE = "当前离线，此页面尚未缓存"
# A phone whose network is gone but which still reports itself online (a dead Wi-Fi, a captive portal).
BELIEVES_ONLINE = "Object.defineProperty(Navigator.prototype, 'onLine', { get: () => true });"


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def phone(browser: Any, live_server: Any) -> Iterator[Any]:
    """A phone's page, standing in street A with location allowed; alerts are accepted as a person would."""
    context = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    context.grant_permissions(["geolocation"], origin=live_server.url)
    context.set_geolocation({"longitude": POINT_IN_A[0], "latitude": POINT_IN_A[1], "accuracy": 10})
    page = context.new_page()
    page.set_default_timeout(BROWSER_TIMEOUT_MS)
    page.on("dialog", lambda dialog: dialog.accept())
    yield page
    context.close()


def sign_in_and_open(page: Any, base_url: str, username: str, path: str) -> None:
    """Signs in and opens ``path`` online, once the service worker controls the page (it keeps what it saw)."""
    login(page, base_url, username)
    # A function, not an expression: Playwright would eval() an expression, which the pages' CSP forbids.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.goto(f"{base_url}{path}")


def submit_offline(page: Any, button: str) -> None:
    with page.expect_event("dialog") as dialog:
        page.locator(button).click()
    assert dialog.value.message == QUEUED_ALERT


# The phone's link, cut at the server's door: while it is down, every request that reaches the server — the
# page's, the service worker's, on a new connection or on one kept alive — is closed unanswered, as a dead
# Wi-Fi or a captive portal leaves it (the browser sees a network error, never an answer). Playwright's own
# offline mode reaches a running service worker only a moment after the pages, and a phone that believes it
# is online posts through its worker: with that alone, a post now and then still reached the server (CI, stops
# 19 and 20: an acknowledgement made "offline" was recorded).
LINK_DOWN = threading.Event()


def _unanswered_while_the_link_is_down(handler: Any) -> bool:
    if LINK_DOWN.is_set():
        handler.close_connection = True
        return False
    return _parse_request(handler)


_parse_request = QuietWSGIRequestHandler.parse_request


@pytest.fixture(autouse=True)
def link(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    # On the class: connections already open (kept alive) read it at their next request, too.
    monkeypatch.setattr(QuietWSGIRequestHandler, "parse_request", _unanswered_while_the_link_is_down)
    LINK_DOWN.clear()
    yield LINK_DOWN
    LINK_DOWN.clear()


def offline_airtight(page: Any) -> None:
    """Offline: the browser knows it (navigator.onLine, unless a test says the phone believes otherwise), and
    nothing it sends reaches the server."""
    LINK_DOWN.set()
    page.context.set_offline(True)


def back_online(page: Any) -> None:
    LINK_DOWN.clear()
    page.context.set_offline(False)


# What the phone's outbox holds: each item's path and the moment it kept for it (observed_at, phone's clock, ms).
READ_OUTBOX = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open("zhifa-phone", 1);
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const all = open.result.transaction("outbox").objectStore("outbox").getAll();
    all.onsuccess = () => {
      open.result.close();
      resolve(all.result.map(item => [
        new URL(item.url).pathname, Number((item.entries.find(e => e[0] === "observed_at") || [])[1])
      ]));
    };
  };
})"""


def outbox(page: Any) -> list[tuple[str, int]]:
    return [(path, at) for path, at in page.evaluate(READ_OUTBOX)]


def ms(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1000)


# The phone's GPS, held back until the test lets it answer (a fix that takes a while, outdoors or indoors).
HOLD_FIXES = """(() => {
  const geolocation = navigator.geolocation, real = geolocation.getCurrentPosition.bind(geolocation), held = [];
  window.__holdFixes = false;
  geolocation.getCurrentPosition = (ok, fail, options) => {
    if (window.__holdFixes) { held.push(() => real(ok, fail, options)); } else { real(ok, fail, options); }
  };
  window.__releaseFixes = () => { window.__holdFixes = false; held.splice(0).forEach(answer => answer()); };
})();"""


def first_answer_lost(page: Any, url_glob: str) -> None:
    """The first POST to ``url_glob`` reaches the server, whose answer never comes back to the phone."""
    lost: list[str] = []

    def handle(route: Any) -> None:
        if lost:
            route.continue_()
            return
        lost.append(route.request.url)
        route.fetch()
        route.abort("connectionreset")

    page.route(url_glob, handle)


def back_online_with_the_answer_lost(page: Any) -> None:
    with page.expect_event("requestfailed", predicate=lambda request: request.method == "POST"):
        back_online(page)


def reports_of(event: Event) -> list[tuple[str, str]]:
    rows = EventTransition.objects.filter(event=event, action=EventAction.HANDLE).order_by("pk")
    return [(t.actor.username, t.to_status) for t in rows]


def test_report_made_offline_is_queued_then_recorded_once(
    live_server: Any, world: World, media: Path, phone: Any
) -> None:
    photo = jpeg_bytes()
    event = ArrivedEventFactory(grid=world.grid_a, officers=[officer_of(world, "officer_a")])
    sign_in_and_open(phone, live_server.url, "officer_a", f"/m/events/{event.pk}/")

    offline_airtight(phone)
    phone.reload()  # answered by the service worker
    expect(phone.locator("#offline-banner")).to_be_visible()
    expect(phone.locator("#task-status")).to_have_text("已到场")
    phone.get_by_label("处置情况").fill("已劝离，恢复通行")
    phone.get_by_label("处置照片").set_input_files(
        files=[{"name": "scene.jpg", "mimeType": "image/jpeg", "buffer": photo}]
    )
    submit_offline(phone, "#handle")

    expect(phone.locator("#queued-banner")).to_have_text("有 1 条上报待发送")
    event.refresh_from_db()
    assert (event.status, event.handled_at, reports_of(event)) == (EventStatus.ARRIVED, None, [])

    # Back online the report is sent and recorded, but the answer is lost: the phone keeps it and sends it
    # again a moment later, where it is taken as arrived, not recorded twice.
    first_answer_lost(phone, f"**/m/events/{event.pk}/handle/")
    back_online_with_the_answer_lost(phone)
    expect(phone.locator("#offline-banner")).to_be_hidden()
    expect(phone.locator("#outbox-result")).to_have_text("离线保存的 1 条上报已发送")
    expect(phone.locator("#queued-banner")).to_be_hidden()
    event.refresh_from_db()
    assert (event.status, event.outcome) == (EventStatus.HANDLED, "已劝离，恢复通行")
    phone.goto(f"{live_server.url}/m/")
    expect(phone.locator(f"#task-{event.pk}")).to_have_count(0)
    assert reports_of(event) == [("officer_a", EventStatus.HANDLED)]
    assert list(EventPhoto.objects.filter(event=event).values_list("kind", "sha256")) == [
        (PhotoKind.HANDLE, hashlib.sha256(photo).hexdigest())
    ]


def test_two_findings_made_offline_become_two_events_once_each(live_server: Any, world: World, phone: Any) -> None:
    sign_in_and_open(phone, live_server.url, "officer_a", "/m/finding/")
    offline_airtight(phone)
    phone.reload()
    expect(phone.locator("[data-geo-status]")).to_contain_text("已定位")

    for description in ("人行道上有共享单车乱停放", "沿街店铺出店经营"):
        phone.get_by_label("发现的问题").fill(description)
        submit_offline(phone, "#finding-form button[type=submit]")
    expect(phone.locator("#queued-banner")).to_have_text("有 2 条上报待发送")
    assert Event.objects.count() == 0

    # The first arrives but its answer is lost; the flush stops there, and a moment later the phone sends
    # both: the first is taken as arrived (its client key), the second is new.
    first_answer_lost(phone, "**/m/finding/")
    back_online_with_the_answer_lost(phone)
    expect(phone.locator("#outbox-result")).to_have_text("离线保存的 2 条上报已发送")
    expect(phone.locator("#queued-banner")).to_be_hidden()
    events = Event.objects.order_by("pk")
    assert [(e.description, e.source, e.reporter_user_id, e.street_id) for e in events] == [
        ("人行道上有共享单车乱停放", EventSource.PATROL, world.user("officer_a").pk, world.street_a.pk),
        ("沿街店铺出店经营", EventSource.PATROL, world.user("officer_a").pk, world.street_a.pk),
    ]


def test_queued_report_waits_for_its_own_officer_to_sign_in_again(live_server: Any, world: World, phone: Any) -> None:
    event = ArrivedEventFactory(grid=world.grid_a, officers=[officer_of(world, "officer_a")])
    sign_in_and_open(phone, live_server.url, "officer_a", f"/m/events/{event.pk}/")
    offline_airtight(phone)
    phone.reload()
    phone.get_by_label("处置情况").fill("已劝离，恢复通行")
    submit_offline(phone, "#handle")

    # The session ends while the phone is offline: back online, the server sends the login page instead.
    Session.objects.all().delete()
    back_online(phone)
    expect(phone.locator("#queued-banner")).to_have_text("有 1 条上报待发送（登录已失效，请重新登录后自动发送）")
    event.refresh_from_db()
    assert (event.status, reports_of(event)) == (EventStatus.ARRIVED, [])

    # A colleague signs in on the same phone: the report is neither shown to them nor sent as theirs.
    login(phone, live_server.url, "auxiliary_a")
    expect(phone.locator("h1")).to_contain_text("我的任务")
    expect(phone.locator("#queued-banner")).to_be_hidden()
    event.refresh_from_db()
    assert (event.status, reports_of(event)) == (EventStatus.ARRIVED, [])

    phone.context.clear_cookies()
    login(phone, live_server.url, "officer_a")
    expect(phone.locator("#outbox-result")).to_have_text("离线保存的 1 条上报已发送")
    expect(phone.locator("#queued-banner")).to_be_hidden()
    event.refresh_from_db()
    assert (event.status, event.outcome) == (EventStatus.HANDLED, "已劝离，恢复通行")
    assert reports_of(event) == [("officer_a", EventStatus.HANDLED)]


def test_a_queued_finding_the_server_refuses_is_shown_not_dropped_in_silence(
    live_server: Any, world: World, media: Path, phone: Any
) -> None:
    sign_in_and_open(phone, live_server.url, "auxiliary_a", "/m/finding/")
    offline_airtight(phone)
    phone.reload()
    expect(phone.locator("[data-geo-status]")).to_contain_text("已定位")
    phone.get_by_label("发现的问题").fill("绿化带内堆放建筑垃圾")
    phone.get_by_label("现场照片").set_input_files(
        files=[{"name": "scene.jpg", "mimeType": "image/jpeg", "buffer": b"not a picture"}]
    )
    submit_offline(phone, "#finding-form button[type=submit]")
    expect(phone.locator("#queued-banner")).to_have_text("有 1 条上报待发送")

    back_online(phone)

    expect(phone.locator("#outbox-result")).to_have_text(
        "离线上报未被受理：“绿化带内堆放建筑垃圾” 文件“scene.jpg”不是可读取的图片"
    )
    expect(phone.locator("#queued-banner")).to_be_hidden()
    assert Event.objects.count() == 0


def test_signing_out_clears_the_pages_kept_for_offline_use(phone: Any, live_server: Any, world: Any) -> None:
    sign_in_and_open(phone, live_server.url, "officer_a", "/m/")
    cached = "caches.keys().then(ks => Promise.all(ks.map(k => caches.open(k).then(c => c.keys())))).then(a => a.flat().map(r => r.url))"
    assert any("/m/" in url for url in phone.evaluate(cached))

    phone.get_by_role("button", name="退出").click()
    phone.wait_for_url(f"{live_server.url}/login/")

    # Nothing of officer_a's task list or name is left for the next person on this phone.
    assert [url for url in phone.evaluate(cached) if "/m/" in url] == []


def test_offline_an_officer_is_shown_only_pages_kept_for_them(live_server: Any, world: World, phone: Any) -> None:
    event = DispatchedEventFactory(grid=world.grid_a, officers=[officer_of(world, "officer_a")])
    sign_in_and_open(phone, live_server.url, "officer_a", f"/m/events/{event.pk}/")
    expect(phone.locator("#task-status")).to_have_text("已派遣")

    # officer_a's session runs out (no sign-out), and a colleague signs in on the same phone.
    Session.objects.all().delete()
    login(phone, live_server.url, "auxiliary_a")
    expect(phone.locator("h1")).to_contain_text("我的任务")

    offline_airtight(phone)
    phone.goto(f"{live_server.url}/m/events/{event.pk}/")
    expect(phone.locator("h1")).to_have_text(OFFLINE_PAGE_TITLE)
    assert event.description not in phone.content()
    phone.goto(f"{live_server.url}/m/")
    expect(phone.locator("h1")).to_contain_text("我的任务")
    expect(phone.locator(".m-user")).to_have_text("auxiliary_a")
    expect(phone.locator(f"#task-{event.pk}")).to_have_count(0)


def test_the_first_page_after_signing_in_is_not_taken_from_the_previous_officers_pages(
    live_server: Any, world: World, phone: Any
) -> None:
    event = DispatchedEventFactory(grid=world.grid_a, officers=[officer_of(world, "officer_a")])
    sign_in_and_open(phone, live_server.url, "officer_a", "/m/")
    expect(phone.locator(f"#task-{event.pk}")).to_be_visible()
    Session.objects.all().delete()

    # A colleague signs in; the network drops between the sign-in's answer and the page it leads to.
    signed_in: list[str] = []

    def sign_in(route: Any) -> None:
        if route.request.method == "POST":
            signed_in.append(route.request.url)
        route.continue_()

    def page_after_sign_in(route: Any) -> None:
        if signed_in:
            route.abort("internetdisconnected")
        else:
            route.continue_()

    phone.route("**/login/", sign_in)
    phone.context.route("**/m/", page_after_sign_in)
    login(phone, live_server.url, "auxiliary_a")

    expect(phone.locator("h1")).to_have_text(OFFLINE_PAGE_TITLE)
    expect(phone.locator(f"#task-{event.pk}")).to_have_count(0)
    assert "officer_a" not in phone.content()


def test_a_page_not_kept_offline_gets_the_offline_page_with_the_way_back(
    live_server: Any, world: World, phone: Any
) -> None:
    event = DispatchedEventFactory(grid=world.grid_a, officers=[officer_of(world, "officer_a")])
    sign_in_and_open(phone, live_server.url, "officer_a", "/m/")

    offline_airtight(phone)
    phone.goto(f"{live_server.url}/m/events/{event.pk}/")  # never opened online

    expect(phone.locator("h1")).to_have_text(OFFLINE_PAGE_TITLE)
    expect(phone).to_have_title("离线 · 执法终端")
    phone.get_by_role("link", name="返回任务列表").click()
    phone.wait_for_url(f"{live_server.url}/m/")
    expect(phone.locator("h1")).to_contain_text("我的任务")
    expect(phone.locator(f"#task-{event.pk}")).to_be_visible()
    # The finding form was never opened either, but is kept from the start for the officer signed in then.
    phone.goto(f"{live_server.url}/m/finding/")
    expect(phone.locator("h1")).to_have_text("巡查发现上报")


def test_a_phone_that_believes_it_is_online_keeps_what_it_cannot_send(
    live_server: Any, world: World, phone: Any
) -> None:
    officer = officer_of(world, "officer_a")
    dispatched = DispatchedEventFactory(grid=world.grid_a, officers=[officer])
    acknowledged = AcknowledgedEventFactory(grid=world.grid_a, officers=[officer])
    arrived = ArrivedEventFactory(grid=world.grid_a, officers=[officer])
    phone.context.add_init_script(BELIEVES_ONLINE)
    sign_in_and_open(phone, live_server.url, "officer_a", "/m/finding/")
    for event in (dispatched, acknowledged, arrived):
        phone.goto(f"{live_server.url}/m/events/{event.pk}/")

    offline_airtight(phone)
    phone.goto(f"{live_server.url}/m/events/{dispatched.pk}/")
    submit_offline(phone, "#acknowledge")
    phone.goto(f"{live_server.url}/m/events/{acknowledged.pk}/")
    submit_offline(phone, "#arrive")
    phone.goto(f"{live_server.url}/m/events/{arrived.pk}/")
    phone.get_by_label("处置情况").fill("已劝离，恢复通行")
    submit_offline(phone, "#handle")
    phone.goto(f"{live_server.url}/m/finding/")
    expect(phone.locator("[data-geo-status]")).to_contain_text("已定位")
    phone.get_by_label("发现的问题").fill("人行道上有共享单车乱停放")
    submit_offline(phone, "#finding-form button[type=submit]")

    expect(phone.locator("#queued-banner")).to_have_text("有 4 条上报待发送")
    assert [Event.objects.get(pk=e.pk).status for e in (dispatched, acknowledged, arrived)] == [
        EventStatus.DISPATCHED,
        EventStatus.ACKNOWLEDGED,
        EventStatus.ARRIVED,
    ]
    assert Event.objects.count() == 3

    back_online(phone)

    expect(phone.locator("#outbox-result")).to_have_text("离线保存的 4 条上报已发送")
    expect(phone.locator("#queued-banner")).to_be_hidden()
    assert [Event.objects.get(pk=e.pk).status for e in (dispatched, acknowledged, arrived)] == [
        EventStatus.ACKNOWLEDGED,
        EventStatus.ARRIVED,
        EventStatus.HANDLED,
    ]
    assert Event.objects.get(pk=arrived.pk).outcome == "已劝离，恢复通行"
    assert list(Event.objects.filter(source=EventSource.PATROL).values_list("description", "reporter_user_id")) == [
        ("人行道上有共享单车乱停放", world.user("officer_a").pk)
    ]


def test_acknowledging_and_arriving_offline_are_kept_on_the_page_and_sent_later(
    live_server: Any, world: World, phone: Any
) -> None:
    officer = officer_of(world, "officer_a")
    dispatched = DispatchedEventFactory(grid=world.grid_a, officers=[officer])
    acknowledged = AcknowledgedEventFactory(grid=world.grid_a, officers=[officer])
    sign_in_and_open(phone, live_server.url, "officer_a", f"/m/events/{dispatched.pk}/")
    phone.goto(f"{live_server.url}/m/events/{acknowledged.pk}/")
    posts: list[str] = []  # to the event's forms
    phone.on("request", lambda r: posts.append(r.url) if r.method == "POST" and "/m/events/" in r.url else None)

    # The phone knows it is offline: nothing is even tried, the position is taken and kept with the arrival.
    offline_airtight(phone)
    phone.goto(f"{live_server.url}/m/events/{dispatched.pk}/")
    submit_offline(phone, "#acknowledge")
    phone.goto(f"{live_server.url}/m/events/{acknowledged.pk}/")
    submit_offline(phone, "#arrive")
    expect(phone.locator("#queued-banner")).to_have_text("有 2 条上报待发送")
    assert posts == []

    back_online(phone)

    expect(phone.locator("#outbox-result")).to_have_text("离线保存的 2 条上报已发送")
    assert [Event.objects.get(pk=e.pk).status for e in (dispatched, acknowledged)] == [
        EventStatus.ACKNOWLEDGED,
        EventStatus.ARRIVED,
    ]
    # The arrival's position (the page's periodic one may be there too): where the phone was.
    assert set(OfficerPosition.objects.filter(officer=officer).values_list("lon", "lat")) == {POINT_IN_A}


def test_a_report_whose_answer_is_lost_while_the_phone_believes_it_is_online_is_recorded_once(
    live_server: Any, world: World, phone: Any
) -> None:
    event = ArrivedEventFactory(grid=world.grid_a, officers=[officer_of(world, "officer_a")])
    phone.context.add_init_script(BELIEVES_ONLINE)
    sign_in_and_open(phone, live_server.url, "officer_a", f"/m/events/{event.pk}/")

    # The report reaches the server, whose answer never comes back: the phone keeps it, and sends it again
    # at once (it believes it is online) ...
    lost: list[str] = []

    def answer_lost(route: Any) -> None:
        if lost or route.request.method != "POST":
            route.continue_()
            return
        lost.append(route.request.url)
        route.fetch()
        route.abort("connectionreset")

    phone.context.route(f"**/m/events/{event.pk}/handle/", answer_lost)
    phone.get_by_label("处置情况").fill("已劝离，恢复通行")
    submit_offline(phone, "#handle")

    # ... where it is taken as arrived, not recorded twice.
    expect(phone.locator("#outbox-result")).to_have_text("离线保存的 1 条上报已发送")
    expect(phone.locator("#queued-banner")).to_be_hidden()
    assert lost == [f"{live_server.url}/m/events/{event.pk}/handle/"]
    event.refresh_from_db()
    assert (event.status, event.outcome) == (EventStatus.HANDLED, "已劝离，恢复通行")
    assert reports_of(event) == [("officer_a", EventStatus.HANDLED)]


def test_acknowledging_and_arriving_twice_offline_are_one_step_each_timed_when_made(
    live_server: Any, world: World, phone: Any
) -> None:
    # The server's clock stands still from here (at the real time: the session cookie must stay valid); the
    # phone's clock is years off and moves only when the test moves it.
    server_now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    phone_now = dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=dt.UTC)
    with time_machine.travel(server_now, tick=False):
        officer = officer_of(world, "officer_a")
        since = server_now - dt.timedelta(minutes=10)
        dispatched = DispatchedEventFactory(grid=world.grid_a, officers=[officer], dispatched_at=since)
        acknowledged = AcknowledgedEventFactory(grid=world.grid_a, officers=[officer], dispatched_at=since)
        sign_in_and_open(phone, live_server.url, "officer_a", f"/m/events/{dispatched.pk}/")
        phone.goto(f"{live_server.url}/m/events/{acknowledged.pk}/")

        # Offline, the officer taps 接单响应 twice (the button stays: the page cannot change), then a minute
        # later 到场签到 twice on the other task. Each phone clock move waits for what the phone has kept.
        acknowledge, arrive = f"/m/events/{dispatched.pk}/acknowledge/", f"/m/events/{acknowledged.pk}/arrive/"
        offline_airtight(phone)
        phone.clock.set_fixed_time(phone_now)
        phone.goto(f"{live_server.url}/m/events/{dispatched.pk}/")
        submit_offline(phone, "#acknowledge")
        submit_offline(phone, "#acknowledge")
        assert outbox(phone) == [(acknowledge, ms(phone_now))] * 2
        phone.clock.set_fixed_time(phone_now + dt.timedelta(minutes=1))
        phone.goto(f"{live_server.url}/m/events/{acknowledged.pk}/")
        submit_offline(phone, "#arrive")
        submit_offline(phone, "#arrive")
        expect(phone.locator("#queued-banner")).to_have_text("有 4 条上报待发送")
        a_minute_later = ms(phone_now + dt.timedelta(minutes=1))
        assert outbox(phone) == [(acknowledge, ms(phone_now))] * 2 + [(arrive, a_minute_later)] * 2

        # Back online two and a half minutes after the first tap (phone's clock): each second tap is taken as
        # the step it repeats, not shown as refused.
        phone.clock.set_fixed_time(phone_now + dt.timedelta(minutes=2, seconds=30))
        back_online(phone)

        expect(phone.locator("#outbox-result")).to_have_text("离线保存的 4 条上报已发送")
        expect(phone.locator("#queued-banner")).to_be_hidden()
        steps = EventTransition.objects.filter(action__in=[EventAction.ACKNOWLEDGE, EventAction.ARRIVE])
        assert list(steps.order_by("pk").values_list("event_id", "action", "actor__username", "created_at")) == [
            (dispatched.pk, EventAction.ACKNOWLEDGE, "officer_a", server_now),
            (acknowledged.pk, EventAction.ARRIVE, "officer_a", server_now),
        ]
        # Timed by the waits the phone measured, counted back from the server's clock: its own clock's error
        # does not matter.
        assert Event.objects.get(pk=dispatched.pk).acknowledged_at == server_now - dt.timedelta(seconds=150)
        assert Event.objects.get(pk=acknowledged.pk).arrived_at == server_now - dt.timedelta(seconds=90)
        # The arrival's position, where and when it was taken (the page's own positions are of server_now).
        taken_earlier = OfficerPosition.objects.filter(officer=officer, recorded_at__lt=server_now)
        assert list(taken_earlier.values_list("lon", "lat", "recorded_at")) == [
            (*POINT_IN_A, server_now - dt.timedelta(seconds=90))
        ]


def test_an_arrival_waiting_for_its_position_is_timed_at_the_tap(live_server: Any, world: World, phone: Any) -> None:
    # The server's clock stands still (at the real time, for the session cookie); the phone's moves when the
    # test moves it, and its GPS answers when the test lets it.
    server_now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    tapped = dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=dt.UTC)
    with time_machine.travel(server_now, tick=False):
        officer = officer_of(world, "officer_a")
        since = server_now - dt.timedelta(minutes=10)
        event = AcknowledgedEventFactory(grid=world.grid_a, officers=[officer], dispatched_at=since)
        phone.context.add_init_script(HOLD_FIXES)
        sign_in_and_open(phone, live_server.url, "officer_a", f"/m/events/{event.pk}/")
        offline_airtight(phone)
        phone.clock.set_fixed_time(tapped)
        phone.reload()

        # The officer taps 到场签到; the position fix takes 20 s to come.
        phone.evaluate("() => { window.__holdFixes = true; }")
        phone.locator("#arrive").click()
        expect(phone.locator("[data-geo-status]")).to_have_text("正在定位…")
        phone.clock.set_fixed_time(tapped + dt.timedelta(seconds=20))
        with phone.expect_event("dialog") as dialog:
            phone.evaluate("() => window.__releaseFixes()")
        assert dialog.value.message == QUEUED_ALERT

        # Kept with the moment of the tap, not of the fix ...
        assert outbox(phone) == [(f"/m/events/{event.pk}/arrive/", ms(tapped))]
        phone.clock.set_fixed_time(tapped + dt.timedelta(minutes=1))
        back_online(phone)

        # ... and timed then, a minute before it was sent.
        expect(phone.locator("#outbox-result")).to_have_text("离线保存的 1 条上报已发送")
        assert Event.objects.get(pk=event.pk).arrived_at == server_now - dt.timedelta(minutes=1)
