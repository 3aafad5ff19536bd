"""The 须两名持证人员 column: read like the other 是/否 columns, written on create and on update with its
audit, and set in the shipped catalogue by the APL 51 rule (docs/catalog.md)."""

import csv
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from zhifa.catalog.importer import COLUMNS, matters_import
from zhifa.catalog.models import Matter
from zhifa.catalog.services import ImportResult, matter_update
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.catalog.tests.test_importer import HEADER, SHIPPED, csv_file, row
from zhifa.core.actors import SystemActor
from zhifa.core.errors import ValidationFailed
from zhifa.core.models import AuditEntry

# APL 51: on the spot only up to 3,000 yuan for an organisation (200 for a citizen).
ON_THE_SPOT_LIMIT = Decimal("3000")


def import_rows(world: Any, rows: list[dict[str, str]], **kwargs: Any) -> ImportResult:
    return matters_import(actor=SystemActor("系统"), district=world.district, path_or_file=csv_file(rows, **kwargs))


@pytest.mark.parametrize("headers", ["keys", "labels"])
def test_column_sets_the_flag_under_english_or_chinese_header(world: Any, headers: str) -> None:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([c.key if headers == "keys" else c.label for c in COLUMNS])
    for values in (row(requires_two_officers="是"), row(code="ZJ-SR-902", requires_two_officers="否")):
        writer.writerow([values[c.key] for c in COLUMNS])
    data = io.BytesIO(text.getvalue().encode())
    data.name = "matters.csv"

    matters_import(actor=SystemActor("系统"), district=world.district, path_or_file=data)

    assert dict(Matter.objects.values_list("code", "requires_two_officers")) == {
        "ZJ-SR-901": True,
        "ZJ-SR-902": False,
    }
    created = AuditEntry.objects.get(action="matter.create", object_id=str(Matter.objects.get(code="ZJ-SR-901").pk))
    assert created.after["requires_two_officers"] is True


def test_blank_cell_or_missing_column_means_no(world: Any) -> None:
    both = [row(requires_two_officers="是"), row(code="ZJ-SR-902", requires_two_officers="是")]
    import_rows(world, both)
    without_column = [key for key in HEADER if key != "requires_two_officers"]

    blank = import_rows(world, [row(requires_two_officers="")], header=[*without_column, "requires_two_officers"])
    missing = import_rows(world, [row(code="ZJ-SR-902")], header=without_column)

    assert (blank.updated, missing.updated) == (1, 1)
    assert dict(Matter.objects.values_list("code", "requires_two_officers")) == {
        "ZJ-SR-901": False,
        "ZJ-SR-902": False,
    }


def test_bad_value_is_bad_boolean_for_that_row_and_column_and_writes_nothing(world: Any) -> None:
    import_rows(world, [row()])
    audit_before = AuditEntry.objects.count()
    rows = [row(name="改名", requires_two_officers="是"), row(code="ZJ-SR-902", requires_two_officers="两人")]

    with pytest.raises(ValidationFailed) as caught:
        import_rows(world, rows)

    assert caught.value.code == "import_rows_invalid"
    assert caught.value.details["errors"] == [
        {
            "row": 3,
            "column": "requires_two_officers",
            "code": "bad_boolean",
            "message": "第3行“须两名持证人员”列：“两人”应填“是”或“否”",
        }
    ]
    matter = Matter.objects.get()
    assert (matter.code, matter.name, matter.requires_two_officers) == ("ZJ-SR-901", "擅自占用城市道路设摊经营", False)
    assert AuditEntry.objects.count() == audit_before


def test_reimport_with_the_value_changed_updates_and_audits_then_is_unchanged(world: Any) -> None:
    import_rows(world, [row(), row(code="ZJ-SR-902")])
    matter = Matter.objects.get(code="ZJ-SR-901")

    changed = import_rows(world, [row(requires_two_officers="是"), row(code="ZJ-SR-902")])
    again = import_rows(world, [row(requires_two_officers="是"), row(code="ZJ-SR-902")])
    back = import_rows(world, [row(requires_two_officers="否"), row(code="ZJ-SR-902")])

    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert (back.created, back.updated, back.unchanged) == (0, 1, 1)
    updates = list(AuditEntry.objects.filter(action="matter.update").order_by("id"))
    assert [(e.object_id, e.before["requires_two_officers"], e.after["requires_two_officers"]) for e in updates] == [
        (str(matter.pk), False, True),
        (str(matter.pk), True, False),
    ]
    matter.refresh_from_db()
    assert matter.requires_two_officers is False


def test_an_edit_of_another_field_keeps_the_flag(world: Any) -> None:
    matter = MatterFactory(department=world.enforcement_dept)
    dispatcher = world.user("dispatcher")

    matter_update(actor=dispatcher, matter_id=matter.pk, changes={"requires_two_officers": True})
    matter_update(actor=dispatcher, matter_id=matter.pk, changes={"name": "擅自占用城市道路摆摊"})

    matter.refresh_from_db()
    assert (matter.name, matter.requires_two_officers) == ("擅自占用城市道路摆摊", True)


def test_api_shows_and_patches_the_flag(world: Any) -> None:
    matter = MatterFactory(department=world.enforcement_dept)
    client = Client()
    client.force_login(world.user("dispatcher"))

    patched = client.patch(
        f"/api/v1/catalog/matters/{matter.pk}",
        json.dumps({"requires_two_officers": True}),
        content_type="application/json",
    )
    got = client.get(f"/api/v1/catalog/matters/{matter.pk}")

    assert patched.status_code == 200
    assert patched.json()["requires_two_officers"] is True
    assert got.json()["requires_two_officers"] is True
    assert Matter.objects.get(pk=matter.pk).requires_two_officers is True
    entry = AuditEntry.objects.get(action="matter.update", object_id=str(matter.pk))
    assert (entry.before["requires_two_officers"], entry.after["requires_two_officers"]) == (False, True)


def test_shipped_catalogue_flags_exactly_the_matters_never_decided_on_the_spot(world: Any, departments: Any) -> None:
    with SHIPPED.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    expected = {r["code"] for r in rows if r["minor_fine_min"] and Decimal(r["minor_fine_min"]) > ON_THE_SPOT_LIMIT}

    matters_import(actor=SystemActor("系统"), district=world.district, path_or_file=SHIPPED)

    flagged = set(Matter.objects.filter(requires_two_officers=True).values_list("code", flat=True))
    assert flagged == expected
    assert Matter.objects.filter(requires_two_officers=False).count() == len(rows) - len(expected)
    assert "ZJ-YY-001" in flagged  # 餐饮油烟超标排放: lowest fine 5,000 yuan
    assert "ZJ-SR-001" not in flagged  # 占道经营: lowest fine 50 yuan
