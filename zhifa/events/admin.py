"""Master data (SLA policies, edits audited) and read-only support views of events.

Events change state only through ``zhifa.events.services`` (transition row + audit entry), so the admin
shows them and never edits them.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from zhifa.core.admin_audit import AuditedModelAdmin
from zhifa.events.models import (
    CoordinationTask,
    Event,
    EventAssignment,
    EventCallback,
    EventEscalation,
    EventTransition,
    SlaPolicy,
)


@admin.register(SlaPolicy)
class SlaPolicyAdmin(AuditedModelAdmin):
    list_display = ["district", "matter", "priority", "time_base", "acknowledge_limit", "arrive_limit", "handle_limit"]
    list_filter = ["district", "time_base", "priority"]
    list_select_related = ["district", "matter"]
    autocomplete_fields = ["matter"]
    search_fields = ["matter__code", "matter__name"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TransitionInline(ReadOnlyInline):
    model = EventTransition
    fields = (
        "created_at",
        "action",
        "from_status",
        "to_status",
        "actor_label",
        "reason",
    )
    readonly_fields = (
        "created_at",
        "action",
        "from_status",
        "to_status",
        "actor_label",
        "reason",
    )


class AssignmentInline(ReadOnlyInline):
    model = EventAssignment
    fields = (
        "officer",
        "is_lead",
        "assigned_at",
        "released_at",
        "was_recommended",
    )
    readonly_fields = (
        "officer",
        "is_lead",
        "assigned_at",
        "released_at",
        "was_recommended",
    )


class EscalationInline(ReadOnlyInline):
    model = EventEscalation
    fields = (
        "clock",
        "level",
        "due_at",
        "escalated_at",
        "note",
    )
    readonly_fields = (
        "clock",
        "level",
        "due_at",
        "escalated_at",
        "note",
    )


class CoordinationInline(ReadOnlyInline):
    model = CoordinationTask
    fields = (
        "department",
        "due_at",
        "instructions",
        "feedback",
        "feedback_at",
    )
    readonly_fields = (
        "department",
        "due_at",
        "instructions",
        "feedback",
        "feedback_at",
    )


class CallbackInline(ReadOnlyInline):
    """回访记录: the satisfaction record of a closed 12345 ticket."""

    model = EventCallback
    fields = ("called_back_at", "result", "note", "actor_label")
    readonly_fields = fields


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["public_no", "status", "source", "street", "matter", "reported_at", "escalation_level"]
    list_filter = ["district", "status", "source", "street", "route"]
    search_fields = ["public_no", "hotline_ticket_no", "description", "address"]
    list_select_related = ["street", "matter"]
    date_hierarchy = "reported_at"
    exclude = ["reporter_phone", "reporter_email"]  # personal data: not shown in support views
    inlines = [TransitionInline, AssignmentInline, EscalationInline, CoordinationInline, CallbackInline]
