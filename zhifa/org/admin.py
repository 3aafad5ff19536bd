from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.http import HttpRequest

from zhifa.core.admin_audit import AuditedModelAdmin
from zhifa.core.audit import audit_record
from zhifa.org.accounts import login_unlock
from zhifa.org.jurisdiction import jurisdiction_forget
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

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # The post changed: this request must not go on with the jurisdiction read before (an administrator
        # may be editing their own post). Later requests read it afresh anyway.
        jurisdiction_forget(obj.user_id)


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


# Accounts and groups: who may do what in the admin is a permission change, audited like master data
# (issue 9). Django's own admins write no audit entry, and AuditedModelAdmin's snapshot would copy the
# password hash into the chain, which is widely readable; these record what decides an account's rights.


def _account_rights(user: Any) -> dict[str, Any]:
    return {
        "username": user.username,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "user_permissions": _permission_names(user.user_permissions),
    }


def _group_rights(group: Any) -> dict[str, Any]:
    return {"name": group.name, "permissions": _permission_names(group.permissions)}


def _permission_names(permissions: Any) -> list[str]:
    return sorted(f"{p.content_type.app_label}.{p.codename}" for p in permissions.select_related("content_type"))


class _RightsAudited(admin.ModelAdmin):
    """One entry per save, after the many-to-many rows (groups, permissions) are saved too: the admin runs
    ``save_model`` and ``save_related`` in one transaction, and the rights before are taken in the first."""

    def rights(self, obj: Any) -> dict[str, Any]:
        raise NotImplementedError

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = self.rights(type(obj)._default_manager.get(pk=obj.pk)) if change and obj.pk else None
        setattr(request, "_zhifa_rights_before", before)  # noqa: B010 — read back in save_related
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        audit_record(
            actor=request.user,
            action="admin.change" if change else "admin.add",
            obj=form.instance,
            before=getattr(request, "_zhifa_rights_before", None),
            after=self.rights(form.instance),
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit_record(actor=request.user, action="admin.delete", obj=obj, before=self.rights(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():  # the bulk action, unlike the admin's forms, runs in no transaction
            for obj in queryset:
                audit_record(actor=request.user, action="admin.delete", obj=obj, before=self.rights(obj))
            super().delete_queryset(request, queryset)


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class AccountAdmin(_RightsAudited, UserAdmin):
    def rights(self, obj: Any) -> dict[str, Any]:
        return _account_rights(obj)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        """An administrator sets someone's password: audited (who, whose; never the password) in the same
        transaction, like the holder's own change (accounts.password_change). Django's view redirects only
        when the new password was taken."""
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                user = User.objects.get(pk=id)
                profile = Profile.objects.filter(user=user).only("district_id").first()
                audit_record(
                    actor=request.user,
                    action="account.password_set_by_admin",
                    obj=user,
                    district_id=profile.district_id if profile else None,
                )
        return response


@admin.register(Group)
class GroupRightsAdmin(_RightsAudited, GroupAdmin):
    def rights(self, obj: Any) -> dict[str, Any]:
        return _group_rights(obj)
