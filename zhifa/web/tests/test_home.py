"""The home page per role (issue 16): each user's own to-do list first, scoped like every other read; the
district's figures only for the roles that run the district or a street — never "执法人员 0名" to a business."""

import datetime as dt
import re
from typing import Any

import time_machine

from conftest import POINT_IN_A, POINT_IN_B, World
from zhifa.events import services
from zhifa.events.models import Event
from zhifa.events.states import EventSource
from zhifa.events.tests.conftest import officer_of, walk_to

HOSTILE = "<img src=x onerror=alert(1)>"


def body_of(response: Any) -> str:
    assert response.status_code == 200
    return response.content.decode()


def todo(body: str, key: str) -> str:
    match = re.search(
        rf'<div class="card todo" id="todo-{key}">(.*?)</div>\s*(?=<div class="card todo"|</section>)', body, re.S
    )
    assert match, f"no to-do list {key}"
    return match.group(1)


def count(body: str, key: str) -> int:
    match = re.search(r'<small class="todo-count">(\d+)</small>', todo(body, key))
    assert match
    return int(match.group(1))


def report(
    world: World,
    *,
    point: tuple[float, float] = POINT_IN_A,
    description: str = "仁和路口流动摊贩",
    by: str = "dispatcher",
) -> Event:
    return services.event_intake(
        actor=world.user(by),
        district=world.district,
        source=EventSource.HOTLINE if by == "dispatcher" else EventSource.API,
        description=description,
        lon=point[0],
        lat=point[1],
        reporter_user=world.user(by) if by != "dispatcher" else None,
    ).event


def test_dispatcher_sees_what_waits_for_dispatch_and_what_is_about_to_expire(world: World, client_as: Any) -> None:
    waiting = report(world, description=f"待派遣 {HOSTILE}")
    running = report(world, point=POINT_IN_B)
    services.event_dispatch(actor=world.user("dispatcher"), event=running, officers=[officer_of(world, "officer_b")])

    body = body_of(client_as("dispatcher").get("/"))

    assert count(body, "waiting") == 1 and f'id="todo-waiting-{waiting.pk}"' in todo(body, "waiting")
    assert "&lt;img src=x onerror=alert(1)&gt;" in todo(body, "waiting") and HOSTILE not in body
    # The acknowledge clock (1 minute) is due within ten minutes.
    assert count(body, "due_soon") == 1 and f'id="todo-due_soon-{running.pk}"' in todo(body, "due_soon")
    assert count(body, "overdue") == 0
    assert 'id="figure-officers"' in body  # the district's figures stay, after the lists

    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2)):
        later = body_of(client_as("dispatcher").get("/"))
    assert count(later, "overdue") == 1 and count(later, "due_soon") == 0


def test_street_dispatcher_sees_only_their_street(world: World, client_as: Any) -> None:
    in_a = report(world)
    in_b = report(world, point=POINT_IN_B)

    body = body_of(client_as("street_dispatcher_a").get("/"))

    assert count(body, "waiting") == 1
    assert f"todo-waiting-{in_a.pk}" in body and f"todo-waiting-{in_b.pk}" not in body


def test_officer_sees_their_own_tasks(world: World, client_as: Any) -> None:
    mine = report(world)
    theirs = report(world, point=POINT_IN_B)
    services.event_dispatch(actor=world.user("dispatcher"), event=mine, officers=[officer_of(world, "officer_a")])
    services.event_dispatch(actor=world.user("dispatcher"), event=theirs, officers=[officer_of(world, "officer_b")])

    body = body_of(client_as("officer_a").get("/"))

    assert count(body, "tasks") == 1
    assert f'href="/m/events/{mine.pk}/"' in todo(body, "tasks") and f"todo-tasks-{theirs.pk}" not in body
    assert 'id="figure-officers"' not in body


def test_liaison_sees_their_departments_coordination_tasks(world: World, client_as: Any) -> None:
    transferred = report(world)
    services.event_transfer(
        actor=world.user("dispatcher"), event=transferred, department=world.market_dept, instructions="请核查证照"
    )
    report(world, point=POINT_IN_B)  # not theirs

    body = body_of(client_as("liaison").get("/"))

    assert count(body, "coordination") == 1 and f"todo-coordination-{transferred.pk}" in body
    assert "执法人员" not in re.sub(r'<nav class="sidenav".*?</nav>', "", body, flags=re.S)
    assert 'id="figure-' not in body


def test_legal_reviewer_is_told_there_is_no_review_queue_yet(world: World, client_as: Any) -> None:
    body = body_of(client_as("legal_reviewer").get("/"))

    assert "本平台尚未建立立案和处罚决定模块，暂无待法制审核的案件" in todo(body, "review")
    assert count(body, "review") == 0
    assert 'id="figure-' not in body


def test_business_owner_sees_their_own_reports_and_notices_never_staff_figures(world: World, client_as: Any) -> None:
    own = report(world, by="business_owner", description="门前下水道堵塞")
    other = report(world, description="别人上报的事件")

    body = body_of(client_as("business_owner").get("/"))

    assert count(body, "reports") == 1
    assert f"todo-reports-{own.pk}" in body and f"todo-reports-{other.pk}" not in body
    assert count(body, "notices") == 0 and "暂无通知" in todo(body, "notices")
    content = re.sub(r'<nav class="sidenav".*?</nav>', "", body, flags=re.S)
    assert "执法人员" not in content and "0名" not in content
    assert 'id="figure-' not in body


def test_leader_keeps_the_district_figures(world: World, client_as: Any) -> None:
    body = body_of(client_as("leader").get("/"))
    assert 'id="figure-officers"' in body and 'id="figure-sinking"' in body


def figure(body: str, key: str) -> str:
    match = re.search(rf'<div class="figure" id="figure-{key}">(.*?)</div>\s*</div>', body, re.S)
    assert match, f"no figure {key}"
    return re.sub(r"<[^>]+>|\s+", "", match.group(1))


def test_leader_sees_overdue_open_by_status_and_todays_new_and_closed_scoped(world: World, client_as: Any) -> None:
    # Given, today: one event waiting in street A, one dispatched in street B, and one of A closed
    report(world)
    running = report(world, point=POINT_IN_B)
    services.event_dispatch(actor=world.user("dispatcher"), event=running, officers=[officer_of(world, "officer_b")])
    walk_to(world, "closed")

    # When the leader opens the home page two minutes later (the acknowledge clock of 1 minute has run out)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2)):
        body = body_of(client_as("leader").get("/"))
        street_a = body_of(client_as("street_dispatcher_a").get("/"))

    # Then the district's overdue count, the open events by status and today's new / closed are shown
    assert figure(body, "overdue") == "已超时事件1件在办事件中已过当前时限"
    assert figure(body, "open").startswith("在办事件2件")
    assert figure(body, "open") == "在办事件2件已研判1·已派遣1"
    assert figure(body, "today").startswith("今日新增/结案3件/1件")
    # The leader may not open the command queue: the overdue figure is no link to it
    assert "?clock=overdue" not in body
    # And a street dispatcher's figures count their own street only, the overdue one linking to the queue
    assert figure(street_a, "overdue").startswith("已超时事件0件")
    assert figure(street_a, "open").startswith("在办事件1件")
    assert figure(street_a, "today").startswith("今日新增/结案2件/1件")
    assert "/command/?clock=overdue" in street_a


def test_a_business_is_not_offered_the_roster_or_the_district_map(world: World, client_as: Any) -> None:
    business = client_as("business_owner").get("/").content.decode()
    dispatcher = client_as("dispatcher").get("/").content.decode()

    assert ("执法人员</a>" in business, "一张图</a>" in business) == (False, False)
    assert ("执法人员</a>" in dispatcher, "一张图</a>" in dispatcher) == (True, True)
