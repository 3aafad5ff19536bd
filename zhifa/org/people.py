"""Accounts and posts (账号与岗位) without the Django admin, and the officers' own record (issue 14 part 6).

Who may do what:

- Only the district administrator (role ``admin``) changes accounts, and only accounts whose post is in
  their district: creating one with a post, changing a post, binding or unbinding an officer or an
  auxiliary, disabling and re-enabling, resetting a password, lifting a sign-in lock. Accounts decide who
  sees and decides what; 等保三级 keeps that with the system administrator, apart from the people who do the
  work. A district dispatcher reads the account list (``zhifa.org.people_selectors``) — to see who holds
  which post and whether a colleague is locked out — and changes nothing.
- An officer's phone, zone, duty flag and certified domains are edited by the same people who keep the
  officers' records already (``zhifa.org.services.STAFF_MANAGERS``: the administrator and the command
  centre's dispatcher).

Every service here checks permission and input first and then writes in one transaction with its audit
entry (before/after, never a password), so a refusal writes nothing. A password an administrator sets
(a new account's, a reset) is good for one sign-in: its history row is marked one-time and
``zhifa.org.accounts.password_expired`` then sends its holder to the change page, the mechanism an expired
password already uses.
"""

import re
import secrets
from typing import Any, NewType

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from zhifa.core.actors import Actor, actor_user
from zhifa.core.audit import audit_record
from zhifa.core.errors import Conflict, PermissionDenied, ValidationFailed
from zhifa.org import accounts
from zhifa.org.jurisdiction import Jurisdiction, jurisdiction_forget, jurisdiction_of, require
from zhifa.org.models import (
    AuxiliaryStaff,
    AuxiliaryStatus,
    Department,
    District,
    Officer,
    PasswordRecord,
    Profile,
    Street,
    TravelMode,
    Zone,
)
from zhifa.org.roles import STREET_ROLES, Role
from zhifa.org.services import STAFF_MANAGERS

ACCOUNT_ADMINS = frozenset({Role.ADMIN})
# A business owner's account belongs to its business (zhifa.subjects' SubjectOwner), made where the business
# is: not a post an administrator hands out here.
ASSIGNABLE_ROLES = frozenset(Role) - {Role.BUSINESS_OWNER}
# Auxiliary staff are not enforcement officers (ZJR 30): an officer's record never goes on their account.
OFFICER_BINDABLE_ROLES = ASSIGNABLE_ROLES - {Role.AUXILIARY}
DISPLAY_NAME_MAX = Profile._meta.get_field("display_name").max_length or 30
# A work phone: a mobile number, or a landline with its area code and extension; digits, spaces, hyphens,
# brackets and a leading plus.
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 ()\-]{4,19}$")
# Letters and digits that cannot be misread when the password is read out or copied by hand (no 0/O, 1/l/I).
_PASSWORD_LETTERS = "abcdefghijkmnpqrstuvwxyz"
_PASSWORD_DIGITS = "23456789"
_PASSWORD_GROUP = 4

# An officer's certified domains, already checked against the catalogue's ``Domain`` values by
# ``zhifa.catalog.certificates.certified_domains_check``: org may not import the catalogue (the import
# layers), so the check lives there and this type says that it ran.
CertifiedDomains = NewType("CertifiedDomains", tuple[str, ...])


def can_manage_accounts(user: Any) -> bool:
    """Whether the user's post lets them change accounts (pages offer the forms by it)."""
    try:
        return jurisdiction_of(user).role in ACCOUNT_ADMINS
    except PermissionDenied:
        return False


def can_edit_officers(user: Any) -> bool:
    try:
        return jurisdiction_of(user).role in STAFF_MANAGERS
    except PermissionDenied:
        return False


def _require_account_admin(actor: Actor) -> Jurisdiction:
    j = jurisdiction_of(actor)
    require(j.role in ACCOUNT_ADMINS, "只有系统管理员可以管理账号和岗位", "account_admin_only")
    return j


def _profile_in_district(j: Jurisdiction, user: Any) -> Profile:
    profile = Profile.objects.filter(user_id=user.pk, district_id=j.district_id).first()
    if profile is None:
        raise ValidationFailed("该账号不在本区", code="account_outside_district")
    return profile


def _refuse_self(actor: Actor, user: Any, message: str, code: str) -> None:
    acting = actor_user(actor)
    if acting is not None and acting.pk == user.pk:
        raise ValidationFailed(message, code=code)


# --- checks of a post and a binding ----------------------------------------------------------------------


def _clean_display_name(display_name: str) -> str:
    name = (display_name or "").strip()
    if not name:
        raise ValidationFailed("请填写姓名", code="display_name_required", details={"field": "display_name"})
    if len(name) > DISPLAY_NAME_MAX:
        raise ValidationFailed(
            f"姓名不能超过 {DISPLAY_NAME_MAX} 个字", code="display_name_too_long", details={"field": "display_name"}
        )
    if any(ord(char) < 32 or ord(char) == 127 for char in name):
        raise ValidationFailed("姓名不能含控制字符", code="display_name_invalid", details={"field": "display_name"})
    return name


def _check_post(j: Jurisdiction, *, role: str, street: Street | None, department: Department | None) -> None:
    """A post the district can hold: a known role an administrator may assign; a street for a street role
    (and none for another, which its scope would silently ignore); a department for a liaison; both in
    the administrator's district."""
    if role not in Role.values:
        raise ValidationFailed("请选择有效的角色", code="role_unknown", details={"field": "role"})
    if role not in ASSIGNABLE_ROLES:
        raise ValidationFailed(
            "经营主体账号随其经营主体开设，不在此分配", code="role_not_assignable", details={"field": "role"}
        )
    label = Role(role).label
    if role in STREET_ROLES and street is None:
        raise ValidationFailed(f"{label}须选择所属街道", code="street_required", details={"field": "street_id"})
    if role not in STREET_ROLES and street is not None:
        raise ValidationFailed(
            f"{label}面向全区或部门，不属于某个街道，请不要选择街道",
            code="street_not_for_role",
            details={"field": "street_id"},
        )
    if street is not None and street.district_id != j.district_id:
        raise ValidationFailed("街道不在本区", code="street_outside_district", details={"field": "street_id"})
    if role == Role.LIAISON and department is None:
        raise ValidationFailed(
            "部门联络员须选择所属部门", code="department_required", details={"field": "department_id"}
        )
    if department is not None and department.district_id != j.district_id:
        raise ValidationFailed("部门不在本区", code="department_outside_district", details={"field": "department_id"})


def _check_binding(
    j: Jurisdiction,
    *,
    role: str,
    street: Street | None,
    officer: Officer | None,
    auxiliary: AuxiliaryStaff | None,
) -> None:
    """An officer's record on an officer-like post, an auxiliary's on an auxiliary's post, each in the
    post's street when it serves one. Whether the record is free is decided when it is written."""
    details = {"field": "binding"}
    if officer is not None and auxiliary is not None:
        raise ValidationFailed("一个账号只能绑定一名执法人员或一名辅助人员", code="binding_one_only", details=details)
    if officer is not None:
        if officer.district_id != j.district_id:
            raise ValidationFailed("执法人员不在本区", code="officer_outside_district", details=details)
        if role not in OFFICER_BINDABLE_ROLES:
            raise ValidationFailed(
                f"{Role(role).label}不能绑定执法人员", code="officer_binding_not_for_role", details=details
            )
        serves_elsewhere = officer.street_id is not None and street is not None and officer.street_id != street.pk
        if role in STREET_ROLES and serves_elsewhere:
            raise ValidationFailed(
                f"{officer.name}服务于其他街道，与岗位的街道不一致", code="officer_street_mismatch", details=details
            )
    if auxiliary is not None:
        if auxiliary.district_id != j.district_id:
            raise ValidationFailed("辅助人员不在本区", code="auxiliary_outside_district", details=details)
        if role != Role.AUXILIARY:
            raise ValidationFailed(
                "辅助人员只能绑定辅助人员岗位的账号", code="auxiliary_binding_needs_auxiliary_role", details=details
            )
        if auxiliary.status != AuxiliaryStatus.ACTIVE:
            raise ValidationFailed(f"{auxiliary.name}已离职，不能绑定账号", code="auxiliary_left", details=details)
        if street is not None and auxiliary.street_id != street.pk:
            raise ValidationFailed(
                f"{auxiliary.name}属于其他街道，与岗位的街道不一致", code="auxiliary_street_mismatch", details=details
            )


def _bind(user: Any, *, officer: Officer | None, auxiliary: AuxiliaryStaff | None) -> None:
    """Put the record on the account, only if it has none: the conditional update decides, so two
    administrators binding one officer at once cannot both succeed."""
    now = timezone.now()
    if officer is not None and not Officer.objects.filter(pk=officer.pk, user__isnull=True).update(
        user=user, updated_at=now
    ):
        raise Conflict(f"{officer.name}已绑定其他账号", code="officer_already_bound", details={"field": "binding"})
    if auxiliary is not None:
        taken = not AuxiliaryStaff.objects.filter(pk=auxiliary.pk, user__isnull=True).update(user=user, updated_at=now)
        if taken:
            raise Conflict(
                f"{auxiliary.name}已绑定其他账号", code="auxiliary_already_bound", details={"field": "binding"}
            )


def _binding_of(user: Any) -> tuple[Officer | None, AuxiliaryStaff | None]:
    return Officer.objects.filter(user_id=user.pk).first(), AuxiliaryStaff.objects.filter(user_id=user.pk).first()


def _post_state(user: Any) -> dict[str, Any]:
    """What an audit entry records of an account: its post, binding and status (never the password)."""
    profile = Profile.objects.filter(user_id=user.pk).first()
    officer, auxiliary = _binding_of(user)
    return {
        "username": user.username,
        "is_active": user.is_active,
        "display_name": profile.display_name if profile else None,
        "role": profile.role if profile else None,
        "street_id": profile.street_id if profile else None,
        "department_id": profile.department_id if profile else None,
        "officer_id": officer.pk if officer else None,
        "auxiliary_id": auxiliary.pk if auxiliary else None,
    }


def _keep_an_administrator(j: Jurisdiction, *, actor: Actor, losing: Any) -> None:
    """The district keeps at least one active administrator when ``losing`` stops being one (disabled, or
    given another post). The district's row is locked first, so that two administrators removing each
    other at the same moment are served one after the other and the second is refused."""
    District.objects.select_for_update().get(pk=j.district_id)
    remaining = (
        Profile.objects.filter(district_id=j.district_id, role=Role.ADMIN, user__is_active=True)
        .exclude(user_id=losing.pk)
        .values_list("user_id", flat=True)
    )
    acting = actor_user(actor)
    if acting is None or acting.pk not in set(remaining):
        # Checked under the lock: the actor's own post, read before it, may have been taken away meanwhile.
        if not remaining:
            raise Conflict("这是本区最后一名可用的系统管理员，不能停用或改任", code="last_administrator")
        raise PermissionDenied("您已不是本区可用的系统管理员", code="account_admin_only")


# --- passwords and sessions ------------------------------------------------------------------------------


def _one_time_password(user: Any) -> str:
    """Three groups of four (e.g. ``kd7M-q2XP-9ra4``): lower and upper letters, digits and the hyphen, so
    three character classes by construction; drawn again in the unlikely case a rule still refuses it."""
    alphabet = _PASSWORD_LETTERS + _PASSWORD_LETTERS.upper() + _PASSWORD_DIGITS
    while True:
        groups = ["".join(secrets.choice(alphabet) for _ in range(_PASSWORD_GROUP)) for _ in range(3)]
        password = "-".join(groups)
        try:
            password_validation.validate_password(password, user)
        except DjangoValidationError:
            continue
        return password


def _password_set_one_time(user: Any) -> str:
    """Set a fresh one-time password and mark its history row (written by PasswordHistoryValidator when the
    account is saved) as one-time. Returns the password, which is stored nowhere else."""
    password = _one_time_password(user)
    user.set_password(password)
    user.save()
    PasswordRecord.objects.filter(user_id=user.pk, password=user.password).update(is_one_time=True)
    return password


def _sessions_end(user_id: int) -> int:
    """Delete the account's live sessions. Sessions are rows of the database (the default SESSION_ENGINE)
    whose encoded data holds the user's id; a disabled account's session is refused on its next request
    anyway (Django's backend answers no user for an inactive account), but left in place it would come back
    to life if the account were enabled again within its lifetime."""
    mine = str(user_id)
    keys = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == mine
    ]
    Session.objects.filter(session_key__in=keys).delete()
    return len(keys)


# --- accounts --------------------------------------------------------------------------------------------


def account_create(
    *,
    actor: Actor,
    username: str,
    display_name: str,
    role: str,
    street: Street | None = None,
    department: Department | None = None,
    officer: Officer | None = None,
    auxiliary: AuxiliaryStaff | None = None,
) -> tuple[Any, str]:
    """A new account with its post (and, if given, the officer or auxiliary it is) and a one-time initial
    password, returned to be shown once. The unique constraint on the user name decides a name taken."""
    j = _require_account_admin(actor)
    username = (username or "").strip()
    if not username:
        raise ValidationFailed("请填写用户名", code="username_required", details={"field": "username"})
    user_model = get_user_model()
    max_length = user_model._meta.get_field("username").max_length or 150
    try:
        UnicodeUsernameValidator()(username)
    except DjangoValidationError:
        raise ValidationFailed(
            "用户名只能包含字母、数字和 @ . + - _", code="username_invalid", details={"field": "username"}
        ) from None
    if len(username) > max_length:
        raise ValidationFailed(
            f"用户名不能超过 {max_length} 个字符", code="username_invalid", details={"field": "username"}
        )
    name = _clean_display_name(display_name)
    _check_post(j, role=role, street=street, department=department)
    _check_binding(j, role=role, street=street, officer=officer, auxiliary=auxiliary)
    try:
        with transaction.atomic():
            user = user_model(username=username, is_active=True)
            password = _password_set_one_time(user)
            Profile.objects.create(
                user=user, district_id=j.district_id, role=role, street=street, department=department, display_name=name
            )
            _bind(user, officer=officer, auxiliary=auxiliary)
            audit_record(
                actor=actor,
                action="account.create",
                obj=user,
                after={**_post_state(user), "password": "一次性初始密码"},
                district_id=j.district_id,
            )
    except IntegrityError:
        raise Conflict(f"用户名“{username}”已被使用", code="username_taken", details={"field": "username"}) from None
    return user, password


def account_post_change(
    *,
    actor: Actor,
    user: Any,
    display_name: str,
    role: str,
    street: Street | None = None,
    department: Department | None = None,
) -> Profile:
    """Give the account another post (role, street, department) or name. Not one's own (an administrator
    would lock themself out with one click), and never the district's last administrator's."""
    j = _require_account_admin(actor)
    _refuse_self(actor, user, "不能修改自己的岗位，请由另一名系统管理员办理", "account_self_change")
    profile = _profile_in_district(j, user)
    name = _clean_display_name(display_name)
    _check_post(j, role=role, street=street, department=department)
    with transaction.atomic():
        # The post's row is locked first, as account_bind does: a binding made meanwhile waits, so the
        # binding checked against the new post is the one it will have.
        locked = Profile.objects.select_for_update().get(pk=profile.pk)
        if locked.role == Role.BUSINESS_OWNER:
            raise ValidationFailed(
                "经营主体账号的岗位不在此修改", code="role_not_assignable", details={"field": "role"}
            )
        officer, auxiliary = _binding_of(user)
        _check_binding(j, role=role, street=street, officer=officer, auxiliary=auxiliary)
        if locked.role == Role.ADMIN and role != Role.ADMIN and user.is_active:
            _keep_an_administrator(j, actor=actor, losing=user)
        before = _post_state(user)
        locked.display_name, locked.role, locked.street, locked.department = name, role, street, department
        locked.save(update_fields=["display_name", "role", "street", "department", "updated_at"])
        audit_record(
            actor=actor,
            action="account.post_change",
            obj=user,
            before=before,
            after=_post_state(user),
            district_id=j.district_id,
        )
    jurisdiction_forget(user.pk)
    return locked


def account_bind(
    *, actor: Actor, user: Any, officer: Officer | None = None, auxiliary: AuxiliaryStaff | None = None
) -> None:
    """Bind the account to an officer's or an auxiliary's record that has no account yet."""
    j = _require_account_admin(actor)
    profile = _profile_in_district(j, user)
    if officer is None and auxiliary is None:
        raise ValidationFailed(
            "请选择要绑定的执法人员或辅助人员", code="binding_required", details={"field": "binding"}
        )
    already = Conflict("该账号已绑定人员，请先解除绑定", code="account_already_bound", details={"field": "binding"})
    try:
        with transaction.atomic():
            # The post's row locked: two bindings of one account (or a post change) are served one at a time.
            locked = Profile.objects.select_for_update().get(pk=profile.pk)
            _check_binding(j, role=locked.role, street=locked.street, officer=officer, auxiliary=auxiliary)
            before = _post_state(user)
            if before["officer_id"] is not None or before["auxiliary_id"] is not None:
                raise already
            _bind(user, officer=officer, auxiliary=auxiliary)
            audit_record(
                actor=actor,
                action="account.bind",
                obj=user,
                before=before,
                after=_post_state(user),
                district_id=j.district_id,
            )
    except IntegrityError:
        # One officer's record per account (Officer.user is one-to-one): a binding made elsewhere (the Django
        # admin) between the check and the write.
        raise already from None


def account_unbind(*, actor: Actor, user: Any) -> None:
    """Take the officer's or auxiliary's record off the account (the record stays, free for another)."""
    j = _require_account_admin(actor)
    profile = _profile_in_district(j, user)
    with transaction.atomic():
        Profile.objects.select_for_update().get(pk=profile.pk)  # as account_bind: one change of it at a time
        before = _post_state(user)
        now = timezone.now()
        unbound = Officer.objects.filter(user_id=user.pk).update(user=None, updated_at=now)
        unbound += AuxiliaryStaff.objects.filter(user_id=user.pk).update(user=None, updated_at=now)
        if not unbound:
            raise Conflict("该账号没有绑定人员", code="account_not_bound")
        audit_record(
            actor=actor,
            action="account.unbind",
            obj=user,
            before=before,
            after=_post_state(user),
            district_id=j.district_id,
        )


def account_disable(*, actor: Actor, user: Any, reason: str = "") -> None:
    """Disable the account: it can no longer sign in, its API tokens stop working (zhifa.core.tokens reads
    ``is_active``) and its sessions end now. Not one's own; never the district's last administrator."""
    j = _require_account_admin(actor)
    _refuse_self(actor, user, "不能停用自己的账号", "account_self_disable")
    profile = _profile_in_district(j, user)
    user_model = get_user_model()
    with transaction.atomic():
        if profile.role == Role.ADMIN:
            _keep_an_administrator(j, actor=actor, losing=user)
        if not user_model.objects.filter(pk=user.pk, is_active=True).update(is_active=False):
            raise Conflict("该账号已停用", code="account_already_disabled")
        ended = _sessions_end(user.pk)
        audit_record(
            actor=actor,
            action="account.disable",
            obj=user,
            before={"is_active": True},
            after={"is_active": False, "sessions_ended": ended},
            reason=reason.strip(),
            district_id=j.district_id,
        )
    user.is_active = False


def account_enable(*, actor: Actor, user: Any, reason: str = "") -> None:
    j = _require_account_admin(actor)
    _profile_in_district(j, user)
    with transaction.atomic():
        if not get_user_model().objects.filter(pk=user.pk, is_active=False).update(is_active=True):
            raise Conflict("该账号未停用", code="account_already_active")
        audit_record(
            actor=actor,
            action="account.enable",
            obj=user,
            before={"is_active": False},
            after={"is_active": True},
            reason=reason.strip(),
            district_id=j.district_id,
        )
    user.is_active = True


def account_password_reset(*, actor: Actor, user: Any) -> str:
    """A new one-time password for someone who forgot theirs, returned to be shown once. The old password's
    sessions end with it (Django checks each session against the password it began with). One's own
    password is changed on the change page, with the old one."""
    j = _require_account_admin(actor)
    _refuse_self(actor, user, "自己的密码请在“修改密码”页面修改", "account_self_reset")
    _profile_in_district(j, user)
    with transaction.atomic():
        locked = get_user_model().objects.select_for_update().get(pk=user.pk)
        password = _password_set_one_time(locked)
        audit_record(
            actor=actor,
            action="account.password_reset",
            obj=locked,
            after={"password": "一次性密码"},
            district_id=j.district_id,
        )
    user.password = locked.password
    return password


def account_unlock(*, actor: Actor, user: Any) -> int:
    """Lift the sign-in lock on the account's user name (zhifa.org.accounts.login_unlock, which the Django
    admin and ``manage.py account_unlock`` use too). Returns how many locks were lifted."""
    j = _require_account_admin(actor)
    _profile_in_district(j, user)
    if accounts.login_lock_active(username=user.get_username(), ip=None) is None:
        raise Conflict("该账号未被锁定", code="account_not_locked")
    return accounts.login_unlock(actor=actor, key=user.get_username())


# --- officers --------------------------------------------------------------------------------------------


def officer_edit(
    *,
    actor: Actor,
    officer: Officer,
    phone: str,
    zone: Zone | None,
    is_active: bool,
    certified_domains: CertifiedDomains,
    travel_mode: str | None = None,
) -> Officer:
    """An officer's work phone, zone (inside the street they serve), duty flag, the domains their
    certificate covers (APL 42: the recommender proposes only certified officers) and how they get about
    (``TravelMode``; None keeps it)."""
    j = jurisdiction_of(actor)
    require(j.role in STAFF_MANAGERS, "只有指挥中心或系统管理员可以维护执法人员信息", "staff_edit_forbidden")
    if officer.district_id != j.district_id:
        raise ValidationFailed("执法人员不在本区", code="officer_outside_district")
    phone = (phone or "").strip()
    if phone and not PHONE_PATTERN.match(phone):
        raise ValidationFailed(
            "手机号码格式不正确（数字，可含区号连字符）", code="phone_invalid", details={"field": "phone"}
        )
    if zone is not None and (officer.street_id is None or zone.street_id != officer.street_id):
        raise ValidationFailed("片区不属于该人员服务的街道", code="zone_not_in_street", details={"field": "zone_id"})
    if travel_mode is not None and travel_mode not in TravelMode.values:
        raise ValidationFailed("出行方式只能是骑行或步行", code="travel_mode_invalid", details={"field": "travel_mode"})
    fields = ["phone", "zone_id", "is_active", "certified_domains", "travel_mode"]
    with transaction.atomic():
        locked = Officer.objects.select_for_update().get(pk=officer.pk)
        before = {name: getattr(locked, name) for name in fields}
        locked.phone, locked.zone, locked.is_active = phone, zone, is_active
        locked.certified_domains = list(certified_domains)
        locked.travel_mode = travel_mode or locked.travel_mode
        after = {name: getattr(locked, name) for name in fields}
        if after == before:
            return locked
        locked.save(update_fields=["phone", "zone", "is_active", "certified_domains", "travel_mode", "updated_at"])
        audit_record(actor=actor, action="officer.update", obj=locked, before=before, after=after)
    return locked
