import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from zhifa.core.actors import SystemActor
from zhifa.core.errors import PermissionDenied, ValidationFailed
from zhifa.core.models import AuditEntry
from zhifa.geo.gazetteer_import import places_import
from zhifa.geo.models import NumberParity, Place, PlaceKind
from zhifa.geo.tests.gazetteer_data import GOOD_CSV


def _file(text: str, name: str = "places.csv") -> io.BytesIO:
    f = io.BytesIO(text.encode("utf-8-sig"))
    f.name = name
    return f


def test_a_good_file_is_imported_with_streets_lines_and_one_audit_entry(world: Any) -> None:
    result = places_import(actor=world.user("dispatcher"), district=world.district, path_or_file=_file(GOOD_CSV))

    assert result.count == 6
    assert result.ignored_columns == ("备注",)
    road = Place.objects.get(name="武林路")
    assert (road.kind, road.number_from, road.number_to, road.parity) == (PlaceKind.ROAD, 1, 300, NumberParity.ALL)
    assert road.line == [[120.101, 30.305], [120.117, 30.305]]
    assert road.street_id == world.street_a.pk  # from its middle (120.109), though it runs on into street B
    sides = Place.objects.filter(name="体育场路").order_by("parity")
    assert [(s.parity, s.number_from, s.number_to) for s in sides] == [("even", 2, 100), ("odd", 1, 99)]
    square = Place.objects.get(name="西湖文化广场")
    assert (square.kind, square.aliases, square.line, square.street_id) == (
        PlaceKind.LANDMARK,
        "文化广场",
        [],
        world.street_b.pk,
    )
    entry = AuditEntry.objects.get(action="places.import")
    assert entry.after["count"] == 6 and entry.after["sha256"] == result.sha256


BAD_ROWS = [
    ("山峰,武林路,120.101,30.305,120.119,30.305,1,300,", "place_kind_unknown", "类型"),
    ("道路,武林路,120.101,30.305,,,1,300,", "place_road_line_required", "线位"),
    ("道路,武林路,120.101,30.305,120.119,30.305,300,1,", "place_numbers_reversed", "终止门牌号"),
    ("道路,武林路,120.101,30.305,120.119,30.305,1,,", "place_numbers_incomplete", "终止门牌号"),
    ("道路,武林路,120.101,30.305,120.119,30.305,2,300,单号", "place_parity_mismatch", "单双号"),
    ("道路,武林路,121.5,31.2,121.6,31.2,1,300,", "point_outside_district", "起点经度"),
    ("地标,武林广场,120.105,30.305,,,1,9,", "place_numbers_on_point", "起始门牌号"),
    ("地标,武林广场,东经,30.305,,,,,", "coord_invalid", "起点经度"),
    ("道路,武林路,120.101,30.305,120.119,30.305,1,3百,", "place_number_invalid", "终止门牌号"),
]
HEADER = "类型,名称,起点经度,起点纬度,终点经度,终点纬度,起始门牌号,终止门牌号,单双号\n"
GOOD_ROW = "小区,朝晖一区,120.104,30.309,,,,,\n"


@pytest.mark.parametrize(("row", "code", "column"), BAD_ROWS)
def test_a_bad_row_is_reported_in_chinese_and_nothing_is_written(world: Any, row: str, code: str, column: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        places_import(
            actor=world.user("dispatcher"), district=world.district, path_or_file=_file(HEADER + GOOD_ROW + row + "\n")
        )

    assert exc.value.code == "import_rows_invalid"
    assert "未导入任何记录" in exc.value.message
    [error] = exc.value.details["errors"]
    assert (error["row"], error["code"], error["column"]) == (3, code, column)
    assert not Place.objects.exists()
    assert not AuditEntry.objects.filter(action="places.import").exists()


def test_a_missing_column_and_a_name_already_there_are_refused(world: Any) -> None:
    with pytest.raises(ValidationFailed) as exc:
        places_import(actor=SystemActor("t"), district=world.district, path_or_file=_file("名称\n武林路\n"))
    assert exc.value.details["errors"][0]["code"] == "import_column_missing"

    places_import(actor=SystemActor("t"), district=world.district, path_or_file=_file(GOOD_CSV))
    with pytest.raises(ValidationFailed) as exc:
        places_import(actor=SystemActor("t"), district=world.district, path_or_file=_file(HEADER + GOOD_ROW))
    assert exc.value.details["errors"][0]["code"] == "place_name_taken"
    assert Place.objects.count() == 6


def test_a_replace_import_makes_the_gazetteer_the_file(world: Any) -> None:
    places_import(actor=SystemActor("t"), district=world.district, path_or_file=_file(GOOD_CSV))

    result = places_import(
        actor=SystemActor("t"), district=world.district, path_or_file=_file(HEADER + GOOD_ROW), replace=True
    )

    assert (result.count, result.replaced) == (1, 6)
    assert list(Place.objects.values_list("name", flat=True)) == ["朝晖一区"]


def test_only_district_wide_master_data_editors_may_import(world: Any) -> None:
    for persona in ("street_dispatcher_a", "officer_a", "liaison"):
        with pytest.raises(PermissionDenied):
            places_import(actor=world.user(persona), district=world.district, path_or_file=_file(GOOD_CSV))
    assert not Place.objects.exists()


def test_the_command_imports_and_lists_row_errors(world: Any, tmp_path: Any) -> None:
    good = tmp_path / "good.csv"
    good.write_text(GOOD_CSV, encoding="utf-8")
    out = io.StringIO()
    call_command("import_places", str(good), "--district", world.district.code, stdout=out)
    assert "已导入 6 条地名地址" in out.getvalue()

    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + BAD_ROWS[0][0] + "\n", encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("import_places", str(bad), "--district", world.district.code, "--replace")
    assert "第2行 类型" in str(exc.value) and "place_kind_unknown" in str(exc.value)
    assert Place.objects.count() == 6
