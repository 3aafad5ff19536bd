"""The complaint taxonomy (诉求类型): install it for a district from the project's list, and let the district's
administrators change what a kind routes to.

The list (``data/complaint_kinds.csv``) is the district's division of labour: each kind's handling department
(by department code), default priority, clock policy, the deadline a coordinating department answers within,
and the catalogue matters it covers. The codes are the triage model's labels, so a district may change what a
kind *does* (department, priority, clock, matters, active) but not add codes the model was never taught:
``kind_update`` edits one kind; a new kind comes with new labelled texts in the corpus and a retrained model.
"""

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from zhifa.catalog.models import ClockPolicy, ComplaintKind, ComplaintPriority, Matter
from zhifa.catalog.permissions import require_catalogue_editor
from zhifa.core.actors import Actor
from zhifa.core.audit import audit_record
from zhifa.core.errors import NotFound, ValidationFailed
from zhifa.org.models import Department

KINDS_CSV = Path(__file__).resolve().parent / "data" / "complaint_kinds.csv"
EDITABLE_FIELDS = ("name", "department_id", "default_priority", "clock_policy", "due_hours", "scope", "is_active")


@dataclass(frozen=True)
class KindRow:
    code: str
    name: str
    department_code: str
    default_priority: str
    clock_policy: str
    due_hours: int | None
    matter_codes: tuple[str, ...]
    scope: str


def kind_rows(path: Path = KINDS_CSV) -> list[KindRow]:
    """The project's list of kinds, as written."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [
            KindRow(
                code=row["code"].strip(),
                name=row["name"].strip(),
                department_code=row["department"].strip(),
                default_priority=row["priority"].strip(),
                clock_policy=row["clock_policy"].strip(),
                due_hours=int(row["due_hours"]) if row["due_hours"].strip() else None,
                matter_codes=tuple(code for code in row["matters"].split("|") if code.strip()),
                scope=row["scope"].strip(),
            )
            for row in csv.DictReader(handle)
        ]


def kinds_install(
    *, actor: Actor, district_id: int, rows: list[KindRow] | None = None, only_known_departments: bool = False
) -> int:
    """Create the district's kinds that do not exist yet (existing ones keep their local edits); returns how many
    were created. A kind whose department the district lacks is refused (``kind_department_missing``) — or,
    with ``only_known_departments`` (a test district with a few departments), skipped. Matter codes the
    district's catalogue lacks are left out of the kind."""
    require_catalogue_editor(actor, district_id=district_id)
    rows = kind_rows() if rows is None else rows
    departments = set(Department.objects.filter(district_id=district_id).values_list("code", flat=True))
    missing = sorted({r.department_code for r in rows if r.department_code not in departments})
    if missing and not only_known_departments:
        raise ValidationFailed(
            f"本区缺少诉求类型所需的部门：{'、'.join(missing)}",
            code="kind_department_missing",
            details={"departments": missing},
        )
    with transaction.atomic():
        kinds = kinds_write(district_id=district_id, rows=rows)
        if kinds:
            audit_record(
                actor=actor,
                action="complaint_kind.install",
                object_type="catalog.complaintkind",
                after={"codes": [k.code for k in kinds]},
                district_id=district_id,
            )
    return len(kinds)


def kinds_write(*, district_id: int, rows: list[KindRow]) -> list[ComplaintKind]:
    """The rows of ``kinds_install`` (kinds the district lacks, whose department it has), unaudited: the
    service audits them; test worlds build their taxonomy with it as factories build other rows."""
    departments = {d.code: d for d in Department.objects.filter(district_id=district_id)}
    matters = {m.code: m for m in Matter.objects.filter(district_id=district_id)}
    existing = set(ComplaintKind.objects.filter(district_id=district_id).values_list("code", flat=True))
    new_rows = [r for r in rows if r.code not in existing and r.department_code in departments]
    kinds = ComplaintKind.objects.bulk_create(
        ComplaintKind(
            district_id=district_id,
            code=row.code,
            name=row.name,
            department=departments[row.department_code],
            default_priority=row.default_priority,
            clock_policy=row.clock_policy,
            due_hours=row.due_hours,
            scope=row.scope,
        )
        for row in new_rows
    )
    through = ComplaintKind.matters.through
    through.objects.bulk_create(
        through(complaintkind_id=kind.pk, matter_id=matters[code].pk)
        for kind, row in zip(kinds, new_rows, strict=True)
        for code in row.matter_codes
        if code in matters
    )
    return kinds


def kind_update(*, actor: Actor, kind_id: int, changes: dict[str, Any]) -> ComplaintKind:
    """Change what one kind routes to (fields of ``EDITABLE_FIELDS``, and ``matter_ids``); audited."""
    kind = ComplaintKind.objects.filter(pk=kind_id).first()
    if kind is None:
        raise NotFound("诉求类型不存在", code="kind_not_found", details={"kind_id": kind_id})
    require_catalogue_editor(actor, district_id=kind.district_id)
    unknown = sorted(set(changes) - {*EDITABLE_FIELDS, "matter_ids"})
    if unknown:
        raise ValidationFailed("不能修改这些字段", code="kind_field_not_editable", details={"fields": unknown})
    _check(kind, changes)
    with transaction.atomic():
        locked = ComplaintKind.objects.select_for_update().get(pk=kind.pk)
        before = kind_snapshot(locked)
        for name in EDITABLE_FIELDS:
            if name in changes:
                setattr(locked, name, changes[name])
        locked.save()
        if "matter_ids" in changes:
            locked.matters.set(changes["matter_ids"])
        after = kind_snapshot(locked)
        if after != before:
            audit_record(actor=actor, action="complaint_kind.update", obj=locked, before=before, after=after)
    return locked


def kind_snapshot(kind: ComplaintKind) -> dict[str, Any]:
    return {
        "code": kind.code,
        "name": kind.name,
        "department_id": kind.department_id,
        "default_priority": kind.default_priority,
        "clock_policy": kind.clock_policy,
        "due_hours": kind.due_hours,
        "matter_ids": sorted(kind.matters.values_list("pk", flat=True)),
        "scope": kind.scope,
        "is_active": kind.is_active,
    }


def _check(kind: ComplaintKind, changes: dict[str, Any]) -> None:
    if "name" in changes and not str(changes["name"]).strip():
        raise ValidationFailed("类型名称不能为空", code="kind_name_required", details={})
    if (
        "department_id" in changes
        and not Department.objects.filter(pk=changes["department_id"], district_id=kind.district_id).exists()
    ):
        raise ValidationFailed("办理部门不属于本区", code="kind_department_unknown", details={})
    if "default_priority" in changes and changes["default_priority"] not in ComplaintPriority.values:
        raise ValidationFailed("优先级无效", code="kind_priority_invalid", details={})
    if "clock_policy" in changes and changes["clock_policy"] not in ClockPolicy.values:
        raise ValidationFailed("计时方式无效", code="kind_clock_policy_invalid", details={})
    policy = changes.get("clock_policy", kind.clock_policy)
    due = changes.get("due_hours", kind.due_hours)
    if policy != ClockPolicy.ON_SITE and not due:
        raise ValidationFailed("转部门办理和咨询答复须设办理时限（小时）", code="kind_due_hours_required", details={})
    if "matter_ids" in changes:
        ids = list(changes["matter_ids"])
        if Matter.objects.filter(pk__in=ids, district_id=kind.district_id).count() != len(set(ids)):
            raise ValidationFailed("对应执法事项须为本区事项", code="kind_matter_unknown", details={})
