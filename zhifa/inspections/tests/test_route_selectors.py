"""Planning the day: the visits and crews built from the drawn plans and the roster, and who may see them."""

import datetime as dt
from typing import Any

import pytest

from zhifa.core.errors import NotFound, PermissionDenied
from zhifa.inspections.route_selectors import (
    DEPARTMENT,
    STREET,
    RouteScope,
    day_route_input,
    day_routes,
    route_scope_get,
    route_scopes,
)
from zhifa.inspections.routing import DUE_TODAY_PRIORITY, WORKING_HOURS, visit_service_s
from zhifa.inspections.tests.route_world import DAY, route_day

H = 3600


def test_a_streets_day_merges_two_departments_checks_into_one_joint_visit_and_pairs_its_officers(world: Any) -> None:
    day = route_day(world)
    user = world.user("street_dispatcher_a")
    scope = route_scope_get(user=user, value=None)
    assert scope == RouteScope(STREET, world.street_a.pk, "甲街道")

    data = day_route_input(user=user, day=DAY, scope=scope)

    # Street A: the joint subject (market + enforcement) and the market-only one; street B's is not here.
    assert data.checks == 3
    assert data.visits_saved == 1 and data.deferred == 0
    by_subject = {v.subject_id: v for v in data.visits.values()}
    assert set(by_subject) == {day.joint.pk, day.market_only.pk}
    joint = by_subject[day.joint.pk]
    assert joint.departments == ("综合执法", "市场监管") and joint.is_joint
    stops = {data.visits[s.key].subject_id: s for s in data.stops}
    # The joint visit: 45 minutes, both departments' domains, due today (the enforcement plan ends today).
    assert stops[day.joint.pk].service_s == visit_service_s(2) == 45 * 60
    assert stops[day.joint.pk].domains == {"market", "city_appearance"}
    assert stops[day.joint.pk].priority == DUE_TODAY_PRIORITY
    assert (stops[day.joint.pk].lon, stops[day.joint.pk].lat) == (120.103, 30.303)
    assert stops[day.market_only.pk].priority == 1 and stops[day.market_only.pk].window == WORKING_HOURS

    # One crew: the two day-shift officers (08:30–17:30); the evening officer has nobody to pair with; the
    # officer whose certificate expired is not on the list at all.
    assert len(data.crews) == 1
    crew = data.crews[0]
    assert set(crew.officer_ids) == {day.officers[0].pk, day.officers[1].pk}
    assert crew.shift == (8 * H + 1800, 17 * H + 1800)
    assert crew.domains == {"market", "city_appearance"}
    assert data.crew_info[crew.key].start_label == "片区中心"
    assert [u.officer for u in data.unpaired] == [f"甲夜班（{day.officers[2].badge_no}）"]


def test_the_streets_day_is_routed_with_both_visits_in_the_crews_shift(world: Any) -> None:
    day = route_day(world)
    user = world.user("street_dispatcher_a")
    routes = day_routes(user=user, day=DAY, scope=route_scope_get(user=user, value=None))
    assert routes.result.unfitted == ()
    (route,) = routes.result.routes
    visited = [routes.input.visits[s.key].subject_id for s in route.stops]
    assert sorted(visited) == sorted([day.joint.pk, day.market_only.pk])
    assert route.start_s >= 8 * H + 1800 and route.back_s <= 17 * H + 1800
    assert all(s.start_s >= 9 * H and s.end_s <= 17 * H for s in route.stops)
    assert route.road_km > 0


def test_a_department_sees_only_its_own_checks_and_officers(world: Any) -> None:
    day = route_day(world)
    liaison = world.user("liaison")
    scope = route_scope_get(user=liaison, value=None)
    assert scope == RouteScope(DEPARTMENT, world.market_dept.pk, "市场监管")
    data = day_route_input(user=liaison, day=DAY, scope=scope)
    assert sorted(v.subject_id for v in data.visits.values()) == sorted([day.joint.pk, day.market_only.pk])
    assert all(v.departments == ("市场监管",) for v in data.visits.values())
    # The market department's officers on the day: 甲市监 only (the expired certificate is out) — no pair.
    assert data.crews == ()
    assert [u.officer.split("（")[0] for u in data.unpaired] == ["甲市监"]
    routes = day_routes(user=liaison, day=DAY, scope=scope)
    assert {u.code for u in routes.result.unfitted} == {"no_crew"}


def test_a_day_outside_every_plan_has_nothing_to_visit(world: Any) -> None:
    route_day(world)
    user = world.user("street_dispatcher_a")
    data = day_route_input(user=user, day=dt.date(2026, 4, 1), scope=route_scope_get(user=user, value=None))
    assert data.stops == () and data.checks == 0


def test_scopes_follow_the_jurisdiction(world: Any) -> None:
    assert [s.value for s in route_scopes(user=world.user("officer_b"))] == [f"street:{world.street_b.pk}"]
    district_wide = [s.value for s in route_scopes(user=world.user("dispatcher"))]
    assert f"street:{world.street_a.pk}" in district_wide and f"department:{world.market_dept.pk}" in district_wide
    with pytest.raises(NotFound):
        route_scope_get(user=world.user("street_dispatcher_a"), value=f"street:{world.street_b.pk}")
    with pytest.raises(NotFound):
        route_scope_get(user=world.user("liaison"), value=f"department:{world.enforcement_dept.pk}")
    with pytest.raises(NotFound):
        day_route_input(
            user=world.user("street_dispatcher_a"), day=DAY, scope=RouteScope(STREET, world.street_b.pk, "乙街道")
        )


@pytest.mark.parametrize("persona", ["auxiliary_a", "business_owner"])
def test_others_may_not_see_routes(world: Any, persona: str) -> None:
    with pytest.raises(PermissionDenied) as refused:
        route_scopes(user=world.user(persona))
    assert refused.value.code == "route_not_allowed"
