"""Every write of the inspections app (issue 12, parts 1–2): checklist versions, plans, the draw, conflicts.

Each service checks the actor's right, validates everything before it writes, writes in one transaction
with its audit entry, and refuses bad input with a Chinese message and a code, writing nothing.
"""

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from zhifa.catalog.models import Matter, SubjectCategory
from zhifa.catalog.specs import ALL_CATEGORIES
from zhifa.core.actors import Actor, actor_label, actor_user, is_system
from zhifa.core.audit import audit_record, snapshot
from zhifa.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from zhifa.inspections import draw
from zhifa.inspections.grades import (
    COLOURS,
    GRADES,
    credit_grade_of,
    default_colour_weights,
    default_grade_weights,
    measures_applied,
    risk_colour_of,
    routine_check_subjects,
    subject_weight,
    with_credit_grades,
    with_risk_colours,
)
from zhifa.inspections.models import (
    ChecklistVersion,
    ChecklistVersionItem,
    ConflictOfInterest,
    InspectionPlan,
    PlanSubject,
)
from zhifa.inspections.permissions import can_make_plans, can_write_checklist
from zhifa.inspections.states import TRANSITIONS, PlanAction, PlanKind, PlanStatus
from zhifa.org.jurisdiction import Jurisdiction, jurisdiction_of
from zhifa.org.models import Department, Officer
from zhifa.subjects.models import Subject

MAX_SCORE = 100
MAX_WEIGHT = 100.0
TEXT_LIMIT = 300


# --- checklists -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemSpec:
    text: str
    legal_basis: str = ""
    method: str = ""
    score: int = 0
    problem_criteria: str = ""
    requires_photo: bool = False


@dataclass(frozen=True)
class SyncResult:
    created: int
    unchanged: int


def _require_checklist_writer(actor: Actor, matter: Matter) -> None:
    if is_system(actor):
        return
    j = jurisdiction_of(actor)
    if j.district_id != matter.district_id or not can_write_checklist(j, matter.department_id):
        raise PermissionDenied("您无权维护该事项的检查表", code="checklist_edit_forbidden")


def _item_problems(items: list[ItemSpec]) -> ValidationFailed | None:
    if not items:
        return ValidationFailed("检查表至少要有一个检查项", code="checklist_empty")
    for position, item in enumerate(items, start=1):
        if not item.text.strip():
            return ValidationFailed(
                f"第 {position} 项缺少检查内容", code="checklist_item_text_required", details={"position": position}
            )
        for field in ("text", "legal_basis", "method", "problem_criteria"):
            if len(getattr(item, field).strip()) > TEXT_LIMIT:
                return ValidationFailed(
                    f"第 {position} 项的内容超过 {TEXT_LIMIT} 字",
                    code="checklist_item_too_long",
                    details={"position": position, "field": field},
                )
        if not 0 <= item.score <= MAX_SCORE:
            return ValidationFailed(
                f"第 {position} 项的分值须在 0 到 {MAX_SCORE} 之间",
                code="checklist_item_score_invalid",
                details={"position": position},
            )
    return None


def _version_write(
    *, actor: Actor, matter: Matter, subject_category: str, items: list[ItemSpec], note: str
) -> ChecklistVersion:
    """A new version after the matter's latest for ``subject_category``. Caller holds the matter's row lock."""
    latest = ChecklistVersion.objects.filter(matter=matter, subject_category=subject_category).aggregate(
        n=Max("number")
    )["n"]
    version = ChecklistVersion.objects.create(
        district_id=matter.district_id,
        matter=matter,
        subject_category=subject_category,
        number=(latest or 0) + 1,
        note=note.strip()[:200],
        created_by=actor_label(actor),
    )
    ChecklistVersionItem.objects.bulk_create(
        ChecklistVersionItem(
            version=version,
            position=position,
            text=item.text.strip(),
            legal_basis=item.legal_basis.strip(),
            method=item.method.strip(),
            score=item.score,
            problem_criteria=item.problem_criteria.strip(),
            requires_photo=item.requires_photo,
        )
        for position, item in enumerate(items, start=1)
    )
    audit_record(
        actor=actor,
        action="checklist_version.create",
        obj=version,
        after={
            **snapshot(version),
            "items": [item.__dict__ for item in items],
        },
    )
    return version


def checklist_version_create(
    *, actor: Actor, matter_id: int, items: list[ItemSpec], subject_category: str = "", note: str = ""
) -> ChecklistVersion:
    """A new version of a matter's checklist (for one subject category, or for all when empty). Earlier
    versions are never changed: inspections that used them keep them."""
    matter = Matter.objects.filter(pk=matter_id).first()
    if matter is None:
        raise NotFound("执法事项不存在", code="matter_not_found")
    _require_checklist_writer(actor, matter)
    if subject_category and (
        subject_category not in SubjectCategory.values
        or (ALL_CATEGORIES not in matter.subject_categories and subject_category not in matter.subject_categories)
    ):
        raise ValidationFailed(
            "该事项不适用于所选业态", code="checklist_category_invalid", details={"category": subject_category}
        )
    problem = _item_problems(items)
    if problem is not None:
        raise problem
    try:
        with transaction.atomic():
            # Lock the matter: two editors saving at once must not both take the same next number (the unique
            # constraint is the backstop).
            locked = Matter.objects.select_for_update().get(pk=matter_id)
            return _version_write(actor=actor, matter=locked, subject_category=subject_category, items=items, note=note)
    except IntegrityError as exc:
        raise Conflict("检查表刚被他人修改，请刷新后重试", code="checklist_version_taken") from exc


def _catalogue_items(matter: Matter, previous: ChecklistVersion | None) -> list[ItemSpec]:
    """The catalogue's items as a version's items: what an earlier version said about the same text is kept,
    a new text starts with the matter's legal basis."""
    known = {item.text: item for item in previous.items.all()} if previous is not None else {}
    basis = f"{matter.law_name} {matter.violated_provision}".strip()[:TEXT_LIMIT]
    specs = []
    for row in sorted(matter.checklist.all(), key=lambda i: i.position):
        old = known.get(row.text)
        if old is not None:
            specs.append(
                ItemSpec(
                    text=old.text,
                    legal_basis=old.legal_basis,
                    method=old.method,
                    score=old.score,
                    problem_criteria=old.problem_criteria,
                    requires_photo=old.requires_photo,
                )
            )
        else:
            specs.append(ItemSpec(text=row.text, legal_basis=basis))
    return specs


def checklists_sync_from_catalogue(*, actor: Actor, district_id: int) -> SyncResult:
    """Bring every active matter's general checklist up to the catalogue's items (检查要点).

    A matter without a version gets its first from the catalogue; a matter whose catalogue items differ from
    its current version's texts (the catalogue replaces them wholesale on edit) gets a new version, carrying
    each unchanged item's basis, method, score, criteria and photo rule. Versions already made stay as they
    are. Running it twice changes nothing the second time."""
    if not is_system(actor):
        j = jurisdiction_of(actor)
        if j.district_id != district_id or not j.can_edit_catalogue:
            raise PermissionDenied("只有系统管理员和指挥中心可以同步检查表", code="checklist_edit_forbidden")
    created = unchanged = 0
    with transaction.atomic():
        # Lock the matters: a catalogue edit meanwhile would otherwise be half seen.
        matters = (
            Matter.objects.select_for_update()
            .filter(district_id=district_id, is_active=True)
            .prefetch_related("checklist")
            .order_by("pk")
        )
        for matter in matters:
            current = (
                ChecklistVersion.objects.filter(matter=matter, subject_category="")
                .prefetch_related("items")
                .order_by("-number")
                .first()
            )
            catalogue = [row.text for row in sorted(matter.checklist.all(), key=lambda i: i.position)]
            if not catalogue or (current is not None and [i.text for i in current.items.all()] == catalogue):
                unchanged += 1
                continue
            note = "依据事项目录检查要点建立" if current is None else "事项目录检查要点已修改"
            _version_write(
                actor=actor,
                matter=matter,
                subject_category="",
                items=_catalogue_items(matter, current),
                note=note,
            )
            created += 1
    return SyncResult(created=created, unchanged=unchanged)


# --- plans --------------------------------------------------------------------------------------------------------


def _plan_maker(actor: Actor, department: Department) -> Jurisdiction | None:
    if is_system(actor):
        return None
    j = jurisdiction_of(actor)
    if j.district_id != department.district_id or not can_make_plans(j, department.pk):
        raise PermissionDenied("您无权为该部门制定或抽取抽查计划", code="plan_forbidden")
    return j


def _weights(raw: dict[str, Any] | None, keys: tuple[str, ...], defaults: dict[str, float], field: str) -> dict:
    values = dict(defaults)
    values.update(raw or {})
    unknown = set(values) - set(keys)
    if unknown:
        raise ValidationFailed("权重的等级或颜色不存在", code="plan_weight_invalid", details={"field": field})
    checked: dict[str, float] = {}
    for key in keys:
        try:
            weight = float(values[key])
        except (TypeError, ValueError):
            weight = -1.0
        if not 0 < weight <= MAX_WEIGHT or weight != weight:
            raise ValidationFailed(
                f"权重须为大于 0、不超过 {MAX_WEIGHT:g} 的数（{key}）",
                code="plan_weight_invalid",
                details={"field": field, "key": key},
            )
        checked[key] = weight
    return checked


def plan_create(
    *,
    actor: Actor,
    department_id: int,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    target_ratio: Decimal | str,
    grade_weights: dict[str, Any] | None = None,
    colour_weights: dict[str, Any] | None = None,
    kind: str = PlanKind.RANDOM,
) -> InspectionPlan:
    """A department's inspection plan for a period, with the share of its subjects to draw (0 < ratio ≤ 1) and
    the multipliers the draw will use (defaults: grades A 0.5, B 1, C 2, D 4 — LEGAL.md; colours red 2,
    yellow 1, green 0.5). A special check (``PlanKind.SPECIAL``, 专项检查) takes every subject but the A grades
    (无事不扰): its ratio is 100 % whatever is given."""
    if kind not in PlanKind.values:
        raise ValidationFailed("计划类型无效", code="plan_kind_unknown", details={"field": "kind"})
    if kind == PlanKind.SPECIAL:
        target_ratio = Decimal("1")
    department = Department.objects.filter(pk=department_id).first()
    if department is None:
        raise NotFound("部门不存在", code="department_not_found")
    _plan_maker(actor, department)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("请填写计划名称", code="plan_name_required", details={"field": "name"})
    if len(name) > 100:
        raise ValidationFailed("计划名称不超过 100 字", code="plan_name_too_long", details={"field": "name"})
    if ends_on < starts_on:
        raise ValidationFailed("截止日期不能早于起始日期", code="plan_period_reversed", details={"field": "ends_on"})
    try:
        ratio = Decimal(str(target_ratio))
    except InvalidOperation:
        ratio = Decimal("-1")
    if not ratio.is_finite() or not Decimal("0") < ratio <= Decimal("1") or ratio != ratio.quantize(Decimal("0.0001")):
        raise ValidationFailed(
            "抽查比例须大于 0、不超过 100%（最多四位小数）",
            code="plan_ratio_out_of_range",
            details={"field": "target_ratio"},
        )
    grades = _weights(grade_weights, GRADES, default_grade_weights(), "grade_weights")
    colours = _weights(colour_weights, COLOURS, default_colour_weights(), "colour_weights")
    with transaction.atomic():
        plan = InspectionPlan.objects.create(
            district_id=department.district_id,
            department=department,
            name=name,
            kind=kind,
            starts_on=starts_on,
            ends_on=ends_on,
            target_ratio=ratio,
            grade_weights=grades,
            colour_weights=colours,
            created_by=actor_user(actor),
        )
        audit_record(actor=actor, action="inspection_plan.create", obj=plan, after=snapshot(plan))
    return plan


def department_categories(department_id: int) -> set[str]:
    """The subject categories the department's active matters apply to ("*": all)."""
    categories: set[str] = set()
    for listed in Matter.objects.filter(department_id=department_id, is_active=True).values_list(
        "subject_categories", flat=True
    ):
        categories.update(listed or ())
    return categories


def _eligible_subjects(plan: InspectionPlan) -> list[Subject]:
    categories = department_categories(plan.department_id)
    subjects = Subject.objects.filter(district_id=plan.district_id, is_active=True)
    if ALL_CATEGORIES not in categories:
        subjects = subjects.filter(category__in=sorted(categories))
    return with_risk_colours(with_credit_grades(list(subjects.order_by("pk"))))


def eligible_officers(*, department_id: int, on: dt.date) -> list[Officer]:
    """The department's officers on duty whose certificate is valid on ``on`` and covers a domain of one of
    the department's active matters (APL 42: only certified officers inspect)."""
    domains = set(Matter.objects.filter(department_id=department_id, is_active=True).values_list("domain", flat=True))
    officers = Officer.objects.filter(
        home_department_id=department_id, is_active=True, certificate_valid_until__gte=on
    ).order_by("pk")
    return [o for o in officers if domains & set(o.certified_domains or ())]


def _previous_pairs(plan: InspectionPlan) -> dict[int, frozenset[int]]:
    """For each subject, the pair that inspected it in the department's latest earlier draw."""
    rows = (
        PlanSubject.objects.filter(plan__department_id=plan.department_id, plan__status=PlanStatus.DRAWN)
        .exclude(plan=plan)
        .order_by("plan__drawn_at", "plan_id")
        .values_list("subject_id", "first_officer_id", "second_officer_id")
    )
    return {subject_id: frozenset((a, b)) for subject_id, a, b in rows}


def plan_draw(*, actor: Actor, plan_id: int, public_value: str = "") -> InspectionPlan:
    """双随机: draw the plan's subjects and two inspectors for each (ZJR 21), once.

    The seed comes from the plan's id and ``public_value`` — a value nobody knew when the plan was made (the
    day's lottery number, say); left empty, sixteen random hex digits are chosen now. Both are published with
    every input the draw read, so that anyone can re-run it (docs/inspections.md; inspection_draw_verify)."""
    plan = InspectionPlan.objects.filter(pk=plan_id).select_related("department").first()
    if plan is None:
        raise NotFound("抽查计划不存在", code="plan_not_found")
    _plan_maker(actor, plan.department)
    public_value = (public_value or "").strip()
    if len(public_value) > 100:
        raise ValidationFailed("公开随机值不超过 100 字", code="plan_public_value_too_long")
    if not public_value:
        public_value = secrets.token_hex(8)
    with transaction.atomic():
        # Lock the plan: two draws at once must not both find it undrawn.
        plan = InspectionPlan.objects.select_for_update().select_related("department").get(pk=plan_id)
        next_status = TRANSITIONS.get((plan.status, PlanAction.DRAW))
        if next_status is None:
            raise Conflict("该计划已抽取，不能重新抽取", code="plan_already_drawn")
        subjects = _eligible_subjects(plan)
        if plan.kind == PlanKind.SPECIAL:
            subjects = routine_check_subjects(
                subjects, where=f"专项检查计划「{plan.name}」抽取", source_type="inspection_plan", source_id=plan.pk
            )
        if not subjects:
            raise ValidationFailed("本部门没有可抽查的在营执法对象", code="plan_no_subjects")
        officers = eligible_officers(department_id=plan.department_id, on=timezone.localdate())
        if len(officers) < 2:
            raise ValidationFailed(
                "本部门在岗且持有效执法证的人员不足两名，无法抽取检查人员", code="plan_no_inspectors"
            )
        candidates = [
            draw.Candidate(
                subject_id=s.pk,
                grade=credit_grade_of(s),
                colour=risk_colour_of(s),
                weight=subject_weight(
                    grade=credit_grade_of(s),
                    colour=risk_colour_of(s),
                    grade_weights=plan.grade_weights,
                    colour_weights=plan.colour_weights,
                ),
            )
            for s in subjects
        ]
        officer_ids = [o.pk for o in officers]
        # The officers' declared conflicts (a department's few), kept for the subjects drawn from in Python: the
        # subjects' ids would be one parameter each, and a district has more than a statement takes.
        subject_ids = {s.pk for s in subjects}
        conflicts = {
            (officer_id, subject_id)
            for officer_id, subject_id in ConflictOfInterest.objects.filter(officer_id__in=officer_ids).values_list(
                "officer_id", "subject_id"
            )
            if subject_id in subject_ids
        }
        previous = _previous_pairs(plan)
        inputs = {
            "algorithm": draw.ALGORITHM,
            "ratio": str(plan.target_ratio),
            "candidates": [[c.subject_id, c.grade, c.colour, c.weight] for c in candidates],
            "officers": officer_ids,
            "conflicts": sorted([o, s] for o, s in conflicts),
            "previous_pairs": {str(s): sorted(pair) for s, pair in sorted(previous.items())},
        }
        plan.public_value = public_value
        plan.seed = draw.draw_seed(plan_id=plan.pk, public_value=public_value)
        drawn, assignments = draw_from_inputs(seed=plan.seed, inputs=inputs)
        if assignments is None:
            raise ValidationFailed(
                "有抽中对象在回避后可派的执法人员不足两名",
                code="plan_subject_no_inspectors",
                details={"subject_id": drawn[0].subject_id if drawn else None},
            )
        PlanSubject.objects.bulk_create(
            PlanSubject(
                plan=plan,
                subject_id=c.subject_id,
                position=position,
                credit_grade=c.grade,
                risk_colour=c.colour,
                weight=c.weight,
                is_mandatory=c.grade == draw.MANDATORY_GRADE,
                first_officer_id=a.first_officer_id,
                second_officer_id=a.second_officer_id,
            )
            for position, (c, a) in enumerate(zip(drawn, assignments, strict=True), start=1)
        )
        # 联合奖惩 (issue 13 part 4): each subject whose grade moved its weight off 1× had the multiplier applied.
        drawn_ids = {c.subject_id for c in drawn}
        measures_applied(
            "inspection_multiplier",
            [
                (s, c.grade, {"multiplier": float(plan.grade_weights[c.grade]), "drawn": c.subject_id in drawn_ids})
                for s, c in zip(subjects, candidates, strict=True)
                if float(plan.grade_weights[c.grade]) != 1.0
            ],
            where=f"抽查计划「{plan.name}」抽取",
            source_type="inspections.inspectionplan",
            source_id=plan.pk,
        )
        plan.status = next_status
        plan.algorithm = draw.ALGORITHM
        plan.draw_inputs = inputs
        plan.drawn_at = timezone.now()
        plan.drawn_by = actor_label(actor)
        plan.save(
            update_fields=[
                "status",
                "public_value",
                "seed",
                "algorithm",
                "draw_inputs",
                "drawn_at",
                "drawn_by",
                "updated_at",
            ]
        )
        audit_record(
            actor=actor,
            action="inspection_plan.draw",
            obj=plan,
            before={"status": PlanStatus.DRAFT},
            after={
                "status": plan.status,
                "public_value": public_value,
                "seed": plan.seed,
                "algorithm": plan.algorithm,
                "drawn": [[a.subject_id, a.first_officer_id, a.second_officer_id] for a in assignments],
            },
        )
    return plan


def draw_from_inputs(*, seed: str, inputs: dict[str, Any]) -> tuple[list[draw.Candidate], list[draw.Assignment] | None]:
    """The draw from its stored inputs: what ``plan_draw`` does and what verification re-runs. Assignments are
    None (with the offending subject first in the list) when a subject has fewer than two free officers."""
    candidates = [draw.Candidate(int(i), str(g), str(c), float(w)) for i, g, c, w in inputs["candidates"]]
    mandatory = sum(1 for c in candidates if c.grade == draw.MANDATORY_GRADE)
    count = draw.draw_count(eligible=len(candidates), ratio=Decimal(inputs["ratio"]), mandatory=mandatory)
    drawn = draw.draw_subjects(seed=seed, candidates=candidates, count=count)
    try:
        assignments = draw.assign_officers(
            seed=seed,
            subject_ids=[c.subject_id for c in drawn],
            officer_ids=[int(o) for o in inputs["officers"]],
            conflicts={(int(o), int(s)) for o, s in inputs["conflicts"]},
            previous_pairs={int(s): frozenset(int(o) for o in pair) for s, pair in inputs["previous_pairs"].items()},
        )
    except draw.NotEnoughOfficers as exc:
        first = next(c for c in drawn if c.subject_id == exc.subject_id)
        return [first, *(c for c in drawn if c is not first)], None
    return drawn, assignments


# --- conflicts of interest ----------------------------------------------------------------------------------------


def conflict_declare(*, actor: Actor, officer_id: int, subject_id: int, reason: str) -> ConflictOfInterest:
    """Record that an officer is related to a subject (回避): no draw gives them that subject."""
    officer = Officer.objects.filter(pk=officer_id).select_related("home_department").first()
    if officer is None:
        raise NotFound("执法人员不存在", code="officer_not_found")
    _plan_maker(actor, officer.home_department)
    subject = Subject.objects.filter(pk=subject_id, district_id=officer.district_id).first()
    if subject is None:
        raise NotFound("执法对象不存在", code="subject_not_found")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请说明利益关系", code="conflict_reason_required", details={"field": "reason"})
    if len(reason) > 200:
        raise ValidationFailed("关系说明不超过 200 字", code="conflict_reason_too_long", details={"field": "reason"})
    try:
        with transaction.atomic():
            conflict = ConflictOfInterest.objects.create(
                district_id=officer.district_id,
                officer=officer,
                subject=subject,
                reason=reason,
                recorded_by=actor_label(actor),
            )
            audit_record(actor=actor, action="conflict_of_interest.create", obj=conflict, after=snapshot(conflict))
    except IntegrityError as exc:
        # The unique constraint decides, not an exists() check: two clerks recording the same relation at once.
        raise Conflict("该执法人员与该对象的利益关系已登记", code="conflict_already_recorded") from exc
    return conflict
