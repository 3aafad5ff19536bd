"""Who each policy sends (``sim.engine.Simulation._dispatch``), through the real intake, recommender and
dispatch service on the shared personas' district: street A (甲街道) with one roster officer in its zone, and
street B (乙街道, its neighbour) whose officer 乙队员 is on duty and free. Ours sends whom the recommender
proposes — 乙队员 once A's officer is busy — and waits only when it proposes nobody; the baseline queues the
task behind A's own officer."""

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from shapely.geometry import shape

from conftest import World
from sim.engine import PlannedReport, Simulation, measure
from sim.scenario import load_scenario
from zhifa.catalog.models import Domain
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.events.models import Event, EventAssignment
from zhifa.events.states import EventStatus
from zhifa.org.models import DutyShift, Officer

SCENARIO = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "wulin-day.json")
# Two points of street A more than the dedup radius apart, so the second report is not merged into the first.
FIRST_POINT = (120.103, 30.303)
SECOND_POINT = (120.107, 30.307)


@pytest.fixture
def day(world: World) -> dict[str, Any]:
    """Street A's day as a scenario: one day-shift officer in its one zone; two matters."""
    matters = [
        MatterFactory(department=world.enforcement_dept, domain=Domain.CITY_APPEARANCE, with_tiers=False)
        for _ in range(2)
    ]
    scenario = dataclasses.replace(
        SCENARIO,
        street=world.street_a.name,
        matter_mix={m.code: 1.0 for m in matters},
        officers_per_zone={"day": 1},
    )
    tz = timezone.get_current_timezone()
    ten = dt.datetime.combine(scenario.day, dt.time(10), tzinfo=tz)
    neighbour = Officer.objects.get(street=world.street_b)
    neighbour.certified_domains = [Domain.CITY_APPEARANCE.value]
    neighbour.save(update_fields=["certified_domains"])
    return {"scenario": scenario, "matters": matters, "ten": ten, "neighbour": neighbour}


def prepared(day: dict[str, Any], policy: str) -> Simulation:
    sim = Simulation(day["scenario"], policy)
    with time_machine.travel(day["ten"] - dt.timedelta(hours=4), tick=False):
        sim.prepare()
    return sim


def on_duty(officer: Officer, ten: dt.datetime) -> None:
    DutyShift.objects.create(
        district=officer.district,
        officer=officer,
        starts_at=ten - dt.timedelta(hours=3),
        ends_at=ten + dt.timedelta(hours=9),
    )


def report_two(sim: Simulation, day: dict[str, Any]) -> tuple[Event, Event]:
    """Two reports a minute apart in street A's zone: the first takes A's one officer."""
    ten = day["ten"]
    for n, (point, matter) in enumerate(zip((FIRST_POINT, SECOND_POINT), day["matters"], strict=True)):
        at = ten + dt.timedelta(minutes=n)
        sim._intake(PlannedReport(f"10-0{n}", at, matter.code, point[0], point[1], False), at)
    first, second = Event.objects.order_by("pk")
    return first, second


def crew(event: Event) -> list[int]:
    return list(
        EventAssignment.objects.filter(event=event, released_at__isnull=True)
        .order_by("-is_lead", "pk")
        .values_list("officer_id", flat=True)
    )


def test_ours_sends_the_neighbouring_street_officer_the_recommender_proposes(world: World, day: dict[str, Any]) -> None:
    # Given street A's one officer, and 乙队员 of street B on duty and free
    sim = prepared(day, "ours")
    own = sim.officers[0]
    neighbour = day["neighbour"]
    on_duty(neighbour, day["ten"])

    # When two reports come in a minute apart
    first, second = report_two(sim, day)

    # Then the first goes to A's officer, the second at once to 乙队员, whom the sim follows in from their zone
    assert crew(first) == [own.officer.pk]
    assert crew(second) == [neighbour.pk]
    assert Event.objects.get(pk=second.pk).status == EventStatus.DISPATCHED
    assert EventAssignment.objects.get(event=second).was_recommended is True
    assert sim.result.waits == 0
    assert sim.result.skipped_actions == 0
    assert list(sim.visitors) == [neighbour.pk]
    visitor = sim.visitors[neighbour.pk]
    home = shape(world.zone_b.boundary).representative_point()
    assert visitor.home == (home.x, home.y)
    assert visitor.task is sim.tasks[second.pk]
    assert visitor.leg is not None
    assert (visitor.leg.from_lon, visitor.leg.from_lat) == (home.x, home.y)
    assert (visitor.leg.to_lon, visitor.leg.to_lat) == pytest.approx(SECOND_POINT)
    assert own.queue == []
    # and the report counts the officer borrowed from street B, and no wait before either dispatch
    figures = measure(day["scenario"])
    assert figures["outside"] == {"by_dispatcher": 1, "by_watcher": 0, "officers": 1}
    assert (figures["accepted"], figures["dispatched"]) == (2, 2)
    assert figures["from_report"]["dispatch"] == {"p50": 0.0, "p90": 0.0, "missing": 0, "waited": 0, "longest": 0.0}


def test_ours_waits_only_when_the_recommender_proposes_nobody(day: dict[str, Any]) -> None:
    # Given street A's one officer and 乙队员 off duty (no shift)
    sim = prepared(day, "ours")

    # When two reports come in a minute apart
    _, second = report_two(sim, day)

    # Then the second waits, undispatched, and the dispatcher looks again a minute later
    assert crew(second) == []
    assert Event.objects.get(pk=second.pk).status == EventStatus.TRIAGED
    assert sim.result.waits == 1
    assert [(w["report"], w["proposed"], w["need"]) for w in sim.result.wait_log] == [("10-01", 0, 1)]
    assert sim.visitors == {}
    assert sum(1 for when, _, _ in sim.queue if when == day["ten"] + dt.timedelta(minutes=2)) == 1


def test_baseline_queues_the_task_behind_the_zone_officer_and_never_borrows(day: dict[str, Any]) -> None:
    # Given the same street, with 乙队员 on duty and free
    sim = prepared(day, "baseline")
    own = sim.officers[0]
    on_duty(day["neighbour"], day["ten"])

    # When two reports come in a minute apart
    first, second = report_two(sim, day)

    # Then both go to A's officer, the second waiting in their queue
    assert crew(first) == crew(second) == [own.officer.pk]
    assert own.task is sim.tasks[first.pk]
    assert own.queue == [sim.tasks[second.pk]]
    assert sim.visitors == {}
    assert sim.result.waits == 0
    assert measure(day["scenario"])["outside"] == {"by_dispatcher": 0, "by_watcher": 0, "officers": 0}
