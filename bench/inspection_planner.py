"""The inspection planner (issue 12 parts 3–4): a week of pending checks of 6 departments on 300 subjects with
20 officers, planned (a) department by department, every check its own visit, and (b) merged into joint visits
(``zhifa.inspections.merging``) and routed for the shared crews (``zhifa.inspections.routing``).

The scenario (seeded, no database: the planner's two modules are pure):

- 300 subjects at uniform random points inside the demo district's outline (拱墅区, ~97 km², the project's own
  ``zhifa/demo/data``); 20 % are open only in the afternoon (13:00–17:00, catering after the lunch rush), the
  rest 09:00–17:00.
- 6 departments, each with its own enforcement domain and office (a random point in the district, where its
  crews start and end the day); 20 officers: 4 each in departments 1–4, 2 each in 5–6, paired within their
  department (10 crews), on 08:30–17:30 shifts Monday–Friday.
- Pending checks: departments 1–4 check each subject with probability 0.30, departments 5–6 with 0.15 (the
  share each can do with its crews in a week); 70 % of the checks may be done any day of the week (the plan's
  period), 30 % on a two-day window (a follow-up on a set date).
- A visit takes 30 minutes, plus 15 for every further department in a joint visit.

Planning, day by day: the visits whose window covers the day are routed (a visit on its last day weighs 10×);
what was visited is done, the rest waits for a later day of its window or is missed. Alone: each department
routes its own checks with its own crews; merged: every visit with all 10 crews (a crew may take a visit if
its two officers are certified for one of its departments' domains — here, always its own department's).

Measured: visits needed, visits made, visits missed, road kilometres and the planner's wall time (merging
included) of each. Targets: merged needs ≥ 40 % fewer visits; the merged plan takes under 30 s.
"""

import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from shapely import contains_xy

from bench.district import BenchDistrict
from bench.results import Measurement
from zhifa.demo.geometry import load_district_source
from zhifa.inspections.merging import PendingCheck, Visit, merge_checks, visits_saved
from zhifa.inspections.routing import (
    DUE_TODAY_PRIORITY,
    WORKING_HOURS,
    Crew,
    RoutingResult,
    Stop,
    solve,
    visit_service_s,
)

SEED = 20261205
SUBJECTS = 300
DEPARTMENTS = 6
OFFICERS_PER_DEPARTMENT = (4, 4, 4, 4, 2, 2)  # 20 officers
CHECK_PROBABILITY = (0.30, 0.30, 0.30, 0.30, 0.15, 0.15)
DOMAINS = ("market", "city_appearance", "fire_safety", "environment", "health", "culture_tourism")
MONDAY = date(2026, 12, 7)
DAYS = 5
H = 3600
SHIFT = (8 * H + 1800, 17 * H + 1800)
TIME_LIMIT_S = 10.0  # per day's solve; a bound, not the expected time
TARGET_REDUCTION = 40.0
TARGET_SECONDS = 30.0


@dataclass(frozen=True)
class Scenario:
    positions: dict[int, tuple[float, float]]
    afternoon: set[int]
    offices: list[tuple[float, float]]
    checks: list[PendingCheck]


@dataclass
class Outcome:
    visits_needed: int = 0
    visits_made: int = 0
    visits_missed: int = 0
    checks_done: int = 0
    road_km: float = 0.0
    seconds: float = 0.0
    hit_time_limit: bool = False


def _points(rng: np.random.Generator, n: int) -> list[tuple[float, float]]:
    outline = load_district_source().outline
    west, south, east, north = outline.bounds
    found: list[tuple[float, float]] = []
    while len(found) < n:
        lons, lats = rng.uniform(west, east, 4 * n), rng.uniform(south, north, 4 * n)
        inside = contains_xy(outline, lons, lats)
        found.extend((float(x), float(y)) for x, y in zip(lons[inside], lats[inside], strict=True))
    return found[:n]


def scenario() -> Scenario:
    rng = np.random.default_rng(SEED)
    points = _points(rng, SUBJECTS + DEPARTMENTS)
    positions = dict(enumerate(points[:SUBJECTS], start=1))
    afternoon = {s for s in positions if rng.random() < 0.2}
    checks: list[PendingCheck] = []
    for d in range(DEPARTMENTS):
        for s in positions:
            if rng.random() >= CHECK_PROBABILITY[d]:
                continue
            if rng.random() < 0.7:
                first, last = 0, DAYS - 1
            else:
                first = int(rng.integers(0, DAYS - 1))
                last = first + 1
            checks.append(
                PendingCheck(
                    key=(d, s),
                    subject_id=s,
                    department_id=d,
                    earliest=MONDAY + timedelta(first),
                    latest=MONDAY + timedelta(last),
                )
            )
    return Scenario(positions, afternoon, points[SUBJECTS:], checks)


def _crews(scene: Scenario, departments: range | list[int]) -> list[Crew]:
    crews: list[Crew] = []
    officer = 0
    for d, count in enumerate(OFFICERS_PER_DEPARTMENT):
        for pair in range(count // 2):
            if d in departments:
                lon, lat = scene.offices[d]
                crews.append(
                    Crew((d, pair), (officer + 1, officer + 2), lon, lat, SHIFT, domains=frozenset({DOMAINS[d]}))
                )
            officer += 2
    return crews


def _stop(scene: Scenario, visit: Visit, index: int, day: date) -> Stop:
    lon, lat = scene.positions[visit.subject_id]
    window = (13 * H, WORKING_HOURS[1]) if visit.subject_id in scene.afternoon else WORKING_HOURS
    return Stop(
        key=index,
        lon=lon,
        lat=lat,
        service_s=visit_service_s(len(visit.department_ids)),
        window=window,
        domains=frozenset(DOMAINS[d] for d in visit.department_ids),
        priority=DUE_TODAY_PRIORITY if visit.latest == day else 1,
    )


def _week(scene: Scenario, visits: list[Visit], crews: list[Crew], outcome: Outcome) -> None:
    """Route ``visits`` day by day with ``crews``; add what happened to ``outcome``."""
    pending = dict(enumerate(visits))
    outcome.visits_needed += len(visits)
    for offset in range(DAYS):
        day = MONDAY + timedelta(offset)
        today = [i for i, v in pending.items() if v.earliest <= day <= v.latest]
        if not today:
            continue
        result: RoutingResult = solve(
            [_stop(scene, pending[i], i, day) for i in today], crews, time_limit_s=TIME_LIMIT_S
        )
        outcome.hit_time_limit |= result.hit_time_limit
        outcome.road_km += result.road_km
        for route in result.routes:
            for routed in route.stops:
                visit = pending.pop(int(str(routed.key)))
                outcome.visits_made += 1
                outcome.checks_done += len(visit.checks)
    outcome.visits_missed += len(pending)


def plan_alone(scene: Scenario) -> Outcome:
    outcome = Outcome()
    started = time.perf_counter()
    by_department: dict[int, list[PendingCheck]] = defaultdict(list)
    for check in scene.checks:
        by_department[check.department_id].append(check)
    for d in range(DEPARTMENTS):
        own = [Visit(c.subject_id, c.earliest, c.latest, (c,)) for c in by_department[d]]
        _week(scene, own, _crews(scene, [d]), outcome)
    outcome.seconds = time.perf_counter() - started
    return outcome


def plan_merged(scene: Scenario) -> Outcome:
    outcome = Outcome()
    started = time.perf_counter()
    _week(scene, merge_checks(scene.checks), _crews(scene, range(DEPARTMENTS)), outcome)
    outcome.seconds = time.perf_counter() - started
    return outcome


def run(bench: BenchDistrict, workdir: Path) -> list[Measurement]:
    scene = scenario()
    alone, merged = plan_alone(scene), plan_merged(scene)
    reduction = 100 * (1 - merged.visits_needed / alone.visits_needed)
    rows = [
        Measurement(
            f"inspection planner: {DEPARTMENTS} departments × {SUBJECTS} subjects × "
            f"{sum(OFFICERS_PER_DEPARTMENT)} officers × {DAYS} days, pending checks",
            len(scene.checks),
            "checks",
        )
    ]
    for label, o in (("each department alone", alone), ("merged joint visits, shared crews", merged)):
        rows += [
            Measurement(f"  {label}: visits needed", o.visits_needed, "visits"),
            Measurement(f"  {label}: visits made in the week", o.visits_made, "visits"),
            Measurement(f"  {label}: visits missed (window passed)", o.visits_missed, "visits"),
            Measurement(f"  {label}: checks done", o.checks_done, "checks"),
            Measurement(f"  {label}: road kilometres", o.road_km, "km"),
            Measurement(f"  {label}: road km per check done", o.road_km / max(1, o.checks_done), "km"),
            Measurement(
                f"  {label}: planner run time{' (a solve hit its time limit)' if o.hit_time_limit else ''}",
                o.seconds,
                "s",
                maximum=TARGET_SECONDS if o is merged else None,
            ),
        ]
    rows.append(
        Measurement("  visits saved by merging (visits_saved)", visits_saved(merge_checks(scene.checks)), "visits")
    )
    rows.append(Measurement("  fewer visits needed, merged vs alone", reduction, "%", TARGET_REDUCTION))
    return rows
