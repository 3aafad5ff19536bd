from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from conftest import POINT_IN_A
from zhifa.subjects.models import Subject
from zhifa.subjects.tests.factories import uscc_for

pytestmark = pytest.mark.django_db


def test_command_imports_a_file_for_the_district(
    world: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "subjects.csv"
    path.write_text(
        f"kind,category,name,uscc,address,lon,lat\nbusiness,catering,知味观,{uscc_for(1)},仁和路,{POINT_IN_A[0]},{POINT_IN_A[1]}\n"
    )

    call_command("import_subjects", str(path), "--district", world.district.code)

    assert "已导入 1 个执法对象" in capsys.readouterr().out
    assert Subject.objects.get().name == "知味观"


def test_command_reports_each_bad_row(world: Any, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("kind,category,name,address,lon,lat\nshop,catering,知味观,仁和路,120.105,30.305\n")

    with pytest.raises(CommandError) as exc:
        call_command("import_subjects", str(path), "--district", world.district.code)

    assert "第2行 kind" in str(exc.value)
    assert Subject.objects.count() == 0
