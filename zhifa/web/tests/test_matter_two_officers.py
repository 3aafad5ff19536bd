"""The matter page says whether the matter's events need two certified officers (APL 42)."""

import re
from typing import Any

import pytest

from zhifa.catalog.models import Matter


@pytest.mark.parametrize(("flag", "shown"), [(True, "是"), (False, "否")])
def test_matter_detail_shows_whether_two_officers_are_needed(
    client_as: Any, matter: Matter, flag: bool, shown: str
) -> None:
    matter.requires_two_officers = flag
    matter.save(update_fields=["requires_two_officers"])

    body = client_as("dispatcher").get(f"/matters/{matter.pk}/").content.decode()

    assert re.findall(r"<dt>须两名持证人员</dt><dd>(.*?)</dd>", body) == [shown]
