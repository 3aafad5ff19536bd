"""The cases' world (district, officers, matter; clock frozen at 2026-06-01) and a decision served on 17 March
2026 for a fine of 1,000 yuan, whose payment is due on 1 April (APL 67: 15 days); a bank channel of the
district with its key."""

from typing import Any

import pytest

from zhifa.cases import services
from zhifa.cases.models import Case
from zhifa.cases.tests.conftest import CaseWorld, cw, frozen, noticed  # noqa: F401  (fixtures used by name)
from zhifa.integrations.payments.models import ChannelKind, PaymentChannelAccount

SECRET = "bank-secret-0123456789abcdef0123456789"


@pytest.fixture
def served(cw: CaseWorld) -> Case:  # noqa: F811
    import datetime as dt

    case = services.decide(noticed(cw), actor=cw.user("leader"), legal_date=dt.date(2026, 3, 16))
    services.serve(case, actor=cw.user("officer_a"), legal_date=dt.date(2026, 3, 17), method="direct")
    case.refresh_from_db()
    return case


@pytest.fixture
def bank(cw: CaseWorld) -> PaymentChannelAccount:  # noqa: F811
    return PaymentChannelAccount.objects.create(
        district=cw.world.district,
        code="ICBC-GS",
        kind=ChannelKind.BANK,
        name="工商银行拱墅支行（代收）",
        secret=SECRET,
    )


def footprint(case: Case) -> tuple[Any, ...]:
    from zhifa.core.models import AuditEntry

    case.refresh_from_db()
    return (case.status, case.payments.count(), case.steps.count(), AuditEntry.objects.count())
