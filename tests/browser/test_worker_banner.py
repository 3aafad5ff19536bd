"""The command centre tells its operators, live, when overdue clocks are no longer being escalated (the clock
watcher's heartbeat is stale), and stops telling them when it scans again (issue 9, item 6)."""

import datetime as dt
from typing import Any

from django.utils import timezone
from playwright.sync_api import expect

from conftest import World
from tests.browser.conftest import login
from zhifa.core.heartbeats import CLOCK_WATCH, heartbeat_record
from zhifa.core.models import ProcessHeartbeat


def test_the_banner_follows_the_clock_watcher_without_a_reload(live_server: Any, world: World, page: Any) -> None:
    # given a clock watcher whose last scan was five and a half minutes ago
    heartbeat_record(kind=CLOCK_WATCH, interval_s=10, now=timezone.now() - dt.timedelta(minutes=5, seconds=30))
    login(page, live_server.url, "dispatcher")
    page.goto(f"{live_server.url}/command/")
    banner = page.locator("#escalation-banner")

    # then the page says so
    expect(banner).to_be_visible()
    expect(banner).to_have_text("超时升级已停止 5 分钟，请检查后台进程")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")

    # when the watcher scans again, the banner goes
    heartbeat_record(kind=CLOCK_WATCH, interval_s=10)
    expect(banner).to_be_hidden(timeout=15_000)

    # and when it stops again, the banner comes back with the new figure
    ProcessHeartbeat.objects.filter(kind=CLOCK_WATCH).update(seen_at=timezone.now() - dt.timedelta(minutes=12))
    expect(banner).to_be_visible(timeout=15_000)
    expect(banner).to_have_text("超时升级已停止 12 分钟，请检查后台进程")
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1  # never reloaded
