"""预判布防 (issue 17 part 4), "pushed to officers' phones as a suggested post": publishing a plan writes a notice
to each officer given a post and to no one else; refreshing the shift tells the new posts; a refused plan
tells no one."""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conftest import World
from zhifa.core.actors import SystemActor
from zhifa.core.errors import PermissionDenied
from zhifa.events.models import Notification, StandbyPlan
from zhifa.events.services.standby import StandbyPostDraft, standby_plan_publish
from zhifa.org.models import Grid, Officer
from zhifa.org.tests.factories import GridFactory, OfficerFactory, UserFactory

TZ = ZoneInfo("Asia/Shanghai")
START = dt.datetime(2026, 3, 10, 7, 0, tzinfo=TZ)
END = dt.datetime(2026, 3, 10, 19, 0, tzinfo=TZ)
DURING = START + dt.timedelta(hours=1)


def officer(name: str) -> Officer:
    return Officer.objects.get(name=name)


def publish(world: World, actor: Any, posts: list[tuple[Officer, Grid]], *, street: Any = None) -> StandbyPlan:
    return standby_plan_publish(
        actor=actor,
        district_id=world.district.pk,
        street_id=street.pk if street is not None else None,
        starts_at=START,
        ends_at=END,
        reach_s=300,
        expected_events=4.0,
        covered_events=3.0,
        posts=[StandbyPostDraft(o.pk, g.pk, 120.104, 30.304) for o, g in posts],
    )


def notices() -> list[tuple[str, str]]:
    return list(Notification.objects.order_by("pk").values_list("user__username", "message"))


def test_each_officer_given_a_post_is_told_and_no_one_else(world: World) -> None:
    # Given the district's two officers, and an officer of street A without an account (no phone to tell)
    no_account = OfficerFactory(district=world.district, name="丙队员", street=world.street_a, zone=world.zone_a)
    posts = [(officer("甲队员"), world.grid_a), (officer("乙队员"), world.grid_b), (no_account, world.grid_a)]
    # When the command centre publishes the district's plan during the shift
    with time_machine.travel(DURING, tick=False):
        plan = publish(world, world.user("dispatcher"), posts)
    # Then each of the two officers with an account has one notice naming their grid and the shift's end
    assert notices() == [
        ("officer_a", "建议待命点位：甲一网格（至 19:00）"),
        ("officer_b", "建议待命点位：乙一网格（至 19:00）"),
    ]
    assert set(Notification.objects.values_list("district_id", "event_id", "read_at")) == {
        (world.district.pk, None, None)
    }
    assert plan.posts.count() == 3


def test_a_plan_set_before_its_shift_says_when_it_begins(world: World) -> None:
    with time_machine.travel(START - dt.timedelta(hours=10), tick=False):
        publish(world, world.user("street_dispatcher_a"), [(officer("甲队员"), world.grid_a)], street=world.street_a)
    assert notices() == [("officer_a", "建议待命点位：甲一网格（3月10日 07:00起，至 19:00）")]


def test_refreshing_the_shift_tells_the_new_posts(world: World) -> None:
    # Given a plan of street A with 甲队员 at 甲一网格
    grid_a2 = GridFactory(zone=world.zone_a, code="A-1-2", name="甲二网格")
    second = OfficerFactory(
        district=world.district,
        name="丁队员",
        street=world.street_a,
        zone=world.zone_a,
        user=UserFactory(username="officer_a2"),
    )
    with time_machine.travel(DURING, tick=False):
        first = publish(world, world.user("dispatcher"), [(officer("甲队员"), world.grid_a)], street=world.street_a)
    # When the shift is computed again with 甲队员 moved to 甲二网格 and 丁队员 added
    with time_machine.travel(DURING + dt.timedelta(minutes=30), tick=False):
        publish(
            world,
            world.user("dispatcher"),
            [(officer("甲队员"), grid_a2), (second, world.grid_a)],
            street=world.street_a,
        )
    # Then the first plan is superseded and each officer of the new one is told their new post
    first.refresh_from_db()
    assert first.superseded_at is not None
    assert notices() == [
        ("officer_a", "建议待命点位：甲一网格（至 19:00）"),
        ("officer_a", "建议待命点位：甲二网格（至 19:00）"),
        ("officer_a2", "建议待命点位：甲一网格（至 19:00）"),
    ]
    # And a further refresh that moves only 丁队员 tells 丁队员 only (甲队员's post stands)
    with time_machine.travel(DURING + dt.timedelta(minutes=40), tick=False):
        publish(
            world, SystemActor("动态补位"), [(officer("甲队员"), grid_a2), (second, grid_a2)], street=world.street_a
        )
    assert notices()[3:] == [("officer_a2", "建议待命点位：甲二网格（至 19:00）")]


def test_a_refused_plan_tells_no_one(world: World) -> None:
    with pytest.raises(PermissionDenied) as refused:
        publish(world, world.user("leader"), [(officer("甲队员"), world.grid_a)])
    assert refused.value.code == "deployment_forbidden"
    assert (StandbyPlan.objects.count(), Notification.objects.count()) == (0, 0)
