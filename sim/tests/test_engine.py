"""The simulated officers' bookkeeping (``sim.engine``): a crew follows its event's assignment rows — a
re-dispatch stops the replaced officers where they are and they take their next task; a level-3 step that
only notified the command centre changes nothing; an officer of another street heads home when done. No
database: the sim's own reads and writes are replaced."""

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from sim.engine import Leg, SimOfficer, Simulation, Task
from sim.scenario import load_scenario
from zhifa.events.distance import haversine_m
from zhifa.events.models import Event
from zhifa.org.models import Officer

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "wulin-day.json"
T0 = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
HOME = (120.160, 30.270)
FAR = (120.170, 30.270)


def officer(n: int, at: tuple[float, float] = HOME) -> SimOfficer:
    return SimOfficer(Officer(pk=n, name=f"队员{n}"), None, 1, "day", 4.5, at[0], at[1])


def task(event_id: int, crew: list[SimOfficer], at: tuple[float, float] = FAR) -> Task:
    return Task(
        event_id=event_id,
        crew=crew,
        lon=at[0],
        lat=at[1],
        acknowledge_at=T0,
        handling=dt.timedelta(minutes=10),
    )


@pytest.fixture
def sim(monkeypatch: pytest.MonkeyPatch) -> Any:
    simulation = Simulation(load_scenario(SCENARIO), "ours")
    simulation.recorded = []  # (when, officer pk, lon, lat) the phones reported
    simulation.calls = []  # service calls made
    simulation.assigned = []  # (event id, crew officer pks) new tasks handed out
    simulation.rows = {}  # event id -> active (assignment id, officer id) rows, lead first
    simulation.by_officer_id = {}
    simulation.officers = []
    monkeypatch.setattr(
        simulation,
        "_position",
        lambda when, m: simulation.recorded.append((when, m.officer.pk, *m.point_at(when))),
    )
    monkeypatch.setattr(simulation, "call", lambda when, fn: simulation.calls.append(when))
    monkeypatch.setattr(simulation, "_assignment_rows", lambda event_id: simulation.rows.get(event_id, []))
    monkeypatch.setattr(
        simulation,
        "_assign",
        lambda when, event_id, crew: simulation.assigned.append((event_id, [m.officer.pk for m in crew])),
    )
    return simulation


def start(sim: Any, t: Task, assignment_ids: list[int]) -> None:
    """The state right after the sim followed a dispatch of ``t``: the crew on their way."""
    sim.tasks[t.event_id] = t
    sim.followed[t.event_id] = assignment_ids
    sim.rows[t.event_id] = [(a, m.officer.pk) for a, m in zip(assignment_ids, t.crew, strict=True)]
    for member in t.crew:
        member.queue.append(t)
        sim._take_next(T0, member)


def test_leg_point_is_the_share_of_the_way_travelled() -> None:
    leg = Leg(120.0, 30.0, 120.1, 30.2, T0, T0 + dt.timedelta(minutes=10))

    assert leg.point_at(T0 - dt.timedelta(minutes=1)) == (120.0, 30.0)
    assert leg.point_at(T0 + dt.timedelta(minutes=5)) == pytest.approx((120.05, 30.1))
    assert leg.point_at(T0 + dt.timedelta(minutes=11)) == (120.1, 30.2)


def test_step_that_changed_no_assignment_leaves_the_crew_at_work(sim: Any) -> None:
    # Given a crew on its way (a level-3 step on an event already on site, or with nobody free, only notifies)
    lead = officer(1)
    t = task(7, [lead])
    start(sim, t, [101])
    leg = lead.leg

    # When the sim looks at the event after the step
    sim._follow_assignments(T0 + dt.timedelta(minutes=40), 7)

    # Then nothing changed: no new task, no restart, the same trip
    assert sim.assigned == []
    assert sim.result.taken_away == 0
    assert t.is_open is True
    assert sim.tasks == {7: t}
    assert lead.task is t
    assert lead.leg is leg


def test_redispatch_stops_the_old_crew_where_they_are_and_starts_the_new_one(sim: Any) -> None:
    # Given officer 1 halfway to event 7, with event 8 waiting in their queue
    old = officer(1)
    t = task(7, [old])
    start(sim, t, [101])
    following = task(8, [old], at=HOME)
    old.queue.append(following)
    arrive_at = old.leg.arrive_at if old.leg else T0
    halfway = T0 + (arrive_at - T0) / 2
    new = officer(2)
    sim.by_officer_id = {1: old, 2: new}

    # When the clock watcher's re-dispatch replaced the assignment rows and the sim follows them
    sim.rows[7] = [(102, 2)]
    sim._follow_assignments(halfway, 7)

    # Then the old task is over, officer 1 reported the point reached and set off from there for event 8
    assert sim.result.taken_away == 1
    assert t.is_open is False
    assert sim.assigned == [(7, [2])]
    assert sim.followed[7] == [102]
    midpoint = ((HOME[0] + FAR[0]) / 2, (HOME[1] + FAR[1]) / 2)
    assert [(w, pk) for w, pk, _, _ in sim.recorded] == [(halfway, 1)]
    assert sim.recorded[0][2:] == pytest.approx(midpoint)
    assert old.task is following
    assert old.queue == []
    assert old.leg is not None
    assert (old.leg.from_lon, old.leg.from_lat) == pytest.approx(midpoint)
    assert old.leg.leave_at == halfway


def test_redispatch_drops_the_task_from_a_member_who_had_not_started_it(sim: Any) -> None:
    # Given officer 1 busy on event 5 with event 7 queued behind it
    member = officer(1)
    busy = task(5, [member])
    start(sim, busy, [100])
    t = task(7, [member])
    start(sim, t, [101])
    assert member.queue == [t]

    # When event 7 is re-dispatched to someone else
    sim.by_officer_id = {1: member, 2: officer(2)}
    sim.rows[7] = [(102, 2)]
    sim._follow_assignments(T0 + dt.timedelta(minutes=15), 7)

    # Then officer 1 just drops it and carries on with event 5, reporting nothing new
    assert member.queue == []
    assert member.task is busy
    assert sim.recorded == []


def test_officer_whose_task_was_taken_away_does_not_act_on_it(sim: Any) -> None:
    # Given a task taken away before its lead arrived and before it was due to be reported
    lead = officer(1)
    t = task(7, [lead])
    start(sim, t, [101])
    sim._end(T0 + dt.timedelta(seconds=30), t)

    # When the lead's arrival, report and acknowledgement come due
    sim._arrive(t, lead, T0 + dt.timedelta(minutes=3))
    sim._report(t, T0 + dt.timedelta(minutes=13))
    sim._acknowledge(t, T0 + dt.timedelta(minutes=1))

    # Then no service is called on it
    assert sim.calls == []
    assert lead.task is None


def test_officer_of_another_street_heads_home_when_done_and_sets_off_from_the_point_reached(sim: Any) -> None:
    # Given an officer of another street (home at HOME) and a roster officer, both on site at FAR
    visitor = SimOfficer(Officer(pk=9, name="邻街队员"), None, 2, "", 4.5, FAR[0], FAR[1], home=HOME)
    roster = officer(1, at=FAR)
    sim.visitors = {9: visitor}
    t = task(7, [visitor, roster])
    start(sim, t, [101, 102])
    for member in (visitor, roster):  # as on arrival
        member.lon, member.lat, member.leg = FAR[0], FAR[1], None

    # When the task is over
    sim._end(T0, t)

    # Then the visitor heads home at their speed along the road factor; the roster officer stays put
    trip = haversine_m(*FAR, *HOME) * sim.scenario.road_factor / 4.5
    assert visitor.leg is not None
    assert (visitor.leg.from_lon, visitor.leg.from_lat, visitor.leg.to_lon, visitor.leg.to_lat) == (*FAR, *HOME)
    assert visitor.leg.leave_at == T0
    assert visitor.leg.arrive_at == T0 + dt.timedelta(seconds=trip)
    assert visitor.is_idle is True
    assert roster.leg is None
    assert (roster.lon, roster.lat) == FAR

    # and the quarter-hour heartbeat reports the visitor where they are on the way
    halfway = T0 + dt.timedelta(seconds=trip / 2)
    sim.recorded.clear()
    sim._heartbeat(halfway)
    midpoint = ((HOME[0] + FAR[0]) / 2, (HOME[1] + FAR[1]) / 2)
    assert [(w, pk) for w, pk, _, _ in sim.recorded] == [(halfway, 9)]
    assert sim.recorded[0][2:] == pytest.approx(midpoint)

    # and a new task sends them from that point, not from home or from the last event
    following = task(8, [visitor], at=HOME)
    following.acknowledge_at = halfway
    visitor.queue.append(following)
    sim._take_next(halfway, visitor)
    assert visitor.task is following
    assert visitor.leg is not None
    assert (visitor.leg.from_lon, visitor.leg.from_lat) == pytest.approx(midpoint)
    assert visitor.leg.leave_at == halfway


def reports_scheduled(sim: Any, t: Task) -> list[dt.datetime]:
    return [when for when, _, fn in sim.queue if getattr(fn, "func", None) == sim._report and fn.args == (t,)]


def test_a_two_officer_crew_starts_handling_when_the_second_officer_has_arrived(sim: Any) -> None:
    # Given a crew of two on their way, the arrivals accepted
    lead, second = officer(1), officer(2)
    t = task(7, [lead, second])
    start(sim, t, [101, 102])
    checked_in: list[int] = []
    sim.call = lambda when, fn: checked_in.append(when) or object()

    # When the lead arrives first
    sim._arrive(t, lead, T0 + dt.timedelta(minutes=3))

    # Then the lead arrives but nobody handles the event yet
    assert len(checked_in) == 1
    assert reports_scheduled(sim, t) == []

    # When the second officer arrives four minutes later
    sim._arrive(t, second, T0 + dt.timedelta(minutes=7))

    # Then they arrive too, and the report comes the handling time after their arrival
    assert len(checked_in) == 2
    assert reports_scheduled(sim, t) == [T0 + dt.timedelta(minutes=7) + t.handling]


def test_the_baseline_makes_up_a_two_officer_crew_from_the_streets_other_zones_in_turn(sim: Any) -> None:
    # Given a street whose zone 1 has one officer on duty and zone 2 two
    own = officer(1)
    first_other, second_other = (SimOfficer(Officer(pk=n, name=f"队员{n}"), None, 2, "day", 4.5, *HOME) for n in (2, 3))
    sim.policy = "baseline"
    sim.officers = [own, first_other, second_other]
    sim._on_duty = lambda member, when: True
    event = Event(zone_id=1)

    # When two two-officer matters and then a one-officer matter come in from zone 1
    crews = [sim._choose(T0, event, need)[0] for need in (2, 2, 1)]

    # Then zone 1's officer leads each, the second officer comes from zone 2 in turn, and one officer goes alone
    assert crews == [[1, 2], [1, 3], [1]]
