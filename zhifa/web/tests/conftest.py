"""Records the web tests put into the shared ``world``: one subject in each street, one matter with tiers and
a checklist that applies to catering."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from conftest import POINT_IN_A, POINT_IN_B, World
from zhifa.catalog.models import ChecklistItem, DiscretionLevel, DiscretionTier, Domain, Matter, PenaltyKind
from zhifa.org.accounts import second_factor_required
from zhifa.org.tests.second_factor import pass_second_factor
from zhifa.subjects.models import Subject, SubjectKind
from zhifa.subjects.tests.factories import LicenceFactory, SubjectFactory, id_number_for, uscc_for

USCC_A = uscc_for(900)
ID_NUMBER_A = id_number_for(123, born="19900101")


def make_subject(world: World, *, in_street: str = "a", **fields: Any) -> Subject:
    lon, lat = POINT_IN_A if in_street == "a" else POINT_IN_B
    return SubjectFactory(district=world.district, lon=lon, lat=lat, **fields)


@pytest.fixture
def subject_a(world: World) -> Subject:
    subject = make_subject(
        world,
        kind=SubjectKind.INDIVIDUAL_TRADER,
        name="知味观餐饮店",
        uscc=USCC_A,
        id_number=ID_NUMBER_A,
        responsible_person="张三",
        address="甲街道湖墅南路100号",
    )
    LicenceFactory(subject=subject, number="JY13301050000001", valid_until=dt.date(2029, 1, 1))
    return subject


@pytest.fixture
def subject_b(world: World) -> Subject:
    return make_subject(world, in_street="b", name="乙街烧烤摊", address="乙街道丽水路8号")


@pytest.fixture
def matter(world: World) -> Matter:
    matter = Matter.objects.create(
        district=world.district,
        code="330217D01000",
        name="对餐饮服务经营者未安装油烟净化设施的行政处罚",
        domain=Domain.CATERING_FUMES,
        department=world.enforcement_dept,
        law_name="《中华人民共和国大气污染防治法》",
        violated_provision="第八十一条第一款 排放油烟的餐饮服务业经营者应当安装油烟净化设施并保持正常使用。",
        penalty_provision="第一百一十八条第一款 责令改正，处五千元以上五万元以下的罚款。",
        penalty_kinds=[PenaltyKind.FINE],
        is_first_violation_exempt=True,
        first_violation_condition="首次违法且危害后果轻微并及时改正",
        subject_categories=["catering"],
    )
    DiscretionLevel.objects.create(
        matter=matter,
        tier=DiscretionTier.MINOR,
        fine_min=Decimal("5000.00"),
        fine_max=Decimal("15000.00"),
        circumstances="经责令改正后及时改正",
        penalty="处五千元以上一万五千元以下罚款",
    )
    ChecklistItem.objects.create(matter=matter, position=1, text="是否安装油烟净化设施")
    ChecklistItem.objects.create(matter=matter, position=2, text="油烟净化设施是否正常使用")
    return matter


@pytest.fixture
def client_as(client: Client, world: World) -> Any:
    def login(persona: str) -> Client:
        user = world.user(persona)
        client.force_login(user)
        if second_factor_required(user):
            pass_second_factor(client, user)
        return client

    return login
