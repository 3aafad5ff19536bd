"""预判布防 on the phone's live stream (issue 17 part 4): a plan giving the officer a post reaches the open task
list as a "standby" message — the post card as the page renders it (names escaped) and the notice — once; a
plan for someone else does not; a refresh that leaves the officer out takes the card away, one that leaves their
post as it was replaces the card without a notice."""

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import time_machine

from conftest import World
from zhifa.events.models import Notification
from zhifa.events.services.standby import StandbyPostDraft, standby_plan_publish
from zhifa.org.models import Grid, Officer
from zhifa.org.tests.factories import GridFactory
from zhifa.web.phone import TaskFeed

TZ = ZoneInfo("Asia/Shanghai")
START = dt.datetime(2026, 3, 10, 7, 0, tzinfo=TZ)
END = dt.datetime(2026, 3, 10, 19, 0, tzinfo=TZ)
T0 = START + dt.timedelta(hours=2)
HOSTILE = '<img src=x onerror="alert(1)">网格'


def publish(world: World, posts: list[tuple[str, Grid]], *, street: Any) -> None:
    standby_plan_publish(
        actor=world.user("dispatcher"),
        district_id=world.district.pk,
        street_id=street.pk,
        starts_at=START,
        ends_at=END,
        reach_s=300,
        expected_events=2.0,
        covered_events=2.0,
        posts=[StandbyPostDraft(Officer.objects.get(name=name).pk, g.pk, 120.104, 30.304) for name, g in posts],
    )


def standby_messages(feed: TaskFeed) -> list[dict[str, Any]]:
    out = []
    for text in feed.poll():
        lines = dict(line.split(": ", 1) for line in text.strip().splitlines())
        assert lines["event"] == "standby"
        out.append(json.loads(lines["data"]))
    return out


def test_a_new_post_reaches_the_officers_open_list_once(world: World) -> None:
    Grid.objects.filter(pk=world.grid_a.pk).update(name=HOSTILE)
    with time_machine.travel(T0, tick=False):
        feed_a = TaskFeed(user=world.user("officer_a"), since=T0)
        feed_b = TaskFeed(user=world.user("officer_b"), since=T0)
        auxiliary = TaskFeed(user=world.user("auxiliary_a"), since=T0)  # no officer: no post
    with time_machine.travel(T0 + dt.timedelta(seconds=10), tick=False):
        publish(world, [("甲队员", world.grid_a)], street=world.street_a)
        [change] = standby_messages(feed_a)
        assert change["notice"] == f"建议待命点位：{HOSTILE}（至 19:00）"
        assert change["has_post"] is True
        assert 'id="standby-post"' in change["html"] and "（至 19:00）" in change["html"]
        assert "<img" not in change["html"] and "&lt;img src=x" in change["html"]
        # Sent once; another officer's and the auxiliary's lists hear nothing
        assert standby_messages(feed_a) == []
        assert standby_messages(feed_b) == []
        assert standby_messages(auxiliary) == []


def test_a_refresh_without_the_officer_takes_the_card_away(world: World) -> None:
    # Given 乙队员 moved to street A, and a plan of street A with 甲队员 published before both lists opened
    Officer.objects.filter(name="乙队员").update(street=world.street_a, zone=world.zone_a)
    with time_machine.travel(T0, tick=False):
        publish(world, [("甲队员", world.grid_a)], street=world.street_a)
        feed_a = TaskFeed(user=world.user("officer_a"), since=T0 + dt.timedelta(seconds=30))
        feed_b = TaskFeed(user=world.user("officer_b"), since=T0 + dt.timedelta(seconds=30))
    # When the shift is computed again with 乙队员 at the post instead
    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False):
        publish(world, [("乙队员", world.grid_a)], street=world.street_a)
        [gone] = standby_messages(feed_a)
        [told] = standby_messages(feed_b)
    # Then 甲队员's card goes (no notice), and 乙队员 is told
    assert (gone["html"], gone["has_post"], gone["notice"]) == ("", False, "")
    assert told["notice"] == "建议待命点位：甲一网格（至 19:00）" and told["has_post"] is True


def test_a_refresh_that_keeps_the_post_replaces_the_card_without_a_notice(world: World) -> None:
    # Given 甲队员 at 甲一网格, and the list open after it was set
    grid_a2 = GridFactory(zone=world.zone_a, code="A-1-2", name="甲二网格")
    Officer.objects.filter(name="乙队员").update(street=world.street_a, zone=world.zone_a)
    with time_machine.travel(T0, tick=False):
        publish(world, [("甲队员", world.grid_a)], street=world.street_a)
        feed_a = TaskFeed(user=world.user("officer_a"), since=T0 + dt.timedelta(seconds=30))
    # When a refresh (a move-up) adds 乙队员 and leaves 甲队员 where they stand
    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False):
        publish(world, [("甲队员", world.grid_a), ("乙队员", grid_a2)], street=world.street_a)
        [change] = standby_messages(feed_a)
    # Then 甲队员's card is the same post, and no notice (none was written for them)
    assert (change["has_post"], change["notice"]) == (True, "")
    assert "甲一网格" in change["html"]
    assert list(Notification.objects.filter(user=world.user("officer_a")).values_list("message", flat=True)) == [
        "建议待命点位：甲一网格（至 19:00）"
    ]
