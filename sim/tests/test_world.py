"""The simulated world (``sim.engine``): every random quantity is named by what it describes and drawn from
the scenario's seed and that name alone, so both policies face the same reports and the same dispatch draws,
and nothing that happens to one report shifts another's. No database: the sim's own reads are replaced."""

import dataclasses
import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from shapely.geometry import Point, box

from sim import engine
from sim.engine import PlannedReport, SimOfficer, Simulation, dispatch_draws, plan_day, world_draws
from sim.scenario import load_scenario
from zhifa.catalog.models import Matter
from zhifa.events.states import EventStatus
from zhifa.org.models import Officer

SCENARIO = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "wulin-day.json")
STREET = box(120.150, 30.260, 120.170, 30.280)
START = dt.datetime(2026, 11, 25, 0, 0, tzinfo=dt.UTC)
T0 = START + dt.timedelta(hours=10)


def plan_without(reports: list[PlannedReport], hour: int) -> list[PlannedReport]:
    return [r for r in reports if not r.key.startswith(f"{hour:02d}-")]


def test_a_draw_depends_on_the_seed_and_its_name_only() -> None:
    # The same value in every process (``hash()`` of a string would change with each interpreter).
    assert world_draws(1530, "report", "08-00").random() == 0.6931408952981967
    assert world_draws(1530, "report", "08-01").random() != world_draws(1530, "report", "08-00").random()
    assert world_draws(1531, "report", "08-00").random() != world_draws(1530, "report", "08-00").random()


def test_more_reports_in_one_hour_leave_every_other_report_as_it_was() -> None:
    # Given the day as the scenario has it, and the same day with a busier 07:00 hour
    busier = list(SCENARIO.events_per_hour)
    busier[7] = 20.0
    usual = plan_day(SCENARIO, STREET, START)
    rush = plan_day(dataclasses.replace(SCENARIO, events_per_hour=busier), STREET, START)

    # Then only the 07:00 hour differs: every other report has the same time, matter, point and priority
    assert len([r for r in rush if r.key.startswith("07-")]) > len([r for r in usual if r.key.startswith("07-")])
    assert plan_without(rush, 7) == plan_without(usual, 7)
    assert len(plan_without(usual, 7)) > 100
    # and each report falls in its own hour, inside the street
    for report in usual:
        assert report.at.hour == int(report.key[:2])
        assert STREET.contains(Point(report.lon, report.lat))


def crew_member(n: int) -> SimOfficer:
    return SimOfficer(Officer(pk=n, name=f"队员{n}"), None, 1, "day", 4.5, 120.160, 30.270)


@pytest.fixture
def simulations(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """One simulation per policy, on a street drawn here, without a database: intakes and dispatches are
    recorded instead of calling the services."""
    made: dict[str, Any] = {}
    for policy in ("ours", "baseline"):
        sim = Simulation(SCENARIO, policy)
        sim.street_shape = STREET
        monkeypatch.setattr(sim, "_event_point", lambda event_id: (120.165, 30.275))
        monkeypatch.setattr(sim, "call", lambda when, fn: None)  # every service call refused: crews move on
        monkeypatch.setattr(sim, "_scan", lambda when: None)
        monkeypatch.setattr(sim, "_heartbeat", lambda when: None)
        made[policy] = sim
    return made


class RecordedServices:
    """The services as the sim sees them: intakes recorded (with the simulated instant) and stored as triaged
    events numbered 1, 2, …; every other step refused, so crews move on. (Events are not read either.)"""

    def __init__(self, clock: list[dt.datetime]) -> None:
        self.clock = clock
        self.intakes: list[tuple[dt.datetime, dict[str, Any]]] = []

    def event_intake(self, **kwargs: Any) -> Any:
        self.intakes.append((self.clock[-1], kwargs))
        return SimpleNamespace(event=SimpleNamespace(pk=len(self.intakes), status=EventStatus.TRIAGED))

    def __getattr__(self, name: str) -> Any:
        return lambda **kwargs: None


def replay(sim: Any, monkeypatch: pytest.MonkeyPatch, dispatch: Any) -> list[tuple[dt.datetime, dict[str, Any]]]:
    clock: list[dt.datetime] = []
    recorded = RecordedServices(clock)

    def call(when: dt.datetime, fn: Any) -> Any:
        clock.append(when)
        return fn()

    monkeypatch.setattr(engine, "services", recorded)
    monkeypatch.setattr(engine, "Event", SimpleNamespace(objects=SimpleNamespace(get=lambda **kwargs: None)))
    monkeypatch.setattr(sim, "call", call)
    monkeypatch.setattr(sim, "_dispatch", dispatch)
    sim.district = None
    sim.matters = {code: Matter(code=code, name=f"事项{code}") for code in SCENARIO.matter_mix}
    sim.run()
    return recorded.intakes


def test_both_policies_face_the_same_reports(simulations: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    # Given our policy sending a crew to every report as it comes in (drawing for each dispatch), the baseline
    # sending nobody
    ours, baseline = simulations["ours"], simulations["baseline"]

    # When both replay the day
    ours_intakes = replay(ours, monkeypatch, lambda when, event_id: ours._assign(when, event_id, [crew_member(1)]))
    baseline_intakes = replay(baseline, monkeypatch, lambda when, event_id: None)

    # Then the same reports came in at the same instants: matter, text, point, priority and reporter
    plan = plan_day(SCENARIO, STREET, dt.datetime.combine(SCENARIO.day, dt.time(0), tzinfo=ours.tz))
    assert ours.dispatches == {n: 1 for n in range(1, len(plan) + 1)}
    assert baseline.dispatches == {}
    assert len(ours_intakes) == len(plan)
    assert ours_intakes == baseline_intakes
    first_when, first = ours_intakes[0]
    planned = plan[0]
    assert first_when == planned.at
    assert (first["matter_code"], first["lon"], first["lat"]) == (planned.matter_code, planned.lon, planned.lat)
    assert first["description"] == f"市民反映：事项{planned.matter_code}"
    assert (first["reporter_name"], first["reporter_phone"]) == ("市民", "13800000000")


def test_a_dispatch_draws_the_same_whatever_happened_to_other_reports(simulations: dict[str, Any]) -> None:
    # Given report "08-05" dispatched by our policy after report "08-03" was dispatched and re-dispatched,
    # and by the baseline before "08-03", later in the morning and to another officer
    ours, baseline = simulations["ours"], simulations["baseline"]
    for sim in (ours, baseline):
        sim.report_keys.update({3: "08-03", 5: "08-05"})
    ours._assign(T0, 3, [crew_member(1)])
    ours._assign(T0 + dt.timedelta(minutes=20), 3, [crew_member(2)])
    ours._assign(T0 + dt.timedelta(minutes=30), 5, [crew_member(3)])
    baseline._assign(T0 + dt.timedelta(minutes=45), 5, [crew_member(4)])
    baseline._assign(T0 + dt.timedelta(minutes=50), 3, [crew_member(5)])

    # Then report "08-05"'s first dispatch brings the same acknowledge delay and handling time under both
    expected = dispatch_draws(SCENARIO, "08-05", 1)
    assert ours.tasks[5].acknowledge_at - (T0 + dt.timedelta(minutes=30)) == expected.acknowledge
    assert baseline.tasks[5].acknowledge_at - (T0 + dt.timedelta(minutes=45)) == expected.acknowledge
    assert ours.tasks[5].handling == baseline.tasks[5].handling == expected.handling
    # and so does report "08-03"'s first dispatch, while our re-dispatch of it is its second, with its own draws
    assert baseline.tasks[3].handling == dispatch_draws(SCENARIO, "08-03", 1).handling
    assert ours.tasks[3].handling == dispatch_draws(SCENARIO, "08-03", 2).handling
    assert ours.dispatches == {3: 2, 5: 1}
    assert baseline.dispatches == {3: 1, 5: 1}
    assert len({expected.handling, ours.tasks[3].handling, baseline.tasks[3].handling}) == 3
