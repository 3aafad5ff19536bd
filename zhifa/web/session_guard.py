"""Session limits and the steps a signed-in person must finish before the pages open (等保三级 身份鉴别).

1. A session ends ZHIFA_SESSION_IDLE_S after the person last did something, and ZHIFA_SESSION_MAX_S after it
   began whatever happens (both on every path, the API's session calls included). The times are kept in
   the session itself (the database), so every server process applies the same limits.
2. Administrators, leaders and legal reviewers see no page until their TOTP code is verified (enrolled
   first if they have no device).
3. A password past its age sends every page to the change page (found once, when the session begins:
   "at the next sign-in").

Steps 2 and 3 guard the pages and the admin; the API refuses such sessions itself (zhifa.api.auth), and
bearer tokens (issued with manage.py to machines) do not pass through a session at all.
"""

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from zhifa.org import accounts

STARTED_KEY = "zhifa_session_started"
SEEN_KEY = "zhifa_session_seen"

# Requests the browser makes on its own, not the person: they do not keep a session alive. The command
# centre's map refreshes officers and holds its event stream open; a desk left with it showing is idle.
BACKGROUND_PATHS = ("/command/officers.json", "/command/stream")
# The phone's position post (every ~30 s while a page of /m/ is open) DOES count as activity: it is sent
# only while the officer is on duty with the phone in hand and the page open, his position is what the
# command centre dispatches by, and ending his session would silently stop both it and his offline queue
# mid-shift. The phone's own screen lock guards the device; the absolute lifetime still ends the session.

# Not held back by step 3: the second factor's own pages, signing in and out, and static files. The password
# change page is held back too: whoever knows only the password of a privileged account must not be able to
# change it (and lock its owner out) without the second factor.
OPEN_PREFIXES = ("/login/", "/logout/", "/account/totp/", "/static/", "/admin/login/", "/admin/logout/")
PASSWORD_CHANGE_PATH = "/account/password/"
API_PREFIXES = ("/api/", "/open311/")
# Updating the last-seen time on every request would write the session row on every request; a minute's
# precision is plenty for a thirty-minute limit.
SEEN_PRECISION_S = 60


def session_begin(sender: object, request: HttpRequest | None, user: object, **kwargs: object) -> None:
    """Stamps a new session when someone signs in (any way in: page, admin, test client). Connected to
    Django's ``user_logged_in`` in WebConfig.ready(): the one moment every sign-in passes through, inside
    ``login()``, before the session is saved — not a domain flow, so the house rule on signals stands."""
    if request is None or not hasattr(request, "session"):
        return
    now = time.time()
    request.session[STARTED_KEY] = request.session[SEEN_KEY] = now
    request.session[accounts.PASSWORD_EXPIRED_SESSION_KEY] = accounts.password_expired(user)


class SessionGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            refusal = self._check(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> HttpResponse | None:
        session = request.session
        now = time.time()
        started = session.get(STARTED_KEY)
        if started is None:
            # A session from before these limits existed: it counts from now.
            session_begin(None, request, request.user)
        else:
            seen = session.get(SEEN_KEY, started)
            if now - started > settings.ZHIFA_SESSION_MAX_S:
                self._end(request, "会话超过最长有效期")
                return None
            if now - seen > settings.ZHIFA_SESSION_IDLE_S:
                self._end(request, "会话空闲超时")
                return None
            if request.path not in BACKGROUND_PATHS and now - seen >= SEEN_PRECISION_S:
                session[SEEN_KEY] = now
        path = request.path
        if path.startswith(OPEN_PREFIXES) or path.startswith(API_PREFIXES):
            return None
        if accounts.second_factor_required(request.user) and not request.user.is_verified():  # type: ignore[union-attr]
            if accounts.totp_device_confirmed(request.user) is None:
                return _redirect("web:totp-enrol", request)
            return _redirect("web:totp-verify", request)
        if session.get(accounts.PASSWORD_EXPIRED_SESSION_KEY) and path != PASSWORD_CHANGE_PATH:
            return _redirect("web:password-change", request)
        return None

    def _end(self, request: HttpRequest, reason: str) -> None:
        """Sign the person out (audited) and let the request go on as anonymous: a page then sends them to
        the sign-in page with ``next``, the API answers 401, the phone keeps its posts queued."""
        accounts.logout_record(user=request.user, ip=accounts.client_ip(request), reason=reason)
        logout(request)


def _redirect(name: str, request: HttpRequest) -> HttpResponse:
    url = reverse(name)
    if request.method == "GET":
        url += "?" + urlencode({"next": request.get_full_path()})
    if request.headers.get("HX-Request") == "true":
        # HTMX follows a redirect by XHR and would swap the page into a table; HX-Redirect moves the window.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)
