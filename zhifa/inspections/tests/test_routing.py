"""Planning the day: the OR-Tools routing of crews through visits, on small known cases (no database)."""

import pytest

from zhifa.events.distance import METRES_PER_DEGREE_LAT
from zhifa.events.recommend import ROAD_FACTOR as RECOMMENDER_ROAD_FACTOR
from zhifa.inspections.routing import ROAD_FACTOR, Crew, Stop, TravelModel, solve

H = 3600
BASE = (120.15, 30.30)
# Points due north of the base: k kilometres of straight line each.
KM_LAT = 1000 / METRES_PER_DEGREE_LAT


def north(km: float) -> tuple[float, float]:
    return BASE[0], BASE[1] + km * KM_LAT


def stop(key: str, km: float, *, window: tuple[int, int] = (9 * H, 17 * H), minutes: int = 30, **kw: object) -> Stop:
    lon, lat = north(km)
    return Stop(key, lon, lat, minutes * 60, window, **kw)  # type: ignore[arg-type]


def crew(key: str, shift: tuple[int, int] = (8 * H, 18 * H), officers: tuple[int, int] = (1, 2), **kw: object) -> Crew:
    return Crew(key, officers, BASE[0], BASE[1], shift, **kw)  # type: ignore[arg-type]


def order(result: object, crew_key: str) -> list[str]:
    route = next(r for r in result.routes if r.crew == crew_key)  # type: ignore[attr-defined]
    return [s.key for s in route.stops]


def test_the_travel_assumption_is_the_dispatch_recommenders() -> None:
    assert ROAD_FACTOR == RECOMMENDER_ROAD_FACTOR
    travel = TravelModel()
    # 1 km straight → 1.3 road km → 1300 m at 4.5 m/s = 289 s (ceiling).
    assert travel.road_m(BASE, north(1)) == pytest.approx(1300, abs=0.5)
    assert travel.seconds(BASE, north(1)) == 289


def test_one_crew_visits_stops_in_the_order_of_the_road_and_reports_arrival_and_kilometres() -> None:
    result = solve([stop("far", 3), stop("near", 1), stop("mid", 2)], [crew("A")])
    assert order(result, "A") == ["near", "mid", "far"]
    route = result.routes[0]
    # Out 3 km and back 3 km of straight line, × 1.3 road factor.
    assert route.road_km == pytest.approx(7.8, abs=0.01)
    first = route.stops[0]
    # Leaves at 08:00, 289 s later at the first stop, waits for 09:00 to start, 30 minutes there.
    assert first.arrival_s == 8 * H + 289
    assert (first.start_s, first.end_s) == (9 * H, 9 * H + 1800)
    assert route.stops[1].arrival_s == 9 * H + 1800 + 289
    assert result.visits == 3 and result.unfitted == ()


def test_time_windows_decide_the_order_even_against_the_road() -> None:
    # The far stop is open only in the morning, the near one only in the afternoon.
    result = solve([stop("near", 1, window=(14 * H, 17 * H)), stop("far", 3, window=(9 * H, 11 * H))], [crew("A")])
    assert order(result, "A") == ["far", "near"]
    near = result.routes[0].stops[1]
    assert near.start_s >= 14 * H and near.end_s <= 17 * H


def test_a_visit_that_cannot_finish_within_its_window_in_any_shift_is_returned_with_the_reason() -> None:
    # Open 16:30–17:30, but the only crew's shift ends at 17:00: it could start but not get back in time.
    result = solve(
        [stop("late", 1, window=(16 * H + 1800, 17 * H + 1800)), stop("ok", 1)], [crew("A", (8 * H, 17 * H))]
    )
    assert order(result, "A") == ["ok"]
    assert [(u.key, u.code) for u in result.unfitted] == [("late", "outside_shifts")]
    assert "时间窗" in result.unfitted[0].reason


def test_shift_ends_bound_the_route_and_the_rest_is_left_for_capacity() -> None:
    # 2-hour shift, 30-minute visits at ~5 minutes' ride: at most three fit (3 × 30 + travel < 120 minutes).
    stops = [stop(f"s{i}", 1 + 0.01 * i) for i in range(6)]
    result = solve(stops, [crew("A", (9 * H, 11 * H))])
    route = result.routes[0]
    assert len(route.stops) == 3
    assert route.stops[0].start_s >= 9 * H and route.back_s <= 11 * H
    assert sorted(u.code for u in result.unfitted) == ["capacity"] * 3


def test_a_visit_goes_only_to_a_crew_whose_two_officers_are_certified_for_it() -> None:
    stops = [
        stop("market", 1, domains=frozenset({"market"})),
        stop("city", 1.1, domains=frozenset({"city_appearance"})),
    ]
    crews = [
        crew("M", domains=frozenset({"market"})),
        crew("C", officers=(3, 4), domains=frozenset({"city_appearance"})),
    ]
    result = solve(stops, crews)
    assert order(result, "M") == ["market"]
    assert order(result, "C") == ["city"]
    alone = solve([stop("fire", 1, domains=frozenset({"fire"}))], crews)
    assert [(u.key, u.code) for u in alone.unfitted] == [("fire", "no_qualified_crew")]


def test_without_a_pair_on_duty_nothing_is_routed_and_every_visit_says_so() -> None:
    result = solve([stop("a", 1), stop("b", 2)], [])
    assert result.routes == ()
    assert [u.code for u in result.unfitted] == ["no_crew", "no_crew"]


def test_a_crew_is_two_different_officers() -> None:
    with pytest.raises(ValueError):
        crew("A", officers=(5, 5))


def test_a_visit_due_today_is_kept_before_one_that_can_wait() -> None:
    # Room for one visit only: the one whose window ends today (priority) is taken even though it is farther.
    result = solve([stop("later", 1, priority=1), stop("due", 3, priority=10)], [crew("A", (9 * H, 10 * H))])
    assert order(result, "A") == ["due"]
    assert [(u.key, u.code) for u in result.unfitted] == [("later", "capacity")]


def test_the_same_input_gives_the_same_routes() -> None:
    stops = [stop(f"s{i}", 0.3 * (i % 7) + 0.05 * i) for i in range(25)]
    crews = [crew("A", (8 * H, 12 * H)), crew("B", (13 * H, 17 * H), officers=(3, 4))]
    first, second = solve(stops, crews), solve(stops, crews)
    assert not first.hit_time_limit
    assert first == second


def test_a_search_cut_short_by_its_time_limit_says_so() -> None:
    stops = [stop(f"s{i}", 0.1 * i, domains=frozenset({"market"})) for i in range(300)]
    crews = [crew(f"C{i}", officers=(2 * i, 2 * i + 1), domains=frozenset({"market"})) for i in range(10)]
    result = solve(stops, crews, time_limit_s=0.001)
    assert result.hit_time_limit
    # Whatever was found in time is kept; what was not is listed, none of it silently dropped.
    assert result.visits + len(result.unfitted) == 300
    assert {u.code for u in result.unfitted} <= {"capacity", "time_limit", "outside_shifts"}
