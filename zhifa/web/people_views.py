"""账号与岗位: the district administrator's pages for accounts, posts and bindings, and the officer's edit
page. Each view parses the form, finds the ids it names through the scoped selectors, and calls one service
of ``zhifa.org.people``; a refusal is shown with its message and code, and nothing is written."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhifa.catalog.certificates import certified_domains_check
from zhifa.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from zhifa.org import people
from zhifa.org.models import AuxiliaryStaff, Department, Officer, Street, Zone
from zhifa.org.people_selectors import (
    ACCOUNT_ACTION_LABELS,
    AccountStatus,
    account_get,
    account_history,
    account_list,
    account_status,
    auxiliaries_unbound,
    officers_unbound,
)
from zhifa.org.selectors import auxiliary_list, department_list, officer_get, officer_list, street_list, zone_list
from zhifa.web import people_forms as f
from zhifa.web.pages import page_view, paginate, render_list

# What each action on the account page is called (the success message and the refusal's heading).
ACTION_LABELS = {
    "post": "修改岗位",
    "bind": "绑定人员",
    "unbind": "解除绑定",
    "disable": "停用账号",
    "enable": "启用账号",
    "password": "重置密码",
    "unlock": "解除锁定",
}


def _require_account_admin(user: Any) -> None:
    if not people.can_manage_accounts(user):
        raise PermissionDenied("只有系统管理员可以管理账号和岗位", code="account_admin_only")


def _form_refusal(form: Any) -> ValidationFailed:
    name, errors = next(iter(form.errors.items()))
    return ValidationFailed(str(errors[0]), code="form_invalid", details={"field": name})


def _pick(rows: Any, raw: str, message: str, code: str, field: str) -> Any:
    """The row of a scoped selector that an id names, None for no id; an id it does not hold is refused."""
    raw = (raw or "").strip()
    if not raw:
        return None
    found = rows.filter(pk=int(raw)).first() if raw.isdigit() else None
    if found is None:
        raise ValidationFailed(message, code=code, details={"field": field})
    return found


def _street(user: Any, raw: str) -> Street | None:
    return _pick(street_list(user=user), raw, "街道不在本区", "street_outside_district", "street_id")  # type: ignore[no-any-return]


def _department(user: Any, raw: str) -> Department | None:
    return _pick(  # type: ignore[no-any-return]
        department_list(user=user), raw, "部门不在本区", "department_outside_district", "department_id"
    )


def _binding(user: Any, raw: str) -> tuple[Officer | None, AuxiliaryStaff | None]:
    if not (raw or "").strip():
        return None, None
    parsed = f.binding_parse(raw)
    if parsed is None:
        raise ValidationFailed("请选择有效的执法人员或辅助人员", code="binding_invalid", details={"field": "binding"})
    kind, pk = parsed
    # Looked up among all of the district's records, bound or not: a record bound meanwhile is refused by
    # the service with its own code (officer_already_bound), not as unknown.
    if kind == "officer":
        officer = officer_list(user=user).filter(pk=pk).first()
        if officer is None:
            raise ValidationFailed("执法人员不在本区", code="officer_outside_district", details={"field": "binding"})
        return officer, None
    auxiliary = auxiliary_list(user=user).filter(pk=pk).first()
    if auxiliary is None:
        raise ValidationFailed("辅助人员不在本区", code="auxiliary_outside_district", details={"field": "binding"})
    return None, auxiliary


def _password_once(request: HttpRequest, account: Any, password: str, *, created: bool) -> HttpResponse:
    """The one-time password, on this response only: it is kept nowhere, and the page asks the browser
    not to keep it either."""
    response = render(
        request, "web/people/password_once.html", {"account": account, "password": password, "created": created}
    )
    response["Cache-Control"] = "no-store"
    return response


# --- the list and a new account --------------------------------------------------------------------------


@page_view
def people_list(request: HttpRequest) -> HttpResponse:
    form = f.AccountFilterForm(request.GET, streets=street_list(user=request.user))
    rows = account_list(user=request.user, **form.filters())
    page = paginate(request, rows)
    context = {
        "form": form,
        "page": page,
        "rows": [(post, account_status(post)) for post in page],
        "statuses": AccountStatus,
        "can_manage": people.can_manage_accounts(request.user),
    }
    return render_list(request, "web/people/list.html", context)


def _new_form(request: HttpRequest, data: Any = None) -> f.AccountCreateForm:
    user = request.user
    return f.AccountCreateForm(
        data,
        streets=street_list(user=user),
        departments=department_list(user=user),
        officers=officers_unbound(user=user),
        auxiliaries=auxiliaries_unbound(user=user),
    )


@page_view
def person_new(request: HttpRequest) -> HttpResponse:
    _require_account_admin(request.user)
    if request.method != "POST":
        return render(request, "web/people/new.html", {"form": _new_form(request)})
    form = _new_form(request, request.POST)
    try:
        if not form.is_valid():
            raise _form_refusal(form)
        data = form.cleaned_data
        officer, auxiliary = _binding(request.user, data["binding"])
        account, password = people.account_create(
            actor=request.user,
            username=data["username"],
            display_name=data["display_name"],
            role=data["role"],
            street=_street(request.user, data["street_id"]),
            department=_department(request.user, data["department_id"]),
            officer=officer,
            auxiliary=auxiliary,
        )
    except DomainError as exc:
        context = {"form": form, "error": exc}
        return render(request, "web/people/new.html", context, status=exc.status)
    return _password_once(request, account, password, created=True)


# --- one account -----------------------------------------------------------------------------------------


def _detail_context(
    request: HttpRequest, account_id: int, *, error: DomainError | None = None, action: str = "", bound: Any = None
) -> dict[str, Any]:
    user = request.user
    profile = account_get(user=user, account_id=account_id)
    can_manage = people.can_manage_accounts(user)
    context: dict[str, Any] = {
        # Not "profile": the page frame shows the signed-in person's own post under that name.
        "post": profile,
        "account": profile.user,
        "status": account_status(profile),
        "statuses": AccountStatus,
        "officer": getattr(profile.user, "officer", None),
        "auxiliary": getattr(profile.user, "auxiliary", None),
        "can_manage": can_manage,
        "is_self": profile.user_id == user.pk,
        "error": error,
        "error_action": ACTION_LABELS.get(action, ""),
        "action": action,
    }
    if can_manage:
        context["history"] = [
            (entry, ACCOUNT_ACTION_LABELS[entry.action]) for entry in account_history(user=user, account_id=account_id)
        ]
        post_initial = {
            "display_name": profile.display_name,
            "role": profile.role,
            "street_id": profile.street_id or "",
            "department_id": profile.department_id or "",
        }
        streets, departments = street_list(user=user), department_list(user=user)
        context["post_form"] = (
            bound
            if action == "post" and bound is not None
            else f.PostForm(initial=post_initial, streets=streets, departments=departments, auto_id="post-%s")
        )
        context["bind_form"] = f.BindForm(
            officers=officers_unbound(user=user), auxiliaries=auxiliaries_unbound(user=user), auto_id="bind-%s"
        )
    return context


@page_view
def person_detail(request: HttpRequest, account_id: int) -> HttpResponse:
    return render(request, "web/people/detail.html", _detail_context(request, account_id))


@require_POST
@page_view
def person_action(request: HttpRequest, account_id: int, action: str) -> HttpResponse:
    if action not in ACTION_LABELS:
        raise NotFound("没有这个操作", code="action_unknown")
    actor = request.user
    _require_account_admin(actor)
    account = account_get(user=actor, account_id=account_id).user
    bound: Any = None
    try:
        if action == "post":
            bound = f.PostForm(
                request.POST,
                streets=street_list(user=actor),
                departments=department_list(user=actor),
                auto_id="post-%s",
            )
            if not bound.is_valid():
                raise _form_refusal(bound)
            data = bound.cleaned_data
            people.account_post_change(
                actor=actor,
                user=account,
                display_name=data["display_name"],
                role=data["role"],
                street=_street(actor, data["street_id"]),
                department=_department(actor, data["department_id"]),
            )
        elif action == "bind":
            officer, auxiliary = _binding(actor, request.POST.get("binding", ""))
            people.account_bind(actor=actor, user=account, officer=officer, auxiliary=auxiliary)
        elif action == "unbind":
            people.account_unbind(actor=actor, user=account)
        elif action in ("disable", "enable"):
            reason_form = f.ReasonForm(request.POST)
            if not reason_form.is_valid():
                raise _form_refusal(reason_form)
            service = people.account_disable if action == "disable" else people.account_enable
            service(actor=actor, user=account, reason=reason_form.cleaned_data["reason"])
        elif action == "password":
            password = people.account_password_reset(actor=actor, user=account)
            return _password_once(request, account, password, created=False)
        elif action == "unlock":
            people.account_unlock(actor=actor, user=account)
    except NotFound:
        raise
    except DomainError as exc:
        context = _detail_context(request, account_id, error=exc, action=action, bound=bound)
        return render(request, "web/people/detail.html", context, status=exc.status)
    messages.success(request, f"{account.get_username()}：{ACTION_LABELS[action]}已完成")
    return redirect("web:people-detail", account_id)


# --- an officer's record ---------------------------------------------------------------------------------


@page_view
def officer_edit(request: HttpRequest, officer_id: int) -> HttpResponse:
    user = request.user
    officer = officer_get(user=user, officer_id=officer_id)
    if not people.can_edit_officers(user):
        raise PermissionDenied("只有指挥中心或系统管理员可以维护执法人员信息", code="staff_edit_forbidden")
    zones = zone_list(user=user, street_id=officer.street_id) if officer.street_id else Zone.objects.none()
    if request.method != "POST":
        initial = {
            "phone": officer.phone,
            "zone_id": officer.zone_id or "",
            "is_active": officer.is_active,
            "certified_domains": officer.certified_domains,
            "travel_mode": officer.travel_mode,
        }
        return render(
            request,
            "web/people/officer_edit.html",
            {"officer": officer, "form": f.OfficerEditForm(initial=initial, zones=zones)},
        )
    form = f.OfficerEditForm(request.POST, zones=zones)
    try:
        if not form.is_valid():
            raise _form_refusal(form)
        data = form.cleaned_data
        # Any zone of the district is looked up, so that one of another street is refused by the service
        # as zone_not_in_street rather than as unknown.
        zone = _pick(zone_list(user=user), data["zone_id"], "片区不在本区", "zone_outside_district", "zone_id")
        people.officer_edit(
            actor=user,
            officer=officer,
            phone=data["phone"],
            zone=zone,
            is_active=data["is_active"],
            certified_domains=certified_domains_check(data["certified_domains"]),
            travel_mode=data["travel_mode"] or None,
        )
    except DomainError as exc:
        context = {"officer": officer, "form": form, "error": exc}
        return render(request, "web/people/officer_edit.html", context, status=exc.status)
    messages.success(request, f"{officer.name}的信息已保存")
    return redirect("web:officer-detail", officer.pk)
