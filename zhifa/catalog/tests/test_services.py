"""Writes to the catalogue: who may, what is refused, and the audit entry each write leaves."""

import dataclasses
from decimal import Decimal
from typing import Any

import pytest

from zhifa.catalog.models import DiscretionLevel, Matter
from zhifa.catalog.services import matter_create, matter_update, spec_of
from zhifa.catalog.tests.factories import MatterFactory, matter_spec, tier_specs
from zhifa.core.actors import SystemActor
from zhifa.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from zhifa.core.models import AuditEntry
from zhifa.org.tests.factories import DepartmentFactory, DistrictFactory


def test_dispatcher_creates_matter_with_tiers_checklist_and_one_audit_entry(world: Any) -> None:
    spec = matter_spec(department_id=world.enforcement_dept.pk, subject_categories=["street_vendor", "catering"])

    matter = matter_create(actor=world.user("dispatcher"), district_id=world.district.pk, spec=spec)

    assert matter.district_id == world.district.pk
    assert matter.subject_categories == ["catering", "street_vendor"]
    assert [(lv.tier, lv.fine_min, lv.fine_max) for lv in matter.discretion_levels.order_by("fine_max")] == [
        ("minor", Decimal("500.00"), Decimal("2000.00")),
        ("serious", Decimal("2000.00"), Decimal("5000.00")),
        ("severe", Decimal("5000.00"), Decimal("20000.00")),
    ]
    assert list(matter.checklist.values_list("position", "text")) == [
        (1, "是否持有占道许可"),
        (2, "占用面积是否超出批准范围"),
        (3, "是否妨碍通行"),
    ]
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.object_type, entry.object_id) == ("matter.create", "catalog.matter", str(matter.pk))
    assert entry.actor_id == world.user("dispatcher").pk
    assert entry.before is None
    assert entry.after["tiers"][0] == {
        "tier": "minor",
        "circumstances": "minor情形",
        "penalty": "minor处罚",
        "fine_min": "500.00",
        "fine_max": "2000.00",
    }


@pytest.mark.parametrize(
    "persona", ["officer_a", "auxiliary_a", "officer_b", "liaison", "legal_reviewer", "leader", "business_owner"]
)
def test_only_admin_and_dispatcher_may_create(world: Any, persona: str) -> None:
    spec = matter_spec(department_id=world.enforcement_dept.pk)

    with pytest.raises(PermissionDenied) as caught:
        matter_create(actor=world.user(persona), district_id=world.district.pk, spec=spec)

    assert caught.value.code == "catalogue_edit_forbidden"
    assert caught.value.message == "只有系统管理员和指挥中心可以维护执法事项目录"
    assert Matter.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_dispatcher_may_not_write_another_districts_catalogue(world: Any) -> None:
    other = DistrictFactory(code="330106", name="西湖区")
    spec = matter_spec(department_id=DepartmentFactory(district=other).pk)

    with pytest.raises(PermissionDenied):
        matter_create(actor=world.user("dispatcher"), district_id=other.pk, spec=spec)

    assert Matter.objects.count() == 0


def test_duplicate_code_is_a_conflict(world: Any) -> None:
    MatterFactory(department=world.enforcement_dept, code="ZJ-SR-901")

    with pytest.raises(Conflict) as caught:
        matter_create(
            actor=world.user("dispatcher"),
            district_id=world.district.pk,
            spec=matter_spec(department_id=world.enforcement_dept.pk),
        )

    assert caught.value.code == "matter_code_taken"
    assert Matter.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"tiers": tier_specs(serious=("2000", "30000"))}, [("severe_fine_max", "tier_order_invalid")]),
        ({"tiers": tier_specs(minor=("900", "800"))}, [("minor_fine_min", "fine_range_inverted")]),
        ({"tiers": tier_specs()[:2]}, [("severe_penalty", "required")]),
        ({"penalty_kinds": ["warning"]}, [("penalty_kinds", "fine_kind_missing")]),
        ({"subject_categories": ["*", "catering"]}, [("subject_categories", "all_mixed")]),
        ({"is_first_violation_exempt": True}, [("first_violation_condition", "required")]),
        ({"code": "zj sr 1"}, [("code", "bad_code")]),
        ({"checklist": []}, [("checklist", "required")]),
    ],
)
def test_invalid_spec_is_refused_with_every_problem(
    world: Any, overrides: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    spec = matter_spec(department_id=world.enforcement_dept.pk, **overrides)

    with pytest.raises(ValidationFailed) as caught:
        matter_create(actor=world.user("dispatcher"), district_id=world.district.pk, spec=spec)

    assert caught.value.code == "matter_invalid"
    assert [(e["column"], e["code"]) for e in caught.value.details["errors"]] == expected
    assert Matter.objects.count() == 0


def test_department_of_another_district_is_refused(world: Any) -> None:
    foreign = DepartmentFactory(district=DistrictFactory(code="330106", name="西湖区"))

    with pytest.raises(ValidationFailed) as caught:
        matter_create(
            actor=world.user("dispatcher"),
            district_id=world.district.pk,
            spec=matter_spec(department_id=foreign.pk),
        )

    assert [(e["column"], e["code"]) for e in caught.value.details["errors"]] == [("department", "unknown_department")]


def test_update_replaces_tiers_and_audits_before_and_after(world: Any) -> None:
    matter = matter_create(
        actor=SystemActor("系统"),
        district_id=world.district.pk,
        spec=matter_spec(department_id=world.enforcement_dept.pk),
    )
    new_tiers = tier_specs(minor=("200", "1000"), serious=("1000", "6000"), severe=("6000", "20000"))

    updated = matter_update(
        actor=world.user("dispatcher"),
        matter_id=matter.pk,
        changes={"name": "擅自占用城市道路设摊", "tiers": new_tiers, "department_id": world.market_dept.pk},
    )

    assert updated.name == "擅自占用城市道路设摊"
    assert updated.department_id == world.market_dept.pk
    assert DiscretionLevel.objects.filter(matter=matter).count() == 3
    assert DiscretionLevel.objects.get(matter=matter, tier="serious").fine_max == Decimal("6000.00")
    entry = AuditEntry.objects.get(action="matter.update")
    assert entry.before["name"] == "擅自占用城市道路"
    assert entry.after["name"] == "擅自占用城市道路设摊"
    assert entry.before["department_id"] == world.enforcement_dept.pk
    assert entry.after["department_id"] == world.market_dept.pk
    assert [t["fine_max"] for t in entry.after["tiers"]] == ["1000.00", "6000.00", "20000.00"]


@pytest.mark.parametrize("persona", ["officer_a", "auxiliary_a", "liaison"])
def test_update_refused_for_non_editors_changes_nothing(world: Any, persona: str) -> None:
    matter = MatterFactory(department=world.market_dept, name="原名称")

    with pytest.raises(PermissionDenied):
        matter_update(actor=world.user(persona), matter_id=matter.pk, changes={"name": "新名称"})

    matter.refresh_from_db()
    assert matter.name == "原名称"
    assert AuditEntry.objects.count() == 0


def test_update_of_unknown_matter_or_field(world: Any) -> None:
    matter = MatterFactory(department=world.enforcement_dept)

    with pytest.raises(NotFound) as missing:
        matter_update(actor=world.user("dispatcher"), matter_id=matter.pk + 1000, changes={"name": "x"})
    with pytest.raises(ValidationFailed) as unknown:
        matter_update(actor=world.user("dispatcher"), matter_id=matter.pk, changes={"district_id": 9})

    assert missing.value.code == "matter_not_found"
    assert unknown.value.code == "matter_field_unknown"


def test_update_to_a_taken_code_is_a_conflict(world: Any) -> None:
    MatterFactory(department=world.enforcement_dept, code="ZJ-SR-001")
    matter = MatterFactory(department=world.enforcement_dept, code="ZJ-SR-002")

    with pytest.raises(Conflict):
        matter_update(actor=world.user("dispatcher"), matter_id=matter.pk, changes={"code": "ZJ-SR-001"})

    matter.refresh_from_db()
    assert matter.code == "ZJ-SR-002"


def test_spec_round_trips_through_the_database(world: Any) -> None:
    spec = matter_spec(
        department_id=world.enforcement_dept.pk,
        is_first_violation_exempt=True,
        first_violation_condition="首次违法并及时改正",
    )
    matter = matter_create(actor=SystemActor("系统"), district_id=world.district.pk, spec=spec)

    assert spec_of(Matter.objects.get(pk=matter.pk)) == dataclasses.replace(
        spec,
        subject_categories=["catering", "street_vendor"],
        tiers=[
            dataclasses.replace(t, fine_min=t.fine_min.quantize(Decimal("0.01")) if t.fine_min else None)
            for t in spec.tiers
        ],
    )
