"""Factories for subjects. A subject's street, zone and grid come from its point, as in the service: by
default the point is ``POINT_IN_A`` (the ``world`` fixture's street A); pass ``lon``/``lat`` to move it."""

import datetime as dt
from typing import Any

import factory

from conftest import POINT_IN_A
from zhifa.catalog.models import SubjectCategory
from zhifa.core.identifiers import id_check_digit, uscc_check_char
from zhifa.geo.services import locate_point
from zhifa.org.tests.factories import DistrictFactory, UserFactory
from zhifa.subjects.models import Licence, Subject, SubjectKind, SubjectOwner
from zhifa.subjects.search_keys import name_search_keys

SEQUENCE_BASE = 500_000_000


def uscc_for(n: int, region: str = "330105") -> str:
    """A valid 统一社会信用代码 (enterprise, registered in ``region``) numbered ``n``."""
    first17 = f"91{region}{n:09d}"
    return first17 + uscc_check_char(first17)


def id_number_for(n: int, born: str = "19800101", region: str = "330105") -> str:
    """A valid 居民身份证号码 numbered ``n`` (0–999)."""
    first17 = f"{region}{born}{n % 1000:03d}"
    return first17 + id_check_digit(first17)


def _location(o: Any) -> Any:
    return locate_point(district_id=o.district.pk, lon=o.lon, lat=o.lat)


class SubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subject

    class Params:
        location = factory.LazyAttribute(_location)

    district = factory.SubFactory(DistrictFactory)
    kind = SubjectKind.BUSINESS
    category = SubjectCategory.CATERING
    name = factory.Sequence(lambda n: f"测试餐馆{n}号")
    name_pinyin = factory.LazyAttribute(lambda o: name_search_keys(o.name)[0])
    name_initials = factory.LazyAttribute(lambda o: name_search_keys(o.name)[1])
    # Far above the small numbers tests spell out (``uscc_for(900)`` …): the sequence runs on through the whole
    # session, and once reached 900 and collided with a fixture's code depending on which tests ran before.
    uscc = factory.Sequence(lambda n: uscc_for(SEQUENCE_BASE + n))
    responsible_person = "张三"
    phone = "0571-88886666"
    address = factory.Sequence(lambda n: f"测试路{n}号")
    lon = POINT_IN_A[0]
    lat = POINT_IN_A[1]
    street_id = factory.LazyAttribute(lambda o: o.location.street_id)
    zone_id = factory.LazyAttribute(lambda o: o.location.zone_id)
    grid_id = factory.LazyAttribute(lambda o: o.location.grid_id)


class IndividualTraderFactory(SubjectFactory):
    kind = SubjectKind.INDIVIDUAL_TRADER
    uscc = ""
    id_number = factory.Sequence(lambda n: id_number_for(n))


class VehicleFactory(SubjectFactory):
    kind = SubjectKind.VEHICLE
    category = SubjectCategory.MUCK_VEHICLE
    name = factory.Sequence(lambda n: f"渣土车{n}")
    plate_number = factory.Sequence(lambda n: f"浙A{n:05d}")


class LicenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Licence

    subject = factory.SubFactory(SubjectFactory)
    kind = "食品经营许可证"
    number = factory.Sequence(lambda n: f"JY3330105{n:07d}")
    issued_by = "拱墅区市场监督管理局"
    valid_from = dt.date(2024, 1, 1)
    valid_until = None


class SubjectOwnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubjectOwner

    subject = factory.SubFactory(SubjectFactory)
    user = factory.SubFactory(UserFactory)
