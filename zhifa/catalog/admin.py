"""Master data and support only. Day-to-day changes go through the API or the importer, which validate the
whole matter and write the audit trail; an edit here is a support action and is not audited."""

from django.contrib import admin

from zhifa.catalog.models import ChecklistItem, DiscretionLevel, Matter
from zhifa.core.admin_audit import AuditedModelAdmin


class DiscretionLevelInline(admin.TabularInline):
    model = DiscretionLevel
    extra = 0
    fields = ["tier", "fine_min", "fine_max", "circumstances", "penalty"]


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0
    fields = ["position", "text"]


@admin.register(Matter)
class MatterAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "domain", "department", "is_first_violation_exempt", "is_active"]
    list_filter = ["district", "domain", "department", "is_active", "is_first_violation_exempt"]
    search_fields = ["code", "name", "keywords", "law_name"]
    list_select_related = ["department"]
    inlines = [DiscretionLevelInline, ChecklistItemInline]
    fieldsets = [
        (None, {"fields": ["district", "code", "name", "domain", "department", "is_active"]}),
        ("法律依据", {"fields": ["law_name", "violated_provision", "penalty_provision", "penalty_kinds"]}),
        ("首违不罚", {"fields": ["is_first_violation_exempt", "first_violation_condition"]}),
        ("派遣", {"fields": ["requires_two_officers"]}),
        ("适用范围与分类", {"fields": ["subject_categories", "keywords"]}),
    ]
