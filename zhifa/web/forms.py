"""Search-and-filter forms for the list pages. They only parse the query string: a bad value (a street id
outside the user's scope, an unknown category) is dropped by validation rather than reaching a selector."""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from zhifa.catalog.models import Domain, SubjectCategory
from zhifa.org import accounts
from zhifa.subjects.models import SubjectKind

ALL = ("", "全部")


def _id_choices(rows: Iterable[Any]) -> list[tuple[str, str]]:
    return [ALL, *((str(row.pk), str(getattr(row, "short_name", "") or row.name)) for row in rows)]


class ListFilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False, max_length=100, widget=forms.SearchInput)

    @staticmethod
    def _offer(field: forms.Field, rows: Iterable[Any]) -> None:
        """Offer only the rows the selector returned, so a choice outside the user's scope fails validation."""
        assert isinstance(field, forms.ChoiceField)
        field.choices = _id_choices(rows)

    def filters(self) -> dict[str, Any]:
        """The cleaned values as selector keyword arguments; empty values become None."""
        if not self.is_valid():
            # An invalid field is ignored, the others still apply.
            data = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        else:
            data = dict(self.cleaned_data)
        return {name: (value or None) for name, value in data.items()}


class SubjectFilterForm(ListFilterForm):
    street_id = forms.TypedChoiceField(label="街道", required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label="类型", required=False, choices=[ALL, *SubjectKind.choices])
    category = forms.ChoiceField(label="业态", required=False, choices=[ALL, *SubjectCategory.choices])

    def __init__(self, *args: Any, streets: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = "名称、地址、信用代码或拼音首字母"
        self._offer(self.fields["street_id"], streets)


class MatterFilterForm(ListFilterForm):
    domain = forms.ChoiceField(label="领域", required=False, choices=[ALL, *Domain.choices])
    department_id = forms.TypedChoiceField(label="责任部门", required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, departments: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = "事项名称、编码或关键词"
        self._offer(self.fields["department_id"], departments)


class OfficerFilterForm(ListFilterForm):
    street_id = forms.TypedChoiceField(label="街道", required=False, coerce=int, empty_value=None)
    department_id = forms.TypedChoiceField(label="部门", required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, streets: Iterable[Any], departments: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = "姓名、工号或执法证号"
        self._offer(self.fields["street_id"], streets)
        self._offer(self.fields["department_id"], departments)


class LoginForm(AuthenticationForm):
    """Django's login form with Chinese placeholders; the error messages are Django's own zh-hans ones, but
    a locked name or address gets the lock's message (zhifa.org.accounts) — the same whether or not the
    name exists, since names that do not exist are counted and locked alike."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(placeholder="请输入用户名", autofocus=True)
        self.fields["password"].widget.attrs.update(placeholder="请输入密码")

    def get_invalid_login_error(self) -> forms.ValidationError:
        username = self.cleaned_data.get("username") or ""
        if accounts.login_lock_active(username=username, ip=accounts.client_ip(self.request)) is not None:
            return forms.ValidationError(accounts.LOCKED_MESSAGE, code="locked")
        return super().get_invalid_login_error()
