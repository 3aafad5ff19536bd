from typing import Any

import pytest

from conftest import POINT_IN_B, POINT_OUTSIDE
from zhifa.core.errors import Conflict, PermissionDenied, ValidationFailed
from zhifa.core.models import AuditEntry
from zhifa.subjects.models import Subject
from zhifa.subjects.services import subject_update
from zhifa.subjects.tests.factories import SubjectFactory, uscc_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def subject(world: Any) -> Subject:
    return SubjectFactory(district=world.district, name="老王面馆", phone="13800000000")


def test_rename_recomputes_search_keys_and_audits_only_the_changed_fields(world: Any, subject: Subject) -> None:
    subject_update(actor=world.user("officer_a"), subject=subject, name="知味观", phone="13800000000")

    subject.refresh_from_db()
    assert (subject.name, subject.name_pinyin, subject.name_initials) == ("知味观", "zhiweiguan", "zwg")
    entry = AuditEntry.objects.get(action="subject.update")
    assert entry.before == {"name": "老王面馆", "name_pinyin": "laowangmianguan", "name_initials": "lwmg"}
    assert entry.after == {"name": "知味观", "name_pinyin": "zhiweiguan", "name_initials": "zwg"}


def test_moving_the_point_reassigns_street_zone_and_grid(world: Any, subject: Subject) -> None:
    subject_update(actor=world.user("dispatcher"), subject=subject, lon=POINT_IN_B[0], lat=POINT_IN_B[1])

    subject.refresh_from_db()
    assert (subject.street_id, subject.zone_id, subject.grid_id) == (
        world.street_b.pk,
        world.zone_b.pk,
        world.grid_b.pk,
    )


def test_a_change_that_changes_nothing_writes_nothing(world: Any, subject: Subject) -> None:
    subject_update(actor=world.user("dispatcher"), subject=subject, name=subject.name)

    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"uscc": "913301050000000010"}, "uscc_checksum"),
        ({"lon": POINT_OUTSIDE[0], "lat": POINT_OUTSIDE[1]}, "point_outside_district"),
        ({"lon": 120.105}, "coord_pair_required"),
        ({"street": 1}, "subject_field_unknown"),
        ({"kind": "vehicle"}, "plate_number_required"),
    ],
)
def test_bad_changes_are_refused_and_nothing_changes(
    world: Any, subject: Subject, changes: dict[str, Any], code: str
) -> None:
    before = Subject.objects.values().get(pk=subject.pk)

    with pytest.raises(ValidationFailed) as exc:
        subject_update(actor=world.user("dispatcher"), subject=subject, **changes)

    assert exc.value.code == code
    assert Subject.objects.values().get(pk=subject.pk) == before
    assert AuditEntry.objects.count() == 0


def test_taking_another_subjects_uscc_is_a_conflict(world: Any, subject: Subject) -> None:
    SubjectFactory(district=world.district, uscc=uscc_for(99))

    with pytest.raises(Conflict) as exc:
        subject_update(actor=world.user("dispatcher"), subject=subject, uscc=uscc_for(99))

    assert exc.value.code == "subject_uscc_taken"


def test_officer_of_another_street_cannot_change_the_subject(world: Any, subject: Subject) -> None:
    with pytest.raises(PermissionDenied) as exc:
        subject_update(actor=world.user("officer_b"), subject=subject, phone="13900000000")

    assert exc.value.code == "outside_jurisdiction"
    subject.refresh_from_db()
    assert subject.phone == "13800000000"


def test_officer_cannot_move_a_subject_out_of_their_street(world: Any, subject: Subject) -> None:
    with pytest.raises(PermissionDenied) as exc:
        subject_update(actor=world.user("officer_a"), subject=subject, lon=POINT_IN_B[0], lat=POINT_IN_B[1])

    assert exc.value.code == "outside_jurisdiction"
    subject.refresh_from_db()
    assert subject.street_id == world.street_a.pk


def test_auxiliary_may_correct_details_but_not_deactivate(world: Any, subject: Subject) -> None:
    subject_update(actor=world.user("auxiliary_a"), subject=subject, phone="13900000000")

    with pytest.raises(PermissionDenied) as exc:
        subject_update(actor=world.user("auxiliary_a"), subject=subject, is_active=False)

    assert exc.value.code == "decision_not_allowed"
    subject.refresh_from_db()
    assert (subject.phone, subject.is_active) == ("13900000000", True)
    assert AuditEntry.objects.count() == 1


def test_officer_deactivates_a_subject(world: Any, subject: Subject) -> None:
    subject_update(actor=world.user("officer_a"), subject=subject, is_active=False)

    subject.refresh_from_db()
    assert subject.is_active is False
    assert AuditEntry.objects.get(action="subject.update").after == {"is_active": False}


@pytest.mark.parametrize("persona", ["liaison", "leader", "business_owner"])
def test_readers_cannot_change_subjects(world: Any, subject: Subject, persona: str) -> None:
    with pytest.raises(PermissionDenied):
        subject_update(actor=world.user(persona), subject=subject, phone="13900000000")

    subject.refresh_from_db()
    assert subject.phone == "13800000000"
