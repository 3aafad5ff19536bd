"""Reads of the duty roster (排班): who is on duty at a minute, the month grid, patterns, requests, the zones
with nobody on duty for the next shift. Every read a page serves is scoped to the user's jurisdiction.

``shifts_on_duty_at`` is the one place that decides "on duty at minute t": the recommender, the command
centre's officer list and the no-cover check all ask it.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import chinese_calendar
from django.db.models import Q, QuerySet
from django.utils import timezone

from zhifa.core.calendar import is_working_day, provisional_for_unknown_years
from zhifa.core.errors import NotFound
from zhifa.org.jurisdiction import Jurisdiction, jurisdiction_of
from zhifa.org.models import (
    REST_CODE,
    Department,
    DutyShift,
    Officer,
    RosterRequest,
    RosterRequestKind,
    RosterRequestStatus,
    ShiftDefinition,
    ShiftPattern,
    Street,
    Zone,
)
from zhifa.org.roles import Role


def shifts_on_duty_at(at: dt.datetime) -> QuerySet[DutyShift]:
    """The live shifts covering the minute ``at``: started at or before it, ending after it, not removed
    (by hand or by approved leave). A shift ending at 16:00 and the next one starting at 16:00 never both
    count at 16:00."""
    return DutyShift.objects.filter(removed_at__isnull=True, starts_at__lte=at, ends_at__gt=at)


def local_day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=timezone.get_current_timezone())


def shift_window(definition: ShiftDefinition, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Where a named shift falls on ``day`` (its start's day): a 夜 shift at 20:00 for 12 h ends the next morning."""
    start = dt.datetime.combine(day, definition.start_time, tzinfo=timezone.get_current_timezone())
    return start, start + dt.timedelta(minutes=definition.duration_minutes)


def pattern_code_on(pattern: ShiftPattern, *, group: int, day: dt.date) -> str:
    """The cycle's code for ``group`` on ``day`` before the rest-day rule (``REST_CODE`` for a rest day)."""
    cycle = list(pattern.cycle)
    offset = group * len(cycle) // max(1, pattern.group_count)
    return str(cycle[((day - pattern.anchor_on).days + offset) % len(cycle)])


def pattern_runs(pattern: ShiftPattern, code: str, *, is_rest_day: bool) -> bool:
    """Whether a shift ``code`` runs on a day: every shift on a working day (a 调休 Saturday included), only the
    pattern's holiday staffing (``rest_day_codes``) on a weekend or statutory holiday."""
    if code == REST_CODE:
        return False
    return not is_rest_day or code in (pattern.rest_day_codes or [])


def pattern_officers(pattern: ShiftPattern) -> QuerySet[Officer]:
    """The pattern's officers in group order (badge order): the street's active officers, or the department's
    active officers not sunk to a street."""
    officers = Officer.objects.filter(district_id=pattern.district_id, is_active=True)
    if pattern.street_id is not None:
        officers = officers.filter(street_id=pattern.street_id)
    else:
        officers = officers.filter(street__isnull=True, home_department_id=pattern.department_id)
    return officers.order_by("badge_no", "pk")


# --- the month grid --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterDay:
    day: dt.date
    is_rest_day: bool
    # "国庆节", "调休上班" …; empty for an ordinary day.
    label: str


@dataclass
class RosterRow:
    officer: Officer
    # One (day, the officer's live shifts starting that day) a day of the month.
    cells: list[tuple[RosterDay, list[DutyShift]]] = field(default_factory=list)


@dataclass
class RosterGrid:
    first_day: dt.date
    days: list[RosterDay]
    rows: list[RosterRow]
    is_provisional: bool


_HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "纪念日",
}


def calendar_days(first_day: dt.date, last_day: dt.date) -> tuple[list[RosterDay], bool]:
    """The days with their rest-day flag and label (holiday name, 调休上班); ``True`` when a year the holiday
    data does not know yet was counted as Monday–Friday working days."""
    days = []
    with provisional_for_unknown_years() as provisional:
        day = first_day
        while day <= last_day:
            is_rest = not is_working_day(day)
            label = ""
            try:
                on_holiday, name = chinese_calendar.get_holiday_detail(day)
            except NotImplementedError:
                on_holiday, name = False, None
            if name and on_holiday and is_rest:
                label = _HOLIDAY_NAMES.get(name, "节假日")
            elif name and not is_rest and day.weekday() >= 5:
                label = "调休上班"
            days.append(RosterDay(day, is_rest, label))
            day += dt.timedelta(days=1)
    return days, provisional.used


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def roster_officers(
    *, user: Any, street_id: int | None = None, zone_id: int | None = None, department_id: int | None = None
) -> QuerySet[Officer]:
    """The officers whose roster the user may see: a street role its street's, a liaison its department's,
    the district-wide roles everyone's; narrowed by the filters."""
    j = jurisdiction_of(user)
    officers = Officer.objects.filter(district_id=j.district_id, is_active=True)
    if j.is_street_scoped:
        officers = officers.filter(street_id=j.own_street_id)
    elif j.is_department_scoped:
        officers = officers.filter(home_department_id=j.own_department_id)
    elif not j.is_district_wide:
        officers = officers.none()
    if street_id is not None:
        officers = officers.filter(street_id=street_id)
    if zone_id is not None:
        officers = officers.filter(zone_id=zone_id)
    if department_id is not None:
        officers = officers.filter(street__isnull=True, home_department_id=department_id)
    return officers.select_related("street", "zone", "home_department").order_by("badge_no", "pk")


def roster_month(*, user: Any, month: dt.date, officers: QuerySet[Officer]) -> RosterGrid:
    """The month's grid for ``officers`` (from ``roster_officers``): each officer's live shifts by the day they
    start on. Two queries whatever the number of officers."""
    first_day, last_day = month_bounds(month)
    days, provisional = calendar_days(first_day, last_day)
    rows = [RosterRow(officer, [(day, []) for day in days]) for officer in officers]
    by_officer = {row.officer.pk: row for row in rows}
    shifts = DutyShift.objects.filter(
        officer_id__in=list(by_officer),
        removed_at__isnull=True,
        starts_at__gte=local_day_start(first_day),
        starts_at__lt=local_day_start(last_day + dt.timedelta(days=1)),
    ).order_by("starts_at", "pk")
    for shift in shifts:
        index = (timezone.localtime(shift.starts_at).date() - first_day).days
        by_officer[shift.officer_id].cells[index][1].append(shift)
    return RosterGrid(first_day, days, rows, provisional)


def roster_day_shifts(*, user: Any, officer_id: int, day: dt.date) -> tuple[Officer, list[DutyShift]]:
    """One cell of the grid: the officer (in scope, else NotFound) and their live shifts starting on ``day``."""
    officer = roster_officers(user=user).filter(pk=officer_id).first()
    if officer is None:
        raise NotFound("没有这名执法人员", code="officer_not_found")
    shifts = DutyShift.objects.filter(
        officer=officer,
        removed_at__isnull=True,
        starts_at__gte=local_day_start(day),
        starts_at__lt=local_day_start(day + dt.timedelta(days=1)),
    ).order_by("starts_at")
    return officer, list(shifts)


def roster_shift_get(*, user: Any, shift_id: int) -> DutyShift:
    shift = (
        DutyShift.objects.filter(pk=shift_id, officer__in=roster_officers(user=user))
        .select_related("officer", "officer__street")
        .first()
    )
    if shift is None:
        raise NotFound("没有这个班次", code="shift_not_found")
    return shift


# --- patterns and requests -------------------------------------------------------------------------------


def _scope_filter(j: Jurisdiction) -> Q:
    if j.is_district_wide:
        return Q(district_id=j.district_id)
    if j.is_street_scoped:
        return Q(district_id=j.district_id, street_id=j.own_street_id)
    if j.is_department_scoped:
        return Q(district_id=j.district_id, street__isnull=True, department_id=j.own_department_id)
    return Q(pk__in=[])


def roster_patterns(*, user: Any) -> QuerySet[ShiftPattern]:
    j = jurisdiction_of(user)
    return (
        ShiftPattern.objects.filter(_scope_filter(j))
        .select_related("street", "department")
        .prefetch_related("shifts")
        .order_by("street__code", "name", "pk")
    )


def roster_pattern_get(*, user: Any, pattern_id: int) -> ShiftPattern:
    pattern = roster_patterns(user=user).filter(pk=pattern_id).first()
    if pattern is None:
        raise NotFound("没有这个排班模式", code="pattern_not_found")
    return pattern


def roster_requests(*, user: Any, status: str | None = None) -> QuerySet[RosterRequest]:
    """Requests the user may see: an officer their own, a street dispatcher their street's, a liaison their
    department's district-level officers', the district-wide roles all."""
    j = jurisdiction_of(user)
    requests = RosterRequest.objects.filter(district_id=j.district_id)
    if j.is_district_wide:
        pass
    elif j.role in (Role.OFFICER, Role.AUXILIARY):
        requests = requests.filter(Q(officer__user_id=j.user_id) | Q(requested_by_id=j.user_id))
    elif j.is_street_scoped:
        requests = requests.filter(street_id=j.own_street_id)
    elif j.is_department_scoped:
        requests = requests.filter(street__isnull=True, officer__home_department_id=j.own_department_id)
    else:
        requests = requests.none()
    if status:
        requests = requests.filter(status=status)
    return requests.select_related(
        "officer", "street", "shift", "other_shift", "other_shift__officer", "requested_by", "decided_by"
    ).order_by("-created_at", "-pk")


def roster_request_get(*, user: Any, request_id: int) -> RosterRequest:
    found = roster_requests(user=user).filter(pk=request_id).first()
    if found is None:
        raise NotFound("没有这份申请", code="roster_request_not_found")
    return found


def approved_leave_days(officer_ids: list[int], first_day: dt.date, last_day: dt.date) -> set[tuple[int, dt.date]]:
    """(officer, day) pairs an approved leave covers between the two days."""
    leaves = RosterRequest.objects.filter(
        officer_id__in=officer_ids,
        kind=RosterRequestKind.LEAVE,
        status=RosterRequestStatus.APPROVED,
        starts_on__lte=last_day,
        ends_on__gte=first_day,
    ).values_list("officer_id", "starts_on", "ends_on")
    days: set[tuple[int, dt.date]] = set()
    for officer_id, starts_on, ends_on in leaves:
        if starts_on is None or ends_on is None:
            continue  # a leave always has both (roster_request_create); typed so for the checker
        day = max(starts_on, first_day)
        while day <= min(ends_on, last_day):
            days.add((officer_id, day))
            day += dt.timedelta(days=1)
    return days


def officer_upcoming_shifts(*, officer: Officer, now: dt.datetime, days: int = 14) -> QuerySet[DutyShift]:
    """The officer's live shifts that have not ended, for the next ``days`` days (the phone's roster)."""
    return DutyShift.objects.filter(
        officer=officer, removed_at__isnull=True, ends_at__gt=now, starts_at__lt=now + dt.timedelta(days=days)
    ).order_by("starts_at")


def swap_candidates(*, officer: Officer, now: dt.datetime, days: int = 14) -> QuerySet[DutyShift]:
    """Colleagues' shifts an officer may ask to swap with: same roster (street, or department at district
    level), not started, within ``days`` days."""
    colleagues = Officer.objects.filter(district_id=officer.district_id, is_active=True).exclude(pk=officer.pk)
    if officer.street_id is not None:
        colleagues = colleagues.filter(street_id=officer.street_id)
    else:
        colleagues = colleagues.filter(street__isnull=True, home_department_id=officer.home_department_id)
    return (
        DutyShift.objects.filter(
            officer__in=colleagues,
            removed_at__isnull=True,
            starts_at__gt=now,
            starts_at__lt=now + dt.timedelta(days=days),
        )
        .select_related("officer")
        .order_by("starts_at", "officer__badge_no")
    )


# --- the no-cover check ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CoverGap:
    """A zone with nobody on duty at the start of its street's next shift."""

    zone: Zone
    starts_at: dt.datetime
    ends_at: dt.datetime
    shift_name: str


def next_shift(pattern: ShiftPattern, *, now: dt.datetime) -> tuple[dt.datetime, dt.datetime, str] | None:
    """The pattern's next shift to start after ``now`` (within two days) that runs on its day."""
    today = timezone.localtime(now).date()
    found: tuple[dt.datetime, dt.datetime, str] | None = None
    with provisional_for_unknown_years():
        for offset in (0, 1, 2):
            day = today + dt.timedelta(days=offset)
            is_rest = not is_working_day(day)
            for definition in pattern.shifts.all():
                start, end = shift_window(definition, day)
                if start <= now or not pattern_runs(pattern, definition.code, is_rest_day=is_rest):
                    continue
                if found is None or start < found[0]:
                    found = (start, end, definition.name)
            if found is not None:
                return found
    return found


def zones_without_cover(*, district_id: int, now: dt.datetime, street_id: int | None = None) -> list[CoverGap]:
    """For each street with an active pattern: its zones where no officer of the zone (nor of the street
    without a zone) is on duty when the street's next shift starts. A street with several patterns looks at
    the soonest next shift."""
    patterns = ShiftPattern.objects.filter(district_id=district_id, is_active=True, street__isnull=False)
    if street_id is not None:
        patterns = patterns.filter(street_id=street_id)
    upcoming: dict[int, tuple[dt.datetime, dt.datetime, str]] = {}
    for pattern in patterns.prefetch_related("shifts"):
        assert pattern.street_id is not None
        found = next_shift(pattern, now=now)
        if found is not None and (pattern.street_id not in upcoming or found[0] < upcoming[pattern.street_id][0]):
            upcoming[pattern.street_id] = found
    gaps: list[CoverGap] = []
    zones_by_street: dict[int, list[Zone]] = defaultdict(list)
    for zone in Zone.objects.filter(street_id__in=list(upcoming)).select_related("street").order_by("code"):
        zones_by_street[zone.street_id].append(zone)
    for sid, (starts_at, ends_at, name) in sorted(upcoming.items()):
        covered = set(
            shifts_on_duty_at(starts_at)
            .filter(officer__street_id=sid, officer__is_active=True)
            .values_list("officer__zone_id", flat=True)
        )
        for zone in zones_by_street[sid]:
            if zone.pk not in covered and None not in covered:
                gaps.append(CoverGap(zone, starts_at, ends_at, name))
    return gaps


def roster_gaps_for(*, user: Any, now: dt.datetime) -> list[CoverGap]:
    """The no-cover banner of the roster page, scoped: a street role sees its street's zones."""
    j = jurisdiction_of(user)
    if j.is_street_scoped:
        return zones_without_cover(district_id=j.district_id, now=now, street_id=j.own_street_id)
    if j.is_district_wide:
        return zones_without_cover(district_id=j.district_id, now=now)
    return []


def streets_for_roster(*, user: Any) -> QuerySet[Street]:
    j = jurisdiction_of(user)
    streets = Street.objects.filter(district_id=j.district_id)
    if j.is_street_scoped:
        streets = streets.filter(pk=j.own_street_id)
    elif not j.is_district_wide:
        streets = streets.none()
    return streets.order_by("code")


def departments_for_roster(*, user: Any) -> QuerySet[Department]:
    """The departments whose district-level officers the user may roster (the district-wide roles only)."""
    j = jurisdiction_of(user)
    departments = Department.objects.filter(district_id=j.district_id, is_sinking=True)
    if not j.is_district_wide:
        departments = departments.none()
    return departments.order_by("code")
