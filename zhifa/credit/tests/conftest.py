"""Set-up shared by the credit tests: the cases tests' world (clock frozen on 1 June 2026) and a shop whose final
penalty decisions are walked through the real case services."""

import datetime as dt
from typing import Any

from zhifa.cases import services as cases
from zhifa.cases.models import Case, ServiceMethod
from zhifa.cases.services.leads import party_of_subject
from zhifa.cases.tests import conftest as cases_conftest
from zhifa.cases.tests.conftest import CaseWorld, noticed
from zhifa.core.models import AuditEntry
from zhifa.credit.models import CreditEntry, CreditGrade, CreditModelVersion
from zhifa.subjects.models import Subject
from zhifa.subjects.tests.factories import SubjectFactory, uscc_for

# The cases tests' fixtures: the world with a street team and a matter, the clock frozen on 1 June 2026.
cw = cases_conftest.cw
frozen = cases_conftest.frozen


def shop(cw: CaseWorld, n: int = 501, name: str = "杭州知味小吃有限公司") -> Subject:
    return SubjectFactory(district=cw.world.district, name=name, uscc=uscc_for(n))


def general_penalty(cw: CaseWorld, subject: Subject, *, served: bool = True) -> Case:
    """A fine of 1000 yuan in the general procedure: noticed 3-10, decided 3-16, served 3-17 (2026)."""
    case = noticed(cw, party=party_of_subject(subject))
    case = cases.decide(case, actor=cw.user("leader"), legal_date=dt.date(2026, 3, 16))
    if served:
        cases.serve(
            case,
            actor=cw.user("auxiliary_a"),
            legal_date=dt.date(2026, 3, 17),
            method=ServiceMethod.DIRECT,
            recipient="张三",
        )
    case.refresh_from_db()
    return case


def footprint() -> tuple[int, ...]:
    return (
        CreditEntry.objects.count(),
        CreditGrade.objects.count(),
        CreditModelVersion.objects.count(),
        AuditEntry.objects.count(),
    )


def at(day: dt.date) -> Any:
    """Travel to noon (Shanghai) of ``day``, the clock standing still."""
    import time_machine

    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 4, 0, tzinfo=dt.UTC), tick=False)
