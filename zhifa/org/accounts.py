"""Account security after 等保三级 (身份鉴别, 访问控制, 安全审计): the sign-in lock, sign-in and sign-out audit,
password changes and expiry, and the TOTP second factor of privileged roles.

Every write here is one service with its audit entry in the same transaction; the password itself is never
written anywhere but Django's hash.
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhifa.core.actors import Actor, actor_user
from zhifa.core.audit import audit_record
from zhifa.core.errors import ValidationFailed
from zhifa.org.models import LoginFailure, LoginLock, LoginLockKind, PasswordRecord, Profile
from zhifa.org.roles import SECOND_FACTOR_ROLES

# One message for a wrong password, an unknown name and a lock: the page must not tell which names exist.
LOCKED_MESSAGE = "登录失败次数过多，已暂时锁定，请稍后再试或联系系统管理员解锁。"
TOTP_DEVICE_NAME = "身份验证器"
# Set in the session at its first request when the password is past its age; the page and the API refuse
# the session until the password is changed.
PASSWORD_EXPIRED_SESSION_KEY = "zhifa_password_expired"


def client_ip(request: HttpRequest | None) -> str | None:
    """The address the connection came from. X-Forwarded-For is not read: any client can send it, and a
    lock keyed on it would be both bypassed and aimed at others. Behind a proxy, the proxy sets REMOTE_ADDR
    (uvicorn --proxy-headers with --forwarded-allow-ips)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _district_of(user: Any) -> int | None:
    profile = Profile.objects.filter(user_id=user.pk).only("district_id").first()
    return profile.district_id if profile else None


def _active_locks(*, username: str, ip: str | None, now: dt.datetime) -> Any:
    keys = Q(kind=LoginLockKind.USERNAME, key=username)
    if ip:
        keys |= Q(kind=LoginLockKind.IP, key=ip)
    return LoginLock.objects.filter(keys, unlocked_at__isnull=True).filter(
        Q(locked_until__isnull=True) | Q(locked_until__gt=now)
    )


def login_lock_active(*, username: str, ip: str | None) -> LoginLock | None:
    """The lock that refuses this name or this address now, if any."""
    return _active_locks(username=username, ip=ip, now=timezone.now()).order_by("-locked_at").first()


def _failures_since_last_lock(*, kind: str, key: str, now: dt.datetime) -> int:
    """Failures inside the window that came after the last lock of this key began: a lock that ran out or was
    lifted starts the count again, instead of the old failures locking the account at the next typo."""
    since = now - dt.timedelta(seconds=settings.ZHIFA_LOGIN_WINDOW_S)
    last = LoginLock.objects.filter(kind=kind, key=key).order_by("-locked_at").values_list("locked_at", flat=True)
    if last and last[0] > since:
        since = last[0]
    field = "username" if kind == LoginLockKind.USERNAME else "ip"
    return LoginFailure.objects.filter(**{field: key, "failed_at__gt": since}).count()


def login_failure_record(*, username: str, ip: str | None, locked: bool) -> LoginLock | None:
    """A refused sign-in: audited (the name tried and the address, never the password) and, unless it was
    refused by a lock already, counted; the count that reaches the limit locks the name (or the address)
    and that is audited too. Returns the new lock, if this failure made one."""
    now = timezone.now()
    user = get_user_model().objects.filter(username=username).first()
    district_id = _district_of(user) if user else None
    new_lock: LoginLock | None = None
    with transaction.atomic():
        audit_record(
            actor=None,
            action="account.login_failed",
            object_type="auth.user",
            object_id=str(user.pk) if user else "",
            after={"username": username[:150], "ip": ip, "locked": locked},
            district_id=district_id,
            reason="账号锁定中" if locked else "用户名或密码错误",
        )
        if locked:
            return None
        # The window's past counts for nothing: forgotten here, so that a flood of names and addresses tried
        # leaves no more rows than one window's worth (each failure is in the audit trail above).
        LoginFailure.objects.filter(failed_at__lte=now - dt.timedelta(seconds=settings.ZHIFA_LOGIN_WINDOW_S)).delete()
        LoginFailure.objects.create(username=username[:150], ip=ip, failed_at=now)
        limits = [(LoginLockKind.USERNAME, username[:150], settings.ZHIFA_LOGIN_MAX_FAILURES)]
        if ip:
            limits.append((LoginLockKind.IP, ip, settings.ZHIFA_LOGIN_MAX_FAILURES_PER_IP))
        for kind, key, limit in limits:
            if _failures_since_last_lock(kind=kind, key=key, now=now) < limit:
                continue
            # Two failures at once may both reach the limit and both lock: two rows of the same lock, which
            # an unlock lifts together — harmless, so no row lock here.
            seconds = settings.ZHIFA_LOGIN_LOCKOUT_S
            new_lock = LoginLock.objects.create(
                kind=kind, key=key, locked_at=now, locked_until=now + dt.timedelta(seconds=seconds) if seconds else None
            )
            audit_record(
                actor=None,
                action="account.lock",
                obj=new_lock,
                after={"kind": kind, "key": key, "locked_until": new_lock.locked_until, "failures": limit},
                district_id=district_id if kind == LoginLockKind.USERNAME else None,
                reason=f"{settings.ZHIFA_LOGIN_WINDOW_S // 60} 分钟内登录失败 {limit} 次",
            )
    return new_lock


def login_success_record(*, user: Any, ip: str | None) -> None:
    """The password was right: audited as a sign-in, and the name's failures are forgotten (the count is of
    failures in a row, not of every typo in the window)."""
    with transaction.atomic():
        LoginFailure.objects.filter(username=user.get_username()).delete()
        audit_record(
            actor=user,
            action="account.login",
            obj=user,
            after={"ip": ip},
            district_id=_district_of(user),
        )


def logout_record(*, user: Any, ip: str | None, reason: str = "") -> None:
    audit_record(
        actor=user, action="account.logout", obj=user, after={"ip": ip}, district_id=_district_of(user), reason=reason
    )


def login_unlock(*, actor: Actor, key: str) -> int:
    """Lift every active lock on ``key`` (a user name or a client address) now; returns how many there were.
    Audited once per lock, with who lifted it."""
    now = timezone.now()
    with transaction.atomic():
        locks = list(
            LoginLock.objects.select_for_update()
            .filter(key=key, unlocked_at__isnull=True)
            .filter(Q(locked_until__isnull=True) | Q(locked_until__gt=now))
        )
        for lock in locks:
            lock.unlocked_at = now
            lock.unlocked_by = actor_user(actor)
            lock.save(update_fields=["unlocked_at", "unlocked_by"])
            audit_record(
                actor=actor,
                action="account.unlock",
                obj=lock,
                after={"kind": lock.kind, "key": lock.key},
                reason="管理员解锁",
            )
    return len(locks)


# --- passwords -------------------------------------------------------------------------------------------


def password_expired(user: Any) -> bool:
    """Past ZHIFA_PASSWORD_MAX_AGE_DAYS since it was set (0 turns expiry off), or a one-time password an
    administrator set (zhifa.org.people): either way the holder must choose a new one before any page opens."""
    if not user.has_usable_password():
        return False
    last = (
        PasswordRecord.objects.filter(user_id=user.pk).order_by("-set_at", "-id").values_list("set_at", "is_one_time")
    )
    # No history row: an account made before the history existed, or in bulk by the demo — its age counts
    # from when it was made.
    set_at, is_one_time = last[0] if last else (user.date_joined, False)
    if is_one_time:
        return True
    days = settings.ZHIFA_PASSWORD_MAX_AGE_DAYS
    return bool(days) and timezone.now() - set_at > dt.timedelta(days=days)


def password_change(*, user: Any, old_password: str, new_password: str) -> None:
    """The account holder changes the password: the old one must be right, the new one must pass every rule
    of AUTH_PASSWORD_VALIDATORS (its history row is written by PasswordHistoryValidator when it is saved).
    A refusal writes nothing."""
    if not user.check_password(old_password):
        raise ValidationFailed("原密码不正确。", code="old_password_wrong")
    try:
        password_validation.validate_password(new_password, user)
    except DjangoValidationError as exc:
        raise ValidationFailed("新密码不符合要求：" + "；".join(exc.messages), code="password_rejected") from exc
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        audit_record(actor=user, action="account.password_change", obj=user, district_id=_district_of(user))


# --- second factor ---------------------------------------------------------------------------------------


def second_factor_required(user: Any) -> bool:
    """Administrators (every staff or superuser account, whatever its post), leaders and legal reviewers."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff or user.is_superuser:
        return True
    # Through the relation, not a query of its own: the post is then cached on the user for the page's
    # jurisdiction check (one query per request, not two).
    profile = getattr(user, "profile", None)
    return profile is not None and profile.role in SECOND_FACTOR_ROLES


def totp_device_confirmed(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).order_by("id").first()


def totp_device_pending(user: Any) -> TOTPDevice:
    """The device being enrolled: made with a fresh random key on the first visit of the enrolment page and
    kept until confirmed, so the QR code the person scanned stays valid while they type the code."""
    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def totp_enrol(*, user: Any, token: str) -> TOTPDevice:
    """Confirm the pending device with a code it shows; only an account with no confirmed device may enrol
    (another device is added by an administrator removing the old one, not by whoever holds the password)."""
    if totp_device_confirmed(user) is not None:
        raise ValidationFailed("该账号已绑定身份验证器。", code="totp_already_enrolled")
    # A wrong code is refused after the transaction, so that django-otp's count of wrong guesses (its
    # throttle) is kept rather than rolled back with the refusal.
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user_id=user.pk, confirmed=False).order_by("id").first()
        accepted = device is not None and device.verify_token(token.strip())
        if device is not None and accepted:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            audit_record(
                actor=user,
                action="account.totp_enrol",
                obj=user,
                after={"device_id": device.pk},
                district_id=_district_of(user),
            )
    if device is None or not accepted:
        raise ValidationFailed("验证码不正确，请核对手机上身份验证器显示的六位数字。", code="totp_wrong")
    return device


def totp_verify(*, user: Any, token: str) -> TOTPDevice:
    """The second step of signing in: the code from the confirmed device (django-otp throttles guesses)."""
    device = totp_device_confirmed(user)
    if device is None:
        raise ValidationFailed("该账号尚未绑定身份验证器。", code="totp_not_enrolled")
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        accepted = device.verify_token(token.strip())
    if not accepted:  # after the transaction, as in totp_enrol: the throttle's count is kept
        raise ValidationFailed("验证码不正确或已使用，请输入身份验证器上最新的六位数字。", code="totp_wrong")
    return device
