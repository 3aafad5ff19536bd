"""Set-up shared by the inspections tests: the world's market department with matters and certified officers."""

from dataclasses import dataclass
from typing import Any

import pytest

from zhifa.catalog.models import Domain
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.core.models import AuditEntry
from zhifa.inspections.models import (
    ChecklistVersion,
    ChecklistVersionItem,
    ConflictOfInterest,
    InspectionPlan,
    PlanSubject,
)
from zhifa.org.tests.factories import OfficerFactory
from zhifa.subjects.tests.factories import SubjectFactory


@dataclass
class Market:
    matter: Any
    officers: list[Any]
    subjects: list[Any]


@pytest.fixture
def market(world: Any) -> Market:
    """The market department (the liaison's): one matter on catering, four certified officers, twelve
    catering subjects."""
    matter = MatterFactory(
        department=world.market_dept,
        code="SC-001",
        name="食品经营许可检查",
        domain=Domain.MARKET,
        subject_categories=["catering"],
    )
    officers = [
        OfficerFactory(
            district=world.district, home_department=world.market_dept, name=f"市监{i}", certified_domains=["market"]
        )
        for i in range(4)
    ]
    subjects = [SubjectFactory(district=world.district, name=f"味道餐饮店{i}") for i in range(12)]
    return Market(matter, officers, subjects)


def footprint() -> tuple[int, ...]:
    """Everything the app's services write, counted."""
    return (
        InspectionPlan.objects.count(),
        PlanSubject.objects.count(),
        ChecklistVersion.objects.count(),
        ChecklistVersionItem.objects.count(),
        ConflictOfInterest.objects.count(),
        AuditEntry.objects.count(),
    )
