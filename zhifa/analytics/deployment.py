"""Predictive deployment (预判布防, issue 17 part 4): where the officers of a shift should stand so that the
events expected in the shift (``zhifa.analytics.demand``) are within 5 minutes of someone.

The choice is a covering-location problem solved with OR-Tools' CP-SAT:

- **demand points**: the grids (网格) of the area, each at its representative point (a point inside it),
  weighted by its expected events over the shift's hours;
- **candidate posts**: the same points (a post is a grid's point: an officer can be told "stand at 网格 X");
- **reach**: a post covers a grid when the travel time from the post to the grid's point, estimated exactly as
  the recommender estimates it (``zhifa.events.recommend.travel_seconds``: great-circle distance × road
  factor ÷ riding speed), is at most the *travel reach*: ``reach_s`` (300 s: the 1530 arrive clock) less the
  acknowledge clock's minute (``ACKNOWLEDGE_ALLOWANCE_S``) — an officer may take that minute to accept the task
  before setting off, so a post 5 minutes' ride away arrives late;
- **officers**: ``x_j`` officers at post ``j`` (several may share one), ``Σ x_j = k`` officers on duty;
- **objective** (the maximum *expected* covering model, Daskin 1983): an officer is busy on another event a
  share ``q`` of the shift, so a grid covered by ``n`` officers is reached with probability ``1 − qⁿ``; the
  model maximises ``Σ_g w_g Σ_{l ≤ n_g} (1 − q) q^(l−1)`` with ``y_{g,l}`` (grid ``g`` covered at least
  ``l`` times, ``Σ_l y_{g,l} ≤ Σ_{j covers g} x_j``), up to ``MAX_LEVELS`` levels. With ``q = 0`` it is the
  plain maximal covering location problem (Church & ReVelle 1974): the most expected events within reach
  of at least one officer.
- ``q`` = expected events × ``busy_minutes`` ÷ (officers × shift minutes), capped at 0.9: the share of the
  shift an officer spends on events if the work is spread evenly.
- **closer cover** (a second, smaller term): ``NEAR_WEIGHT`` × the expected events within half the travel
  reach of an officer. Many posts cover the same grids within the reach; among them the model prefers posts
  spread out, each near its own share of the demand, to officers stacked at a few central grids — when some
  are busy, the free ones are then still near. ``Cover.objective`` is the expected covering value alone.

The solver runs single-threaded with a *deterministic* time limit (``max_deterministic_time``), from the
greedy solution as a hint, so the same input always gives the same posts; the solution is optimal when the
solver proves it, the best found otherwise (``Plan.is_optimal``).

The officers are then assigned to the chosen posts (OR-Tools' linear sum assignment) so that the total
travel from where each officer is now (their last fresh position, else their zone's centre) is least.

**补位 (move-up).** A plan is made for everyone on duty; during the shift some officers are always on tasks.
``deployment_rebalance`` re-solves the problem for the officers of a live plan who are free now, from where
they are, over the shift's remaining hours (the busy keep their posts), and stores a new plan when that
covers the expected events better than their present posts by at least ``REBALANCE_MIN_GAIN``. ``manage.py
standby_rebalance`` runs it every minute for every live plan (under ``make run``).
"""

import datetime as dt
import math
from collections.abc import Collection
from dataclasses import dataclass, field, replace

import numpy as np
from django.utils import timezone
from ortools.graph.python import linear_sum_assignment
from ortools.sat.python import cp_model
from scipy import sparse
from shapely.geometry import shape

from zhifa.analytics.demand import (
    DEFAULT_WEEKS,
    LOCAL_TZ,
    DemandModel,
    demand_fit,
    demand_history,
    hour_of_week,
    hours_between,
)
from zhifa.core.actors import Actor
from zhifa.core.errors import ValidationFailed
from zhifa.events.distance import EARTH_RADIUS_M, haversine_m
from zhifa.events.models import EventAssignment, OfficerPosition, StandbyPlan
from zhifa.events.recommend import POSITION_FRESH_MINUTES, travel_seconds
from zhifa.events.services.standby import StandbyPostDraft, standby_plan_publish
from zhifa.events.states import FIELD_STATES
from zhifa.org.models import DutyShift, Grid, Officer, Street, TravelMode, Zone
from zhifa.org.roster_selectors import shifts_on_duty_at

DEFAULT_REACH_S = 300
ACKNOWLEDGE_ALLOWANCE_S = 60  # the 1530 acknowledge clock: the minute an officer may take to accept
NEAR_SHARE = 0.5
NEAR_WEIGHT = 0.25
REBALANCE_MIN_GAIN = 0.02  # a move-up is published only when it covers at least 2 % more (no churn)
STAFFING_TARGET = 0.95  # the share of expected events a free officer should reach in time (issue 17)
STAFFING_CEILING = 200  # no street or district shift is staffed beyond this: "more than" is said instead
DEFAULT_BUSY_MINUTES = 20.0  # travel + handling of one event (the simulation's median handling is 12 min)
MAX_LEVELS = 3
MAX_BUSY_SHARE = 0.9
# Deterministic work units of CP-SAT (roughly seconds on a current core); the bench holds 100 officers and
# 1,500 grids well under 10 s of wall time.
SOLVER_BUDGET = 2.0
WALL_PER_BUDGET = 3.0
WEIGHT_SCALE = 10_000  # CP-SAT takes integer coefficients


@dataclass(frozen=True)
class Point:
    key: int
    lon: float
    lat: float


@dataclass(frozen=True)
class Cover:
    """The solution of one covering problem: how many officers at each site (site key → count)."""

    counts: dict[int, int]
    expected: float  # Σ w over the demand points
    covered: float  # Σ w of the points within reach of at least one chosen site
    objective: float  # the expected-covering value (equal to ``covered`` when q = 0)
    is_optimal: bool
    walker_counts: dict[int, int] = field(default_factory=dict)  # of ``counts``, the officers on foot


def travel_reach_s(reach_s: float) -> float:
    """The travel time a post may be from a grid when an event there must be reached within ``reach_s`` of
    its dispatch: the acknowledge minute comes first."""
    return max(0.0, reach_s - ACKNOWLEDGE_ALLOWANCE_S)


def reach_lists(
    demand: list[Point], sites: list[Point], *, reach_s: float, mode: str = TravelMode.RIDING
) -> list[list[int]]:
    """For each demand point, the indexes of the sites within ``reach_s`` of it for an officer travelling by
    ``mode``, by the recommender's estimate (``travel_seconds`` is linear in the straight-line distance, so the
    reach is a distance: computed once)."""
    if not sites or not demand:
        return [[] for _ in demand]
    limit_m = reach_s / travel_seconds(1.0, mode)
    s_lon = np.radians([s.lon for s in sites])
    s_lat = np.radians([s.lat for s in sites])
    out: list[list[int]] = []
    for p in demand:
        # The haversine of zhifa.events.distance, over every site at once.
        lon, lat = math.radians(p.lon), math.radians(p.lat)
        a = np.sin((s_lat - lat) / 2) ** 2 + math.cos(lat) * np.cos(s_lat) * np.sin((s_lon - lon) / 2) ** 2
        metres = 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(a)))
        out.append([int(j) for j in np.flatnonzero(metres <= limit_m)])
    return out


@dataclass(frozen=True)
class _Kind:
    """The officers of one travel mode: how many, and the sites within their reach (and half of it) of each
    demand point."""

    mode: str
    officers: int
    covers: list[list[int]]
    near_covers: list[list[int]]


def _kinds(points: list[Point], sites: list[Point], *, officers: int, walkers: int, reach_s: float) -> list[_Kind]:
    travel = travel_reach_s(reach_s)
    out = []
    for mode, count in ((TravelMode.RIDING, officers - walkers), (TravelMode.WALKING, walkers)):
        if count > 0:
            covers = reach_lists(points, sites, reach_s=travel, mode=mode)
            near = reach_lists(points, sites, reach_s=travel * NEAR_SHARE, mode=mode)
            out.append(_Kind(mode, count, covers, near))
    return out


def _greedy(weights: list[float], kinds: list[_Kind], n_sites: int, q: float, cap: int) -> list[list[int]]:
    """Each kind's officers one at a time (riders first), each where they add the most expected coverage (at
    most ``cap`` of a kind at a site; when nothing adds more, where the fewest stand — the first such site):
    the solver's starting hint, one count per site for each kind."""
    w = np.asarray(weights, dtype=float)
    times = np.zeros(len(weights))
    out = []
    for kind in kinds:
        rows = [i for i, near in enumerate(kind.covers) for _ in near]
        cols = [j for near in kind.covers for j in near]
        # Site × demand incidence: one sparse product gives every site's gain at once.
        incidence = sparse.csr_matrix((np.ones(len(rows)), (cols, rows)), shape=(n_sites, len(weights)))
        counts = [0] * n_sites
        for _ in range(kind.officers):
            marginal = np.where(times < MAX_LEVELS, w * (1 - q) * np.power(q, times), 0.0)
            placed = np.asarray(counts)
            gains = np.where(placed < cap, incidence @ marginal - placed * 1e-9, -np.inf)
            best = int(np.argmax(gains))  # the first of equal gains: deterministic
            counts[best] += 1
            # The demand points the site reaches, read off the CSR row (each once): slicing the sparse
            # matrix per officer cost more than the whole greedy's arithmetic.
            times[incidence.indices[incidence.indptr[best] : incidence.indptr[best + 1]]] += 1
        out.append(counts)
    return out


def cover_solve(
    demand: list[tuple[Point, float]],
    sites: list[Point],
    *,
    officers: int,
    walkers: int = 0,
    reach_s: float = DEFAULT_REACH_S,
    busy_share: float = 0.0,
    budget: float = SOLVER_BUDGET,
) -> Cover:
    """How many of ``officers`` to stand at each site so the expected events within ``reach_s`` are most;
    ``walkers`` of them are on foot (their reach is their walking time's).

    ``demand``: (point, expected events); ``busy_share``: q of the expected covering model (0: plain MCLP)."""
    q = min(max(busy_share, 0.0), MAX_BUSY_SHARE)
    points = [p for p, _ in demand]
    weights = [max(0.0, w) for _, w in demand]
    total = sum(weights)
    walkers = min(max(walkers, 0), max(officers, 0))
    if officers <= 0 or not sites:
        return Cover(counts={}, expected=total, covered=0.0, objective=0.0, is_optimal=True)
    kinds = _kinds(points, sites, officers=officers, walkers=walkers, reach_s=reach_s)
    levels = min(MAX_LEVELS, officers) if q > 0 else 1
    model = cp_model.CpModel()
    # More officers at one post than there are levels of cover adds nothing: with q = 0, one per post.
    cap = max(levels, math.ceil(officers / len(sites)))  # unless there are more officers than that allows
    x = [[model.new_int_var(0, cap, f"x{k}_{j}") for j in range(len(sites))] for k in range(len(kinds))]
    for kind, xs in zip(kinds, x, strict=True):
        model.add(sum(xs) == kind.officers)
    objective = []
    for i in range(len(points)):
        reach = [xs[j] for kind, xs in zip(kinds, x, strict=True) for j in kind.covers[i]]
        if not reach or weights[i] <= 0:
            continue
        ys = [model.new_bool_var(f"y{i}_{level}") for level in range(levels)]
        model.add(sum(ys) <= sum(reach))
        for level in range(1, levels):
            model.add_implication(ys[level], ys[level - 1])  # symmetry: fill the levels in order
        for level, y in enumerate(ys):
            coefficient = round(weights[i] * (1 - q) * q**level * WEIGHT_SCALE)
            if coefficient > 0:
                objective.append(coefficient * y)
        near = [xs[j] for kind, xs in zip(kinds, x, strict=True) for j in kind.near_covers[i]]
        coefficient = round(weights[i] * NEAR_WEIGHT * WEIGHT_SCALE)
        if near and coefficient > 0:
            close = model.new_bool_var(f"c{i}")
            model.add(close <= sum(near))
            objective.append(coefficient * close)
    model.maximize(sum(objective))
    hint = _greedy(weights, kinds, len(sites), q, cap)
    for xs, hinted in zip(x, hint, strict=True):
        for var, count in zip(xs, hinted, strict=True):
            model.add_hint(var, count)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_deterministic_time = budget
    # A wall-clock ceiling as well, for a loaded machine: the page must answer. Reached before the
    # deterministic budget only when the machine is several times slower than usual (then the posts are the
    # best found so far, and may differ from run to run).
    solver.parameters.max_time_in_seconds = max(budget, 0.1) * WALL_PER_BUDGET
    solver.parameters.random_seed = 0
    status = solver.solve(model)

    def with_closer(counts: list[list[int]]) -> float:
        closer = sum(w for i, w in enumerate(weights) if _reached(kinds, counts, i, near=True))
        return _expected_cover(weights, kinds, counts, q, levels) + NEAR_WEIGHT * closer

    counts = hint
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        solved = [[int(solver.value(v)) for v in xs] for xs in x]
        # Never worse than the hint (the wall-clock ceiling may stop the search before it got back to it).
        if status == cp_model.OPTIMAL or with_closer(solved) >= with_closer(hint):
            counts = solved
    covered = sum(w for i, w in enumerate(weights) if _reached(kinds, counts, i))
    on_foot: list[int] = next(
        (c for kind, c in zip(kinds, counts, strict=True) if kind.mode == TravelMode.WALKING), [0] * len(sites)
    )
    per_site = [sum(c[j] for c in counts) for j in range(len(sites))]
    return Cover(
        counts={site.key: n for site, n in zip(sites, per_site, strict=True) if n},
        expected=total,
        covered=covered,
        objective=_expected_cover(weights, kinds, counts, q, levels),
        is_optimal=status == cp_model.OPTIMAL,
        walker_counts={site.key: n for site, n in zip(sites, on_foot, strict=True) if n},
    )


def _reached(kinds: list[_Kind], counts: list[list[int]], i: int, *, near: bool = False) -> int:
    """How many officers stand within reach (or half of it) of demand point ``i``."""
    return sum(
        counts_k[j]
        for kind, counts_k in zip(kinds, counts, strict=True)
        for j in (kind.near_covers[i] if near else kind.covers[i])
    )


def _expected_cover(weights: list[float], kinds: list[_Kind], counts: list[list[int]], q: float, levels: int) -> float:
    """The expected covering value of ``counts`` officers per site and kind (the model's objective without
    the closer cover): each point's weight × the chance that one of its first ``levels`` officers in reach is
    free."""
    total = 0.0
    for i, w in enumerate(weights):
        n = min(_reached(kinds, counts, i), levels)
        total += w * sum((1 - q) * q**level for level in range(n))
    return total


def cover_value(
    demand: list[tuple[Point, float]],
    sites: list[Point],
    counts: dict[int, int],
    *,
    walker_counts: dict[int, int] | None = None,
    reach_s: float = DEFAULT_REACH_S,
    busy_share: float = 0.0,
) -> float:
    """The expected covering value of given posts (site key → officers, of whom ``walker_counts`` on foot), as
    ``cover_solve`` scores them."""
    q = min(max(busy_share, 0.0), MAX_BUSY_SHARE)
    walker_counts = walker_counts or {}
    officers, walkers = sum(counts.values()), sum(walker_counts.values())
    levels = min(MAX_LEVELS, officers) if q > 0 else 1
    kinds = _kinds([p for p, _ in demand], sites, officers=officers, walkers=walkers, reach_s=reach_s)
    by_mode: dict[str, list[int]] = {
        TravelMode.RIDING: [counts.get(s.key, 0) - walker_counts.get(s.key, 0) for s in sites],
        TravelMode.WALKING: [walker_counts.get(s.key, 0) for s in sites],
    }
    return _expected_cover([max(0.0, w) for _, w in demand], kinds, [by_mode[k.mode] for k in kinds], q, levels)


def assign_officers(
    origins: list[tuple[int, float, float]], posts: list[Point], counts: dict[int, int]
) -> dict[int, Point]:
    """Officer id → post: each post taken by as many officers as ``counts`` says, least total travel from
    each officer's origin (officer id, lon, lat). Ties are broken by the order given, so it is deterministic."""
    slots = [p for p in posts for _ in range(counts.get(p.key, 0))]
    if not origins or not slots:
        return {}
    solver = linear_sum_assignment.SimpleLinearSumAssignment()
    for a, (_, lon, lat) in enumerate(origins):
        for b, slot in enumerate(slots):
            solver.add_arc_with_cost(a, b, round(haversine_m(lon, lat, slot.lon, slot.lat)))
    if len(origins) > len(slots):
        raise ValueError("more officers than posts")
    if solver.solve() != solver.OPTIMAL:
        raise RuntimeError("assignment failed")
    return {origins[a][0]: slots[solver.right_mate(a)] for a in range(len(origins))}


# --- a shift's plan from the records ----------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedPost:
    officer_id: int
    officer_name: str
    grid_id: int
    grid_name: str
    lon: float
    lat: float


@dataclass(frozen=True)
class Plan:
    posts: list[PlannedPost]
    expected: float
    covered: float
    busy_share: float
    is_optimal: bool
    objective: float = 0.0  # the expected covering value (``Cover.objective``)
    staffing: "Staffing | None" = None


def grid_points(*, district_id: int, street_id: int | None) -> list[tuple[Point, str]]:
    grids = Grid.objects.filter(district_id=district_id).order_by("pk")
    if street_id is not None:
        grids = grids.filter(street_id=street_id)
    out = []
    for pk, name, boundary in grids.values_list("pk", "name", "boundary"):
        inside = shape(boundary).representative_point()
        out.append((Point(pk, inside.x, inside.y), name))
    return out


def officers_on_duty(*, district_id: int, street_id: int | None, at: dt.datetime) -> list[tuple[int, str]]:
    """(id, name) of the area's active officers on a live roster shift at ``at``, in id order."""
    on_duty = shifts_on_duty_at(at).values("officer_id")
    officers = Officer.objects.filter(district_id=district_id, is_active=True, pk__in=on_duty)
    if street_id is not None:
        officers = officers.filter(street_id=street_id)
    return list(officers.order_by("pk").values_list("pk", "name"))


def officers_on_foot(officer_ids: list[int]) -> set[int]:
    """Which of the officers patrol on foot (``Officer.travel_mode``)."""
    return set(Officer.objects.filter(pk__in=officer_ids, travel_mode=TravelMode.WALKING).values_list("pk", flat=True))


def _origins(
    officer_ids: list[int], at: dt.datetime, fallback: dict[int, tuple[float, float]] | None = None
) -> list[tuple[int, float, float]]:
    """Where each officer starts from: the last fresh position, else ``fallback`` (their post), else their
    zone's (or street's) centre."""
    out = []
    officers = Officer.objects.filter(pk__in=officer_ids).values_list("pk", "zone_id", "street_id")
    places = {o[0]: o for o in officers}
    zone_ids = {o[1] for o in officers if o[1]}
    street_ids = {o[2] for o in officers if o[2]}
    zone_centre = {
        pk: shape(b).centroid for pk, b in Zone.objects.filter(pk__in=zone_ids).values_list("pk", "boundary")
    }
    street_centre = {
        pk: shape(b).centroid for pk, b in Street.objects.filter(pk__in=street_ids).values_list("pk", "boundary")
    }
    for officer_id in officer_ids:
        last = (
            OfficerPosition.objects.filter(
                officer_id=officer_id,
                recorded_at__gte=at - dt.timedelta(minutes=POSITION_FRESH_MINUTES),
                recorded_at__lte=at,
            )
            .order_by("-recorded_at", "-pk")
            .values_list("lon", "lat")
            .first()
        )
        _, zone_id, street_id = places[officer_id]
        centre = zone_centre.get(zone_id) or street_centre.get(street_id)
        if last is not None:
            out.append((officer_id, last[0], last[1]))
        elif fallback and officer_id in fallback:
            out.append((officer_id, *fallback[officer_id]))
        elif centre is not None:
            out.append((officer_id, centre.x, centre.y))
        else:
            out.append((officer_id, 0.0, 0.0))
    return out


@dataclass(frozen=True)
class Staffing:
    """人力测算: how many riding officers the shift would need so that a free one is within reach of
    ``STAFFING_TARGET`` of the expected events — for the shift's busiest hour (events come in bursts, and the
    busy share of an hour is that hour's) and on the shift's average. ``None``: more than ``STAFFING_CEILING``
    (or some demand lies beyond any post's reach)."""

    target: float
    peak_hour: dt.datetime | None
    peak_expected: float
    peak: int | None
    shift: int | None

    def as_json(self) -> dict[str, object]:
        return {
            "target": self.target,
            "peak_hour": self.peak_hour.isoformat() if self.peak_hour else None,
            "peak_expected": round(self.peak_expected, 2),
            "peak": self.peak,
            "shift": self.shift,
        }


def officers_needed(
    *,
    points: list[Point],
    expected: dict[int, float],
    minutes: float,
    reach_s: float = DEFAULT_REACH_S,
    busy_minutes: float = DEFAULT_BUSY_MINUTES,
    target: float = STAFFING_TARGET,
    ceiling: int = STAFFING_CEILING,
) -> int | None:
    """The fewest riding officers whose greedy posts give an expected covering of at least ``target`` of the
    expected events over ``minutes`` (the busy share falls as officers are added). The greedy answer is a
    feasible plan, so the number is enough, if not always the least. 0 when nothing is expected."""
    weights = [max(0.0, expected.get(p.key, 0.0)) for p in points]
    total = sum(weights)
    if total <= 0:
        return 0
    covers = reach_lists(points, points, reach_s=travel_reach_s(reach_s))

    def share(k: int) -> float:
        q = min(total * busy_minutes / (k * minutes), MAX_BUSY_SHARE)
        kind = _Kind(TravelMode.RIDING, k, covers, covers)
        levels = min(MAX_LEVELS, k) if q > 0 else 1
        cap = max(levels, math.ceil(k / len(points)))
        counts = _greedy(weights, [kind], len(points), q, cap)
        return _expected_cover(weights, [kind], counts, q, levels) / total

    # Doubling, then halving between the last two (share is near-monotone in k and each step costs about k):
    # a street needs tens, not the ceiling, so starting from the ceiling cost ~4× more (the roster page asks
    # for every weekday's shifts).
    high = 1
    while share(high) < target:
        if high >= ceiling:
            return None
        high = min(high * 2, ceiling)
    low = high // 2 + 1  # share(high // 2) < target: the step before
    while low < high:
        middle = (low + high) // 2
        if share(middle) >= target:
            high = middle
        else:
            low = middle + 1
    return low


def staffing_compute(
    *,
    points: list[Point],
    model: DemandModel,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    reach_s: float = DEFAULT_REACH_S,
    busy_minutes: float = DEFAULT_BUSY_MINUTES,
) -> Staffing:
    """The shift's 人力测算 from the demand model (``Staffing``)."""
    hours = [starts_at.astimezone(LOCAL_TZ).replace(minute=0, second=0, microsecond=0)]
    while hours[-1] + dt.timedelta(hours=1) < ends_at:
        hours.append(hours[-1] + dt.timedelta(hours=1))
    by_hour = [(at, model.expected([hour_of_week(at)])) for at in hours]
    peak_at, peak = max(by_hour, key=lambda h: (sum(h[1].values()), -h[0].timestamp()))
    return Staffing(
        target=STAFFING_TARGET,
        peak_hour=peak_at if sum(peak.values()) > 0 else None,
        peak_expected=sum(peak.values()),
        peak=officers_needed(points=points, expected=peak, minutes=60, reach_s=reach_s, busy_minutes=busy_minutes),
        shift=officers_needed(
            points=points,
            expected=model.expected(hours_between(starts_at, ends_at)),
            minutes=(ends_at - starts_at).total_seconds() / 60,
            reach_s=reach_s,
            busy_minutes=busy_minutes,
        ),
    )


@dataclass(frozen=True)
class ShiftCover:
    """One shift of a street's roster (every live duty shift with this start and end) beside its 人力测算: the
    roster page's row under the grid. ``is_short``: fewer riders than the busiest hour asks for (or more than
    the ceiling asked for)."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    on_duty: int
    riding: int
    staffing: Staffing

    @property
    def is_short(self) -> bool:
        if self.staffing.peak_hour is None:
            return False  # no history: nothing to measure against
        return self.staffing.peak is None or self.riding < self.staffing.peak


def roster_staffing(
    *,
    district_id: int,
    street_id: int,
    first_day: dt.date,
    last_day: dt.date,
    now: dt.datetime | None = None,
    weeks: int = DEFAULT_WEEKS,
) -> list[ShiftCover]:
    """The street's rostered shifts starting from ``first_day`` to ``last_day`` (local days), each with the
    officers on it, the riders among them and the 人力测算 of its hours from the demand of the ``weeks`` weeks
    before ``now`` — what the roster page shows so the person drawing up the roster sees where it falls short
    before the shift, not on the deployment page during it. The model is by hour of week, so shifts of the same
    weekday and hours share one computation."""
    now = now or timezone.now()
    grids = grid_points(district_id=district_id, street_id=street_id)
    if not grids:
        return []
    names = {p.key: name for p, name in grids}
    points = [p for p, _ in grids]
    first = dt.datetime.combine(first_day, dt.time(0), tzinfo=LOCAL_TZ)
    last = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(0), tzinfo=LOCAL_TZ)
    rows = (
        DutyShift.objects.filter(
            district_id=district_id,
            removed_at__isnull=True,
            officer__street_id=street_id,
            officer__is_active=True,
            starts_at__gte=first,
            starts_at__lt=last,
        )
        .order_by("starts_at", "ends_at")
        .values_list("starts_at", "ends_at", "officer_id", "officer__travel_mode")
    )
    windows: dict[tuple[dt.datetime, dt.datetime], tuple[set[int], set[int]]] = {}
    for starts_at, ends_at, officer_id, mode in rows:
        officers, riders = windows.setdefault((starts_at, ends_at), (set(), set()))
        officers.add(officer_id)
        if mode == TravelMode.RIDING:
            riders.add(officer_id)
    if not windows:
        return []
    model = demand_fit(
        demand_history(district_id=district_id, grid_ids=names, as_of=now, weeks=weeks), grid_ids=names, weeks=weeks
    )
    computed: dict[tuple[int, dt.time, dt.timedelta], tuple[dt.datetime, Staffing]] = {}
    out = []
    for (starts_at, ends_at), (officers, riders) in windows.items():
        local = starts_at.astimezone(LOCAL_TZ)
        key = (local.weekday(), local.time(), ends_at - starts_at)
        if key not in computed:
            computed[key] = (
                starts_at,
                staffing_compute(points=points, model=model, starts_at=starts_at, ends_at=ends_at),
            )
        first_start, staffing = computed[key]
        if staffing.peak_hour is not None:  # the same hour of week, on this shift's day
            staffing = replace(staffing, peak_hour=staffing.peak_hour + (starts_at - first_start))
        out.append(ShiftCover(starts_at, ends_at, len(officers), len(riders), staffing))
    return out


# --- the shift a person asks for (the deployment page's form and the API's body) --------------------------

MAX_DAYS_AWAY = 366


def shift_window(on: dt.date, from_hour: int, to_hour: int) -> tuple[dt.datetime, dt.datetime]:
    """The shift's start and end, local time, as the page reads its form: ``to`` at or before ``from`` is the
    next morning, ``to`` 24 is midnight; refused (``invalid_hour``) outside 0–23 / 0–24 or when equal."""
    for value, name, label, top in ((from_hour, "from", "开始时间", 23), (to_hour, "to", "结束时间", 24)):
        if not 0 <= value <= top:
            raise ValidationFailed(f"{label}须为0–{top}的整点", code="invalid_hour", details={"field": name})
    if from_hour == to_hour:
        raise ValidationFailed("开始时间和结束时间须为不同的整点（开始 0–23）", code="invalid_hour")
    starts_at = dt.datetime.combine(on, dt.time(from_hour), tzinfo=LOCAL_TZ)
    end_day = on if to_hour > from_hour else on + dt.timedelta(days=1)
    if to_hour == 24:
        return starts_at, dt.datetime.combine(on + dt.timedelta(days=1), dt.time(0), tzinfo=LOCAL_TZ)
    return starts_at, dt.datetime.combine(end_day, dt.time(to_hour), tzinfo=LOCAL_TZ)


def shift_date(raw: str | None) -> dt.date:
    """The shift's day: today by default; a day more than ``MAX_DAYS_AWAY`` from today is refused
    (``date_out_of_range``): no roster or history makes a plan for it, and the first and last days the
    calendar holds would overflow the shift's window."""
    text = (raw or "").strip()
    today = timezone.localdate()
    try:
        on = dt.date.fromisoformat(text) if text else today
    except ValueError:
        raise ValidationFailed(
            f"日期须为 YYYY-MM-DD：{text[:20]}", code="invalid_date", details={"field": "date"}
        ) from None
    if abs((on - today).days) > MAX_DAYS_AWAY:
        raise ValidationFailed(
            f"班次日期须在今天前后{MAX_DAYS_AWAY}天之内：{on.isoformat()}",
            code="date_out_of_range",
            details={"field": "date"},
        )
    return on


def deployment_compute(
    *,
    district_id: int,
    street_id: int | None,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    weeks: int = DEFAULT_WEEKS,
    reach_s: float = DEFAULT_REACH_S,
) -> Plan:
    """The posts for the officers on duty at the start of the shift, from the demand of its hours."""
    grids = grid_points(district_id=district_id, street_id=street_id)
    names = {p.key: name for p, name in grids}
    points = [p for p, _ in grids]
    history = demand_history(district_id=district_id, grid_ids=names, as_of=starts_at, weeks=weeks)
    model = demand_fit(history, grid_ids=names, weeks=weeks)
    expected = model.expected(hours_between(starts_at, ends_at))
    officers = officers_on_duty(district_id=district_id, street_id=street_id, at=starts_at)
    plan = plan_posts(
        walking=officers_on_foot([o for o, _ in officers]),
        points=points,
        names=names,
        expected=expected,
        officers=officers,
        origins=_origins([o for o, _ in officers], starts_at),
        shift_minutes=(ends_at - starts_at).total_seconds() / 60,
        reach_s=reach_s,
    )
    staffing = staffing_compute(points=points, model=model, starts_at=starts_at, ends_at=ends_at, reach_s=reach_s)
    return replace(plan, staffing=staffing)


def plan_posts(
    *,
    points: list[Point],
    names: dict[int, str],
    expected: dict[int, float],
    officers: list[tuple[int, str]],
    origins: list[tuple[int, float, float]],
    shift_minutes: float,
    reach_s: float = DEFAULT_REACH_S,
    busy_minutes: float = DEFAULT_BUSY_MINUTES,
    budget: float = SOLVER_BUDGET,
    walking: Collection[int] = frozenset(),
) -> Plan:
    """The covering problem and the assignment for given grids, demand and officers (no database);
    ``walking``: the ids of the officers on foot (their posts are chosen with their own reach, and only they
    are assigned to them)."""
    total = sum(expected.values())
    busy = total * busy_minutes / (len(officers) * shift_minutes) if officers and shift_minutes > 0 else 0.0
    cover = cover_solve(
        [(p, expected.get(p.key, 0.0)) for p in points],
        points,
        officers=len(officers),
        walkers=sum(1 for officer_id, _ in officers if officer_id in walking),
        reach_s=reach_s,
        busy_share=busy,
        budget=budget,
    )
    riding = {key: n - cover.walker_counts.get(key, 0) for key, n in cover.counts.items()}
    assigned = assign_officers([o for o in origins if o[0] not in walking], points, riding)
    assigned |= assign_officers([o for o in origins if o[0] in walking], points, cover.walker_counts)
    officer_names = dict(officers)
    posts = [
        PlannedPost(officer_id, officer_names[officer_id], post.key, names.get(post.key, ""), post.lon, post.lat)
        for officer_id, post in sorted(assigned.items())
    ]
    return Plan(
        posts=posts,
        expected=total,
        covered=cover.covered,
        busy_share=min(busy, MAX_BUSY_SHARE),
        is_optimal=cover.is_optimal,
        objective=cover.objective,
    )


def rebalance_posts(
    *,
    points: list[Point],
    names: dict[int, str],
    expected: dict[int, float],
    free: list[tuple[int, str]],
    positions: list[tuple[int, float, float]],
    current: dict[int, int],
    shift_minutes: float,
    reach_s: float = DEFAULT_REACH_S,
    busy_minutes: float = DEFAULT_BUSY_MINUTES,
    budget: float = SOLVER_BUDGET,
    walking: Collection[int] = frozenset(),
) -> Plan | None:
    """补位 (no database): posts for the ``free`` officers from where they are (``positions``) over the
    remaining demand, or None when their present posts (``current``: officer → grid key) cover it as well
    within ``REBALANCE_MIN_GAIN``; ``walking`` as for ``plan_posts``."""
    if not free:
        return None
    plan = plan_posts(
        points=points,
        names=names,
        expected=expected,
        officers=free,
        origins=positions,
        shift_minutes=shift_minutes,
        reach_s=reach_s,
        busy_minutes=busy_minutes,
        budget=budget,
        walking=walking,
    )
    present: dict[int, int] = {}
    present_on_foot: dict[int, int] = {}
    for officer_id, _ in free:
        if officer_id in current:
            present[current[officer_id]] = present.get(current[officer_id], 0) + 1
            if officer_id in walking:
                present_on_foot[current[officer_id]] = present_on_foot.get(current[officer_id], 0) + 1
    demand = [(p, expected.get(p.key, 0.0)) for p in points]
    before = cover_value(
        demand, points, present, walker_counts=present_on_foot, reach_s=reach_s, busy_share=plan.busy_share
    )
    if plan.objective <= before * (1 + REBALANCE_MIN_GAIN) + 1e-9:
        return None
    return plan


def deployment_rebalance(
    *,
    actor: Actor,
    plan: StandbyPlan,
    at: dt.datetime,
    expected: dict[int, float] | None = None,
    weeks: int = DEFAULT_WEEKS,
) -> StandbyPlan | None:
    """补位 for a live plan at ``at``: its officers still on duty and not on a task get posts re-solved for the
    rest of the shift from where they are (their fresh position, else their post); those on a task keep theirs.
    Stored as a new plan of the same shift (superseding this one, ``standby_plan_publish``: who may, audit,
    the phones told) when it covers better — else None, nothing written. ``expected``: the remaining hours'
    demand per grid (default: fitted from the records, as ``deployment_compute`` does)."""
    if at >= plan.ends_at:
        return None
    posts = list(plan.posts.select_related("officer").order_by("pk"))
    officer_ids = [p.officer_id for p in posts]
    busy = set(
        EventAssignment.objects.filter(
            officer_id__in=officer_ids, released_at__isnull=True, event__status__in=FIELD_STATES
        ).values_list("officer_id", flat=True)
    )
    on_duty = set(shifts_on_duty_at(at).filter(officer_id__in=officer_ids).values_list("officer_id", flat=True))
    free = [(p.officer_id, p.officer.name) for p in posts if p.officer_id in on_duty and p.officer_id not in busy]
    if not free:
        return None
    grids = grid_points(district_id=plan.district_id, street_id=plan.street_id)
    names = {p.key: name for p, name in grids}
    hours = hours_between(max(at, plan.starts_at), plan.ends_at)
    if expected is None:
        history = demand_history(district_id=plan.district_id, grid_ids=names, as_of=at, weeks=weeks)
        expected = demand_fit(history, grid_ids=names, weeks=weeks).expected(hours)
    fallback = {p.officer_id: (p.lon, p.lat) for p in posts}
    new = rebalance_posts(
        points=[p for p, _ in grids],
        names=names,
        expected=expected,
        free=free,
        positions=_origins([o for o, _ in free], at, fallback),
        current={p.officer_id: p.grid_id for p in posts},
        shift_minutes=(plan.ends_at - max(at, plan.starts_at)).total_seconds() / 60,
        reach_s=plan.reach_s,
        walking=officers_on_foot([o for o, _ in free]),
    )
    if new is None:
        return None
    moved = {p.officer_id: p for p in new.posts}
    drafts = [
        StandbyPostDraft(p.officer_id, moved[p.officer_id].grid_id, moved[p.officer_id].lon, moved[p.officer_id].lat)
        if p.officer_id in moved
        else StandbyPostDraft(p.officer_id, p.grid_id, p.lon, p.lat)
        for p in posts
    ]
    return standby_plan_publish(
        actor=actor,
        district_id=plan.district_id,
        street_id=plan.street_id,
        starts_at=plan.starts_at,
        ends_at=plan.ends_at,
        reach_s=plan.reach_s,
        expected_events=new.expected,
        covered_events=new.covered,
        posts=drafts,
        staffing=plan.staffing,  # the same shift: its 人力测算 stands
    )


def deployment_publish(
    *,
    actor: Actor,
    district_id: int,
    street_id: int | None,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    reach_s: float = DEFAULT_REACH_S,
) -> StandbyPlan:
    """Compute the shift's posts and store them (``standby_plan_publish`` checks who may, and audits)."""
    plan = deployment_compute(
        district_id=district_id, street_id=street_id, starts_at=starts_at, ends_at=ends_at, reach_s=reach_s
    )
    return standby_plan_publish(
        actor=actor,
        district_id=district_id,
        street_id=street_id,
        starts_at=starts_at,
        ends_at=ends_at,
        reach_s=int(reach_s),
        expected_events=plan.expected,
        covered_events=plan.covered,
        posts=[StandbyPostDraft(p.officer_id, p.grid_id, p.lon, p.lat) for p in plan.posts],
        staffing=plan.staffing.as_json() if plan.staffing else None,
    )
