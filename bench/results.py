"""One line of a benchmark table, and the table itself."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Measurement:
    metric: str
    value: float
    unit: str
    target: float | None = None  # the value must be at least this; None = reported only
    maximum: float | None = None  # the value must be at most this (a time, a size); None = no ceiling

    @property
    def verdict(self) -> str:
        if self.target is None and self.maximum is None:
            return "—"
        at_least = self.target is None or self.value >= self.target
        at_most = self.maximum is None or self.value <= self.maximum
        return "yes" if at_least and at_most else "NO"


def _fmt(value: float, unit: str) -> str:
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"
    return f"{text} {unit}".strip()


def _target(m: Measurement) -> str:
    if m.target is not None:
        return f"≥ {_fmt(m.target, m.unit)}"
    if m.maximum is not None:
        return f"≤ {_fmt(m.maximum, m.unit)}"
    return ""


def render_table(rows: list[Measurement]) -> str:
    header = ("metric", "value", "target", "met?")
    body = [(m.metric, _fmt(m.value, m.unit), _target(m), m.verdict) for m in rows]
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(4)]
    lines = [" | ".join(cell.ljust(widths[i]) for i, cell in enumerate(r)).rstrip() for r in [header, *body]]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)
