"""The scoring model (issue 13 part 3), pure Python: score = base + Σ weight(kind) × 0.5^(age / half-life) over
the entries still shown, clamped to 0–100; the grade is the highest whose threshold the score reaches (A, B, C),
else D; an entry of a veto kind forces D whatever the score. Every grade carries the lines that produced it.

``parse_model`` checks a model's parameters as typed (the version-create service, a settings override) and
refuses each fault with its code; a model that does not parse is never stored.
"""

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from zhifa.core.errors import ValidationFailed

GRADES = ("A", "B", "C", "D")
# The grade a holder with nothing on file gets: the neutral one (the draw's 1×).
KINDS = ("penalty", "penalty_severe", "commendation", "commitment_broken")

# Version 1 of every district's model, until someone makes another (docs/credit.md says why these numbers).
DEFAULT_MODEL: dict[str, Any] = {
    "base_score": 80.0,
    # A broken commitment (信用承诺, issue 13 part 2) weighs like a penalty: the business said in writing it would not.
    "weights": {"penalty": -15.0, "penalty_severe": -40.0, "commendation": 5.0, "commitment_broken": -15.0},
    "half_life_days": 365,
    "thresholds": {"A": 90.0, "B": 70.0, "C": 50.0},
    "veto_kinds": ["penalty_severe"],
}


# Kinds that force D whatever a model version says, and weigh nothing themselves: being on the serious dishonesty
# list (ZJC 24–26, issue 13 part 5) — the penalties behind the listing already weigh. Not a model parameter: the
# list is a legal decision, not a local weighting.
STATUTORY_VETO_KINDS = ("serious_dishonesty",)


@dataclass(frozen=True)
class Model:
    base_score: float
    weights: dict[str, float]
    half_life_days: int
    thresholds: dict[str, float]
    veto_kinds: tuple[str, ...]


@dataclass(frozen=True)
class Line:
    """One entry's part in a score."""

    entry_id: int
    kind: str
    title: str
    occurred_on: dt.date
    weight: float
    factor: float
    points: float


@dataclass(frozen=True)
class Result:
    score: float
    grade: str
    lines: tuple[Line, ...]
    vetoed_by: tuple[int, ...]


def _number(value: Any, *, code: str, message: str, details: dict[str, Any]) -> float:
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationFailed(message, code=code, details=details) from None
    if not math.isfinite(number):
        raise ValidationFailed(message, code=code, details=details)
    return number


def parse_model(raw: Mapping[str, Any]) -> Model:
    """The model's parameters as typed (strings or numbers), checked; refused with a code at the first fault."""
    base = _number(
        raw.get("base_score"),
        code="credit_model_base_invalid",
        message="基础分须为 0–100 之间的数字",
        details={"base_score": str(raw.get("base_score"))},
    )
    if not 0 <= base <= 100:
        raise ValidationFailed(
            "基础分须为 0–100 之间的数字", code="credit_model_base_invalid", details={"base_score": base}
        )
    weights_raw = raw.get("weights") or {}
    if not isinstance(weights_raw, Mapping):
        raise ValidationFailed("各类信息分值格式无效", code="credit_model_weight_invalid")
    unknown = sorted(set(weights_raw) - set(KINDS))
    if unknown:
        raise ValidationFailed(
            f"未知的信息类别：{'、'.join(unknown)}", code="credit_model_kind_unknown", details={"kinds": unknown}
        )
    weights: dict[str, float] = {}
    for kind in KINDS:
        if kind not in weights_raw:
            raise ValidationFailed(
                f"缺少信息类别“{kind}”的分值", code="credit_model_weight_invalid", details={"kind": kind}
            )
        weight = _number(
            weights_raw[kind],
            code="credit_model_weight_invalid",
            message=f"信息类别“{kind}”的分值须为数字",
            details={"kind": kind, "value": str(weights_raw[kind])},
        )
        if abs(weight) > 100:
            raise ValidationFailed(
                f"信息类别“{kind}”的分值须在 -100 到 100 之间",
                code="credit_model_weight_invalid",
                details={"kind": kind, "value": weight},
            )
        weights[kind] = weight
    half_life = _number(
        raw.get("half_life_days"),
        code="credit_model_half_life_invalid",
        message="半衰期须为 1–3650 天的整数",
        details={"half_life_days": str(raw.get("half_life_days"))},
    )
    if half_life != int(half_life) or not 1 <= half_life <= 3650:
        raise ValidationFailed(
            "半衰期须为 1–3650 天的整数", code="credit_model_half_life_invalid", details={"half_life_days": half_life}
        )
    thresholds_raw = raw.get("thresholds") or {}
    if not isinstance(thresholds_raw, Mapping) or set(thresholds_raw) != {"A", "B", "C"}:
        raise ValidationFailed("等级分数线须给出 A、B、C 三档", code="credit_model_thresholds_invalid")
    thresholds = {
        g: _number(
            thresholds_raw[g],
            code="credit_model_thresholds_invalid",
            message=f"{g} 级分数线须为数字",
            details={"grade": g, "value": str(thresholds_raw[g])},
        )
        for g in ("A", "B", "C")
    }
    if not 100 >= thresholds["A"] > thresholds["B"] > thresholds["C"] >= 0:
        raise ValidationFailed(
            "等级分数线须满足 100 ≥ A > B > C ≥ 0",
            code="credit_model_thresholds_invalid",
            details={"thresholds": thresholds},
        )
    veto = raw.get("veto_kinds") or []
    if isinstance(veto, str) or not all(isinstance(k, str) for k in veto):
        raise ValidationFailed("一票否决的信息类别格式无效", code="credit_model_kind_unknown")
    unknown = sorted(set(veto) - set(KINDS))
    if unknown:
        raise ValidationFailed(
            f"未知的信息类别：{'、'.join(unknown)}", code="credit_model_kind_unknown", details={"kinds": unknown}
        )
    return Model(base, weights, int(half_life), thresholds, tuple(k for k in KINDS if k in set(veto)))


@dataclass(frozen=True)
class EntryFacts:
    entry_id: int
    kind: str
    title: str
    occurred_on: dt.date


def grade_of(score: float, thresholds: Mapping[str, float]) -> str:
    for grade in ("A", "B", "C"):
        if score >= thresholds[grade]:
            return grade
    return "D"


def score(model: Model, entries: Iterable[EntryFacts], *, on: dt.date) -> Result:
    """The score and grade on day ``on`` from the entries still shown that day (the caller filters them)."""
    lines = []
    total = model.base_score
    for e in sorted(entries, key=lambda e: (e.occurred_on, e.entry_id)):
        age = max(0, (on - e.occurred_on).days)
        factor = 0.5 ** (age / model.half_life_days)
        weight = model.weights.get(e.kind, 0.0)
        points = round(weight * factor, 2)
        total += points
        lines.append(Line(e.entry_id, e.kind, e.title, e.occurred_on, weight, round(factor, 4), points))
    total = round(min(100.0, max(0.0, total)), 2)
    vetoed = tuple(
        line.entry_id for line in lines if line.kind in model.veto_kinds or line.kind in STATUTORY_VETO_KINDS
    )
    return Result(total, "D" if vetoed else grade_of(total, model.thresholds), tuple(lines), vetoed)
