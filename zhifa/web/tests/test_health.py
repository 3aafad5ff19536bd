"""``/healthz`` and the command centre's "escalation stopped" banner read the background processes'
heartbeats (issue 9, item 6): ok while each reported within three of its intervals (or the configured
threshold), stale otherwise — and a kind that never reported is stale."""

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from zhifa.core.heartbeats import CLOCK_WATCH, TASK_WORKER, heartbeat_record
from zhifa.web.command import ChangeFeed

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def beat(kind: str, seconds: float, interval_s: float = 10.0) -> None:
    with time_machine.travel(at(seconds), tick=False):
        heartbeat_record(kind=kind, interval_s=interval_s)


def healthz(seconds: float) -> tuple[int, dict[str, Any]]:
    with time_machine.travel(at(seconds), tick=False):
        response = Client().get("/healthz")
    return response.status_code, response.json()


def test_all_parts_ok_answers_200_without_a_login() -> None:
    beat(CLOCK_WATCH, 0)
    beat(TASK_WORKER, 5)

    status, body = healthz(30)

    assert status == 200
    assert body == {
        "web": {"status": "ok"},
        "database": {"status": "ok"},
        "worker": {"status": "ok", "age_s": 25.0},
        "clock_watch": {"status": "ok", "age_s": 30.0},
    }


def test_a_clock_watcher_silent_for_three_intervals_is_stale_and_answers_503() -> None:
    beat(CLOCK_WATCH, 0)
    beat(TASK_WORKER, 30)

    status, body = healthz(30.5)

    assert status == 503
    assert (body["clock_watch"], body["worker"]) == ({"status": "stale", "age_s": 30.5}, {"status": "ok", "age_s": 0.5})


def test_a_kind_that_never_reported_is_stale() -> None:
    beat(CLOCK_WATCH, 0)

    status, body = healthz(1)

    assert status == 503
    assert body["worker"] == {"status": "stale", "age_s": None}


def test_the_threshold_is_configurable_per_kind(settings: Any) -> None:
    settings.ZHIFA_HEALTH_STALE_S = {CLOCK_WATCH: 120}
    beat(CLOCK_WATCH, 0)
    beat(TASK_WORKER, 80)

    status, body = healthz(100)

    assert status == 200
    assert body["clock_watch"] == {"status": "ok", "age_s": 100.0}


def test_healthz_reveals_no_host_or_process() -> None:
    beat(CLOCK_WATCH, 0)
    beat(TASK_WORKER, 0)

    with time_machine.travel(at(1), tick=False):
        response = Client().get("/healthz")

    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    assert "pid" not in response.content.decode() and "host" not in response.content.decode()


# --- the command centre's banner -------------------------------------------------------------------------


def banner_of(body: str) -> str:
    start = body.index('id="escalation-banner"')
    return body[body.rindex("<div", 0, start) : body.index("</div>", start) + len("</div>")]


def test_the_banner_shows_how_long_escalation_has_stopped(client_as: Any) -> None:
    beat(CLOCK_WATCH, 0)

    with time_machine.travel(at(7 * 60 + 20), tick=False):
        body = client_as("dispatcher").get("/command/").content.decode()

    assert banner_of(body) == (
        '<div class="notice danger escalation-banner" id="escalation-banner" role="alert">'
        "超时升级已停止 7 分钟，请检查后台进程</div>"
    )


def test_the_banner_is_hidden_while_the_watcher_scans(client_as: Any) -> None:
    beat(CLOCK_WATCH, 0)

    with time_machine.travel(at(20), tick=False):
        body = client_as("dispatcher").get("/command/").content.decode()

    assert banner_of(body) == (
        '<div class="notice danger escalation-banner" id="escalation-banner" role="alert" hidden></div>'
    )


def test_the_stream_tells_the_page_when_escalation_stops_and_when_it_recovers(world: Any) -> None:
    # given an open stream and a watcher that scanned at T0
    beat(CLOCK_WATCH, 0)
    feed = ChangeFeed(user=world.user("dispatcher"), since=T0)

    def escalation_messages(seconds: float) -> list[str]:
        with time_machine.travel(at(seconds), tick=False):
            return [m.split("\n")[2] for m in feed.poll() if m.startswith("event: escalation")]

    # then the stream says where things stand first, then only what changes
    assert escalation_messages(10) == ['data: {"is_stale": false, "message": ""}']
    assert escalation_messages(20) == []
    assert escalation_messages(95) == ['data: {"is_stale": true, "message": "超时升级已停止 1 分钟，请检查后台进程"}']
    assert escalation_messages(97) == []  # checked again only after ESCALATION_CHECK
    assert escalation_messages(101) == []  # still stopped, still 1 minute
    beat(CLOCK_WATCH, 105)
    assert escalation_messages(107) == ['data: {"is_stale": false, "message": ""}']
