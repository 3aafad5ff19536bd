"""A known world for the joint inspection's tests: two departments with one catering matter each and a
checklist version each, drawn plans whose periods overlap, their officers (甲队员 is officer_a's), and the
subjects drawn (all in street A)."""

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw

from zhifa.catalog.models import Domain
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.core.models import AuditEntry
from zhifa.inspections.models import (
    ChecklistVersion,
    ChecklistVersionItem,
    InspectionFinding,
    InspectionItemResult,
    InspectionPhoto,
    InspectionPlan,
    InspectionSignature,
    JointInspection,
    PlanSubject,
    RepeatInspectionAlert,
)
from zhifa.inspections.states import PlanStatus
from zhifa.org.models import Officer
from zhifa.org.roles import Role
from zhifa.org.tests.factories import OfficerFactory, ProfileFactory, UserFactory
from zhifa.subjects.tests.factories import SubjectFactory


@dataclass
class Joint:
    world: Any
    subjects: list[Any]
    enforcement_items: list[ChecklistVersionItem]  # the first requires a photo
    market_items: list[ChecklistVersionItem]
    enforcement_officers: list[Officer]  # the first is officer_a's (甲队员)
    market_officers: list[Officer]  # the first has an account: "officer_m"
    market_user: Any


def version(matter: Any, texts: list[tuple[str, bool]]) -> list[ChecklistVersionItem]:
    v = ChecklistVersion.objects.create(district=matter.district, matter=matter, number=1, created_by="测试")
    return [
        ChecklistVersionItem.objects.create(version=v, position=i, text=text, requires_photo=photo)
        for i, (text, photo) in enumerate(texts, start=1)
    ]


def plan(department: Any, starts: dt.date, ends: dt.date, rows: list[tuple[Any, Officer, Officer]]) -> InspectionPlan:
    p = InspectionPlan.objects.create(
        district=department.district,
        department=department,
        name=f"{department.short_name}{starts:%m}月抽查",
        starts_on=starts,
        ends_on=ends,
        target_ratio="0.5",
        grade_weights={},
        colour_weights={},
        status=PlanStatus.DRAWN,
        seed="0" * 64,
    )
    for position, (subject, first, second) in enumerate(rows, start=1):
        PlanSubject.objects.create(
            plan=p,
            subject=subject,
            position=position,
            credit_grade="B",
            weight=1.0,
            first_officer=first,
            second_officer=second,
        )
    return p


def joint_world(world: Any) -> Joint:
    enforcement_matter = MatterFactory(
        department=world.enforcement_dept, code="ZF-101", name="油烟排放检查", subject_categories=["catering"]
    )
    market_matter = MatterFactory(
        department=world.market_dept,
        code="SC-101",
        name="食品经营检查",
        domain=Domain.MARKET,
        subject_categories=["catering"],
    )
    enforcement_items = version(enforcement_matter, [("油烟净化设施正常运行", True), ("门前无占道经营", False)])
    market_items = version(market_matter, [("持有效食品经营许可证", False)])
    officer_a = Officer.objects.get(user=world.users["officer_a"])
    enforcement_officers = [officer_a, OfficerFactory(district=world.district, home_department=world.enforcement_dept)]
    market_user = UserFactory(username="officer_m")
    ProfileFactory(user=market_user, district=world.district, role=Role.OFFICER, street=world.street_a)
    market_officers = [
        OfficerFactory(district=world.district, user=market_user, home_department=world.market_dept, name="市监甲"),
        OfficerFactory(district=world.district, home_department=world.market_dept, name="市监乙"),
    ]
    subjects = [SubjectFactory(district=world.district, name=f"老街面馆{i}") for i in range(3)]
    return Joint(world, subjects, enforcement_items, market_items, enforcement_officers, market_officers, market_user)


def png(*, ink: bool = True, size: tuple[int, int] = (300, 120)) -> bytes:
    """A signature canvas's PNG: transparent, with a stroke when ``ink``."""
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    if ink:
        ImageDraw.Draw(image).line([(10, 60), (150, 20), (290, 100)], fill=(0, 0, 0, 255), width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def photo(name: str = "site.png") -> tuple[str, bytes]:
    image = Image.new("RGB", (40, 30), (200, 80, 40))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return name, out.getvalue()


def footprint() -> tuple[int, ...]:
    return (
        JointInspection.objects.count(),
        InspectionItemResult.objects.count(),
        InspectionFinding.objects.count(),
        InspectionPhoto.objects.count(),
        InspectionSignature.objects.count(),
        RepeatInspectionAlert.objects.count(),
        AuditEntry.objects.count(),
    )
