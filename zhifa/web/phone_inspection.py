"""The officer's phone for the joint inspection (综合查一次, issue 12 part 5), under /m/inspections/: the day's
visits, and one visit — start at the site with GPS, tick items with photos, findings with severity, the
officer's signature, the party's signature on a canvas (or the refusal), and close (签署归档).

Every step is one form posted to its own address and one service call of ``zhifa.inspections.visit_services``.
Each form works with the phone's offline outbox like the other /m/ forms (``phone.QUEUED_FORMS`` lists these
addresses for the service worker; ``data-offline="queue"`` for phone.js): a step submitted offline is kept
with the moment of the tap (``observed_at``) and sent once the phone is back; a step sent again after a lost
answer is answered as taken by the service (the finding by its ``client_key``). A refusal renders the visit's
page with the message in ``#visit-error`` (class ``m-error``), which phone.js shows for a queued step."""

import base64
import binascii
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhifa.core.errors import DomainError, NotFound, ValidationFailed
from zhifa.inspections import visit_selectors, visit_services
from zhifa.inspections.models import FindingSeverity, ItemOutcome, JointInspection
from zhifa.inspections.states import VisitStatus
from zhifa.web.event_forms import PointForm
from zhifa.web.inspection_visit_views import qr_svg
from zhifa.web.phone import _acted_at, _officer, _require_field_staff, phone_page

# The refusals after which the page offers the start beyond the radius (a reason and a photo of the site).
START_EXCEPTION_CODES = frozenset(
    {
        "visit_start_too_far",
        "visit_start_photo_required",
        "visit_start_reason_too_long",
        "photo_too_large",
        "photo_type_unsupported",
        "photo_unreadable",
    }
)
SIGNATURE_DATA_URL = "data:image/png;base64,"
SIGNATURE_MAX_CHARS = 420_000  # base64 of the service's 300 KB limit, and a little


@phone_page
def visits(request: HttpRequest) -> HttpResponse:
    """今日检查: the officer's visits for today (started and not signed, or due today)."""
    _require_field_staff(request.user)
    rows = visit_selectors.officer_visits(user=request.user, on=timezone.localdate())
    return render(request, "web/phone/inspection_list.html", {"rows": rows, "officer": _officer(request.user)})


def _visit(request: HttpRequest, inspection_id: int) -> JointInspection:
    """The visit, if the signed-in officer is one of its officers (else 404, like a missing one)."""
    _require_field_staff(request.user)
    inspection = visit_selectors.visit_get(user=request.user, inspection_id=inspection_id)
    if not inspection.officers.filter(user_id=request.user.pk or 0).exists():
        raise NotFound("综合检查不存在或不由您检查", code="visit_not_found")
    return inspection


def _page(request: HttpRequest, inspection: JointInspection, *, status: int = 200, **extra: Any) -> HttpResponse:
    record = visit_selectors.visit_record(inspection=inspection)
    officer = _officer(request.user)
    context: dict[str, Any] = {
        "inspection": inspection,
        "record": record,
        "officer": officer,
        "outcomes": ItemOutcome.choices,
        "severities": FindingSeverity.choices,
        "has_signed": any(s.officer_id == getattr(officer, "pk", None) for s in record.officer_signatures),
        "is_started": inspection.status == VisitStatus.STARTED,
        "error": "",
        "distance_m": None,
        "start_exception": False,
        "exception_reason": "",
        "posted": None,
        # Signed: the QR code of the public record, for the party to scan from this screen (亮码检查).
        "qr_svg": qr_svg(request, inspection.check_token) if inspection.status == VisitStatus.SIGNED else "",
    }
    context.update(extra)
    return render(request, "web/phone/inspection_visit.html", context, status=status)


def _refused(request: HttpRequest, inspection_id: int, exc: DomainError, **extra: Any) -> HttpResponse:
    inspection = _visit(request, inspection_id)
    details = exc.details if isinstance(exc.details, dict) else {}
    return _page(
        request,
        inspection,
        status=exc.status,
        error=exc.message,
        distance_m=details.get("distance_m"),
        posted=request.POST,
        **extra,
    )


def _back(inspection_id: int, anchor: str = "") -> HttpResponse:
    return redirect(reverse("web:phone-inspection", args=[inspection_id]) + (f"#{anchor}" if anchor else ""))


@phone_page
def visit(request: HttpRequest, inspection_id: int) -> HttpResponse:
    return _page(request, _visit(request, inspection_id))


@require_POST
@phone_page
def start(request: HttpRequest, inspection_id: int) -> HttpResponse:
    _visit(request, inspection_id)
    form = PointForm(request.POST)
    reason = request.POST.get("exception_reason", "")
    try:
        if not form.is_valid():
            raise ValidationFailed("未获取到定位，请允许使用位置信息后重试", code="position_missing")
        point = form.cleaned_data
        started = visit_services.inspection_start(
            actor=request.user,
            inspection_id=inspection_id,
            lon=point["lon"],
            lat=point["lat"],
            accuracy_m=point["accuracy"],
            exception_reason=reason,
            photo=request.FILES.get("photo"),
            acted_at=_acted_at(request.POST),
        )
    except DomainError as exc:
        return _refused(
            request, inspection_id, exc, start_exception=exc.code in START_EXCEPTION_CODES, exception_reason=reason
        )
    if started.start_exception_reason:
        messages.success(request, "已开始检查（超距开始，已记录原因）")
    else:
        messages.success(request, "已开始检查")
    return _back(inspection_id)


@require_POST
@phone_page
def tick(request: HttpRequest, inspection_id: int) -> HttpResponse:
    _visit(request, inspection_id)
    item = request.POST.get("item", "")
    try:
        visit_services.item_tick(
            actor=request.user,
            inspection_id=inspection_id,
            item_id=item,
            outcome=request.POST.get("result", ""),
            note=request.POST.get("note", ""),
            photos=request.FILES.getlist("photos"),
            acted_at=_acted_at(request.POST),
        )
    except DomainError as exc:
        return _refused(request, inspection_id, exc, error_item=item)
    messages.success(request, "已保存检查结果")
    return _back(inspection_id, f"item-{item}")


@require_POST
@phone_page
def finding(request: HttpRequest, inspection_id: int) -> HttpResponse:
    _visit(request, inspection_id)
    try:
        visit_services.finding_add(
            actor=request.user,
            inspection_id=inspection_id,
            severity=request.POST.get("severity", ""),
            description=request.POST.get("description", ""),
            item_id=request.POST.get("item", "") or None,
            photos=request.FILES.getlist("photos"),
            client_key=request.POST.get("client_key", ""),
            acted_at=_acted_at(request.POST),
        )
    except DomainError as exc:
        return _refused(request, inspection_id, exc)
    messages.success(request, "已记录隐患")
    return _back(inspection_id, "findings")


@require_POST
@phone_page
def officer_sign(request: HttpRequest, inspection_id: int) -> HttpResponse:
    _visit(request, inspection_id)
    try:
        visit_services.officer_sign(actor=request.user, inspection_id=inspection_id, acted_at=_acted_at(request.POST))
    except DomainError as exc:
        return _refused(request, inspection_id, exc)
    messages.success(request, "您已签名")
    return _back(inspection_id, "signatures")


def _signature_png(raw: str) -> bytes:
    """The canvas's data URL (``data:image/png;base64,…``) as bytes; the service checks the PNG itself."""
    if not raw.startswith(SIGNATURE_DATA_URL) or len(raw) > SIGNATURE_MAX_CHARS:
        return b""
    try:
        return base64.b64decode(raw[len(SIGNATURE_DATA_URL) :], validate=True)
    except (binascii.Error, ValueError):
        return b"\x00"  # refused by the service as visit_signature_invalid


@require_POST
@phone_page
def party_sign(request: HttpRequest, inspection_id: int) -> HttpResponse:
    _visit(request, inspection_id)
    refused = request.POST.get("refused") == "1"
    try:
        visit_services.party_sign(
            actor=request.user,
            inspection_id=inspection_id,
            party_name=request.POST.get("party_name", ""),
            signature_png=None if refused else _signature_png(request.POST.get("signature", "")),
            refused=refused,
            refusal_reason=request.POST.get("refusal_reason", ""),
            acted_at=_acted_at(request.POST),
        )
    except DomainError as exc:
        return _refused(request, inspection_id, exc)
    messages.success(request, "已记录当事人拒签情况" if refused else "当事人已签名")
    return _back(inspection_id, "signatures")


@require_POST
@phone_page
def close(request: HttpRequest, inspection_id: int) -> HttpResponse:
    _visit(request, inspection_id)
    try:
        visit_services.inspection_close(
            actor=request.user, inspection_id=inspection_id, acted_at=_acted_at(request.POST)
        )
    except DomainError as exc:
        return _refused(request, inspection_id, exc)
    messages.success(request, "检查记录已签署归档")
    return _back(inspection_id)
