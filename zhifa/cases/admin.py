"""Case configuration the administrator keeps: the approval ladders (审批层级) per district and step."""

from django.contrib import admin

from zhifa.cases.models import ApprovalRung
from zhifa.core.admin_audit import AuditedModelAdmin


@admin.register(ApprovalRung)
class ApprovalRungAdmin(AuditedModelAdmin):
    list_display = ("district", "step", "position", "label", "role", "is_active")
    list_filter = ("district", "step", "is_active")
    ordering = ("district", "step", "position")
