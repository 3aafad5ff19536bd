"""Admin for support staff: read and correct master data. Day-to-day registration goes through the
services (web/API), which validate identifiers, locate the point and write the audit chain."""

from django.contrib import admin
from django.http import HttpRequest

from zhifa.core.admin_audit import AuditedModelAdmin
from zhifa.subjects.models import Licence, Subject, SubjectOwner


class LicenceInline(admin.TabularInline):
    model = Licence
    extra = 0


class SubjectOwnerInline(admin.TabularInline):
    model = SubjectOwner
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Subject)
class SubjectAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "category", "uscc", "street", "grid", "is_active"]
    list_filter = ["kind", "category", "is_active", "street"]
    search_fields = ["name", "uscc", "name_initials", "address"]
    list_select_related = ["street", "grid"]
    # Location and identifiers change only through the services, which re-locate the point, check the
    # codes and write the audit chain; for the same reason subjects are not added here.
    readonly_fields = [
        "district",
        "uscc",
        "lon",
        "lat",
        "street",
        "zone",
        "grid",
        "name_pinyin",
        "name_initials",
        "created_at",
        "updated_at",
    ]
    inlines = [LicenceInline, SubjectOwnerInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
