from typing import Any

import pytest

from zhifa.catalog.tests.factories import DEPARTMENT_CODES
from zhifa.org.models import Department
from zhifa.org.tests.factories import DepartmentFactory


@pytest.fixture
def departments(world: Any) -> dict[str, Department]:
    """Every department the shipped catalogue names, in the world's district (ZHZF and SCJG are the world's)."""
    found = {d.code: d for d in Department.objects.filter(district=world.district)}
    for code, name in DEPARTMENT_CODES.items():
        if code not in found:
            found[code] = DepartmentFactory(district=world.district, code=code, name=name, short_name=name[1:5])
    return found
