from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from zhifa.core.admin_audit import AuditedModelAdmin
from zhifa.core.models import ApiToken, AuditEntry, CalendarOverride, HolidayYear


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the whole-process record may be looked at, never edited or deleted (APL 47)."""

    list_display = ["seq", "recorded_at", "actor_label", "action", "object_type", "object_id", "client"]
    list_filter = ["client", "action"]
    search_fields = ["action", "object_id", "actor_label", "request_id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(AuditedModelAdmin):
    list_display = ["day", "is_working_day", "note"]


@admin.register(HolidayYear)
class HolidayYearAdmin(AuditedModelAdmin):
    """A year the holiday package does not know, registered once its notice's days are entered as 工作日调整."""

    list_display = ["year", "notice", "entered_at"]


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedModelAdmin):
    """Tokens are issued with ``manage.py issue_token`` (the key is shown once); here they can be revoked."""

    list_display = ["name", "user", "created_at", "last_used_at", "is_active"]
    readonly_fields = ["user", "name", "key_hash", "created_at", "last_used_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
