"""Planning the day (issue 12 part 4): routes for inspection crews with OR-Tools (vehicle routing with time
windows), as a pure function — plain dataclasses in, plain dataclasses out, no ORM.

**The model.**

- A **stop** is one visit (a joint inspection of one subject, or one department's check): a position (WGS-84),
  the minutes it takes on site, and a time window in which the visit must **start and finish** (the subject's
  opening hours), in seconds from the day's midnight. ``domains`` are the enforcement domains of its checks:
  a crew may take it if both its officers are certified for at least one of them (APL 42: two certified
  officers investigate; the other departments' officers of a joint visit join it, part 5). ``priority`` weighs
  leaving it out (a visit whose window ends today weighs more than one that can wait).
- A **crew** is a pair of officers on duty (two-officer pairs, APL 42): its start position (it starts and ends
  the day there), its shift window (the overlap of the two officers' shifts) and its domains (those both
  officers hold).
- **Travel times** from positions, the assumption the dispatch recommender makes (``zhifa.events.recommend``):
  great-circle distance × ``ROAD_FACTOR`` (1.3, road to straight-line distance in a city grid) at
  ``speed_mps`` (officers ride e-bikes: ``ZHIFA_RIDING_SPEED_MPS``, 4.5 m/s ≈ 16 km/h with stops). No road
  network: the project owns no routable roads, and at this scale the factor is within the estimate's noise.

**The solve.** Each crew is a vehicle that starts and ends at its start position; the time dimension carries
travel + service with waiting allowed; each stop is optional with a penalty of ``priority × DROP_PENALTY``
(larger than any day's kilometres in metres), so the solver first fits as many (weighted) visits as it can and
then minimises the road kilometres. Crews may only take the stops their domains allow.

Search parameters are fixed (``PATH_CHEAPEST_ARC`` first solution, then ``GREEDY_DESCENT`` local search to a
local optimum, one worker), so the same input gives the same routes; ``time_limit_s`` is only a bound — when it
is reached (``RoutingResult.hit_time_limit``) the answer is the best found by then and may differ between runs.

**Why a stop is not fitted** (``Unfitted.code``): ``no_crew`` (nobody on duty to pair), ``no_qualified_crew``
(no crew whose two officers are certified for any of the visit's domains), ``outside_shifts`` (no qualified crew
can reach it, do it within its window and be back by the end of its shift even with nothing else to do),
``capacity`` (feasible alone, but the day's crews had no room left for it), ``time_limit`` (the search found no
first solution within ``time_limit_s``).
"""

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from zhifa.events.distance import haversine_m

# The dispatch recommender's factor (zhifa.events.recommend.ROAD_FACTOR; a test keeps the two equal). Not
# imported from there: that module reads the ORM, and this one stays pure.
ROAD_FACTOR = 1.3

DEFAULT_SPEED_MPS = 4.5  # settings.ZHIFA_RIDING_SPEED_MPS's default: e-bike, ≈ 16 km/h with stops
DROP_PENALTY = 10_000_000  # metres: leaving one visit out costs more than 10,000 road km
HORIZON_S = 48 * 3600  # a night shift may run past midnight
DEFAULT_TIME_LIMIT_S = 10.0
# What a visit takes on site: 30 minutes for one department's check, 15 more for each further department of a
# joint visit (the combined checklist is longer, one walk-round); the bench and the page's selector use these.
VISIT_SERVICE_S = 30 * 60
EXTRA_DEPARTMENT_S = 15 * 60
# A subject's window when nothing better is known (subjects carry no opening hours yet): office hours.
WORKING_HOURS = (9 * 3600, 17 * 3600)
# Weight of a visit on the last day of its window against one that can wait.
DUE_TODAY_PRIORITY = 10
_STATUS = routing_enums_pb2.RoutingSearchStatus
# The search ended on its own (a local optimum, or proven optimal), not on the time limit.
_REACHED = {_STATUS.ROUTING_SUCCESS, _STATUS.ROUTING_OPTIMAL}

UNFITTED_REASONS = {
    "no_crew": "当日没有可编组的在岗执法人员（每组须两名持证人员）",
    "no_qualified_crew": "没有两名人员均持有相应执法领域证件的班组",
    "outside_shifts": "任何班组的班次内都无法在对象时间窗内到达并完成检查",
    "capacity": "当日各班组时间已排满",
    "time_limit": "规划时限内未找到可行路线，请缩小范围后重试",
}


@dataclass(frozen=True)
class TravelModel:
    """Road metres and riding seconds between two points (see the module's docstring)."""

    road_factor: float = ROAD_FACTOR
    speed_mps: float = DEFAULT_SPEED_MPS

    def road_m(self, a: tuple[float, float], b: tuple[float, float]) -> float:
        return haversine_m(a[0], a[1], b[0], b[1]) * self.road_factor

    def seconds(self, a: tuple[float, float], b: tuple[float, float]) -> int:
        return math.ceil(self.road_m(a, b) / self.speed_mps)


@dataclass(frozen=True)
class Stop:
    key: Hashable
    lon: float
    lat: float
    service_s: int
    window: tuple[int, int]  # seconds from the day's midnight: the visit starts and finishes within it
    domains: frozenset[str] = frozenset()  # empty: any crew may take it
    priority: int = 1

    def __post_init__(self) -> None:
        if self.service_s < 0 or self.window[0] > self.window[1]:
            raise ValueError(f"stop {self.key!r}: negative service or reversed window")


@dataclass(frozen=True)
class Crew:
    key: Hashable
    officer_ids: tuple[int, int]
    lon: float
    lat: float
    shift: tuple[int, int]  # seconds from the day's midnight
    domains: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if len(set(self.officer_ids)) != 2:
            raise ValueError(f"crew {self.key!r}: a crew is two different officers")
        if self.shift[0] >= self.shift[1]:
            raise ValueError(f"crew {self.key!r}: empty shift")

    def may_take(self, stop: Stop) -> bool:
        return not stop.domains or bool(stop.domains & self.domains)


@dataclass(frozen=True)
class RouteStop:
    key: Hashable
    arrival_s: int  # when the crew gets there
    start_s: int  # when the visit starts (after waiting for the window to open)
    end_s: int
    road_km: float  # from the previous point of the route


@dataclass(frozen=True)
class Route:
    crew: Hashable
    stops: tuple[RouteStop, ...]
    start_s: int  # leaves the start position
    back_s: int  # back at the start position
    road_km: float  # the whole loop, back to the start position included


@dataclass(frozen=True)
class Unfitted:
    key: Hashable
    code: str

    @property
    def reason(self) -> str:
        return UNFITTED_REASONS[self.code]


@dataclass(frozen=True)
class RoutingResult:
    routes: tuple[Route, ...]  # one per crew, in the crews' order (an idle crew has no stops)
    unfitted: tuple[Unfitted, ...]  # in the stops' order
    hit_time_limit: bool = False
    road_km: float = field(init=False)
    visits: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "road_km", round(sum(r.road_km for r in self.routes), 3))
        object.__setattr__(self, "visits", sum(len(r.stops) for r in self.routes))


def visit_service_s(departments: int) -> int:
    """Minutes on site, in seconds, for a visit of ``departments`` departments."""
    return VISIT_SERVICE_S + EXTRA_DEPARTMENT_S * max(0, departments - 1)


def _alone_feasible(stop: Stop, crew: Crew, travel: TravelModel) -> bool:
    """Could ``crew`` do ``stop`` with nothing else to do that day?"""
    there = travel.seconds((crew.lon, crew.lat), (stop.lon, stop.lat))
    start = max(crew.shift[0] + there, stop.window[0])
    end = start + stop.service_s
    return end <= stop.window[1] and end + there <= crew.shift[1]


def solve(
    stops: Sequence[Stop],
    crews: Sequence[Crew],
    *,
    travel: TravelModel | None = None,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
) -> RoutingResult:
    """Route ``crews`` through as many ``stops`` as fit (weighted by priority), then the fewest road km."""
    travel = travel or TravelModel()
    if len({s.key for s in stops}) != len(stops) or len({c.key for c in crews}) != len(crews):
        raise ValueError("stop and crew keys must be unique")
    empty = tuple(Route(c.key, (), c.shift[0], c.shift[0], 0.0) for c in crews)
    if not crews:
        return RoutingResult(empty, tuple(Unfitted(s.key, "no_crew") for s in stops))

    pre_unfitted: dict[Hashable, str] = {}
    allowed: dict[int, list[int]] = {}
    routable: list[Stop] = []
    for stop in stops:
        qualified = [v for v, c in enumerate(crews) if c.may_take(stop)]
        feasible = [v for v in qualified if _alone_feasible(stop, crews[v], travel)]
        if not qualified:
            pre_unfitted[stop.key] = "no_qualified_crew"
        elif not feasible:
            pre_unfitted[stop.key] = "outside_shifts"
        else:
            allowed[len(routable)] = feasible
            routable.append(stop)
    if not routable:
        return RoutingResult(empty, tuple(Unfitted(s.key, pre_unfitted[s.key]) for s in stops))

    # Nodes: one depot per crew (its start position, start and end of its route), then the stops.
    points = [(c.lon, c.lat) for c in crews] + [(s.lon, s.lat) for s in routable]
    depots = len(crews)
    service = [0] * depots + [s.service_s for s in routable]
    road = [[round(travel.road_m(a, b)) for b in points] for a in points]
    seconds = [[travel.seconds(a, b) for b in points] for a in points]
    busy = [[service[i] + seconds[i][j] for j in range(len(points))] for i in range(len(points))]

    manager = pywrapcp.RoutingIndexManager(len(points), len(crews), list(range(depots)), list(range(depots)))
    model = pywrapcp.RoutingModel(manager)
    model.SetArcCostEvaluatorOfAllVehicles(model.RegisterTransitMatrix(road))
    time_cb = model.RegisterTransitMatrix(busy)
    model.AddDimension(time_cb, HORIZON_S, HORIZON_S, False, "time")
    clock = model.GetDimensionOrDie("time")
    for v, crew in enumerate(crews):
        clock.CumulVar(model.Start(v)).SetRange(crew.shift[0], crew.shift[1])
        clock.CumulVar(model.End(v)).SetRange(crew.shift[0], crew.shift[1])
    for n, stop in enumerate(routable):
        index = manager.NodeToIndex(depots + n)
        clock.CumulVar(index).SetRange(stop.window[0], stop.window[1] - stop.service_s)
        if len(allowed[n]) < len(crews):
            # -1: unperformed (SetAllowedVehiclesForIndex takes an absl::Span the Python wrapper cannot pass).
            model.VehicleVar(index).SetValues([-1, *allowed[n]])
        model.AddDisjunction([index], stop.priority * DROP_PENALTY)
    for v in range(len(crews)):
        model.AddVariableMinimizedByFinalizer(clock.CumulVar(model.Start(v)))
        model.AddVariableMinimizedByFinalizer(clock.CumulVar(model.End(v)))

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT
    params.time_limit.FromMilliseconds(max(1, round(time_limit_s * 1000)))
    solution = model.SolveWithParameters(params)
    hit_limit = model.status() not in _REACHED
    if solution is None:  # not even a first solution within the limit
        return RoutingResult(
            empty,
            tuple(Unfitted(s.key, pre_unfitted.get(s.key, "time_limit")) for s in stops),
            hit_time_limit=True,
        )

    routes: list[Route] = []
    done: set[Hashable] = set()
    for v, crew in enumerate(crews):
        index = model.Start(v)
        leave = solution.Min(clock.CumulVar(index))
        previous, clock_at, km_total = v, leave, 0.0
        visited: list[RouteStop] = []
        index = solution.Value(model.NextVar(index))
        while not model.IsEnd(index):
            node = manager.IndexToNode(index)
            stop = routable[node - depots]
            arrival = clock_at + seconds[previous][node]
            start = max(arrival, solution.Min(clock.CumulVar(index)))
            km = road[previous][node] / 1000
            visited.append(RouteStop(stop.key, arrival, start, start + stop.service_s, round(km, 3)))
            km_total += km
            done.add(stop.key)
            previous, clock_at = node, start + stop.service_s
            index = solution.Value(model.NextVar(index))
        if visited:
            km_total += road[previous][v] / 1000
            back = clock_at + seconds[previous][v]
            routes.append(Route(crew.key, tuple(visited), leave, back, round(km_total, 3)))
        else:
            routes.append(Route(crew.key, (), crew.shift[0], crew.shift[0], 0.0))
    unfitted = tuple(Unfitted(s.key, pre_unfitted.get(s.key, "capacity")) for s in stops if s.key not in done)
    return RoutingResult(tuple(routes), unfitted, hit_time_limit=hit_limit)
