"""Point → street/zone/grid: 100,000 random points through one vectorised ``GridIndex.locate_many``."""

import time
from collections.abc import Sequence
from pathlib import Path
from typing import cast

import numpy as np

from bench.district import BenchDistrict, random_points
from bench.results import Measurement
from zhifa.geo.services import GridIndex

POINTS = 100_000
TARGET_POINTS_PER_S = 100_000


def run(bench: BenchDistrict, workdir: Path) -> list[Measurement]:
    started = time.perf_counter()
    index = GridIndex(bench.district.pk)
    built = time.perf_counter() - started
    lon_array, lat_array = random_points(bench, POINTS, np.random.default_rng(11))
    # locate_many is typed for sequences and takes arrays as they are (np.asarray inside).
    lons, lats = cast(Sequence[float], lon_array), cast(Sequence[float], lat_array)
    index.locate_many(lons[:100], lats[:100])  # warm-up: first query pays for lazy tree construction
    started = time.perf_counter()
    found = index.locate_many(lons, lats)
    elapsed = time.perf_counter() - started
    missed = int((found < 0).sum())
    if missed:
        raise RuntimeError(f"{missed} of {POINTS} points inside the district were in no grid")
    return [
        Measurement(f"grid index build ({bench.grid_count:,} grids)", built * 1000, "ms"),
        Measurement(f"grid lookup, {POINTS:,} points", POINTS / elapsed, "points/s", TARGET_POINTS_PER_S),
    ]
