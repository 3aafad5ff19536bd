import csv
import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from conftest import POINT_IN_A, POINT_IN_B, POINT_OUTSIDE
from zhifa.core.actors import SystemActor
from zhifa.core.errors import Conflict, PermissionDenied, ValidationFailed
from zhifa.core.models import AuditEntry
from zhifa.geo.coords import wgs84_to_gcj02
from zhifa.subjects.models import Subject
from zhifa.subjects.services import subjects_import
from zhifa.subjects.tests.factories import SubjectFactory, id_number_for, uscc_for

pytestmark = pytest.mark.django_db

HEADER = [
    "kind",
    "category",
    "name",
    "uscc",
    "id_number",
    "plate_number",
    "responsible_person",
    "phone",
    "address",
    "lon",
    "lat",
]
CHINESE_HEADER = [
    "类型",
    "业态",
    "名称",
    "统一社会信用代码",
    "身份证号码",
    "车牌号",
    "负责人",
    "联系电话",
    "地址",
    "经度",
    "纬度",
]


def _good_rows() -> list[list[Any]]:
    a_lon, a_lat = POINT_IN_A
    b_lon, b_lat = POINT_IN_B
    return [
        ["business", "catering", "知味观", uscc_for(1), "", "", "王五", "0571-87065871", "仁和路83号", a_lon, a_lat],
        [
            "个体工商户",
            "零售商超",
            "老王便利店",
            "",
            id_number_for(5),
            "",
            "王大",
            "13800000000",
            "环城北路1号",
            b_lon,
            b_lat,
        ],
        ["车辆", "渣土运输车辆", "浙A12345渣土车", "", "", "浙A·12345", "李四", "", "沈半路2号", a_lon, a_lat],
    ]


def _csv_bytes(header: list[str], rows: list[list[Any]], *, bom: bool = False) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" if bom else "").encode() + buffer.getvalue().encode()


def _xlsx_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _import(world: Any, data: bytes, name: str, persona: str = "dispatcher", **kwargs: Any) -> Any:
    upload = io.BytesIO(data)
    upload.name = name  # type: ignore[attr-defined]
    return subjects_import(actor=world.user(persona), district=world.district, path_or_file=upload, **kwargs)


def _counts() -> tuple[int, int]:
    return Subject.objects.count(), AuditEntry.objects.count()


@pytest.mark.parametrize("bom", [False, True])
def test_good_csv_is_imported_located_and_audited_once(world: Any, bom: bool) -> None:
    result = _import(world, _csv_bytes(HEADER, _good_rows(), bom=bom), "subjects.csv")

    assert result.count == 3
    rows = list(
        Subject.objects.order_by("id").values_list("name", "kind", "street_id", "name_initials", "plate_number")
    )
    assert rows == [
        ("知味观", "business", world.street_a.pk, "zwg", ""),
        ("老王便利店", "individual_trader", world.street_b.pk, "lwbld", ""),
        ("浙A12345渣土车", "vehicle", world.street_a.pk, "za12345ztc", "浙A12345"),
    ]
    assert Subject.objects.filter(district=world.district, is_active=True, responsible_person="王五").count() == 1
    ids = sorted(Subject.objects.values_list("id", flat=True))
    entry = AuditEntry.objects.get()
    assert entry.action == "subjects.import"
    assert (entry.after["count"], entry.after["first_id"], entry.after["last_id"]) == (3, ids[0], ids[-1])
    assert entry.after["sha256"] == result.sha256
    assert entry.after["file_name"] == "subjects.csv"


def test_good_xlsx_with_chinese_headers_is_imported(world: Any) -> None:
    result = _import(world, _xlsx_bytes([*CHINESE_HEADER, "备注"], _good_rows()), "对象.xlsx")

    assert (result.count, result.ignored_columns) == (3, ("备注",))
    assert sorted(Subject.objects.values_list("uscc", flat=True)) == ["", "", uscc_for(1)]
    assert Subject.objects.get(kind="individual_trader").id_number == id_number_for(5)


def test_import_from_a_path_in_gcj02(world: Any, tmp_path: Path) -> None:
    gcj = wgs84_to_gcj02(*POINT_IN_A)
    rows = [["business", "catering", "知味观", uscc_for(1), "", "", "", "", "仁和路83号", gcj[0], gcj[1]]]
    path = tmp_path / "gcj.csv"
    path.write_bytes(_csv_bytes(HEADER, rows))

    subjects_import(actor=SystemActor("命令行"), district=world.district, path_or_file=path, coord_system="gcj02")

    subject = Subject.objects.get()
    assert (subject.lon, subject.lat) == (
        pytest.approx(POINT_IN_A[0], abs=1e-7),
        pytest.approx(POINT_IN_A[1], abs=1e-7),
    )
    assert AuditEntry.objects.get().actor_label == "命令行"


def test_every_bad_row_is_reported_and_nothing_is_written(world: Any) -> None:
    SubjectFactory(district=world.district, uscc=uscc_for(50))
    counts = _counts()
    good = _good_rows()
    bad_checksum = uscc_for(2)[:17] + ("0" if uscc_for(2)[17] != "0" else "1")
    rows = [
        good[0],  # row 2: fine
        ["business", "catering", "坏校验位", bad_checksum, "", "", "", "", "路1号", *POINT_IN_A],  # row 3
        ["shop", "catering", "", uscc_for(3), "", "", "", "", "路2号", *POINT_IN_A],  # row 4: two errors
        ["business", "catering", "域外", uscc_for(4), "", "", "", "", "路3号", *POINT_OUTSIDE],  # row 5
        ["business", "catering", "重复", uscc_for(1), "", "", "", "", "路4号", *POINT_IN_A],  # row 6
        ["business", "catering", "已登记", uscc_for(50), "", "", "", "", "路5号", *POINT_IN_A],  # row 7
        ["", "", "", "", "", "", "", "", "", "", ""],  # row 8: blank, skipped
        ["business", "catering", "坐标错", uscc_for(6), "", "", "", "", "路6号", "东经120", POINT_IN_A[1]],  # row 9
    ]

    with pytest.raises(ValidationFailed) as exc:
        _import(world, _csv_bytes(HEADER, rows), "bad.csv")

    assert exc.value.code == "import_rows_invalid"
    reported = [(e["row"], e["column"], e["code"]) for e in exc.value.details["errors"]]
    assert reported == [
        (3, "uscc", "uscc_checksum"),
        (4, "kind", "subject_kind_unknown"),
        (4, "name", "subject_name_required"),
        (5, "lon", "point_outside_district"),
        (6, "uscc", "subject_uscc_duplicate_in_file"),
        (7, "uscc", "subject_uscc_taken"),
        (9, "lon", "coord_invalid"),
    ]
    assert exc.value.details["error_count"] == 7
    assert _counts() == counts


def test_errors_name_the_column_as_written_in_the_file(world: Any) -> None:
    rows = [["企业", "餐饮", "知味观", "", "", "", "", "", "仁和路", *POINT_IN_A]]

    with pytest.raises(ValidationFailed) as exc:
        _import(world, _csv_bytes(CHINESE_HEADER, rows), "zh.csv")

    assert [(e["row"], e["column"], e["field"], e["code"]) for e in exc.value.details["errors"]] == [
        (2, "统一社会信用代码", "uscc", "uscc_required")
    ]


def test_missing_required_columns_are_reported_against_the_header(world: Any) -> None:
    with pytest.raises(ValidationFailed) as exc:
        _import(world, _csv_bytes(["name", "address"], [["知味观", "仁和路"]]), "short.csv")

    assert [(e["row"], e["column"], e["code"]) for e in exc.value.details["errors"]] == [
        (1, "kind", "import_column_missing"),
        (1, "category", "import_column_missing"),
        (1, "lon", "import_column_missing"),
        (1, "lat", "import_column_missing"),
    ]


def test_street_officer_may_only_import_rows_in_their_street(world: Any) -> None:
    counts = _counts()

    with pytest.raises(ValidationFailed) as exc:
        _import(world, _csv_bytes(HEADER, _good_rows()), "subjects.csv", persona="officer_a")

    assert [(e["row"], e["code"]) for e in exc.value.details["errors"]] == [(3, "outside_jurisdiction")]
    assert _counts() == counts


@pytest.mark.parametrize("persona", ["auxiliary_a", "liaison", "leader"])
def test_roles_without_the_right_cannot_import(world: Any, persona: str) -> None:
    with pytest.raises(PermissionDenied):
        _import(world, _csv_bytes(HEADER, _good_rows()), "subjects.csv", persona=persona)

    assert _counts() == (0, 0)


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"", "empty.csv", "import_empty"),
        (_csv_bytes(HEADER, []), "header-only.csv", "import_empty"),
        (b"PK\x03\x04 not really a workbook", "broken.xlsx", "import_file_unreadable"),
        (b"\xff\xfe\x00\x00\x81\x30\xff", "binary.csv", "import_encoding"),
    ],
)
def test_unreadable_files_are_refused(world: Any, data: bytes, name: str, code: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        _import(world, data, name)

    assert exc.value.code == code
    assert _counts() == (0, 0)


def test_gb18030_csv_from_excel_is_read(world: Any) -> None:
    text = _csv_bytes(CHINESE_HEADER, _good_rows()).decode()

    result = _import(world, text.encode("gb18030"), "excel.csv")

    assert result.count == 3


def test_a_concurrent_duplicate_rolls_the_whole_import_back(world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from zhifa.subjects.services import bulk_import

    # Simulate the race: the early duplicate check sees nothing, the unique constraint catches it.
    monkeypatch.setattr(bulk_import, "_check_duplicates", lambda *args: None)
    SubjectFactory(district=world.district, uscc=uscc_for(1))

    with pytest.raises(Conflict) as exc:
        _import(world, _csv_bytes(HEADER, _good_rows()), "subjects.csv")

    assert exc.value.code == "subject_identifier_taken"
    assert _counts() == (1, 0)
