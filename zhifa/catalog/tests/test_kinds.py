"""The complaint taxonomy (诉求类型, issue 14): installed for a district from the project's list once — refused
whole when the district lacks a handling department, never overwriting a kind the district has edited — and
edited one kind at a time by the catalogue's editors, every refusal with its code and nothing written, every
change audited with what it was before."""

from typing import Any

import pytest

from zhifa.catalog.kinds import kind_rows, kind_update, kinds_install
from zhifa.catalog.models import ClockPolicy, ComplaintKind, ComplaintPriority
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.core.actors import SystemActor
from zhifa.core.errors import PermissionDenied, ValidationFailed
from zhifa.core.models import AuditEntry
from zhifa.org.models import District
from zhifa.org.tests.factories import DepartmentFactory, DistrictFactory

LOADER = SystemActor("诉求类型安装")


def _kind(world: Any, code: str) -> ComplaintKind:
    return ComplaintKind.objects.get(district=world.district, code=code)


def _district_with(codes: set[str]) -> District:
    district: Any = DistrictFactory(code="330106", name="西湖区")
    for code in sorted(codes):
        DepartmentFactory(district=district, code=code, name=f"区{code}", short_name=code)
    return district


def _footprint(district_id: int) -> tuple[list[tuple[Any, ...]], int]:
    """The district's kinds as stored (every editable field and the matters) and the audit chain's length."""
    kinds = [
        (
            k.code,
            k.name,
            k.department_id,
            k.default_priority,
            k.clock_policy,
            k.due_hours,
            k.scope,
            k.is_active,
            tuple(sorted(k.matters.values_list("pk", flat=True))),
        )
        for k in ComplaintKind.objects.filter(district_id=district_id).order_by("code")
    ]
    return kinds, AuditEntry.objects.count()


# --- kinds_install -------------------------------------------------------------------------------------------


def test_install_is_refused_whole_when_the_district_lacks_a_handling_department(db: Any) -> None:
    district = _district_with({"ZHZF", "SCJG"})

    with pytest.raises(ValidationFailed) as refused:
        kinds_install(actor=LOADER, district_id=district.pk)

    assert refused.value.code == "kind_department_missing"
    missing = refused.value.details["departments"]
    assert "GA" in missing and "RS" in missing and "ZHZF" not in missing and "SCJG" not in missing
    assert missing == sorted({r.department_code for r in kind_rows()} - {"ZHZF", "SCJG"})
    assert ComplaintKind.objects.filter(district=district).count() == 0
    assert AuditEntry.objects.count() == 0


def test_install_creates_every_kind_once_keeps_local_edits_and_is_audited_once(db: Any) -> None:
    rows = kind_rows()
    district = _district_with({r.department_code for r in rows})

    created = kinds_install(actor=LOADER, district_id=district.pk)
    stall = ComplaintKind.objects.get(district=district, code="ZF-ZDJY")
    ComplaintKind.objects.filter(pk=stall.pk).update(name="占道经营（本区）", default_priority=ComplaintPriority.URGENT)
    again = kinds_install(actor=LOADER, district_id=district.pk)

    assert (created, again) == (len(rows), 0)
    assert ComplaintKind.objects.filter(district=district).count() == len(rows)
    stall.refresh_from_db()
    assert (stall.name, stall.default_priority, stall.department.code) == (
        "占道经营（本区）",
        ComplaintPriority.URGENT,
        "ZHZF",
    )
    wages = ComplaintKind.objects.get(district=district, code="RS-QX")
    assert (wages.department.code, wages.clock_policy, wages.due_hours) == ("RS", ClockPolicy.COORDINATION, 72)
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.object_type, entry.district_id, entry.actor_label) == (
        "complaint_kind.install",
        "catalog.complaintkind",
        district.pk,
        "诉求类型安装",
    )
    assert entry.after == {"codes": [r.code for r in rows]}


def test_install_links_the_matters_the_districts_catalogue_has(db: Any) -> None:
    rows = kind_rows()
    district = _district_with({r.department_code for r in rows})
    enforcement = district.department_set.get(code="ZHZF")
    vending = MatterFactory(district=district, department=enforcement, code="ZJ-SR-001")

    kinds_install(actor=LOADER, district_id=district.pk)

    # ZF-ZDJY lists ZJ-SR-001 and ZJ-SR-010; the district's catalogue has only the first.
    assert list(ComplaintKind.objects.get(district=district, code="ZF-ZDJY").matters.all()) == [vending]
    assert ComplaintKind.objects.get(district=district, code="GA-ZA").matters.count() == 0


@pytest.mark.parametrize("persona", ["officer_a", "street_dispatcher_a", "leader", "liaison"])
def test_install_by_someone_who_may_not_edit_the_catalogue_is_refused(world: Any, persona: str) -> None:
    ComplaintKind.objects.filter(district=world.district, code="SC-SPAQ").delete()
    before = _footprint(world.district.pk)

    with pytest.raises(PermissionDenied) as refused:
        kinds_install(actor=world.user(persona), district_id=world.district.pk, only_known_departments=True)

    assert refused.value.code == "catalogue_edit_forbidden"
    assert _footprint(world.district.pk) == before


# --- kind_update ---------------------------------------------------------------------------------------------


def test_an_edit_changes_what_the_kind_routes_to_and_is_audited_with_before_and_after(world: Any) -> None:
    kind = _kind(world, "SC-SPAQ")
    matter: Any = MatterFactory(district=world.district, department=world.market_dept)

    updated = kind_update(
        actor=world.user("dispatcher"),
        kind_id=kind.pk,
        changes={
            "department_id": world.enforcement_dept.pk,
            "default_priority": ComplaintPriority.URGENT,
            "due_hours": 12,
            "matter_ids": [matter.pk],
        },
    )

    kind.refresh_from_db()
    assert (kind.department_id, kind.default_priority, kind.due_hours, list(kind.matters.all())) == (
        world.enforcement_dept.pk,
        ComplaintPriority.URGENT,
        12,
        [matter],
    )
    assert updated.pk == kind.pk
    entry = AuditEntry.objects.get()
    before, after = entry.before or {}, entry.after or {}
    assert (entry.action, entry.object_type, entry.object_id, entry.actor_id) == (
        "complaint_kind.update",
        "catalog.complaintkind",
        str(kind.pk),
        world.user("dispatcher").pk,
    )
    changed = {name for name in after if after[name] != before[name]}
    assert changed == {"department_id", "default_priority", "due_hours", "matter_ids"}
    assert (before["department_id"], after["department_id"]) == (
        world.market_dept.pk,
        world.enforcement_dept.pk,
    )
    assert (before["due_hours"], after["due_hours"]) == (24, 12)
    assert (before["matter_ids"], after["matter_ids"]) == ([], [matter.pk])


def test_an_edit_that_changes_nothing_leaves_no_audit_entry(world: Any) -> None:
    kind = _kind(world, "SC-SPAQ")

    kind_update(actor=world.user("dispatcher"), kind_id=kind.pk, changes={"due_hours": 24})

    assert AuditEntry.objects.count() == 0


def _elsewhere_department(world: Any) -> int:
    department: Any = DepartmentFactory(district=DistrictFactory(code="330106", name="西湖区"), code="SCJG")
    return department.pk


def _elsewhere_matter(world: Any) -> int:
    other = DistrictFactory(code="330106", name="西湖区")
    matter: Any = MatterFactory(district=other, department=DepartmentFactory(district=other))
    return matter.pk


@pytest.mark.parametrize(
    ("code", "kind_code", "changes"),
    [
        # Off the 1530 clock a kind needs the deadline its department answers within.
        ("kind_due_hours_required", "SC-SPAQ", lambda world: {"due_hours": None}),
        ("kind_due_hours_required", "ZF-ZDJY", lambda world: {"clock_policy": ClockPolicy.COORDINATION}),
        ("kind_department_unknown", "SC-SPAQ", lambda world: {"department_id": _elsewhere_department(world)}),
        ("kind_department_unknown", "SC-SPAQ", lambda world: {"department_id": 987654}),
        ("kind_matter_unknown", "ZF-ZDJY", lambda world: {"matter_ids": [_elsewhere_matter(world)]}),
        # The code is the model's label: a district changes what a kind does, not what it is called by triage.
        ("kind_field_not_editable", "SC-SPAQ", lambda world: {"code": "SC-NEW", "due_hours": 12}),
        ("kind_field_not_editable", "SC-SPAQ", lambda world: {"district_id": 1}),
        ("kind_name_required", "SC-SPAQ", lambda world: {"name": "  "}),
        ("kind_priority_invalid", "SC-SPAQ", lambda world: {"default_priority": "asap"}),
        ("kind_clock_policy_invalid", "SC-SPAQ", lambda world: {"clock_policy": "whenever"}),
    ],
)
def test_a_refused_edit_writes_nothing(world: Any, code: str, kind_code: str, changes: Any) -> None:
    kind = _kind(world, kind_code)
    values = changes(world)
    before = _footprint(world.district.pk)

    with pytest.raises(ValidationFailed) as refused:
        kind_update(actor=world.user("dispatcher"), kind_id=kind.pk, changes=values)

    assert refused.value.code == code
    assert refused.value.message  # the Chinese sentence the page shows
    assert _footprint(world.district.pk) == before


@pytest.mark.parametrize("persona", ["officer_a", "street_dispatcher_a", "leader", "liaison", "auxiliary_a"])
def test_only_the_catalogues_editors_may_edit_a_kind(world: Any, persona: str) -> None:
    kind = _kind(world, "SC-SPAQ")
    before = _footprint(world.district.pk)

    with pytest.raises(PermissionDenied) as refused:
        kind_update(actor=world.user(persona), kind_id=kind.pk, changes={"due_hours": 2})

    assert refused.value.code == "catalogue_edit_forbidden"
    assert _footprint(world.district.pk) == before
