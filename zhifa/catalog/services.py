"""Every write to the enforcement-matter catalogue (执法事项目录).

Each service checks the actor's right (``permissions.require_catalogue_editor``), validates the whole spec
(``specs.spec_problems``) before touching the database, writes the matter with its discretion tiers and
checklist in one transaction, and appends one audit entry per matter with a before/after snapshot
(全过程记录, APL 47; ZJR 34). Tiers and checklist are part of the matter: a change replaces them wholesale,
and the snapshot carries them, so the audit trail shows exactly which fine range a case was decided under.
"""

import dataclasses
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction

from zhifa.catalog.models import ChecklistItem, DiscretionLevel, HandlingPhrase, HandlingResultType, Matter
from zhifa.catalog.permissions import require_catalogue_editor
from zhifa.catalog.specs import (
    TIER_ORDER,
    MatterSpec,
    Problem,
    TierSpec,
    normalise_categories,
    normalise_keywords,
    spec_problems,
)
from zhifa.core.actors import Actor
from zhifa.core.audit import audit_record, snapshot
from zhifa.core.errors import Conflict, NotFound, ValidationFailed
from zhifa.org.models import Department, District

CENT = Decimal("0.01")

# The fields ``matter_update`` accepts; tiers and checklist replace the whole set when given.
UPDATABLE_FIELDS = {f.name for f in dataclasses.fields(MatterSpec)}


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def matter_create(*, actor: Actor, district_id: int, spec: MatterSpec) -> Matter:
    """Add one matter to ``district_id``'s catalogue; its code must be new in the district."""
    require_catalogue_editor(actor, district_id=district_id)
    spec = _normalised(spec)
    _raise_if_invalid(spec_problems(spec) + _department_problems(district_id, [spec]))
    try:
        with transaction.atomic():
            if Matter.objects.filter(district_id=district_id, code=spec.code).exists():
                raise _code_taken(spec.code)
            matter = Matter(district_id=district_id)
            _write(matter, spec)
            audit_record(actor=actor, action="matter.create", obj=matter, after=matter_snapshot(matter))
    except IntegrityError as exc:
        # Two editors creating the same code at once: the unique constraint decides, not the exists() check.
        raise _code_taken(spec.code) from exc
    return matter


def matter_update(*, actor: Actor, matter_id: int, changes: dict[str, Any]) -> Matter:
    """Change the given fields of one matter (``changes`` keys are ``MatterSpec`` field names)."""
    unknown = set(changes) - UPDATABLE_FIELDS
    if unknown:
        raise ValidationFailed(
            f"不能修改字段：{'、'.join(sorted(unknown))}",
            code="matter_field_unknown",
            details={"fields": sorted(unknown)},
        )
    matter = Matter.objects.filter(pk=matter_id).first()
    if matter is None:
        raise NotFound("执法事项不存在", code="matter_not_found")
    require_catalogue_editor(actor, district_id=matter.district_id)
    try:
        with transaction.atomic():
            # Lock the row: two edits of the same matter must not both read the old tiers and both win.
            locked = Matter.objects.select_for_update().get(pk=matter_id)
            before = matter_snapshot(locked)
            spec = _normalised(dataclasses.replace(spec_of(locked), **changes))
            _raise_if_invalid(spec_problems(spec) + _department_problems(locked.district_id, [spec]))
            if (
                spec.code != locked.code
                and Matter.objects.filter(district_id=locked.district_id, code=spec.code).exists()
            ):
                raise _code_taken(spec.code)
            _write(locked, spec)
            audit_record(actor=actor, action="matter.update", obj=locked, before=before, after=matter_snapshot(locked))
    except IntegrityError as exc:
        raise _code_taken(changes.get("code", "")) from exc
    return locked


def matters_upsert(*, actor: Actor, district_id: int, specs: list[MatterSpec], reason: str = "") -> ImportResult:
    """Create or update many matters by code, all or nothing (the importer's write step).

    A matter whose stored state already equals its spec is left alone and gets no audit entry, so that
    re-importing the same file changes nothing and says so.
    """
    require_catalogue_editor(actor, district_id=district_id)
    specs = [_normalised(s) for s in specs]
    problems = [p for s in specs for p in spec_problems(s)] + _department_problems(district_id, specs)
    _raise_if_invalid(problems)
    created = updated = unchanged = 0
    with transaction.atomic():
        existing = {
            m.code: m
            for m in Matter.objects.select_for_update()
            .filter(district_id=district_id, code__in=[s.code for s in specs])
            .prefetch_related("discretion_levels", "checklist")
        }
        for spec in specs:
            matter = existing.get(spec.code)
            if matter is None:
                matter = Matter(district_id=district_id)
                _write(matter, spec)
                audit_record(
                    actor=actor, action="matter.create", obj=matter, after=matter_snapshot(matter), reason=reason
                )
                created += 1
                continue
            before = matter_snapshot(matter)
            if spec_of(matter) == spec:
                unchanged += 1
                continue
            _write(matter, spec)
            audit_record(
                actor=actor,
                action="matter.update",
                obj=matter,
                before=before,
                after=matter_snapshot(matter),
                reason=reason,
            )
            updated += 1
    return ImportResult(created=created, updated=updated, unchanged=unchanged)


def spec_of(matter: Matter) -> MatterSpec:
    """The spec a stored matter corresponds to (reads its tiers and checklist; prefetch them for many)."""
    levels = {level.tier: level for level in matter.discretion_levels.all()}
    return MatterSpec(
        code=matter.code,
        name=matter.name,
        domain=matter.domain,
        department_id=matter.department_id,
        law_name=matter.law_name,
        violated_provision=matter.violated_provision,
        penalty_provision=matter.penalty_provision,
        penalty_kinds=list(matter.penalty_kinds),
        subject_categories=list(matter.subject_categories),
        tiers=[
            TierSpec(
                tier=tier,
                circumstances=levels[tier].circumstances,
                penalty=levels[tier].penalty,
                fine_min=levels[tier].fine_min,
                fine_max=levels[tier].fine_max,
            )
            for tier in TIER_ORDER
            if tier in levels
        ],
        checklist=[item.text for item in sorted(matter.checklist.all(), key=lambda i: i.position)],
        is_first_violation_exempt=matter.is_first_violation_exempt,
        first_violation_condition=matter.first_violation_condition,
        keywords=matter.keywords,
        requires_two_officers=matter.requires_two_officers,
        is_active=matter.is_active,
    )


def matter_snapshot(matter: Matter) -> dict[str, Any]:
    """The audit view of a matter: its own fields plus its tiers and checklist."""
    data = snapshot(matter)
    data.pop("created_at", None)
    data.pop("updated_at", None)
    spec = spec_of(matter)
    data["tiers"] = [dataclasses.asdict(t) for t in spec.tiers]
    data["checklist"] = spec.checklist
    return data


def _write(matter: Matter, spec: MatterSpec) -> None:
    """Save ``matter`` from ``spec`` and replace its tiers and checklist. Caller holds the transaction."""
    for name in (
        "code",
        "name",
        "domain",
        "department_id",
        "law_name",
        "violated_provision",
        "penalty_provision",
        "penalty_kinds",
        "subject_categories",
        "is_first_violation_exempt",
        "first_violation_condition",
        "keywords",
        "requires_two_officers",
        "is_active",
    ):
        setattr(matter, name, getattr(spec, name))
    matter.save()
    DiscretionLevel.objects.filter(matter=matter).delete()
    ChecklistItem.objects.filter(matter=matter).delete()
    DiscretionLevel.objects.bulk_create(
        DiscretionLevel(
            matter=matter,
            tier=t.tier,
            fine_min=t.fine_min,
            fine_max=t.fine_max,
            circumstances=t.circumstances,
            penalty=t.penalty,
        )
        for t in spec.tiers
    )
    ChecklistItem.objects.bulk_create(
        ChecklistItem(matter=matter, position=position, text=text)
        for position, text in enumerate(spec.checklist, start=1)
    )
    # Tiers and checklist prefetched before the write are stale now; the snapshot that follows must read
    # what was written.
    getattr(matter, "_prefetched_objects_cache", {}).clear()


def _normalised(spec: MatterSpec) -> MatterSpec:
    return dataclasses.replace(
        spec,
        code=spec.code.strip(),
        name=spec.name.strip(),
        law_name=spec.law_name.strip(),
        violated_provision=spec.violated_provision.strip(),
        penalty_provision=spec.penalty_provision.strip(),
        penalty_kinds=list(dict.fromkeys(spec.penalty_kinds)),
        subject_categories=normalise_categories(list(spec.subject_categories)),
        keywords=normalise_keywords(spec.keywords),
        first_violation_condition=spec.first_violation_condition.strip() if spec.is_first_violation_exempt else "",
        checklist=[item.strip() for item in spec.checklist],
        tiers=sorted(
            (
                dataclasses.replace(
                    t,
                    circumstances=t.circumstances.strip(),
                    penalty=t.penalty.strip(),
                    fine_min=_money(t.fine_min),
                    fine_max=_money(t.fine_max),
                )
                for t in spec.tiers
            ),
            key=lambda t: TIER_ORDER.index(t.tier) if t.tier in TIER_ORDER else len(TIER_ORDER),
        ),
    )


def _money(value: Decimal | None) -> Decimal | None:
    """Yuan to the cent; a value with more places is left as is for ``spec_problems`` to refuse."""
    if value is None or not value.is_finite() or value != value.quantize(CENT, rounding=ROUND_HALF_UP):
        return value
    return value.quantize(CENT)


def _department_problems(district_id: int, specs: list[MatterSpec]) -> list[Problem]:
    known = set(
        Department.objects.filter(district_id=district_id, pk__in={s.department_id for s in specs}).values_list(
            "pk", flat=True
        )
    )
    return [
        Problem("department", "unknown_department", f"部门 {s.department_id} 不属于本区")
        for s in specs
        if s.department_id not in known
    ]


def _raise_if_invalid(problems: list[Problem]) -> None:
    if problems:
        raise ValidationFailed(
            f"执法事项数据有 {len(problems)} 处错误",
            code="matter_invalid",
            details={"errors": [dataclasses.asdict(p) for p in problems]},
        )


def _code_taken(code: str) -> Conflict:
    return Conflict(f"事项编码 {code} 已存在", code="matter_code_taken", details={"code": code})


# The district's default result types (处置结果类型), offered for every matter: code, name, requires_photo.
# 已整改 and 责令整改 are judged from the site as the officer left it, so both need a photo of it; a case
# opened (转立案) or no violation found (无违法事实) rests on the written report.
DEFAULT_RESULT_TYPES: list[tuple[str, str, bool]] = [
    ("rectified", "已整改", True),
    ("ordered", "责令整改", True),
    ("case_opened", "转立案", False),
    ("no_violation", "无违法事实", False),
    ("not_found", "现场未发现", False),
]
DEFAULT_PHRASES: list[str] = [
    "已到达现场核实，情况属实。",
    "经现场劝导，当事人已自行整改完毕。",
    "已当场责令当事人限期整改，将跟踪复查。",
    "现场未发现反映的问题。",
    "已拍照取证，建议转立案调查。",
]


def handling_defaults_install(*, actor: Actor, district_id: int) -> int:
    """Write the default result types and common phrases into a district that has none of them yet (a new
    district, the demo); a district that set up its own keeps them. Returns how many rows it wrote."""
    require_catalogue_editor(actor, district_id=district_id)
    with transaction.atomic():
        # Under the district's row lock, so that two installs cannot both find nothing and both write.
        District.objects.select_for_update().filter(pk=district_id).first()
        types: list[HandlingResultType] = []
        phrases: list[HandlingPhrase] = []
        if not HandlingResultType.objects.filter(district_id=district_id, matter__isnull=True).exists():
            types = HandlingResultType.objects.bulk_create(
                HandlingResultType(district_id=district_id, code=code, name=name, requires_photo=photo, position=i)
                for i, (code, name, photo) in enumerate(DEFAULT_RESULT_TYPES, start=1)
            )
        if not HandlingPhrase.objects.filter(district_id=district_id, matter__isnull=True).exists():
            phrases = HandlingPhrase.objects.bulk_create(
                HandlingPhrase(district_id=district_id, text=text, position=i)
                for i, text in enumerate(DEFAULT_PHRASES, start=1)
            )
        if types or phrases:
            audit_record(
                actor=actor,
                action="catalog.handling_defaults_install",
                object_type="org.district",
                object_id=str(district_id),
                district_id=district_id,
                after={
                    "result_types": [
                        {"code": t.code, "name": t.name, "requires_photo": t.requires_photo} for t in types
                    ],
                    "phrases": [p.text for p in phrases],
                },
            )
    return len(types) + len(phrases)


PHRASE_MAX = 200  # HandlingPhrase.text


def matter_handling_add(
    *, actor: Actor, matter_id: int, phrases: list[str], result_types: list[tuple[str, str, bool]]
) -> int:
    """A matter's own common phrases and result types (code, name, requires_photo), after the district's
    defaults; a result type whose code the matter has already is updated, not repeated. Returns the rows
    written or changed."""
    matter = Matter.objects.filter(pk=matter_id).first()
    if matter is None:
        raise NotFound("执法事项不存在", code="matter_not_found")
    require_catalogue_editor(actor, district_id=matter.district_id)
    texts = [t.strip() for t in phrases if t.strip()]
    too_long = [t for t in texts if len(t) > PHRASE_MAX]
    if too_long:
        raise ValidationFailed("常用语不能超过200字", code="phrase_too_long", details={"phrases": too_long})
    with transaction.atomic():
        Matter.objects.select_for_update().filter(pk=matter.pk).first()
        known = set(HandlingPhrase.objects.filter(matter=matter).values_list("text", flat=True))
        start = HandlingPhrase.objects.filter(matter=matter).count()
        new = [t for t in dict.fromkeys(texts) if t not in known]
        HandlingPhrase.objects.bulk_create(
            HandlingPhrase(district_id=matter.district_id, matter=matter, text=t, position=start + i)
            for i, t in enumerate(new, start=1)
        )
        changed = len(new)
        stored = {t.code: t for t in HandlingResultType.objects.filter(matter=matter)}
        for position, (code, name, photo) in enumerate(result_types, start=100):
            wanted = {"name": name, "requires_photo": photo, "position": position, "is_active": True}
            row = stored.get(code)
            if row is not None and all(getattr(row, field) == value for field, value in wanted.items()):
                continue  # as it is: a second import of the same sheet changes nothing
            HandlingResultType.objects.update_or_create(
                matter=matter, code=code, defaults={"district_id": matter.district_id, **wanted}
            )
            changed += 1
        if changed:
            audit_record(
                actor=actor,
                action="matter.handling_add",
                obj=matter,
                after={"phrases": new, "result_types": [list(t) for t in result_types]},
            )
    return changed
