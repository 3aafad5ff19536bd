"""/api/v1/analytics/deployment (issue 17 parts 4 and 5): the standby plans with their posts, scoped as the
deployment page; computing a shift's plan with the page's function, checks and codes; a refusal writes nothing.

Seen at 06:00 on 2026-03-10 (Asia/Shanghai): 甲队员 (street A) on a roster shift 07:00–19:00; street A's grid
甲一网格 had an event at 09:00 on each of the three Tuesdays before."""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import World
from zhifa.core.models import AuditEntry
from zhifa.events.models import Notification, StandbyPlan
from zhifa.events.services.standby import StandbyPostDraft, standby_plan_publish
from zhifa.events.tests.factories import EventFactory
from zhifa.org.models import DutyShift, Officer

TZ = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 3, 10)
NOW = dt.datetime.combine(DAY, dt.time(6), tzinfo=TZ)
START = dt.datetime.combine(DAY, dt.time(7), tzinfo=TZ)
END = dt.datetime.combine(DAY, dt.time(19), tzinfo=TZ)
URL = "/api/v1/analytics/deployment/plans"


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def on_duty(world: World, frozen: Any) -> Officer:
    officer = Officer.objects.get(name="甲队员")
    DutyShift.objects.create(district=world.district, officer=officer, starts_at=START, ends_at=END)
    for week in (1, 2, 3):
        EventFactory(grid=world.grid_a, reported_at=START - dt.timedelta(weeks=week, hours=-2))
    return officer


def stored(world: World, *, street: Any, officer: str, grid: Any) -> StandbyPlan:
    return standby_plan_publish(
        actor=world.user("dispatcher"),
        district_id=world.district.pk,
        street_id=street.pk if street is not None else None,
        starts_at=START,
        ends_at=END,
        reach_s=300,
        expected_events=2.0,
        covered_events=1.5,
        posts=[StandbyPostDraft(Officer.objects.get(name=officer).pk, grid.pk, 120.104, 30.304)],
    )


# --- computing a shift's plan -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["dispatcher", "street_dispatcher_a"])
def test_a_shifts_plan_is_computed_published_and_told(
    world: World, on_duty: Officer, sign_in: Any, persona: str
) -> None:
    body = {"street": world.street_a.pk, "date": DAY.isoformat(), "from": 7, "to": 19}

    response = sign_in(world.user(persona)).post(URL, body, content_type="application/json")

    assert response.status_code == 201
    plan = StandbyPlan.objects.get()
    answer = response.json()
    assert answer["id"] == plan.pk
    assert answer["street"] == {"id": world.street_a.pk, "name": "甲街道"}
    assert (dt.datetime.fromisoformat(answer["starts_at"]), dt.datetime.fromisoformat(answer["ends_at"])) == (
        START,
        END,
    )
    assert (answer["reach_s"], answer["created_by"], answer["superseded_at"], answer["is_live"]) == (
        300,
        persona,
        None,
        True,
    )
    assert [(p["officer_id"], p["officer"], p["grid_id"], p["grid"]) for p in answer["posts"]] == [
        (on_duty.pk, "甲队员", world.grid_a.pk, "甲一网格")
    ]
    # The officer is told (the page's service), and the plan is audited
    assert list(Notification.objects.values_list("user__username", "message")) == [
        ("officer_a", "建议待命点位：甲一网格（3月10日 07:00起，至 19:00）")
    ]
    assert AuditEntry.objects.filter(action="standby_plan.publish", object_id=str(plan.pk)).count() == 1


def test_a_night_shift_ends_the_next_morning_and_a_second_computation_supersedes(
    world: World, on_duty: Officer, sign_in: Any
) -> None:
    client = sign_in(world.user("dispatcher"))
    night = {"street": world.street_a.pk, "date": DAY.isoformat(), "from": 19, "to": 7}
    first = client.post(URL, night, content_type="application/json").json()
    second = client.post(URL, night, content_type="application/json").json()

    assert dt.datetime.fromisoformat(first["ends_at"]) == dt.datetime(2026, 3, 11, 7, 0, tzinfo=TZ)
    assert StandbyPlan.objects.get(pk=first["id"]).superseded_at is not None
    assert client.get(f"{URL}/{first['id']}").json()["is_live"] is False
    assert [p["id"] for p in client.get(URL, {"live": "true"}).json()["items"]] == [second["id"]]


@pytest.mark.parametrize(
    ("persona", "body", "status", "code"),
    [
        ("officer_a", {}, 403, "analytics_forbidden"),
        ("liaison", {}, 403, "analytics_forbidden"),
        ("leader", {}, 403, "deployment_forbidden"),
        ("street_dispatcher_a", {"street": "B"}, 403, "street_outside_scope"),
        ("street_dispatcher_a", {"street": None}, 201, None),  # the district means their own street
        ("dispatcher", {"street": 999999}, 422, "unknown_street"),
        ("dispatcher", {"street": 2**70}, 422, "unknown_street"),
        ("dispatcher", {"date": "2026/03/10"}, 422, "invalid_date"),
        ("dispatcher", {"date": "9999-12-31"}, 422, "date_out_of_range"),
        ("dispatcher", {"from": 24}, 422, "invalid_hour"),
        ("dispatcher", {"to": 25}, 422, "invalid_hour"),
        ("dispatcher", {"from": -1}, 422, "invalid_hour"),
        ("dispatcher", {"from": 7, "to": 7}, 422, "invalid_hour"),
        ("dispatcher", {"from": "seven"}, 422, "request_invalid"),
    ],
)
def test_refusals_write_nothing(
    world: World, on_duty: Officer, sign_in: Any, persona: str, body: dict[str, Any], status: int, code: str | None
) -> None:
    shift = {"street": world.street_a.pk, "date": DAY.isoformat(), "from": 7, "to": 19}
    if body.get("street") == "B":
        body = {**body, "street": world.street_b.pk}
    client = sign_in(world.user(persona))
    audit_before = AuditEntry.objects.count()  # after signing in (a second factor is audited)

    response = client.post(URL, {**shift, **body}, content_type="application/json")

    assert response.status_code == status
    if code is None:
        assert response.json()["street"]["id"] == world.street_a.pk
        return
    assert response.json()["code"] == code
    assert response.json()["message"]
    assert (StandbyPlan.objects.count(), Notification.objects.count()) == (0, 0)
    assert AuditEntry.objects.count() == audit_before


# --- reading the plans ----------------------------------------------------------------------------------------


def test_the_plans_are_scoped_as_the_page(world: World, frozen: Any, sign_in: Any) -> None:
    a = stored(world, street=world.street_a, officer="甲队员", grid=world.grid_a)
    b = stored(world, street=world.street_b, officer="乙队员", grid=world.grid_b)
    district = stored(world, street=None, officer="乙队员", grid=world.grid_b)

    everyone = sign_in(world.user("leader")).get(URL).json()
    only_b = sign_in(world.user("dispatcher")).get(URL, {"street": world.street_b.pk}).json()
    client = sign_in(world.user("street_dispatcher_a"))
    street_a = client.get(URL).json()
    other_street = client.get(URL, {"street": world.street_b.pk})
    other_plan = client.get(f"{URL}/{b.pk}")
    own_plan = client.get(f"{URL}/{a.pk}")

    assert [p["id"] for p in everyone["items"]] == [district.pk, b.pk, a.pk]
    assert everyone["count"] == 3
    assert [p["id"] for p in only_b["items"]] == [b.pk]
    assert [p["id"] for p in street_a["items"]] == [a.pk]
    assert [(p["officer"], p["grid"], p["lon"], p["lat"]) for p in street_a["items"][0]["posts"]] == [
        ("甲队员", "甲一网格", 120.104, 30.304)
    ]
    assert (other_street.status_code, other_street.json()["code"]) == (403, "street_outside_scope")
    assert (other_plan.status_code, other_plan.json()["code"]) == (404, "standby_plan_not_found")
    assert own_plan.json()["covered_events"] == 1.5


@pytest.mark.parametrize(
    ("persona", "path", "query", "status", "code"),
    [
        ("officer_a", "", {}, 403, "analytics_forbidden"),
        ("business_owner", "/1", {}, 403, "analytics_forbidden"),
        ("leader", "", {"street": "999999"}, 422, "unknown_street"),
        ("leader", "/999999", {}, 404, "standby_plan_not_found"),
        ("leader", f"/{2**70}", {}, 404, "standby_plan_not_found"),
    ],
)
def test_read_refusals(
    world: World, frozen: Any, sign_in: Any, persona: str, path: str, query: dict[str, str], status: int, code: str
) -> None:
    response = sign_in(world.user(persona)).get(f"{URL}{path}", query)

    assert response.status_code == status
    assert response.json()["code"] == code


def test_the_list_reads_a_fixed_number_of_queries(world: World, frozen: Any, sign_in: Any) -> None:
    client = sign_in(world.user("dispatcher"))
    stored(world, street=world.street_a, officer="甲队员", grid=world.grid_a)
    client.get(URL)  # the session's and the jurisdiction's first reads
    with CaptureQueriesContext(connection) as one:
        assert client.get(URL).json()["count"] == 1
    for _ in range(3):
        stored(world, street=world.street_b, officer="乙队员", grid=world.grid_b)
    with CaptureQueriesContext(connection) as four:
        assert client.get(URL).json()["count"] == 4
    assert len(four.captured_queries) == len(one.captured_queries)
