"""Support views of numbering: sequences are read-only (only the services move them); a range is allotted
through ``allot_range`` so that it is taken from the sequence and audited like any other allotment."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from zhifa.core.errors import DomainError
from zhifa.documents.kinds import DocumentKind
from zhifa.documents.models import Document, DocumentSequence, NumberRange
from zhifa.documents.services import RANGE_MAX, allot_range, allot_range_check


@admin.register(DocumentSequence)
class DocumentSequenceAdmin(admin.ModelAdmin):
    list_display = ["district", "kind", "year", "last_number"]
    list_filter = ["kind", "year"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class NumberRangeAllotForm(forms.ModelForm):
    count = forms.IntegerField(label="号段数量", min_value=1, max_value=RANGE_MAX)
    # The signed-in administrator, set by NumberRangeAdmin.get_form.
    actor: Any = None

    class Meta:
        model = NumberRange
        fields = ["officer"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("officer") is not None and data.get("count") is not None:
            try:
                allot_range_check(
                    officer=data["officer"],
                    count=data["count"],
                    actor=self.actor,
                    kind=DocumentKind.ON_THE_SPOT_DECISION,
                )
            except DomainError as refused:
                raise forms.ValidationError(refused.message, code=refused.code) from None
        return data


@admin.register(NumberRange)
class NumberRangeAdmin(admin.ModelAdmin):
    list_display = ["officer", "kind", "year", "first", "last", "next_number", "allotted_by", "allotted_at"]
    list_filter = ["kind", "year"]
    search_fields = ["officer__name", "officer__badge_no"]
    raw_id_fields = ["officer"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = type("BoundNumberRangeAllotForm", (NumberRangeAllotForm,), {"actor": request.user})
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return []
        return [f.name for f in NumberRange._meta.fields]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # Allotted through the service (the sequence lock, the audit entry); the form's instance is replaced
        # by the one the service wrote so the admin's redirect and message name it.
        allotted = allot_range(
            officer=form.cleaned_data["officer"], count=form.cleaned_data["count"], actor=request.user
        )
        obj.pk = allotted.pk
        obj.__dict__.update(allotted.__dict__)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "number", "version", "owner", "district", "created_by_label", "created_at"]
    list_filter = ["kind"]
    search_fields = ["number", "owner"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
