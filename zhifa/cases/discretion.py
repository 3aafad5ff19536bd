"""Discretion (裁量基准): from a matter's published tiers and the facts of the case, the recommended penalty
range and why; a fine outside every tier's range needs a recorded reason and legal review (APL 58)."""

from dataclasses import dataclass, field
from decimal import Decimal

from zhifa.catalog.models import DiscretionLevel, DiscretionTier, Matter


def _range_text(low: Decimal | None, high: Decimal | None) -> str:
    return f"{low if low is not None else 0}–{high if high is not None else '不限'}元"


def outside_benchmark(matter: Matter, fine: Decimal | None) -> str | None:
    """The benchmark's overall range as text when ``fine`` lies outside every tier of ``matter``; None inside (or
    when the matter has no fine tiers)."""
    levels = [lv for lv in matter.discretion_levels.all() if lv.fine_min is not None or lv.fine_max is not None]
    if not levels or fine is None:
        return None
    for level in levels:
        if (level.fine_min is None or fine >= level.fine_min) and (level.fine_max is None or fine <= level.fine_max):
            return None
    lows = [lv.fine_min for lv in levels if lv.fine_min is not None]
    highs = [lv.fine_max for lv in levels if lv.fine_max is not None]
    return _range_text(min(lows) if lows else None, max(highs) if len(highs) == len(levels) else None)


@dataclass(frozen=True)
class Facts:
    first_violation: bool = False
    harm_minor: bool = False
    corrected_promptly: bool = False
    no_fault: bool = False
    coerced_or_deceived: bool = False
    cooperated: bool = False  # 主动供述、配合查处
    repeated: bool = False
    serious_harm: bool = False


@dataclass
class Recommendation:
    tier: str
    tier_label: str
    fine_min: Decimal | None
    fine_max: Decimal | None
    penalty: str
    no_penalty: bool
    reasons: list[str] = field(default_factory=list)


def recommend(matter: Matter, facts: Facts) -> Recommendation:
    """The tier the facts point to and its range, with the reasons — mandatory grounds first:
    - APL 33 para. 1: a first violation with minor harm corrected in time may go unpunished (首违不罚), where
      the matter is on the list; minor violations corrected in time with no harmful consequence are not punished;
    - APL 33 para. 2: no fault proved — not punished;
    - APL 32: lighter or mitigated penalty when the party removed or reduced the harm, was coerced or deceived,
      or cooperated;
    - repeated violations or serious harm point to the severe tier."""
    reasons: list[str] = []
    levels = {lv.tier: lv for lv in DiscretionLevel.objects.filter(matter=matter)}
    if facts.no_fault:
        reasons.append("当事人有证据足以证明没有主观过错，不予行政处罚（《行政处罚法》第三十三条第二款）")
        return Recommendation("", "不予处罚", None, None, "不予行政处罚", True, reasons)
    if (
        facts.harm_minor
        and facts.corrected_promptly
        and (not facts.first_violation or not matter.is_first_violation_exempt)
    ):
        reasons.append("违法行为轻微并及时改正，没有造成危害后果，不予行政处罚（《行政处罚法》第三十三条第一款）")
        return Recommendation("", "不予处罚", None, None, "不予行政处罚", True, reasons)
    if facts.first_violation and facts.harm_minor and facts.corrected_promptly and matter.is_first_violation_exempt:
        reasons.append(
            f"初次违法且危害后果轻微并及时改正，属首违不罚清单事项（{matter.first_violation_condition or '见事项目录'}）"
            "（《行政处罚法》第三十三条第一款）"
        )
        return Recommendation("", "首违不罚", None, None, "不予行政处罚，进行教育", True, reasons)
    if facts.repeated or facts.serious_harm:
        tier = DiscretionTier.SEVERE
        reasons.append("多次违法或造成严重危害后果，适用情节严重档")
    elif facts.corrected_promptly or facts.coerced_or_deceived or facts.cooperated:
        tier = DiscretionTier.MINOR
        if facts.corrected_promptly:
            reasons.append("主动消除或者减轻违法行为危害后果，从轻或减轻处罚（《行政处罚法》第三十二条第一项）")
        if facts.coerced_or_deceived:
            reasons.append("受他人胁迫或者诱骗实施违法行为，从轻或减轻处罚（《行政处罚法》第三十二条第二项）")
        if facts.cooperated:
            reasons.append("配合行政机关查处违法行为有立功表现，从轻或减轻处罚（《行政处罚法》第三十二条第四项）")
    else:
        tier = DiscretionTier.SERIOUS
        reasons.append("无从轻、从重情节，适用中间档（情节较重）")
    level = levels.get(tier)
    if level is None:
        reasons.append("该事项未设此档裁量基准，请按罚则裁量并说明理由")
        return Recommendation(tier, DiscretionTier(tier).label, None, None, matter.penalty_provision, False, reasons)
    reasons.append(f"裁量基准：{level.circumstances}")
    return Recommendation(
        tier, DiscretionTier(tier).label, level.fine_min, level.fine_max, level.penalty, False, reasons
    )
