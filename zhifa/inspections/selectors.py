"""Every read of the inspections app, scoped to the reader (``permissions``): plans, a subject's generated
checklist, the published draws (no login; names masked) and the re-run of a draw."""

from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet

from zhifa.catalog.models import Matter
from zhifa.core.batches import batches
from zhifa.core.errors import NotFound, PermissionDenied, ValidationFailed
from zhifa.inspections import draw
from zhifa.inspections.grades import subject_weight
from zhifa.inspections.models import (
    ChecklistVersion,
    ConflictOfInterest,
    InspectionFinding,
    InspectionPlan,
    PlanSubject,
    RectificationOrder,
)
from zhifa.inspections.permissions import PLAN_MAKERS, can_make_plans, can_read_department_plans
from zhifa.inspections.publication import mask_subject_name
from zhifa.inspections.services import draw_from_inputs
from zhifa.inspections.states import PlanStatus, RectificationStatus, VisitStatus
from zhifa.org.jurisdiction import jurisdiction_of
from zhifa.org.models import Department, Officer
from zhifa.subjects.models import Subject
from zhifa.subjects.selectors import subject_get, subject_list, subject_matters

# --- plans ------------------------------------------------------------------------------------------------------


def plan_list(*, user: Any) -> QuerySet[InspectionPlan]:
    j = jurisdiction_of(user)
    plans = InspectionPlan.objects.filter(district_id=j.district_id)
    if not j.is_district_wide:
        if not j.is_department_scoped:
            raise PermissionDenied("您的岗位无权查看抽查计划", code="plan_not_allowed")
        plans = plans.filter(department_id=j.own_department_id)
    return plans.select_related("department").annotate(drawn_count=Count("drawn")).order_by("-starts_on", "-pk")


def plan_get(*, user: Any, plan_id: int) -> InspectionPlan:
    j = jurisdiction_of(user)
    plan = InspectionPlan.objects.select_related("department").filter(pk=plan_id, district_id=j.district_id).first()
    if plan is None or not can_read_department_plans(j, plan.department_id):
        raise NotFound("抽查计划不存在或不在您的管辖范围内", code="plan_not_found", details={"id": plan_id})
    return plan


def plan_drawn(*, plan: InspectionPlan) -> list[PlanSubject]:
    return list(
        plan.drawn.select_related("subject", "subject__street", "first_officer", "second_officer").order_by("position")
    )


def plan_departments(*, user: Any) -> list[Department]:
    """The departments the user may make plans for."""
    j = jurisdiction_of(user)
    departments = Department.objects.filter(district_id=j.district_id).order_by("code")
    if j.role in PLAN_MAKERS:
        return list(departments)
    return [d for d in departments if can_make_plans(j, d.pk)]


def can_draw(*, user: Any, plan: InspectionPlan) -> bool:
    return plan.status == PlanStatus.DRAFT and can_make_plans(jurisdiction_of(user), plan.department_id)


def conflict_list(*, user: Any) -> QuerySet[ConflictOfInterest]:
    """Recorded conflicts of interest: the district's for the district-wide posts, a liaison's department's
    officers' for a liaison; nobody else."""
    j = jurisdiction_of(user)
    conflicts = ConflictOfInterest.objects.filter(district_id=j.district_id)
    if not j.is_district_wide:
        if not j.is_department_scoped:
            raise PermissionDenied("您的岗位无权查看利益冲突申报", code="plan_not_allowed")
        conflicts = conflicts.filter(officer__home_department_id=j.own_department_id)
    return conflicts.select_related("officer", "officer__home_department", "subject").order_by("-created_at", "-pk")


def conflict_officers(*, user: Any) -> list[Officer]:
    """The officers whose conflicts the user may record: those of the departments the user plans for."""
    departments = [d.pk for d in plan_departments(user=user)]
    return list(
        Officer.objects.filter(home_department_id__in=departments, is_active=True)
        .select_related("home_department")
        .order_by("home_department__code", "badge_no")
    )


def conflict_subject(*, user: Any, key: str) -> Subject:
    """The one subject in the user's scope whose USCC, plate or name matches ``key`` exactly, else a refusal."""
    key = (key or "").strip()
    found = [s for s in subject_list(user=user, q=key)[:50] if key in (s.uscc, s.plate_number, s.name)] if key else []
    if len(found) != 1:
        raise ValidationFailed(
            "未找到唯一的执法对象，请输入完整的统一社会信用代码、车牌号或名称",
            code="conflict_subject_not_found",
            details={"field": "subject"},
        )
    return found[0]


# --- a subject's generated checklist --------------------------------------------------------------------------


@dataclass
class MatterChecklist:
    matter: Matter
    version: ChecklistVersion | None  # None: no version made yet for this matter


@dataclass
class DepartmentChecklist:
    department: Department
    matters: list[MatterChecklist] = field(default_factory=list)


@dataclass
class GeneratedChecklist:
    subject: Subject
    departments: list[DepartmentChecklist]

    @property
    def item_count(self) -> int:
        return sum(len(m.version.items.all()) for d in self.departments for m in d.matters if m.version)


def subject_checklist(*, user: Any, subject_id: int) -> GeneratedChecklist:
    """The items of the current checklist version of every matter that applies to the subject, grouped by
    department (by code), each with the version it came from. A category's own version is preferred to the
    matter's general one. Scoped as the subject is (``subjects.selectors.subject_get``)."""
    subject = subject_get(user=user, subject_id=subject_id)
    matters = subject_matters(subject=subject)
    versions = (
        ChecklistVersion.objects.filter(matter__in=matters, subject_category__in=["", subject.category])
        .prefetch_related("items")
        .order_by("matter_id", "subject_category", "number")
    )
    current: dict[int, ChecklistVersion] = {}
    for version in versions:
        held = current.get(version.matter_id)
        # Ordered by category ("" first) then number: the last one seen is the category's latest if it has
        # one, else the general latest.
        if held is None or version.subject_category or not held.subject_category:
            current[version.matter_id] = version
    groups: dict[int, DepartmentChecklist] = {}
    for matter in sorted(matters, key=lambda m: (m.department.code, m.code)):
        group = groups.setdefault(matter.department_id, DepartmentChecklist(department=matter.department))
        group.matters.append(MatterChecklist(matter=matter, version=current.get(matter.pk)))
    return GeneratedChecklist(subject=subject, departments=list(groups.values()))


def matter_versions(*, matter_id: int) -> list[ChecklistVersion]:
    return list(ChecklistVersion.objects.filter(matter_id=matter_id).prefetch_related("items").order_by("-number"))


# --- publication (no login) ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicSubject:
    position: int
    name: str  # masked
    street: str
    category: str
    grade: str
    is_mandatory: bool
    result: str = "待检查"  # 一公开: the inspection's result once its visit is signed (no names, no details)


@dataclass(frozen=True)
class PublicPlan:
    plan: InspectionPlan
    eligible: int
    subjects: list[PublicSubject]  # those shown: the first ones on the list of plans, a page on the plan's own
    drawn: int  # how many subjects the plan drew


def _public_results(rows: list[PlanSubject]) -> dict[int, str]:
    """The published result of each drawn subject's check (双随机一公开: 抽查情况及查处结果): where its visit stands,
    and once signed, how many problems were found and how many of them are rectified — two grouped queries a
    batch of visits."""
    visits = {
        row.pk: row.inspection_check.inspection
        for row in rows
        if hasattr(row, "inspection_check") and row.inspection_check is not None
    }
    # Every drawn plan's signed visits, across the years: read in batches (one parameter a visit otherwise).
    signed = sorted(v.pk for v in visits.values() if v.status == VisitStatus.SIGNED)
    findings: dict[int, int] = {}
    rectified: dict[int, int] = {}
    for chunk in batches(signed):
        findings.update(
            InspectionFinding.objects.filter(inspection_id__in=chunk)
            .values_list("inspection_id")
            .annotate(n=Count("pk"))
            .values_list("inspection_id", "n")
        )
        rectified.update(
            RectificationOrder.objects.filter(finding__inspection_id__in=chunk, status=RectificationStatus.RECTIFIED)
            .values_list("finding__inspection_id")
            .annotate(n=Count("pk"))
            .values_list("finding__inspection_id", "n")
        )
    results: dict[int, str] = {}
    for plan_subject_id, visit in visits.items():
        if visit.status != VisitStatus.SIGNED:
            results[plan_subject_id] = {VisitStatus.STARTED: "检查中", VisitStatus.CANCELLED: "已取消"}.get(
                VisitStatus(visit.status), "待检查"
            )
        elif not findings.get(visit.pk):
            results[plan_subject_id] = "已检查，未发现问题"
        else:
            results[plan_subject_id] = (
                f"已检查，发现问题 {findings[visit.pk]} 个，已整改 {rectified.get(visit.pk, 0)} 个"
            )
    return results


# 双随机一公开 grows by a few plans a month for years, and a plan may draw thousands of subjects: the public page
# shows the newest plans a page at a time, each with its first subjects; a plan's page lists all of them, paged.
PUBLIC_PLANS_PER_PAGE = 10
PUBLIC_SUBJECTS_PREVIEW = 50
PUBLIC_SUBJECTS_PER_PAGE = 100


def _public_subjects(rows: list[PlanSubject]) -> list[PublicSubject]:
    results = _public_results(rows)
    return [
        PublicSubject(
            position=row.position,
            name=mask_subject_name(row.subject.name, kind=row.subject.kind),
            street=row.subject.street.name,
            category=row.subject.get_category_display(),
            grade=row.credit_grade,
            is_mandatory=row.is_mandatory,
            result=results.get(row.pk, "待检查"),
        )
        for row in rows
    ]


def _plan_subject_rows(plan_id: int) -> QuerySet[PlanSubject]:
    return (
        PlanSubject.objects.filter(plan_id=plan_id)
        .select_related("subject", "subject__street", "inspection_check__inspection")
        .order_by("position")
    )


def _drawn_plans() -> QuerySet[InspectionPlan]:
    return (
        InspectionPlan.objects.filter(status=PlanStatus.DRAWN)
        .select_related("department", "district")
        .order_by("-drawn_at", "-pk")
    )


def public_plans(*, page: Any = None) -> tuple[Page, list[PublicPlan]]:
    """双随机一公开: a page of the drawn plans (newest draw first) with their seed, public value and algorithm, how
    many subjects each drew and its first ``PUBLIC_SUBJECTS_PREVIEW``, names masked
    (``publication.mask_subject_name``); inspectors are not named here. ``page`` as given by the visitor (a
    page out of range or not a number gives the nearest page)."""
    plans_page = Paginator(_drawn_plans(), PUBLIC_PLANS_PER_PAGE).get_page(page)
    plans = list(plans_page.object_list)
    drawn = dict(
        PlanSubject.objects.filter(plan__in=plans)
        .values_list("plan_id")
        .annotate(n=Count("pk"))
        .values_list("plan_id", "n")
    )
    published = [
        PublicPlan(
            plan=p,
            eligible=len((p.draw_inputs or {}).get("candidates", [])),
            subjects=_public_subjects(list(_plan_subject_rows(p.pk)[:PUBLIC_SUBJECTS_PREVIEW])),
            drawn=drawn.get(p.pk, 0),
        )
        for p in plans
    ]
    return plans_page, published


def public_plan(*, plan_id: int, page: Any = None) -> tuple[PublicPlan, Page] | None:
    """One drawn plan as published, with a page of all its drawn subjects; None when no such plan was drawn."""
    plan = _drawn_plans().filter(pk=plan_id).first()
    if plan is None:
        return None
    rows_page = Paginator(_plan_subject_rows(plan.pk), PUBLIC_SUBJECTS_PER_PAGE).get_page(page)
    subjects = _public_subjects(list(rows_page.object_list))
    published = PublicPlan(
        plan=plan,
        eligible=len((plan.draw_inputs or {}).get("candidates", [])),
        subjects=subjects,
        drawn=rows_page.paginator.count,
    )
    return published, rows_page


def public_draw_record(*, plan_id: int) -> dict[str, Any]:
    """A drawn plan's published record, enough to re-run the subject draw by hand (docs/inspections.md): plan
    id, public value, seed, algorithm, the multipliers, the candidates by subject id with grade, colour and
    weight, and the drawn subjects in draw order. Ids only, no names — and nothing of the inspectors: who
    inspects whom stays unannounced until the inspection, and the declared conflicts of interest are the
    officers' own; ``manage.py inspection_draw_verify`` re-runs the whole draw, inspectors included."""
    plan = InspectionPlan.objects.filter(pk=plan_id, status=PlanStatus.DRAWN).first()
    if plan is None:
        raise NotFound("抽查计划不存在或尚未抽取", code="plan_not_found", details={"id": plan_id})
    inputs = plan.draw_inputs or {}
    return {
        "plan_id": plan.pk,
        "public_value": plan.public_value,
        "seed": plan.seed,
        "algorithm": plan.algorithm,
        "grade_weights": plan.grade_weights,
        "colour_weights": plan.colour_weights,
        "inputs": {"ratio": inputs.get("ratio"), "candidates": inputs.get("candidates", [])},
        "result": [
            {"position": p, "subject_id": s}
            for p, s in plan.drawn.order_by("position").values_list("position", "subject_id")
        ],
    }


# --- verification -------------------------------------------------------------------------------------------


def plan_draw_verify(*, plan: InspectionPlan) -> list[str]:
    """Re-run a drawn plan from its published inputs; the differences found (empty: the draw stands).

    Checks the seed against the plan id and public value, every candidate's weight against its grade, colour
    and the plan's stored multipliers, and the subjects, their order and their inspectors against the rows."""
    if plan.status != PlanStatus.DRAWN or not plan.draw_inputs:
        return ["计划尚未抽取"]
    problems = []
    inputs = plan.draw_inputs
    seed = draw.draw_seed(plan_id=plan.pk, public_value=plan.public_value)
    if seed != plan.seed:
        problems.append(f"随机种子不符：应为 {seed}，记录为 {plan.seed}")
    if inputs.get("ratio") != str(plan.target_ratio):
        problems.append(f"抽查比例不符：输入 {inputs.get('ratio')}，计划 {plan.target_ratio}")
    for subject_id, grade, colour, weight in inputs["candidates"]:
        expected = subject_weight(
            grade=grade, colour=colour, grade_weights=plan.grade_weights, colour_weights=plan.colour_weights
        )
        if expected != weight:
            problems.append(f"对象 {subject_id} 的权重不符：应为 {expected}，记录为 {weight}")
    _drawn, assignments = draw_from_inputs(seed=seed, inputs=inputs)
    expected_rows = (
        [(i, a.subject_id, a.first_officer_id, a.second_officer_id) for i, a in enumerate(assignments, start=1)]
        if assignments is not None
        else []
    )
    stored_rows = list(
        plan.drawn.order_by("position").values_list("position", "subject_id", "first_officer_id", "second_officer_id")
    )
    if expected_rows != stored_rows:
        problems.append(f"抽取结果不符：重算 {len(expected_rows)} 个对象，记录 {len(stored_rows)} 个")
        for exp, got in zip(expected_rows, stored_rows, strict=False):
            if exp != got:
                problems.append(
                    f"第 {exp[0]} 位：重算 对象{exp[1]} 人员{exp[2]}、{exp[3]}；记录 对象{got[1]} 人员{got[2]}、{got[3]}"
                )
                break
    return problems


def plan_for_verify(*, plan_id: int) -> InspectionPlan:
    plan = InspectionPlan.objects.filter(pk=plan_id).first()
    if plan is None:
        raise NotFound("抽查计划不存在", code="plan_not_found")
    return plan
