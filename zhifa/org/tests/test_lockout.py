"""Failed sign-ins lock the name tried and, at a higher count, the client address (等保三级 登录失败处理).
Through the sign-in page, as a person or a script would try."""

import datetime as dt
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from conftest import World
from zhifa.core.models import AuditEntry
from zhifa.org.accounts import LOCKED_MESSAGE
from zhifa.org.models import LoginFailure, LoginLock, LoginLockKind

RIGHT = "zhifa-test-pw"
WRONG_MESSAGE = "请输入一个正确的用户名和密码。注意，两者都区分大小写。"
T0 = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)


def post_sign_in(client: Client, username: str, password: str, ip: str = "10.0.0.1") -> Any:
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def errors(response: Any) -> list[str]:
    return list(response.context["form"].non_field_errors()) if response.status_code == 200 else []


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("wrong_tries", [5, 30])
def test_the_right_password_after_the_limit_of_wrong_ones_is_refused(world: World, wrong_tries: int) -> None:
    # Given officer_a's name tried with wrong passwords, five times or thirty
    client = Client()
    for _ in range(wrong_tries):
        post_sign_in(client, "officer_a", "guess-1234")

    # When the right password comes next
    response = post_sign_in(client, "officer_a", RIGHT)

    # Then it is refused with the lock's message, and only the failures up to the lock were counted
    assert (response.status_code, errors(response), signed_in(client)) == (200, [LOCKED_MESSAGE], False)
    assert list(LoginLock.objects.values_list("kind", "key")) == [(LoginLockKind.USERNAME, "officer_a")]
    assert LoginFailure.objects.filter(username="officer_a").count() == 5


def test_four_wrong_passwords_do_not_lock_and_a_success_starts_the_count_again(world: World) -> None:
    client = Client()
    for _ in range(4):
        post_sign_in(client, "officer_a", "guess-1234")
    assert signed_in(client) is False
    post_sign_in(client, "officer_a", RIGHT)
    assert signed_in(client) is True
    client.logout()
    for _ in range(4):
        post_sign_in(client, "officer_a", "guess-1234")

    post_sign_in(client, "officer_a", RIGHT)

    assert (signed_in(client), LoginLock.objects.count()) == (True, 0)


def test_an_unknown_name_is_locked_alike_and_gets_the_same_messages(world: World) -> None:
    # Given an existing name and one that does not exist, each tried five times with a wrong password
    client = Client()
    first_known = errors(post_sign_in(client, "officer_a", "guess-1234"))
    first_unknown = errors(post_sign_in(client, "no_such_user", "guess-1234"))
    for _ in range(4):
        post_sign_in(client, "officer_a", "guess-1234")
        post_sign_in(client, "no_such_user", "guess-1234")

    # When each is tried again
    locked_known = errors(post_sign_in(client, "officer_a", RIGHT))
    locked_unknown = errors(post_sign_in(client, "no_such_user", RIGHT))

    # Then the answers are the same for both: nothing tells which name exists
    assert first_known == first_unknown == [WRONG_MESSAGE]
    assert locked_known == locked_unknown == [LOCKED_MESSAGE]


def test_the_lock_runs_out_after_the_lockout_time(world: World, settings: Any) -> None:
    settings.ZHIFA_LOGIN_LOCKOUT_S = 1800
    client = Client()
    with time_machine.travel(T0, tick=False):
        for _ in range(5):
            post_sign_in(client, "officer_a", "guess-1234")
    with time_machine.travel(T0 + dt.timedelta(minutes=29), tick=False):
        assert errors(post_sign_in(client, "officer_a", RIGHT)) == [LOCKED_MESSAGE]
    with time_machine.travel(T0 + dt.timedelta(minutes=31), tick=False):
        post_sign_in(client, "officer_a", RIGHT)
        assert signed_in(client) is True


def test_with_no_lockout_time_the_lock_lasts_until_an_administrator_lifts_it(world: World, settings: Any) -> None:
    # Given locks that do not run out, and officer_a locked
    settings.ZHIFA_LOGIN_LOCKOUT_S = 0
    client = Client()
    with time_machine.travel(T0, tick=False):
        for _ in range(5):
            post_sign_in(client, "officer_a", "guess-1234")
    with time_machine.travel(T0 + dt.timedelta(days=30), tick=False):
        assert errors(post_sign_in(client, "officer_a", RIGHT)) == [LOCKED_MESSAGE]

        # When the command unlocks the name
        out = StringIO()
        call_command("account_unlock", "officer_a", stdout=out)

        # Then the right password works again, and the lock is kept as history with its unlocking time
        assert "已解锁 officer_a" in out.getvalue()
        post_sign_in(client, "officer_a", RIGHT)
        assert signed_in(client) is True
        lock = LoginLock.objects.get()
        assert (lock.locked_until, lock.unlocked_at) == (None, T0 + dt.timedelta(days=30))


def test_unlocking_a_name_that_is_not_locked_changes_nothing(world: World) -> None:
    out = StringIO()
    call_command("account_unlock", "officer_a", stdout=out)
    assert out.getvalue() == "officer_a 当前没有锁定，未做任何改动。\n"
    assert LoginLock.objects.count() == 0


def test_an_administrator_unlocks_in_the_admin(world: World, administrator: Any, sign_in: Any) -> None:
    # Given officer_a locked
    for _ in range(5):
        post_sign_in(Client(), "officer_a", "guess-1234")
    lock = LoginLock.objects.get()

    # When an administrator (second factor passed) runs the admin's unlock action on it
    admin = sign_in(administrator)
    response = admin.post("/admin/org/loginlock/", {"action": "unlock", "_selected_action": [lock.pk]})

    # Then the lock is lifted by that administrator, and officer_a can sign in
    assert response.status_code == 302
    lock.refresh_from_db()
    assert lock.unlocked_by == administrator
    client = Client()
    post_sign_in(client, "officer_a", RIGHT)
    assert signed_in(client) is True


def test_many_failures_from_one_address_lock_the_address_for_every_name(world: World, settings: Any) -> None:
    # Given one address that tried three different names with wrong passwords (limit per address: 3)
    settings.ZHIFA_LOGIN_MAX_FAILURES_PER_IP = 3
    client = Client()
    for name in ("dispatcher", "leader", "no_such_user"):
        post_sign_in(client, name, "guess-1234", ip="10.0.0.66")

    # When officer_a signs in with the right password from that address, then from another
    from_spraying = post_sign_in(client, "officer_a", RIGHT, ip="10.0.0.66")
    spraying_signed_in = signed_in(client)
    post_sign_in(client, "officer_a", RIGHT, ip="10.0.0.7")

    # Then the address is locked, the name is not
    assert (errors(from_spraying), spraying_signed_in, signed_in(client)) == ([LOCKED_MESSAGE], False, True)
    assert list(LoginLock.objects.values_list("kind", "key")) == [(LoginLockKind.IP, "10.0.0.66")]


def test_the_admin_login_is_locked_too(world: World) -> None:
    # The admin's own login form checks passwords through the same backend.
    world.users["officer_a"].is_staff = True
    world.users["officer_a"].save(update_fields=["is_staff"])
    client = Client()
    for _ in range(5):
        client.post("/admin/login/", {"username": "officer_a", "password": "guess-1234"})
    client.post("/admin/login/?next=/admin/", {"username": "officer_a", "password": RIGHT})
    assert signed_in(client) is False
    assert LoginLock.objects.filter(key="officer_a").count() == 1


def test_failures_older_than_the_window_are_forgotten_but_stay_audited(world: World, settings: Any) -> None:
    # A spray of names from many addresses leaves one window's worth of counting rows, not every try ever; each
    # try is still in the audit trail.
    settings.ZHIFA_LOGIN_WINDOW_S = 900
    client = Client()
    with time_machine.travel(T0, tick=False):
        for n in range(3):
            post_sign_in(client, f"sprayed{n}", "guess-1234", ip=f"10.0.1.{n}")
    with time_machine.travel(T0 + dt.timedelta(minutes=14), tick=False):
        post_sign_in(client, "sprayed3", "guess-1234", ip="10.0.1.3")
    assert LoginFailure.objects.count() == 4  # all inside the window
    with time_machine.travel(T0 + dt.timedelta(minutes=16), tick=False):
        post_sign_in(client, "sprayed4", "guess-1234", ip="10.0.1.4")
    assert sorted(LoginFailure.objects.values_list("username", flat=True)) == ["sprayed3", "sprayed4"]
    assert AuditEntry.objects.filter(action="account.login_failed").count() == 5
