"""The strict Content-Security-Policy (settings.SECURE_CSP) breaks nothing: every main page, walked in the
browser as the persona who uses it, runs its scripts and draws its maps with no CSP violation (as the page
sees it, and as chromium logs it) and no script error — desk pages, the command centre, the officer's phone
(its service worker included) and the admin."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import POINT_IN_A, World
from tests.browser.conftest import BROWSER_TIMEOUT_MS, WATCH, login
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.events.tests.conftest import officer_of
from zhifa.events.tests.factories import DispatchedEventFactory
from zhifa.subjects.tests.factories import SubjectFactory


@dataclass
class Watched:
    page: Any
    errors: list[str] = field(default_factory=list)

    def visit(self, url: str, ready: str | None = None) -> None:
        """Opens ``url`` and waits until its scripts are done: ``ready`` (a selector that appears when they
        are) or, for a page without a live connection, until the network is quiet."""
        response = self.page.goto(url)
        assert response.status == 200, url
        assert "script-src 'self'" in response.headers["content-security-policy"], url
        if ready:
            expect(self.page.locator(ready).first).to_be_attached()
        else:
            self.page.wait_for_load_state("networkidle")
        assert (url, self.page.evaluate("() => window.__violations"), self.errors) == (url, [], [])


@pytest.fixture
def watch(browser: Any) -> Iterator[Any]:
    contexts: list[Any] = []

    def open_context(**options: Any) -> Watched:
        context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **options)
        context.add_init_script(WATCH)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(BROWSER_TIMEOUT_MS)
        watched = Watched(page)
        # Only what the policy refused: the admin's /favicon.ico 404 is logged as an error too.
        page.on("console", lambda m: watched.errors.append(m.text) if "Content Security Policy" in m.text else None)
        page.on("pageerror", lambda e: watched.errors.append(str(e)))
        return watched

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def records(world: World) -> dict[str, int]:
    subject = SubjectFactory(district=world.district, name="知味观餐饮店", lon=POINT_IN_A[0], lat=POINT_IN_A[1])
    matter = MatterFactory(district=world.district, department=world.enforcement_dept)
    officer = officer_of(world, "officer_a")
    event = DispatchedEventFactory(grid=world.grid_a, officers=[officer], description="路边占道经营")
    return {"subject": subject.pk, "matter": matter.pk, "officer": officer.pk, "event": event.pk}


def test_desk_pages_run_under_the_policy(live_server: Any, records: dict[str, int], watch: Any) -> None:
    desk = watch(viewport={"width": 1400, "height": 900})
    base = live_server.url
    desk.visit(f"{base}/login/")
    login(desk.page, base, "dispatcher")

    desk.visit(f"{base}/")
    desk.visit(f"{base}/subjects/")
    # an HTMX search swaps the results in place
    desk.page.get_by_placeholder("名称、地址、信用代码或拼音首字母").press_sequentially("zwg", delay=50)
    expect(desk.page.locator("table.subjects tbody tr")).to_have_count(1)
    assert (desk.page.evaluate("() => window.__violations"), desk.errors) == ([], [])
    desk.visit(f"{base}/subjects/{records['subject']}/", ready="#minimap .street-label")
    desk.visit(f"{base}/matters/")
    desk.visit(f"{base}/matters/{records['matter']}/")
    desk.visit(f"{base}/officers/")
    desk.visit(f"{base}/officers/{records['officer']}/")
    desk.visit(f"{base}/map/", ready="#map[data-subject-count='1']")
    desk.visit(f"{base}/events/")
    desk.visit(f"{base}/events/{records['event']}/", ready="#minimap .street-label")
    desk.visit(f"{base}/hotline/", ready="#pickmap[data-ready='true']")
    desk.visit(f"{base}/command/", ready="#live-status[data-state='live']")
    desk.visit(f"{base}/notifications/")


def test_phone_pages_and_service_worker_run_under_the_policy(
    live_server: Any, records: dict[str, int], watch: Any
) -> None:
    phone = watch(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    base = live_server.url
    login(phone.page, base, "officer_a")

    phone.visit(f"{base}/m/")
    # phone.js registers the service worker (served by a view, under the same policy); it takes the page
    phone.page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    phone.visit(f"{base}/m/events/{records['event']}/")
    phone.visit(f"{base}/m/finding/")
    assert phone.page.evaluate("() => navigator.serviceWorker.controller.scriptURL") == f"{base}/m/sw.js"


def test_admin_runs_under_the_policy(
    live_server: Any, world: World, records: dict[str, int], watch: Any, sign_in: Any
) -> None:
    admin = world.user("dispatcher")
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    client = sign_in(admin)  # both factors; the browser takes over the session
    desk = watch(viewport={"width": 1400, "height": 900})
    desk.page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    base = live_server.url

    desk.visit(f"{base}/admin/")
    desk.visit(f"{base}/admin/subjects/subject/")
    desk.visit(f"{base}/admin/subjects/subject/{records['subject']}/change/")
