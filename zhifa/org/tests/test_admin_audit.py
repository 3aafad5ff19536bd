"""Writes in the admin are audited (全过程记录 covers support staff), and so are changes of who may do what:
an account's flags, groups and permissions, a group's permissions, a profile's post and jurisdiction
(issue 9). The password hash never goes into the chain."""

from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client

from conftest import World
from zhifa.core.models import AuditEntry, CalendarOverride, HolidayYear
from zhifa.org.models import Profile
from zhifa.org.roles import Role
from zhifa.org.tests.second_factor import pass_second_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(django_user_model: Any) -> User:
    return django_user_model.objects.create_superuser("root", password="x-very-long-Pass-1")


@pytest.fixture
def admin_client(client: Client, root: User) -> Client:
    """Signed in as the superuser, second factor and all (every staff account needs one)."""
    client.force_login(root)
    pass_second_factor(client, root)
    return client


def _entries(object_type: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(object_type=object_type, action__startswith="admin.").order_by("seq"))


def _user_form(user: User, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "groups": [],
        "user_permissions": [],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-12-01",
        "date_joined_1": "08:00:00",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_master_data_written_in_the_admin_is_audited(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/core/calendaroverride/add/", {"day": "2026-12-24", "is_working_day": "", "note": "区政府通知调休"}
    )
    assert response.status_code == 302
    override = CalendarOverride.objects.get()
    (entry,) = _entries("core.calendaroverride")
    assert (entry.action, entry.object_id, entry.client) == ("admin.add", str(override.pk), "web")
    assert entry.after["note"] == "区政府通知调休"


def test_a_year_registered_in_the_admin_is_audited_and_refused_before_its_holidays(admin_client: Client) -> None:
    form = {"year": "2099", "notice": "国务院办公厅关于2099年部分节假日安排的通知"}
    refused = admin_client.post("/admin/core/holidayyear/add/", form)
    assert refused.status_code == 200 and "请先在“工作日调整”中录入2099年通知中的放假日期" in refused.content.decode()
    assert not HolidayYear.objects.exists() and not _entries("core.holidayyear")
    CalendarOverride.objects.create(day="2099-01-01", is_working_day=False, note="元旦")
    assert admin_client.post("/admin/core/holidayyear/add/", form).status_code == 302
    (entry,) = _entries("core.holidayyear")
    assert (entry.action, entry.after["year"]) == ("admin.add", 2099)


def test_making_an_account_staff_with_a_group_and_a_permission_is_audited_without_its_password(
    admin_client: Client, root: User, world: World
) -> None:
    # Given an officer's account and a group
    user = world.user("officer_a")
    group = Group.objects.create(name="数据维护")
    permission = Permission.objects.get(codename="change_calendaroverride")
    # When the administrator makes it staff, puts it in the group and gives it a permission
    response = admin_client.post(
        f"/admin/auth/user/{user.pk}/change/",
        _user_form(user, is_staff="on", groups=[group.pk], user_permissions=[permission.pk]),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    # Then one entry holds the rights before and after, and nothing of the password
    (entry,) = _entries("auth.user")
    assert (entry.action, entry.object_id, entry.actor_id) == ("admin.change", str(user.pk), root.pk)
    assert entry.before == {
        "username": "officer_a",
        "is_active": True,
        "is_staff": False,
        "is_superuser": False,
        "groups": [],
        "user_permissions": [],
    }
    assert entry.after == {
        "username": "officer_a",
        "is_active": True,
        "is_staff": True,
        "is_superuser": False,
        "groups": ["数据维护"],
        "user_permissions": ["core.change_calendaroverride"],
    }
    assert user.password.split("$")[-1] not in str(entry.before) + str(entry.after)


def test_a_groups_permissions_changed_in_the_admin_are_audited(admin_client: Client) -> None:
    group = Group.objects.create(name="数据维护")
    permission = Permission.objects.get(codename="change_calendaroverride")
    response = admin_client.post(
        f"/admin/auth/group/{group.pk}/change/", {"name": "数据维护", "permissions": [permission.pk]}
    )
    assert response.status_code == 302
    (entry,) = _entries("auth.group")
    assert (entry.before, entry.after) == (
        {"name": "数据维护", "permissions": []},
        {"name": "数据维护", "permissions": ["core.change_calendaroverride"]},
    )


def test_deleting_an_account_in_the_admin_is_audited(admin_client: Client, django_user_model: Any) -> None:
    user = django_user_model.objects.create_user("leaving", password="x-very-long-Pass-1")
    response = admin_client.post(f"/admin/auth/user/{user.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    (entry,) = _entries("auth.user")
    assert (entry.action, entry.object_id, entry.before["username"], entry.after) == (
        "admin.delete",
        str(user.pk),
        "leaving",
        None,
    )


def test_a_profiles_post_and_street_changed_in_the_admin_are_audited(admin_client: Client, world: World) -> None:
    # Given officer A's profile (an officer of street A)
    profile = Profile.objects.get(user=world.user("officer_a"))
    # When the administrator makes them street B's dispatcher
    response = admin_client.post(
        f"/admin/org/profile/{profile.pk}/change/",
        {
            "user": profile.user_id,
            "district": world.district.pk,
            "role": Role.STREET_DISPATCHER,
            "street": world.street_b.pk,
            "display_name": profile.display_name,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    # Then the entry holds the post and street before and after
    (entry,) = _entries("org.profile")
    assert (entry.action, entry.object_id) == ("admin.change", str(profile.pk))
    assert (entry.before["role"], entry.before["street_id"]) == (Role.OFFICER, world.street_a.pk)
    assert (entry.after["role"], entry.after["street_id"]) == (Role.STREET_DISPATCHER, world.street_b.pk)


def test_a_password_set_by_an_administrator_is_audited_and_a_refused_one_is_not(
    admin_client: Client, root: User, django_user_model: Any
) -> None:
    user = django_user_model.objects.create_user("forgetful", password="x-very-long-Pass-1")
    url = f"/admin/auth/user/{user.pk}/password/"

    refused = admin_client.post(url, {"password1": "12345678", "password2": "12345678"})
    taken = admin_client.post(url, {"password1": "Qiantang-River-2026", "password2": "Qiantang-River-2026"})

    assert (refused.status_code, taken.status_code) == (200, 302)
    entries = AuditEntry.objects.filter(action="account.password_set_by_admin")
    assert [(e.actor_id, e.object_id, e.before, e.after) for e in entries] == [(root.pk, str(user.pk), None, None)]
    assert "Qiantang" not in str(list(entries.values()))
