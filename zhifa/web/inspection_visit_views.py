"""Joint inspection pages for staff (issue 12 parts 3 and 5) and the party's 亮码检查 page.

- ``/inspections/visits/``: the visits the user may see, the visits saved per month, the repeat-inspection
  alerts, and (for the command centre and the administrator) the form that merges a period's pending checks.
- ``/inspections/visits/<id>/``: one visit's record — the combined checklist by department with each item's
  result, the findings, the signatures, the start's distance — and, once signed, the QR code of its public
  record (segno, SVG).
- ``/public/inspections/check/<token>/`` (no login): the record the QR code names, names masked.

Each POST calls one service with ``actor=request.user``; a refusal is shown with its message and code."""

import datetime as dt

import segno
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST, require_safe

from zhifa.core.errors import DomainError, NotFound, ValidationFailed
from zhifa.inspections import visit_selectors, visit_services
from zhifa.inspections.permissions import PLAN_MAKERS
from zhifa.inspections.states import VisitStatus
from zhifa.org.jurisdiction import jurisdiction_of
from zhifa.web.pages import page_view


def _date(request: HttpRequest, name: str, label: str) -> dt.date:
    raw = request.POST.get(name, "").strip()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(f"请填写{label}（YYYY-MM-DD）", code="date_invalid", details={"field": name}) from None


@page_view
def visit_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    j = jurisdiction_of(request.user)
    error = None
    if request.method == "POST":
        try:
            result = visit_services.inspections_merge(
                actor=request.user,
                district_id=j.district_id,
                starts_on=_date(request, "starts_on", "起始日期"),
                ends_on=_date(request, "ends_on", "截止日期"),
            )
        except DomainError as exc:
            error = exc
        else:
            messages.success(
                request,
                f"已合并 {result.checks} 项检查任务为 {result.visits} 次检查，减少 {result.saved} 次上门"
                + (f"；重复检查提醒 {len(result.alerts)} 条" if result.alerts else ""),
            )
            return redirect("web:inspection-visits")
    context = {
        "visits": visit_selectors.visit_list(user=request.user, status=status)[:200],
        "savings": visit_selectors.visits_saved_by_month(user=request.user),
        "alerts": visit_selectors.repeat_alerts(user=request.user)[:50],
        "statuses": VisitStatus.choices,
        "status": status,
        "can_merge": j.role in PLAN_MAKERS,
        "error": error,
        "posted": request.POST if error else None,
    }
    return render(request, "web/inspections/visit_list.html", context, status=error.status if error else 200)


def qr_svg(request: HttpRequest, token: str) -> str:
    url = request.build_absolute_uri(reverse("web:public-inspection-check", args=[token]))
    # segno draws the address as the QR pattern: the SVG carries no user text (the title is ours).
    return mark_safe(segno.make(url, error="m").svg_inline(scale=4, title="亮码检查二维码"))


@page_view
def visit_detail(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspection = visit_selectors.visit_get(user=request.user, inspection_id=inspection_id)
    return _detail(request, inspection)


def _detail(request: HttpRequest, inspection: object, error: DomainError | None = None) -> HttpResponse:
    record = visit_selectors.visit_record(inspection=inspection)  # type: ignore[arg-type]
    j = jurisdiction_of(request.user)
    signed = record.inspection.status == VisitStatus.SIGNED
    can_cancel = record.inspection.status in (VisitStatus.PLANNED, VisitStatus.STARTED) and (
        j.role in PLAN_MAKERS
        or (j.is_department_scoped and any(d.pk == j.own_department_id for d in record.departments))
    )
    context = {
        "inspection": record.inspection,
        "record": record,
        "qr_svg": qr_svg(request, record.inspection.check_token) if signed else "",
        "public_url": reverse("web:public-inspection-check", args=[record.inspection.check_token]) if signed else "",
        "can_cancel": can_cancel,
        "error": error,
    }
    return render(request, "web/inspections/visit_detail.html", context, status=error.status if error else 200)


@require_POST
@page_view
def visit_cancel(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspection = visit_selectors.visit_get(user=request.user, inspection_id=inspection_id)
    try:
        visit_services.inspection_cancel(
            actor=request.user, inspection_id=inspection.pk, reason=request.POST.get("reason", "")
        )
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _detail(request, inspection, exc)
    messages.success(request, "已取消该综合检查")
    return redirect("web:inspection-visit", inspection.pk)


@require_safe
@page_view
def visit_photo(request: HttpRequest, inspection_id: int, photo_id: int) -> FileResponse:
    """A photo's copy without EXIF, for whoever may see the visit."""
    photo = visit_selectors.visit_photo(user=request.user, inspection_id=inspection_id, photo_id=photo_id)
    response = FileResponse(photo.public_copy.open("rb"), content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_safe
@page_view
def visit_signature(request: HttpRequest, inspection_id: int) -> HttpResponse:
    """The party's signature as drawn (PNG), for whoever may see the visit."""
    signature = visit_selectors.visit_signature(user=request.user, inspection_id=inspection_id)
    response = HttpResponse(bytes(signature.image_png or b""), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_safe
def public_check(request: HttpRequest, token: str) -> HttpResponse:
    """亮码检查 (no login): who inspected (names masked, badge numbers), which items, the result."""
    try:
        record = visit_selectors.public_record(token=token)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "web/inspections/visit_public.html", {"record": record})
