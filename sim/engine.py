"""A discrete-event replay of one street's day through the real services, under a moved clock.

Every step a person would take — intake, dispatch, the officer's acknowledge / check-in / report, the
worker's escalation scan — is a call to the same service the web page, the phone and the worker call,
made with the clock set (time-machine) to the simulated instant. Only the people are simulated: how fast an
officer picks up the phone, how they travel (walking or riding, at the scenario's speeds along a road
factor), how long the handling takes. Two dispatch policies are compared on the same day and the same
random draws: ours (the recommendation: on duty, free, certified, nearest by travel time) and a zone
round-robin baseline (the next on-duty officer of the event's zone, busy or not).
"""

import datetime as dt
import heapq
import itertools
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import time_machine
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from shapely.geometry import Point, shape

from sim.scenario import Scenario
from zhifa.catalog.models import Domain, Matter
from zhifa.core.errors import DomainError
from zhifa.events import services
from zhifa.events.distance import haversine_m
from zhifa.events.models import Event, EventAssignment, EventEscalation, EventTransition
from zhifa.events.recommend import officers_needed, recommend_officers
from zhifa.events.states import EscalationLevel, EventAction, EventPriority, EventStatus
from zhifa.org.models import Department, DutyShift, Officer, Profile, Street, Zone
from zhifa.org.roles import Role

SIM_PASSWORD = "!"  # unusable password: simulated officers never log in


@dataclass
class SimOfficer:
    officer: Officer
    user: Any
    zone_id: int
    shift: str
    speed_mps: float
    lon: float
    lat: float
    busy_until: dt.datetime


@dataclass
class Day:
    """What the run produced, for the report."""

    policy: str
    events: int = 0
    merged: int = 0
    waits: int = 0
    skipped_actions: int = 0
    errors: list[str] = field(default_factory=list)


class Simulation:
    def __init__(self, scenario: Scenario, policy: str) -> None:
        self.scenario = scenario
        self.policy = policy
        self.rng = random.Random(scenario.seed)
        self.tz = timezone.get_current_timezone()
        self.queue: list[tuple[dt.datetime, int, Callable[[dt.datetime], None]]] = []
        self.counter = itertools.count()
        self.result = Day(policy=policy)
        self.rotation: dict[int, int] = {}
        # Each (re-)dispatch starts a new crew timeline; a superseded crew's pending steps are dropped.
        self.generation: dict[int, int] = {}

    # --- set-up -------------------------------------------------------------------------------------------

    def prepare(self) -> None:
        sc = self.scenario
        self.street = Street.objects.get(name=sc.street)
        self.district = self.street.district
        self.zones = list(Zone.objects.filter(street=self.street).order_by("code"))
        self.zone_shapes = {z.pk: shape(z.boundary) for z in self.zones}
        self.street_shape = shape(self.street.boundary)
        self.matters = {m.code: m for m in Matter.objects.filter(district=self.district, code__in=sc.matter_mix)}
        missing = set(sc.matter_mix) - set(self.matters)
        if missing:
            raise ValueError(f"情景中的事项编码不存在：{sorted(missing)}")
        user_model = get_user_model()
        self.dispatcher = user_model.objects.create(username="sim_dispatcher", password=SIM_PASSWORD)
        Profile.objects.create(
            user=self.dispatcher, district=self.district, role=Role.DISPATCHER, display_name="仿真调度员"
        )
        # The scenario's roster replaces the demo officers of this street.
        Officer.objects.filter(street=self.street).update(is_active=False)
        department = Department.objects.get(district=self.district, code="ZHZF")
        midnight = dt.datetime.combine(sc.day, dt.time(0), tzinfo=self.tz)
        self.officers: list[SimOfficer] = []
        serial = itertools.count(1)
        for zone in self.zones:
            home = self.zone_shapes[zone.pk].representative_point()
            for shift, count in sc.officers_per_zone.items():
                for _ in range(count):
                    n = next(serial)
                    user = user_model.objects.create(username=f"sim_officer_{n}", password=SIM_PASSWORD)
                    Profile.objects.create(
                        user=user,
                        district=self.district,
                        role=Role.OFFICER,
                        street=self.street,
                        display_name=f"仿真队员{n}",
                    )
                    officer = Officer.objects.create(
                        district=self.district,
                        user=user,
                        name=f"仿真队员{n}",
                        badge_no=f"SIM{n:03d}",
                        certificate_no=f"SIM-CERT-{n:04d}",
                        certificate_valid_until=sc.day + dt.timedelta(days=365),
                        home_department=department,
                        street=self.street,
                        zone=zone,
                        certified_domains=[d.value for d in Domain],
                    )
                    self._roster(officer, shift)
                    speed = sc.riding_mps if self.rng.random() < sc.riding_share else sc.walking_mps
                    self.officers.append(
                        SimOfficer(officer, user, zone.pk, shift, speed, home.x, home.y, busy_until=midnight)
                    )
        self.by_officer_id = {s.officer.pk: s for s in self.officers}

    def _roster(self, officer: Officer, shift: str) -> None:
        start_t, end_t = self.scenario.shifts[shift]
        for day in (self.scenario.day - dt.timedelta(days=1), self.scenario.day):
            start = dt.datetime.combine(day, start_t, tzinfo=self.tz)
            end = dt.datetime.combine(day if end_t > start_t else day + dt.timedelta(days=1), end_t, tzinfo=self.tz)
            DutyShift.objects.create(district=self.district, officer=officer, starts_at=start, ends_at=end)

    def _on_duty(self, sim: SimOfficer, at: dt.datetime) -> bool:
        start_t, end_t = self.scenario.shifts[sim.shift]
        local = at.astimezone(self.tz).time()
        return start_t <= local < end_t if end_t > start_t else (local >= start_t or local < end_t)

    # --- the clock ------------------------------------------------------------------------------------------

    def at(self, when: dt.datetime, action: Callable[[dt.datetime], None]) -> None:
        heapq.heappush(self.queue, (when, next(self.counter), action))

    def call(self, when: dt.datetime, fn: Callable[[], Any]) -> Any:
        """Run one service call with the clock standing at ``when``; a refused call is counted, not fatal."""
        with time_machine.travel(when, tick=False):
            try:
                with transaction.atomic():
                    return fn()
            except DomainError as exc:
                self.result.skipped_actions += 1
                if len(self.result.errors) < 20:
                    self.result.errors.append(f"{when:%H:%M:%S} {exc.code}: {exc.message}")
                return None

    def run(self) -> Day:
        sc = self.scenario
        start = dt.datetime.combine(sc.day, dt.time(0), tzinfo=self.tz)
        end = start + dt.timedelta(days=1)
        for hour, rate in enumerate(sc.events_per_hour):
            count = self._poisson(rate)
            for _ in range(count):
                when = start + dt.timedelta(hours=hour, seconds=self.rng.uniform(0, 3600))
                self.at(when, self._report_event())
        scan = start
        while scan < end + dt.timedelta(hours=2):
            self.at(scan, self._scan)
            scan += dt.timedelta(seconds=sc.escalation_scan_seconds)
        for minute in range(0, 26 * 60, 15):
            self.at(start + dt.timedelta(minutes=minute), self._heartbeat)
        while self.queue:
            when, _, action = heapq.heappop(self.queue)
            action(when)
        return self.result

    def _poisson(self, rate: float) -> int:
        # Knuth's method: fine for the small hourly rates of one street.
        limit, k, p = math.exp(-rate), 0, 1.0
        while True:
            p *= self.rng.random()
            if p <= limit:
                return k
            k += 1

    # --- what people do ---------------------------------------------------------------------------------------

    def _report_event(self) -> Callable[[dt.datetime], None]:
        sc = self.scenario
        codes, weights = zip(*sc.matter_mix.items(), strict=True)
        code = self.rng.choices(codes, weights=weights)[0]
        lon, lat = self._point_in_street()
        urgent = self.rng.random() < sc.urgent_share
        matter = self.matters[code]

        def report(when: dt.datetime) -> None:
            result = self.call(
                when,
                lambda: services.event_intake(
                    actor="12345热线（仿真）",
                    district=self.district,
                    source="hotline",
                    description=f"市民反映：{matter.name}",
                    lon=lon,
                    lat=lat,
                    matter_code=code,
                    priority=EventPriority.URGENT if urgent else EventPriority.NORMAL,
                    reporter_name="市民",
                    reporter_phone="13800000000",
                ),
            )
            if result is None:
                return
            self.result.events += 1
            event = result.event
            if event.status == EventStatus.MERGED:
                self.result.merged += 1
                return
            self._dispatch(when, event.pk)

        return report

    def _point_in_street(self) -> tuple[float, float]:
        minx, miny, maxx, maxy = self.street_shape.bounds
        while True:
            lon, lat = self.rng.uniform(minx, maxx), self.rng.uniform(miny, maxy)
            if self.street_shape.contains(Point(lon, lat)):
                return lon, lat

    def _dispatch(self, when: dt.datetime, event_id: int) -> None:
        event = Event.objects.select_related("matter").get(pk=event_id)
        if event.status not in (EventStatus.TRIAGED, EventStatus.RETURNED):
            return
        need = officers_needed(event=event)
        chosen = self._choose(when, event, need)
        if len(chosen) < need:
            self.result.waits += 1
            self.at(when + dt.timedelta(seconds=60), lambda t: self._dispatch(t, event_id))
            return
        officers = [s.officer for s in chosen]
        done = self.call(
            when,
            lambda: services.event_dispatch(
                actor=self.dispatcher, event=event, officers=officers, was_recommended=self.policy == "ours"
            ),
        )
        if done is not None:
            self._work(when, event_id, chosen)

    def _choose(self, when: dt.datetime, event: Event, need: int) -> list[SimOfficer]:
        if self.policy == "ours":
            with time_machine.travel(when, tick=False):
                recommendations = recommend_officers(event=event, now=when, limit=max(need, 5))
            return [
                self.by_officer_id[r.officer_id] for r in recommendations[:need] if r.officer_id in self.by_officer_id
            ]
        # Baseline: the zone's on-duty officers in turn, whether busy or not.
        team = [s for s in self.officers if s.zone_id == event.zone_id and self._on_duty(s, when)]
        if not team:
            return []
        start = self.rotation.get(event.zone_id, 0)
        picked = [team[(start + i) % len(team)] for i in range(min(need, len(team)))]
        self.rotation[event.zone_id] = start + len(picked)
        return picked

    def _work(self, when: dt.datetime, event_id: int, crew: list[SimOfficer]) -> None:
        """The crew's timeline: the lead acknowledges on the phone; everyone travels once free; the lead
        checks in and reports back after handling."""
        sc = self.scenario
        event = Event.objects.get(pk=event_id)
        lead = crew[0]
        generation = self.generation[event_id] = self.generation.get(event_id, 0) + 1
        ack_at = when + dt.timedelta(seconds=sc.acknowledge_seconds.draw(self.rng))
        handling = dt.timedelta(minutes=sc.handling_minutes.draw(self.rng))
        arrivals = []
        for member in crew:
            leave = max(ack_at, member.busy_until)
            distance = haversine_m(member.lon, member.lat, event.lon, event.lat) * sc.road_factor
            arrive = leave + dt.timedelta(seconds=distance / member.speed_mps)
            arrivals.append(arrive)
            member.busy_until = arrive + handling
            member.lon, member.lat = event.lon, event.lat
        arrive_at = arrivals[0]
        report_at = arrive_at + handling

        def assigned(officer: SimOfficer) -> bool:
            if self.generation[event_id] != generation:
                return False
            return EventAssignment.objects.filter(
                event_id=event_id, officer=officer.officer, released_at__isnull=True
            ).exists()

        def acknowledge(t: dt.datetime) -> None:
            if assigned(lead):
                self.call(t, lambda: services.event_acknowledge(actor=lead.user, event=Event.objects.get(pk=event_id)))

        def check_in(t: dt.datetime) -> None:
            if assigned(lead):
                self.call(
                    t,
                    lambda: services.event_check_in(
                        actor=lead.user, event=Event.objects.get(pk=event_id), lon=event.lon, lat=event.lat
                    ),
                )

        def report(t: dt.datetime) -> None:
            if not assigned(lead):
                return
            self.call(
                t,
                lambda: services.event_report(
                    actor=lead.user, event=Event.objects.get(pk=event_id), outcome="已到场处置，现场已整改。"
                ),
            )
            self.call(t, lambda: services.event_verify(actor=self.dispatcher, event=Event.objects.get(pk=event_id)))
            self.call(t, lambda: services.event_close(actor=self.dispatcher, event=Event.objects.get(pk=event_id)))
            for member in crew:
                self._position(t, member)

        self.at(ack_at, acknowledge)
        self.at(arrive_at, check_in)
        self.at(report_at, report)

    def _scan(self, when: dt.datetime) -> None:
        """The worker's escalation scan; a level-3 step re-dispatched the event, so its new crew starts."""
        escalations = self.call(when, lambda: services.events_escalate_overdue(now=when)) or []
        for escalation in escalations:
            if escalation.level != EscalationLevel.REDISPATCH:
                continue
            active = list(
                EventAssignment.objects.filter(event_id=escalation.event_id, released_at__isnull=True)
                .order_by("-is_lead", "id")
                .values_list("officer_id", flat=True)
            )
            crew = [self.by_officer_id[i] for i in active if i in self.by_officer_id]
            if crew:
                self._work(when, escalation.event_id, crew)

    def _heartbeat(self, when: dt.datetime) -> None:
        """Phones on duty report where they are every quarter hour (the recommender ignores stale positions)."""
        for sim in self.officers:
            if self._on_duty(sim, when) and sim.busy_until <= when:
                self._position(when, sim)

    def _position(self, when: dt.datetime, sim: SimOfficer) -> None:
        self.call(
            when,
            lambda: services.officer_position_record(
                actor=sim.user, officer=sim.officer, lon=sim.lon, lat=sim.lat, recorded_at=when
            ),
        )


def measure(scenario: Scenario) -> dict[str, Any]:
    """1530 figures from the records: clocks counted from each event's first dispatch."""
    from zhifa.events.clocks import clock_due, sla_policy_for

    firsts: dict[int, dict[str, dt.datetime]] = {}
    for event_id, action, created_at in (
        EventTransition.objects.filter(
            action__in=[EventAction.DISPATCH, EventAction.ACKNOWLEDGE, EventAction.ARRIVE, EventAction.HANDLE]
        )
        .values_list("event_id", "action", "created_at")
        .order_by("created_at", "id")
    ):
        firsts.setdefault(event_id, {}).setdefault(action, created_at)
    rows: list[dict[str, Any]] = []
    events = Event.objects.in_bulk(list(firsts))
    for event_id, steps in firsts.items():
        dispatched = steps.get(EventAction.DISPATCH)
        if dispatched is None:
            continue
        event = events[event_id]
        policy = sla_policy_for(district_id=event.district_id, matter_id=event.matter_id, priority=event.priority)
        due = {
            "respond": clock_due(start=dispatched, limit=policy.respond_limit, time_base=policy.time_base),
            "arrive": clock_due(start=dispatched, limit=policy.arrive_limit, time_base=policy.time_base),
            "feedback": clock_due(start=dispatched, limit=policy.feedback_limit, time_base=policy.time_base),
        }
        done = {
            "respond": steps.get(EventAction.ACKNOWLEDGE),
            "arrive": steps.get(EventAction.ARRIVE),
            "feedback": steps.get(EventAction.HANDLE),
        }
        rows.append({"dispatched": dispatched, "due": due, "done": done})
    out: dict[str, Any] = {"dispatched": len(rows)}
    for clock in ("respond", "arrive", "feedback"):
        met = sum(1 for r in rows if r["done"][clock] is not None and r["done"][clock] <= r["due"][clock])
        durations = sorted(
            (r["done"][clock] - r["dispatched"]).total_seconds() for r in rows if r["done"][clock] is not None
        )
        out[clock] = {
            "met": met,
            "share": met / len(rows) if rows else 0.0,
            "p50": _quantile(durations, 0.5),
            "p90": _quantile(durations, 0.9),
            "missing": len(rows) - len(durations),
        }
    out["escalations"] = {
        str(level): EventEscalation.objects.filter(level=level).count() for level in EscalationLevel.values
    }
    return out


def _quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    index = min(len(values) - 1, max(0, math.ceil(q * len(values)) - 1))
    return values[index]
