"""消息通知: what the event loop told this user (escalations, dispatches, transfers)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhifa.events import selectors, services
from zhifa.web.pages import page_view


@page_view
def notifications(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.notification_list(user=request.user)[:200])
    return render(request, "web/notifications.html", {"notifications": rows})


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_read(actor=request.user)
    return redirect("web:notifications")
