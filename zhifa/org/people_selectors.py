"""Reads of accounts and posts (账号与岗位) for the administrator's pages, scoped to the reader's district.

The district administrator and the command centre's dispatcher read the list (the dispatcher to see who
holds which post and who is locked out; only the administrator changes anything, zhifa.org.people). An
account appears here through its post (``Profile``) in the reader's district; an account with no post (a
bare superuser made with ``createsuperuser``) belongs to no district and is kept in the Django admin.
"""

from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from zhifa.core.errors import NotFound
from zhifa.core.models import AuditEntry
from zhifa.org.jurisdiction import jurisdiction_of, require
from zhifa.org.models import AuxiliaryStaff, AuxiliaryStatus, LoginLock, LoginLockKind, Officer, Profile
from zhifa.org.roles import Role
from zhifa.org.selectors import auxiliary_list, officer_list

ACCOUNT_READERS = frozenset({Role.ADMIN, Role.DISPATCHER})


class AccountStatus(models.TextChoices):
    """What the list shows of an account, derived (not stored): disabled by an administrator, locked by
    failed sign-ins (zhifa.org.accounts), else active. A disabled account that is also locked shows disabled."""

    ACTIVE = "active", "正常"
    DISABLED = "disabled", "已停用"
    LOCKED = "locked", "已锁定"


def _require_reader(user: Any) -> Any:
    j = jurisdiction_of(user)
    require(j.role in ACCOUNT_READERS, "只有系统管理员和指挥中心调度员可以查看账号", "account_list_forbidden")
    return j


def account_list(
    *,
    user: Any,
    q: str | None = None,
    role: str | None = None,
    street_id: int | None = None,
    status: str | None = None,
) -> QuerySet[Profile]:
    """Posts of the reader's district with their account, street, department, bound officer or auxiliary,
    and ``is_locked`` (an active sign-in lock on the user name): one query, whatever the rows."""
    j = _require_reader(user)
    now = timezone.now()
    lock = LoginLock.objects.filter(
        kind=LoginLockKind.USERNAME, key=OuterRef("user__username"), unlocked_at__isnull=True
    ).filter(Q(locked_until__isnull=True) | Q(locked_until__gt=now))
    qs = (
        Profile.objects.filter(district_id=j.district_id)
        .select_related("user", "street", "department", "user__officer", "user__auxiliary")
        .annotate(is_locked=Exists(lock))
    )
    if q:
        qs = qs.filter(Q(user__username__icontains=q) | Q(display_name__icontains=q))
    if role:
        qs = qs.filter(role=role)
    if street_id:
        qs = qs.filter(street_id=street_id)
    if status == AccountStatus.DISABLED:
        qs = qs.filter(user__is_active=False)
    elif status == AccountStatus.LOCKED:
        qs = qs.filter(user__is_active=True, is_locked=True)
    elif status == AccountStatus.ACTIVE:
        qs = qs.filter(user__is_active=True, is_locked=False)
    return qs.order_by("user__username")


def account_status(profile: Profile) -> AccountStatus:
    """The status of a row of ``account_list``."""
    if not profile.user.is_active:
        return AccountStatus.DISABLED
    if getattr(profile, "is_locked", False):
        return AccountStatus.LOCKED
    return AccountStatus.ACTIVE


def account_get(*, user: Any, account_id: int) -> Profile:
    """One account (by its user id) of the reader's district, as a row of ``account_list``."""
    profile = account_list(user=user).filter(user_id=account_id).first()
    if profile is None:
        raise NotFound("账号不存在或不在本区", code="account_not_found", details={"id": account_id})
    return profile


def officers_unbound(*, user: Any) -> QuerySet[Officer]:
    """Officers of the reader's scope with no account yet: what an account may be bound to."""
    return officer_list(user=user).filter(user__isnull=True)


def auxiliaries_unbound(*, user: Any) -> QuerySet[AuxiliaryStaff]:
    """Auxiliary staff in post with no account yet."""
    return auxiliary_list(user=user).filter(user__isnull=True, status=AuxiliaryStatus.ACTIVE)


# What the account's history calls each audited action on an account (zhifa.org.accounts, zhifa.org.people,
# the Django admin's password form).
ACCOUNT_ACTION_LABELS = {
    "account.create": "开设账号",
    "account.post_change": "岗位调整",
    "account.bind": "绑定人员",
    "account.unbind": "解除绑定",
    "account.disable": "停用账号",
    "account.enable": "启用账号",
    "account.password_reset": "重置密码",
    "account.password_set_by_admin": "管理员设置密码",
    "account.password_change": "本人修改密码",
    "account.login": "登录",
    "account.logout": "退出登录",
    "account.login_failed": "登录失败",
    "account.totp_enrol": "绑定身份验证器",
}
HISTORY_ROWS = 20


def account_history(*, user: Any, account_id: int) -> list[AuditEntry]:
    """The latest audited actions on one account of the district (newest first, ``HISTORY_ROWS`` of them):
    for the administrator only — sign-ins and failures are the holder's own record."""
    j = jurisdiction_of(user)
    require(j.role == Role.ADMIN, "只有系统管理员可以查看账号记录", "account_admin_only")
    account_get(user=user, account_id=account_id)
    return list(
        AuditEntry.objects.filter(
            district_id=j.district_id,
            object_type="auth.user",
            object_id=str(account_id),
            action__in=ACCOUNT_ACTION_LABELS,
        ).order_by("-seq")[:HISTORY_ROWS]
    )
