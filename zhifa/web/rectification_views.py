"""Rectification orders and the three colours (issue 12 parts 6 and 7).

- ``/inspections/rectification/``: the orders the user may see (open, overdue, all) and, for issuers, the findings
  of signed visits without an order, each with its default deadline and an issue button.
- ``/inspections/rectification/<id>/``: one order — its finding, legal basis, deadline, the party's submissions with
  their photos, the steps — and the re-inspection form (复查通过 / 复查未通过 / 移送立案).
- ``/public/rectification/<token>/`` (no login): the party's own order and the evidence form.
- ``/inspections/rectification/<id>/submit/``: the business sends evidence from its home (the include
  ``rectification_home_panel``).
- ``/inspections/colours/``: the subjects coloured on a map (Leaflet, no tiles) and listed with the explanation;
  ``/inspections/colours/alliance/`` the site alliance (工地联盟); ``/inspections/colours/subjects/<id>/`` a
  subject's colour history.

Each POST calls one service with ``actor=request.user`` (the party's link: the order's party actor); a refusal is
shown with its message and code and nothing is written."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from zhifa.core.errors import DomainError, NotFound, ValidationFailed
from zhifa.inspections import rectification, rectification_selectors
from zhifa.inspections.colours import COLOUR_LABELS
from zhifa.inspections.models import InspectionFinding, RectificationOrder, RectificationPhoto
from zhifa.inspections.states import RECTIFICATION_OPEN, RECTIFICATION_WORKFLOW, RectificationStatus, VisitStatus
from zhifa.org.jurisdiction import jurisdiction_of
from zhifa.web.pages import page_view

COLOUR_HEX = {"red": "#d32f2f", "yellow": "#f9a825", "green": "#2e7d32"}


def _can_issue(request: HttpRequest) -> bool:
    return jurisdiction_of(request.user).role in rectification.ISSUERS


def _pending_findings(request: HttpRequest) -> list[dict[str, Any]]:
    """Findings of signed visits in the issuer's scope that have no order yet, with their default deadline."""
    j = jurisdiction_of(request.user)
    if j.role not in rectification.ISSUERS:
        return []
    rows = InspectionFinding.objects.filter(
        inspection__district_id=j.district_id, inspection__status=VisitStatus.SIGNED, rectification__isnull=True
    )
    if j.is_street_scoped:
        rows = rows.filter(inspection__street_id=j.own_street_id)
    today = timezone.localdate()
    out = []
    for f in rows.select_related("inspection__subject").order_by("recorded_at", "pk")[:200]:
        deadline, rule = rectification.deadline_for(f.severity, today)
        out.append({"finding": f, "deadline": deadline, "rule": rule})
    return out


@page_view
def order_list(request: HttpRequest) -> HttpResponse:
    view = request.GET.get("view", "open")
    error = None
    if request.method == "POST":
        try:
            raw = request.POST.get("deadline", "").strip()
            deadline = None
            if raw:
                try:
                    deadline = dt.date.fromisoformat(raw)
                except ValueError:
                    raise ValidationFailed(
                        "请填写整改期限（YYYY-MM-DD）", code="date_invalid", details={"field": "deadline"}
                    ) from None
            order = rectification.order_issue(
                actor=request.user,
                finding_id=request.POST.get("finding", ""),
                deadline=deadline,
                requirement=request.POST.get("requirement", ""),
            )
        except DomainError as exc:
            error = exc
        else:
            note = f"；重大隐患已移送立案（线索 {order.case_number}）" if order.case_number else ""
            messages.success(request, f"已下达整改通知 {order.pk}，期限 {order.deadline:%Y-%m-%d}{note}")
            return redirect("web:rectification-detail", order.pk)
    orders = rectification_selectors.order_list(user=request.user, overdue=view == "overdue", open_only=view == "open")
    today = timezone.localdate()
    context = {
        "orders": [{"o": o, "overdue": rectification_selectors.is_overdue(o, today)} for o in orders],
        "view": view,
        "pending": _pending_findings(request),
        "can_issue": _can_issue(request),
        "error": error,
    }
    return render(request, "web/inspections/rectification_list.html", context, status=error.status if error else 200)


def _detail(request: HttpRequest, order: RectificationOrder, error: DomainError | None = None) -> HttpResponse:
    history = rectification_selectors.order_history(order)
    labels = {**RECTIFICATION_WORKFLOW.labels, "issue": "下达整改通知"}
    history["transitions"] = [
        {"t": t, "action": labels.get(t.action, t.action), "status": labels.get(t.to_status, t.to_status)}
        for t in history["transitions"]
    ]
    context = {
        "order": order,
        "overdue": rectification_selectors.is_overdue(order),
        "can_reinspect": _can_issue(request)
        and order.status not in (RectificationStatus.RECTIFIED, RectificationStatus.ESCALATED),
        "error": error,
        **history,
    }
    return render(request, "web/inspections/rectification_detail.html", context, status=error.status if error else 200)


@page_view
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    order = rectification_selectors.order_get(user=request.user, order_id=order_id)
    return _detail(request, order)


@require_POST
@page_view
def order_reinspect(request: HttpRequest, order_id: int) -> HttpResponse:
    order = rectification_selectors.order_get(user=request.user, order_id=order_id)
    try:
        done = rectification.order_reinspect(
            actor=request.user,
            order_id=order.pk,
            outcome=request.POST.get("outcome", ""),
            note=request.POST.get("note", ""),
        )
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _detail(request, order, exc)
    messages.success(request, f"整改通知 {done.pk}：{done.get_status_display()}")
    return redirect("web:rectification-detail", done.pk)


@require_safe
@page_view
def order_photo(request: HttpRequest, order_id: int, photo_id: int) -> FileResponse:
    """A submission photo's copy without EXIF, for whoever may see the order."""
    order = rectification_selectors.order_get(user=request.user, order_id=order_id)
    photo = RectificationPhoto.objects.filter(submission__order=order, pk=photo_id).first()
    if photo is None:
        raise Http404("照片不存在")
    response = FileResponse(photo.public_copy.open("rb"), content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_POST
@page_view
def owner_submit(request: HttpRequest, order_id: int) -> HttpResponse:
    """The business's evidence from its home page's panel."""
    try:
        rectification.owner_submit(
            actor=request.user,
            order_id=order_id,
            note=request.POST.get("note", ""),
            photos=request.FILES.getlist("photos"),
        )
    except DomainError as exc:
        if exc.status == 404:
            raise
        messages.error(request, f"{exc.message}（{exc.code}）")
    else:
        messages.success(request, "整改材料已提交，等待复查")
    return redirect("web:home")


# --- the party's link (no login) --------------------------------------------------------------------------------


def party_page(request: HttpRequest, token: str) -> HttpResponse:
    """The party's own order (nothing else) and, while it is open, the form for photos and a note."""
    try:
        order = rectification.order_by_token(token)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    error = None
    if request.method == "POST":
        try:
            rectification.party_submit(
                token=token, note=request.POST.get("note", ""), photos=request.FILES.getlist("photos")
            )
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, "整改材料已提交，执法人员将进行复查")
            return redirect("web:rectification-party", token)
    elif request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405)
    context = {
        "order": order,
        "open": order.status in RECTIFICATION_OPEN,
        "submissions": order.submissions.prefetch_related("photos").order_by("submitted_at", "pk"),
        "error": error,
        "posted": request.POST if error else None,
    }
    return render(request, "web/inspections/rectification_party.html", context, status=error.status if error else 200)


# --- three colours ------------------------------------------------------------------------------------------------


@require_safe
@page_view
def colours_map(request: HttpRequest) -> HttpResponse:
    colour = request.GET.get("colour", "")
    if colour not in COLOUR_LABELS:
        colour = ""
    rows = rectification_selectors.colour_list(user=request.user, colour=colour)
    points = [
        {
            "id": r.subject_id,
            "lon": r.lon,
            "lat": r.lat,
            "colour": r.colour,
            "hex": COLOUR_HEX[r.colour],
            "name": r.name,
            "text": f"{r.colour_label}色 · 风险分 {r.score:g} · {r.category} · {r.street}",
        }
        for r in rows
    ]
    context = {
        "rows": rows,
        "colour": colour,
        "counts": rectification_selectors.colour_counts(user=request.user),
        "labels": COLOUR_LABELS,
        "map_points": points,
    }
    return render(request, "web/inspections/colours_map.html", context)


@require_safe
@page_view
def colours_alliance(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/inspections/colours_alliance.html",
        {"rows": rectification_selectors.site_alliance(user=request.user)},
    )


@require_safe
@page_view
def colours_history(request: HttpRequest, subject_id: int) -> HttpResponse:
    history = rectification_selectors.colour_history(user=request.user, subject_id=subject_id)
    subject = history[0].subject if history else None
    return render(
        request,
        "web/inspections/colours_history.html",
        {"history": history, "subject": subject, "labels": COLOUR_LABELS, "back": reverse("web:colours-map")},
    )
