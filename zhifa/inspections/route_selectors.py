"""Planning the day (issue 12 part 4), the reads: a street's or department's visits and crews for a date, built
from the drawn plans and the duty roster, routed by ``routing.solve``. Nothing is stored — the routes are a
proposal recomputed on every read (same records, same routes).

**Who sees which routes** (``route_scopes``): the district-wide posts any street's or department's; a street
dispatcher and an officer their own street's; a liaison its own department's. Others: ``route_not_allowed``.

**The visits of a day**: the drawn plans' subjects (``PlanSubject``, in business) whose plan period covers the
day — a street's: every department's checks on the street's subjects; a department's: its own checks — each a
pending check over its plan's period, merged into visits by ``merging.merge_checks`` (综合查一次). A visit whose
common days do not include this day is left for those days (``deferred``). Each visit: the subject's position;
``routing.visit_service_s`` minutes; the subject's window (``routing.WORKING_HOURS``: subjects carry no opening
hours yet); the domains of its departments' active matters; due today (its window's last day) weighs
``DUE_TODAY_PRIORITY``. Inspections already done are not known yet (part 5 records them), so a visit stays in
the day's list until its plan period ends.

**The crews of a day**: the officers in scope (a street's officers; a department's officers by home department)
who are active, hold a certificate valid on the day and have a live roster shift starting that day (the
earliest, if several). Paired greedily in order of shift start and badge: each takes, among those left, the
partner with whom it shares a certified domain, then the longest shift overlap (at least ``MIN_OVERLAP_S``),
then the lowest badge. A crew's window is the overlap of the two shifts, its domains the ones both hold, its
start the first officer's zone centre (else street centre, else the district's): where a patrol team starts.
An officer left without a partner is listed with the reason.
"""

import datetime as dt
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q
from shapely.geometry import shape

from zhifa.catalog.models import Matter
from zhifa.core.errors import NotFound, PermissionDenied
from zhifa.inspections.merging import PendingCheck, Visit, merge_checks, visits_saved
from zhifa.inspections.models import PlanSubject
from zhifa.inspections.routing import (
    DEFAULT_TIME_LIMIT_S,
    DUE_TODAY_PRIORITY,
    WORKING_HOURS,
    Crew,
    RoutingResult,
    Stop,
    TravelModel,
    solve,
    visit_service_s,
)
from zhifa.inspections.states import PlanStatus
from zhifa.org.jurisdiction import jurisdiction_of
from zhifa.org.models import Department, District, DutyShift, Officer, Street, Zone
from zhifa.org.roles import Role
from zhifa.org.roster_selectors import local_day_start

MIN_OVERLAP_S = 3600
STREET, DEPARTMENT = "street", "department"


@dataclass(frozen=True)
class RouteScope:
    kind: str  # STREET or DEPARTMENT
    id: int
    name: str

    @property
    def value(self) -> str:
        return f"{self.kind}:{self.id}"


@dataclass(frozen=True)
class VisitInfo:
    key: int
    subject_id: int
    subject_name: str
    address: str
    street: str
    lon: float
    lat: float
    departments: tuple[str, ...]
    checks: int
    earliest: dt.date
    latest: dt.date

    @property
    def is_joint(self) -> bool:
        return len(self.departments) > 1


@dataclass(frozen=True)
class CrewInfo:
    key: int
    officers: tuple[str, str]  # "name（badge）"
    starts_at: dt.datetime
    ends_at: dt.datetime
    start_label: str
    lon: float
    lat: float


@dataclass(frozen=True)
class Unpaired:
    officer: str
    reason: str


@dataclass(frozen=True)
class DayInput:
    day: dt.date
    scope: RouteScope
    stops: tuple[Stop, ...]
    crews: tuple[Crew, ...]
    visits: dict[Hashable, VisitInfo]
    crew_info: dict[Hashable, CrewInfo]
    unpaired: tuple[Unpaired, ...]
    checks: int  # the pending checks covering the day
    visits_saved: int  # of the day's visits, by merging
    deferred: int  # visits merged onto other days of their windows


@dataclass(frozen=True)
class DayRoutes:
    input: DayInput
    result: RoutingResult


# --- scope ----------------------------------------------------------------------------------------------------


def route_scopes(*, user: Any) -> list[RouteScope]:
    """The streets and departments whose routes ``user`` may see, streets first, each by code."""
    j = jurisdiction_of(user)
    streets = Street.objects.filter(district_id=j.district_id).order_by("code")
    departments = Department.objects.filter(district_id=j.district_id).order_by("code")
    if j.is_district_wide:
        pass
    elif j.role in {Role.STREET_DISPATCHER, Role.OFFICER}:
        streets, departments = streets.filter(pk=j.own_street_id), departments.none()
    elif j.is_department_scoped:
        streets, departments = streets.none(), departments.filter(pk=j.own_department_id)
    else:
        raise PermissionDenied("您的岗位无权查看检查路线", code="route_not_allowed")
    return [RouteScope(STREET, s.pk, s.name) for s in streets] + [
        RouteScope(DEPARTMENT, d.pk, d.short_name or d.name) for d in departments
    ]


def route_scope_get(*, user: Any, value: str | None) -> RouteScope:
    """The scope named ``value`` ("street:3", "department:5") if the user may see it; empty: the first one."""
    scopes = route_scopes(user=user)
    if not value and scopes:
        return scopes[0]
    for scope in scopes:
        if scope.value == value:
            return scope
    raise NotFound("该街道或部门不存在或不在您的管辖范围内", code="route_scope_not_found", details={"scope": value})


# --- the day's input --------------------------------------------------------------------------------------------


def _seconds(at: dt.datetime, midnight: dt.datetime) -> int:
    return int((at - midnight).total_seconds())


def _label(officer: Officer) -> str:
    return f"{officer.name}（{officer.badge_no}）"


_Row = tuple[Officer, DutyShift]


def _rank(first: _Row, other: _Row) -> tuple[bool, int, int]:
    """How good a partner ``other`` is for ``first``: a shared certified domain, then overlap, then domains."""
    shared = set(first[0].certified_domains or ()) & set(other[0].certified_domains or ())
    overlap = min(first[1].ends_at, other[1].ends_at) - max(first[1].starts_at, other[1].starts_at)
    return (bool(shared), int(overlap.total_seconds()), len(shared))


def _pairs(rows: list[_Row]) -> tuple[list[tuple[_Row, _Row]], list[Unpaired]]:
    left = sorted(rows, key=lambda r: (r[1].starts_at, r[0].badge_no, r[0].pk))
    pairs, unpaired = [], []
    while left:
        first = left.pop(0)
        best: _Row | None = None
        for other in left:  # the first of equal rank keeps the lowest badge (``left`` is in badge order per start)
            if _rank(first, other)[1] >= MIN_OVERLAP_S and (best is None or _rank(first, other) > _rank(first, best)):
                best = other
        if best is None:
            unpaired.append(Unpaired(_label(first[0]), "当日无班次重叠的同伴，单人不能执法检查（两人执法）"))
            continue
        left.remove(best)
        pairs.append((first, best))
    return pairs, unpaired


def _crews(
    *, district: District, scope: RouteScope, day: dt.date, midnight: dt.datetime
) -> tuple[list[Crew], dict[Hashable, CrewInfo], list[Unpaired]]:
    shifts = (
        DutyShift.objects.filter(
            district=district,
            removed_at__isnull=True,
            starts_at__gte=midnight,
            starts_at__lt=local_day_start(day + dt.timedelta(days=1)),
            officer__is_active=True,
            officer__certificate_valid_until__gte=day,
        )
        .select_related("officer")
        .order_by("starts_at", "pk")
    )
    if scope.kind == STREET:
        shifts = shifts.filter(officer__street_id=scope.id)
    else:
        shifts = shifts.filter(officer__home_department_id=scope.id)
    first: dict[int, tuple[Officer, DutyShift]] = {}
    for shift in shifts:
        first.setdefault(shift.officer_id, (shift.officer, shift))
    pairs, unpaired = _pairs(list(first.values()))

    zone_ids = {a[0].zone_id for a, _ in pairs if a[0].zone_id is not None}
    street_ids = {a[0].street_id for a, _ in pairs if a[0].street_id is not None}
    zone_centre = {
        pk: shape(b).centroid for pk, b in Zone.objects.filter(pk__in=zone_ids).values_list("pk", "boundary")
    }
    street_centre = {
        pk: shape(b).centroid for pk, b in Street.objects.filter(pk__in=street_ids).values_list("pk", "boundary")
    }
    district_centre = shape(district.boundary).centroid
    crews: list[Crew] = []
    info: dict[Hashable, CrewInfo] = {}
    for n, ((a, a_shift), (b, b_shift)) in enumerate(pairs):
        starts_at, ends_at = max(a_shift.starts_at, b_shift.starts_at), min(a_shift.ends_at, b_shift.ends_at)
        if a.zone_id in zone_centre:
            where, label = zone_centre[a.zone_id], "片区中心"
        elif a.street_id in street_centre:
            where, label = street_centre[a.street_id], "街道中心"
        else:
            where, label = district_centre, "区中心"
        crews.append(
            Crew(
                key=n,
                officer_ids=(a.pk, b.pk),
                lon=where.x,
                lat=where.y,
                shift=(_seconds(starts_at, midnight), _seconds(ends_at, midnight)),
                domains=frozenset(a.certified_domains or ()) & frozenset(b.certified_domains or ()),
            )
        )
        info[n] = CrewInfo(n, (_label(a), _label(b)), starts_at, ends_at, label, where.x, where.y)
    return crews, info, unpaired


def day_route_input(*, user: Any, day: dt.date, scope: RouteScope) -> DayInput:
    """The visits and crews of ``day`` in ``scope`` (which the caller got from ``route_scope_get``)."""
    j = jurisdiction_of(user)
    if scope not in route_scopes(user=user):
        raise NotFound("该街道或部门不存在或不在您的管辖范围内", code="route_scope_not_found")
    district = District.objects.get(pk=j.district_id)
    midnight = local_day_start(day)

    drawn = PlanSubject.objects.filter(
        plan__district_id=j.district_id,
        plan__status=PlanStatus.DRAWN,
        plan__starts_on__lte=day,
        plan__ends_on__gte=day,
        subject__is_active=True,
    ).select_related("plan", "plan__department", "subject", "subject__street")
    drawn = drawn.filter(
        Q(subject__street_id=scope.id) if scope.kind == STREET else Q(plan__department_id=scope.id)
    ).order_by("pk")
    rows = {ps.pk: ps for ps in drawn}
    checks = [
        PendingCheck(
            key=ps.pk,
            subject_id=ps.subject_id,
            department_id=ps.plan.department_id,
            earliest=ps.plan.starts_on,
            latest=ps.plan.ends_on,
        )
        for ps in rows.values()
    ]
    merged = merge_checks(checks)
    today: list[Visit] = [v for v in merged if v.earliest <= day <= v.latest]

    domains: dict[int, set[str]] = {}
    department_ids = {c.department_id for c in checks}
    for department_id, domain in Matter.objects.filter(department_id__in=department_ids, is_active=True).values_list(
        "department_id", "domain"
    ):
        domains.setdefault(department_id, set()).add(domain)

    stops: list[Stop] = []
    visits: dict[Hashable, VisitInfo] = {}
    for n, visit in enumerate(today):
        subject = rows[int(str(visit.checks[0].key))].subject
        names = {c.department_id: rows[int(str(c.key))].plan.department for c in visit.checks}
        stops.append(
            Stop(
                key=n,
                lon=subject.lon,
                lat=subject.lat,
                service_s=visit_service_s(len(visit.department_ids)),
                window=WORKING_HOURS,
                domains=frozenset(d for dep in visit.department_ids for d in domains.get(dep, ())),
                priority=DUE_TODAY_PRIORITY if visit.latest == day else 1,
            )
        )
        visits[n] = VisitInfo(
            key=n,
            subject_id=subject.pk,
            subject_name=subject.name,
            address=subject.address,
            street=subject.street.name,
            lon=subject.lon,
            lat=subject.lat,
            departments=tuple(names[d].short_name or names[d].name for d in visit.department_ids),
            checks=len(visit.checks),
            earliest=visit.earliest,
            latest=visit.latest,
        )
    crews, crew_info, unpaired = _crews(district=district, scope=scope, day=day, midnight=midnight)
    return DayInput(
        day=day,
        scope=scope,
        stops=tuple(stops),
        crews=tuple(crews),
        visits=visits,
        crew_info=crew_info,
        unpaired=tuple(unpaired),
        checks=len(checks),
        visits_saved=visits_saved(today),
        deferred=len(merged) - len(today),
    )


def travel_model() -> TravelModel:
    return TravelModel(speed_mps=float(getattr(settings, "ZHIFA_RIDING_SPEED_MPS", 4.5)))


def day_routes(*, user: Any, day: dt.date, scope: RouteScope, time_limit_s: float = DEFAULT_TIME_LIMIT_S) -> DayRoutes:
    """The day's routes in ``scope``: the input above, routed."""
    data = day_route_input(user=user, day=day, scope=scope)
    return DayRoutes(data, solve(data.stops, data.crews, travel=travel_model(), time_limit_s=time_limit_s))
