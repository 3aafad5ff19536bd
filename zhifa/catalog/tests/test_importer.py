"""The spreadsheet importer: the shipped catalogue, row-level errors with nothing written, XLSX, upsert."""

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from zhifa.catalog.importer import COLUMNS, matters_import
from zhifa.catalog.models import ChecklistItem, DiscretionLevel, Domain, Matter
from zhifa.core.actors import SystemActor
from zhifa.core.errors import PermissionDenied, ValidationFailed
from zhifa.core.models import AuditEntry

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "matters.csv"
HEADER = [c.key for c in COLUMNS]


def row(**overrides: Any) -> dict[str, str]:
    values = {
        "code": "ZJ-SR-901",
        "name": "擅自占用城市道路设摊经营",
        "domain": "city_appearance",
        "department": "ZHZF",
        "law_name": "《城市道路管理条例》",
        "violated_provision": "《城市道路管理条例》第二十七条",
        "penalty_provision": "《城市道路管理条例》第四十二条",
        "penalty_kinds": "fine",
        "first_violation_exempt": "是",
        "first_violation_condition": "首次违法、危害后果轻微并及时改正的",
        "subject_categories": "street_vendor|catering",
        "keywords": "占道 摆摊",
        "checklist": "是否持有占道许可|占用面积|是否妨碍通行",
        "minor_fine_min": "50",
        "minor_fine_max": "500",
        "minor_circumstances": "面积小",
        "minor_penalty": "处50元以上500元以下罚款",
        "serious_fine_min": "500",
        "serious_fine_max": "5000",
        "serious_circumstances": "面积较大",
        "serious_penalty": "处500元以上5000元以下罚款",
        "severe_fine_min": "5000",
        "severe_fine_max": "20000",
        "severe_circumstances": "拒不改正",
        "severe_penalty": "处5000元以上2万元以下罚款",
        "requires_two_officers": "否",
        "is_active": "是",
        "handling_phrases": "",
        "handling_result_types": "",
    }
    values.update(overrides)
    return values


def csv_file(rows: list[dict[str, str]], *, header: list[str] = HEADER, encoding: str = "utf-8") -> io.BytesIO:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    for values in rows:
        writer.writerow([values.get(key, "") for key in header])
    data = io.BytesIO(text.getvalue().encode(encoding))
    data.name = "matters.csv"
    return data


def test_shipped_catalogue_imports_cleanly(world: Any, departments: Any) -> None:
    result = matters_import(actor=SystemActor("系统"), district=world.district, path_or_file=SHIPPED)

    with SHIPPED.open(encoding="utf-8-sig") as fh:
        rows_in_file = sum(1 for _ in csv.DictReader(fh))
    assert result.created == rows_in_file
    assert result.created >= 60
    assert (result.updated, result.unchanged) == (0, 0)
    assert Matter.objects.filter(district=world.district).count() == rows_in_file
    assert DiscretionLevel.objects.count() == 3 * rows_in_file
    assert AuditEntry.objects.filter(action="matter.create").count() == rows_in_file
    domains = set(Matter.objects.values_list("domain", flat=True))
    assert {
        Domain.CITY_APPEARANCE,
        Domain.CONSTRUCTION,
        Domain.CATERING_FUMES,
        Domain.OUTDOOR_ADS,
        Domain.MARKET,
        Domain.FIRE_SAFETY,
        Domain.CULTURE_TOURISM,
        Domain.EMERGENCY,
    } <= domains


def test_shipped_catalogue_tiers_are_ordered_and_checklists_complete(world: Any, departments: Any) -> None:
    matters_import(actor=SystemActor("系统"), district=world.district, path_or_file=SHIPPED)

    for matter in Matter.objects.prefetch_related("discretion_levels", "checklist"):
        levels = {level.tier: level for level in matter.discretion_levels.all()}
        assert set(levels) == {"minor", "serious", "severe"}, matter.code
        fined = [levels[t] for t in ("minor", "serious", "severe") if levels[t].fine_max is not None]
        for level in fined:
            assert level.fine_min is not None and level.fine_min <= level.fine_max, matter.code
        maxima = [level.fine_max for level in fined]
        assert maxima == sorted(maxima), matter.code
        assert 3 <= matter.checklist.count() <= 5, matter.code
        assert matter.keywords, matter.code
        if matter.is_first_violation_exempt:
            assert matter.first_violation_condition, matter.code


def test_reimporting_the_same_file_changes_nothing(world: Any, departments: Any) -> None:
    first = matters_import(actor=SystemActor("系统"), district=world.district, path_or_file=SHIPPED)
    audit_before = AuditEntry.objects.count()

    again = matters_import(actor=SystemActor("系统"), district=world.district, path_or_file=SHIPPED)

    assert (again.created, again.updated, again.unchanged) == (0, 0, first.created)
    assert AuditEntry.objects.count() == audit_before


def test_reimport_updates_changed_matter_instead_of_duplicating(world: Any) -> None:
    matters_import(
        actor=SystemActor("系统"), district=world.district, path_or_file=csv_file([row(), row(code="ZJ-SR-902")])
    )
    changed = row(name="擅自占用城市道路", serious_fine_max="8000", checklist="是否持有占道许可|占用面积")

    result = matters_import(
        actor=SystemActor("系统"), district=world.district, path_or_file=csv_file([changed, row(code="ZJ-SR-902")])
    )

    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    matter = Matter.objects.get(code="ZJ-SR-901")
    assert Matter.objects.count() == 2
    assert matter.name == "擅自占用城市道路"
    assert matter.discretion_levels.get(tier="serious").fine_max == Decimal("8000.00")
    assert list(matter.checklist.values_list("text", flat=True)) == ["是否持有占道许可", "占用面积"]
    entry = AuditEntry.objects.get(action="matter.update")
    assert entry.object_id == str(matter.pk)
    assert entry.before["name"] == "擅自占用城市道路设摊经营"
    assert entry.after["name"] == "擅自占用城市道路"
    assert entry.before["tiers"][1]["fine_max"] == "5000.00"
    assert entry.after["tiers"][1]["fine_max"] == "8000.00"
    assert entry.after["checklist"] == ["是否持有占道许可", "占用面积"]


def test_malformed_file_reports_every_row_error_and_writes_nothing(world: Any) -> None:
    rows = [
        row(code="ZJ-OK-001"),
        row(code="ZJ-BAD-002", department="XYZ"),
        row(code="ZJ-BAD-003", domain="weather"),
        row(code="ZJ-BAD-004", minor_fine_max="五百"),
        row(code="ZJ-BAD-005", severe_fine_min="30000"),
        row(code="ZJ-BAD-006", serious_fine_max="30000", severe_fine_max="20000"),
        row(code="ZJ-OK-001"),
        row(code="ZJ-BAD-008", name=""),
        row(code="ZJ-BAD-009", penalty_kinds="fine|鞭刑"),
        row(code="ZJ-BAD-010", subject_categories="catering|spaceport"),
    ]
    matters_before = Matter.objects.count()
    audit_before = AuditEntry.objects.count()

    with pytest.raises(ValidationFailed) as caught:
        matters_import(actor=SystemActor("系统"), district=world.district, path_or_file=csv_file(rows))

    error = caught.value
    assert error.code == "import_rows_invalid"
    assert error.message == "导入文件有9行错误，未导入任何数据"
    found = [(e["row"], e["column"], e["code"]) for e in error.details["errors"]]
    assert found == [
        (3, "department", "unknown_department"),
        (4, "domain", "unknown_domain"),
        (5, "minor_fine_max", "bad_decimal"),
        (6, "severe_fine_min", "fine_range_inverted"),
        (7, "severe_fine_max", "tier_order_invalid"),
        (8, "code", "duplicate_code"),
        (9, "name", "required"),
        (10, "penalty_kinds", "unknown_penalty_kind"),
        (11, "subject_categories", "unknown_subject_category"),
    ]
    messages = {e["row"]: e["message"] for e in error.details["errors"]}
    assert messages[3] == "第3行“责任部门”列：部门编码 XYZ 不存在"
    assert messages[8] == "第8行“事项编码”列：事项编码 ZJ-OK-001 与第2行重复"
    assert messages[9] == "第9行“事项名称”列：必填，不能为空"
    assert Matter.objects.count() == matters_before
    assert AuditEntry.objects.count() == audit_before


def test_a_row_with_several_problems_reports_each_of_them(world: Any) -> None:
    bad = row(department="XYZ", minor_fine_min="450", minor_fine_max="400", penalty_kinds="warning")

    with pytest.raises(ValidationFailed) as caught:
        matters_import(actor=SystemActor("系统"), district=world.district, path_or_file=csv_file([bad]))

    found = [(e["row"], e["column"], e["code"]) for e in caught.value.details["errors"]]
    assert found == [
        (2, "department", "unknown_department"),
        (2, "minor_fine_min", "fine_range_inverted"),
        (2, "penalty_kinds", "fine_kind_missing"),
    ]
    assert caught.value.message == "导入文件有1行错误，未导入任何数据"


def test_missing_required_column_is_reported_on_the_header_row(world: Any) -> None:
    header = [key for key in HEADER if key != "department"]

    with pytest.raises(ValidationFailed) as caught:
        matters_import(
            actor=SystemActor("系统"), district=world.district, path_or_file=csv_file([row()], header=header)
        )

    assert caught.value.details["errors"] == [
        {
            "row": 1,
            "column": "department",
            "code": "missing_column",
            "message": "第1行（表头）：缺少必填列“责任部门”（department）",
        }
    ]
    assert Matter.objects.count() == 0


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_is_read_with_or_without_bom_and_from_excel_gbk(world: Any, encoding: str) -> None:
    result = matters_import(
        actor=SystemActor("系统"), district=world.district, path_or_file=csv_file([row()], encoding=encoding)
    )

    assert result.created == 1
    assert Matter.objects.get().name == "擅自占用城市道路设摊经营"


def test_xlsx_with_chinese_headers_and_numeric_cells_imports(world: Any) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([c.label for c in COLUMNS])
    numeric = {
        "minor_fine_min": 50,
        "minor_fine_max": 500.0,
        "serious_fine_min": 500,
        "serious_fine_max": 5000,
        "severe_fine_min": 5000,
        "severe_fine_max": 20000,
    }
    for code in ("ZJ-SR-901", "ZJ-SR-902"):
        values = row(code=code, domain="市容环卫", penalty_kinds="罚款", subject_categories="流动摊贩；餐饮")
        sheet.append([numeric.get(c.key, values[c.key]) for c in COLUMNS])
    sheet.append([None] * len(COLUMNS))  # trailing blank line, as Excel often leaves
    data = io.BytesIO()
    workbook.save(data)
    data.seek(0)
    data.name = "目录.xlsx"

    result = matters_import(actor=SystemActor("系统"), district=world.district, path_or_file=data)

    assert (result.created, result.updated) == (2, 0)
    matter = Matter.objects.get(code="ZJ-SR-902")
    assert matter.domain == "city_appearance"
    assert matter.penalty_kinds == ["fine"]
    assert matter.subject_categories == ["catering", "street_vendor"]
    assert [(lv.tier, lv.fine_min, lv.fine_max) for lv in matter.discretion_levels.order_by("fine_max")] == [
        ("minor", Decimal("50.00"), Decimal("500.00")),
        ("serious", Decimal("500.00"), Decimal("5000.00")),
        ("severe", Decimal("5000.00"), Decimal("20000.00")),
    ]
    assert ChecklistItem.objects.filter(matter=matter).count() == 3


def test_xlsx_row_errors_use_spreadsheet_row_numbers(world: Any) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append([row()[k] for k in HEADER])
    sheet.append([row(code="ZJ-SR-902", department="NOPE")[k] for k in HEADER])
    data = io.BytesIO()
    workbook.save(data)
    data.seek(0)

    with pytest.raises(ValidationFailed) as caught:
        matters_import(actor=SystemActor("系统"), district=world.district, path_or_file=data, file_format="xlsx")

    assert [(e["row"], e["column"]) for e in caught.value.details["errors"]] == [(3, "department")]
    assert Matter.objects.count() == 0


@pytest.mark.parametrize("persona", ["officer_a", "auxiliary_a", "liaison", "business_owner", "leader"])
def test_only_catalogue_editors_may_import(world: Any, persona: str) -> None:
    with pytest.raises(PermissionDenied) as caught:
        matters_import(actor=world.user(persona), district=world.district, path_or_file=csv_file([row()]))

    assert caught.value.code == "catalogue_edit_forbidden"
    assert Matter.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_dispatcher_import_is_audited_under_their_account(world: Any) -> None:
    matters_import(actor=world.user("dispatcher"), district=world.district, path_or_file=csv_file([row()]))

    entry = AuditEntry.objects.get(action="matter.create")
    assert entry.actor_id == world.user("dispatcher").pk
    assert entry.district_id == world.district.pk
    assert entry.reason == "批量导入执法事项：matters.csv"
    assert entry.after["code"] == "ZJ-SR-901"
    assert entry.after["subject_categories"] == ["catering", "street_vendor"]
