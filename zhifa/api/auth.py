"""Two ways in: bearer tokens for machines, the Django session (with CSRF) for the browser."""

from typing import Any

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

from zhifa.core.tokens import api_token_user


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        user = api_token_user(token)
        if user is None:
            # A bearer token was sent and is not valid: the caller is a machine without a key, not a browser
            # to be checked against its session (that answered "CSRF check Failed" in ninja's own format).
            raise AuthenticationError(message="令牌无效或已停用")
        request.user = user
        return user


api_auth = [TokenAuth(), SessionAuth()]
