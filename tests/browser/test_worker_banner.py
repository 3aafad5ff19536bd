"""The command centre tells its operators, live, when overdue clocks are no longer being escalated (the clock
watcher's heartbeat is stale), and stops telling them when it scans again (issue 9, item 6)."""

import datetime as dt
from typing import Any

import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from conftest import World
from tests.browser.conftest import login
from zhifa.core.heartbeats import CLOCK_WATCH, heartbeat_record
from zhifa.core.models import ProcessHeartbeat


def test_the_banner_follows_the_clock_watcher_without_a_reload(live_server: Any, world: World, page: Any) -> None:
    # The server's clock stands still (at the real time, for the session cookie) and moves only when the test
    # moves it: the minutes the banner counts do not depend on how long the machine takes to open the page.
    now = timezone.now()
    with time_machine.travel(now, tick=False) as clock:
        # given a clock watcher whose last scan was five and a half minutes ago
        heartbeat_record(kind=CLOCK_WATCH, interval_s=10, now=now - dt.timedelta(minutes=5, seconds=30))
        login(page, live_server.url, "dispatcher")
        page.goto(f"{live_server.url}/command/")
        banner = page.locator("#escalation-banner")

        # then the page says so
        expect(banner).to_be_visible()
        expect(banner).to_have_text("超时升级已停止 5 分钟，请检查后台进程")
        expect(page.locator("#live-status")).to_have_attribute("data-state", "live")

        # when the watcher scans again, the banner goes (the stream looks again 5 s after it last looked)
        heartbeat_record(kind=CLOCK_WATCH, interval_s=10)
        clock.shift(dt.timedelta(seconds=6))
        expect(banner).to_be_hidden()

        # and when it stops again, the banner comes back with the new figure
        ProcessHeartbeat.objects.filter(kind=CLOCK_WATCH).update(seen_at=now - dt.timedelta(minutes=12))
        clock.shift(dt.timedelta(seconds=6))
        expect(banner).to_be_visible()
        expect(banner).to_have_text("超时升级已停止 12 分钟，请检查后台进程")
        assert page.evaluate("() => performance.getEntriesByType('navigation').length") == 1  # never reloaded
