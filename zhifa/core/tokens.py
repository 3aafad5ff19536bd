"""Machine tokens for the API: issued once (the raw key is returned only then), stored as SHA-256."""

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from zhifa.core.audit import audit_record
from zhifa.core.models import ApiToken

LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_issue(*, actor: Any, user: Any, name: str) -> tuple[ApiToken, str]:
    key = "zf_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name, key_hash=_digest(key))
        audit_record(actor=actor, action="api_token.issue", obj=token, after={"user_id": user.pk, "name": name})
    return token, key


def api_token_user(key: str) -> Any | None:
    """The active user a key belongs to, or None."""
    # The post comes with the user: every API request reads the jurisdiction from it next.
    token = ApiToken.objects.select_related("user__profile").filter(key_hash=_digest(key), is_active=True).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # Recording use is a write; once a minute is enough to see which tokens are alive, and it keeps a busy
    # integration from turning every read into a write (SQLite has one writer at a time).
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
