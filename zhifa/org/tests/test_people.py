"""Accounts and posts without the Django admin (zhifa.org.people): the district administrator creates an
account with its post and a one-time password, changes posts, binds officers, disables, resets and
unlocks; every change audited; every refusal a code that writes nothing."""

from typing import Any

import pytest
from django.contrib.auth import authenticate, get_user_model

from conftest import World
from zhifa.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from zhifa.core.models import AuditEntry
from zhifa.org import people
from zhifa.org.accounts import login_failure_record, password_expired
from zhifa.org.jurisdiction import jurisdiction_of
from zhifa.org.models import AuxiliaryStaff, LoginLock, Officer, PasswordRecord, Profile
from zhifa.org.roles import Role
from zhifa.org.tests.factories import AuxiliaryStaffFactory, OfficerFactory, ProfileFactory, UserFactory

User = get_user_model()


@pytest.fixture
def admin(world: World) -> Any:
    """The district administrator: the admin post, not a Django superuser (the platform's own pages)."""
    user = UserFactory(username="district_admin")
    ProfileFactory(user=user, district=world.district, role=Role.ADMIN, display_name="区管理员")
    world.users["district_admin"] = user
    return user


@pytest.fixture
def free_officer(world: World) -> Officer:
    """An officer of street A with no account yet."""
    return OfficerFactory(  # type: ignore[no-any-return]
        district=world.district, name="甲三队员", home_department=world.enforcement_dept, street=world.street_a
    )


def footprint() -> tuple[Any, ...]:
    return (
        User.objects.count(),
        list(Profile.objects.order_by("pk").values_list("user_id", "role", "street_id", "department_id")),
        list(Officer.objects.order_by("pk").values_list("user_id", flat=True)),
        list(AuxiliaryStaff.objects.order_by("pk").values_list("user_id", flat=True)),
        list(User.objects.order_by("pk").values_list("is_active", "password")),
        PasswordRecord.objects.count(),
        AuditEntry.objects.count(),
    )


def create(world: World, admin: Any, **overrides: Any) -> tuple[Any, str]:
    fields: dict[str, Any] = {
        "username": "wang_ming",
        "display_name": "王明",
        "role": Role.OFFICER,
        "street": world.street_a,
    }
    fields.update(overrides)
    return people.account_create(actor=admin, **fields)  # type: ignore[no-any-return]


# --- creating --------------------------------------------------------------------------------------------


def test_an_account_is_created_with_its_post_binding_and_a_one_time_password(
    world: World, admin: Any, free_officer: Officer
) -> None:
    # When the administrator opens an officer's account in street A bound to the officer's record
    user, password = create(world, admin, officer=free_officer)

    # Then the post and the binding are as given, the password signs in once and must then be changed
    profile = Profile.objects.get(user=user)
    assert (profile.district_id, profile.role, profile.street_id, profile.department_id, profile.display_name) == (
        world.district.pk,
        Role.OFFICER,
        world.street_a.pk,
        None,
        "王明",
    )
    free_officer.refresh_from_db()
    assert free_officer.user_id == user.pk
    assert authenticate(username="wang_ming", password=password) == user
    assert password_expired(user) is True
    assert list(PasswordRecord.objects.filter(user=user).values_list("is_one_time", flat=True)) == [True]
    # And one audit entry records the post and binding, never the password or its hash
    entry = AuditEntry.objects.get(action="account.create")
    assert (entry.actor_id, entry.object_id, entry.district_id) == (admin.pk, str(user.pk), world.district.pk)
    assert entry.after == {
        "username": "wang_ming",
        "is_active": True,
        "display_name": "王明",
        "role": "officer",
        "street_id": world.street_a.pk,
        "department_id": None,
        "officer_id": free_officer.pk,
        "auxiliary_id": None,
        "password": "一次性初始密码",
    }
    assert password not in str(entry.after) and user.password not in str(entry.after)


def test_the_one_time_password_differs_each_time_and_passes_the_password_rules(world: World, admin: Any) -> None:
    _, first = create(world, admin, username="a1")
    _, second = create(world, admin, username="a2")
    assert first != second
    assert [len(first), first.count("-")] == [14, 2]


def test_a_liaison_gets_a_department_and_a_district_role_neither(world: World, admin: Any) -> None:
    liaison, _ = create(world, admin, username="lianluo", role=Role.LIAISON, street=None, department=world.market_dept)
    leader, _ = create(world, admin, username="lingdao2", role=Role.LEADER, street=None)
    assert (jurisdiction_of(liaison).department_id, jurisdiction_of(leader).street_id) == (world.market_dept.pk, None)


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"street": None}, "street_required"),
        ({"role": Role.LIAISON, "street": None}, "department_required"),
        ({"role": Role.DISPATCHER}, "street_not_for_role"),
        ({"role": Role.BUSINESS_OWNER, "street": None}, "role_not_assignable"),
        ({"role": "superuser"}, "role_unknown"),
        ({"username": ""}, "username_required"),
        ({"username": "王 明"}, "username_invalid"),
        ({"username": "x" * 151}, "username_invalid"),
        ({"display_name": "  "}, "display_name_required"),
        ({"display_name": "王" * 31}, "display_name_too_long"),
        ({"display_name": "王\x00明"}, "display_name_invalid"),
    ],
)
def test_a_bad_post_or_name_is_refused_and_writes_nothing(
    world: World, admin: Any, overrides: dict[str, Any], code: str
) -> None:
    before = footprint()
    with pytest.raises(ValidationFailed) as exc:
        create(world, admin, **overrides)
    assert exc.value.code == code
    assert footprint() == before


def test_a_street_of_another_district_is_refused(world: World, admin: Any) -> None:
    from zhifa.org.tests.factories import DistrictFactory, StreetFactory

    elsewhere = StreetFactory(district=DistrictFactory(code="330106", name="西湖区"))
    before = footprint()
    with pytest.raises(ValidationFailed) as exc:
        create(world, admin, street=elsewhere)
    assert (exc.value.code, footprint()) == ("street_outside_district", before)


def test_a_username_taken_is_refused_by_the_unique_constraint_and_writes_nothing(world: World, admin: Any) -> None:
    before = footprint()
    with pytest.raises(Conflict) as exc:
        create(world, admin, username="officer_a")
    assert (exc.value.code, exc.value.message) == ("username_taken", "用户名“officer_a”已被使用")
    assert footprint() == before


def test_a_username_differing_only_in_case_is_refused_as_taken_and_writes_nothing(world: World, admin: Any) -> None:
    # Two accounts "officer_a" and "Officer_A" would be told apart by nobody reading a list or an audit line.
    before = footprint()
    with pytest.raises(Conflict) as exc:
        create(world, admin, username="Officer_A")
    assert (exc.value.code, exc.value.message) == ("username_taken", "用户名“Officer_A”已被使用")
    assert footprint() == before


@pytest.mark.parametrize(
    ("binding", "overrides", "code"),
    [
        # officer_a's record is bound to officer_a already
        ("officer_of_a", {}, "officer_already_bound"),
        # an auxiliary is not an officer (ZJR 30)
        ("free_officer", {"role": Role.AUXILIARY}, "officer_binding_not_for_role"),
        ("free_auxiliary", {}, "auxiliary_binding_needs_auxiliary_role"),
        ("free_officer", {"street": "street_b"}, "officer_street_mismatch"),
        ("left_auxiliary", {"role": Role.AUXILIARY}, "auxiliary_left"),
    ],
)
def test_a_binding_that_does_not_fit_is_refused_and_writes_nothing(
    world: World, admin: Any, free_officer: Officer, binding: str, overrides: dict[str, Any], code: str
) -> None:
    records = {
        "officer_of_a": ("officer", Officer.objects.get(user=world.user("officer_a"))),
        "free_officer": ("officer", free_officer),
        "free_auxiliary": ("auxiliary", AuxiliaryStaffFactory(district=world.district, street=world.street_a)),
        "left_auxiliary": (
            "auxiliary",
            AuxiliaryStaffFactory(district=world.district, street=world.street_a, status="left"),
        ),
    }
    kind, record = records[binding]
    if overrides.get("street") == "street_b":
        overrides["street"] = world.street_b
    before = footprint()
    with pytest.raises(DomainError) as exc:
        create(world, admin, **overrides, **{kind: record})
    assert exc.value.code == code
    assert footprint() == before


@pytest.mark.parametrize("persona", ["dispatcher", "leader", "street_dispatcher_a", "officer_a", "liaison"])
def test_only_the_administrator_changes_accounts(world: World, admin: Any, persona: str) -> None:
    actor = world.user(persona)
    target = world.user("auxiliary_a")
    attempts = [
        lambda: create(world, actor),
        lambda: people.account_post_change(
            actor=actor, user=target, display_name="x", role=Role.AUXILIARY, street=world.street_b
        ),
        lambda: people.account_disable(actor=actor, user=target),
        lambda: people.account_password_reset(actor=actor, user=target),
        lambda: people.account_unbind(actor=actor, user=world.user("officer_a")),
    ]
    before = footprint()
    codes = []
    for attempt in attempts:
        with pytest.raises(PermissionDenied) as exc:
            attempt()
        codes.append(exc.value.code)
    assert codes == ["account_admin_only"] * len(attempts)
    assert footprint() == before


# --- posts and bindings ----------------------------------------------------------------------------------


def test_a_post_change_is_audited_and_the_new_scope_applies(world: World, admin: Any) -> None:
    target = world.user("street_dispatcher_a")
    people.account_post_change(
        actor=admin, user=target, display_name="调度乙", role=Role.STREET_DISPATCHER, street=world.street_b
    )
    assert jurisdiction_of(Profile.objects.get(user=target).user).street_id == world.street_b.pk
    entry = AuditEntry.objects.get(action="account.post_change")
    assert (entry.before["street_id"], entry.after["street_id"], entry.after["display_name"]) == (
        world.street_a.pk,
        world.street_b.pk,
        "调度乙",
    )


@pytest.mark.parametrize(
    ("persona", "role", "street", "code"),
    [
        # officer_a is bound to an officer's record: not on an auxiliary's post, not in another street
        ("officer_a", Role.AUXILIARY, "street_a", "officer_binding_not_for_role"),
        ("officer_a", Role.OFFICER, "street_b", "officer_street_mismatch"),
        ("district_admin", Role.DISPATCHER, None, "account_self_change"),
        ("business_owner", Role.OFFICER, "street_a", "role_not_assignable"),
    ],
)
def test_a_post_change_that_does_not_fit_is_refused_and_writes_nothing(
    world: World, admin: Any, persona: str, role: str, street: str | None, code: str
) -> None:
    before = footprint()
    with pytest.raises(ValidationFailed) as exc:
        people.account_post_change(
            actor=admin,
            user=world.user(persona),
            display_name="某人",
            role=role,
            street=getattr(world, street) if street else None,
        )
    assert (exc.value.code, footprint()) == (code, before)


def test_bind_and_unbind_an_officer(world: World, admin: Any, free_officer: Officer) -> None:
    target = world.user("street_dispatcher_a")
    people.account_bind(actor=admin, user=target, officer=free_officer)
    free_officer.refresh_from_db()
    assert free_officer.user_id == target.pk
    with pytest.raises(Conflict) as exc:
        people.account_bind(
            actor=admin, user=target, officer=OfficerFactory(district=world.district, street=world.street_a)
        )
    assert exc.value.code == "account_already_bound"
    people.account_unbind(actor=admin, user=target)
    free_officer.refresh_from_db()
    assert free_officer.user_id is None
    with pytest.raises(Conflict) as exc:
        people.account_unbind(actor=admin, user=target)
    assert exc.value.code == "account_not_bound"
    assert [
        (e.action, e.before["officer_id"], e.after["officer_id"]) for e in _entries("account.bind", "account.unbind")
    ] == [
        ("account.bind", None, free_officer.pk),
        ("account.unbind", free_officer.pk, None),
    ]


def _entries(*actions: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action__in=actions).order_by("seq"))


# --- disabling, the last administrator, passwords, locks -------------------------------------------------


def test_disable_and_enable(world: World, admin: Any) -> None:
    target = world.user("officer_a")
    people.account_disable(actor=admin, user=target, reason="调离")
    assert authenticate(username="officer_a", password="zhifa-test-pw") is None
    with pytest.raises(Conflict) as exc:
        people.account_disable(actor=admin, user=target)
    assert exc.value.code == "account_already_disabled"
    people.account_enable(actor=admin, user=target)
    assert authenticate(username="officer_a", password="zhifa-test-pw") == target
    assert [(e.action, e.after["is_active"], e.reason) for e in _entries("account.disable", "account.enable")] == [
        ("account.disable", False, "调离"),
        ("account.enable", True, ""),
    ]


def test_nobody_disables_or_resets_themself(world: World, admin: Any) -> None:
    before = footprint()
    with pytest.raises(ValidationFailed) as disable:
        people.account_disable(actor=admin, user=admin)
    with pytest.raises(ValidationFailed) as reset:
        people.account_password_reset(actor=admin, user=admin)
    assert (disable.value.code, reset.value.code, footprint()) == ("account_self_disable", "account_self_reset", before)


def test_the_last_administrator_is_kept_when_two_remove_each_other(world: World, admin: Any) -> None:
    # Given two administrators, each with their post read (as a request would have it) before either acts
    other = UserFactory(username="admin_two")
    ProfileFactory(user=other, district=world.district, role=Role.ADMIN, display_name="管理员二")
    first = User.objects.select_related("profile").get(pk=admin.pk)
    second = User.objects.select_related("profile").get(pk=other.pk)

    # When the first disables the second, and the second — acting on the post it had — disables the first
    people.account_disable(actor=first, user=second)
    before = footprint()
    with pytest.raises(Conflict) as exc:
        people.account_disable(actor=second, user=first)

    # Then the second is refused: the district would have no administrator left
    assert (exc.value.code, footprint()) == ("last_administrator", before)
    assert list(
        Profile.objects.filter(role=Role.ADMIN, user__is_active=True).values_list("user__username", flat=True)
    ) == ["district_admin"]


def test_the_last_administrator_cannot_be_given_another_post(world: World, admin: Any) -> None:
    other = UserFactory(username="admin_two")
    ProfileFactory(user=other, district=world.district, role=Role.ADMIN, display_name="管理员二")
    first = User.objects.select_related("profile").get(pk=admin.pk)
    second = User.objects.select_related("profile").get(pk=other.pk)
    people.account_post_change(actor=first, user=second, display_name="管理员二", role=Role.LEADER)
    with pytest.raises(Conflict) as exc:
        people.account_post_change(actor=second, user=first, display_name="区管理员", role=Role.LEADER)
    assert exc.value.code == "last_administrator"
    assert Profile.objects.get(user=admin).role == Role.ADMIN


def test_a_reset_password_is_one_time_and_the_old_one_stops(world: World, admin: Any) -> None:
    target = world.user("officer_a")
    password = people.account_password_reset(actor=admin, user=target)
    assert authenticate(username="officer_a", password="zhifa-test-pw") is None
    assert authenticate(username="officer_a", password=password) == target
    assert password_expired(target) is True
    entry = AuditEntry.objects.get(action="account.password_reset")
    assert (entry.actor_id, entry.object_id, entry.after) == (admin.pk, str(target.pk), {"password": "一次性密码"})


def test_unlock_lifts_the_lock_and_an_unlocked_account_is_refused(world: World, admin: Any) -> None:
    for _ in range(5):
        login_failure_record(username="officer_a", ip=None, locked=False)
    assert people.account_unlock(actor=admin, user=world.user("officer_a")) == 1
    assert LoginLock.objects.get(key="officer_a").unlocked_by == admin
    before = footprint()
    with pytest.raises(Conflict) as exc:
        people.account_unlock(actor=admin, user=world.user("officer_a"))
    assert (exc.value.code, footprint()) == ("account_not_locked", before)


# --- officers --------------------------------------------------------------------------------------------


def test_officer_edit_saves_phone_zone_duty_and_domains_with_its_audit(world: World, admin: Any) -> None:
    officer = Officer.objects.get(user=world.user("officer_a"))
    people.officer_edit(
        actor=world.user("dispatcher"),
        officer=officer,
        phone="0571-87001234",
        zone=None,
        is_active=False,
        certified_domains=people.CertifiedDomains(("city_appearance", "market")),
        travel_mode="walking",
    )
    officer.refresh_from_db()
    assert (officer.phone, officer.zone_id, officer.is_active, officer.certified_domains, officer.travel_mode) == (
        "0571-87001234",
        None,
        False,
        ["city_appearance", "market"],
        "walking",
    )
    entry = AuditEntry.objects.get(action="officer.update")
    assert (entry.before["zone_id"], entry.after["zone_id"], entry.after["certified_domains"]) == (
        world.zone_a.pk,
        None,
        ["city_appearance", "market"],
    )
    assert (entry.before["travel_mode"], entry.after["travel_mode"]) == ("riding", "walking")


def _officer_footprint() -> tuple[Any, ...]:
    rows = Officer.objects.order_by("pk").values_list(
        "phone", "zone_id", "is_active", "certified_domains", "travel_mode"
    )
    return list(rows), (AuditEntry.objects.count())


@pytest.mark.parametrize(
    ("persona", "changes", "code"),
    [
        ("dispatcher", {"phone": "call me"}, "phone_invalid"),
        ("dispatcher", {"zone": "zone_b"}, "zone_not_in_street"),
        ("dispatcher", {"travel_mode": "helicopter"}, "travel_mode_invalid"),
        ("officer_a", {}, "staff_edit_forbidden"),
        ("street_dispatcher_a", {}, "staff_edit_forbidden"),
    ],
)
def test_officer_edit_refusals_write_nothing(world: World, persona: str, changes: dict[str, Any], code: str) -> None:
    officer = Officer.objects.get(user=world.user("officer_a"))
    fields: dict[str, Any] = {"phone": "13800000000", "zone": world.zone_a, "is_active": True}
    fields.update(changes)
    if fields["zone"] == "zone_b":
        fields["zone"] = world.zone_b
    before = _officer_footprint()
    with pytest.raises(DomainError) as exc:
        people.officer_edit(
            actor=world.user(persona), officer=officer, certified_domains=people.CertifiedDomains(()), **fields
        )
    assert (exc.value.code, _officer_footprint()) == (code, before)
