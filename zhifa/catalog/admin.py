"""Master data and support only. Day-to-day changes go through the API or the importer, which validate the
whole matter and write the audit trail; an edit here is a support action and is not audited."""

from django.contrib import admin
from django.http import HttpRequest

from zhifa.catalog.models import (
    ChecklistItem,
    ComplaintKind,
    DiscretionLevel,
    HandlingPhrase,
    HandlingResultType,
    Matter,
)
from zhifa.core.admin_audit import AuditedModelAdmin


class DiscretionLevelInline(admin.TabularInline):
    model = DiscretionLevel
    extra = 0
    fields = ["tier", "fine_min", "fine_max", "circumstances", "penalty"]


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0
    fields = ["position", "text"]


class HandlingResultTypeInline(admin.TabularInline):
    """The matter's own result types, offered after (or in place of, by code) the district's defaults."""

    model = HandlingResultType
    extra = 0
    fields = ["position", "code", "name", "requires_photo", "is_active", "district"]


class HandlingPhraseInline(admin.TabularInline):
    model = HandlingPhrase
    extra = 0
    fields = ["position", "text", "district"]


@admin.register(Matter)
class MatterAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "domain", "department", "is_first_violation_exempt", "is_active"]
    list_filter = ["district", "domain", "department", "is_active", "is_first_violation_exempt"]
    search_fields = ["code", "name", "keywords", "law_name"]
    list_select_related = ["department"]
    inlines = [DiscretionLevelInline, ChecklistItemInline, HandlingResultTypeInline, HandlingPhraseInline]
    fieldsets = [
        (None, {"fields": ["district", "code", "name", "domain", "department", "is_active"]}),
        ("法律依据", {"fields": ["law_name", "violated_provision", "penalty_provision", "penalty_kinds"]}),
        ("首违不罚", {"fields": ["is_first_violation_exempt", "first_violation_condition"]}),
        ("派遣", {"fields": ["requires_two_officers"]}),
        ("适用范围与分类", {"fields": ["subject_categories", "keywords"]}),
    ]


@admin.register(HandlingResultType)
class HandlingResultTypeAdmin(AuditedModelAdmin):
    """处置结果类型: rows without a matter are the district's defaults (offered for every event)."""

    list_display = ["name", "code", "matter", "requires_photo", "position", "is_active"]
    list_filter = ["district", "requires_photo", "is_active", ("matter", admin.EmptyFieldListFilter)]
    search_fields = ["name", "code", "matter__name"]
    list_select_related = ["matter"]
    autocomplete_fields = ["matter"]


@admin.register(HandlingPhrase)
class HandlingPhraseAdmin(AuditedModelAdmin):
    """处置常用语: rows without a matter are offered for every event of the district."""

    list_display = ["text", "matter", "position"]
    list_filter = ["district", ("matter", admin.EmptyFieldListFilter)]
    search_fields = ["text", "matter__name"]
    list_select_related = ["matter"]
    autocomplete_fields = ["matter"]


@admin.register(ComplaintKind)
class ComplaintKindAdmin(AuditedModelAdmin):
    """诉求类型, for support staff to look up what a kind routes to. Read-only: a kind is changed on the
    platform's page (/triage/kinds/, ``zhifa.catalog.kinds.kind_update``), which checks the department, the
    deadline and the matters against the district; codes are the triage model's labels, so a kind is added
    with labelled texts and a retrained model, never here."""

    list_display = ["code", "name", "department", "default_priority", "clock_policy", "due_hours", "is_active"]
    list_filter = ["district", "department", "clock_policy", "default_priority", "is_active"]
    search_fields = ["code", "name", "scope"]
    list_select_related = ["department"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ComplaintKind | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ComplaintKind | None = None) -> bool:
        return False
