"""The scenario file (sim/scenarios/*.json): what a day in one street looks like."""

import datetime as dt
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Spread:
    """A log-normal duration given by its median and 90th percentile (skewed like real response times)."""

    median: float
    p90: float

    def sigma(self) -> float:
        return math.log(self.p90 / self.median) / 1.2816

    def draw(self, rng: Any) -> float:
        return float(rng.lognormvariate(math.log(self.median), self.sigma()))


@dataclass(frozen=True)
class Scenario:
    name: str
    seed: int
    street: str
    day: dt.date
    events_per_hour: list[float]
    matter_mix: dict[str, float]
    urgent_share: float
    officers_per_zone: dict[str, int]
    shifts: dict[str, tuple[dt.time, dt.time]]
    riding_share: float
    walking_mps: float
    riding_mps: float
    road_factor: float
    acknowledge_seconds: Spread
    handling_minutes: Spread
    escalation_scan_seconds: int


def load_scenario(path: Path) -> Scenario:
    raw = json.loads(path.read_text(encoding="utf-8"))
    if len(raw["events_per_hour"]) != 24:
        raise ValueError("events_per_hour 必须给出 24 个小时的数值")

    def hhmm(value: str) -> dt.time:
        return dt.time.fromisoformat(value)

    return Scenario(
        name=raw["name"],
        seed=int(raw["seed"]),
        street=raw["street"],
        day=dt.date.fromisoformat(raw["date"]),
        events_per_hour=[float(v) for v in raw["events_per_hour"]],
        matter_mix={k: float(v) for k, v in raw["matter_mix"].items()},
        urgent_share=float(raw["urgent_share"]),
        officers_per_zone={k: int(v) for k, v in raw["officers_per_zone"].items()},
        shifts={k: (hhmm(v[0]), hhmm(v[1])) for k, v in raw["shifts"].items()},
        riding_share=float(raw["riding_share"]),
        walking_mps=float(raw["speeds_mps"]["walking"]),
        riding_mps=float(raw["speeds_mps"]["riding"]),
        road_factor=float(raw["road_factor"]),
        acknowledge_seconds=Spread(**raw["acknowledge_seconds"]),
        handling_minutes=Spread(**raw["handling_minutes"]),
        escalation_scan_seconds=int(raw["escalation_scan_seconds"]),
    )
