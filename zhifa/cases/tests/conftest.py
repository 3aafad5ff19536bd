"""A district with a street team of certified officers, a matter with its discretion tiers, and a way to walk a
case through the general procedure to any stage with real services (the clock frozen at TODAY; every step
entered with its legal date, as a handler enters the paper steps of the past days)."""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client

from conftest import World
from zhifa.cases import services
from zhifa.cases.models import Case, Conclusion, PartyKind, PenaltyKind, RecordKind
from zhifa.catalog.models import Matter
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.core.actors import SystemActor
from zhifa.core.tokens import api_token_issue
from zhifa.org.models import Officer
from zhifa.org.tests.factories import OfficerFactory

# Monday 1 June 2026: every legal date of the tests lies before it (and every period they start ends within
# 2026, the last year the holiday package knows).
TODAY = dt.date(2026, 6, 1)
PERSON = services.Party(kind=PartyKind.PERSON, name="李大伟", id_number="330105199001011233", address="上塘路16号")


@dataclass
class CaseWorld:
    world: World
    officer: Officer
    colleague: Officer
    outsider: Officer
    matter: Matter

    def user(self, persona: str) -> Any:
        return self.world.user(persona)


@pytest.fixture
def frozen() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def cw(world: World, frozen: None) -> CaseWorld:
    officer = Officer.objects.get(user=world.user("officer_a"))
    colleague = OfficerFactory(
        district=world.district, name="甲二队员", home_department=world.enforcement_dept, street=world.street_a
    )
    outsider = OfficerFactory(
        district=world.district, name="法制科员", home_department=world.enforcement_dept, street=world.street_b
    )
    matter = MatterFactory(department=world.enforcement_dept, name="擅自占用城市道路")
    return CaseWorld(world, officer, colleague, outsider, matter)


def bearer(user: Any) -> Client:
    """An API client for ``user`` with a bearer token, as an integration or the phone app calls."""
    _, key = api_token_issue(actor=SystemActor("测试"), user=user, name="测试令牌")
    return Client(headers={"Authorization": f"Bearer {key}"})


def lead(
    cw: CaseWorld, *, party: services.Party = PERSON, discovered_on: dt.date = dt.date(2026, 3, 2), **kw: Any
) -> Case:
    return services.create_lead(
        actor=cw.user("officer_a"),
        street=cw.world.street_a,
        source=kw.pop("source", "patrol"),
        facts=kw.pop("facts", "在上塘路16号门前人行道摆摊设点，占用人行道约十平方米"),
        discovered_on=discovered_on,
        violation_ended_on=kw.pop("violation_ended_on", discovered_on),
        party=party,
        matter=cw.matter,
        address="上塘路16号",
        **kw,
    )


def filed(cw: CaseWorld, **kw: Any) -> Case:
    case = lead(cw, **kw)
    case = services.submit_filing(
        case, actor=cw.user("officer_a"), legal_date=dt.date(2026, 3, 3), handler=cw.officer, co_handler=cw.colleague
    )
    return services.approve_filing(case, actor=cw.user("leader"), legal_date=dt.date(2026, 3, 4), opinion="同意立案")


def concluded(cw: CaseWorld, *, fine: str = "1000.00", penalty: list[str] | None = None, **kw: Any) -> Case:
    case = filed(cw, **{k: kw.pop(k) for k in list(kw) if k in ("party", "discovered_on")})
    services.record_investigation(
        case,
        actor=cw.user("officer_a"),
        kind=RecordKind.INSPECTION,
        officers=[cw.officer, cw.colleague],
        legal_date=dt.date(2026, 3, 5),
        place="上塘路16号",
        content="现场检查：人行道上摆放货架三组",
    )
    return services.conclude(
        case,
        actor=cw.user("officer_a"),
        legal_date=dt.date(2026, 3, 9),
        conclusion=Conclusion.PENALTY,
        penalty=penalty or [PenaltyKind.FINE],
        fine=Decimal(fine),
        **kw,
    )


def noticed(cw: CaseWorld, *, on: dt.date = dt.date(2026, 3, 10), **kw: Any) -> Case:
    case = concluded(cw, **kw)
    if case.needs_legal_review:
        case = services.submit_review(case, actor=cw.user("officer_a"), legal_date=dt.date(2026, 3, 9))
        case = services.review(
            case, actor=cw.user("legal_reviewer"), legal_date=dt.date(2026, 3, 9), passed=True, opinion="事实清楚，同意"
        )
    return services.give_notice(case, actor=cw.user("officer_a"), legal_date=on)
