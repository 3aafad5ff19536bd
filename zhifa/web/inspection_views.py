"""Inspection pages (issue 12 parts 1–2): plans (list, create, draw with its seed and result), a subject's
generated checklist, and the public 双随机一公开 page (no login, names masked).

Each POST calls one service of ``zhifa.inspections.services`` with ``actor=request.user``; a refusal is shown
on the page with its message and code and nothing is written. Who may do what is the services' rule (a liaison
its own department, the command centre and administrator every department); the pages only hide the forms.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from zhifa.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from zhifa.inspections import selectors, visit_selectors
from zhifa.inspections.grades import COLOUR_LABELS, COLOURS, GRADES, default_colour_weights, default_grade_weights
from zhifa.inspections.services import checklists_sync_from_catalogue, conflict_declare, plan_create, plan_draw
from zhifa.inspections.states import PlanKind
from zhifa.org.jurisdiction import jurisdiction_of
from zhifa.web.pages import page_view


def _date(request: HttpRequest, name: str, label: str) -> dt.date:
    raw = request.POST.get(name, "").strip()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(f"请填写{label}（YYYY-MM-DD）", code="date_invalid", details={"field": name}) from None


def _percent(raw: str) -> str:
    """The form asks for a percentage (10 = 10 %); the service takes a fraction."""
    try:
        return str(Decimal(raw.strip()) / 100)
    except (InvalidOperation, ValueError):
        return "abc"  # refused by the service as plan_ratio_out_of_range, with its message


@page_view
def plans(request: HttpRequest) -> HttpResponse:
    rows = selectors.plan_list(user=request.user)
    return render(
        request,
        "web/inspections/plans.html",
        {"plans": rows, "can_create": bool(selectors.plan_departments(user=request.user))},
    )


@page_view
def plan_new(request: HttpRequest) -> HttpResponse:
    departments = selectors.plan_departments(user=request.user)
    if not departments:
        raise PermissionDenied("您的岗位无权制定抽查计划", code="plan_forbidden")
    error = None
    if request.method == "POST":
        try:
            department_raw = request.POST.get("department", "")
            plan = plan_create(
                actor=request.user,
                department_id=int(department_raw) if department_raw.isdigit() else 0,
                name=request.POST.get("name", ""),
                starts_on=_date(request, "starts_on", "起始日期"),
                ends_on=_date(request, "ends_on", "截止日期"),
                target_ratio=_percent(request.POST.get("target_percent", "")),
                grade_weights={g: request.POST.get(f"grade_{g}", "") for g in GRADES},
                colour_weights={c: request.POST.get(f"colour_{c}", "") for c in COLOURS},
                kind=request.POST.get("kind", PlanKind.RANDOM),
            )
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, f"已制定抽查计划“{plan.name}”")
            return redirect("web:inspection-plan", plan.pk)
    grade_weights = default_grade_weights()
    colour_weights = default_colour_weights()
    context = {
        "departments": departments,
        "kinds": PlanKind.choices,
        "error": error,
        "posted": request.POST if error else None,
        "grades": [
            (g, request.POST.get(f"grade_{g}", grade_weights[g]) if error else grade_weights[g]) for g in GRADES
        ],
        "colours": [
            (c, COLOUR_LABELS[c], request.POST.get(f"colour_{c}", colour_weights[c]) if error else colour_weights[c])
            for c in COLOURS
        ],
    }
    return render(request, "web/inspections/plan_new.html", context, status=error.status if error else 200)


@page_view
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, plan_id=plan_id)
    return _plan_page(request, plan)


def _plan_page(request: HttpRequest, plan: Any, error: DomainError | None = None) -> HttpResponse:
    context = {
        "plan": plan,
        "drawn": selectors.plan_drawn(plan=plan),
        "can_draw": selectors.can_draw(user=request.user, plan=plan),
        "eligible": len((plan.draw_inputs or {}).get("candidates", [])),
        # 重复检查提醒 on the visits holding this plan's checks (issue 12 part 3).
        "repeat_alerts": visit_selectors.plan_repeat_alerts(plan=plan),
        "error": error,
        "posted": request.POST if error else None,
    }
    return render(request, "web/inspections/plan_detail.html", context, status=error.status if error else 200)


@require_POST
@page_view
def plan_draw_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, plan_id=plan_id)
    try:
        plan_draw(actor=request.user, plan_id=plan.pk, public_value=request.POST.get("public_value", ""))
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _plan_page(request, plan, exc)
    messages.success(request, "已完成双随机抽取")
    return redirect("web:inspection-plan", plan.pk)


@page_view
def subject_checklist(request: HttpRequest, subject_id: int) -> HttpResponse:
    checklist = selectors.subject_checklist(user=request.user, subject_id=subject_id)
    j = jurisdiction_of(request.user)
    return render(
        request,
        "web/inspections/subject_checklist.html",
        {"checklist": checklist, "subject": checklist.subject, "can_sync": j.can_edit_catalogue},
    )


@require_POST
@page_view
def checklists_sync(request: HttpRequest) -> HttpResponse:
    j = jurisdiction_of(request.user)
    try:
        result = checklists_sync_from_catalogue(actor=request.user, district_id=j.district_id)
    except DomainError as exc:
        messages.error(request, f"{exc.message}（{exc.code}）")
    else:
        messages.success(
            request, f"已同步事项目录检查要点：新建 {result.created} 个版本，{result.unchanged} 个事项无变化"
        )
    back = request.POST.get("next", "")
    if back.startswith("/") and not back.startswith("//"):
        return redirect(back)
    return redirect("web:inspection-plans")


@page_view
def conflicts(request: HttpRequest) -> HttpResponse:
    """利益冲突申报: the recorded relations (an officer never drawn for a subject they are related to), and the
    form to record one for an officer of a department the user plans for."""
    rows = selectors.conflict_list(user=request.user)
    officers = selectors.conflict_officers(user=request.user)
    error = None
    if request.method == "POST":
        try:
            officer_raw = request.POST.get("officer", "")
            subject = selectors.conflict_subject(user=request.user, key=request.POST.get("subject", ""))
            conflict_declare(
                actor=request.user,
                officer_id=int(officer_raw) if officer_raw.isdigit() else 0,
                subject_id=subject.pk,
                reason=request.POST.get("reason", ""),
            )
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, "已登记利益冲突，抽取时该人员将回避该对象")
            return redirect("web:inspection-conflicts")
    context = {"conflicts": rows, "officers": officers, "error": error, "posted": request.POST if error else None}
    return render(request, "web/inspections/conflicts.html", context, status=error.status if error else 200)


@require_safe
def public_plans(request: HttpRequest) -> HttpResponse:
    """双随机一公开 (ZJR 21): the drawn plans, their seeds and the subjects drawn, names masked; no login. A page of
    plans at a time, each with its first subjects (all of them on the plan's own page)."""
    page, plans = selectors.public_plans(page=request.GET.get("page"))
    return render(request, "web/public/inspections.html", {"plans": plans, "page": page})


@require_safe
def public_plan(request: HttpRequest, plan_id: int) -> HttpResponse:
    """One drawn plan as published, with every subject it drew, a page at a time; no login."""
    found = selectors.public_plan(plan_id=plan_id, page=request.GET.get("page"))
    if found is None:
        raise Http404("抽查计划不存在或尚未抽取")
    plan, page = found
    return render(request, "web/public/inspection_plan.html", {"p": plan, "page": page})


@require_safe
def public_plan_record(request: HttpRequest, plan_id: int) -> JsonResponse:
    """The draw's published record as JSON (ids, weights, seed, result), for anyone re-running it; no login."""
    try:
        record = selectors.public_draw_record(plan_id=plan_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return JsonResponse(record, json_dumps_params={"ensure_ascii": False})
