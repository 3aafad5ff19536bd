"""Admin for registering devices and recording their review (APL 41). Changes are audited."""

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from zhifa.core.admin_audit import AuditedModelAdmin
from zhifa.core.audit import audit_record, snapshot
from zhifa.integrations.models import Device

SECRET_MASK = "（已隐去）"


def _without_secret(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "secret": SECRET_MASK}


@admin.register(Device)
class DeviceAdmin(AuditedModelAdmin):
    list_display = [
        "device_no",
        "name",
        "kind",
        "district",
        "legal_review_passed",
        "technical_review_passed",
        "is_location_published",
        "is_evidence_ready",
        "is_active",
    ]
    list_filter = ["kind", "legal_review_passed", "technical_review_passed", "is_location_published", "is_active"]
    search_fields = ["device_no", "name", "published_address"]
    list_select_related = ["district"]
    fieldsets = [
        (None, {"fields": ["district", "device_no", "kind", "name", "secret", "is_active"]}),
        (
            "审核与公布（行政处罚法第四十一条：三项齐备的设备所摄内容方可作为证据）",
            {
                "fields": [
                    "legal_review_passed",
                    "technical_review_passed",
                    "reviewed_on",
                    "is_location_published",
                    "published_address",
                    "lon",
                    "lat",
                ]
            },
        ),
    ]

    # The audit chain is append-only and widely readable: a device's signing key must never be written
    # into it. Whether the key changed is still recorded.
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            previous = Device.objects.get(pk=obj.pk) if change and obj.pk else None
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

    @admin.display(boolean=True, description="可作为证据")
    def is_evidence_ready(self, obj: Device) -> bool:
        return obj.is_evidence_ready
