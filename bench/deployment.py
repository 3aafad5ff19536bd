"""Predictive deployment (issue 17 part 4): the covering-location optimisation for one shift of a large area —
1,500 grids (a 40 × 38 lattice of 250 m cells, jittered) with a demand of a dozen hotspots over a low
background, 100 officers on duty, 5-minute reach, busy share from the demand. Timed from the demand to the
assigned posts (``plan_posts``: reach lists, greedy hint, CP-SAT, assignment); no database. The issue's target:
under 10 s."""

import math
import random
import time
from pathlib import Path

from bench.district import BenchDistrict
from bench.results import Measurement
from zhifa.analytics.deployment import Point, cover_solve, officers_needed, plan_posts

GRIDS = 1500
OFFICERS = 100
TARGET_S = 10.0


def instance(seed: int = 17) -> tuple[list[Point], dict[int, float]]:
    rng = random.Random(seed)
    lon0, lat0 = 120.15, 30.25
    d_lat = 250 / 111_195
    d_lon = d_lat / math.cos(math.radians(lat0))
    points, expected = [], {}
    hot = [(rng.randrange(38), rng.randrange(40)) for _ in range(12)]
    for i in range(GRIDS):
        row, col = divmod(i, 40)
        p = Point(i + 1, lon0 + (col + rng.uniform(-0.3, 0.3)) * d_lon, lat0 + (row + rng.uniform(-0.3, 0.3)) * d_lat)
        points.append(p)
        expected[p.key] = 0.05 + sum(3 * math.exp(-((row - r) ** 2 + (col - c) ** 2) / 8) for r, c in hot)
    return points, expected


def run(bench: BenchDistrict, workdir: Path) -> list[Measurement]:
    points, expected = instance()
    officers = [(10_000 + k, f"队员{k}") for k in range(OFFICERS)]
    origins = [(10_000 + k, points[k * 15].lon, points[k * 15].lat) for k in range(OFFICERS)]
    names = {p.key: f"网格{p.key}" for p in points}
    rows: list[Measurement] = []
    for shift_minutes, label in ((720, "day shift (busy share from demand)"), (10**9, "idle officers (plain MCLP)")):
        started = time.perf_counter()
        plan = plan_posts(
            points=points,
            names=names,
            expected=expected,
            officers=officers,
            origins=origins,
            shift_minutes=shift_minutes,
        )
        seconds = time.perf_counter() - started
        rows.append(
            Measurement(f"deployment: {OFFICERS} officers, {GRIDS:,} grids, {label}", seconds, "s", maximum=TARGET_S)
        )
        greedy = cover_solve(
            [(p, expected[p.key]) for p in points], points, officers=OFFICERS, busy_share=plan.busy_share, budget=0.0
        )
        solved = cover_solve(
            [(p, expected[p.key]) for p in points], points, officers=OFFICERS, busy_share=plan.busy_share
        )
        rows.append(
            Measurement(
                f"  q={plan.busy_share:.2f}: covered {plan.covered:.1f}/{plan.expected:.1f} events; "
                f"expected covering greedy {greedy.objective:.1f} → CP-SAT {solved.objective:.1f}"
                f"{' (optimal)' if solved.is_optimal else ''}",
                len(plan.posts),
                "posts",
            )
        )
    # 人力测算 as deployment_compute runs it beside the posts: the shift's average and a busiest hour (here a
    # sixth of the shift's demand in one hour).
    for label, demand, minutes in (
        ("the shift", expected, 720.0),
        ("a busiest hour (1/6 of the shift's demand)", {k: v / 6 for k, v in expected.items()}, 60.0),
    ):
        started = time.perf_counter()
        needed = officers_needed(points=points, expected=demand, minutes=minutes)
        rows.append(
            Measurement(
                f"staffing for 95%, {GRIDS:,} grids, {label}: {needed if needed is not None else 'over the ceiling'}"
                " officers",
                time.perf_counter() - started,
                "s",
            )
        )
    return rows
