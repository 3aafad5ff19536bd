"""The catalogue import's 常用语 and 处置结果类型 columns (issue 16): a matter's own phrases and result types,
added after the district's defaults; a bad cell is reported with its row like every other, and nothing is
written."""

from typing import Any

import pytest

from zhifa.catalog.importer import matters_import
from zhifa.catalog.models import HandlingPhrase, HandlingResultType, Matter
from zhifa.catalog.selectors import handling_options
from zhifa.catalog.services import handling_defaults_install
from zhifa.catalog.tests.test_importer import csv_file, row
from zhifa.core.actors import SystemActor
from zhifa.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def import_rows(world: Any, rows: list[dict[str, str]]) -> Any:
    return matters_import(actor=SystemActor("系统"), district=world.district, path_or_file=csv_file(rows))


def test_the_columns_give_the_matter_its_own_phrases_and_result_types(world: Any) -> None:
    # Given the district's defaults
    handling_defaults_install(actor=SystemActor("系统"), district_id=world.district.pk)

    # When a sheet gives a matter two phrases, its own 暂扣物品 (photo) and its own 责令整改 (no photo), twice
    values = row(
        handling_phrases="已责令搬离占道物品。|当事人拒不整改，已拍照取证。",
        handling_result_types="暂扣物品*；责令整改",
    )
    import_rows(world, [values])
    import_rows(world, [values])

    # Then they are offered for the matter after the defaults, 责令整改 in the default's place, once each
    matter = Matter.objects.get(code="ZJ-SR-901")
    options = handling_options(district_id=world.district.pk, matter_id=matter.pk)
    assert [p.text for p in options.phrases][-2:] == ["已责令搬离占道物品。", "当事人拒不整改，已拍照取证。"]
    assert [(t.code, t.name, t.requires_photo) for t in options.result_types] == [
        ("rectified", "已整改", True),
        ("ordered", "责令整改", False),
        ("case_opened", "转立案", False),
        ("no_violation", "无违法事实", False),
        ("not_found", "现场未发现", False),
        ("暂扣物品", "暂扣物品", True),
    ]
    assert (
        HandlingPhrase.objects.filter(matter=matter).count(),
        HandlingResultType.objects.filter(matter=matter).count(),
    ) == (2, 2)


def test_a_bad_cell_is_reported_with_its_row_with_the_other_errors_and_nothing_is_written(world: Any) -> None:
    rows = [
        row(handling_result_types="*"),
        row(code="ZJ-SR-902", handling_phrases="长" * 201, law_name=""),
    ]
    with pytest.raises(ValidationFailed) as refused:
        import_rows(world, rows)
    assert refused.value.code == "import_rows_invalid"
    assert [(e["row"], e["column"], e["code"]) for e in refused.value.details["errors"]] == [
        (2, "handling_result_types", "invalid_result_type"),
        (3, "law_name", "required"),
        (3, "handling_phrases", "too_long"),
    ]
    assert (Matter.objects.count(), HandlingPhrase.objects.count(), HandlingResultType.objects.count()) == (0, 0, 0)
