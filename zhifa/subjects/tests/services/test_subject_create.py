from typing import Any

import pytest

from conftest import POINT_IN_A, POINT_IN_B, POINT_OUTSIDE
from zhifa.core.errors import Conflict, PermissionDenied, ValidationFailed
from zhifa.core.models import AuditEntry
from zhifa.geo.coords import wgs84_to_gcj02
from zhifa.subjects.models import Licence, Subject, SubjectKind
from zhifa.subjects.services import subject_create
from zhifa.subjects.tests.factories import SubjectFactory, id_number_for, uscc_for

pytestmark = pytest.mark.django_db


def _create(world: Any, persona: str = "dispatcher", **overrides: Any) -> Subject:
    data: dict[str, Any] = {
        "kind": SubjectKind.BUSINESS,
        "category": "catering",
        "name": "知味观（湖滨店）",
        "address": "甲街道仁和路83号",
        "lon": POINT_IN_A[0],
        "lat": POINT_IN_A[1],
        "uscc": uscc_for(7),
        "responsible_person": "王五",
        "phone": "0571-87065871",
    }
    data.update(overrides)
    return subject_create(actor=world.user(persona), district=world.district, **data)


def _nothing_written() -> tuple[int, int, int]:
    return Subject.objects.count(), Licence.objects.count(), AuditEntry.objects.count()


def test_dispatcher_registers_a_business_located_with_search_keys_and_audit(world: Any) -> None:
    subject = _create(
        world,
        licences=[
            {
                "kind": "食品经营许可证",
                "number": "JY33301050001",
                "issued_by": "区市场监管局",
                "valid_from": "2024-03-01",
            }
        ],
    )

    subject.refresh_from_db()
    assert (subject.street_id, subject.zone_id, subject.grid_id) == (
        world.street_a.pk,
        world.zone_a.pk,
        world.grid_a.pk,
    )
    assert (subject.name_pinyin, subject.name_initials) == ("zhiweiguanhubindian", "zwghbd")
    assert subject.uscc == uscc_for(7)
    assert list(subject.licences.values_list("number", flat=True)) == ["JY33301050001"]
    entry = AuditEntry.objects.get(action="subject.create")
    assert (entry.object_id, entry.actor_id, entry.district_id) == (
        str(subject.pk),
        world.user("dispatcher").pk,
        world.district.pk,
    )
    assert entry.before is None
    assert entry.after["name"] == "知味观（湖滨店）"
    assert entry.after["licences"][0]["number"] == "JY33301050001"


def test_uscc_with_a_wrong_check_character_is_refused_and_nothing_written(world: Any) -> None:
    good = uscc_for(7)
    bad = good[:17] + ("0" if good[17] != "0" else "1")

    with pytest.raises(ValidationFailed) as exc:
        _create(world, uscc=bad)

    assert exc.value.code == "uscc_checksum"
    assert exc.value.details["field"] == "uscc"
    assert _nothing_written() == (0, 0, 0)


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"uscc": ""}, "uscc_required", "uscc"),
        ({"kind": "individual_trader", "uscc": ""}, "uscc_or_id_number_required", "uscc"),
        (
            {"kind": "individual_trader", "uscc": "", "id_number": "330105198001010010"},
            "id_number_checksum",
            "id_number",
        ),
        ({"kind": "vehicle", "category": "muck_vehicle", "uscc": ""}, "plate_number_required", "plate_number"),
        (
            {"kind": "vehicle", "category": "muck_vehicle", "plate_number": "ABC"},
            "plate_number_invalid",
            "plate_number",
        ),
        ({"kind": "shop"}, "subject_kind_unknown", "kind"),
        ({"category": "bakery"}, "subject_category_unknown", "category"),
        ({"name": "  "}, "subject_name_required", "name"),
        ({"name": "长" * 201}, "field_too_long", "name"),
        ({"phone": "call me"}, "phone_invalid", "phone"),
    ],
)
def test_bad_input_is_refused_with_a_specific_code_and_nothing_written(
    world: Any, overrides: dict[str, Any], code: str, field: str
) -> None:
    with pytest.raises(ValidationFailed) as exc:
        _create(world, **overrides)

    assert (exc.value.code, exc.value.details["field"]) == (code, field)
    assert _nothing_written() == (0, 0, 0)


def test_individual_trader_may_register_with_the_operators_id_number(world: Any) -> None:
    subject = _create(world, kind="individual_trader", uscc="", id_number=id_number_for(12))

    assert (subject.uscc, subject.id_number) == ("", id_number_for(12))


def test_point_outside_the_district_is_refused_and_nothing_written(world: Any) -> None:
    with pytest.raises(ValidationFailed) as exc:
        _create(world, lon=POINT_OUTSIDE[0], lat=POINT_OUTSIDE[1])

    assert exc.value.code == "point_outside_district"
    assert _nothing_written() == (0, 0, 0)


def test_gcj02_input_is_stored_as_wgs84_and_located_by_its_true_position(world: Any) -> None:
    # A point 200 m inside street A's eastern edge: GCJ-02 shifts it ~500 m east, i.e. into street B.
    true_lon, true_lat = 120.108, 30.305
    gcj_lon, gcj_lat = wgs84_to_gcj02(true_lon, true_lat)
    assert gcj_lon > 120.11  # read as WGS-84, the GCJ-02 point would be in street B

    subject = _create(world, lon=gcj_lon, lat=gcj_lat, coord_system="gcj02")

    subject.refresh_from_db()
    assert subject.lon == pytest.approx(true_lon, abs=1e-7)
    assert subject.lat == pytest.approx(true_lat, abs=1e-7)
    assert subject.street_id == world.street_a.pk


def test_duplicate_uscc_in_the_district_is_a_conflict(world: Any) -> None:
    SubjectFactory(district=world.district, uscc=uscc_for(7))

    with pytest.raises(Conflict) as exc:
        _create(world)

    assert exc.value.code == "subject_uscc_taken"
    assert (Subject.objects.count(), AuditEntry.objects.count()) == (1, 0)


def test_officer_cannot_register_a_subject_in_another_street(world: Any) -> None:
    with pytest.raises(PermissionDenied) as exc:
        _create(world, "officer_a", lon=POINT_IN_B[0], lat=POINT_IN_B[1])

    assert exc.value.code == "outside_jurisdiction"
    assert _nothing_written() == (0, 0, 0)


def test_officer_and_auxiliary_register_subjects_in_their_own_street(world: Any) -> None:
    by_officer = _create(world, "officer_a")
    by_auxiliary = _create(world, "auxiliary_a", uscc=uscc_for(8))

    assert [by_officer.street_id, by_auxiliary.street_id] == [world.street_a.pk, world.street_a.pk]


@pytest.mark.parametrize("persona", ["liaison", "leader", "legal_reviewer", "business_owner"])
def test_roles_that_do_not_keep_master_data_cannot_register(world: Any, persona: str) -> None:
    with pytest.raises(PermissionDenied) as exc:
        _create(world, persona)

    assert exc.value.code == "permission_denied"
    assert _nothing_written() == (0, 0, 0)


def test_licence_with_its_end_before_its_start_is_refused(world: Any) -> None:
    licence = {
        "kind": "卫生许可证",
        "number": "W1",
        "issued_by": "区卫健局",
        "valid_from": "2025-01-01",
        "valid_until": "2024-01-01",
    }

    with pytest.raises(ValidationFailed) as exc:
        _create(world, licences=[licence])

    assert (exc.value.code, exc.value.details) == ("licence_period_invalid", {"index": 0, "field": "valid_until"})
    assert _nothing_written() == (0, 0, 0)
