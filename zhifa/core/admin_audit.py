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
