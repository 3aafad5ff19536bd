"""The password policy (AUTH_PASSWORD_VALIDATORS, zhifa.org.password_rules): length, three character classes,
not like the user name, not common, not one of the last five; expiry forces the change page."""

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from conftest import World
from zhifa.core.errors import ValidationFailed
from zhifa.core.models import AuditEntry
from zhifa.org.accounts import password_change
from zhifa.org.models import PasswordRecord

T0 = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)
GOOD = "Xunjian#2026a"


def refusals(password: str, user: Any) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return exc.messages
    return []


@pytest.mark.parametrize(
    ("password", "messages"),
    [
        (
            "12345678",
            [
                "此密码太短，至少要包含 10 个字符。",
                "密码须包含小写字母、大写字母、数字、符号中的至少 3 类。",
                "这个密码太常见了。",
                "密码只包含数字。",
            ],
        ),
        ("abcdefghijkl", ["密码须包含小写字母、大写字母、数字、符号中的至少 3 类。"]),
        ("Abcdefghijkl", ["密码须包含小写字母、大写字母、数字、符号中的至少 3 类。"]),
        ("Password123", ["这个密码太常见了。"]),
        ("Officer_a2026", ["密码跟 用户名 太相似了。"]),
        ("Ab1!", ["此密码太短，至少要包含 10 个字符。"]),
        (GOOD, []),
        ("xunjian-2026", []),
        ("执法巡查Ab2026", []),
    ],
)
def test_password_rules(world: World, password: str, messages: list[str]) -> None:
    assert refusals(password, world.user("officer_a")) == messages


def test_the_minimum_length_is_configurable(world: World, settings: Any) -> None:
    # The validator's option is read from the setting when the settings load; a deployment sets the variable.
    settings.AUTH_PASSWORD_VALIDATORS = [
        {**v, "OPTIONS": {"min_length": 14}} if v["NAME"].endswith("MinimumLengthValidator") else v
        for v in settings.AUTH_PASSWORD_VALIDATORS
    ]
    assert refusals(GOOD, world.user("officer_a")) == ["此密码太短，至少要包含 14 个字符。"]


def test_none_of_the_last_five_passwords_may_come_back(world: World) -> None:
    # Given officer_a who changed the password five times, from the first to the fifth of these
    user = world.user("officer_a")
    used = [f"Xunjian#{n}abc" for n in range(1, 7)]
    current = "zhifa-test-pw"
    for password in used[:5]:
        password_change(user=user, old_password=current, new_password=password)
        current = password

    # When the current one, then the first three, are offered again; then one from six changes back
    assert refusals(used[4], user) == ["新密码不能与最近 5 次使用过的密码相同。"]
    assert [refusals(p, user) for p in used[:3]] == [["新密码不能与最近 5 次使用过的密码相同。"]] * 3
    password_change(user=user, old_password=current, new_password=used[5])

    # Then only hashes are kept, and the first password (now six back) is allowed again
    assert refusals(used[0], user) == []
    assert PasswordRecord.objects.filter(user=user).count() == 6
    assert not PasswordRecord.objects.filter(password__in=used).exists()


def test_a_refused_change_writes_nothing(world: World) -> None:
    user = world.user("officer_a")
    with pytest.raises(ValidationFailed) as refused:
        password_change(user=user, old_password="zhifa-test-pw", new_password="12345678")
    assert refused.value.code == "password_rejected"
    user.refresh_from_db()
    assert user.check_password("zhifa-test-pw")
    assert (PasswordRecord.objects.count(), AuditEntry.objects.filter(action="account.password_change").count()) == (
        0,
        0,
    )


def test_the_change_page_refuses_a_weak_password_in_chinese(world: World) -> None:
    client = Client()
    client.force_login(world.user("dispatcher"))
    response = client.post(
        "/account/password/",
        {"old_password": "zhifa-test-pw", "new_password": "12345678", "new_password_again": "12345678"},
    )
    assert response.status_code == 422
    assert "新密码不符合要求：此密码太短，至少要包含 10 个字符。" in response.content.decode()
    assert world.user("dispatcher").check_password("zhifa-test-pw")


def sign_in_at(client: Client, when: dt.datetime, username: str, password: str = "zhifa-test-pw") -> Any:
    with time_machine.travel(when, tick=False):
        return client.post("/login/", {"username": username, "password": password})


def test_an_expired_password_sends_every_page_to_the_change_page_until_changed(world: World) -> None:
    # Given the dispatcher's password, set at T0 (90-day expiry)
    user = world.user("dispatcher")
    with time_machine.travel(T0, tick=False):
        password_change(user=user, old_password="zhifa-test-pw", new_password=GOOD)

    # When the dispatcher signs in 89 days later, and again 91 days later
    early, late = Client(), Client()
    sign_in_at(early, T0 + dt.timedelta(days=89), "dispatcher", GOOD)
    sign_in_at(late, T0 + dt.timedelta(days=91), "dispatcher", GOOD)
    with time_machine.travel(T0 + dt.timedelta(days=89, minutes=1), tick=False):
        early_page = early.get("/subjects/")
    with time_machine.travel(T0 + dt.timedelta(days=91, minutes=1), tick=False):
        late_page = late.get("/subjects/")
        late_api = late.get("/api/v1/org/officers")
        changed = late.post(
            "/account/password/",
            {
                "old_password": GOOD,
                "new_password": "Xunjian#2027b",
                "new_password_again": "Xunjian#2027b",
                "next": "/subjects/",
            },
        )
        after = late.get("/subjects/")

    # Then the 89-day one works; the 91-day one is sent to change it (the API refuses), and once changed works
    assert early_page.status_code == 200
    assert (late_page.status_code, late_page["Location"]) == (302, "/account/password/?next=%2Fsubjects%2F")
    assert late_api.status_code == 401
    assert (changed.status_code, changed["Location"], after.status_code) == (302, "/subjects/", 200)
    entry = AuditEntry.objects.filter(action="account.password_change").latest("seq")
    assert (entry.actor_label, entry.object_id) == ("dispatcher", str(user.pk))
