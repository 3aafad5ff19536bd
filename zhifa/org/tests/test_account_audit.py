"""Every account event lands in the audit chain (等保三级 安全审计): sign-in, failed sign-in (the name tried
and the address, never the password), sign-out, lock, unlock, password change, TOTP enrolment."""

import json
from typing import Any

from django.core.management import call_command
from django.test import Client

from conftest import World
from zhifa.core.models import AuditEntry
from zhifa.org.accounts import password_change
from zhifa.org.models import LoginLock
from zhifa.org.tests.second_factor import pass_second_factor


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("seq"))


def test_sign_in_is_audited_with_the_address(world: World) -> None:
    Client().post("/login/", {"username": "dispatcher", "password": "zhifa-test-pw"}, REMOTE_ADDR="10.1.2.3")
    [entry] = entries("account.login")
    user = world.user("dispatcher")
    assert (entry.actor_id, entry.object_type, entry.object_id, entry.after, entry.district_id, entry.client) == (
        user.pk,
        "auth.user",
        str(user.pk),
        {"ip": "10.1.2.3"},
        world.district.pk,
        "web",
    )


def test_a_failed_sign_in_is_audited_with_the_name_and_address_but_not_the_password(world: World) -> None:
    client = Client()
    client.post("/login/", {"username": "dispatcher", "password": "Secret-guess-77"}, REMOTE_ADDR="10.1.2.3")
    client.post("/login/", {"username": "nobody", "password": "Secret-guess-78"}, REMOTE_ADDR="10.1.2.4")
    known, unknown = entries("account.login_failed")
    assert (known.actor_id, known.actor_label, known.object_id, known.after, known.reason) == (
        None,
        "系统",
        str(world.user("dispatcher").pk),
        {"username": "dispatcher", "ip": "10.1.2.3", "locked": False},
        "用户名或密码错误",
    )
    assert (unknown.object_id, unknown.after, unknown.district_id) == (
        "",
        {"username": "nobody", "ip": "10.1.2.4", "locked": False},
        None,
    )
    stored = json.dumps(list(AuditEntry.objects.values()), default=str)
    assert "Secret-guess" not in stored


def test_sign_out_is_audited(world: World) -> None:
    client = Client()
    client.force_login(world.user("dispatcher"))
    response = client.post("/logout/")
    [entry] = entries("account.logout")
    assert (response.status_code, entry.actor_label, entry.after, entry.reason) == (
        302,
        "dispatcher",
        {"ip": "127.0.0.1"},
        "",
    )


def test_a_lock_is_audited_once_and_refused_tries_are_audited_as_such(world: World) -> None:
    client = Client()
    for _ in range(6):
        client.post("/login/", {"username": "officer_a", "password": "wrong-one-1"})
    [lock_entry] = entries("account.lock")
    lock = LoginLock.objects.get()
    assert (lock_entry.object_type, lock_entry.object_id, lock_entry.after, lock_entry.reason) == (
        "org.loginlock",
        str(lock.pk),
        {
            "kind": "username",
            "key": "officer_a",
            "locked_until": lock.locked_until.isoformat(),
            "failures": 5,
        },
        "15 分钟内登录失败 5 次",
    )
    failed = entries("account.login_failed")
    assert [e.after["locked"] for e in failed] == [False] * 5 + [True]
    assert failed[-1].reason == "账号锁定中"


def test_an_unlock_is_audited_with_who_lifted_it(world: World) -> None:
    client = Client()
    for _ in range(5):
        client.post("/login/", {"username": "officer_a", "password": "wrong-one-1"})
    call_command("account_unlock", "officer_a", stdout=None)
    [entry] = entries("account.unlock")
    assert (entry.actor_label, entry.object_id, entry.after) == (
        "管理命令 account_unlock",
        str(LoginLock.objects.get().pk),
        {"kind": "username", "key": "officer_a"},
    )


def test_a_password_change_is_audited_without_the_password(world: World) -> None:
    user = world.user("officer_a")
    password_change(user=user, old_password="zhifa-test-pw", new_password="Xunjian#2026a")
    [entry] = entries("account.password_change")
    assert (entry.actor_label, entry.object_id, entry.before, entry.after) == ("officer_a", str(user.pk), None, None)


def test_totp_enrolment_is_audited(world: World) -> None:
    user = world.user("leader")
    client = Client()
    client.force_login(user)
    device = pass_second_factor(client, user)
    [entry] = entries("account.totp_enrol")
    assert (entry.actor_label, entry.after, entry.district_id) == (
        "leader",
        {"device_id": device.pk},
        world.district.pk,
    )


def test_audit_of_a_sign_in_through_the_admin(world: World, administrator: Any) -> None:
    Client().post("/admin/login/?next=/admin/", {"username": "root", "password": "zhifa-test-pw"})
    assert [e.actor_label for e in entries("account.login")] == ["root"]


def test_sign_out_from_the_admin_is_audited(world: World, administrator: Any, sign_in: Any) -> None:
    response = sign_in(administrator).post("/admin/logout/")
    assert (response.status_code, [e.actor_label for e in entries("account.logout")]) == (302, ["root"])
