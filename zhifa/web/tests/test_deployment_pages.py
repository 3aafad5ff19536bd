"""The deployment page (/analytics/deployment/), the posts for the command map, and the post on the phone."""

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from zhifa.events.models import StandbyPlan, StandbyPost
from zhifa.events.services.standby import StandbyPostDraft, standby_plan_publish
from zhifa.events.tests.factories import EventFactory
from zhifa.org.models import DutyShift, Officer, TravelMode
from zhifa.org.tests.factories import OfficerFactory

TZ = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 3, 10)
START = dt.datetime.combine(DAY, dt.time(7), tzinfo=TZ)
END = dt.datetime.combine(DAY, dt.time(19), tzinfo=TZ)
HOSTILE = '<img src=x onerror="alert(1)">'


@pytest.fixture
def on_duty(world: Any) -> Officer:
    officer = Officer.objects.get(name="甲队员")
    DutyShift.objects.create(district=world.district, officer=officer, starts_at=START, ends_at=END)
    return officer


def post_for(world: Any, officer: Officer, *, street: Any = None, grid: Any = None) -> StandbyPlan:
    return standby_plan_publish(
        actor=world.user("dispatcher"),
        district_id=world.district.pk,
        street_id=(street or world.street_a).pk,
        starts_at=START,
        ends_at=END,
        reach_s=300,
        expected_events=2.0,
        covered_events=2.0,
        posts=[StandbyPostDraft(officer.pk, (grid or world.grid_a).pk, 120.104, 30.304)],
    )


def test_the_dispatcher_computes_a_streets_posts_and_the_page_shows_them(
    client_as: Any, world: Any, on_duty: Officer
) -> None:
    # Given a history of three events in street A's grid, and 甲队员 on duty 07–19
    for week in (1, 2, 3):
        EventFactory(grid=world.grid_a, reported_at=START - dt.timedelta(weeks=week, hours=-2))
    world.grid_a.name = HOSTILE
    world.grid_a.save()
    client = client_as("dispatcher")
    form = {"street": world.street_a.pk, "date": DAY.isoformat(), "from": "7", "to": "19"}
    # When the dispatcher asks for the shift's posts
    with time_machine.travel(START - dt.timedelta(hours=1), tick=False):
        response = client.post("/analytics/deployment/", form)
    # Then one plan with 甲队员 at the only grid, and the page lists it (the grid's name as text)
    assert response.status_code == 302
    plan = StandbyPlan.objects.get()
    assert (plan.street_id, plan.starts_at, plan.ends_at, plan.reach_s) == (world.street_a.pk, START, END, 300)
    assert [(p.officer_id, p.grid_id) for p in plan.posts.all()] == [(on_duty.pk, world.grid_a.pk)]
    assert plan.covered_events == plan.expected_events > 0
    page = client.get(response["Location"]).content.decode()
    assert "甲队员" in page
    assert HOSTILE not in page and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
    # And the 人力测算: the busiest hour is 09:00 (every past event came then); over the shift one officer is
    # free for 95% of the expected events, but in that hour the one officer is busy too often — two are needed
    assert plan.staffing["peak_hour"] == dt.datetime.combine(DAY, dt.time(9), tzinfo=TZ).isoformat()
    assert (plan.staffing["peak"], plan.staffing["shift"], plan.staffing["target"]) == (2, 1, 0.95)
    assert "最忙时段 09:00 起" in page and "需约 2 人" in page and "本方案在岗 1 人" in page
    assert "高峰时段人手不足" in page


def test_without_history_the_page_says_the_staffing_cannot_be_estimated(
    client_as: Any, world: Any, on_duty: Officer
) -> None:
    client = client_as("dispatcher")
    form = {"street": world.street_a.pk, "date": DAY.isoformat(), "from": "7", "to": "19"}
    with time_machine.travel(START - dt.timedelta(hours=1), tick=False):
        response = client.post("/analytics/deployment/", form)
    assert StandbyPlan.objects.get().staffing["shift"] == 0
    page = client.get(response["Location"]).content.decode()
    assert "暂无法测算所需人数" in page and "约 — 人" not in page


def test_a_leader_reads_the_page_but_sets_no_posts(client_as: Any, world: Any, on_duty: Officer) -> None:
    client = client_as("leader")
    assert client.get("/analytics/deployment/").status_code == 200
    response = client.post(
        "/analytics/deployment/", {"street": world.street_a.pk, "date": DAY.isoformat(), "from": 7, "to": 19}
    )
    assert response.status_code == 403
    assert "deployment_forbidden" in response.content.decode()
    assert (StandbyPlan.objects.count(), StandbyPost.objects.count()) == (0, 0)


@pytest.mark.parametrize("persona", ["officer_a", "auxiliary_a", "liaison", "business_owner"])
def test_the_page_is_not_for_field_staff_or_outsiders(client_as: Any, persona: str) -> None:
    assert client_as(persona).get("/analytics/deployment/").status_code == 403


def test_a_street_dispatcher_sees_their_street_only(client_as: Any, world: Any) -> None:
    client = client_as("street_dispatcher_a")
    assert client.get(f"/analytics/deployment/?street={world.street_b.pk}").status_code == 403
    page = client.get("/analytics/deployment/")
    assert page.status_code == 200
    assert page.context["shift"].street == world.street_a


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("date=2026-13-01", "invalid_date"),
        ("date=9999-12-31&from=19&to=7", "date_out_of_range"),  # its night shift would end past the calendar
        ("from=25", "invalid_hour"),
        ("from=7&to=7", "invalid_hour"),
    ],
)
def test_bad_input_is_named(client_as: Any, query: str, code: str) -> None:
    response = client_as("dispatcher").get(f"/analytics/deployment/?{query}")
    assert response.status_code == 422
    assert code in response.content.decode()


def test_the_command_map_reads_the_live_posts_of_the_users_streets(
    client_as: Any, world: Any, on_duty: Officer
) -> None:
    officer_b = Officer.objects.get(name="乙队员")
    with time_machine.travel(START - dt.timedelta(hours=1), tick=False):
        post_for(world, on_duty)
        post_for(world, officer_b, street=world.street_b, grid=world.grid_b)
    with time_machine.travel(START + dt.timedelta(hours=3), tick=False):
        everyone = client_as("dispatcher").get("/analytics/deployment/posts.json").json()["posts"]
        street_a = client_as("street_dispatcher_a").get("/analytics/deployment/posts.json").json()["posts"]
        assert client_as("officer_a").get("/analytics/deployment/posts.json").status_code == 403
    assert [(p["officer"], p["grid"]) for p in everyone] == [("甲队员", "甲一网格"), ("乙队员", "乙一网格")]
    assert [p["officer"] for p in street_a] == ["甲队员"]
    with time_machine.travel(END, tick=False):  # the shift is over
        assert client_as("dispatcher").get("/analytics/deployment/posts.json").json()["posts"] == []


def test_the_phone_shows_the_officers_post_during_the_shift(client_as: Any, world: Any, on_duty: Officer) -> None:
    with time_machine.travel(START - dt.timedelta(hours=1), tick=False):
        post_for(world, on_duty)
        before = client_as("officer_a").get("/m/").content.decode()
    with time_machine.travel(START + dt.timedelta(hours=1), tick=False):
        during = client_as("officer_a").get("/m/").content.decode()
        other = client_as("officer_b").get("/m/").content.decode()
    assert 'id="standby-post"' not in before
    assert "建议待命点位" in during and "甲一网格" in during and "至 19:00" in during
    assert 'href="geo:30.304000,120.104000?q=30.304000,120.104000"' in during
    assert 'id="standby-post"' not in other


def staffing_cells(page: str) -> dict[str, tuple[str, str]]:
    """The roster page's 人力测算 row for 07:00–19:00: day → (class, text)."""
    (row,) = re.findall(r'<tr data-shift="07:00–19:00">(.*?)</tr>', page, re.S)
    return {
        day: (classes.split()[-1], text)
        for classes, day, text in re.findall(
            r'<td class="(staffing-cell[^"]*)" data-day="([\d-]+)"[^>]*>([^<]*)</td>', row
        )
    }


def test_the_roster_shows_each_shifts_riders_against_the_staffing_and_flags_the_short_ones(
    client_as: Any, world: Any, on_duty: Officer
) -> None:
    # Given the history of the page's test above (the busiest hour of a Tuesday's day shift needs two riders),
    # 甲队员 (riding) alone on Tuesday 10 March, and on Tuesday 17 March with 乙 who rides and 丙 who walks
    for week in (1, 2, 3):
        EventFactory(grid=world.grid_a, reported_at=START - dt.timedelta(weeks=week, hours=-2))
    week_later = dt.timedelta(weeks=1)
    rider = OfficerFactory(district=world.district, name="乙骑行", street=world.street_a, zone=world.zone_a)
    walker = OfficerFactory(
        district=world.district, name="丙步行", street=world.street_a, zone=world.zone_a, travel_mode=TravelMode.WALKING
    )
    for officer in (on_duty, rider, walker):
        DutyShift.objects.create(
            district=world.district, officer=officer, starts_at=START + week_later, ends_at=END + week_later
        )

    # When the street's dispatcher opens March's roster
    with time_machine.travel(START - dt.timedelta(hours=1), tick=False):
        page = client_as("street_dispatcher_a").get(f"/roster/?month=2026-03&street={world.street_a.pk}")
    assert page.status_code == 200
    html = page.content.decode()

    # Then the 07:00–19:00 row has the two Tuesdays: one rider of two is short (red), two of two is enough — the
    # walker is on duty but not counted as a rider
    assert "人力测算" in html
    assert staffing_cells(html) == {"2026-03-10": ("short", "1/2"), "2026-03-17": ("enough", "2/2")}
    assert "在岗 3 人，其中骑行 2 人；最忙时段 09:00 起" in html


def test_the_roster_says_when_there_is_no_history_to_measure_against(
    client_as: Any, world: Any, on_duty: Officer
) -> None:
    with time_machine.travel(START - dt.timedelta(hours=1), tick=False):
        html = client_as("dispatcher").get(f"/roster/?month=2026-03&street={world.street_a.pk}").content.decode()
    assert staffing_cells(html) == {"2026-03-10": ("staffing-cell", "1/—")}
