"""The caller's number on the event pages: one POST per look ("显示号码 / 拨打"), audited by the service.

The page's script asks for JSON and puts the number in place as a ``tel:`` link (one tap to call); without
the script the form posts as any other and the number comes back as a message on the event page. A GET
never reveals anything: a look is a change (an audit entry), and a link could be followed by a prefetcher.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from zhifa.core.errors import DomainError
from zhifa.events import selectors, services
from zhifa.events.privacy import tel_url
from zhifa.web.pages import page_view


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@require_POST
@page_view
def reporter_phone(request: HttpRequest, event_id: int) -> HttpResponse:
    wants_json = _wants_json(request)
    try:
        event = selectors.event_get(user=request.user, event_id=event_id)
        phone = services.event_reporter_phone_reveal(actor=request.user, event=event)
    except DomainError as exc:
        if wants_json:
            return JsonResponse({"code": exc.code, "message": exc.message}, status=exc.status)
        raise
    if wants_json:
        return JsonResponse({"reporter_phone": phone, "tel_url": tel_url(phone)})
    messages.info(request, f"来电人号码：{phone}（本次查看已留痕）")
    return redirect("web:event-detail", event_id=event.pk)
