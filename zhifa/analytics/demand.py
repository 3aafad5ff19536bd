"""Expected demand (预期事件量) per grid and hour of week, from the events of the last weeks — the input of
predictive deployment (预判布防, ``zhifa.analytics.deployment``).

The estimate is meant to be explained to a dispatcher in two sentences:

- **hour of week** ``h`` = local (Asia/Shanghai) weekday × 24 + hour of ``reported_at`` (0 = Monday 00:00–01:00,
  167 = Sunday 23:00–24:00);
- over the last ``weeks`` whole weeks before ``as_of``, ``c(g, h)`` is how many events were reported in grid
  ``g`` at hour of week ``h`` (merged duplicates not counted: a duplicate is the event it joined);
- that count alone is mostly 0 and 1, so it is smoothed towards what the grid's usual share of the area's
  events predicts for that hour: ``prior(g, h) = share(g) × T(h) / weeks``, where ``T(h)`` is the area's events
  at hour ``h`` and ``share(g) = (C(g) + 1) / (C + G)`` the grid's share of all ``C`` events of the ``G`` grids
  (one pseudo-event per grid, so a grid without history is not taken as one where nothing can happen);
- **expected events per week** ``λ(g, h) = (c(g, h) + m × prior(g, h)) / (weeks + m)``: ``m``
  (``prior_weeks``) pseudo-weeks of the prior, the rest the grid's own count. With a long history the grid's
  own count dominates; with none, the prior does.

Nothing is stored: the estimate is computed when a deployment is planned (a few thousand rows per street
and week).
"""

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from zhifa.events.models import Event
from zhifa.events.states import EventStatus

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
HOURS_PER_WEEK = 168
DEFAULT_WEEKS = 8
DEFAULT_PRIOR_WEEKS = 2.0


def hour_of_week(at: dt.datetime) -> int:
    local = at.astimezone(LOCAL_TZ)
    return local.weekday() * 24 + local.hour


def hours_between(starts_at: dt.datetime, ends_at: dt.datetime) -> list[int]:
    """The hours of week a period touches, one entry per started hour (a shift 07:00–19:00 gives 12)."""
    hours: list[int] = []
    at = starts_at.astimezone(LOCAL_TZ).replace(minute=0, second=0, microsecond=0)
    while at < ends_at:
        hours.append(hour_of_week(at))
        at += dt.timedelta(hours=1)
    return hours


@dataclass(frozen=True)
class DemandModel:
    """λ(g, h) for the grids it was fitted for: ``rate(grid, hour)`` expected events in one week's hour."""

    weeks: int
    prior_weeks: float
    counts: dict[tuple[int, int], int]  # c(g, h)
    hour_totals: dict[int, int]  # T(h)
    shares: dict[int, float]  # share(g)

    def rate(self, grid_id: int, hour: int) -> float:
        prior = self.shares.get(grid_id, 0.0) * self.hour_totals.get(hour, 0) / self.weeks
        return (self.counts.get((grid_id, hour), 0) + self.prior_weeks * prior) / (self.weeks + self.prior_weeks)

    def expected(self, hours: Iterable[int]) -> dict[int, float]:
        """Expected events per grid over ``hours`` (hours of week, repeated hours counted again)."""
        hours = list(hours)
        return {grid_id: sum(self.rate(grid_id, h) for h in hours) for grid_id in self.shares}


def demand_fit(
    observations: Iterable[tuple[int, dt.datetime]],
    *,
    grid_ids: Iterable[int],
    weeks: int,
    prior_weeks: float = DEFAULT_PRIOR_WEEKS,
) -> DemandModel:
    """The model from ``(grid id, reported at)`` pairs already narrowed to the ``weeks`` of history; pairs of
    grids not in ``grid_ids`` are ignored."""
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    grids = list(dict.fromkeys(grid_ids))
    known = set(grids)
    counts: Counter[tuple[int, int]] = Counter()
    per_grid: Counter[int] = Counter()
    hour_totals: Counter[int] = Counter()
    for grid_id, at in observations:
        if grid_id not in known:
            continue
        h = hour_of_week(at)
        counts[(grid_id, h)] += 1
        per_grid[grid_id] += 1
        hour_totals[h] += 1
    total = sum(per_grid.values())
    shares = {g: (per_grid[g] + 1) / (total + len(grids)) for g in grids}
    return DemandModel(
        weeks=weeks, prior_weeks=prior_weeks, counts=dict(counts), hour_totals=dict(hour_totals), shares=shares
    )


def demand_history(
    *, district_id: int, grid_ids: Iterable[int], as_of: dt.datetime, weeks: int = DEFAULT_WEEKS
) -> list[tuple[int, dt.datetime]]:
    """``(grid id, reported at)`` of the events of ``grid_ids`` reported in the ``weeks`` weeks before ``as_of``
    (merged duplicates left out): the observations ``demand_fit`` takes."""
    since = as_of - dt.timedelta(weeks=weeks)
    return list(
        Event.objects.filter(
            district_id=district_id, grid_id__in=list(grid_ids), reported_at__gte=since, reported_at__lt=as_of
        )
        .exclude(status=EventStatus.MERGED)
        .values_list("grid_id", "reported_at")
    )
