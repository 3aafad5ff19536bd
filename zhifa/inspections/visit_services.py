"""Every write of the joint inspection (综合查一次, issue 12 parts 3 and 5): merging the pending checks of a period
into visits, the repeat-inspection alert, and the visit itself — start at the site, tick items, findings,
signatures, close (签署归档) and cancel.

Each service checks the actor's right, validates everything before it writes, writes in one transaction with
its audit entry, and refuses bad input with a Chinese message and a code, writing nothing. The phone sends a
step again from its offline outbox until the server answers about it: every step taken twice is answered as
taken (a start, a signature or a close already made returns the row; a finding's client key makes it one; a
tick is the item's one result; a photo already stored for the same item or finding is not stored twice).
"""

import datetime as dt
import hashlib
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from zhifa.core.actors import Actor, actor_label, is_system
from zhifa.core.audit import audit_record, audited_transaction, snapshot
from zhifa.core.batches import batches
from zhifa.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from zhifa.core.files import file_store, files_removed_on_rollback
from zhifa.core.workflow import workflow_apply, workflow_check
from zhifa.events import photos as photo_store
from zhifa.events.distance import haversine_m
from zhifa.events.models import Notification
from zhifa.inspections import merging
from zhifa.inspections.models import (
    ChecklistVersion,
    ChecklistVersionItem,
    FindingSeverity,
    InspectionCheck,
    InspectionChecklistVersion,
    InspectionFinding,
    InspectionItemResult,
    InspectionPhoto,
    InspectionSignature,
    ItemOutcome,
    JointInspection,
    PlanSubject,
    RepeatInspectionAlert,
    SignerKind,
)
from zhifa.inspections.permissions import PLAN_MAKERS
from zhifa.inspections.states import VISIT_WORKFLOW, PlanStatus, VisitAction, VisitStatus
from zhifa.org.jurisdiction import jurisdiction_of
from zhifa.org.models import Officer, Profile
from zhifa.org.roles import Role
from zhifa.subjects.models import Subject
from zhifa.subjects.selectors import subject_matters

DEFAULT_REPEAT_DAYS = 30
DEFAULT_START_MAX_DISTANCE_M = 300
DEFAULT_OFFLINE_MAX_AGE_S = 24 * 3600
NOTE_LIMIT = 300
DESCRIPTION_LIMIT = 500
REASON_LIMIT = 200
PARTY_NAME_LIMIT = 50
SIGNATURE_MAX_BYTES = 300 * 1024
SIGNATURE_MAX_SIDE = 2000
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def repeat_days() -> int:
    """How close two visits of different departments to one subject raise the alert (``ZHIFA_REPEAT_INSPECTION_DAYS``)."""
    return int(getattr(settings, "ZHIFA_REPEAT_INSPECTION_DAYS", DEFAULT_REPEAT_DAYS))


def start_max_distance_m() -> int:
    """How far from the subject a start counts as at the site (``ZHIFA_INSPECTION_START_MAX_DISTANCE_M``; by
    default the events' arrival radius, ``ZHIFA_ARRIVE_MAX_DISTANCE_M``, 300 m)."""
    default = getattr(settings, "ZHIFA_ARRIVE_MAX_DISTANCE_M", DEFAULT_START_MAX_DISTANCE_M)
    return int(getattr(settings, "ZHIFA_INSPECTION_START_MAX_DISTANCE_M", default))


def _offline_max_age() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "ZHIFA_OFFLINE_MAX_AGE_S", DEFAULT_OFFLINE_MAX_AGE_S)))


def _step_time(acted_at: dt.datetime | None, *, not_before: dt.datetime | None) -> dt.datetime:
    """When a step sent late from the phone's outbox was taken: ``acted_at`` if plausible (not ahead, not older
    than the offline limit, not before the visit started), else now."""
    now = timezone.now()
    if acted_at is None or acted_at > now or now - acted_at > _offline_max_age():
        return now
    if not_before is not None and acted_at < not_before:
        return now
    return acted_at


# --- merging (综合查一次) ---------------------------------------------------------------------------------------


@dataclass
class MergeResult:
    """What one merge made: the visits (joint or single), how many checks went in, and the visits saved."""

    inspections: list[JointInspection] = field(default_factory=list)
    checks: int = 0
    alerts: list[RepeatInspectionAlert] = field(default_factory=list)

    @property
    def visits(self) -> int:
        return len(self.inspections)

    @property
    def saved(self) -> int:
        return self.checks - self.visits


def _require_planner(actor: Actor, district_id: int) -> None:
    if is_system(actor):
        return
    j = jurisdiction_of(actor)
    if j.district_id != district_id or j.role not in PLAN_MAKERS:
        raise PermissionDenied("只有系统管理员和指挥中心可以合并检查任务", code="visit_merge_forbidden")


def _department_matters(subject: Subject) -> dict[int, list[int]]:
    """The subject's applicable active matters by department: {department id: [matter ids by code]}."""
    by_department: dict[int, list[int]] = {}
    for matter in subject_matters(subject=subject):
        by_department.setdefault(matter.department_id, []).append(matter.pk)
    return by_department


def pending_checks(*, district_id: int, starts_on: dt.date, ends_on: dt.date) -> list[merging.PendingCheck]:
    """The district's pending checks due in the period: every subject drawn in a drawn plan whose period overlaps
    [starts_on, ends_on] and that no visit holds yet, with the plan's period as its window and the department's
    matters that apply to the subject. ``key`` is the ``PlanSubject`` id."""
    rows = (
        PlanSubject.objects.filter(
            plan__district_id=district_id,
            plan__status=PlanStatus.DRAWN,
            plan__starts_on__lte=ends_on,
            plan__ends_on__gte=starts_on,
            inspection_check__isnull=True,
        )
        .select_related("plan", "subject")
        .order_by("pk")
    )
    matters: dict[int, dict[int, list[int]]] = {}
    checks = []
    for row in rows:
        if row.subject_id not in matters:
            matters[row.subject_id] = _department_matters(row.subject)
        checks.append(
            merging.PendingCheck(
                key=row.pk,
                subject_id=row.subject_id,
                department_id=row.plan.department_id,
                earliest=row.plan.starts_on,
                latest=row.plan.ends_on,
                matter_ids=tuple(matters[row.subject_id].get(row.plan.department_id, ())),
            )
        )
    return checks


def _current_versions(subject: Subject, matter_ids: Sequence[int]) -> dict[int, ChecklistVersion]:
    """The current checklist version of each matter for the subject (its category's own if there is one, else
    the general one); matters with no version are absent."""
    current: dict[int, ChecklistVersion] = {}
    versions = ChecklistVersion.objects.filter(
        matter_id__in=list(matter_ids), subject_category__in=["", subject.category]
    ).order_by("matter_id", "subject_category", "number")
    for version in versions:
        held = current.get(version.matter_id)
        if held is None or version.subject_category or not held.subject_category:
            current[version.matter_id] = version
    return current


def _visit_day(inspection: JointInspection) -> tuple[dt.date, dt.date]:
    """The days a visit falls on: the day it was signed or started, else its window."""
    at = inspection.signed_at or inspection.started_at
    if at is not None:
        day = timezone.localdate(at)
        return day, day
    return inspection.earliest, inspection.latest


def _days_apart(a: tuple[dt.date, dt.date], b: tuple[dt.date, dt.date]) -> int:
    if a[1] < b[0]:
        return (b[0] - a[1]).days
    if b[1] < a[0]:
        return (a[0] - b[1]).days
    return 0


def _planning_users(inspections: Iterable[JointInspection]) -> list[int]:
    """Who plans for the departments of these visits: each department's liaisons and the makers of the plans
    whose checks the visits hold."""
    department_ids: set[int] = set()
    users: list[int] = []
    for inspection in inspections:
        department_ids.update(inspection.departments.values_list("pk", flat=True))
        users.extend(
            uid
            for uid in InspectionCheck.objects.filter(inspection=inspection).values_list(
                "plan_subject__plan__created_by_id", flat=True
            )
            if uid
        )
    users.extend(
        Profile.objects.filter(
            role=Role.LIAISON, department_id__in=sorted(department_ids), user__is_active=True
        ).values_list("user_id", flat=True)
    )
    return list(dict.fromkeys(users))


def _repeat_alerts(actor: Actor, inspection: JointInspection, department_ids: set[int]) -> list[RepeatInspectionAlert]:
    """重复检查提醒: other visits to the same subject, not cancelled, within ``repeat_days`` of this one, by at
    least one department this one does not bring (or bringing one this one lacks). One alert per pair; the
    planning departments of both are notified (``events.Notification``)."""
    limit = repeat_days()
    mine = _visit_day(inspection)
    others = (
        JointInspection.objects.filter(subject_id=inspection.subject_id)
        .exclude(pk=inspection.pk)
        .exclude(status=VisitStatus.CANCELLED)
        .prefetch_related("departments")
        .order_by("earliest", "pk")
    )
    alerts = []
    for other in others:
        apart = _days_apart(mine, _visit_day(other))
        theirs = {d.pk for d in other.departments.all()}
        if apart > limit or theirs == department_ids:
            continue
        names = "、".join(d.short_name or d.name for d in other.departments.all())
        message = (
            f"重复检查提醒：{inspection.subject.name} 在 {apart} 天内将被不同部门检查"
            f"（综合检查 {inspection.pk} 与 {other.pk}，{names}），请考虑合并"
        )[:300]
        alert = RepeatInspectionAlert.objects.create(
            district_id=inspection.district_id,
            subject_id=inspection.subject_id,
            inspection=inspection,
            other=other,
            days_apart=apart,
            limit_days=limit,
            message=message,
        )
        audit_record(actor=actor, action="repeat_inspection_alert.raise", obj=alert, after=snapshot(alert))
        Notification.objects.bulk_create(
            Notification(district_id=inspection.district_id, user_id=uid, message=message)
            for uid in _planning_users([inspection, other])
        )
        alerts.append(alert)
    return alerts


def inspections_merge(*, actor: Actor, district_id: int, starts_on: dt.date, ends_on: dt.date) -> MergeResult:
    """综合查一次: merge the district's pending checks of the period into visits (``merging.merge_checks``):
    checks of several departments on one subject whose windows share a day become one joint inspection on the
    common days, with one combined checklist (each applicable matter's current version, per department) and
    the drawn officers of every department. Each new visit is checked for the repeat-inspection alert.
    A pending check is merged once (the plan subject's row lock and its one-to-one ``InspectionCheck``)."""
    _require_planner(actor, district_id)
    if ends_on < starts_on:
        raise ValidationFailed("截止日期不能早于起始日期", code="visit_period_reversed", details={"field": "ends_on"})
    result = MergeResult()
    with audited_transaction():
        checks = pending_checks(district_id=district_id, starts_on=starts_on, ends_on=ends_on)
        # Lock what we merge: two merges at once must not put one check in two visits. In batches, in id order
        # (two merges lock in the same order): a period's checks (a special plan draws every subject of the
        # district) can be more than a statement takes parameters.
        to_lock = PlanSubject.objects.select_for_update().select_related("plan", "subject").order_by("pk")
        locked = {
            ps.pk: ps
            for chunk in batches(sorted(int(str(c.key)) for c in checks))
            for ps in to_lock.filter(pk__in=chunk)
        }
        taken = {
            pk
            for chunk in batches(sorted(locked))
            for pk in InspectionCheck.objects.filter(plan_subject_id__in=chunk).values_list(
                "plan_subject_id", flat=True
            )
        }
        checks = [c for c in checks if c.key in locked and c.key not in taken]
        if not checks:
            raise ValidationFailed("该期间没有待合并的检查任务", code="visit_nothing_pending")
        for visit in merging.merge_checks(checks):
            rows = [locked[int(str(c.key))] for c in visit.checks]
            subject = rows[0].subject
            inspection = JointInspection.objects.create(
                district_id=district_id,
                subject=subject,
                street_id=subject.street_id,
                earliest=visit.earliest,
                latest=visit.latest,
                merged_by=actor_label(actor),
            )
            inspection.departments.set(visit.department_ids)
            officer_ids = list(dict.fromkeys(o for r in rows for o in (r.first_officer_id, r.second_officer_id)))
            inspection.officers.set(officer_ids)
            InspectionCheck.objects.bulk_create(
                InspectionCheck(plan_subject=r, inspection=inspection, department_id=r.plan.department_id) for r in rows
            )
            department_of = {m: c.department_id for c in visit.checks for m in c.matter_ids}
            versions = _current_versions(subject, visit.matter_ids)
            InspectionChecklistVersion.objects.bulk_create(
                InspectionChecklistVersion(inspection=inspection, version=v, department_id=department_of[m])
                for m, v in sorted(versions.items())
            )
            audit_record(
                actor=actor,
                action="joint_inspection.merge",
                obj=inspection,
                after={
                    **snapshot(inspection, ["subject", "street", "earliest", "latest", "status"]),
                    "plan_subjects": [r.pk for r in rows],
                    "departments": list(visit.department_ids),
                    "officers": officer_ids,
                    "checklist_versions": sorted(v.pk for v in versions.values()),
                },
            )
            result.inspections.append(inspection)
            result.checks += len(rows)
            result.alerts.extend(_repeat_alerts(actor, inspection, set(visit.department_ids)))
    return result


# --- the visit: who may act -------------------------------------------------------------------------------------


def _inspector(actor: Actor, inspection_id: int, *, lock: bool = True) -> tuple[JointInspection, Officer]:
    """The visit and the acting officer, who must be one of its officers; anyone else hears "not found" (the
    words of a missing visit: nobody learns which ids exist)."""
    officer = None if is_system(actor) else getattr(actor, "officer", None)
    not_found = NotFound("综合检查不存在或不由您检查", code="visit_not_found", details={"id": inspection_id})
    if officer is None or not officer.is_active:
        raise not_found
    j = jurisdiction_of(actor)
    if j.role != Role.OFFICER:
        raise not_found
    rows = JointInspection.objects.select_related("subject")
    if lock:
        rows = rows.select_for_update(of=("self",))
    inspection = rows.filter(pk=inspection_id, district_id=j.district_id, officers=officer).first()
    if inspection is None:
        raise not_found
    return inspection, officer


def _require_started(inspection: JointInspection) -> None:
    if inspection.status == VisitStatus.STARTED:
        return
    if inspection.status == VisitStatus.PLANNED:
        raise Conflict("请先在现场开始检查", code="visit_not_started")
    if inspection.status == VisitStatus.SIGNED:
        raise Conflict("检查记录已签署，不能再修改", code="visit_already_signed")
    raise Conflict("该综合检查已取消", code="visit_cancelled")


def visit_items(inspection: JointInspection) -> list[ChecklistVersionItem]:
    """The combined checklist's items, by department code, matter code and position."""
    return list(
        ChecklistVersionItem.objects.filter(
            version__in=InspectionChecklistVersion.objects.filter(inspection=inspection).values("version")
        )
        .select_related("version", "version__matter", "version__matter__department")
        .order_by("version__matter__department__code", "version__matter__code", "position")
    )


def _visit_item(inspection: JointInspection, item_id: Any) -> ChecklistVersionItem:
    item = None
    if str(item_id).isdigit() and len(str(item_id)) <= 12:
        item = (
            ChecklistVersionItem.objects.filter(
                pk=int(item_id),
                version__in=InspectionChecklistVersion.objects.filter(inspection=inspection).values("version"),
            )
            .select_related("version__matter")
            .first()
        )
    if item is None:
        raise ValidationFailed(
            "该检查项不在本次检查的检查表中", code="visit_item_not_in_checklist", details={"field": "item"}
        )
    return item


def _photo_store(
    inspection: JointInspection,
    officer: Officer,
    photos: Sequence[photo_store.ValidatedPhoto],
    *,
    item_result: InspectionItemResult | None = None,
    finding: InspectionFinding | None = None,
) -> list[InspectionPhoto]:
    """Store the validated photos of an item or a finding; one already stored for it (same SHA-256: the same
    step sent again) is not stored twice. Files are named by their SHA-256; the caller's transaction is wrapped
    in ``files_removed_on_rollback``, so that its rollback removes them again."""
    kept = set(
        InspectionPhoto.objects.filter(inspection=inspection, item_result=item_result, finding=finding).values_list(
            "sha256", flat=True
        )
    )
    rows = []
    for photo in photos:
        if photo.sha256 in kept:
            continue
        kept.add(photo.sha256)
        row = InspectionPhoto(
            inspection=inspection,
            item_result=item_result,
            finding=finding,
            sha256=photo.sha256,
            content_type=photo.content_type,
            size=photo.size,
            uploaded_by=officer,
        )
        filename = f"{photo.sha256}.{photo.extension}"
        file_store(row.original, filename, photo.data)
        file_store(row.public_copy, filename, photo.public_data)
        row.save()
        rows.append(row)
    return rows


# --- start at the site -------------------------------------------------------------------------------------------


def inspection_start(
    *,
    actor: Actor,
    inspection_id: int,
    lon: float,
    lat: float,
    accuracy_m: float | None = None,
    exception_reason: str = "",
    photo: Any = None,
    acted_at: dt.datetime | None = None,
) -> JointInspection:
    """开始检查 at the site: the phone's position is checked against the subject's. Farther than
    ``start_max_distance_m`` it is refused with the distance (``visit_start_too_far``) — unless the officer
    gives a reason and a photo of the site, the events' 超距到场 rule: then the start counts, with the distance
    and reason on the record. Not before the first day of the window (``visit_not_due``). A start sent again
    once the visit has started is answered with the visit, writing nothing."""
    reason = (exception_reason or "").strip()
    if len(reason) > REASON_LIMIT:
        raise ValidationFailed(
            f"超距原因不能超过{REASON_LIMIT}字",
            code="visit_start_reason_too_long",
            details={"field": "exception_reason"},
        )
    validated = None
    if reason:
        if photo is None:
            raise ValidationFailed(
                "超距开始检查须拍摄一张现场照片", code="visit_start_photo_required", details={"field": "photo"}
            )
        validated = photo_store.photo_validate(photo)
    with files_removed_on_rollback(), audited_transaction():
        inspection, officer = _inspector(actor, inspection_id)
        if inspection.status in (VisitStatus.STARTED, VisitStatus.SIGNED) and inspection.started_at is not None:
            return inspection  # the start sent again (the outbox, a double tap): taken already
        workflow_check(
            table=VISIT_WORKFLOW, obj=inspection, action=VisitAction.START, actor=actor, state=inspection.status
        )
        at = _step_time(acted_at, not_before=None)
        if timezone.localdate(at) < inspection.earliest:
            raise ValidationFailed(f"本次检查自 {inspection.earliest:%Y-%m-%d} 起方可开始", code="visit_not_due")
        distance = haversine_m(float(lon), float(lat), inspection.subject.lon, inspection.subject.lat)
        max_m = start_max_distance_m()
        if distance > max_m and not reason:
            raise ValidationFailed(
                f"您距离检查对象约{round(distance)}米，超过{max_m}米，请到达现场后再开始检查；确在现场的，请填写原因并拍照",
                code="visit_start_too_far",
                details={"distance_m": round(distance), "max_m": max_m},
            )
        updates: dict[str, Any] = {
            "started_at": at,
            "started_by": officer,
            "start_lon": float(lon),
            "start_lat": float(lat),
            "start_accuracy_m": accuracy_m,
            "start_distance_m": round(distance),
            "start_max_m": max_m,
            "start_exception_reason": reason if distance > max_m else "",
        }
        workflow_apply(
            table=VISIT_WORKFLOW,
            obj=inspection,
            action=VisitAction.START,
            actor=actor,
            reason=updates["start_exception_reason"],
            extra_updates=updates,
            is_locked=True,
        )
        if distance > max_m and validated is not None:
            stored = _photo_store(inspection, officer, [validated])
            audit_record(
                actor=actor,
                action="joint_inspection.start_photo",
                obj=inspection,
                after={"photos": [p.sha256 for p in stored], "distance_m": round(distance), "max_m": max_m},
            )
    return inspection


# --- tick, findings -----------------------------------------------------------------------------------------------


def item_tick(
    *,
    actor: Actor,
    inspection_id: int,
    item_id: Any,
    outcome: str,
    note: str = "",
    photos: Sequence[Any] = (),
    acted_at: dt.datetime | None = None,
) -> InspectionItemResult:
    """The result of one checklist item (符合 / 不符合 / 不适用), with a note and photos; ticked again, the result
    is replaced (audited, before and after). An item that requires a photo needs one — now or from an earlier
    tick — unless it is 不适用 (``visit_item_photo_required``)."""
    if outcome not in ItemOutcome.values:
        raise ValidationFailed("请选择检查结果", code="visit_outcome_invalid", details={"field": "outcome"})
    note = (note or "").strip()
    if len(note) > NOTE_LIMIT:
        raise ValidationFailed(f"说明不超过{NOTE_LIMIT}字", code="visit_note_too_long", details={"field": "note"})
    validated = photo_store.photos_validate(photos)
    with files_removed_on_rollback(), audited_transaction():
        inspection, officer = _inspector(actor, inspection_id)
        _require_started(inspection)
        item = _visit_item(inspection, item_id)
        existing = InspectionItemResult.objects.filter(inspection=inspection, item=item).first()
        has_photo = existing is not None and existing.photos.exists()
        if item.requires_photo and outcome != ItemOutcome.NOT_APPLICABLE and not validated and not has_photo:
            raise ValidationFailed(
                f"检查项“{item.text[:30]}”须拍照", code="visit_item_photo_required", details={"field": "photos"}
            )
        at = _step_time(acted_at, not_before=inspection.started_at)
        before = snapshot(existing, ["outcome", "note", "recorded_by"]) if existing is not None else None
        if existing is None:
            result = InspectionItemResult.objects.create(
                inspection=inspection, item=item, outcome=outcome, note=note, recorded_by=officer, recorded_at=at
            )
        else:
            result = existing
            result.outcome, result.note, result.recorded_by, result.recorded_at = outcome, note, officer, at
            result.save(update_fields=["outcome", "note", "recorded_by", "recorded_at", "updated_at"])
        stored = _photo_store(inspection, officer, validated, item_result=result)
        audit_record(
            actor=actor,
            action="joint_inspection.item_tick",
            obj=result,
            district_id=inspection.district_id,
            before=before,
            after={
                "inspection_id": inspection.pk,
                "item_id": item.pk,
                "outcome": outcome,
                "note": note,
                "recorded_by": officer.pk,
                "photos": [p.sha256 for p in stored],
            },
        )
    return result


def finding_add(
    *,
    actor: Actor,
    inspection_id: int,
    severity: str,
    description: str,
    item_id: Any = None,
    photos: Sequence[Any] = (),
    client_key: str = "",
    acted_at: dt.datetime | None = None,
) -> InspectionFinding:
    """隐患: a problem found in the visit, with its severity (一般 / 较大 / 重大), description, photos and the item
    it came from (optional). The department is the item's matter's, else the recording officer's. The phone's
    ``client_key`` makes a finding sent again from its outbox the same finding."""
    client_key = (client_key or "").strip()[:100]
    if severity not in FindingSeverity.values:
        raise ValidationFailed("请选择隐患等级", code="finding_severity_invalid", details={"field": "severity"})
    description = (description or "").strip()
    if not description:
        raise ValidationFailed(
            "请描述发现的隐患", code="finding_description_required", details={"field": "description"}
        )
    if len(description) > DESCRIPTION_LIMIT:
        raise ValidationFailed(
            f"隐患描述不超过{DESCRIPTION_LIMIT}字",
            code="finding_description_too_long",
            details={"field": "description"},
        )
    validated = photo_store.photos_validate(photos)
    try:
        with files_removed_on_rollback(), audited_transaction():
            inspection, officer = _inspector(actor, inspection_id)
            if client_key:
                again = InspectionFinding.objects.filter(inspection=inspection, client_key=client_key).first()
                if again is not None:
                    return again
            _require_started(inspection)
            item = _visit_item(inspection, item_id) if item_id not in (None, "") else None
            finding = InspectionFinding.objects.create(
                inspection=inspection,
                item=item,
                department_id=item.version.matter.department_id if item is not None else officer.home_department_id,
                severity=severity,
                description=description,
                recorded_by=officer,
                recorded_at=_step_time(acted_at, not_before=inspection.started_at),
                client_key=client_key,
            )
            stored = _photo_store(inspection, officer, validated, finding=finding)
            audit_record(
                actor=actor,
                action="joint_inspection.finding_add",
                obj=finding,
                district_id=inspection.district_id,
                after={**snapshot(finding), "photos": [p.sha256 for p in stored]},
            )
    except IntegrityError:
        # The same key sent twice at once: the other request's row is the finding.
        again = InspectionFinding.objects.filter(inspection_id=inspection_id, client_key=client_key).first()
        if again is None or not client_key:
            raise
        return again
    return finding


# --- signatures, close, cancel ------------------------------------------------------------------------------------


def officer_sign(*, actor: Actor, inspection_id: int, acted_at: dt.datetime | None = None) -> InspectionSignature:
    """The acting officer signs the record (signed in on their own phone: the account is the signature). Signed
    already: the signature is returned."""
    with audited_transaction():
        inspection, officer = _inspector(actor, inspection_id)
        return _officer_signature(actor, inspection, officer, acted_at)


def _officer_signature(
    actor: Actor, inspection: JointInspection, officer: Officer, acted_at: dt.datetime | None
) -> InspectionSignature:
    found = InspectionSignature.objects.filter(inspection=inspection, kind=SignerKind.OFFICER, officer=officer).first()
    if found is not None:
        return found
    _require_started(inspection)
    signature = InspectionSignature.objects.create(
        inspection=inspection,
        kind=SignerKind.OFFICER,
        officer=officer,
        department_id=officer.home_department_id,
        signed_at=_step_time(acted_at, not_before=inspection.started_at),
        recorded_by=officer,
    )
    audit_record(
        actor=actor,
        action="joint_inspection.officer_sign",
        obj=signature,
        district_id=inspection.district_id,
        after=snapshot(signature, ["inspection", "kind", "officer", "department", "signed_at"]),
    )
    return signature


def signature_png_check(data: bytes) -> bytes:
    """The party's signature as drawn on the canvas: a PNG, at most 300 KB and 2000 px a side, with a stroke on
    it (not blank). Refusals: ``visit_signature_invalid``, ``visit_signature_empty``."""
    invalid = ValidationFailed(
        "签名图像无效，请重新签名", code="visit_signature_invalid", details={"field": "signature"}
    )
    if not data or len(data) > SIGNATURE_MAX_BYTES or not data.startswith(PNG_MAGIC):
        raise invalid
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "PNG" or max(image.size) > SIGNATURE_MAX_SIDE:
                raise invalid
            image.load()
            rgba = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise invalid from exc
    # A stroke: on white, some pixel clearly darker than white (a transparent or white canvas has none).
    paper = Image.new("RGBA", rgba.size, "white")
    paper.alpha_composite(rgba)
    if paper.convert("L").point(lambda v: 255 if v < 200 else 0).getbbox() is None:
        raise ValidationFailed(
            "签名为空，请当事人在框内签名", code="visit_signature_empty", details={"field": "signature"}
        )
    return data


def party_sign(
    *,
    actor: Actor,
    inspection_id: int,
    party_name: str = "",
    signature_png: bytes | None = None,
    refused: bool = False,
    refusal_reason: str = "",
    acted_at: dt.datetime | None = None,
) -> InspectionSignature:
    """The party signs on the officer's screen (the canvas's PNG is kept with its SHA-256), or refuses: then the
    officer writes down what happened (拒签情况), required. Once per visit; sent again, the signature is returned."""
    party_name = (party_name or "").strip()
    refusal_reason = (refusal_reason or "").strip()
    if len(party_name) > PARTY_NAME_LIMIT:
        raise ValidationFailed(
            f"当事人姓名不超过{PARTY_NAME_LIMIT}字", code="visit_party_name_too_long", details={"field": "party_name"}
        )
    png = b""
    if refused:
        if not refusal_reason:
            raise ValidationFailed(
                "当事人拒绝签字的，请写明拒签情况",
                code="visit_refusal_reason_required",
                details={"field": "refusal_reason"},
            )
        if len(refusal_reason) > REASON_LIMIT:
            raise ValidationFailed(
                f"拒签情况不超过{REASON_LIMIT}字",
                code="visit_refusal_reason_too_long",
                details={"field": "refusal_reason"},
            )
    else:
        if not party_name:
            raise ValidationFailed(
                "请填写当事人姓名", code="visit_party_name_required", details={"field": "party_name"}
            )
        png = signature_png_check(signature_png or b"")
    with audited_transaction():
        inspection, officer = _inspector(actor, inspection_id)
        found = InspectionSignature.objects.filter(inspection=inspection, kind=SignerKind.PARTY).first()
        if found is not None:
            return found
        _require_started(inspection)
        signature = InspectionSignature.objects.create(
            inspection=inspection,
            kind=SignerKind.PARTY,
            party_name=party_name,
            image_png=png or None,
            image_sha256=hashlib.sha256(png).hexdigest() if png else "",
            refused=refused,
            refusal_reason=refusal_reason if refused else "",
            signed_at=_step_time(acted_at, not_before=inspection.started_at),
            recorded_by=officer,
        )
        audit_record(
            actor=actor,
            action="joint_inspection.party_sign",
            obj=signature,
            district_id=inspection.district_id,
            after={
                **snapshot(
                    signature,
                    ["inspection", "kind", "party_name", "image_sha256", "refused", "refusal_reason", "signed_at"],
                ),
                "recorded_by": officer.pk,
            },
        )
    return signature


def inspection_close(*, actor: Actor, inspection_id: int, acted_at: dt.datetime | None = None) -> JointInspection:
    """签署归档: the closing officer signs (if not yet) and the record is closed — every item of the combined
    checklist has a result (``visit_items_unticked``) and the party has signed or refused
    (``visit_party_signature_missing``). Closed already: the visit is returned, nothing written."""
    with audited_transaction():
        inspection, officer = _inspector(actor, inspection_id)
        if inspection.status == VisitStatus.SIGNED:
            return inspection
        _require_started(inspection)
        items = {i.pk for i in visit_items(inspection)}
        ticked = set(InspectionItemResult.objects.filter(inspection=inspection).values_list("item_id", flat=True))
        missing = len(items - ticked)
        if missing:
            raise ValidationFailed(
                f"还有 {missing} 个检查项未填写结果", code="visit_items_unticked", details={"missing": missing}
            )
        if not InspectionSignature.objects.filter(inspection=inspection, kind=SignerKind.PARTY).exists():
            raise ValidationFailed("请当事人签名，或记录拒签情况", code="visit_party_signature_missing")
        _officer_signature(actor, inspection, officer, acted_at)
        workflow_apply(
            table=VISIT_WORKFLOW,
            obj=inspection,
            action=VisitAction.SIGN,
            actor=actor,
            extra_updates={"signed_at": _step_time(acted_at, not_before=inspection.started_at)},
            is_locked=True,
        )
    return inspection


def inspection_cancel(*, actor: Actor, inspection_id: int, reason: str) -> JointInspection:
    """Call off a visit not yet signed, with a reason: the administrator and the command centre, or a liaison of
    one of its departments. Its checks stay merged (the record of why is the cancelled visit)."""
    reason = (reason or "").strip()
    if len(reason) > REASON_LIMIT:
        raise ValidationFailed(f"取消原因不超过{REASON_LIMIT}字", code="visit_cancel_reason_too_long")
    inspection = JointInspection.objects.filter(pk=inspection_id).first()
    if inspection is None:
        raise NotFound("综合检查不存在", code="visit_not_found")
    if not is_system(actor):
        j = jurisdiction_of(actor)
        allowed = j.district_id == inspection.district_id and (
            j.role in PLAN_MAKERS
            or (j.is_department_scoped and inspection.departments.filter(pk=j.own_department_id).exists())
        )
        if not allowed:
            raise PermissionDenied("您无权取消该综合检查", code="visit_cancel_forbidden")
    with audited_transaction():
        locked = JointInspection.objects.select_for_update().get(pk=inspection_id)
        workflow_apply(
            table=VISIT_WORKFLOW,
            obj=locked,
            action=VisitAction.CANCEL,
            actor=actor,
            reason=reason,
            extra_updates={"cancel_reason": reason},
            is_locked=True,
        )
    return locked
