"""What a matter is made of before it is written, and the checks every write path shares.

The API, the spreadsheet importer and the demo loader all build a ``MatterSpec`` and hand it to the
services; ``spec_problems`` is the one place that decides whether a spec is acceptable, so that a matter
typed into the API and one read from row 37 of a workbook are judged by the same rules. Problems name the
column (the importer's column key) so the importer can turn them into row/column errors unchanged.
"""

import itertools
from dataclasses import dataclass, field
from decimal import Decimal

from zhifa.catalog.models import DiscretionTier, Domain, PenaltyKind, SubjectCategory

ALL_CATEGORIES = "*"
"""In ``subject_categories``: the matter applies to every kind of subject (e.g. littering, fire exits)."""

TIER_ORDER: list[str] = [DiscretionTier.MINOR.value, DiscretionTier.SERIOUS.value, DiscretionTier.SEVERE.value]

# Field limits, mirrored from the model so that a long cell is refused with a message, not a database error.
MAX_LENGTHS = {
    "code": 40,
    "name": 200,
    "law_name": 120,
    "first_violation_condition": 300,
    "keywords": 300,
}
TIER_TEXT_MAX = 300
CHECKLIST_TEXT_MAX = 300
CHECKLIST_MAX_ITEMS = 20


@dataclass(frozen=True)
class TierSpec:
    """One discretion tier (裁量基准, APL 34). Both fine bounds or neither: a tier without a fine is one
    whose penalty is a warning, an order or a suspension only."""

    tier: str
    circumstances: str
    penalty: str
    fine_min: Decimal | None = None
    fine_max: Decimal | None = None


@dataclass(frozen=True)
class MatterSpec:
    code: str
    name: str
    domain: str
    department_id: int
    law_name: str
    violated_provision: str
    penalty_provision: str
    penalty_kinds: list[str]
    subject_categories: list[str]
    tiers: list[TierSpec]
    checklist: list[str]
    is_first_violation_exempt: bool = False
    first_violation_condition: str = ""
    keywords: str = ""
    # APL 42: enforcement by at least two certified officers; dispatch sends two to this matter's events
    # (events.services.dispatch.officers_needed). Which matters: docs/catalog.md.
    requires_two_officers: bool = False
    is_active: bool = True


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a spec: ``column`` is the importer's column key (``serious_fine_max``)."""

    column: str
    code: str
    message: str


@dataclass
class _Collector:
    problems: list[Problem] = field(default_factory=list)

    def add(self, column: str, code: str, message: str) -> None:
        self.problems.append(Problem(column, code, message))


def normalise_categories(categories: list[str]) -> list[str]:
    """Stored form: the distinct values in a stable order, so that re-importing the same file compares
    equal and the audit trail shows no phantom change. ``"*"`` mixed with categories is left for
    ``spec_problems`` to refuse rather than silently widened."""
    return sorted(set(categories))


def normalise_keywords(keywords: str) -> str:
    return " ".join(keywords.split())


def _money_ok(value: Decimal) -> bool:
    # Exact yuan with at most two decimal places (LEGAL.md: money is exact decimal).
    exponent = value.as_tuple().exponent
    return value.is_finite() and isinstance(exponent, int) and exponent >= -2 and value < Decimal("1e10")


def spec_problems(spec: MatterSpec) -> list[Problem]:
    """Everything wrong with ``spec`` that can be judged without the database (department existence and
    code uniqueness are the caller's to check, since they depend on the district)."""
    out = _Collector()
    for name, limit in MAX_LENGTHS.items():
        if len(getattr(spec, name)) > limit:
            out.add(name, "too_long", f"不能超过 {limit} 个字")
    for name in ("code", "name", "law_name", "violated_provision", "penalty_provision"):
        if not getattr(spec, name).strip():
            out.add(name, "required", "不能为空")
    if spec.code and not _code_ok(spec.code):
        out.add("code", "bad_code", f"事项编码 {spec.code} 只能由大写字母、数字和连字符组成，如 ZJ-SR-001")
    if spec.domain not in Domain.values:
        out.add("domain", "unknown_domain", f"领域 {spec.domain} 不存在")

    if not spec.penalty_kinds:
        out.add("penalty_kinds", "required", "至少填写一种处罚种类")
    for kind in spec.penalty_kinds:
        if kind not in PenaltyKind.values:
            out.add("penalty_kinds", "unknown_penalty_kind", f"处罚种类 {kind} 不存在")

    if not spec.subject_categories:
        out.add("subject_categories", "required", "至少填写一种适用对象业态，或填 * 表示全部")
    elif ALL_CATEGORIES in spec.subject_categories and len(set(spec.subject_categories)) > 1:
        out.add("subject_categories", "all_mixed", "* 表示全部业态，不能与具体业态同时填写")
    for category in spec.subject_categories:
        if category != ALL_CATEGORIES and category not in SubjectCategory.values:
            out.add("subject_categories", "unknown_subject_category", f"业态 {category} 不存在")

    if spec.is_first_violation_exempt and not spec.first_violation_condition.strip():
        # APL 33: first violation, minor harm, promptly corrected — the condition must be spelled out.
        out.add("first_violation_condition", "required", "适用首违不罚的事项必须写明适用条件")

    if not spec.checklist:
        out.add("checklist", "required", "至少填写一条检查要点")
    if len(spec.checklist) > CHECKLIST_MAX_ITEMS:
        out.add("checklist", "too_many", f"检查要点不能超过 {CHECKLIST_MAX_ITEMS} 条")
    for item in spec.checklist:
        if not item.strip():
            out.add("checklist", "required", "检查要点不能为空")
        elif len(item) > CHECKLIST_TEXT_MAX:
            out.add("checklist", "too_long", f"每条检查要点不能超过 {CHECKLIST_TEXT_MAX} 个字")

    _tier_problems(spec, out)
    return out.problems


def _code_ok(code: str) -> bool:
    return code[0].isalnum() and all(c.isdigit() or ("A" <= c <= "Z") or c == "-" for c in code)


def _tier_problems(spec: MatterSpec, out: _Collector) -> None:
    by_tier = {t.tier: t for t in spec.tiers}
    if len(by_tier) != len(spec.tiers):
        out.add("tiers", "duplicate_tier", "同一情节档次只能填写一次")
    for given in spec.tiers:
        if given.tier not in DiscretionTier.values:
            out.add("tiers", "unknown_tier", f"情节档次 {given.tier} 不存在")
    has_fine = False
    for tier_value in TIER_ORDER:
        tier = by_tier.get(tier_value)
        label = DiscretionTier(tier_value).label
        if tier is None:
            out.add(f"{tier_value}_penalty", "required", f"缺少“{label}”档次的裁量基准")
            continue
        if not tier.circumstances.strip():
            out.add(f"{tier_value}_circumstances", "required", "不能为空")
        elif len(tier.circumstances) > TIER_TEXT_MAX:
            out.add(f"{tier_value}_circumstances", "too_long", f"不能超过 {TIER_TEXT_MAX} 个字")
        if not tier.penalty.strip():
            out.add(f"{tier_value}_penalty", "required", "不能为空")
        elif len(tier.penalty) > TIER_TEXT_MAX:
            out.add(f"{tier_value}_penalty", "too_long", f"不能超过 {TIER_TEXT_MAX} 个字")
        if (tier.fine_min is None) != (tier.fine_max is None):
            missing = "min" if tier.fine_min is None else "max"
            out.add(f"{tier_value}_fine_{missing}", "fine_range_incomplete", "罚款上下限须同时填写或同时留空")
            continue
        if tier.fine_min is None or tier.fine_max is None:
            continue
        has_fine = True
        for bound, value in (("min", tier.fine_min), ("max", tier.fine_max)):
            if not _money_ok(value):
                out.add(f"{tier_value}_fine_{bound}", "bad_decimal", f"金额 {value} 不是有效的元金额（最多两位小数）")
            elif value < 0:
                out.add(f"{tier_value}_fine_{bound}", "fine_negative", "罚款金额不能为负数")
        if tier.fine_min > tier.fine_max:
            out.add(
                f"{tier_value}_fine_min",
                "fine_range_inverted",
                f"罚款下限 {tier.fine_min} 元大于上限 {tier.fine_max} 元",
            )
    if has_fine and PenaltyKind.FINE not in spec.penalty_kinds:
        out.add("penalty_kinds", "fine_kind_missing", "裁量基准中有罚款金额，处罚种类须包含“罚款”")
    _tier_ordering_problems(by_tier, out)


def _tier_ordering_problems(by_tier: dict[str, TierSpec], out: _Collector) -> None:
    """A heavier tier may not allow a smaller fine than a lighter one: minor ≤ serious ≤ severe, for the
    upper and for the lower bound (only between tiers that both carry a fine)."""
    fined = [
        (value, by_tier[value])
        for value in TIER_ORDER
        if value in by_tier and by_tier[value].fine_min is not None and by_tier[value].fine_max is not None
    ]
    for (lighter_value, lighter), (heavier_value, heavier) in itertools.pairwise(fined):
        lighter_label = DiscretionTier(lighter_value).label
        heavier_label = DiscretionTier(heavier_value).label
        assert lighter.fine_max is not None and heavier.fine_max is not None
        assert lighter.fine_min is not None and heavier.fine_min is not None
        if lighter.fine_max > heavier.fine_max:
            out.add(
                f"{heavier_value}_fine_max",
                "tier_order_invalid",
                f"“{heavier_label}”罚款上限 {heavier.fine_max} 元低于“{lighter_label}”上限 {lighter.fine_max} 元",
            )
        if lighter.fine_min > heavier.fine_min:
            out.add(
                f"{heavier_value}_fine_min",
                "tier_order_invalid",
                f"“{heavier_label}”罚款下限 {heavier.fine_min} 元低于“{lighter_label}”下限 {lighter.fine_min} 元",
            )
