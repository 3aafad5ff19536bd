"""Every read of the joint inspection (综合查一次), scoped to the reader, and the party's public record (亮码检查).

Who sees a visit: the district-wide posts every visit of the district; a department liaison the visits its
department takes part in; a street dispatcher its street's; an officer the visits they were drawn for (and
nothing else); auxiliaries and business owners none. The public record is reached only by its unguessable
token (the QR code on the signed record) and shows that one record, names masked.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from zhifa.core.errors import NotFound, PermissionDenied
from zhifa.inspections.models import (
    ChecklistVersionItem,
    InspectionChecklistVersion,
    InspectionFinding,
    InspectionItemResult,
    InspectionPhoto,
    InspectionPlan,
    InspectionSignature,
    JointInspection,
    RepeatInspectionAlert,
    SignerKind,
)
from zhifa.inspections.publication import mask_subject_name
from zhifa.inspections.states import VisitStatus
from zhifa.inspections.visit_services import visit_items
from zhifa.org.jurisdiction import Jurisdiction, jurisdiction_of
from zhifa.org.roles import Role


def _scope(j: Jurisdiction, user: Any) -> Q:
    if j.is_district_wide:
        return Q(district_id=j.district_id)
    if j.is_department_scoped:
        return Q(district_id=j.district_id, departments=j.own_department_id)
    if j.role == Role.STREET_DISPATCHER:
        return Q(district_id=j.district_id, street_id=j.own_street_id)
    officer = getattr(user, "officer", None)
    if j.role == Role.OFFICER and officer is not None:
        return Q(district_id=j.district_id, officers=officer)
    raise PermissionDenied("您的岗位无权查看综合检查", code="visit_not_allowed")


def visit_list(*, user: Any, status: str = "") -> QuerySet[JointInspection]:
    j = jurisdiction_of(user)
    ids = JointInspection.objects.filter(_scope(j, user)).values("pk")
    rows = JointInspection.objects.filter(pk__in=ids)
    if status in VisitStatus.values:
        rows = rows.filter(status=status)
    return (
        rows.select_related("subject", "street")
        .prefetch_related("departments")
        .annotate(check_count=Count("checks", distinct=True), finding_count=Count("findings", distinct=True))
        .order_by("-earliest", "-pk")
    )


def owner_visits(*, user: Any, subject_id: int) -> list[JointInspection]:
    """For a business owner (issue 13 part 7): the signed inspection records of one of its own subjects, newest
    first, each with its findings counted — the party reads each through its 亮码检查 record. Anyone else, or a
    subject not its own: nothing."""
    j = jurisdiction_of(user)
    if j.role != Role.BUSINESS_OWNER:
        return []
    return list(
        JointInspection.objects.filter(
            district_id=j.district_id,
            subject_id=subject_id,
            subject__owners__user_id=j.user_id,
            status=VisitStatus.SIGNED,
        )
        .prefetch_related("departments")
        .annotate(finding_count=Count("findings", distinct=True))
        .order_by("-signed_at", "-pk")
    )


def visit_get(*, user: Any, inspection_id: int) -> JointInspection:
    j = jurisdiction_of(user)
    found = (
        JointInspection.objects.filter(_scope(j, user), pk=inspection_id)
        .select_related("subject", "street", "started_by")
        .first()
    )
    if found is None:
        raise NotFound("综合检查不存在或不在您的管辖范围内", code="visit_not_found", details={"id": inspection_id})
    return found


def officer_visits(*, user: Any, on: dt.date) -> list[JointInspection]:
    """The officer's visits for the day ``on``: those started and not yet signed, and those planned whose window
    holds the day; the started first, then by the window's end."""
    officer = getattr(user, "officer", None)
    if officer is None:
        return []
    rows = (
        JointInspection.objects.filter(officers=officer)
        .filter(Q(status=VisitStatus.STARTED) | Q(status=VisitStatus.PLANNED, earliest__lte=on, latest__gte=on))
        .select_related("subject")
        .prefetch_related("departments")
    )
    return sorted(rows, key=lambda v: (v.status != VisitStatus.STARTED, v.latest, v.pk))


# --- one visit's record ----------------------------------------------------------------------------------------


@dataclass
class ItemRow:
    item: ChecklistVersionItem
    result: InspectionItemResult | None
    photos: list[InspectionPhoto] = field(default_factory=list)


@dataclass
class DepartmentSection:
    department: Any
    versions: list[Any]
    rows: list[ItemRow] = field(default_factory=list)


@dataclass
class VisitRecord:
    inspection: JointInspection
    sections: list[DepartmentSection]
    findings: list[InspectionFinding]
    officer_signatures: list[InspectionSignature]
    party_signature: InspectionSignature | None
    officers: list[Any]
    departments: list[Any]

    @property
    def ticked(self) -> int:
        return sum(1 for s in self.sections for r in s.rows if r.result is not None)

    @property
    def total(self) -> int:
        return sum(len(s.rows) for s in self.sections)

    @property
    def departments_present(self) -> list[Any]:
        seen = {s.department_id for s in self.officer_signatures}
        return [d for d in self.departments if d.pk in seen]

    @property
    def departments_absent(self) -> list[Any]:
        seen = {s.department_id for s in self.officer_signatures}
        return [d for d in self.departments if d.pk not in seen]

    @property
    def failed(self) -> int:
        return sum(1 for s in self.sections for r in s.rows if r.result is not None and r.result.outcome == "fail")


def visit_record(*, inspection: JointInspection) -> VisitRecord:
    """The combined checklist by department with each item's result and photos, the findings, the signatures."""
    results = {r.item_id: r for r in InspectionItemResult.objects.filter(inspection=inspection)}
    photos: dict[int, list[InspectionPhoto]] = defaultdict(list)
    finding_photos: dict[int, list[InspectionPhoto]] = defaultdict(list)
    for p in InspectionPhoto.objects.filter(inspection=inspection):
        if p.item_result_id:
            photos[p.item_result_id].append(p)
        if p.finding_id:
            finding_photos[p.finding_id].append(p)
    versions = InspectionChecklistVersion.objects.filter(inspection=inspection).select_related(
        "version", "version__matter", "department"
    )
    sections: dict[int, DepartmentSection] = {}
    for v in sorted(versions, key=lambda v: (v.department.code, v.version.matter.code)):
        sections.setdefault(v.department_id, DepartmentSection(department=v.department, versions=[])).versions.append(
            v.version
        )
    for item in visit_items(inspection):
        result = results.get(item.pk)
        section = sections.get(item.version.matter.department_id)
        if section is None:
            continue
        section.rows.append(ItemRow(item=item, result=result, photos=photos.get(result.pk, []) if result else []))
    findings = list(
        InspectionFinding.objects.filter(inspection=inspection).select_related("item", "department", "recorded_by")
    )
    for f in findings:
        f.photo_list = finding_photos.get(f.pk, [])  # type: ignore[attr-defined]
    signatures = list(InspectionSignature.objects.filter(inspection=inspection).select_related("officer", "department"))
    return VisitRecord(
        inspection=inspection,
        sections=list(sections.values()),
        findings=findings,
        officer_signatures=[s for s in signatures if s.kind == SignerKind.OFFICER],
        party_signature=next((s for s in signatures if s.kind == SignerKind.PARTY), None),
        officers=list(
            inspection.officers.select_related("home_department").order_by("home_department__code", "badge_no")
        ),
        departments=list(inspection.departments.order_by("code")),
    )


def visit_photo(*, user: Any, inspection_id: int, photo_id: int) -> InspectionPhoto:
    inspection = visit_get(user=user, inspection_id=inspection_id)
    photo = InspectionPhoto.objects.filter(pk=photo_id, inspection=inspection).first()
    if photo is None:
        raise NotFound("照片不存在", code="photo_not_found")
    return photo


def visit_signature(*, user: Any, inspection_id: int) -> InspectionSignature:
    inspection = visit_get(user=user, inspection_id=inspection_id)
    found = InspectionSignature.objects.filter(inspection=inspection, kind=SignerKind.PARTY, refused=False).first()
    if found is None or not found.image_png:
        raise NotFound("没有当事人签名", code="signature_not_found")
    return found


# --- visits saved, alerts ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodSaving:
    month: dt.date  # first day of the month the visit's window opens in
    checks: int
    visits: int
    joint: int

    @property
    def saved(self) -> int:
        return self.checks - self.visits


def visits_saved_by_month(*, user: Any) -> list[PeriodSaving]:
    """Per month (by the window's first day), the checks merged, the visits made of them, how many were joint
    and the visits saved (checks − visits). Cancelled visits are left out."""
    rows = visit_list(user=user).exclude(status=VisitStatus.CANCELLED)
    totals: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0, 0])
    for v in rows.annotate(departments_count=Count("departments", distinct=True)):
        month = v.earliest.replace(day=1)
        totals[month][0] += v.check_count  # type: ignore[attr-defined]
        totals[month][1] += 1
        totals[month][2] += 1 if v.departments_count > 1 else 0  # type: ignore[attr-defined]
    return [PeriodSaving(month, c, n, j) for month, (c, n, j) in sorted(totals.items(), reverse=True)]


def repeat_alerts(*, user: Any) -> QuerySet[RepeatInspectionAlert]:
    j = jurisdiction_of(user)
    visible = JointInspection.objects.filter(_scope(j, user)).values("pk")
    return RepeatInspectionAlert.objects.filter(Q(inspection__in=visible) | Q(other__in=visible)).select_related(
        "subject"
    )


def plan_repeat_alerts(*, plan: InspectionPlan) -> list[RepeatInspectionAlert]:
    """The repeat-inspection alerts on visits holding checks of ``plan`` (shown on the plan page; the page has
    checked the reader may see the plan)."""
    return list(
        RepeatInspectionAlert.objects.filter(
            Q(inspection__checks__plan_subject__plan=plan) | Q(other__checks__plan_subject__plan=plan)
        )
        .select_related("subject")
        .distinct()
        .order_by("-created_at", "-pk")
    )


# --- the party's public record (亮码检查) -------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicInspector:
    name: str  # masked
    badge_no: str
    department: str
    signed: bool


@dataclass(frozen=True)
class PublicItem:
    department: str
    text: str
    outcome: str


@dataclass(frozen=True)
class PublicFinding:
    severity: str
    description: str


@dataclass(frozen=True)
class PublicRecord:
    inspection: JointInspection
    subject_name: str  # masked
    street: str
    status: str
    inspectors: list[PublicInspector]
    items: list[PublicItem]
    findings: list[PublicFinding]
    party_signed: bool
    party_refused: bool


def mask_person(name: str) -> str:
    """A person as the published records show one: surname and 某某."""
    return mask_subject_name(name, kind="individual_trader")


def public_record(*, token: str) -> PublicRecord:
    """亮码检查: the record the QR code names — who inspected (names masked, badge numbers, department), which
    items with which result, the findings and the outcome. Only a visit started or signed; any other token,
    a planned or a cancelled visit, answers "not found"."""
    inspection = (
        JointInspection.objects.filter(
            check_token=(token or "")[:64], status__in=[VisitStatus.STARTED, VisitStatus.SIGNED]
        )
        .select_related("subject", "street")
        .first()
    )
    if inspection is None or not token:
        raise NotFound("检查记录不存在", code="visit_not_found")
    record = visit_record(inspection=inspection)
    signed = {s.officer_id for s in record.officer_signatures}
    return PublicRecord(
        inspection=inspection,
        subject_name=mask_subject_name(inspection.subject.name, kind=inspection.subject.kind),
        street=inspection.street.name,
        status=inspection.get_status_display(),
        inspectors=[
            PublicInspector(
                name=mask_person(o.name),
                badge_no=o.badge_no,
                department=o.home_department.short_name or o.home_department.name,
                signed=o.pk in signed,
            )
            for o in record.officers
            if o.pk in signed or inspection.status != VisitStatus.SIGNED
        ],
        items=[
            PublicItem(
                department=s.department.short_name or s.department.name,
                text=r.item.text,
                outcome=r.result.get_outcome_display() if r.result else "未检查",
            )
            for s in record.sections
            for r in s.rows
        ],
        findings=[PublicFinding(f.get_severity_display(), f.description) for f in record.findings],
        party_signed=record.party_signature is not None and not record.party_signature.refused,
        party_refused=record.party_signature is not None and record.party_signature.refused,
    )
