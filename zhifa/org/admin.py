from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from zhifa.core.admin_audit import AuditedModelAdmin
from zhifa.org.accounts import login_unlock
from zhifa.org.models import (
    AuxiliaryAssessment,
    AuxiliaryStaff,
    Department,
    District,
    Grid,
    LeadershipMember,
    LoginLock,
    Officer,
    Profile,
    Street,
    Team,
    Zone,
)


@admin.register(District)
class DistrictAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "agency_name", "is_approximate"]


@admin.register(Street)
class StreetAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "auxiliary_cap", "is_approximate"]
    search_fields = ["name", "code"]


@admin.register(Zone)
class ZoneAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "street"]
    list_filter = ["street"]
    search_fields = ["name", "code"]


@admin.register(Grid)
class GridAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "zone", "street"]
    list_filter = ["street"]
    search_fields = ["name", "code"]


@admin.register(Department)
class DepartmentAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "kind", "is_sinking", "is_coordinating"]
    list_filter = ["kind", "is_sinking", "is_coordinating"]


class LeadershipInline(admin.TabularInline):
    model = LeadershipMember
    extra = 0


@admin.register(Team)
class TeamAdmin(AuditedModelAdmin):
    list_display = ["name", "street", "office_phone"]
    inlines = [LeadershipInline]


@admin.register(Officer)
class OfficerAdmin(AuditedModelAdmin):
    list_display = ["badge_no", "name", "home_department", "street", "zone", "certificate_valid_until", "is_active"]
    list_filter = ["home_department", "street", "is_active"]
    search_fields = ["name", "badge_no", "certificate_no"]
    raw_id_fields = ["user"]


class AssessmentInline(admin.TabularInline):
    model = AuxiliaryAssessment
    extra = 0


@admin.register(AuxiliaryStaff)
class AuxiliaryStaffAdmin(AuditedModelAdmin):
    """Status changes go through the workflow (离职/重新聘用), not this form."""

    list_display = ["staff_no", "name", "street", "contract_end_on", "status"]
    list_filter = ["street", "status"]
    search_fields = ["name", "staff_no"]
    readonly_fields = ["status"]
    inlines = [AssessmentInline]


@admin.register(Profile)
class ProfileAdmin(AuditedModelAdmin):
    list_display = ["display_name", "user", "role", "street", "department"]
    list_filter = ["role", "street"]
    raw_id_fields = ["user"]


@admin.register(LoginLock)
class LoginLockAdmin(admin.ModelAdmin):
    """Support staff lift a lock here (or with ``manage.py account_unlock``); locks are made only by failed
    sign-ins, never by hand, and kept as history."""

    list_display = ["kind", "key", "locked_at", "locked_until", "unlocked_at", "unlocked_by"]
    list_filter = ["kind"]
    search_fields = ["key"]
    readonly_fields = ["kind", "key", "locked_at", "locked_until", "unlocked_at", "unlocked_by"]
    actions = ["unlock"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="解锁所选账号或地址")
    def unlock(self, request: HttpRequest, queryset: Any) -> None:
        lifted = sum(login_unlock(actor=request.user, key=key) for key in {lock.key for lock in queryset})
        self.message_user(request, f"已解锁 {lifted} 项。")
