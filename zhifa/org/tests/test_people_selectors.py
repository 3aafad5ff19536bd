"""The account list (zhifa.org.people_selectors): the district's posts with status and binding, filtered,
in one query; the administrator and the command centre's dispatcher read it, nobody else."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import World
from zhifa.core.errors import NotFound, PermissionDenied
from zhifa.org.accounts import login_failure_record
from zhifa.org.people_selectors import AccountStatus, account_get, account_list, account_status
from zhifa.org.roles import Role
from zhifa.org.tests.factories import (
    DistrictFactory,
    OfficerFactory,
    ProfileFactory,
    StreetFactory,
    UserFactory,
)


@pytest.fixture
def admin(world: World) -> Any:
    user = UserFactory(username="district_admin")
    ProfileFactory(user=user, district=world.district, role=Role.ADMIN, display_name="区管理员")
    return user


def usernames(rows: Any) -> list[str]:
    return [profile.user.username for profile in rows]


def test_the_list_holds_the_districts_accounts_only(world: World, admin: Any) -> None:
    elsewhere = DistrictFactory(code="330106", name="西湖区")
    ProfileFactory(user=UserFactory(username="xihu_officer"), district=elsewhere, role=Role.OFFICER)
    assert usernames(account_list(user=admin)) == sorted([*world.users, "district_admin"])
    with pytest.raises(NotFound):
        account_get(user=admin, account_id=UserFactory(username="no_post").pk)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"role": Role.OFFICER}, ["officer_a", "officer_b"]),
        ({"street_id": "street_a"}, ["auxiliary_a", "officer_a", "street_dispatcher_a"]),
        ({"q": "DISPATCH"}, ["dispatcher", "street_dispatcher_a"]),
        ({"status": AccountStatus.DISABLED}, ["leader"]),
        ({"status": AccountStatus.LOCKED}, ["liaison"]),
        ({"role": Role.LIAISON, "status": AccountStatus.ACTIVE}, []),
    ],
)
def test_filters(world: World, admin: Any, filters: dict[str, Any], expected: list[str]) -> None:
    leader = world.user("leader")
    leader.is_active = False
    leader.save(update_fields=["is_active"])
    for _ in range(5):
        login_failure_record(username="liaison", ip=None, locked=False)
    if filters.get("street_id") == "street_a":
        filters["street_id"] = world.street_a.pk
    assert usernames(account_list(user=admin, **filters)) == expected


def test_each_row_shows_its_status_and_binding(world: World, admin: Any) -> None:
    for _ in range(5):
        login_failure_record(username="officer_b", ip=None, locked=False)
    rows = {p.user.username: p for p in account_list(user=admin)}
    assert (account_status(rows["officer_b"]), account_status(rows["officer_a"])) == (
        AccountStatus.LOCKED,
        AccountStatus.ACTIVE,
    )
    assert rows["officer_a"].user.officer.name == "甲队员"


def test_the_list_is_one_query_whatever_its_rows(world: World, admin: Any) -> None:
    def read() -> int:
        with CaptureQueriesContext(connection) as ctx:
            rows = list(account_list(user=admin))
            [
                (p.street, p.department, getattr(p.user, "officer", None), getattr(p.user, "auxiliary", None))
                for p in rows
            ]
        return len(ctx.captured_queries)

    few = read()
    for n in range(5):
        street = StreetFactory(district=world.district)
        user = UserFactory(username=f"more{n}")
        ProfileFactory(user=user, district=world.district, role=Role.OFFICER, street=street)
        OfficerFactory(district=world.district, user=user, street=street)
    # One query for the rows (the reader's post is already on the user object, as in a request).
    assert (few, read()) == (1, 1)


@pytest.mark.parametrize("persona", ["leader", "officer_a", "street_dispatcher_a", "liaison", "business_owner"])
def test_only_the_administrator_and_the_dispatcher_read_accounts(world: World, persona: str) -> None:
    assert len(account_list(user=world.user("dispatcher"))) == len(world.users)
    with pytest.raises(PermissionDenied) as exc:
        account_list(user=world.user(persona))
    assert exc.value.code == "account_list_forbidden"


def test_an_accounts_history_lists_its_audited_actions_newest_first(world: World, admin: Any) -> None:
    from zhifa.org import people
    from zhifa.org.people_selectors import account_history

    target = world.user("officer_a")
    people.account_disable(actor=admin, user=target, reason="调离")
    people.account_enable(actor=admin, user=target)
    people.account_post_change(
        actor=admin, user=target, display_name="甲队员", role=Role.OFFICER, street=world.street_a
    )
    people.account_unbind(actor=admin, user=target)
    people.account_password_reset(actor=admin, user=target)
    people.account_disable(actor=admin, user=world.user("officer_b"))  # another account's
    history = account_history(user=admin, account_id=target.pk)
    assert [(e.action, e.actor_label, e.reason) for e in history] == [
        ("account.password_reset", "district_admin", ""),
        ("account.unbind", "district_admin", ""),
        ("account.post_change", "district_admin", ""),
        ("account.enable", "district_admin", ""),
        ("account.disable", "district_admin", "调离"),
    ]
    with pytest.raises(PermissionDenied):
        account_history(user=world.user("dispatcher"), account_id=target.pk)
