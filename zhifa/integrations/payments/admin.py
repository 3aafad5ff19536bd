"""Admin for registering payment channels. Changes are audited, never with the channel's key."""

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from zhifa.core.admin_audit import AuditedModelAdmin
from zhifa.core.audit import audit_record, snapshot
from zhifa.integrations.admin import SECRET_MASK
from zhifa.integrations.payments.models import PaymentChannelAccount


def _without_secret(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "secret": SECRET_MASK}


@admin.register(PaymentChannelAccount)
class PaymentChannelAccountAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "kind", "district", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["district"]
    fields = ["district", "code", "kind", "name", "secret", "is_active"]

    # The audit chain is append-only and widely readable: the signing key is never written into it.
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            previous = PaymentChannelAccount.objects.get(pk=obj.pk) if change and obj.pk else None
            admin.ModelAdmin.save_model(self, request, obj, form, change)
            after = _without_secret(snapshot(obj))
            if previous is not None:
                after["secret_changed"] = previous.secret != obj.secret
            audit_record(
                actor=request.user,
                action="admin.change" if change else "admin.add",
                obj=obj,
                before=_without_secret(snapshot(previous)) if previous is not None else None,
                after=after,
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            audit_record(actor=request.user, action="admin.delete", obj=obj, before=_without_secret(snapshot(obj)))
            admin.ModelAdmin.delete_model(self, request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():
            for obj in queryset:
                audit_record(actor=request.user, action="admin.delete", obj=obj, before=_without_secret(snapshot(obj)))
            admin.ModelAdmin.delete_queryset(self, request, queryset)
