"""Predictive deployment (issue 17 part 4): the demand estimate on counts whose answer is worked by hand, the
covering solver on instances whose right posts are obvious, the stored plan, and the recommender starting an
officer from their post."""

import datetime as dt
import io
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from zhifa.analytics.demand import demand_fit, demand_history, hour_of_week, hours_between
from zhifa.analytics.deployment import (
    Point,
    assign_officers,
    cover_solve,
    cover_value,
    deployment_rebalance,
    officers_needed,
    plan_posts,
    rebalance_posts,
)
from zhifa.core.actors import SystemActor
from zhifa.core.errors import PermissionDenied, ValidationFailed
from zhifa.core.models import AuditEntry
from zhifa.events.models import StandbyPlan, StandbyPost
from zhifa.events.recommend import recommend_officers
from zhifa.events.services.standby import StandbyPostDraft, standby_plan_publish
from zhifa.events.standby_selectors import standby_map_posts, standby_post_for
from zhifa.events.states import EventStatus
from zhifa.events.tests.factories import DispatchedEventFactory, EventFactory, TriagedEventFactory
from zhifa.org.models import DutyShift, Officer
from zhifa.org.tests.factories import GridFactory, OfficerFactory, square

TZ = ZoneInfo("Asia/Shanghai")
MONDAY = dt.date(2026, 3, 2)  # a Monday


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


# --- the demand estimate ------------------------------------------------------------------------------------


def test_hour_of_week_counts_from_monday_midnight_local_time() -> None:
    assert hour_of_week(local(MONDAY, 0, 30)) == 0
    assert hour_of_week(local(MONDAY, 8, 59)) == 8
    assert hour_of_week(local(MONDAY + dt.timedelta(days=6), 23, 10)) == 167
    # 00:30 UTC on Monday is 08:30 in Shanghai
    assert hour_of_week(dt.datetime(2026, 3, 2, 0, 30, tzinfo=dt.UTC)) == 8
    assert hours_between(local(MONDAY, 7), local(MONDAY, 19)) == list(range(7, 19))
    assert hours_between(local(MONDAY, 22), local(MONDAY + dt.timedelta(days=1), 1)) == [22, 23, 24]


def test_the_estimate_is_the_smoothed_count_worked_by_hand() -> None:
    # Given two weeks of history: grid 1 three times on Monday 08:xx, grid 2 once on Monday 08:xx and once on
    # Tuesday 10:xx (hour of week 34); grid 3 never
    week2 = MONDAY + dt.timedelta(days=7)
    observations = [
        (1, local(MONDAY, 8, 5)),
        (1, local(week2, 8, 40)),
        (1, local(week2, 8, 50)),
        (2, local(MONDAY, 8, 15)),
        (2, local(MONDAY + dt.timedelta(days=1), 10, 0)),
        (99, local(MONDAY, 8, 0)),  # a grid outside the area: ignored
    ]
    # When the model is fitted with two pseudo-weeks of prior
    model = demand_fit(observations, grid_ids=[1, 2, 3], weeks=2, prior_weeks=2)
    # Then: C = 5 events, G = 3 grids → share = (C(g)+1)/(C+G): 4/8, 3/8, 1/8; T(8) = 4, T(34) = 1.
    # λ(1, 8) = (3 + 2 × 4/8 × 4/2) / (2 + 2) = 5/4
    assert Fraction(model.rate(1, 8)).limit_denominator(1000) == Fraction(5, 4)
    # λ(2, 8) = (1 + 2 × 3/8 × 4/2) / 4 = 5/8
    assert Fraction(model.rate(2, 8)).limit_denominator(1000) == Fraction(5, 8)
    # λ(3, 8) = (0 + 2 × 1/8 × 2) / 4 = 1/8: a grid without history is not taken as one where nothing happens
    assert Fraction(model.rate(3, 8)).limit_denominator(1000) == Fraction(1, 8)
    # λ(1, 34) = (0 + 2 × 4/8 × 1/2) / 4 = 1/8; an hour with no event anywhere expects none
    assert Fraction(model.rate(1, 34)).limit_denominator(1000) == Fraction(1, 8)
    assert model.rate(1, 100) == 0
    # Over a period of the hours 8 and 34: λ(g, 8) + λ(g, 34), with λ(2, 34) = (1 + 2 × 3/8 × 1/2) / 4 = 11/32
    # and λ(3, 34) = (0 + 2 × 1/8 × 1/2) / 4 = 1/32
    expected = model.expected([8, 34])
    assert {g: Fraction(v).limit_denominator(1000) for g, v in expected.items()} == {
        1: Fraction(5, 4) + Fraction(1, 8),
        2: Fraction(5, 8) + Fraction(11, 32),
        3: Fraction(1, 8) + Fraction(1, 32),
    }


def test_the_history_is_the_areas_events_of_the_weeks_before_minus_merged_duplicates(world: Any) -> None:
    as_of = local(MONDAY + dt.timedelta(days=14), 7)
    kept = [
        EventFactory(grid=world.grid_a, reported_at=local(MONDAY, 8)),
        EventFactory(grid=world.grid_a, reported_at=as_of - dt.timedelta(minutes=1)),
    ]
    EventFactory(grid=world.grid_a, reported_at=local(MONDAY, 9), status=EventStatus.MERGED)
    EventFactory(grid=world.grid_a, reported_at=local(MONDAY, 6, 59) - dt.timedelta(days=1))  # before the weeks
    EventFactory(grid=world.grid_a, reported_at=as_of)  # the shift's own first minute
    EventFactory(grid=world.grid_b, reported_at=local(MONDAY, 8))  # another street's grid
    rows = demand_history(district_id=world.district.pk, grid_ids=[world.grid_a.pk], as_of=as_of, weeks=2)
    assert sorted(rows, key=lambda r: r[1]) == [(world.grid_a.pk, e.reported_at) for e in kept]


# --- the covering problem --------------------------------------------------------------------------------------

# Three clusters on one parallel, 5 km apart (far beyond 5 minutes of each other): 10, 5 and 1 expected events.
LAT = 30.3
EAST_5KM = 5000 / (111_195 * 0.8634)  # degrees of longitude at 30.3°N


def clusters() -> tuple[list[tuple[Point, float]], list[Point]]:
    a, b, c = Point(1, 120.0, LAT), Point(2, 120.0 + EAST_5KM, LAT), Point(3, 120.0 + 2 * EAST_5KM, LAT)
    near_a = Point(4, 120.0 + 0.001, LAT)  # 96 m from a: within reach of a (a demand point, not a site)
    return [(a, 8.0), (near_a, 2.0), (b, 5.0), (c, 1.0)], [a, b, c]


@pytest.mark.parametrize(
    ("officers", "posts", "covered"),
    [(1, {1: 1}, 10.0), (2, {1: 1, 2: 1}, 15.0), (3, {1: 1, 2: 1, 3: 1}, 16.0), (5, None, 16.0)],
)
def test_the_solver_takes_the_biggest_clusters_first_and_uses_every_officer(
    officers: int, posts: dict[int, int] | None, covered: float
) -> None:
    demand, sites = clusters()
    cover = cover_solve(demand, sites, officers=officers, busy_share=0.0)
    assert sum(cover.counts.values()) == officers
    if posts is not None:
        assert cover.counts == posts
    assert cover.covered == covered
    assert cover.expected == 16.0
    assert cover.is_optimal


def test_busy_officers_make_a_second_officer_at_the_big_cluster_worth_more_than_the_small_one() -> None:
    # a: 10 events, b: 1 event. Free all the time (q = 0): one at each covers all 11. Busy half the time
    # (q = 0.5): two at a reach 10 × (0.5 + 0.25) = 7.5 expected, one at each 10 × 0.5 + 1 × 0.5 = 5.5.
    a, b = Point(1, 120.0, LAT), Point(2, 120.0 + EAST_5KM, LAT)
    assert cover_solve([(a, 10.0), (b, 1.0)], [a, b], officers=2, busy_share=0.0).counts == {1: 1, 2: 1}
    busy = cover_solve([(a, 10.0), (b, 1.0)], [a, b], officers=2, busy_share=0.5)
    assert busy.counts == {1: 2}
    assert busy.objective == pytest.approx(7.5)


def test_the_reach_is_the_recommenders_five_minutes_less_the_acknowledge_minute(settings: Any) -> None:
    # The arrive clock's 300 s less the acknowledge clock's 60 s leaves 240 s of travel: at 4.5 m/s that is
    # 1,080 m of road, 831 m straight (road factor 1.3) — a grid 800 m off is reached from the post, one 900 m
    # off is not (it would be within a plain 300 s of riding, 1,038 m: the minute to accept comes first).
    settings.ZHIFA_RIDING_SPEED_MPS = 4.5
    post = Point(1, 120.0, LAT)
    near, far = Point(2, 120.0 + 800 / 95_998, LAT), Point(3, 120.0 - 900 / 95_998, LAT)
    cover = cover_solve([(near, 1.0), (far, 1.0)], [post], officers=1)
    assert cover.covered == 1.0
    assert cover_solve([(far, 1.0)], [post], officers=1, reach_s=360).covered == 1.0


def test_among_posts_that_cover_alike_the_solver_spreads_the_officers_near_the_demand() -> None:
    # Two demand points 1,200 m apart, 2 events each, and a site midway (600 m from each: both within the
    # 831 m reach). Two officers at the midpoint, or one at each end, cover all 4 events alike (q = 0); one at
    # each end also has each point within half the reach of an officer — the free officer is nearer when the
    # other is busy — so that is the plan.
    west, east = Point(1, 120.0, LAT), Point(2, 120.0 + 1200 / 95_998, LAT)
    middle = Point(3, 120.0 + 600 / 95_998, LAT)
    cover = cover_solve([(west, 2.0), (east, 2.0), (middle, 0.0)], [west, east, middle], officers=2)
    assert cover.counts == {1: 1, 2: 1}
    assert (cover.covered, cover.objective) == (4.0, 4.0)


def test_an_officer_on_foot_is_posted_where_their_short_reach_covers_most() -> None:
    # a: 8 events, with 4 more 500 m from it (a rider at a covers both: 500 m < 831 m; on foot the reach is
    # 240 s × 1.3 m/s ÷ 1.3 = 240 m, a alone); b: 5 events, 5 km off. One rider and one walker: the rider at a
    # and the walker at b cover 17; the other way round 13.
    a, b = Point(1, 120.0, LAT), Point(2, 120.0 + EAST_5KM, LAT)
    beside_a = Point(3, 120.0 + 500 / 95_998, LAT)
    cover = cover_solve([(a, 8.0), (beside_a, 4.0), (b, 5.0)], [a, b], officers=2, walkers=1)
    assert (cover.counts, cover.walker_counts, cover.covered) == ({1: 1, 2: 1}, {2: 1}, 17.0)
    # And the plan gives the walker's post to the walker, though the rider stands nearer to it.
    plan = plan_posts(
        points=[a, b, beside_a],
        names={1: "甲", 2: "乙", 3: "丙"},
        expected={1: 8.0, 2: 5.0, 3: 4.0},
        officers=[(7, "王"), (8, "李")],
        origins=[(7, a.lon, LAT), (8, b.lon, LAT)],
        shift_minutes=720,
        walking={7},
    )
    assert {p.officer_name: p.grid_name for p in plan.posts} == {"王": "乙", "李": "甲"}


def test_the_officers_needed_for_95_percent_worked_by_hand() -> None:
    # One place, 6 events in the hour, each keeping an officer 20 minutes: busy share q = 6 × 20 / (k × 60)
    # = 2/k (at most 0.9), and k officers there reach an event with probability 1 − q^min(k, 3):
    # k = 5 gives 1 − 0.4³ = 0.936, k = 6 gives 1 − (1/3)³ = 0.963 — six.
    place = Point(1, 120.0, LAT)
    assert officers_needed(points=[place], expected={1: 6.0}, minutes=60, busy_minutes=20) == 6
    assert officers_needed(points=[place], expected={1: 6.0}, minutes=60, busy_minutes=20, target=0.9) == 5
    assert officers_needed(points=[place], expected={}, minutes=60) == 0
    assert officers_needed(points=[place], expected={1: 600.0}, minutes=60, ceiling=10) is None


def test_the_same_input_gives_the_same_posts() -> None:
    demand = [(Point(i, 120.0 + (i % 7) * 0.004, LAT + (i // 7) * 0.004), float(i % 5)) for i in range(49)]
    sites = [p for p, _ in demand]
    first = cover_solve(demand, sites, officers=4, busy_share=0.3)
    assert all(cover_solve(demand, sites, officers=4, busy_share=0.3) == first for _ in range(3))


def test_officers_go_to_the_post_nearest_them() -> None:
    _, sites = clusters()
    a, b = sites[0], sites[1]
    # Officer 7 stands near b, officer 8 near a.
    assigned = assign_officers([(7, b.lon + 0.001, LAT), (8, a.lon - 0.001, LAT)], sites, {1: 1, 3: 0, 2: 1})
    assert assigned == {7: b, 8: a}


def test_a_plan_names_each_officer_once_with_their_grid() -> None:
    _, sites = clusters()
    plan = plan_posts(
        points=sites,
        names={1: "甲", 2: "乙", 3: "丙"},
        expected={1: 10.0, 2: 5.0, 3: 1.0},
        officers=[(7, "王"), (8, "李")],
        origins=[(7, sites[1].lon, LAT), (8, sites[0].lon, LAT)],
        shift_minutes=720,
    )
    assert [(p.officer_id, p.officer_name, p.grid_name) for p in plan.posts] == [(7, "王", "乙"), (8, "李", "甲")]
    assert (plan.expected, plan.covered) == (16.0, 15.0)


# --- the stored plan and who may set it -----------------------------------------------------------------------

START = local(MONDAY, 7)
END = local(MONDAY, 19)


def publish(world: Any, actor: Any, *, street: Any = None, officer: Officer | None = None) -> StandbyPlan:
    officer = officer or Officer.objects.get(name="甲队员")
    return standby_plan_publish(
        actor=actor,
        district_id=world.district.pk,
        street_id=(street or world.street_a).pk,
        starts_at=START,
        ends_at=END,
        reach_s=300,
        expected_events=3.0,
        covered_events=2.0,
        posts=[StandbyPostDraft(officer.pk, world.grid_a.pk, 120.104, 30.304)],
    )


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("officer_a", "deployment_forbidden"),
        ("leader", "deployment_forbidden"),
        ("liaison", "deployment_forbidden"),
    ],
)
def test_only_the_command_centre_and_the_streets_dispatcher_set_posts(world: Any, persona: str, code: str) -> None:
    audit_before = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied) as refused:
        publish(world, world.user(persona))
    assert refused.value.code == code
    assert (StandbyPlan.objects.count(), StandbyPost.objects.count()) == (0, 0)
    assert AuditEntry.objects.count() == audit_before


def test_a_street_dispatcher_sets_posts_for_their_street_only(world: Any) -> None:
    officer_b = Officer.objects.get(name="乙队员")
    with pytest.raises(PermissionDenied) as refused:
        publish(world, world.user("street_dispatcher_a"), street=world.street_b, officer=officer_b)
    assert refused.value.code == "street_outside_scope"
    assert publish(world, world.user("street_dispatcher_a")).street_id == world.street_a.pk


def test_an_officer_of_another_street_is_refused(world: Any) -> None:
    with pytest.raises(ValidationFailed) as refused:
        publish(world, world.user("dispatcher"), officer=Officer.objects.get(name="乙队员"))
    assert refused.value.code == "officer_outside_area"
    assert StandbyPlan.objects.count() == 0


def test_refreshing_a_shift_supersedes_the_plan_before_and_audits_both(world: Any) -> None:
    with time_machine.travel(START - dt.timedelta(hours=1), tick=False):
        first = publish(world, world.user("dispatcher"))
        second = publish(world, world.user("dispatcher"))
    first.refresh_from_db()
    assert first.superseded_at is not None and second.superseded_at is None
    post = standby_post_for(officer_id=Officer.objects.get(name="甲队员").pk, at=START + dt.timedelta(hours=2))
    assert post is not None and post.plan_id == second.pk
    assert standby_post_for(officer_id=post.officer_id, at=END) is None  # the shift is over
    entries = AuditEntry.objects.filter(action="standby_plan.publish").order_by("seq")
    assert [e.object_id for e in entries] == [str(first.pk), str(second.pk)]
    assert entries.last().after["supersedes"] == [first.pk]


def test_the_map_shows_the_live_posts_of_the_users_streets(world: Any) -> None:
    publish(world, SystemActor("预判布防（测试）"))
    at = START + dt.timedelta(hours=1)
    rows = standby_map_posts(district_id=world.district.pk, street_ids=None, at=at)
    assert [(r["officer"], r["grid"], r["lon"], r["lat"]) for r in rows] == [("甲队员", "甲一网格", 120.104, 30.304)]
    assert standby_map_posts(district_id=world.district.pk, street_ids=[world.street_b.pk], at=at) == []


def test_the_recommender_starts_an_officer_without_a_fresh_position_from_their_post(world: Any) -> None:
    officer = Officer.objects.get(name="甲队员")
    officer.certified_domains = []
    officer.zone = world.zone_a
    officer.save()
    DutyShift.objects.create(district=world.district, officer=officer, starts_at=START, ends_at=END)
    event = TriagedEventFactory(grid=world.grid_a, lon=120.104, lat=30.304)
    now = START + dt.timedelta(hours=1)
    [before] = recommend_officers(event=event, needed=1, now=now)
    assert before.reasons[-1] == "按所在片区中心估算"
    publish(world, world.user("dispatcher"))
    [after] = recommend_officers(event=event, needed=1, now=now)
    assert (after.distance_m, after.reasons[-1]) == (0.0, "按预判布防点位估算")


# --- 补位: the free officers moved up during the shift ------------------------------------------------------


def test_a_free_officer_is_moved_towards_the_demand_and_a_good_post_is_left_alone() -> None:
    # Demand only at the east cluster; officer 7 stands at the west one (5 km off).
    demand, sites = clusters()
    expected = {2: 5.0}
    west, east = sites[0], sites[1]
    moved = rebalance_posts(
        points=sites,
        names={1: "甲", 2: "乙", 3: "丙"},
        expected=expected,
        free=[(7, "王")],
        positions=[(7, west.lon, LAT)],
        current={7: west.key},
        shift_minutes=240,
    )
    assert moved is not None
    assert [(p.officer_id, p.grid_name) for p in moved.posts] == [(7, "乙")]
    assert cover_value([(p, expected.get(p.key, 0.0)) for p in sites], sites, {east.key: 1}) == 5.0
    # Already at the east cluster: nothing better to tell them.
    assert (
        rebalance_posts(
            points=sites,
            names={1: "甲", 2: "乙", 3: "丙"},
            expected=expected,
            free=[(7, "王")],
            positions=[(7, east.lon, LAT)],
            current={7: east.key},
            shift_minutes=240,
        )
        is None
    )
    assert demand  # the clusters' own weights are not used here: the rest of the shift's demand is given


def corner_grids(world: Any) -> tuple[Any, Any]:
    """Street 甲 (about 1 km square) with a grid in its south-west and one in its north-east corner, 1.2 km
    apart (beyond the 831 m a rider covers in the travel reach)."""
    south_west = GridFactory(zone=world.zone_a, name="西南网格", boundary=square(120.100, 30.300, 0.002))
    north_east = GridFactory(zone=world.zone_a, name="东北网格", boundary=square(120.108, 30.308, 0.002))
    return south_west, north_east


def posted_south_west(world: Any, officers: list[Officer], south_west: Any) -> StandbyPlan:
    """The dispatcher's plan of street 甲's day shift: every one of ``officers`` at the south-west grid."""
    with time_machine.travel(START, tick=False):
        return standby_plan_publish(
            actor=world.user("dispatcher"),
            district_id=world.district.pk,
            street_id=world.street_a.pk,
            starts_at=START,
            ends_at=END,
            reach_s=300,
            expected_events=3.0,
            covered_events=0.0,
            posts=[StandbyPostDraft(o.pk, south_west.pk, 120.101, 30.301) for o in officers],
        )


def test_the_move_up_stores_a_new_plan_for_the_free_officers_only_and_writes_nothing_without_a_gain(
    world: Any,
) -> None:
    south_west, north_east = corner_grids(world)
    free_officer = Officer.objects.get(name="甲队员")
    busy_officer = OfficerFactory(
        district=world.district,
        name="丙队员",
        street=world.street_a,
        zone=world.zone_a,
        home_department=world.enforcement_dept,
    )
    for officer in (free_officer, busy_officer):
        DutyShift.objects.create(district=world.district, officer=officer, starts_at=START, ends_at=END)
    plan = posted_south_west(world, [free_officer, busy_officer], south_west)
    now = START + dt.timedelta(hours=2)
    with time_machine.travel(now, tick=False):
        DispatchedEventFactory(grid=south_west, district=world.district, officers=[busy_officer])
        # The rest of the shift's demand is all in the north-east grid.
        expected = {north_east.pk: 4.0}
        moved = deployment_rebalance(actor=SystemActor("动态补位"), plan=plan, at=now, expected=expected)
        assert moved is not None
        posts = dict(moved.posts.values_list("officer__name", "grid__name"))
        assert posts == {"甲队员": "东北网格", "丙队员": "西南网格"}  # the busy officer keeps their post
        plan.refresh_from_db()
        assert plan.superseded_at == now
        entry = AuditEntry.objects.filter(action="standby_plan.publish").order_by("seq").last()
        assert entry.after["supersedes"] == [plan.pk]
        # Run again at once: the free officer's post is already the best one — nothing written.
        audit_before, plans_before = AuditEntry.objects.count(), StandbyPlan.objects.count()
        assert deployment_rebalance(actor=SystemActor("动态补位"), plan=moved, at=now, expected=expected) is None
        assert (AuditEntry.objects.count(), StandbyPlan.objects.count()) == (audit_before, plans_before)


def test_the_scheduler_moves_up_every_live_plan_from_the_records(world: Any) -> None:
    # Street 甲's past three weeks had events at 09:xx in its north-east corner; 甲队员 stands south-west.
    south_west, north_east = corner_grids(world)
    officer = Officer.objects.get(name="甲队员")
    DutyShift.objects.create(district=world.district, officer=officer, starts_at=START, ends_at=END)
    now = START + dt.timedelta(hours=2)  # 09:00
    for week in (1, 2, 3):
        for minute in (5, 25, 45):
            EventFactory(
                grid=north_east, lon=120.109, lat=30.309, reported_at=now - dt.timedelta(weeks=week, minutes=-minute)
            )
    posted_south_west(world, [officer], south_west)
    out = io.StringIO()
    with time_machine.travel(now, tick=False):
        call_command("standby_rebalance", "--once", stdout=out)
        post = standby_post_for(officer_id=officer.pk, at=now)
    assert "新建议1份" in out.getvalue()
    assert post is not None and post.grid_id == north_east.pk
