"""Browser tests drive Debian's chromium through Playwright's sync API (never `playwright install`;
`make browser-deps` installs chromium and a Chinese font)."""

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from a thread with a
# running loop unless told that this is deliberate. The test's ORM calls happen between browser steps.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# How long a browser step or an expectation may wait for the page. Generous on purpose: CI shares its two cores
# with other work, and a page that takes 12 s there instead of 1 s is slow, not wrong. A step that cannot happen
# still fails, after this long. How fast pages are is measured in bench/, never asserted here.
BROWSER_TIMEOUT_MS = 30_000
expect.set_options(timeout=BROWSER_TIMEOUT_MS)

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip("chromium is not installed (run `make browser-deps`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _streams_closed_before_flush(request: Any) -> Iterator[None]:
    """A command-centre page leaves a WSGI stream thread polling the database until its next keep-alive
    fails; the next test must not start (nor the database be emptied) while it still runs. Taking the live
    server here makes this teardown run after the page closes and before the database is emptied."""
    if "live_server" in request.fixturenames:
        request.getfixturevalue("live_server")
    yield
    import time

    from zhifa.web import command, sse

    def open_wsgi_streams() -> int:
        # The command centre's streams, and the phone's live task list's (zhifa/web/sse.py).
        return command.open_wsgi_streams() + sse.open_wsgi_streams()

    # A stream notices the closed page at its next keep-alive (1 s); on a loaded machine that may take longer.
    deadline = time.monotonic() + BROWSER_TIMEOUT_MS / 1000
    while open_wsgi_streams() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert open_wsgi_streams() == 0, "a live stream outlived its page; the database would be emptied under it"


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(BROWSER_TIMEOUT_MS)
    yield page
    context.close()


# Runs before any of the page's scripts (Playwright injects it outside the page's policy): records every CSP
# violation in ``window.__violations``, so a name that became markup and was then stopped by the policy still
# fails a test that reads it.
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


@pytest.fixture
def watched(browser: Any) -> Iterator[tuple[Any, list[str]]]:
    """A desk browser page that records CSP violations (``WATCH``) and any dialog a script opens (dismissed)."""
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1400, "height": 900})
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


def login(page: Any, base_url: str, username: str) -> None:
    """Logs in through the form, as a person would."""
    page.goto(f"{base_url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("zhifa-test-pw")
    page.get_by_role("button", name="登 录").click()
    # Desk staff land on the home page, officers and auxiliary staff on the phone's task list (/m/).
    page.wait_for_url(lambda url: url.startswith(base_url) and "/login/" not in url)


def login_with_second_factor(page: Any, base_url: str, user: Any) -> None:
    """Logs in as a post that needs a second factor (administrator, leader, legal reviewer): the password, then
    the six digits of an authenticator registered for ``user`` now."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from zhifa.org.tests.second_factor import current_token

    device = TOTPDevice.objects.create(user=user, name="手机", confirmed=True)
    page.goto(f"{base_url}/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill("zhifa-test-pw")
    page.get_by_role("button", name="登 录").click()
    page.wait_for_url("**/account/totp/**")
    page.get_by_label("验证码").fill(current_token(device))
    page.get_by_role("button", name="验 证").click()
    page.wait_for_url(lambda url: "/account/" not in url and "/login/" not in url)
