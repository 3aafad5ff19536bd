"""Issue 14 part 6 in the browser: the district administrator — password, then the six digits of the
authenticator her post requires — opens 账号与岗位, creates an officer's account bound to the officer's
record with a hostile display name, reads the one-time password, finds the account in the list with the
name shown as text, and disables it. No script runs, no dialog opens."""

import re
from typing import Any

from playwright.sync_api import expect

from conftest import World
from tests.browser.conftest import login_with_second_factor
from zhifa.org.models import Officer
from zhifa.org.roles import Role
from zhifa.org.tests.factories import OfficerFactory, ProfileFactory, UserFactory

HOSTILE = '<img src=x onerror="alert(1)">'  # ≤ 30 characters, the post's name length


def test_the_administrator_creates_and_disables_an_account_in_the_browser(
    live_server: Any, world: World, watched: tuple[Any, list[str]]
) -> None:
    page, dialogs = watched
    admin = UserFactory(username="district_admin")
    ProfileFactory(user=admin, district=world.district, role=Role.ADMIN, display_name="区管理员")
    OfficerFactory(
        district=world.district,
        name="甲三队员",
        badge_no="Z0303",
        home_department=world.enforcement_dept,
        street=world.street_a,
    )

    # Given: signed in with the password, then the authenticator's six digits.
    login_with_second_factor(page, live_server.url, admin)

    # When: 账号与岗位 → 新建账号, an officer of street A bound to the officer's record.
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="账号与岗位").click()
    page.get_by_role("link", name="新建账号").click()
    page.get_by_label("用户名").fill("jia_san")
    page.get_by_label("姓名").fill(HOSTILE)
    page.get_by_label("角色").select_option(label="执法队员")
    page.get_by_label("街道").select_option(label="甲街道")
    page.get_by_label("绑定人员").select_option(label="甲三队员（Z0303）")
    page.get_by_role("button", name="创建账号").click()

    # Then: the one-time password is shown once, and the account is in the list with the name as text.
    expect(page.get_by_role("heading", name="账号已创建")).to_be_visible()
    expect(page.locator(".one-time-password")).to_have_text(
        re.compile(r"^[A-Za-z2-9]{4}-[A-Za-z2-9]{4}-[A-Za-z2-9]{4}$")
    )
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="账号与岗位").click()
    page.get_by_label("搜索").fill("jia_san")
    row = page.locator("table.accounts tbody tr.account[data-username='jia_san']")
    expect(row.locator("td.display-name")).to_have_text(HOSTILE)
    expect(row.locator("td.binding")).to_have_text("执法人员 甲三队员（Z0303）")
    expect(row.locator("td.status")).to_have_text("正常")

    # And: the account's page disables it; the list then says so.
    row.get_by_role("link", name="jia_san").click()
    expect(page.locator("h1 .display-name")).to_have_text(HOSTILE)
    page.locator("details.action-status summary").click()
    page.get_by_label("停用原因").fill("调离")
    page.get_by_role("button", name="停用账号").click()
    expect(page.locator("#account-status")).to_have_text("已停用")
    expect(page.get_by_role("status")).to_contain_text("jia_san：停用账号已完成")

    assert Officer.objects.get(badge_no="Z0303").user.is_active is False
    # The hostile name was text everywhere: nothing ran, no dialog opened, the policy stopped nothing.
    assert page.evaluate("() => document.querySelectorAll('main img').length") == 0
    assert page.evaluate("() => window.__violations") == []
    assert dialogs == []
