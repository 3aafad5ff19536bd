"""The 账号与岗位 pages and the officer's edit page, through the test client as the person uses them: the
administrator (past the second factor) creates, changes, disables and resets; the dispatcher reads; a
refusal shows its message and code and writes nothing; the one-time password opens only the change page."""

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from conftest import World
from zhifa.core.models import AuditEntry
from zhifa.org.models import Officer, PasswordRecord, Profile
from zhifa.org.roles import Role
from zhifa.org.tests.factories import OfficerFactory, ProfileFactory, UserFactory

User = get_user_model()
HOSTILE = '<img src=x onerror="alert(1)">'


@pytest.fixture
def admin(world: World) -> Any:
    user = UserFactory(username="district_admin")
    ProfileFactory(user=user, district=world.district, role=Role.ADMIN, display_name="区管理员")
    world.users["district_admin"] = user
    return user


@pytest.fixture
def as_admin(sign_in: Any, admin: Any) -> Client:
    return sign_in(admin)  # type: ignore[no-any-return]


def footprint() -> tuple[Any, ...]:
    return (
        list(User.objects.order_by("pk").values_list("username", "is_active", "password")),
        list(Profile.objects.order_by("pk").values_list("role", "street_id", "department_id", "display_name")),
        list(
            Officer.objects.order_by("pk").values_list("user_id", "phone", "zone_id", "is_active", "certified_domains")
        ),
        PasswordRecord.objects.count(),
        AuditEntry.objects.count(),
    )


def one_time_password(response: Any) -> str:
    found = re.search(r'<code class="one-time-password">([^<]+)</code>', response.content.decode())
    assert found is not None, response.content.decode()
    return found.group(1)


def test_the_administrator_lists_accounts_with_a_hostile_name_as_text(
    world: World, admin: Any, as_admin: Client
) -> None:
    Profile.objects.filter(user=world.user("liaison")).update(display_name=HOSTILE)
    response = as_admin.get("/people/?role=liaison")
    body = response.content.decode()
    assert response.status_code == 200
    assert HOSTILE not in body
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in body
    assert '<a class="btn new-account" href="/people/new/">' in body
    assert 'href="/people/"' in body  # the navigation's link


def test_a_new_account_gets_a_one_time_password_shown_once_that_opens_only_the_change_page(
    world: World, admin: Any, as_admin: Client
) -> None:
    officer = OfficerFactory(district=world.district, name="甲三队员", street=world.street_a)
    response = as_admin.post(
        "/people/new/",
        {
            "username": "jia_san",
            "display_name": "甲三",
            "role": "officer",
            "street_id": str(world.street_a.pk),
            "binding": f"officer:{officer.pk}",
        },
    )
    assert (response.status_code, response["Cache-Control"]) == (200, "no-store")
    password = one_time_password(response)
    user = User.objects.get(username="jia_san")
    assert (Officer.objects.get(pk=officer.pk).user_id, user.profile.street_id) == (user.pk, world.street_a.pk)
    # The password is not in the audit chain (the database keeps only its hash)
    assert not AuditEntry.objects.filter(after__icontains=password).exists()

    # When the new officer signs in with it, every page sends them to the change page first
    newcomer = Client()
    newcomer.post("/login/", {"username": "jia_san", "password": password})
    assert newcomer.get("/m/")["Location"] == "/account/password/?next=%2Fm%2F"
    changed = newcomer.post(
        "/account/password/",
        {"old_password": password, "new_password": "Xunjian#2026a", "new_password_again": "Xunjian#2026a"},
    )
    assert changed.status_code == 302
    assert newcomer.get("/m/").status_code == 200


@pytest.mark.parametrize(
    ("data", "code", "message"),
    [
        ({"role": "officer"}, "street_required", "执法队员须选择所属街道"),
        ({"role": "dispatcher", "street_id": "street_a"}, "street_not_for_role", "指挥中心调度员面向全区或部门"),
        ({"role": "liaison"}, "department_required", "部门联络员须选择所属部门"),
        ({"role": "officer", "street_id": "999999"}, "street_outside_district", "街道不在本区"),
        ({"role": "officer", "street_id": "street_a", "username": "officer_b"}, "username_taken", "已被使用"),
        (
            {"role": "officer", "street_id": "street_a", "binding": "officer_of_a"},
            "officer_already_bound",
            "已绑定其他账号",
        ),
        ({"role": "officer", "street_id": "street_a", "binding": "officer:abc"}, "binding_invalid", "请选择有效的"),
    ],
)
def test_a_refused_new_account_shows_its_code_and_writes_nothing(
    world: World, admin: Any, as_admin: Client, data: dict[str, str], code: str, message: str
) -> None:
    form = {"username": "new_one", "display_name": "新人", **data}
    if form.get("street_id") == "street_a":
        form["street_id"] = str(world.street_a.pk)
    if form.get("binding") == "officer_of_a":
        form["binding"] = f"officer:{Officer.objects.get(user=world.user('officer_a')).pk}"
    before = footprint()
    response = as_admin.post("/people/new/", form)
    body = response.content.decode()
    assert response.status_code in (409, 422)
    assert f"（{code}）" in body and message in body
    # The field the refusal is about carries its message too
    assert re.search(r'<ul class="errorlist" id="[a-z_]+-errors"><li>[^<]*' + re.escape(message), body)
    assert footprint() == before


def test_disabling_ends_the_accounts_session_now(world: World, admin: Any, as_admin: Client) -> None:
    # Given officer_a signed in on the phone
    phone = Client()
    phone.force_login(world.user("officer_a"))
    assert phone.get("/m/").status_code == 200

    # When the administrator disables the account
    response = as_admin.post(f"/people/{world.user('officer_a').pk}/do/disable/", {"reason": "调离"})
    assert response.status_code == 302

    # Then the phone's next page asks for a sign-in, and enabling again does not revive that session
    assert phone.get("/m/")["Location"] == "/login/?next=/m/"
    as_admin.post(f"/people/{world.user('officer_a').pk}/do/enable/", {"reason": ""})
    assert phone.get("/m/")["Location"] == "/login/?next=/m/"
    assert list(AuditEntry.objects.filter(action="account.disable").values_list("after", flat=True)) == [
        {"is_active": False, "sessions_ended": 1}
    ]


def test_a_reset_shows_the_password_once_and_ends_the_old_sessions(world: World, admin: Any, as_admin: Client) -> None:
    phone = Client()
    phone.force_login(world.user("officer_a"))
    response = as_admin.post(f"/people/{world.user('officer_a').pk}/do/password/")
    assert (response.status_code, response["Cache-Control"]) == (200, "no-store")
    assert len(one_time_password(response)) == 14
    assert phone.get("/m/")["Location"] == "/login/?next=/m/"


def test_the_administrator_changes_a_post_and_sees_it(world: World, admin: Any, as_admin: Client) -> None:
    target = world.user("street_dispatcher_a")
    response = as_admin.post(
        f"/people/{target.pk}/do/post/",
        {"display_name": "调度乙", "role": "street_dispatcher", "street_id": str(world.street_b.pk)},
    )
    assert response["Location"] == f"/people/{target.pk}/"
    page = as_admin.get(response["Location"]).content.decode()
    assert "street_dispatcher_a：修改岗位已完成" in page
    assert '<dd class="street">乙街道</dd>' in page
    assert '<td class="what">岗位调整</td><td class="who">district_admin</td>' in page  # the account's history
    # The page frame still shows who is signed in, not the account on the page
    assert '<span class="user-name">区管理员</span>' in page and '<span class="role">系统管理员</span>' in page


def test_the_administrators_own_page_offers_no_self_changes_and_refuses_them(admin: Any, as_admin: Client) -> None:
    page = as_admin.get(f"/people/{admin.pk}/").content.decode()
    assert "这是您自己的账号" in page and "停用账号" not in page
    before = footprint()
    response = as_admin.post(f"/people/{admin.pk}/do/disable/", {"reason": ""})
    assert (response.status_code, "（account_self_disable）" in response.content.decode()) == (422, True)
    assert footprint() == before


def test_the_dispatcher_reads_the_list_and_changes_nothing(world: World, client: Client) -> None:
    client.force_login(world.user("dispatcher"))
    body = client.get("/people/").content.decode()
    assert "只读：账号和岗位由系统管理员维护" in body and "新建账号" not in body
    detail = client.get(f"/people/{world.user('officer_a').pk}/").content.decode()
    assert "停用账号" not in detail and "账号记录" not in detail
    before = footprint()
    statuses = [
        client.get("/people/new/").status_code,
        client.post("/people/new/", {"username": "x", "display_name": "x", "role": "leader"}).status_code,
        client.post(f"/people/{world.user('officer_a').pk}/do/disable/").status_code,
        client.post(f"/people/{world.user('officer_a').pk}/do/password/").status_code,
    ]
    assert (statuses, footprint()) == ([403] * 4, before)


@pytest.mark.parametrize("persona", ["officer_a", "street_dispatcher_a", "leader_after_second_factor"])
def test_other_posts_do_not_see_accounts(world: World, client: Client, sign_in: Any, persona: str) -> None:
    if persona == "leader_after_second_factor":
        sign_in(world.user("leader"))
    else:
        client.force_login(world.user(persona))
    assert client.get("/people/").status_code == 403
    assert 'href="/people/"' not in client.get("/subjects/").content.decode()


# --- the officer's edit page -----------------------------------------------------------------------------


def test_the_dispatcher_edits_an_officers_phone_zone_duty_and_domains(world: World, client: Client) -> None:
    officer = Officer.objects.get(user=world.user("officer_a"))
    client.force_login(world.user("dispatcher"))
    assert f'href="/officers/{officer.pk}/edit/"' in client.get(f"/officers/{officer.pk}/").content.decode()
    response = client.post(
        f"/officers/{officer.pk}/edit/",
        {"phone": "13900001111", "zone_id": str(world.zone_a.pk), "certified_domains": ["market", "city_appearance"]},
    )
    assert response["Location"] == f"/officers/{officer.pk}/"
    officer.refresh_from_db()
    assert (officer.phone, officer.zone_id, officer.is_active, officer.certified_domains) == (
        "13900001111",
        world.zone_a.pk,
        False,
        ["city_appearance", "market"],
    )
    page = client.get(f"/officers/{officer.pk}/").content.decode()
    assert '<span class="tag">市容环卫</span><span class="tag">市场监管</span>' in page


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"phone": "<script>"}, "phone_invalid"),
        ({"zone_id": "zone_b"}, "zone_not_in_street"),
        ({"zone_id": "999999"}, "zone_outside_district"),
        ({"certified_domains": ["market", "astrology"]}, "domain_unknown"),
    ],
)
def test_a_refused_officer_edit_shows_its_code_and_writes_nothing(
    world: World, client: Client, data: dict[str, Any], code: str
) -> None:
    officer = Officer.objects.get(user=world.user("officer_a"))
    client.force_login(world.user("dispatcher"))
    form = {"phone": "", "zone_id": "", "is_active": "on", **data}
    if form["zone_id"] == "zone_b":
        form["zone_id"] = str(world.zone_b.pk)
    before = footprint()
    response = client.post(f"/officers/{officer.pk}/edit/", form)
    assert (response.status_code, f"（{code}）" in response.content.decode()) == (422, True)
    assert footprint() == before


@pytest.mark.parametrize("persona", ["officer_a", "street_dispatcher_a"])
def test_street_posts_do_not_edit_officers(world: World, client: Client, persona: str) -> None:
    officer = Officer.objects.get(user=world.user("officer_a"))
    client.force_login(world.user(persona))
    before = footprint()
    assert client.get(f"/officers/{officer.pk}/edit/").status_code == 403
    assert client.post(f"/officers/{officer.pk}/edit/", {"phone": "13900001111"}).status_code == 403
    assert f'href="/officers/{officer.pk}/edit/"' not in client.get(f"/officers/{officer.pk}/").content.decode()
    assert footprint() == before


def test_a_locked_account_is_unlocked_from_its_page(world: World, admin: Any, as_admin: Client) -> None:
    # Given officer_a locked out by five wrong passwords
    stranger = Client()
    for _ in range(5):
        stranger.post("/login/", {"username": "officer_a", "password": "guess-1234"})
    target = world.user("officer_a")
    page = as_admin.get(f"/people/{target.pk}/").content.decode()
    assert '<span class="tag danger status-locked">已锁定</span>' in page and "解除锁定" in page

    # When the administrator lifts the lock, the account is active again and its password opens it
    response = as_admin.post(f"/people/{target.pk}/do/unlock/")
    assert response.status_code == 302
    assert '<span class="tag ok status-active">正常</span>' in as_admin.get(f"/people/{target.pk}/").content.decode()
    stranger.post("/login/", {"username": "officer_a", "password": "zhifa-test-pw"})
    assert "_auth_user_id" in stranger.session
    # And a second unlock has nothing to lift
    again = as_admin.post(f"/people/{target.pk}/do/unlock/")
    assert (again.status_code, "（account_not_locked）" in again.content.decode()) == (409, True)


def test_the_list_answers_htmx_with_its_results_only(world: World, admin: Any, as_admin: Client) -> None:
    body = as_admin.get("/people/?q=officer", HTTP_HX_REQUEST="true").content.decode()
    assert "<nav" not in body
    assert re.findall(r'data-username="([^"]+)"', body) == ["officer_a", "officer_b"]


def test_the_administrator_passes_the_second_factor_before_the_accounts(
    world: World, admin: Any, client: Client
) -> None:
    client.force_login(admin)  # the password only
    assert client.get("/people/")["Location"] == "/account/totp/enrol/?next=%2Fpeople%2F"
    before = footprint()
    response = client.post(f"/people/{world.user('officer_a').pk}/do/disable/")
    assert (response.status_code, footprint()) == (302, before)
