"""Sessions end after ZHIFA_SESSION_IDLE_S without activity and ZHIFA_SESSION_MAX_S after sign-in
(zhifa.web.session_guard); the cookies are HttpOnly and SameSite=Lax, and Secure with HSTS behind TLS."""

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings as django_settings
from django.test import Client

from conftest import POINT_IN_A, World
from zhifa.core.models import AuditEntry

T0 = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)  # Monday 10:00 in Shanghai
REPO = Path(__file__).resolve().parents[3]


def at(minutes: float) -> Any:
    return time_machine.travel(T0 + dt.timedelta(minutes=minutes), tick=False)


def signed_in_at_t0(client: Client, world: World, persona: str) -> Client:
    with at(0):
        client.force_login(world.user(persona))
    return client


def status_at(client: Client, minutes: float, url: str = "/") -> int:
    with at(minutes):
        return client.get(url).status_code


@pytest.mark.parametrize(
    ("walk", "last_status"),
    [
        # a page every 29 minutes keeps the session: each visit restarts the idle time
        ([29, 58, 87], 200),
        # 31 minutes without a request ends it
        ([31], 302),
        ([29, 60.5], 302),
    ],
)
def test_idle_timeout(client: Client, world: World, walk: list[float], last_status: int) -> None:
    signed_in_at_t0(client, world, "dispatcher")
    statuses = [status_at(client, minutes) for minutes in walk]
    assert statuses == [200] * (len(walk) - 1) + [last_status]


def test_an_idle_session_ends_with_an_audited_sign_out_and_a_sign_in_page(client: Client, world: World) -> None:
    signed_in_at_t0(client, world, "dispatcher")
    with at(31):
        response = client.get("/subjects/")
    assert (response.status_code, response["Location"]) == (302, "/login/?next=/subjects/")
    entry = AuditEntry.objects.get(action="account.logout")
    assert (entry.actor_label, entry.reason, entry.object_id) == (
        "dispatcher",
        "会话空闲超时",
        str(world.user("dispatcher").pk),
    )
    assert "_auth_user_id" not in client.session


def test_absolute_lifetime_ends_a_busy_session(client: Client, world: World) -> None:
    # Given a dispatcher who opens a page every 25 minutes from T0 (never idle)
    signed_in_at_t0(client, world, "dispatcher")
    busy = [status_at(client, minutes) for minutes in range(25, 720, 25)]

    # When the next page comes 12 h 5 min after signing in
    last = status_at(client, 725)

    # Then every page opened until 12 h, and that one sends to the sign-in page
    assert (set(busy), last) == ({200}, 302)
    assert AuditEntry.objects.get(action="account.logout").reason == "会话超过最长有效期"


def test_the_command_centres_background_refresh_does_not_keep_a_session_alive(client: Client, world: World) -> None:
    signed_in_at_t0(client, world, "dispatcher")
    assert status_at(client, 20, "/command/officers.json") == 200
    assert status_at(client, 35) == 302


def test_the_phones_position_posts_keep_an_officers_session_alive(client: Client, world: World) -> None:
    # Given officer_a on duty with the phone open: only its position posts reach the server, every ~30 s
    signed_in_at_t0(client, world, "officer_a")
    lon, lat = POINT_IN_A
    posted = []
    for second in range(30, 55 * 60, 30):
        with at(second / 60):
            posted.append(client.post("/m/position/", {"lon": lon, "lat": lat, "accuracy": 10}).status_code)

    # When the officer opens a task page 55 minutes after signing in
    status = status_at(client, 55, "/m/")

    # Then the session is still there
    assert (set(posted), status) == ({200}, 200)


def test_an_api_session_call_after_the_idle_time_is_refused(client: Client, world: World) -> None:
    signed_in_at_t0(client, world, "dispatcher")
    assert status_at(client, 10, "/api/v1/org/officers") == 200
    assert status_at(client, 41, "/api/v1/org/officers") == 401


def test_session_cookie_lasts_the_absolute_lifetime_and_is_httponly_and_lax(world: World) -> None:
    client = Client()
    client.post("/login/", {"username": "dispatcher", "password": "zhifa-test-pw"})
    session_cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    csrf_cookie = Client().get("/login/").cookies[django_settings.CSRF_COOKIE_NAME]
    assert (session_cookie["max-age"], session_cookie["httponly"], session_cookie["samesite"]) == (43200, True, "Lax")
    assert (csrf_cookie["httponly"], csrf_cookie["samesite"]) == (True, "Lax")
    assert session_cookie["secure"] == ""


def _settings_in_a_process(**env: str) -> dict[str, Any]:
    names = [
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SESSION_COOKIE_AGE",
    ]
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))"
    )
    run_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "ZHIFA_DEV": "1", **env}
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=run_env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_behind_tls_cookies_are_secure_and_browsers_are_told_to_keep_to_https() -> None:
    assert _settings_in_a_process(ZHIFA_TLS="1") == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SESSION_COOKIE_AGE": 43200,
    }
    assert _settings_in_a_process(ZHIFA_TLS="0") == {
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SESSION_COOKIE_AGE": 43200,
    }
