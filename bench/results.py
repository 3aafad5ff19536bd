"""One line of a benchmark table, and the table itself."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Measurement:
    metric: str
    value: float
    unit: str
    target: float | None = None  # the value must be at least this; None = reported only

    @property
    def verdict(self) -> str:
        if self.target is None:
            return "—"
        return "yes" if self.value >= self.target else "NO"


def _fmt(value: float, unit: str) -> str:
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"
    return f"{text} {unit}".strip()


def render_table(rows: list[Measurement]) -> str:
    header = ("metric", "value", "target", "met?")
    body = [
        (m.metric, _fmt(m.value, m.unit), f"≥ {_fmt(m.target, m.unit)}" if m.target is not None else "", m.verdict)
        for m in rows
    ]
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(4)]
    lines = [" | ".join(cell.ljust(widths[i]) for i, cell in enumerate(r)).rstrip() for r in [header, *body]]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)
