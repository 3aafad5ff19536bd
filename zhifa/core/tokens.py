"""Machine tokens for the API: issued once (the raw key is returned only then), stored as SHA-256."""

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from zhifa.core.actors import Actor
from zhifa.core.audit import audit_record
from zhifa.core.models import ApiToken
from zhifa.core.rows import columns, from_row, sql_once

LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_issue(*, actor: Actor, user: Any, name: str) -> tuple[ApiToken, str]:
    key = "zf_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name, key_hash=_digest(key))
        audit_record(actor=actor, action="api_token.issue", obj=token, after={"user_id": user.pk, "name": name})
    return token, key


def _profile_model() -> Any:
    # The post lives in org (a layer above core); reached through the user's ``profile`` relation, as the
    # string "user__profile" of select_related reached it.
    return get_user_model().profile.related.related_model  # type: ignore[attr-defined]


@sql_once
def _token_sql(conn: Any) -> str:
    # One hand-written join: the token, its user and the user's post. Every API request runs it, and the ORM
    # spent ten times the query's own time building the same select_related (ADR 0005).
    user_model = get_user_model()
    profile_model = _profile_model()
    qn = conn.ops.quote_name
    return (
        f"SELECT {columns(ApiToken, alias='t')}, {columns(user_model, alias='u')}, {columns(profile_model, alias='p')} "
        f"FROM {qn(ApiToken._meta.db_table)} t "
        f"INNER JOIN {qn(user_model._meta.db_table)} u ON u.id = t.user_id "
        f"LEFT OUTER JOIN {qn(profile_model._meta.db_table)} p ON p.user_id = u.id "
        "WHERE t.key_hash = %s AND t.is_active = %s LIMIT 1"
    )


def api_token_user(key: str) -> Any | None:
    """The active user a key belongs to, with the post (``user.profile``) loaded, or None."""
    with connection.cursor() as cursor:
        cursor.execute(_token_sql(), [_digest(key), True])
        row = cursor.fetchone()
    if row is None:
        return None
    user_model = get_user_model()
    n_token = len(ApiToken._meta.concrete_fields)
    n_user = len(user_model._meta.concrete_fields)
    token = from_row(ApiToken, row[:n_token])
    user = from_row(user_model, row[n_token : n_token + n_user])
    profile_values = row[n_token + n_user :]
    profile_model = _profile_model()
    profile = from_row(profile_model, profile_values) if profile_values[0] is not None else None
    # As select_related("user__profile") would: a missing post is cached as "none", not looked up again.
    user_model.profile.related.set_cached_value(user, profile)  # type: ignore[attr-defined]
    if profile is not None:
        profile_model.user.field.set_cached_value(profile, user)
    ApiToken.user.field.set_cached_value(token, user)
    if not user.is_active:
        return None
    now = timezone.now()
    # Recording use is a write; once a minute is enough to see which tokens are alive, and it keeps a busy
    # integration from turning every read into a write (SQLite has one writer at a time).
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return user
