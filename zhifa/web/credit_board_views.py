"""Credit pages of issue 13 parts 2, 4, 8: a business signs its commitments (信用承诺), staff read the key-supervision
list (重点监管名单), and anyone reads the 大综点评 board by street and a business's position history (names masked,
no login). Each POST calls one service with ``actor=request.user``; a refusal is shown with its message and code."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from zhifa.core.errors import DomainError, NotFound
from zhifa.credit.board import board_history, board_public
from zhifa.credit.commitments import (
    commitment_sign,
    commitment_template_create,
    commitment_template_matters,
    commitment_templates,
    commitments_for_subject,
)
from zhifa.credit.measures import key_supervision_list
from zhifa.org.jurisdiction import jurisdiction_of
from zhifa.org.roles import Role
from zhifa.web.pages import page_view


def _int(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    # Bounded: an id past the database's integers is simply unknown.
    return int(raw) if raw.isdigit() and len(raw) <= 12 else None


@page_view
def subject_commitments(request: HttpRequest, subject_id: int) -> HttpResponse:
    """A subject's commitments: to sign (the business signs here) and signed, with the version and the text."""
    error: DomainError | None = None
    if request.method == "POST":
        template_id = _int(request.POST.get("template"))
        try:
            if template_id is None:
                raise NotFound("信用承诺书不存在", code="commitment_template_not_found")
            commitment_sign(actor=request.user, subject_id=subject_id, template_id=template_id)
            return redirect(reverse("web:credit-commitments", args=[subject_id]))
        except NotFound:
            raise
        except DomainError as exc:
            error = exc
    commitments = commitments_for_subject(user=request.user, subject_id=subject_id)
    context = {
        "c": commitments,
        "subject": commitments.subject,
        "can_sign": jurisdiction_of(request.user).role == Role.BUSINESS_OWNER,
        "error": error,
    }
    return render(request, "web/credit/commitment_list.html", context, status=error.status if error else 200)


@page_view
def templates(request: HttpRequest) -> HttpResponse:
    """信用承诺书模板: every version, and (for the administrator and the command centre) a form for a new one."""
    j = jurisdiction_of(request.user)
    if j.role == Role.BUSINESS_OWNER:
        raise Http404("页面不存在")
    error: DomainError | None = None
    if request.method == "POST":
        try:
            commitment_template_create(
                actor=request.user,
                code=request.POST.get("code", ""),
                title=request.POST.get("title", ""),
                text=request.POST.get("text", ""),
                legal_basis=request.POST.get("legal_basis", ""),
                matter_id=_int(request.POST.get("matter")),
                licence_kind=request.POST.get("licence_kind", ""),
            )
            return redirect(reverse("web:credit-commitment-templates"))
        except DomainError as exc:
            error = exc
    context = {
        "templates": commitment_templates(user=request.user),
        "matters": commitment_template_matters(user=request.user) if j.can_edit_catalogue else [],
        "can_edit": j.can_edit_catalogue,
        "error": error,
        "posted": request.POST if error else None,
    }
    return render(request, "web/credit/commitment_templates.html", context, status=error.status if error else 200)


@page_view
@require_safe
def key_supervision(request: HttpRequest) -> HttpResponse:
    if jurisdiction_of(request.user).role == Role.BUSINESS_OWNER:
        raise Http404("页面不存在")
    return render(request, "web/credit/key_supervision.html", {"rows": key_supervision_list(user=request.user)})


@require_safe
def public_board(request: HttpRequest) -> HttpResponse:
    """大综点评: the latest day's ranking of one street's catering businesses, the weights published; no login."""
    raw = request.GET.get("street")
    street_id = _int(raw)
    try:
        if raw and street_id is None:
            raise NotFound("该街道没有排名", code="credit_board_street_not_found")
        board = board_public(street_id=street_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "web/credit/board_public.html", {"board": board})


@require_safe
def public_board_history(request: HttpRequest, subject_id: int) -> HttpResponse:
    try:
        history = board_history(subject_id=subject_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "web/credit/board_history.html", {"history": history})
