"""The inspection report page's port to the cases app: which case leads were refused (不予立案) or withdrawn (撤案)
and so are not counted as 立案 — read in batches, as a district's report over a long period can hand over more
leads than a statement takes parameters."""

import datetime as dt
from typing import Any

import pytest

from zhifa.cases import services
from zhifa.cases.tests import conftest as cases_conftest
from zhifa.cases.tests.conftest import CaseWorld, filed, lead
from zhifa.core import batches
from zhifa.web.inspection_report_views import _cases_not_counted

pytestmark = pytest.mark.django_db
cw = cases_conftest.cw
frozen = cases_conftest.frozen


@pytest.mark.parametrize("batch", [None, 1], ids=["one read", "a read per case"])
def test_the_leads_not_counted_are_found_whether_read_at_once_or_in_batches(
    cw: CaseWorld, batch: int | None, monkeypatch: Any
) -> None:
    if batch is not None:
        monkeypatch.setattr(batches, "BATCH", batch)
    kept = filed(cw)
    asked = services.submit_filing(
        lead(cw),
        actor=cw.user("officer_a"),
        legal_date=dt.date(2026, 3, 3),
        handler=cw.officer,
        co_handler=cw.colleague,
    )
    refused = services.not_file(
        asked, actor=cw.user("leader"), legal_date=dt.date(2026, 3, 6), reason="不属于本机关管辖"
    )
    withdrawn = services.withdraw(filed(cw), actor=cw.user("leader"), legal_date=dt.date(2026, 3, 6), reason="撤案")

    found = _cases_not_counted([kept.pk, refused.pk, withdrawn.pk])

    assert found == {refused.pk, withdrawn.pk}
