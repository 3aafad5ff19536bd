"""A discrete-event replay of one street's day through the real services, under a moved clock.

Every step a person would take — intake, dispatch, the officer's acknowledge / arrive / handle, the
worker's escalation scan — is a call to the same service the web page, the phone and the worker call,
made with the clock set (time-machine) to the simulated instant. Only the people are simulated: how fast an
officer picks up the phone, how they travel (walking or riding, at the scenario's speeds along a road
factor), how long the handling takes. An officer works on one task at a time and takes the next when it is
handled or taken away. Crews follow the event's assignment rows: when the clock watcher re-dispatches an
event, the replaced officers stop wherever they are; when its level-3 step only notifies the command centre
(the officers are already on site, or nobody else is free), nothing changes for them.

Two dispatch policies are compared on the same day. Ours: the dispatcher (the district command centre's
post, which may send any street's officers) sends whom the recommender (``recommend_officers``) puts first
— on duty, free, certified, nearest by travel time; when the street's own officers cannot field the crew the
recommender widens to the neighbouring streets, and their officers are sent like any other — and waits a
minute only when it proposes fewer officers than the event needs. The baseline: the street's own roster in
turn per zone (the next on-duty officer of the event's zone, busy or not; the task queues behind their
work). Both face the same world.

An officer of a neighbouring street (sent by our dispatcher, or by the clock watcher's re-dispatch under
either policy) sets off from where their phone last put them, else their zone (or street); once done they
head back to it, and their phone reports where they are like the roster's. Only this street's day is
replayed: the neighbouring streets' own events are not, so their officers are busy only with this street's
work — the report counts how often they were sent.

Every random quantity is drawn from its own generator, seeded by the scenario's seed and the stable name of
what it describes (``world_draws``) — never from one running sequence — so no draw depends on how many draws
came before it:

- the reports (``plan_day``): per hour, how many; per report, named by its hour and ordinal ("08-03"), its
  time, matter (hence its text, "市民反映：<matter>"), point and priority. The reporter is the same
  hotline caller for every report;
- per officer of the roster (named by serial number) and per officer of another street whom a dispatch or
  re-dispatch sends in (by id): riding or walking, hence their speed — travel has no other noise;
- per dispatch of a report, named by the report and the dispatch's ordinal (1 the first dispatch, 2 the
  first re-dispatch the sim follows, …): the lead's acknowledge delay and the crew's handling time,
  whoever the crew is and whenever the dispatch happens.

What follows from the policy is not shared: who goes and when (ours waits while the recommender proposes
nobody, the baseline queues the task behind busy officers), from where, hence the travel times; which
reports are merged (a duplicate merges only into an event still open); and the clock watcher's escalations
and re-dispatches.

The report (``measure``, ``summarise``) gives 1530 compliance twice: from the first dispatch, where the
service starts the clocks, and from the report, which also counts the wait before a dispatch (ours) and
behind a busy officer (the baseline)."""

import datetime as dt
import hashlib
import heapq
import itertools
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import time_machine
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from shapely.geometry import Point, shape

from sim.deployment import ShiftPosts, StreetModel, plan_shifts, staffed_riders, street_model
from sim.scenario import Scenario
from zhifa.analytics.demand import hours_between
from zhifa.analytics.deployment import deployment_rebalance
from zhifa.catalog.models import Domain, Matter
from zhifa.catalog.selectors import handling_options
from zhifa.core.actors import SystemActor
from zhifa.core.errors import DomainError
from zhifa.events import services
from zhifa.events.clocks import clock_due, sla_policy_for
from zhifa.events.distance import haversine_m
from zhifa.events.models import Event, EventAssignment, EventEscalation, EventTransition, OfficerPosition, StandbyPlan
from zhifa.events.recommend import recommend_officers
from zhifa.events.services.dispatch import officers_needed
from zhifa.events.states import EscalationLevel, EventAction, EventPriority, EventStatus
from zhifa.org.models import Department, DutyShift, Officer, Profile, Street, TravelMode, Zone
from zhifa.org.roles import Role

MOVE_UP = SystemActor("动态补位（仿真）")
# The policies with standby posts: predictive positions on the scenario's roster, and the same on the roster
# the 人力测算 advises ("staffed").
PREDICTIVE = ("predictive", "staffed")
SIM_PASSWORD = "!"  # unusable password: simulated officers never log in
REPORTER_NAME, REPORTER_PHONE = "市民", "13800000000"


def world_draws(seed: int, *name: object) -> random.Random:
    """The draws of one thing of the world, from the scenario's seed and the thing's name alone: the same in
    every process and for both policies, whatever was drawn before. SHA-256 rather than ``hash()``, which
    is salted per process for strings."""
    key = ":".join(str(part) for part in (seed, *name)).encode("utf-8")
    return random.Random(int.from_bytes(hashlib.sha256(key).digest()[:8], "big"))


@dataclass(frozen=True)
class PlannedReport:
    """One hotline report of the day, before it is made."""

    key: str  # its hour and its ordinal within the hour, "08-03": the name its draws hang on
    at: dt.datetime
    matter_code: str
    lon: float
    lat: float
    is_urgent: bool


@dataclass(frozen=True)
class DispatchDraws:
    """What one dispatch of a report brings with it, whoever is sent and whenever."""

    acknowledge: dt.timedelta  # from the dispatch to the lead's acknowledgement on the phone
    handling: dt.timedelta  # on site, from the lead's arrival to the report


def plan_day(scenario: Scenario, street_shape: Any, start: dt.datetime) -> list[PlannedReport]:
    """The day's reports in time order: each hour's count and each report's details have their own draws,
    so one more report in an early hour leaves every later report as it was."""
    codes, weights = zip(*scenario.matter_mix.items(), strict=True)
    reports: list[PlannedReport] = []
    for hour, rate in enumerate(scenario.events_per_hour):
        for ordinal in range(_poisson(world_draws(scenario.seed, "reports", hour), rate)):
            key = f"{hour:02d}-{ordinal:02d}"
            draws = world_draws(scenario.seed, "report", key)
            at = start + dt.timedelta(hours=hour, seconds=draws.uniform(0, 3600))
            code = draws.choices(codes, weights=weights)[0]
            lon, lat = _point_in(street_shape, draws)
            reports.append(PlannedReport(key, at, code, lon, lat, draws.random() < scenario.urgent_share))
    reports.sort(key=lambda r: (r.at, r.key))
    return reports


def dispatch_draws(scenario: Scenario, report_key: str, ordinal: int) -> DispatchDraws:
    draws = world_draws(scenario.seed, "dispatch", report_key, ordinal)
    return DispatchDraws(
        acknowledge=dt.timedelta(seconds=scenario.acknowledge_seconds.draw(draws)),
        handling=dt.timedelta(minutes=scenario.handling_minutes.draw(draws)),
    )


def rides(scenario: Scenario, *name: object) -> bool:
    """Whether an officer rides (else walks): their own draw, named by who they are."""
    return world_draws(scenario.seed, "officer", *name).random() < scenario.riding_share


def _poisson(draws: random.Random, rate: float) -> int:
    # Knuth's method: fine for the small hourly rates of one street.
    limit, k, p = math.exp(-rate), 0, 1.0
    while True:
        p *= draws.random()
        if p <= limit:
            return k
        k += 1


def _point_in(area: Any, draws: random.Random) -> tuple[float, float]:
    minx, miny, maxx, maxy = area.bounds
    while True:
        lon, lat = draws.uniform(minx, maxx), draws.uniform(miny, maxy)
        if area.contains(Point(lon, lat)):
            return lon, lat


@dataclass(frozen=True)
class Leg:
    """A trip to an event: straight from where the officer set off, at their speed along the road factor."""

    from_lon: float
    from_lat: float
    to_lon: float
    to_lat: float
    leave_at: dt.datetime
    arrive_at: dt.datetime

    def point_at(self, when: dt.datetime) -> tuple[float, float]:
        span = (self.arrive_at - self.leave_at).total_seconds()
        done = 1.0 if span <= 0 else min(1.0, max(0.0, (when - self.leave_at).total_seconds() / span))
        return (
            self.from_lon + (self.to_lon - self.from_lon) * done,
            self.from_lat + (self.to_lat - self.from_lat) * done,
        )


@dataclass
class SimOfficer:
    """One officer: works on one task at a time, the tasks assigned meanwhile waiting in order. ``leg`` is the
    trip under way: to the task, or (an officer of another street, between tasks) back to ``home``."""

    officer: Officer
    user: Any
    zone_id: int | None
    shift: str  # a key of the scenario's shifts; "" for an officer from outside the street's roster
    speed_mps: float
    lon: float
    lat: float
    task: "Task | None" = None
    queue: "list[Task]" = field(default_factory=list)
    leg: Leg | None = None
    # Where an officer of another street patrols, and goes back to once done here; for the roster, None (they
    # stay where their last task left them) or, with predictive positions, their shift's standby post.
    home: tuple[float, float] | None = None
    reported: tuple[float, float] | None = None  # where the phone last said the officer was

    @property
    def is_idle(self) -> bool:
        return self.task is None and not self.queue

    def point_at(self, when: dt.datetime) -> tuple[float, float]:
        return self.leg.point_at(when) if self.leg is not None else (self.lon, self.lat)


@dataclass(eq=False)
class Task:
    """One crew's assignment to one event, from its (re-)dispatch until it is handled or taken away."""

    event_id: int
    crew: list[SimOfficer]
    lon: float
    lat: float
    acknowledge_at: dt.datetime
    handling: dt.timedelta
    is_open: bool = True
    # Members on site so far; the handling starts once the whole crew is there (a matter the law gives two
    # officers is handled by both).
    present: list[SimOfficer] = field(default_factory=list)

    @property
    def lead(self) -> SimOfficer:
        return self.crew[0]


@dataclass
class Day:
    """What the run produced, for the report."""

    policy: str
    events: int = 0
    merged: int = 0
    waits: int = 0
    taken_away: int = 0
    skipped_actions: int = 0
    wait_log: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


# The baseline's turn among the street's officers outside the event's zone (zone turns are keyed by zone id).
_STREET_TURN = -1


class Simulation:
    def __init__(self, scenario: Scenario, policy: str, history_of: Scenario | None = None) -> None:
        self.scenario = scenario
        self.policy = policy
        # Predictive positions: the scenario whose day the demand model's history precedes (default this one).
        self.history_of = history_of
        self.shift_posts: list[ShiftPosts] = []
        self.staffed: dict[str, int] = {}  # "staffed": the riders per shift key the 人力测算 asked for
        self.tz = timezone.get_current_timezone()
        self.queue: list[tuple[dt.datetime, int, Callable[[dt.datetime], None]]] = []
        self.counter = itertools.count()
        self.result = Day(policy=policy)
        self.rotation: dict[int, int] = {}
        # The task each event's crew is working on, and the assignment rows the sim last followed per event:
        # new rows (a dispatch, a re-dispatch by the clock watcher) are the only thing that changes a crew.
        self.tasks: dict[int, Task] = {}
        self.followed: dict[int, list[int]] = {}
        # Officers of other streets whom the clock watcher's re-dispatch sent into this street.
        self.visitors: dict[int, SimOfficer] = {}
        # Each event's report (the name its draws hang on) and how many crews the sim has sent to it so far.
        self.report_keys: dict[int, str] = {}
        self.dispatches: dict[int, int] = {}

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
        self.officers: list[SimOfficer] = []
        self.fitted: StreetModel | None = None
        if self.policy in PREDICTIVE:
            self.fitted = street_model(
                scenario=sc, street=self.street, tz=self.tz, plan_day=plan_day, history_fitted_on=self.history_of
            )
        serial = itertools.count(1)
        for zone in self.zones:
            for shift, count in sc.officers_per_zone.items():
                for _ in range(count):
                    n = next(serial)
                    self._add_officer(zone, shift, n, rides(sc, "roster", n), user_model, department)
        if self.policy == "staffed" and self.fitted is not None:
            # The roster as the 人力测算 advises: riders added, zone by zone in turn, until each shift has the
            # riding officers its busiest hour asks for (the scenario's own officers, walkers too, stay).
            self.staffed = staffed_riders(sc, self.tz, self.fitted)
            for shift, need in self.staffed.items():
                riders = sum(
                    1 for s in self.officers if s.shift == shift and s.officer.travel_mode == TravelMode.RIDING
                )
                for k in range(max(0, need - riders)):
                    zone = self.zones[k % len(self.zones)]
                    self._add_officer(zone, shift, next(serial), True, user_model, department)
        self.by_officer_id = {s.officer.pk: s for s in self.officers}
        # The other streets' officers whom a dispatch may send in: how each gets about is their own draw
        # (``_sim_officer``), and their record says so, as the roster's do — the recommender reads it.
        for pk in (
            Officer.objects.filter(district=self.district).exclude(street=self.street).values_list("pk", flat=True)
        ):
            mode = TravelMode.RIDING if rides(sc, "visitor", pk) else TravelMode.WALKING
            Officer.objects.filter(pk=pk).update(travel_mode=mode)
        if self.fitted is not None:
            self.shift_posts = plan_shifts(
                scenario=sc, street=self.street, officers=self.officers, tz=self.tz, fitted=self.fitted
            )

    def _add_officer(self, zone: Zone, shift: str, n: int, rider: bool, user_model: Any, department: Any) -> None:
        """Roster officer number ``n`` of ``zone`` on ``shift``, starting the day at the zone's centre."""
        sc = self.scenario
        home = self.zone_shapes[zone.pk].representative_point()
        user = user_model.objects.create(username=f"sim_officer_{n}", password=SIM_PASSWORD)
        Profile.objects.create(
            user=user, district=self.district, role=Role.OFFICER, street=self.street, display_name=f"仿真队员{n}"
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
            travel_mode=TravelMode.RIDING if rider else TravelMode.WALKING,
        )
        self._roster(officer, shift)
        speed = sc.riding_mps if rider else sc.walking_mps
        self.officers.append(SimOfficer(officer, user, zone.pk, shift, speed, home.x, home.y))

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
        for planned in plan_day(sc, self.street_shape, start):
            self.at(planned.at, partial(self._intake, planned))
        scan = start
        while scan < end + dt.timedelta(hours=2):
            self.at(scan, self._scan)
            scan += dt.timedelta(seconds=sc.escalation_scan_seconds)
        for minute in range(0, 26 * 60):
            self.at(start + dt.timedelta(minutes=minute), self._heartbeat)
        for shift in self.shift_posts:
            self.at(max(start, shift.starts_at), partial(self._take_posts, shift))
        while self.queue:
            when, _, action = heapq.heappop(self.queue)
            action(when)
        return self.result

    # --- what people do ---------------------------------------------------------------------------------------

    def _intake(self, planned: PlannedReport, when: dt.datetime) -> None:
        """The hotline passes the report on; the dispatcher sends a crew at once (or as soon as one is free)."""
        matter = self.matters[planned.matter_code]
        result = self.call(
            when,
            lambda: services.event_intake(
                actor=SystemActor("12345热线（仿真）"),
                district=self.district,
                source="hotline",
                description=f"市民反映：{matter.name}",
                lon=planned.lon,
                lat=planned.lat,
                matter_code=planned.matter_code,
                priority=EventPriority.URGENT if planned.is_urgent else EventPriority.NORMAL,
                reporter_name=REPORTER_NAME,
                reporter_phone=REPORTER_PHONE,
            ),
        )
        if result is None:
            return
        self.result.events += 1
        event = result.event
        self.report_keys[event.pk] = planned.key
        if event.status == EventStatus.MERGED:
            self.result.merged += 1
            return
        self._dispatch(when, event.pk)

    def _dispatch(self, when: dt.datetime, event_id: int) -> None:
        event = Event.objects.select_related("matter").get(pk=event_id)
        if event.status not in (EventStatus.TRIAGED, EventStatus.RETURNED):
            return
        need = officers_needed(event)
        chosen, proposed = self._choose(when, event, need)
        if len(chosen) < need:
            self.result.waits += 1
            self._note_wait(when, event, need, proposed)
            self.at(when + dt.timedelta(seconds=60), lambda t: self._dispatch(t, event_id))
            return
        by_id = Officer.objects.in_bulk(chosen)
        officers = [by_id[officer_id] for officer_id in chosen]
        done = self.call(
            when,
            lambda: services.event_dispatch(
                actor=self.dispatcher, event=event, officers=officers, was_recommended=self.policy != "baseline"
            ),
        )
        if done is not None:
            self._follow_assignments(when, event_id)

    def _take_posts(self, shift: ShiftPosts, when: dt.datetime) -> None:
        """Predictive positions: a shift's officers start it at their standby posts (an officer still on a
        task goes there when done), and return there after every task (``_head_home``)."""
        for officer_id, post in shift.posts.items():
            sim = self.by_officer_id[officer_id]
            sim.home = post
            if sim.is_idle:
                sim.lon, sim.lat, sim.leg = post[0], post[1], None
                self._position(when, sim)

    def _choose(self, when: dt.datetime, event: Event, need: int) -> tuple[list[int], int]:
        """The ids of the crew to send (the lead first), and how many officers the policy proposed.

        Ours: the recommender's first ``need`` officers as the platform lists them, neighbouring streets'
        included — the district dispatcher sends them (the sim follows them in as visitors); fewer than
        ``need`` proposed means nobody can go yet."""
        if self.policy in ("ours", *PREDICTIVE):
            with time_machine.travel(when, tick=False):
                recommendations = recommend_officers(event=event, needed=need, now=when, limit=max(need, 5))
            return [r.officer_id for r in recommendations[:need]], len(recommendations)
        # Baseline: the zone's on-duty officers of the street's own roster in turn, whether busy or not; a
        # zone that cannot field the crew (two officers for a general-procedure matter, or nobody on duty)
        # makes it up from the street's other zones, also in turn — never from another street.
        on_duty = [s for s in self.officers if self._on_duty(s, when)]
        picked = self._in_turn([s for s in on_duty if s.zone_id == event.zone_id], event.zone_id, need)
        if len(picked) < need:
            others = [s for s in on_duty if s.zone_id != event.zone_id]
            picked += self._in_turn(others, _STREET_TURN, need - len(picked))
        return [s.officer.pk for s in picked], len(picked)

    def _in_turn(self, team: list[SimOfficer], turn: int, count: int) -> list[SimOfficer]:
        """The next ``count`` officers of ``team`` (at most all of them) after the last ones ``turn`` gave."""
        if not team:
            return []
        start = self.rotation.get(turn, 0)
        picked = [team[(start + i) % len(team)] for i in range(min(count, len(team)))]
        self.rotation[turn] = start + len(picked)
        return picked

    def _note_wait(self, when: dt.datetime, event: Event, need: int, proposed: int) -> None:
        """Why nobody could be sent, for ``--json``: the roster's officers on duty and free at that minute."""
        on_duty = [s for s in self.officers if self._on_duty(s, when)]
        self.result.wait_log.append(
            {
                "at": f"{when.astimezone(self.tz):%H:%M}",
                "report": self.report_keys.get(event.pk, ""),
                "zone": next((z.name for z in self.zones if z.pk == event.zone_id), ""),
                "matter": event.matter.code if event.matter is not None else "",
                "need": need,
                "proposed": proposed,
                "on_duty": len(on_duty),
                "on_duty_free": sum(1 for s in on_duty if s.is_idle),
                "zone_on_duty": sum(1 for s in on_duty if s.zone_id == event.zone_id),
                "zone_free": sum(1 for s in on_duty if s.zone_id == event.zone_id and s.is_idle),
            }
        )

    def _follow_assignments(self, when: dt.datetime, event_id: int) -> None:
        """The officers act on what their phones show: the event's current assignment rows. New rows mean a
        (re-)dispatch: the crew they replaced stops and takes its next task, the new crew starts. The same
        rows as before (an escalation that only notified someone) change nothing."""
        rows = self._assignment_rows(event_id)
        assignment_ids = [assignment_id for assignment_id, _ in rows]
        if assignment_ids == self.followed.get(event_id):
            return
        self.followed[event_id] = assignment_ids
        previous = self.tasks.get(event_id)
        if previous is not None:
            self.result.taken_away += 1
            self._end(when, previous)
        if rows:
            self._assign(when, event_id, [self._sim_officer(i) for _, i in rows])

    def _assignment_rows(self, event_id: int) -> list[tuple[int, int]]:
        """(assignment id, officer id) of the event's active assignments, the lead first."""
        return list(
            EventAssignment.objects.filter(event_id=event_id, released_at__isnull=True)
            .order_by("-is_lead", "id")
            .values_list("id", "officer_id")
        )

    def _assign(self, when: dt.datetime, event_id: int, crew: list[SimOfficer]) -> None:
        """A new task: the lead accepts it on the phone at once, busy or not; each member sets off when the
        task is accepted and they have finished the tasks given to them before."""
        lon, lat = self._event_point(event_id)
        ordinal = self.dispatches[event_id] = self.dispatches.get(event_id, 0) + 1
        # Named by the report, not the event's id: both policies number their events alike only until a report
        # is refused or merged differently. An event the sim did not report (the demo has none) goes by its id.
        draws = dispatch_draws(self.scenario, self.report_keys.get(event_id, f"event-{event_id}"), ordinal)
        task = Task(
            event_id=event_id,
            crew=crew,
            lon=lon,
            lat=lat,
            acknowledge_at=when + draws.acknowledge,
            handling=draws.handling,
        )
        self.tasks[event_id] = task
        self.at(task.acknowledge_at, partial(self._acknowledge, task))
        for member in crew:
            member.queue.append(task)
            self._take_next(when, member)

    def _event_point(self, event_id: int) -> tuple[float, float]:
        lon, lat = Event.objects.filter(pk=event_id).values_list("lon", "lat").get()
        return lon, lat

    def _take_next(self, when: dt.datetime, member: SimOfficer) -> None:
        if member.task is not None or not member.queue:
            return
        # From wherever they are: an officer on the way home sets off from the point reached.
        member.lon, member.lat = member.point_at(when)
        task = member.queue.pop(0)
        leave = max(when, task.acknowledge_at)
        distance = haversine_m(member.lon, member.lat, task.lon, task.lat) * self.scenario.road_factor
        arrive = leave + dt.timedelta(seconds=distance / member.speed_mps)
        member.task = task
        member.leg = Leg(member.lon, member.lat, task.lon, task.lat, leave, arrive)
        self.at(arrive, partial(self._arrive, task, member))

    def _acknowledge(self, task: Task, when: dt.datetime) -> None:
        if task.is_open:
            lead = task.lead
            self.call(
                when, lambda: services.event_acknowledge(actor=lead.user, event=Event.objects.get(pk=task.event_id))
            )

    def _arrive(self, task: Task, member: SimOfficer, when: dt.datetime) -> None:
        """On site: every member records their arrival (the first one's arrival meets the arrive clock, the
        others' record their own arrival); the handling starts when the whole crew is there, and after it the
        lead reports back."""
        if member.task is not task:
            return  # the task was taken away on the way
        member.lon, member.lat, member.leg = task.lon, task.lat, None
        checked_in = self.call(
            when,
            lambda: services.event_arrive(
                actor=member.user, event=Event.objects.get(pk=task.event_id), lon=task.lon, lat=task.lat
            ),
        )
        if checked_in is None and not task.present:
            self._end(when, task)  # refused (counted): the crew cannot work the event and moves on
            return
        task.present.append(member)
        if len(task.present) == len(task.crew):
            self.at(when + task.handling, partial(self._report, task))

    def _report(self, task: Task, when: dt.datetime) -> None:
        """The lead reports back; the dispatcher verifies and closes only what was actually handled."""
        if not task.is_open:
            return
        lead = task.lead
        event = Event.objects.get(pk=task.event_id)
        handled = self.call(
            when,
            lambda: services.event_handle(
                actor=lead.user,
                event=event,
                outcome="已到场处置。",
                result_type=self._result_type(event),
            ),
        )
        self._end(when, task)
        if handled is None:
            return
        verified = self.call(when, lambda: services.event_verify(actor=self.dispatcher, event=handled))
        if verified is not None:
            self.call(when, lambda: services.event_close(actor=self.dispatcher, event=verified))

    def _result_type(self, event: Event) -> str:
        """The result type the officer picks (issue 16: required where the district offers any): the first one
        offered for the matter that needs no photo — the sim takes no photos. Without it every report back was
        refused, so no officer was ever released."""
        options = handling_options(district_id=event.district_id, matter_id=event.matter_id).result_types
        return next((t.code for t in options if not t.requires_photo), options[0].code if options else "")

    def _end(self, when: dt.datetime, task: Task) -> None:
        """The task is over (handled, or taken away by a re-dispatch): whoever was on it stops where they are,
        their phone reports the position, and they take their next task; whoever had not started drops it."""
        task.is_open = False
        if self.tasks.get(task.event_id) is task:
            del self.tasks[task.event_id]
        for member in task.crew:
            if task in member.queue:
                member.queue.remove(task)
            if member.task is task:
                member.lon, member.lat = member.point_at(when)
                member.task, member.leg = None, None
                self._position(when, member)
                self._take_next(when, member)
                self._head_home(when, member)

    def _head_home(self, when: dt.datetime, member: SimOfficer) -> None:
        """An officer of another street with nothing more to do here goes back to patrol their own; with
        predictive positions, a roster officer goes back to their standby post."""
        if member.home is None or not member.is_idle:
            return
        distance = haversine_m(member.lon, member.lat, *member.home) * self.scenario.road_factor
        back = when + dt.timedelta(seconds=distance / member.speed_mps)
        member.leg = Leg(member.lon, member.lat, member.home[0], member.home[1], when, back)

    def _sim_officer(self, officer_id: int) -> SimOfficer:
        """The simulated officer behind an assignment. Our dispatch and the clock watcher's re-dispatch may send
        an officer of a neighbouring street (the recommender widens when the street cannot field the officers
        needed): that officer works the task like anyone, starting from where they were last seen, else their
        zone or street, to which they return when done."""
        known = self.by_officer_id.get(officer_id) or self.visitors.get(officer_id)
        if known is not None:
            return known
        officer = Officer.objects.select_related("user", "zone", "street").get(pk=officer_id)
        if officer.user is None:
            # The demo gives accounts to a few officers only; every real officer has a phone.
            officer.user = get_user_model().objects.create(username=f"sim_visitor_{officer.pk}", password=SIM_PASSWORD)
            Profile.objects.create(
                user=officer.user,
                district=self.district,
                role=Role.OFFICER,
                street=officer.street,
                display_name=officer.name,
            )
            officer.save(update_fields=["user"])
        place = officer.zone or officer.street
        if place is None:  # the recommender never proposes an officer with no zone or street to start from
            raise ValueError(f"执法人员 {officer.name} 没有所在片区或街道，仿真无法确定其出发位置")
        point = shape(place.boundary).representative_point()
        home = (point.x, point.y)
        last = OfficerPosition.objects.filter(officer=officer).order_by("-recorded_at", "-pk").first()
        lon, lat = (last.lon, last.lat) if last is not None else home
        sc = self.scenario
        speed = sc.riding_mps if rides(sc, "visitor", officer.pk) else sc.walking_mps
        visitor = SimOfficer(officer, officer.user, officer.zone_id, "", speed, lon, lat, home=home)
        self.visitors[officer_id] = visitor
        return visitor

    def _scan(self, when: dt.datetime) -> None:
        """The worker's escalation scan; the crews follow whatever it changed (a level-3 step re-dispatches
        only when the event is not yet on site and other officers are free; otherwise it only notifies)."""
        escalations = self.call(when, lambda: services.events_escalate_overdue(now=when)) or []
        for event_id in dict.fromkeys(e.event_id for e in escalations if e.level == EscalationLevel.REDISPATCH):
            self._follow_assignments(when, event_id)

    def _heartbeat(self, when: dt.datetime) -> None:
        """Phones on duty report where they are (the phone page sends a position every 30 s; the sim every
        minute, and only for an idle officer who moved since their last report — a still phone's report says
        nothing new; the recommender ignores stale positions). Officers of other streets who worked here report
        too, on their way home included: the recommender then sees them where they are (it checks their duty
        itself). With predictive positions, the move-up runs after the reports, as the scheduler would."""
        for sim in self.officers:
            if self._on_duty(sim, when) and sim.is_idle and sim.point_at(when) != sim.reported:
                self._position(when, sim)
        for visitor in self.visitors.values():
            if visitor.is_idle and visitor.point_at(when) != visitor.reported:
                self._position(when, visitor)
        self._move_up(when)

    def _move_up(self, when: dt.datetime) -> None:
        """补位 (predictive positions): the live plan re-solved for the officers free now
        (``deployment_rebalance``, the scheduler's step); each free officer given a new post heads for it."""
        shift = next((s for s in self.shift_posts if s.starts_at <= when < s.ends_at), None)
        if shift is None:
            return
        plan = (
            StandbyPlan.objects.filter(
                street=self.street, starts_at=shift.starts_at, ends_at=shift.ends_at, superseded_at__isnull=True
            )
            .order_by("-pk")
            .first()
        )
        if plan is None:
            return
        expected = shift.model.expected(hours_between(when, shift.ends_at))
        moved = self.call(when, lambda: deployment_rebalance(actor=MOVE_UP, plan=plan, at=when, expected=expected))
        if moved is None:
            return
        for officer_id, lon, lat in moved.posts.values_list("officer_id", "lon", "lat"):
            sim = self.by_officer_id.get(officer_id)
            if sim is not None and sim.home != (lon, lat):
                sim.home = (lon, lat)
                if sim.is_idle:
                    sim.lon, sim.lat = sim.point_at(when)
                    self._head_home(when, sim)

    def _position(self, when: dt.datetime, sim: SimOfficer) -> None:
        lon, lat = sim.point_at(when)
        sim.reported = (lon, lat)
        self.call(
            when,
            lambda: services.officer_position_record(
                actor=sim.user, officer=sim.officer, lon=lon, lat=lat, recorded_at=when
            ),
        )


CLOCKS = ("acknowledge", "arrive", "handle")
# The step that stops each clock, as the transition rows record it.
CLOCK_STEPS = {"acknowledge": EventAction.ACKNOWLEDGE, "arrive": EventAction.ARRIVE, "handle": EventAction.HANDLE}


@dataclass(frozen=True)
class EventTimes:
    """One event as the records have it, for the report: when it was reported (``Event.reported_at``; the
    hotline's intake triages it in the same instant), its first dispatch, the first time each clock's step
    was done (None: never), and its SLA policy's limits and time base."""

    reported: dt.datetime
    dispatched: dt.datetime | None
    done: dict[str, dt.datetime | None]
    limits: dict[str, int]
    time_base: str


def measure(scenario: Scenario) -> dict[str, Any]:
    """The day's figures from the records (every event in the database is the sim's: the demo loads none)."""
    firsts: dict[int, dict[str, dt.datetime]] = {}
    for event_id, action, created_at in (
        EventTransition.objects.filter(action__in=[EventAction.DISPATCH, *CLOCK_STEPS.values()])
        .values_list("event_id", "action", "created_at")
        .order_by("created_at", "id")
    ):
        firsts.setdefault(event_id, {}).setdefault(action, created_at)
    times: list[EventTimes] = []
    # A merged report is answered by the event it joined.
    for event in Event.objects.exclude(status=EventStatus.MERGED).order_by("pk"):
        steps = firsts.get(event.pk, {})
        policy = sla_policy_for(district_id=event.district_id, matter_id=event.matter_id, priority=event.priority)
        times.append(
            EventTimes(
                reported=event.reported_at,
                dispatched=steps.get(EventAction.DISPATCH),
                done={clock: steps.get(step) for clock, step in CLOCK_STEPS.items()},
                limits={
                    "acknowledge": policy.acknowledge_limit,
                    "arrive": policy.arrive_limit,
                    "handle": policy.handle_limit,
                },
                time_base=policy.time_base,
            )
        )
    out = summarise(times)
    out["escalations"] = {
        str(level): EventEscalation.objects.filter(level=level).count() for level in EscalationLevel.values
    }
    street = Street.objects.get(name=scenario.street)
    # Officers of other streets on this street's events: sent by the dispatcher (ours), or by the clock
    # watcher's re-dispatch (a system step, no ``assigned_by``) under either policy.
    outside = EventAssignment.objects.exclude(officer__street_id=street.pk)
    out["outside"] = {
        "by_dispatcher": outside.filter(assigned_by__isnull=False).count(),
        "by_watcher": outside.filter(assigned_by__isnull=True).count(),
        "officers": outside.values("officer_id").distinct().count(),
    }
    return out


def summarise(times: list[EventTimes]) -> dict[str, Any]:
    """1530 figures two ways, with the same limits and time base (the event's SLA policy, ``clock_due``):

    - from the dispatch, as the service starts the clocks (``event_dispatch`` → ``clock_updates``: each due
      time computed from the dispatch instant): over the events dispatched, each clock counted from the
      event's FIRST dispatch to the first time its step was done. The service restarts the clocks at a
      re-dispatch (``event_redispatch``); these figures do not, so a re-dispatched event is not let off.
      Durations: of the events whose step was done.
    - from the report, as the citizen waits (``from_report``): over every event not merged, each clock
      counted from ``reported_at``; an event never dispatched, or whose step was never done, misses. Also
      report → first dispatch, with how many events waited for it and the longest wait. A quantile that
      falls on an event whose step was never done is None.
    """
    dispatched = sum(1 for t in times if t.dispatched is not None)
    out: dict[str, Any] = {"accepted": len(times), "dispatched": dispatched}
    for clock in CLOCKS:
        met = 0
        durations: list[float] = []
        for t in times:
            done = t.done[clock]
            if t.dispatched is None or done is None:
                continue
            durations.append((done - t.dispatched).total_seconds())
            if done <= clock_due(start=t.dispatched, limit=t.limits[clock], time_base=t.time_base):
                met += 1
        durations.sort()
        out[clock] = {
            "met": met,
            "share": met / dispatched if dispatched else 0.0,
            "p50": _quantile(durations, 0.5),
            "p90": _quantile(durations, 0.9),
            "missing": dispatched - len(durations),
        }
    # p90 hides a wait that only a few events had (the night shift's first hours): how many waited, how long.
    waits = [(t.dispatched - t.reported).total_seconds() for t in times if t.dispatched is not None]
    from_report: dict[str, Any] = {
        "dispatch": {
            **_waited([t.dispatched for t in times], times),
            "waited": sum(1 for wait in waits if wait > 0),
            "longest": max(waits, default=None),
        }
    }
    for clock in CLOCKS:
        done_at = [t.done[clock] for t in times]
        met = sum(
            1
            for t, done in zip(times, done_at, strict=True)
            if done is not None and done <= clock_due(start=t.reported, limit=t.limits[clock], time_base=t.time_base)
        )
        from_report[clock] = {
            "met": met,
            "share": met / len(times) if times else 0.0,
            **_waited(done_at, times),
        }
    out["from_report"] = from_report
    return out


def _waited(done_at: list[dt.datetime | None], times: list[EventTimes]) -> dict[str, Any]:
    """p50 / p90 of report → ``done_at`` over all events, an event whose step never came counting as the
    longest wait of all (so the quantiles do not improve by leaving events undone)."""
    reached = sorted(
        (done - t.reported).total_seconds() for t, done in zip(times, done_at, strict=True) if done is not None
    )
    missing = len(times) - len(reached)
    return {
        "p50": _quantile_of_all(reached, missing, 0.5),
        "p90": _quantile_of_all(reached, missing, 0.9),
        "missing": missing,
    }


def _quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    index = min(len(values) - 1, max(0, math.ceil(q * len(values)) - 1))
    return values[index]


def _quantile_of_all(reached: list[float], missing: int, q: float) -> float | None:
    """The ``q`` quantile of ``reached`` (sorted) followed by ``missing`` endless waits: None when it falls
    on one of those, or when there is nothing at all."""
    total = len(reached) + missing
    if total == 0:
        return None
    index = min(total - 1, max(0, math.ceil(q * total) - 1))
    return reached[index] if index < len(reached) else None
