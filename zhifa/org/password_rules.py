"""Password rules beyond Django's own validators (AUTH_PASSWORD_VALIDATORS lists them all): three of the four
character classes, and none of the account's last ZHIFA_PASSWORD_HISTORY passwords. Messages in Chinese."""

from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from zhifa.org.models import PasswordRecord

CLASSES = ("小写字母", "大写字母", "数字", "符号")


def _classes_of(password: str) -> set[str]:
    found = set()
    for char in password:
        if char.islower():
            found.add(CLASSES[0])
        elif char.isupper():
            found.add(CLASSES[1])
        elif char.isdigit():
            found.add(CLASSES[2])
        else:
            found.add(CLASSES[3])
    return found


class CharacterClassValidator:
    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        if len(_classes_of(password)) < self.min_classes:
            raise ValidationError(
                f"密码须包含小写字母、大写字母、数字、符号中的至少 {self.min_classes} 类。", code="password_too_simple"
            )

    def get_help_text(self) -> str:
        return f"至少包含小写字母、大写字母、数字、符号中的 {self.min_classes} 类。"


class PasswordHistoryValidator:
    """Refuses the current password and the last ZHIFA_PASSWORD_HISTORY ones (compared with their stored
    hashes); and, through Django's ``password_changed`` hook that every ``set_password`` + ``save`` reaches
    (the change page, the admin, ``changepassword``), records each new password's hash and time."""

    def validate(self, password: str, user: Any = None) -> None:
        if user is None or user.pk is None:
            return
        count = settings.ZHIFA_PASSWORD_HISTORY
        hashes = list(
            PasswordRecord.objects.filter(user_id=user.pk)
            .order_by("-set_at", "-id")
            .values_list("password", flat=True)[:count]
        )
        if user.password:
            hashes.append(user.password)
        if any(check_password(password, stored) for stored in hashes):
            raise ValidationError(f"新密码不能与最近 {count} 次使用过的密码相同。", code="password_reused")

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is None or user.pk is None or not user.password:
            return
        PasswordRecord.objects.create(user_id=user.pk, password=user.password, set_at=timezone.now())

    def get_help_text(self) -> str:
        return f"不能与最近 {settings.ZHIFA_PASSWORD_HISTORY} 次使用过的密码相同。"
