"""Factories for the organisation. Boundaries are small squares so tests know which point is where."""

import datetime as dt
from typing import Any

import factory
from django.contrib.auth import get_user_model

from zhifa.org.models import (
    AuxiliaryStaff,
    Department,
    DepartmentKind,
    District,
    Grid,
    Officer,
    Profile,
    Street,
    Team,
    Zone,
)
from zhifa.org.roles import Role


def square(lon: float, lat: float, size: float = 0.01) -> dict[str, Any]:
    """A GeoJSON polygon with its south-west corner at (lon, lat)."""
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ["code"]

    code = "330105"
    name = "拱墅区"
    agency_name = "杭州市拱墅区综合行政执法局"
    agency_abbreviation = "杭拱综执"
    boundary = factory.LazyFunction(lambda: square(120.10, 30.30, 0.04))


class StreetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Street

    district = factory.SubFactory(DistrictFactory)
    code = factory.Sequence(lambda n: f"S{n:02d}")
    name = factory.Sequence(lambda n: f"测试{n}街道")
    boundary = factory.LazyFunction(lambda: square(120.10, 30.30))


class ZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Zone

    street = factory.SubFactory(StreetFactory)
    district = factory.SelfAttribute("street.district")
    code = factory.Sequence(lambda n: f"Z{n:03d}")
    name = factory.Sequence(lambda n: f"第{n}片区")
    boundary = factory.SelfAttribute("street.boundary")


class GridFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grid

    zone = factory.SubFactory(ZoneFactory)
    street = factory.SelfAttribute("zone.street")
    district = factory.SelfAttribute("zone.district")
    code = factory.Sequence(lambda n: f"G{n:04d}")
    name = factory.Sequence(lambda n: f"第{n}网格")
    boundary = factory.SelfAttribute("zone.boundary")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    district = factory.SubFactory(DistrictFactory)
    code = factory.Sequence(lambda n: f"D{n:02d}")
    name = factory.Sequence(lambda n: f"测试部门{n}")
    short_name = factory.Sequence(lambda n: f"部门{n}")
    kind = DepartmentKind.DEPARTMENT
    is_sinking = True


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    street = factory.SubFactory(StreetFactory)
    district = factory.SelfAttribute("street.district")
    name = factory.LazyAttribute(lambda o: f"{o.street.name}综合行政执法队")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("zhifa-test-pw")


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile

    user = factory.SubFactory(UserFactory)
    district = factory.SubFactory(DistrictFactory)
    role = Role.DISPATCHER
    display_name = factory.Sequence(lambda n: f"用户{n}")


class OfficerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Officer

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"队员{n}")
    badge_no = factory.Sequence(lambda n: f"B{n:05d}")
    certificate_no = factory.Sequence(lambda n: f"33010520{n:06d}")
    certificate_valid_until = dt.date(2029, 12, 31)
    home_department = factory.SubFactory(DepartmentFactory, district=factory.SelfAttribute("..district"))


class AuxiliaryStaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuxiliaryStaff

    street = factory.SubFactory(StreetFactory)
    district = factory.SelfAttribute("street.district")
    name = factory.Sequence(lambda n: f"协管员{n}")
    staff_no = factory.Sequence(lambda n: f"X{n:05d}")
    duties = "信息采集、巡查协助、文书送达"
    contract_start_on = dt.date(2025, 1, 1)
    contract_end_on = dt.date(2027, 12, 31)
