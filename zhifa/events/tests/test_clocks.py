"""The three time bases of the clocks, and which SLA policy applies."""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from zhifa.catalog.tests.factories import MatterFactory
from zhifa.core.models import CalendarOverride
from zhifa.events.clocks import clock_due, sla_policy_for
from zhifa.events.states import EventPriority, TimeBase
from zhifa.events.tests.factories import SlaPolicyFactory

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SH)


def test_around_the_clock_counts_natural_minutes_through_the_night() -> None:
    assert clock_due(start=at("2026-06-01 23:58"), limit=5, time_base=TimeBase.AROUND_THE_CLOCK) == at(
        "2026-06-02 00:03"
    )


@pytest.mark.parametrize(
    ("start", "limit", "due"),
    [
        ("2026-06-01 09:00", 30, "2026-06-01 09:30"),  # inside the morning period
        ("2026-06-01 11:50", 30, "2026-06-01 13:50"),  # across lunch: 10 before, 20 after
        ("2026-06-01 12:15", 5, "2026-06-01 13:35"),  # started at lunch: begins at 13:30
        ("2026-06-01 07:00", 1, "2026-06-01 08:31"),  # before work: begins at 08:30
        ("2026-06-01 17:20", 30, "2026-06-02 08:50"),  # across the night: 10 today, 20 tomorrow
        ("2026-06-05 17:20", 30, "2026-06-08 08:50"),  # Friday → Monday across the weekend
        ("2026-06-06 10:00", 5, "2026-06-08 08:35"),  # started on a Saturday
        ("2026-06-18 17:00", 60, "2026-06-22 09:00"),  # across the Dragon Boat holiday (19th–21st)
        ("2026-06-01 12:00", 0, "2026-06-01 12:00"),  # a zero clock is due at once
    ],
)
def test_working_hours_count_only_inside_working_periods_on_working_days(start: str, limit: int, due: str) -> None:
    assert clock_due(start=at(start), limit=limit, time_base=TimeBase.WORKING_HOURS) == at(due)


def test_working_hours_respect_a_calendar_override() -> None:
    CalendarOverride.objects.create(day=dt.date(2026, 6, 2), is_working_day=False, note="本地调整")

    assert clock_due(start=at("2026-06-01 17:20"), limit=30, time_base=TimeBase.WORKING_HOURS) == at("2026-06-03 08:50")


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        ("2026-06-01 10:00", 3, "2026-06-04 10:00"),
        ("2026-06-04 15:00", 3, "2026-06-09 15:00"),  # Thu + 3 working days skips the weekend
        ("2026-06-17 09:00", 3, "2026-06-23 09:00"),  # Wed → 18th, (holiday 19th–21st), 22nd, 23rd
    ],
)
def test_working_days_count_from_the_day_after_at_the_same_local_time(start: str, days: int, due: str) -> None:
    assert clock_due(start=at(start), limit=days, time_base=TimeBase.WORKING_DAYS) == at(due)


def test_sla_policy_falls_back_to_the_1530_default(world: Any) -> None:
    policy = sla_policy_for(district_id=world.district.pk, matter_id=None, priority=EventPriority.NORMAL)

    assert policy.pk is None
    assert (policy.time_base, policy.acknowledge_limit, policy.arrive_limit, policy.handle_limit) == (
        TimeBase.AROUND_THE_CLOCK,
        1,
        5,
        30,
    )
    assert policy.coordination_limit == 3


def test_sla_policy_takes_the_most_specific_row(world: Any) -> None:
    matter = MatterFactory(department=world.enforcement_dept)
    other = MatterFactory(department=world.enforcement_dept)
    district_any = SlaPolicyFactory(district=world.district, priority="", acknowledge_limit=2)
    district_urgent = SlaPolicyFactory(district=world.district, priority=EventPriority.URGENT, acknowledge_limit=3)
    matter_any = SlaPolicyFactory(district=world.district, matter=matter, priority="", acknowledge_limit=4)
    matter_urgent = SlaPolicyFactory(
        district=world.district, matter=matter, priority=EventPriority.URGENT, acknowledge_limit=5
    )

    def pick(matter_id: int | None, priority: str) -> Any:
        return sla_policy_for(district_id=world.district.pk, matter_id=matter_id, priority=priority).pk

    assert pick(matter.pk, EventPriority.URGENT) == matter_urgent.pk
    assert pick(matter.pk, EventPriority.NORMAL) == matter_any.pk
    assert pick(other.pk, EventPriority.URGENT) == district_urgent.pk
    assert pick(other.pk, EventPriority.NORMAL) == district_any.pk
    assert pick(None, EventPriority.NORMAL) == district_any.pk
