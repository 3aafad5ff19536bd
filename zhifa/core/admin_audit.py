"""Admin pages for master data write through the audit chain too (全过程记录 covers support staff)."""

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from zhifa.core.audit import audit_record, snapshot


class AuditedModelAdmin(admin.ModelAdmin):
    """Every add, change and delete made in the admin writes an audit entry in the same transaction."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            before = snapshot(type(obj)._default_manager.get(pk=obj.pk)) if change and obj.pk else None
            super().save_model(request, obj, form, change)
            audit_record(
                actor=request.user,
                action="admin.change" if change else "admin.add",
                obj=obj,
                before=before,
                after=snapshot(obj),
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            before = snapshot(obj)
            audit_record(actor=request.user, action="admin.delete", obj=obj, before=before)
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():
            for obj in queryset:
                audit_record(actor=request.user, action="admin.delete", obj=obj, before=snapshot(obj))
            super().delete_queryset(request, queryset)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Inline rows (tiers, checklist items, leadership seats…) are audited one entry each."""
        with transaction.atomic():
            # Deleted rows lose their primary key when deleted, so they are recorded first.
            for deleted_form in formset.deleted_forms:
                obj = deleted_form.instance
                if obj.pk is not None:
                    audit_record(actor=request.user, action="admin.delete", obj=obj, before=snapshot(obj))
            super().save_formset(request, form, formset, change)
            for obj in formset.new_objects:
                audit_record(actor=request.user, action="admin.add", obj=obj, after=snapshot(obj))
            for obj, changed_fields in formset.changed_objects:
                audit_record(
                    actor=request.user, action="admin.change", obj=obj, after=snapshot(obj, list(changed_fields))
                )
