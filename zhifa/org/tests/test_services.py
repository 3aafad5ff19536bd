import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from zhifa.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from zhifa.core.models import AuditEntry
from zhifa.org.models import AuxiliaryStaff, AuxiliaryStatusChange, Officer
from zhifa.org.services import (
    auxiliary_assess,
    auxiliary_hire,
    auxiliary_transition,
    officer_create,
    officer_update,
)

CONTRACT = {"duties": "巡查协助", "contract_start_on": dt.date(2026, 1, 1), "contract_end_on": dt.date(2027, 12, 31)}


def _hire(world: Any, n: int, actor: str = "dispatcher") -> AuxiliaryStaff:
    return auxiliary_hire(
        actor=world.user(actor), street=world.street_a, name=f"协管{n}", staff_no=f"AX{n}", **CONTRACT
    )


def test_officer_create_writes_the_officer_and_one_audit_entry(world: Any) -> None:
    officer = officer_create(
        actor=world.user("dispatcher"),
        name="王明",
        badge_no="Z0001",
        certificate_no="33010520260001",
        certificate_valid_until=dt.date(2028, 6, 30),
        home_department=world.enforcement_dept,
        street=world.street_a,
        zone=world.zone_a,
    )
    entry = AuditEntry.objects.get(action="officer.create")
    assert (entry.object_id, entry.actor_id, entry.after["badge_no"]) == (
        str(officer.pk),
        world.user("dispatcher").pk,
        "Z0001",
    )


@pytest.mark.parametrize("persona", ["officer_a", "auxiliary_a", "liaison", "business_owner", "leader"])
def test_only_the_command_centre_manages_officers(world: Any, persona: str) -> None:
    before = (Officer.objects.count(), AuditEntry.objects.count())
    with pytest.raises(PermissionDenied) as exc:
        officer_create(
            actor=world.user(persona),
            name="王明",
            badge_no="Z0002",
            certificate_no="C2",
            certificate_valid_until=dt.date(2028, 6, 30),
            home_department=world.enforcement_dept,
        )
    assert exc.value.code == "staff_edit_forbidden"
    assert (Officer.objects.count(), AuditEntry.objects.count()) == before


def test_zone_must_belong_to_the_street(world: Any) -> None:
    officer = Officer.objects.get(user=world.user("officer_a"))
    with pytest.raises(ValidationFailed) as exc:
        officer_update(actor=world.user("dispatcher"), officer=officer, zone=world.zone_b)
    assert exc.value.code == "zone_not_in_street"
    officer.refresh_from_db()
    assert officer.zone_id == world.zone_a.pk


def test_duplicate_badge_is_a_conflict_and_writes_nothing(world: Any) -> None:
    taken = Officer.objects.get(user=world.user("officer_a")).badge_no
    audits = AuditEntry.objects.count()
    with pytest.raises(Conflict) as exc:
        officer_create(
            actor=world.user("dispatcher"),
            name="重号",
            badge_no=taken,
            certificate_no="NEW",
            certificate_valid_until=dt.date(2028, 6, 30),
            home_department=world.enforcement_dept,
        )
    assert exc.value.code == "officer_number_taken"
    assert AuditEntry.objects.count() == audits


def test_auxiliary_cap_is_enforced(world: Any) -> None:
    world.street_a.auxiliary_cap = 2
    world.street_a.save()
    _hire(world, 1)
    _hire(world, 2)
    with pytest.raises(Conflict) as exc:
        _hire(world, 3)
    assert exc.value.code == "auxiliary_cap_reached"
    assert exc.value.details == {"cap": 2, "active": 2}
    assert AuxiliaryStaff.objects.filter(street=world.street_a).count() == 2


def test_leave_requires_a_reason_and_frees_a_place(world: Any) -> None:
    world.street_a.auxiliary_cap = 1
    world.street_a.save()
    first = _hire(world, 1)
    with pytest.raises(ValidationFailed) as exc:
        auxiliary_transition(actor=world.user("dispatcher"), staff=first, action="leave")
    assert exc.value.code == "reason_required"
    auxiliary_transition(actor=world.user("dispatcher"), staff=first, action="leave", reason="合同期满不再续签")
    second = _hire(world, 2)
    change = AuxiliaryStatusChange.objects.get()
    assert (change.from_status, change.to_status, change.reason) == ("active", "left", "合同期满不再续签")
    assert AuditEntry.objects.filter(action="auxiliary.leave", object_id=str(first.pk)).count() == 1
    # rehiring the first one now would exceed the cap of 1: the guard refuses and nothing changes
    with pytest.raises(InvalidTransition) as refused:
        auxiliary_transition(actor=world.user("dispatcher"), staff=first, action="rehire")
    assert refused.value.code == "transition_guard_failed"
    first.refresh_from_db()
    assert (first.status, second.status) == ("left", "active")


def test_assessment_once_a_year(world: Any) -> None:
    staff = _hire(world, 1)
    auxiliary_assess(actor=world.user("dispatcher"), staff=staff, year=2025, score=Decimal("92.5"), grade="优秀")
    with pytest.raises(Conflict) as exc:
        auxiliary_assess(actor=world.user("dispatcher"), staff=staff, year=2025, score=Decimal("80"), grade="合格")
    assert exc.value.code == "assessment_exists"
    with pytest.raises(ValidationFailed) as bad:
        auxiliary_assess(actor=world.user("dispatcher"), staff=staff, year=2024, score=Decimal("101"), grade="合格")
    assert bad.value.code == "score_out_of_range"
