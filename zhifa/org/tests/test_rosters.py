"""Duty rosters (issue 14 part 5): generating from a pattern across holidays, regenerating without losing hand
edits, hand edits refused with their codes, leave and swaps with approval, the no-cover check."""

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import time_machine

from conftest import World
from zhifa.core.errors import DomainError, InvalidTransition, PermissionDenied, ValidationFailed
from zhifa.core.models import AuditEntry
from zhifa.org.models import (
    DutyShift,
    Officer,
    RosterRequest,
    RosterRequestChange,
    RosterRequestKind,
    RosterRequestStatus,
)
from zhifa.org.roster_selectors import shifts_on_duty_at, zones_without_cover
from zhifa.org.roster_states import LEAVE_WORKFLOW, SWAP_WORKFLOW, RosterRequestAction
from zhifa.org.rosters import (
    duty_shift_add,
    duty_shift_move,
    duty_shift_remove,
    roster_generate_month,
    roster_request_create,
    roster_request_decide,
    rosters_extend,
)
from zhifa.org.tests.rosters_setup import local, second_officer_a, street_a_pattern

OCT = dt.date(2026, 10, 1)
# 2026: National Day 10-01…10-07 (rest days), 10-10 a Saturday worked in exchange (调休), 10-17 an ordinary Saturday.
BEFORE_OCTOBER = local(dt.date(2026, 9, 30), 12)


def shifts_of(officer: Officer, day: dt.date) -> list[tuple[str, str, str]]:
    return [
        (s.code, f"{s.starts_at.astimezone(local(day, 0).tzinfo):%m-%d %H:%M}", s.source)
        for s in DutyShift.objects.filter(
            officer=officer, removed_at__isnull=True, starts_at__gte=local(day, 0), starts_at__lt=local(day, 23, 59)
        ).order_by("starts_at")
    ]


@pytest.fixture
def two_officers(world: World) -> tuple[Officer, Officer]:
    return Officer.objects.get(name="甲队员"), second_officer_a(world)


def footprint() -> tuple[int, ...]:
    return (
        DutyShift.objects.count(),
        DutyShift.objects.filter(removed_at__isnull=False).count(),
        RosterRequest.objects.count(),
        RosterRequestChange.objects.count(),
        AuditEntry.objects.count(),
    )


# --- generating ------------------------------------------------------------------------------------------


def test_a_month_runs_holiday_staffing_on_holidays_and_the_full_pattern_on_a_tiaoxiu_saturday(
    world: World, two_officers: tuple[Officer, Officer]
) -> None:
    first, second = two_officers
    with time_machine.travel(BEFORE_OCTOBER, tick=False):
        pattern = street_a_pattern(world, anchor_on=OCT)
        report = roster_generate_month(actor=world.user("street_dispatcher_a"), pattern=pattern, month=OCT)

    # National Day (Thursday 10-01, a rest day): group 0's 早 runs, group 1's 中 does not (holiday staffing).
    assert shifts_of(first, dt.date(2026, 10, 1)) == [("早", "10-01 08:00", "generated")]
    assert shifts_of(second, dt.date(2026, 10, 1)) == []
    # 10-10, a Saturday worked in exchange (调休上班): a working day, both shifts run.
    assert shifts_of(first, dt.date(2026, 10, 10)) == [("早", "10-10 08:00", "generated")]
    assert shifts_of(second, dt.date(2026, 10, 10)) == [("中", "10-10 16:00", "generated")]
    # 10-17, an ordinary Saturday: rest day again, 中 does not run.
    assert shifts_of(first, dt.date(2026, 10, 17)) == [("早", "10-17 08:00", "generated")]
    assert shifts_of(second, dt.date(2026, 10, 17)) == []
    # 10-12, an ordinary Monday: the cycle moved on (早早中中), group 0 on 中, group 1 on 早.
    assert shifts_of(first, dt.date(2026, 10, 12)) == [("中", "10-12 16:00", "generated")]
    assert shifts_of(second, dt.date(2026, 10, 12)) == [("早", "10-12 08:00", "generated")]
    # 31 days × 2 officers; every day one of them is on 中, which does not run on the month's 13 rest days
    # (10-01…10-07, 11, 17, 18, 24, 25, 31).
    assert report.created == 62 - 13
    assert (report.replaced, report.kept_days, report.conflicts) == (0, 0, 0)
    entry = AuditEntry.objects.get(action="roster.generate")
    assert (entry.actor_label, entry.after["created"]) == ("street_dispatcher_a", report.created)


def test_regenerating_keeps_every_hand_edit_and_says_so(world: World, two_officers: tuple[Officer, Officer]) -> None:
    first, second = two_officers
    dispatcher = world.user("street_dispatcher_a")
    with time_machine.travel(BEFORE_OCTOBER, tick=False):
        pattern = street_a_pattern(world, anchor_on=OCT)
        roster_generate_month(actor=dispatcher, pattern=pattern, month=OCT)
        # Hand edits on three officer-days: a shift removed, a shift moved, a shift added on a free day.
        removed = DutyShift.objects.get(officer=first, starts_at=local(dt.date(2026, 10, 13), 8))
        duty_shift_remove(actor=dispatcher, shift=removed, reason="外出培训")
        moved = DutyShift.objects.get(officer=second, starts_at=local(dt.date(2026, 10, 12), 8))
        duty_shift_move(
            actor=dispatcher,
            shift=moved,
            starts_at=local(dt.date(2026, 10, 12), 9),
            ends_at=local(dt.date(2026, 10, 12), 17),
        )
        duty_shift_add(
            actor=dispatcher,
            officer=second,
            starts_at=local(dt.date(2026, 10, 1), 8),
            ends_at=local(dt.date(2026, 10, 1), 16),
            code="早",
        )
        shifts_before = DutyShift.objects.count()

        report = roster_generate_month(actor=dispatcher, pattern=pattern, month=OCT)

    assert (report.created, report.replaced, report.kept_days, report.conflicts) == (0, 0, 3, 0)
    assert report.unchanged == shifts_before - 3  # every generated shift left in place: all but the three edited
    assert DutyShift.objects.count() == shifts_before
    assert shifts_of(first, dt.date(2026, 10, 13)) == []
    assert shifts_of(second, dt.date(2026, 10, 12)) == [("早", "10-12 09:00", "manual")]
    assert shifts_of(second, dt.date(2026, 10, 1)) == [("早", "10-01 08:00", "manual")]
    assert "保留手工调整3人日" in report.summary()


def test_regenerating_after_the_month_began_leaves_the_past_alone(world: World, two_officers: Any) -> None:
    first, _ = two_officers
    with time_machine.travel(BEFORE_OCTOBER, tick=False):
        pattern = street_a_pattern(world, anchor_on=OCT)
        roster_generate_month(actor=world.user("dispatcher"), pattern=pattern, month=OCT)
    pattern.anchor_on = OCT + dt.timedelta(days=1)  # the rotation shifted by a day
    pattern.save()
    with time_machine.travel(local(dt.date(2026, 10, 9), 12), tick=False):
        report = roster_generate_month(actor=world.user("dispatcher"), pattern=pattern, month=OCT)
    # The past is history; 10-09's 早 had started at noon and stays; from then on the new rotation runs.
    assert shifts_of(first, dt.date(2026, 10, 8)) == [("中", "10-08 16:00", "generated")]
    assert shifts_of(first, dt.date(2026, 10, 9)) == [("早", "10-09 08:00", "generated")]
    assert shifts_of(first, dt.date(2026, 10, 11)) == [("早", "10-11 08:00", "generated")]  # was 中: a rest day
    assert shifts_of(first, dt.date(2026, 10, 12)) == [("中", "10-12 16:00", "generated")]  # the same: unchanged
    assert shifts_of(first, dt.date(2026, 10, 13)) == [("中", "10-13 16:00", "generated")]  # was 早: replaced
    assert report.kept_days == 0 and report.created >= 2 and report.replaced >= 1


def test_rolling_extension_fills_the_next_fortnight_once(world: World, two_officers: Any) -> None:
    now = local(dt.date(2026, 10, 12), 7)
    with time_machine.travel(now, tick=False):
        street_a_pattern(world, anchor_on=OCT)
        [(_, report)] = rosters_extend(now=now, days=14)
        [(_, again)] = rosters_extend(now=now, days=14)
    assert report.created > 0 and report.created == DutyShift.objects.count()
    assert (again.created, again.replaced, again.unchanged) == (0, 0, report.created)
    last = DutyShift.objects.order_by("-starts_at").first()
    assert last is not None and last.starts_at < local(dt.date(2026, 10, 26), 0)
    assert AuditEntry.objects.filter(action="roster.extend").count() == 1


# --- hand edits refused ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "code", "error"),
    [
        ("overlap", "shift_overlaps", ValidationFailed),
        ("end_before_start", "shift_ends_before_start", ValidationFailed),
        ("too_long", "shift_too_long", ValidationFailed),
        ("other_street", "officer_outside_street", PermissionDenied),
        ("officer_edits", "roster_edit_forbidden", PermissionDenied),
    ],
)
def test_a_bad_hand_edit_is_refused_with_its_code_and_writes_nothing(
    world: World, case: str, code: str, error: type[DomainError]
) -> None:
    day = dt.date(2026, 10, 14)
    officer_a = Officer.objects.get(name="甲队员")
    officer_b = Officer.objects.get(name="乙队员")
    dispatcher = world.user("street_dispatcher_a")
    with time_machine.travel(BEFORE_OCTOBER, tick=False):
        duty_shift_add(actor=dispatcher, officer=officer_a, starts_at=local(day, 8), ends_at=local(day, 16), code="早")
        before = footprint()
        arguments: dict[str, Any] = {
            "overlap": {"officer": officer_a, "starts_at": local(day, 15), "ends_at": local(day, 20)},
            "end_before_start": {"officer": officer_a, "starts_at": local(day, 20), "ends_at": local(day, 18)},
            "too_long": {
                "officer": officer_a,
                "starts_at": local(day, 20),
                "ends_at": local(day, 20) + dt.timedelta(hours=25),
            },
            "other_street": {"officer": officer_b, "starts_at": local(day, 8), "ends_at": local(day, 16)},
            "officer_edits": {"officer": officer_a, "starts_at": local(day, 18), "ends_at": local(day, 22)},
        }[case]
        actor = world.user("officer_a") if case == "officer_edits" else dispatcher
        with pytest.raises(error) as refused:
            duty_shift_add(actor=actor, **arguments)
    assert refused.value.code == code
    assert footprint() == before


def test_a_night_shift_crossing_midnight_is_one_shift_and_blocks_the_next_morning(world: World) -> None:
    officer_a = Officer.objects.get(name="甲队员")
    dispatcher = world.user("street_dispatcher_a")
    day = dt.date(2026, 10, 14)
    with time_machine.travel(BEFORE_OCTOBER, tick=False):
        duty_shift_add(
            actor=dispatcher,
            officer=officer_a,
            starts_at=local(day, 20),
            ends_at=local(day, 20) + dt.timedelta(hours=12),
        )
        with pytest.raises(ValidationFailed) as refused:
            duty_shift_add(
                actor=dispatcher,
                officer=officer_a,
                starts_at=local(day + dt.timedelta(days=1), 7),
                ends_at=local(day + dt.timedelta(days=1), 15),
            )
    assert refused.value.code == "shift_overlaps"
    assert list(
        shifts_on_duty_at(local(day + dt.timedelta(days=1), 7, 59)).values_list("officer__name", flat=True)
    ) == ["甲队员"]
    assert not shifts_on_duty_at(local(day + dt.timedelta(days=1), 8)).exists()


# --- leave and swaps -------------------------------------------------------------------------------------


def test_approving_leave_removes_the_shifts_in_the_period_and_regenerating_does_not_bring_them_back(
    world: World, two_officers: tuple[Officer, Officer]
) -> None:
    first, _ = two_officers
    with time_machine.travel(BEFORE_OCTOBER, tick=False):
        pattern = street_a_pattern(world, anchor_on=OCT)
        roster_generate_month(actor=world.user("dispatcher"), pattern=pattern, month=OCT)
        request = roster_request_create(
            actor=world.user("officer_a"),
            officer=first,
            kind=RosterRequestKind.LEAVE,
            starts_on=dt.date(2026, 10, 12),
            ends_on=dt.date(2026, 10, 14),
            reason="家中有事",
        )
        decided = roster_request_decide(
            actor=world.user("street_dispatcher_a"), request=request, action=RosterRequestAction.APPROVE
        )
        report = roster_generate_month(actor=world.user("dispatcher"), pattern=pattern, month=OCT)

    assert decided.status == RosterRequestStatus.APPROVED
    assert [shifts_of(first, dt.date(2026, 10, d)) for d in (10, 12, 13, 14, 15)] == [
        [("早", "10-10 08:00", "generated")],
        [],
        [],
        [],
        [("中", "10-15 16:00", "generated")],
    ]
    assert DutyShift.objects.filter(officer=first, removal_reason=f"请假（申请{request.pk}）").count() == 3
    assert report.leave_days == 3 and report.created == 0
    assert list(RosterRequestChange.objects.values_list("action", "from_status", "to_status")) == [
        ("approve", "pending", "approved")
    ]
    assert AuditEntry.objects.filter(action__in=["roster_leave.approve", "roster_leave.shifts_removed"]).count() == 2


def test_refusing_leave_needs_a_reason_and_keeps_the_shifts(world: World, two_officers: Any) -> None:
    first, _ = two_officers
    dispatcher = world.user("street_dispatcher_a")
    with time_machine.travel(BEFORE_OCTOBER, tick=False):
        pattern = street_a_pattern(world, anchor_on=OCT)
        roster_generate_month(actor=dispatcher, pattern=pattern, month=OCT)
        request = roster_request_create(
            actor=dispatcher,  # the street dispatcher asks for the officer
            officer=first,
            kind=RosterRequestKind.LEAVE,
            starts_on=dt.date(2026, 10, 12),
            ends_on=dt.date(2026, 10, 12),
            reason="就医",
        )
        before = footprint()
        with pytest.raises(ValidationFailed) as no_reason:
            roster_request_decide(actor=dispatcher, request=request, action=RosterRequestAction.REFUSE, reason=" ")
        assert (no_reason.value.code, footprint()) == ("reason_required", before)
        refused = roster_request_decide(
            actor=dispatcher, request=request, action=RosterRequestAction.REFUSE, reason="当日有专项整治"
        )
    assert (refused.status, refused.decision_reason) == (RosterRequestStatus.REFUSED, "当日有专项整治")
    assert shifts_of(first, dt.date(2026, 10, 12)) == [("中", "10-12 16:00", "generated")]
    with pytest.raises(InvalidTransition):
        roster_request_decide(actor=dispatcher, request=refused, action=RosterRequestAction.APPROVE)


@pytest.mark.parametrize("persona", ["officer_a", "officer_b", "auxiliary_a", "liaison"])
def test_only_the_street_or_district_dispatcher_decides(world: World, two_officers: Any, persona: str) -> None:
    first, _ = two_officers
    with time_machine.travel(BEFORE_OCTOBER, tick=False):
        request = roster_request_create(
            actor=world.user("officer_a"),
            officer=first,
            kind=RosterRequestKind.LEAVE,
            starts_on=dt.date(2026, 10, 12),
            ends_on=dt.date(2026, 10, 12),
            reason="就医",
        )
        before = footprint()
        with pytest.raises(PermissionDenied) as refused:
            roster_request_decide(actor=world.user(persona), request=request, action=RosterRequestAction.APPROVE)
    assert (refused.value.code, footprint()) == ("roster_request_forbidden", before)


def test_an_approved_swap_exchanges_the_two_shifts(world: World, two_officers: tuple[Officer, Officer]) -> None:
    first, second = two_officers
    day = dt.date(2026, 10, 12)
    with time_machine.travel(BEFORE_OCTOBER, tick=False):
        pattern = street_a_pattern(world, anchor_on=OCT)
        roster_generate_month(actor=world.user("dispatcher"), pattern=pattern, month=OCT)
        mine = DutyShift.objects.get(officer=first, starts_at__date=day)
        theirs = DutyShift.objects.get(officer=second, starts_at__date=day)
        request = roster_request_create(
            actor=world.user("officer_a"),
            officer=first,
            kind=RosterRequestKind.SWAP,
            shift=mine,
            other_shift=theirs,
            reason="孩子家长会",
        )
        roster_request_decide(actor=world.user("dispatcher"), request=request, action=RosterRequestAction.APPROVE)
    assert shifts_of(first, day) == [("早", "10-12 08:00", "swap")]
    assert shifts_of(second, day) == [("中", "10-12 16:00", "swap")]


def test_regenerating_keeps_the_days_a_swap_request_names(world: World, two_officers: tuple[Officer, Officer]) -> None:
    first, second = two_officers
    day = dt.date(2026, 10, 12)
    with time_machine.travel(BEFORE_OCTOBER, tick=False):
        pattern = street_a_pattern(world, anchor_on=OCT)
        roster_generate_month(actor=world.user("dispatcher"), pattern=pattern, month=OCT)
        roster_request_create(
            actor=world.user("officer_a"),
            officer=first,
            kind=RosterRequestKind.SWAP,
            shift=DutyShift.objects.get(officer=first, starts_at__date=day),
            other_shift=DutyShift.objects.get(officer=second, starts_at__date=day),
            reason="换班",
        )
        pattern.anchor_on = OCT + dt.timedelta(days=2)  # every day's shift changes: group 0 and 1 trade places
        pattern.save()
        report = roster_generate_month(actor=world.user("dispatcher"), pattern=pattern, month=OCT)
    assert report.kept_days == 2
    assert shifts_of(first, day) == [("中", "10-12 16:00", "generated")]  # as the request names it
    assert shifts_of(first, day + dt.timedelta(days=1)) == [("中", "10-13 16:00", "generated")]  # was 早


def test_a_swap_with_another_streets_officer_is_refused(world: World, two_officers: Any) -> None:
    first, _ = two_officers
    officer_b = Officer.objects.get(name="乙队员")
    day = dt.date(2026, 10, 12)
    with time_machine.travel(BEFORE_OCTOBER, tick=False):
        mine = duty_shift_add(
            actor=world.user("dispatcher"), officer=first, starts_at=local(day, 8), ends_at=local(day, 16)
        )
        theirs = duty_shift_add(
            actor=world.user("dispatcher"), officer=officer_b, starts_at=local(day, 16), ends_at=local(day, 23)
        )
        before = footprint()
        with pytest.raises(ValidationFailed) as refused:
            roster_request_create(
                actor=world.user("officer_a"),
                officer=first,
                kind=RosterRequestKind.SWAP,
                shift=mine,
                other_shift=theirs,
                reason="换班",
            )
    assert (refused.value.code, footprint()) == ("swap_other_roster", before)


@pytest.mark.parametrize("table", [LEAVE_WORKFLOW, SWAP_WORKFLOW])
def test_the_request_tables_reach_every_state_and_end_in_decisions(table: Any) -> None:
    assert table.reachable() == table.states == {"pending", "approved", "refused", "withdrawn"}
    assert table.terminal_states == {"approved", "refused", "withdrawn"}
    assert sorted(table.actions_from("pending")) == ["approve", "refuse", "withdraw"]
    # docs/workflows.md prints the diagram the code runs.
    assert table.mermaid() in (Path(__file__).resolve().parents[3] / "docs" / "workflows.md").read_text("utf-8")


# --- the no-cover check ----------------------------------------------------------------------------------


def test_a_zone_with_nobody_on_the_next_shift_is_found_and_a_covered_one_is_not(
    world: World, two_officers: tuple[Officer, Officer]
) -> None:
    first, second = two_officers
    day = dt.date(2026, 10, 12)  # a Monday
    with time_machine.travel(BEFORE_OCTOBER, tick=False):
        street_a_pattern(world, anchor_on=OCT)
        # Street A's next shift after 10:00 is 中 at 16:00: nobody of zone A-1 is rostered then.
        duty_shift_add(actor=world.user("dispatcher"), officer=first, starts_at=local(day, 8), ends_at=local(day, 16))
    gaps = zones_without_cover(district_id=world.district.pk, now=local(day, 10))
    assert [(g.zone.code, g.starts_at, g.shift_name) for g in gaps] == [("A-1", local(day, 16), "中班")]

    with time_machine.travel(BEFORE_OCTOBER, tick=False):
        duty_shift_add(actor=world.user("dispatcher"), officer=second, starts_at=local(day, 16), ends_at=local(day, 23))
    assert zones_without_cover(district_id=world.district.pk, now=local(day, 10)) == []
    # Street B keeps no pattern: it is not checked.
    assert DutyShift.objects.filter(officer__street=world.street_b).count() == 0
