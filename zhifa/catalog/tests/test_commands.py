from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from zhifa.catalog.models import Matter
from zhifa.catalog.tests.test_importer import SHIPPED, csv_file, row


def test_import_matters_loads_the_shipped_catalogue(world: Any, departments: Any) -> None:
    out = StringIO()

    call_command("import_matters", str(SHIPPED), district=world.district.code, stdout=out)

    count = Matter.objects.filter(district=world.district).count()
    assert count >= 60
    assert out.getvalue().strip() == f"拱墅区：新增 {count} 项，更新 0 项，未变 0 项。"


def test_import_matters_prints_row_errors_and_fails(world: Any, tmp_path: Any) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_file([row(department="XYZ")]).getvalue())
    err = StringIO()

    with pytest.raises(CommandError, match="导入文件有1行错误，未导入任何数据"):
        call_command("import_matters", str(path), district=world.district.code, stderr=err)

    assert err.getvalue().strip() == "第2行“责任部门”列：部门编码 XYZ 不存在"
    assert Matter.objects.count() == 0


def test_import_matters_unknown_district(world: Any) -> None:
    with pytest.raises(CommandError, match="区不存在：999999"):
        call_command("import_matters", str(SHIPPED), district="999999")
