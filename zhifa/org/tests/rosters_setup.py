"""What the roster tests share: a two-shift pattern for street A and a second officer there.

``早`` 08:00–16:00 and ``中`` 16:00–24:00; the cycle ``早早中中`` with two groups has one group on each every day
(group 0 ``早`` on the anchor day, group 1 ``中``); on a rest day only ``早`` runs (holiday staffing)."""

import datetime as dt
from typing import Any

from django.utils import timezone

from conftest import World
from zhifa.org.models import Officer, ShiftPattern
from zhifa.org.rosters import ShiftSpec, shift_pattern_create
from zhifa.org.tests.factories import OfficerFactory

EARLY = ShiftSpec("早", "早班", dt.time(8), 8 * 60)
LATE = ShiftSpec("中", "中班", dt.time(16), 8 * 60)


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def street_a_pattern(world: World, *, anchor_on: dt.date, actor: Any = None) -> ShiftPattern:
    return shift_pattern_create(
        actor=actor or world.user("dispatcher"),
        name="甲街道早中班",
        street=world.street_a,
        shifts=[EARLY, LATE],
        cycle=["早", "早", "中", "中"],
        group_count=2,
        anchor_on=anchor_on,
        rest_day_codes=["早"],
    )


def second_officer_a(world: World, name: str = "甲二队员") -> Officer:
    """Street A's second officer, after 甲队员 in badge order (so in group 1)."""
    first = Officer.objects.get(name="甲队员")
    return OfficerFactory(
        district=world.district,
        name=name,
        badge_no=first.badge_no + "Z",
        home_department=world.enforcement_dept,
        street=world.street_a,
        zone=world.zone_a,
    )
