"""The roster as dispatch reads it (issue 14 part 5): the real recommender proposes only the officers a
generated roster has on duty at that minute, and the no-cover alert tells the street's dispatcher and the
command centre about a zone with nobody on the next shift — once — and nothing about a covered zone."""

import datetime as dt
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from conftest import World
from zhifa.catalog.models import Domain
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.events import recommend
from zhifa.events.models import Notification
from zhifa.events.recommend import recommend_officers
from zhifa.events.roster_alerts import roster_gaps_notify
from zhifa.events.tests.factories import TriagedEventFactory
from zhifa.org.models import DutyShift, Officer, RosterGap
from zhifa.org.rosters import ShiftSpec, duty_shift_add, duty_shift_remove, roster_generate_month, shift_pattern_create
from zhifa.org.tests.rosters_setup import local, second_officer_a, street_a_pattern

OCT = dt.date(2026, 10, 1)
MONDAY = dt.date(2026, 10, 12)
BEFORE_OCTOBER = local(dt.date(2026, 9, 30), 12)


@pytest.fixture(autouse=True)
def _fresh_geometry() -> Any:
    recommend._geometry_cache.clear()
    yield
    recommend._geometry_cache.clear()


@pytest.fixture
def rostered(world: World) -> tuple[Officer, Officer]:
    """Street A's two officers, certified, on October's generated roster: on 10-12 甲队员 has 中 (16–24) and
    甲二队员 早 (08–16); on National Day (10-01) only 甲队员's 早 runs."""
    first = Officer.objects.get(name="甲队员")
    second = second_officer_a(world)
    for officer in (first, second):
        officer.certified_domains = [Domain.CITY_APPEARANCE]
        officer.save(update_fields=["certified_domains"])
    with time_machine.travel(BEFORE_OCTOBER, tick=False):
        pattern = street_a_pattern(world, anchor_on=OCT)
        roster_generate_month(actor=world.user("street_dispatcher_a"), pattern=pattern, month=OCT)
    return first, second


def proposed(world: World, at: dt.datetime) -> list[str]:
    matter = MatterFactory(department=world.enforcement_dept, district=world.district, domain=Domain.CITY_APPEARANCE)
    event = TriagedEventFactory(grid=world.grid_a, matter=matter, lon=120.105, lat=30.302, reported_at=at)
    with time_machine.travel(at, tick=False):
        return [r.officer_name for r in recommend_officers(event=event, needed=1, now=at)]


@pytest.mark.parametrize(
    ("at", "names"),
    [
        (local(MONDAY, 15, 59), ["甲二队员"]),  # 早 until 16:00
        (local(MONDAY, 16, 0), ["甲队员"]),  # 中 from 16:00: the shifts hand over at the minute
        (local(MONDAY, 23, 59), ["甲队员"]),
        (local(MONDAY + dt.timedelta(days=1), 0, 0), []),  # nobody rostered at night
        (local(OCT, 9), ["甲队员"]),  # National Day: the holiday staffing's 早 only
        (local(OCT, 17), []),  # …and no 中
    ],
)
def test_the_recommender_proposes_only_the_officers_the_roster_has_on_duty_that_minute(
    world: World, rostered: Any, at: dt.datetime, names: list[str]
) -> None:
    assert proposed(world, at) == names


def test_a_shift_removed_by_hand_takes_the_officer_off_duty(world: World, rostered: Any) -> None:
    _, second = rostered
    shift = DutyShift.objects.get(officer=second, starts_at=local(MONDAY, 8))
    with time_machine.travel(BEFORE_OCTOBER, tick=False):
        duty_shift_remove(actor=world.user("street_dispatcher_a"), shift=shift, reason="病假")
    assert proposed(world, local(MONDAY, 10)) == []


def test_the_no_cover_alert_tells_the_street_and_the_command_centre_once_and_not_for_a_covered_zone(
    world: World,
) -> None:
    officer_a = Officer.objects.get(name="甲队员")
    officer_b = Officer.objects.get(name="乙队员")
    with time_machine.travel(BEFORE_OCTOBER, tick=False):
        street_a_pattern(world, anchor_on=OCT)
        shift_pattern_create(
            actor=world.user("dispatcher"),
            name="乙街道早中班",
            street=world.street_b,
            shifts=[ShiftSpec("早", "早班", dt.time(8), 480), ShiftSpec("中", "中班", dt.time(16), 480)],
            cycle=["早", "中"],
            group_count=1,
            anchor_on=OCT,
        )
        # 10-12 10:00: both streets' next shift is 中 at 16:00. Street B's officer is on it; street A's is not.
        duty_shift_add(
            actor=world.user("dispatcher"), officer=officer_a, starts_at=local(MONDAY, 8), ends_at=local(MONDAY, 16)
        )
        duty_shift_add(
            actor=world.user("dispatcher"), officer=officer_b, starts_at=local(MONDAY, 16), ends_at=local(MONDAY, 23)
        )

    now = local(MONDAY, 10)
    written = roster_gaps_notify(now=now)
    again = roster_gaps_notify(now=now + dt.timedelta(minutes=5))

    assert (written, again) == (2, 0)
    assert list(RosterGap.objects.values_list("zone__code", "starts_at")) == [("A-1", local(MONDAY, 16))]
    notices = sorted(Notification.objects.values_list("user__username", "message"))
    message = "排班预警：甲街道甲一片区10月12日 16:00–00:00（中班）无人值守，请调整排班"
    assert notices == [("dispatcher", message), ("street_dispatcher_a", message)]


def test_the_roster_worker_extends_the_roster_and_warns_in_one_scan(world: World) -> None:
    now = local(MONDAY, 10)
    with time_machine.travel(now, tick=False):
        street_a_pattern(world, anchor_on=OCT)  # 甲队员 alone in street A: 中 on 10-12, 早 on 10-13
        out = StringIO()
        call_command("roster_watch", "--once", "--days", "2", stdout=out)
    assert list(DutyShift.objects.order_by("starts_at").values_list("code", "starts_at")) == [
        ("中", local(MONDAY, 16)),
        ("早", local(MONDAY + dt.timedelta(days=1), 8)),
    ]
    assert out.getvalue() == "排班：新增2个班次；无人值守预警0条；节假日提醒0条\n"
