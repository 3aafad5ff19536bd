"""The third policy of ``make simulate``: dispatch with predictive positions (预判布防).

Before the day, the demand model (``zhifa.analytics.demand``) is fitted on the street's history: the
``HISTORY_DAYS`` days before the scenario's day, each planned exactly as the simulated day is (``plan_day``)
but from its own seed (the scenario's seed and the date, ``history_seed``), so the simulated day itself is
never part of it. The reports are located to the street's grids by their point. The history is fed to the
model directly, not stored as events: the replay's figures are read from the database's events, which must be
the day's only.

For each roster shift touching the day (the night shift from the evening before, the day shift, the night
shift of the evening), the officers on duty get their posts from the same code the deployment page runs
(``zhifa.analytics.deployment.plan_posts``), and the plan is stored through ``standby_plan_publish`` — the
recommender reads it. Each officer starts the shift at their post and, once a task is done and nothing else
is queued, rides or walks back to it.

Every minute (as ``manage.py standby_rebalance`` does under ``make run``) the live plan is moved up
(补位, ``zhifa.analytics.deployment.deployment_rebalance``): the free officers' posts re-solved from where their
phones last put them, over the rest of the shift's demand from the same fitted model; a changed plan is stored
and each free officer heads for their new post.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from shapely import STRtree
from shapely.geometry import Point as ShapelyPoint
from shapely.geometry import shape

from sim.scenario import Scenario
from zhifa.analytics.demand import DemandModel, demand_fit, hours_between
from zhifa.analytics.deployment import DEFAULT_REACH_S, Point, Staffing, plan_posts, staffing_compute
from zhifa.core.actors import SystemActor
from zhifa.events.services.standby import StandbyPostDraft, standby_plan_publish
from zhifa.org.models import Grid, Street, TravelMode

HISTORY_DAYS = 28
ACTOR = SystemActor("预判布防（仿真）")


def history_seed(scenario: Scenario, day: dt.date) -> int:
    return scenario.seed * 100_000 + (day - dt.date(2000, 1, 1)).days


@dataclass(frozen=True)
class ShiftPosts:
    starts_at: dt.datetime
    ends_at: dt.datetime
    posts: dict[int, tuple[float, float]]  # officer id → (lon, lat)
    expected: float
    covered: float
    model: DemandModel  # the demand the move-up re-solves over (the rest of the shift's hours)
    on_duty: int
    staffing: Staffing  # the model's 人力测算 for the shift, as the deployment page shows it


PlanDay = Callable[[Scenario, Any, dt.datetime], list[Any]]


def history(
    scenario: Scenario, street_shape: Any, tz: Any, grids: list[tuple[int, Any]], plan_day: PlanDay
) -> list[tuple[int, dt.datetime]]:
    """(grid id, reported at) of the reports ``plan_day`` (``sim.engine.plan_day``, passed in: the engine
    imports this module) plans for the ``HISTORY_DAYS`` days before the scenario's day."""
    tree = STRtree([g for _, g in grids])
    out: list[tuple[int, dt.datetime]] = []
    for back in range(HISTORY_DAYS, 0, -1):
        day = scenario.day - dt.timedelta(days=back)
        past = replace(scenario, seed=history_seed(scenario, day), day=day)
        start = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
        for report in plan_day(past, street_shape, start):
            hits = tree.query(ShapelyPoint(report.lon, report.lat), predicate="intersects")
            if len(hits):
                out.append((grids[int(min(hits))][0], report.at))
    return out


def shift_windows(scenario: Scenario, tz: Any) -> list[tuple[str, dt.datetime, dt.datetime]]:
    """Every roster shift that touches the day: (shift key, start, end)."""
    out = []
    for day in (scenario.day - dt.timedelta(days=1), scenario.day):
        for key, (start_t, end_t) in scenario.shifts.items():
            start = dt.datetime.combine(day, start_t, tzinfo=tz)
            end_day = day if end_t > start_t else day + dt.timedelta(days=1)
            end = dt.datetime.combine(end_day, end_t, tzinfo=tz)
            day_start = dt.datetime.combine(scenario.day, dt.time(0), tzinfo=tz)
            if end > day_start and start < day_start + dt.timedelta(days=1):
                out.append((key, start, end))
    return sorted(out, key=lambda w: w[1])


@dataclass(frozen=True)
class StreetModel:
    """The street's grids as the covering problem reads them, and the demand model fitted on its history."""

    points: list[Point]
    names: dict[int, str]
    model: DemandModel


def street_model(
    *, scenario: Scenario, street: Street, tz: Any, plan_day: PlanDay, history_fitted_on: Scenario | None = None
) -> StreetModel:
    """Fit the demand model on the ``HISTORY_DAYS`` days before ``history_fitted_on``'s day (default: this
    scenario's)."""
    rows = list(Grid.objects.filter(street=street).order_by("pk").values_list("pk", "name", "boundary"))
    shapes = [(pk, shape(boundary)) for pk, _, boundary in rows]
    names = {pk: name for pk, name, _ in rows}
    points = [Point(pk, g.representative_point().x, g.representative_point().y) for pk, g in shapes]
    base = history_fitted_on or scenario
    observations = history(base, shape(street.boundary), tz, shapes, plan_day)
    return StreetModel(points, names, demand_fit(observations, grid_ids=names, weeks=HISTORY_DAYS // 7))


def staffed_riders(scenario: Scenario, tz: Any, fitted: StreetModel) -> dict[str, int]:
    """预判布防 + 按人力测算排班 (``make simulate``'s fourth column): per shift key, the riding officers the
    deployment page's 人力测算 asks for at the busiest hour of every shift of that key touching the day — the
    roster a district would keep if it staffed each shift as the platform advises."""
    out: dict[str, int] = {}
    for key, start, end in shift_windows(scenario, tz):
        staffing = staffing_compute(points=fitted.points, model=fitted.model, starts_at=start, ends_at=end)
        if staffing.peak is None:
            raise ValueError(f"班次 {key} 的人力测算超过上限，无法按测算排班")
        out[key] = max(out.get(key, 0), staffing.peak)
    return out


def plan_shifts(
    *,
    scenario: Scenario,
    street: Street,
    officers: list[Any],
    tz: Any,
    fitted: StreetModel,
) -> list[ShiftPosts]:
    """Store the posts of each shift; ``officers``: the sim's roster (``SimOfficer``)."""
    points, names, model = fitted.points, fitted.names, fitted.model
    out = []
    for key, start, end in shift_windows(scenario, tz):
        crew = [s for s in officers if s.shift == key]
        plan = plan_posts(
            points=points,
            names=names,
            expected=model.expected(hours_between(start, end)),
            officers=[(s.officer.pk, s.officer.name) for s in crew],
            origins=[(s.officer.pk, s.lon, s.lat) for s in crew],
            shift_minutes=(end - start).total_seconds() / 60,
            reach_s=DEFAULT_REACH_S,
            walking={s.officer.pk for s in crew if s.officer.travel_mode == TravelMode.WALKING},
        )
        staffing = staffing_compute(points=points, model=model, starts_at=start, ends_at=end)
        standby_plan_publish(
            actor=ACTOR,
            district_id=street.district_id,
            street_id=street.pk,
            starts_at=start,
            ends_at=end,
            reach_s=DEFAULT_REACH_S,
            expected_events=plan.expected,
            covered_events=plan.covered,
            posts=[StandbyPostDraft(p.officer_id, p.grid_id, p.lon, p.lat) for p in plan.posts],
            staffing=staffing.as_json(),
        )
        out.append(
            ShiftPosts(
                start,
                end,
                {p.officer_id: (p.lon, p.lat) for p in plan.posts},
                plan.expected,
                plan.covered,
                model,
                len(crew),
                staffing,
            )
        )
    return out
