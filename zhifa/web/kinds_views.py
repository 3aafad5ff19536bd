"""诉求类型 (issue 14): the district's complaint kinds as triage routes them — each kind's handling department,
default priority, clock policy, deadline and catalogue matters — and the page on which the catalogue's editors
(the district administrator and the command centre) change one through ``zhifa.catalog.kinds.kind_update``.

The form only parses: which department, matters, priority or clock a kind may take is the service's to decide,
so a refusal is shown with the service's own message and code, the typed values kept and nothing written."""

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from zhifa.catalog.kinds import kind_update
from zhifa.catalog.models import ClockPolicy, ComplaintKind, ComplaintPriority
from zhifa.catalog.permissions import require_catalogue_editor
from zhifa.catalog.selectors import matter_list
from zhifa.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from zhifa.events.permissions import can_command_events
from zhifa.org.jurisdiction import jurisdiction_of, require
from zhifa.org.selectors import department_list
from zhifa.web.pages import page_view

# The field a service refusal is about, so that its message also stands under that field.
REFUSAL_FIELDS = {
    "kind_name_required": "name",
    "kind_department_unknown": "department_id",
    "kind_priority_invalid": "default_priority",
    "kind_clock_policy_invalid": "clock_policy",
    "kind_due_hours_required": "due_hours",
    "kind_matter_unknown": "matter_ids",
}


class IdListField(forms.Field):
    """Ids chosen in a multiple select, as integers; which of them may be chosen is the service's question."""

    widget = forms.SelectMultiple

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        try:
            return [int(v) for v in value]
        except (TypeError, ValueError):
            raise forms.ValidationError("请选择有效的执法事项", code="invalid") from None


class KindEditForm(forms.Form):
    name = forms.CharField(label="类型名称", max_length=60, required=False, strip=True)
    department_id = forms.IntegerField(
        label="办理部门", error_messages={"required": "请选择办理部门", "invalid": "请选择办理部门"}
    )
    default_priority = forms.CharField(
        label="默认优先级", widget=forms.Select(choices=ComplaintPriority.choices), required=False
    )
    clock_policy = forms.CharField(label="计时方式", widget=forms.Select(choices=ClockPolicy.choices), required=False)
    due_hours = forms.IntegerField(
        label="办理时限（小时）",
        required=False,
        min_value=1,
        max_value=32767,
        help_text="转部门办理和咨询答复须填写；1530现场处置按1530计时，可不填",
        error_messages={
            "invalid": "办理时限须为整数小时",
            "min_value": "办理时限至少1小时",
            "max_value": "办理时限过长",
        },
    )
    matter_ids = IdListField(label="对应执法事项", required=False, help_text="按住 Ctrl 可多选；可不选（非执法类诉求）")
    scope = forms.CharField(label="包括", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    is_active = forms.BooleanField(label="启用（停用后研判不再分到此类型，进入人工研判）", required=False)

    def __init__(self, *args: Any, departments: Any, matters: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department_id"].widget = forms.Select(
            choices=[("", "请选择"), *((d.pk, f"{d.name}（{d.code}）") for d in departments)]
        )
        self.fields["matter_ids"].widget.choices = [(m.pk, f"{m.code} {m.name}") for m in matters]

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "department_id": data["department_id"],
            "default_priority": data["default_priority"],
            "clock_policy": data["clock_policy"],
            "due_hours": data["due_hours"],
            "matter_ids": data["matter_ids"],
            "scope": data["scope"],
            "is_active": data["is_active"],
        }


def _kinds(user: Any) -> QuerySet[ComplaintKind]:
    """The user's district's kinds, active or not, with their department and how many matters each covers."""
    j = jurisdiction_of(user)
    return (
        ComplaintKind.objects.filter(district_id=j.district_id)
        .select_related("department")
        .annotate(matters_count=Count("matters"))
        .order_by("code")
    )


def _can_edit(user: Any) -> bool:
    return jurisdiction_of(user).can_edit_catalogue


@page_view
def kinds(request: HttpRequest) -> HttpResponse:
    # Read by whoever works the triage queue (a street dispatcher corrects to these kinds too); changed only by
    # the catalogue's editors.
    j = jurisdiction_of(request.user)
    require(
        can_command_events(j) or j.can_edit_catalogue,
        "只有系统管理员和指挥中心可以查看诉求类型",
        code="kinds_not_allowed",
    )
    context = {"kinds": list(_kinds(request.user)), "can_edit": j.can_edit_catalogue}
    return render(request, "web/triage/kinds.html", context)


@page_view
def kind_edit(request: HttpRequest, kind_id: int) -> HttpResponse:
    user = request.user
    kind = _kinds(user).filter(pk=kind_id).first()
    if kind is None:
        raise NotFound("诉求类型不存在", code="kind_not_found")
    require_catalogue_editor(user, district_id=kind.district_id)
    departments = list(department_list(user=user))
    matters = list(matter_list(user=user).order_by("code"))
    if request.method != "POST":
        initial = {
            "name": kind.name,
            "department_id": kind.department_id,
            "default_priority": kind.default_priority,
            "clock_policy": kind.clock_policy,
            "due_hours": kind.due_hours,
            "matter_ids": list(kind.matters.values_list("pk", flat=True)),
            "scope": kind.scope,
            "is_active": kind.is_active,
        }
        form = KindEditForm(initial=initial, departments=departments, matters=matters)
        return render(request, "web/triage/kinds_edit.html", {"kind": kind, "form": form})
    form = KindEditForm(request.POST, departments=departments, matters=matters)
    try:
        if not form.is_valid():
            field, errors = next(iter(form.errors.items()))
            raise ValidationFailed(str(errors[0]), code="form_invalid", details={"field": field})
        updated = kind_update(actor=user, kind_id=kind.pk, changes=form.changes())
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        field = (exc.details.get("field") if isinstance(exc.details, dict) else "") or REFUSAL_FIELDS.get(exc.code, "")
        context = {"kind": kind, "form": form, "error": exc, "error_field": field}
        return render(request, "web/triage/kinds_edit.html", context, status=exc.status)
    messages.success(request, f"诉求类型“{updated.name}”（{updated.code}）已保存")
    return redirect("web:triage-kinds")
