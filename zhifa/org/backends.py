"""The one authentication backend: Django's model backend behind the sign-in lock (zhifa.org.accounts).

Every way in that checks a password — the sign-in page, the admin's login, ``Client.login`` in tests — goes
through ``authenticate()`` and so through here; none can skip the count of failures or the lock."""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from zhifa.org import accounts


class LockoutBackend(ModelBackend):
    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if username is None or password is None:
            return None
        ip = accounts.client_ip(request)
        if accounts.login_lock_active(username=username, ip=ip) is not None:
            # Refused before the password is looked at: while locked, the right password opens nothing.
            accounts.login_failure_record(username=username, ip=ip, locked=True)
            return None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            accounts.login_failure_record(username=username, ip=ip, locked=False)
            return None
        accounts.login_success_record(user=user, ip=ip)
        return user
