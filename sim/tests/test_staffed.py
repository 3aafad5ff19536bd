"""The fourth column of ``make simulate`` (``staffed``): predictive positions on the roster the deployment page's
人力测算 advises. On the shared personas' street A (one zone, one grid): the scenario's own officers stay as
they were, and each shift gets riders added until it has as many riding officers as the staffing stored with its
plan asks for at the shift's busiest hour."""

import dataclasses
import datetime as dt
from pathlib import Path

import time_machine
from django.utils import timezone

from conftest import World
from sim.engine import Simulation
from sim.scenario import load_scenario
from zhifa.catalog.models import Domain
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.events.models import StandbyPlan
from zhifa.org.models import TravelMode

SCENARIO = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "wulin-day.json")


def prepared(world: World, policy: str) -> Simulation:
    matter = MatterFactory(department=world.enforcement_dept, domain=Domain.CITY_APPEARANCE, with_tiers=False)
    scenario = dataclasses.replace(
        SCENARIO,
        street=world.street_a.name,
        matter_mix={matter.code: 1.0},
        officers_per_zone={"day": 2, "night": 1},
        riding_share=0.0,  # every roster officer walks: all the riders the staffing asks for are added
    )
    sim = Simulation(scenario, policy)
    morning = dt.datetime.combine(scenario.day, dt.time(6), tzinfo=timezone.get_current_timezone())
    with time_machine.travel(morning - dt.timedelta(days=1), tick=False):
        sim.prepare()
    return sim


def roster(sim: Simulation) -> list[tuple[str, str, str]]:
    return [(s.officer.name, s.shift, s.officer.travel_mode) for s in sim.officers]


def shift_of(plan: StandbyPlan) -> str:
    return "day" if plan.starts_at.astimezone(timezone.get_current_timezone()).hour == 7 else "night"


def test_the_staffed_roster_keeps_the_scenarios_officers_and_adds_the_riders_the_staffing_asks_for(
    world: World,
) -> None:
    # Given the scenario's roster of street A: two walkers by day, one by night
    # When the day is prepared as "staffed"
    sim = prepared(world, "staffed")

    # Then the scenario's officers come first, as the scenario has them, and each shift has exactly the riders
    # its stored 人力测算 asks for at the busiest hour of its plans (none of the roster rode)
    assert roster(sim)[:3] == [
        ("仿真队员1", "day", TravelMode.WALKING),
        ("仿真队员2", "day", TravelMode.WALKING),
        ("仿真队员3", "night", TravelMode.WALKING),
    ]
    plans = list(StandbyPlan.objects.order_by("starts_at"))
    assert [shift_of(p) for p in plans] == ["night", "day", "night"]  # the evening before, the day, the evening
    for shift in ("day", "night"):
        riders = [s for s in sim.officers if s.shift == shift and s.officer.travel_mode == TravelMode.RIDING]
        asked = max(p.staffing["peak"] for p in plans if shift_of(p) == shift)
        assert asked >= 1
        assert len(riders) == asked
    # ... and every added officer has a post in their shift's plan, as the roster's officers do
    for plan in plans:
        on_duty = {s.officer.pk for s in sim.officers if s.shift == shift_of(plan)}
        assert set(plan.posts.values_list("officer_id", flat=True)) == on_duty
