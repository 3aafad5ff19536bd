"""Sign-out, password change and the TOTP second factor (enrolment and the step after the password).

Each view parses the form and calls one service of ``zhifa.org.accounts``; the rules live there."""

from base64 import b32encode

import django_otp
import segno
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.password_validation import password_validators_help_texts
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from zhifa.core.errors import ValidationFailed
from zhifa.org import accounts


def _next(request: HttpRequest) -> str:
    """Where to go once done: the ``next`` it was sent with, if it is a path of this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


class LogoutView(auth_views.LogoutView):
    """Django's sign-out (POST only), audited first: afterwards the request no longer knows who it was."""

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.user.is_authenticated:
            accounts.logout_record(user=request.user, ip=accounts.client_ip(request))
        return super().post(request, *args, **kwargs)


def _signed_in(request: HttpRequest) -> bool:
    return bool(request.user.is_authenticated)


@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    if not _signed_in(request):
        return redirect("web:login")
    error = ""
    if request.method == "POST":
        new_password = request.POST.get("new_password", "")
        if new_password != request.POST.get("new_password_again", ""):
            error = "两次输入的新密码不一致。"
        else:
            try:
                accounts.password_change(
                    user=request.user, old_password=request.POST.get("old_password", ""), new_password=new_password
                )
            except ValidationFailed as exc:
                error = exc.message
            else:
                # The session stays valid (its hash follows the password) and the block on pages is lifted.
                update_session_auth_hash(request, request.user)  # type: ignore[arg-type]
                request.session[accounts.PASSWORD_EXPIRED_SESSION_KEY] = False
                return HttpResponseRedirect(_next(request))
    context = {
        "error": error,
        "next": _next(request),
        "expired": bool(request.session.get(accounts.PASSWORD_EXPIRED_SESSION_KEY)),
        "rules": password_validators_help_texts(),
    }
    return render(request, "web/account/password_change.html", context, status=422 if error else 200)


@require_http_methods(["GET", "POST"])
def totp_verify(request: HttpRequest) -> HttpResponse:
    if not _signed_in(request):
        return redirect("web:login")
    if accounts.totp_device_confirmed(request.user) is None:
        return redirect("web:totp-enrol")
    error = ""
    if request.method == "POST":
        try:
            device = accounts.totp_verify(user=request.user, token=request.POST.get("token", ""))
        except ValidationFailed as exc:
            error = exc.message
        else:
            django_otp.login(request, device)
            return HttpResponseRedirect(_next(request))
    return render(
        request, "web/account/totp_verify.html", {"error": error, "next": _next(request)}, status=422 if error else 200
    )


@require_http_methods(["GET", "POST"])
def totp_enrol(request: HttpRequest) -> HttpResponse:
    if not _signed_in(request):
        return redirect("web:login")
    if accounts.totp_device_confirmed(request.user) is not None:
        return redirect("web:totp-verify")
    error = ""
    if request.method == "POST":
        try:
            device = accounts.totp_enrol(user=request.user, token=request.POST.get("token", ""))
        except ValidationFailed as exc:
            error = exc.message
        else:
            django_otp.login(request, device)
            return HttpResponseRedirect(_next(request))
    device = accounts.totp_device_pending(request.user)
    uri = device.config_url
    context = {
        "error": error,
        "next": _next(request),
        "uri": uri,
        "secret": b32encode(device.bin_key).decode(),
        # segno draws the URI as the QR pattern: the SVG carries no text of the user's (the title is ours), so
        # it is safe to put in the page as it is; inline, so no image request and no network.
        "qr_svg": mark_safe(segno.make(uri, error="m").svg_inline(scale=4, title="身份验证器二维码")),
    }
    return render(request, "web/account/totp_enrol.html", context, status=422 if error else 200)
