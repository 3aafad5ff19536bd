"""Two ways in: bearer tokens for machines, the Django session (with CSRF) for the browser."""

from typing import Any

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

from zhifa.core.tokens import api_token_user
from zhifa.org import accounts


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        user = api_token_user(token)
        if user is None:
            # A bearer token was sent and is not valid: the caller is a machine without a key, not a browser
            # to be checked against its session (that answered "CSRF check Failed" in ninja's own format).
            raise AuthenticationError(message="令牌无效或已停用")
        request.user = user
        return user


class LoggedInSessionAuth(SessionAuth):
    """The session, with its CSRF check only for a caller who is logged in.

    CSRF protects a logged-in browser from a forged request; a caller with no login has nothing to forge,
    and must be told to log in (401 ``not_authenticated``), not that a token is stale (403 ``csrf_failed``).
    """

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)


class VerifiedSessionAuth(LoggedInSessionAuth):
    """...and only a session whose pages would open too (zhifa.web.session_guard): a privileged account's
    session that has not passed its second factor, or whose password has expired, gets 401."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any | None:
        user = super().authenticate(request, key)
        if user is None:
            return None
        if request.session.get(accounts.PASSWORD_EXPIRED_SESSION_KEY):
            return None
        if accounts.second_factor_required(user) and not user.is_verified():
            return None
        return user


api_auth = [TokenAuth(), VerifiedSessionAuth()]
