"""Writes to the organisation's people: officers and auxiliary staff. Each call is one transaction with
its audit entry; permission and validation come first, so a refused call writes nothing."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from zhifa.core.actors import Actor, actor_user
from zhifa.core.audit import audit_record, snapshot
from zhifa.core.errors import Conflict, ValidationFailed
from zhifa.core.workflow import workflow_apply
from zhifa.org.jurisdiction import jurisdiction_of, require
from zhifa.org.models import (
    AuxiliaryAssessment,
    AuxiliaryStaff,
    AuxiliaryStatus,
    AuxiliaryStatusChange,
    Department,
    Officer,
    Street,
    Zone,
)
from zhifa.org.roles import Role
from zhifa.org.states import AUXILIARY_WORKFLOW

STAFF_MANAGERS = {Role.ADMIN, Role.DISPATCHER}
OFFICER_FIELDS = {"name", "certificate_no", "certificate_valid_until", "street", "zone", "phone", "is_active"}


def _require_staff_manager(actor: Actor) -> Any:
    j = jurisdiction_of(actor)
    require(j.role in STAFF_MANAGERS, "只有指挥中心或系统管理员可以维护执法人员信息", "staff_edit_forbidden")
    return j


def _check_zone(street: Street | None, zone: Zone | None) -> None:
    if zone is not None and (street is None or zone.street_id != street.pk):
        raise ValidationFailed("片区不属于所选街道", code="zone_not_in_street")


def officer_create(
    *,
    actor: Actor,
    name: str,
    badge_no: str,
    certificate_no: str,
    certificate_valid_until: dt.date,
    home_department: Department,
    street: Street | None = None,
    zone: Zone | None = None,
    phone: str = "",
) -> Officer:
    j = _require_staff_manager(actor)
    if home_department.district_id != j.district_id:
        raise ValidationFailed("所属部门不在本区", code="department_outside_district")
    _check_zone(street, zone)
    if not name.strip():
        raise ValidationFailed("姓名不能为空", code="name_required")
    try:
        with transaction.atomic():
            officer = Officer.objects.create(
                district_id=j.district_id,
                name=name.strip(),
                badge_no=badge_no,
                certificate_no=certificate_no,
                certificate_valid_until=certificate_valid_until,
                home_department=home_department,
                street=street,
                zone=zone,
                phone=phone,
            )
            audit_record(actor=actor, action="officer.create", obj=officer, after=snapshot(officer))
    except IntegrityError:
        raise Conflict("工号或执法证号已被使用", code="officer_number_taken") from None
    return officer


def officer_update(*, actor: Actor, officer: Officer, **changes: Any) -> Officer:
    j = _require_staff_manager(actor)
    unknown = set(changes) - OFFICER_FIELDS
    if unknown:
        raise ValidationFailed("不可修改的字段", code="field_not_editable", details={"fields": sorted(unknown)})
    if officer.district_id != j.district_id:
        raise ValidationFailed("执法人员不在本区", code="officer_outside_district")
    try:
        with transaction.atomic():
            locked = Officer.objects.select_for_update().get(pk=officer.pk)
            before = snapshot(locked)
            for field, value in changes.items():
                setattr(locked, field, value)
            _check_zone(locked.street, locked.zone)
            locked.save()
            audit_record(actor=actor, action="officer.update", obj=locked, before=before, after=snapshot(locked))
    except IntegrityError:
        # The unique constraint decides, as in officer_create: a certificate number another officer holds.
        raise Conflict("执法证号已被使用", code="officer_number_taken") from None
    return locked


def auxiliary_hire(
    *,
    actor: Actor,
    street: Street,
    name: str,
    staff_no: str,
    duties: str,
    contract_start_on: dt.date,
    contract_end_on: dt.date,
) -> AuxiliaryStaff:
    """Hire auxiliary staff into a street, within the street's headcount cap (编制上限)."""
    j = _require_staff_manager(actor)
    if street.district_id != j.district_id:
        raise ValidationFailed("街道不在本区", code="street_outside_district")
    if contract_end_on <= contract_start_on:
        raise ValidationFailed("合同结束日期必须晚于开始日期", code="contract_dates_invalid")
    try:
        with transaction.atomic():
            # Lock the street row so two concurrent hires cannot both take the last place under the cap.
            locked_street = Street.objects.select_for_update().get(pk=street.pk)
            active = AuxiliaryStaff.objects.filter(street=locked_street, status=AuxiliaryStatus.ACTIVE).count()
            if active >= locked_street.auxiliary_cap:
                raise Conflict(
                    f"{locked_street.name}辅助人员已达编制上限（{locked_street.auxiliary_cap}人）",
                    code="auxiliary_cap_reached",
                    details={"cap": locked_street.auxiliary_cap, "active": active},
                )
            staff = AuxiliaryStaff.objects.create(
                district_id=j.district_id,
                street=locked_street,
                name=name,
                staff_no=staff_no,
                duties=duties,
                contract_start_on=contract_start_on,
                contract_end_on=contract_end_on,
            )
            audit_record(actor=actor, action="auxiliary.hire", obj=staff, after=snapshot(staff))
    except IntegrityError:
        raise Conflict("辅助人员编号已被使用", code="auxiliary_number_taken") from None
    return staff


def auxiliary_assess(
    *, actor: Actor, staff: AuxiliaryStaff, year: int, score: Decimal, grade: str, note: str = ""
) -> AuxiliaryAssessment:
    _require_staff_manager(actor)
    if not Decimal("0") <= score <= Decimal("100"):
        raise ValidationFailed("考核得分应在0到100之间", code="score_out_of_range")
    if year > timezone.localdate().year:
        raise ValidationFailed("不能考核未来年度", code="assessment_year_future")
    valid_grades = {c[0] for c in AuxiliaryAssessment._meta.get_field("grade").choices or []}
    if grade not in valid_grades:
        raise ValidationFailed(
            "考核等次无效", code="assessment_grade_invalid", details={"allowed": sorted(valid_grades)}
        )
    try:
        with transaction.atomic():
            assessment = AuxiliaryAssessment.objects.create(staff=staff, year=year, score=score, grade=grade, note=note)
            audit_record(
                actor=actor,
                action="auxiliary.assess",
                obj=assessment,
                after=snapshot(assessment),
                district_id=staff.district_id,
            )
    except IntegrityError:
        raise Conflict(f"{staff.name}{year}年度已有考核", code="assessment_exists") from None
    return assessment


def auxiliary_transition(*, actor: Actor, staff: AuxiliaryStaff, action: str, reason: str = "") -> AuxiliaryStaff:
    """Apply an employment action (离职/重新聘用) through the workflow table; see ``zhifa.org.states``."""
    _require_staff_manager(actor)

    def record(obj: Any, source: str, target: str) -> None:
        AuxiliaryStatusChange.objects.create(
            staff=obj, action=action, from_status=source, to_status=target, actor=actor_user(actor), reason=reason
        )

    with transaction.atomic():
        # Lock the street first: a rehire's cap check must not race another hire into the same street.
        Street.objects.select_for_update().get(pk=staff.street_id)
        result = workflow_apply(
            table=AUXILIARY_WORKFLOW, obj=staff, action=action, actor=actor, reason=reason, record_transition=record
        )
    return result  # type: ignore[return-value]
