"""Forms of the accounts and officers pages. They only parse: ids stay ids (the view finds them through the
scoped selectors, so one outside the district is refused with its own code) and every rule is the
service's (zhifa.org.people), so a refusal carries the service's code and message."""

from collections.abc import Iterable
from typing import Any

from django import forms

from zhifa.catalog.models import Domain
from zhifa.org.models import TravelMode
from zhifa.org.people import ASSIGNABLE_ROLES
from zhifa.org.people_selectors import AccountStatus
from zhifa.org.roles import Role
from zhifa.web.forms import ALL, ListFilterForm

NONE = ("", "—")
ROLE_CHOICES = [(role.value, role.label) for role in Role if role in ASSIGNABLE_ROLES]


class OfferedChoice(forms.ChoiceField):
    """A select whose options are offered, not enforced: a value that is not one of them reaches the view
    as it came and is refused there by the scoped selector or the service, with its own code (the form's
    generic "not a valid choice" would say neither which rule nor which code)."""

    def valid_value(self, value: Any) -> bool:
        return True


class OfferedChoices(forms.MultipleChoiceField):
    def valid_value(self, value: Any) -> bool:
        return True


def _ids(rows: Iterable[Any], label: Any = str) -> list[tuple[str, str]]:
    return [NONE, *((str(row.pk), label(row)) for row in rows)]


def binding_choices(officers: Iterable[Any], auxiliaries: Iterable[Any]) -> list[tuple[str, Any]]:
    """One select for both kinds of record: ``officer:<id>`` or ``auxiliary:<id>``."""
    return [
        ("", "不绑定"),
        ("执法人员", [(f"officer:{o.pk}", f"{o.name}（{o.badge_no}）") for o in officers]),
        ("辅助人员", [(f"auxiliary:{a.pk}", f"{a.name}（{a.staff_no}）") for a in auxiliaries]),
    ]


def binding_parse(value: str) -> tuple[str, int] | None:
    """``("officer", 12)`` from ``officer:12``; None for no binding or a value that is not one."""
    kind, _, raw = (value or "").partition(":")
    if kind in ("officer", "auxiliary") and raw.isdigit():
        return kind, int(raw)
    return None


class AccountFilterForm(ListFilterForm):
    role = forms.ChoiceField(label="角色", required=False, choices=[ALL, *Role.choices])
    street_id = forms.TypedChoiceField(label="街道", required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label="状态", required=False, choices=[ALL, *AccountStatus.choices])

    def __init__(self, *args: Any, streets: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = "用户名或姓名"
        self._offer(self.fields["street_id"], streets)


class PostForm(forms.Form):
    """A post: the role and where it applies, and the name the pages show."""

    display_name = forms.CharField(label="姓名", required=False)
    role = OfferedChoice(label="角色", required=False, choices=[NONE, *ROLE_CHOICES])
    street_id = OfferedChoice(label="街道", required=False, help_text="街道调度员、执法队员、辅助人员必选")
    department_id = OfferedChoice(label="部门", required=False, help_text="部门联络员必选")

    def __init__(self, *args: Any, streets: Iterable[Any], departments: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["street_id"].choices = _ids(streets, lambda s: s.name)  # type: ignore[attr-defined]
        self.fields["department_id"].choices = _ids(departments, lambda d: d.name)  # type: ignore[attr-defined]


class AccountCreateForm(PostForm):
    username = forms.CharField(label="用户名", required=False, help_text="登录用，字母、数字和 @ . + - _")
    binding = OfferedChoice(label="绑定人员", required=False, help_text="尚未开设账号的执法人员或辅助人员")

    field_order = ["username", "display_name", "role", "street_id", "department_id", "binding"]

    def __init__(self, *args: Any, officers: Iterable[Any], auxiliaries: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["binding"].choices = binding_choices(officers, auxiliaries)  # type: ignore[attr-defined]


class BindForm(forms.Form):
    binding = OfferedChoice(label="绑定人员", required=False)

    def __init__(self, *args: Any, officers: Iterable[Any], auxiliaries: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["binding"].choices = binding_choices(officers, auxiliaries)  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", required=False, max_length=200)


class OfficerEditForm(forms.Form):
    phone = forms.CharField(label="工作手机", required=False)
    zone_id = OfferedChoice(label="负责片区", required=False)
    is_active = forms.BooleanField(label="在岗", required=False)
    certified_domains = OfferedChoices(
        label="持证执法领域", required=False, choices=Domain.choices, widget=forms.CheckboxSelectMultiple
    )
    travel_mode = OfferedChoice(label="出行方式", required=False, choices=TravelMode.choices)

    def __init__(self, *args: Any, zones: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["zone_id"].choices = _ids(zones, lambda z: z.name)  # type: ignore[attr-defined]
