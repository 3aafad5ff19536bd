"""A day to plan (issue 12 part 4), on the shared world: two departments' drawn plans on street A's subjects and
one on street B's, street A's officers on the roster. Used by the selector, page and browser tests."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from zhifa.catalog.models import Domain
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.inspections.grades import default_colour_weights, default_grade_weights
from zhifa.inspections.models import InspectionPlan, PlanSubject
from zhifa.inspections.states import PlanStatus
from zhifa.org.models import DutyShift, Officer
from zhifa.org.tests.factories import OfficerFactory
from zhifa.subjects.tests.factories import SubjectFactory

DAY = dt.date(2026, 3, 10)  # a Tuesday
HOSTILE_NAME = '<img src=x onerror="window.__xss=1">联合餐馆'


@dataclass
class RouteDay:
    joint: Any  # street A: drawn by both departments (a joint visit)
    market_only: Any  # street A: drawn by the market department only
    other_street: Any  # street B: drawn by the enforcement department
    officers: list[Any]  # street A's on the day: two paired (market + enforcement), one on an evening shift


def _at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def _plan(world: Any, department: Any, starts_on: dt.date, ends_on: dt.date, subjects: list[Any]) -> InspectionPlan:
    officers = [
        OfficerFactory(district=world.district, home_department=department, name=f"抽中{department.code}{i}")
        for i in range(2)
    ]
    plan = InspectionPlan.objects.create(
        district=world.district,
        department=department,
        name=f"{department.short_name}三月抽查",
        starts_on=starts_on,
        ends_on=ends_on,
        target_ratio=Decimal("0.5"),
        grade_weights=default_grade_weights(),
        colour_weights=default_colour_weights(),
        status=PlanStatus.DRAWN,
    )
    for n, subject in enumerate(subjects, start=1):
        PlanSubject.objects.create(
            plan=plan,
            subject=subject,
            position=n,
            credit_grade="B",
            weight=1.0,
            first_officer=officers[0],
            second_officer=officers[1],
        )
    return plan


def route_day(world: Any, *, joint_name: str = "联合餐馆") -> RouteDay:
    MatterFactory(department=world.market_dept, code="SC-R1", domain=Domain.MARKET, subject_categories=["*"])
    MatterFactory(
        department=world.enforcement_dept, code="ZF-R1", domain=Domain.CITY_APPEARANCE, subject_categories=["*"]
    )
    joint = SubjectFactory(district=world.district, name=joint_name, lon=120.103, lat=30.303)
    market_only = SubjectFactory(district=world.district, name="只查市场餐馆", lon=120.107, lat=30.307)
    other_street = SubjectFactory(district=world.district, name="乙街道餐馆", lon=120.115, lat=30.305)
    _plan(world, world.market_dept, dt.date(2026, 3, 1), dt.date(2026, 3, 31), [joint, market_only])
    _plan(world, world.enforcement_dept, dt.date(2026, 3, 9), DAY, [joint, other_street])

    both = [Domain.MARKET.value, Domain.CITY_APPEARANCE.value]
    officer_a = Officer.objects.get(user=world.user("officer_a"))
    officer_a.certified_domains = both
    officer_a.save()
    second = OfficerFactory(
        district=world.district,
        home_department=world.market_dept,
        street=world.street_a,
        zone=world.zone_a,
        name="甲市监",
        certified_domains=both,
    )
    evening = OfficerFactory(
        district=world.district,
        home_department=world.enforcement_dept,
        street=world.street_a,
        name="甲夜班",
        certified_domains=both,
    )
    expired = OfficerFactory(
        district=world.district,
        home_department=world.market_dept,
        street=world.street_a,
        name="甲过期证",
        certified_domains=both,
        certificate_valid_until=dt.date(2026, 1, 1),
    )
    officer_b = Officer.objects.get(user=world.user("officer_b"))
    for officer, start, end in (
        (officer_a, _at(8, 30), _at(17, 30)),
        (second, _at(8, 30), _at(17, 30)),
        (evening, _at(18), _at(22)),
        (expired, _at(8, 30), _at(17, 30)),
        (officer_b, _at(8, 30), _at(17, 30)),
    ):
        DutyShift.objects.create(district=world.district, officer=officer, starts_at=start, ends_at=end)
    return RouteDay(joint, market_only, other_street, [officer_a, second, evening])
