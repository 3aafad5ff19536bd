"""Two ways in: bearer tokens for machines, the Django session (with CSRF) for the browser."""

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from zhifa.core.tokens import api_token_user


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        user = api_token_user(token)
        if user is not None:
            request.user = user
        return user


api_auth = [TokenAuth(), SessionAuth()]
