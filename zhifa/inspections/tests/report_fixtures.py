"""A known world for the inspections' report (issue 12 part 8): March 2026 against the 31 days before it.

Street A (甲街道) — three subjects at the same point:
- visit 1 (老街面馆0) signed 5 March: findings 一般, 较大, 重大 on 油烟排放检查; orders: 一般 rectified, 较大 escalated
  to case 77, 重大 issued with its lead (case 78);
- visit 2 (老街面馆1) signed 20 March: 一般 on 食品经营检查 (rectified), 较大 off the checklist (no order);
- visit 3 (老街面馆2) signed 20 February (previous period: not counted), its finding rectified;
- visit 4 (老街面馆0) started 25 March, not signed (not counted).
Street B (乙街道): visit 5 signed 10 March, one 一般 finding (no order) — the district's only.

Colours: 面馆0 red (1 Feb) → green (25 Mar) → yellow (5 Apr, after the period); 面馆1 red (15 Feb) → yellow
(10 Mar); 面馆2 green from 5 Mar only (no colour at the start); street B's subject red (1 Feb) → green (15 Mar).

Complaints near street A's subjects: March 2 hotline + 1 Open311 (counted), 1 API, 1 merged hotline and 1
hotline 190 m away (not counted); previous period 5 hotline: change (3 − 5) / 5 = −40 %.

Answer for street A: 2 visits, 5 findings (一般 2, 较大 2, 重大 1), 4 orders, 2 rectified, 2 cases, 1 red → green
(and 1 red → yellow), complaints 3 against 5 (−40 %). The district: 3 visits, 6 findings, 2 red → green.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from conftest import POINT_IN_A, POINT_IN_B
from zhifa.events.states import EventSource, EventStatus
from zhifa.events.tests.factories import EventFactory
from zhifa.inspections.colours import colour_model_current
from zhifa.inspections.models import InspectionFinding, JointInspection, RectificationOrder, SubjectColour
from zhifa.inspections.states import RectificationStatus, VisitStatus
from zhifa.inspections.tests.visit_fixtures import Joint, joint_world
from zhifa.subjects.tests.factories import SubjectFactory

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 4, 10, 9, 0, tzinfo=SH)
MARCH = ("2026-03-01", "2026-03-31")


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=SH)


@dataclass
class ReportWorld:
    joint: Joint
    subject_b: Any
    visits: list[JointInspection]
    findings: dict[str, InspectionFinding]


def _visit(world: Any, subject: Any, street: Any, signed: dt.datetime | None, officer: Any) -> JointInspection:
    v = JointInspection.objects.create(
        district=world.district,
        subject=subject,
        street=street,
        earliest=(signed or at(3, 25)).date(),
        latest=(signed or at(3, 25)).date(),
        status=VisitStatus.SIGNED if signed else VisitStatus.STARTED,
        merged_by="测试",
        started_at=(signed or at(3, 25)) - dt.timedelta(hours=1),
        signed_at=signed,
    )
    v.officers.add(officer)
    v.departments.add(world.enforcement_dept)
    return v


def _finding(visit: JointInspection, item: Any, dept: Any, severity: str, text: str, officer: Any) -> InspectionFinding:
    assert visit.started_at is not None
    return InspectionFinding.objects.create(
        inspection=visit,
        item=item,
        department=dept,
        severity=severity,
        description=text,
        recorded_by=officer,
        recorded_at=visit.started_at + dt.timedelta(minutes=10),
    )


def _order(finding: InspectionFinding, status: str, case_id: int | None = None) -> RectificationOrder:
    v = finding.inspection
    return RectificationOrder.objects.create(
        district=v.district,
        finding=finding,
        subject=v.subject,
        street=v.street,
        department=finding.department,
        severity=finding.severity,
        requirement=f"整改：{finding.description}",
        status=status,
        issued_at=finding.recorded_at,
        issued_by=finding.recorded_by,
        deadline=finding.recorded_at.date() + dt.timedelta(days=10),
        deadline_rule="测试",
        closed_at=finding.recorded_at + dt.timedelta(days=3) if status != RectificationStatus.ISSUED else None,
        on_time=True if status == RectificationStatus.RECTIFIED else None,
        case_id=case_id,
        case_number=f"AJ{case_id}" if case_id else "",
    )


def _colours(world: Any, subject: Any, rows: list[tuple[str, dt.datetime]]) -> None:
    version = colour_model_current(district_id=world.district.pk)
    previous = ""
    for n, (colour, when) in enumerate(rows):
        SubjectColour.objects.create(
            district=world.district,
            subject=subject,
            colour=colour,
            previous_colour=previous,
            score=1.0,
            explanation={},
            model_version=version,
            trigger="测试",
            computed_at=when,
            is_current=n == len(rows) - 1,
        )
        previous = colour


def _event(
    world: Any, source: str, when: dt.datetime, *, status: str = EventStatus.REPORTED, off: float = 0.0001
) -> Any:
    return EventFactory(
        grid=world.grid_a,
        source=source,
        status=status,
        reported_at=when,
        lon=POINT_IN_A[0] + off,
        lat=POINT_IN_A[1],
        description="工地夜间施工噪声扰民",
    )


def report_world(world: Any, *, hostile_name: str = "") -> ReportWorld:
    joint = joint_world(world)
    s0, s1, s2 = joint.subjects
    if hostile_name:
        s1.name = hostile_name
        s1.save(update_fields=["name"])
    officer = joint.enforcement_officers[0]
    enf_item = joint.enforcement_items[0]
    market_item = joint.market_items[0]
    enf, market = world.enforcement_dept, world.market_dept
    subject_b = SubjectFactory(district=world.district, name="乙街工地", lon=POINT_IN_B[0], lat=POINT_IN_B[1])

    # The colour history first: a visit signed recolours its subject after the commit (in a browser test, where
    # commits happen), which writes a newer row on top of this history, computed now — after the period.
    _colours(world, s0, [("red", at(2, 1)), ("green", at(3, 25)), ("yellow", at(4, 5))])
    _colours(world, s1, [("red", at(2, 15)), ("yellow", at(3, 10))])
    _colours(world, s2, [("green", at(3, 5))])
    _colours(world, subject_b, [("red", at(2, 1)), ("green", at(3, 15))])

    v1 = _visit(world, s0, world.street_a, at(3, 5), officer)
    v2 = _visit(world, s1, world.street_a, at(3, 20), officer)
    v3 = _visit(world, s2, world.street_a, at(2, 20), officer)
    v4 = _visit(world, s0, world.street_a, None, officer)
    v5 = _visit(world, subject_b, world.street_b, at(3, 10), officer)
    f = {
        "v1_general": _finding(v1, enf_item, enf, "general", "油烟净化器未开启", officer),
        "v1_major": _finding(v1, enf_item, enf, "major", "油烟管道破损", officer),
        "v1_serious": _finding(v1, enf_item, enf, "serious", "燃气管道私接", officer),
        "v2_general": _finding(v2, market_item, market, "general", "许可证过期", officer),
        "v2_major": _finding(v2, None, enf, "major", "消防通道堵塞", officer),
        "v3_general": _finding(v3, enf_item, enf, "general", "二月的隐患", officer),
        "v4_general": _finding(v4, enf_item, enf, "general", "未签署检查的隐患", officer),
        "v5_general": _finding(v5, enf_item, enf, "general", "乙街道的隐患", officer),
    }
    _order(f["v1_general"], RectificationStatus.RECTIFIED)
    _order(f["v1_major"], RectificationStatus.ESCALATED, case_id=77)
    _order(f["v1_serious"], RectificationStatus.ISSUED, case_id=78)
    _order(f["v2_general"], RectificationStatus.RECTIFIED)
    _order(f["v3_general"], RectificationStatus.RECTIFIED)

    for day in (3, 12):
        _event(world, EventSource.HOTLINE, at(3, day))
    _event(world, EventSource.OPEN311, at(3, 28))
    _event(world, EventSource.API, at(3, 14))
    _event(world, EventSource.HOTLINE, at(3, 15), status=EventStatus.MERGED)
    _event(world, EventSource.HOTLINE, at(3, 16), off=0.002)
    for day in (1, 5, 9, 20, 28):
        _event(world, EventSource.HOTLINE, at(2, day))
    _event(world, EventSource.HOTLINE, at(1, 20))  # before the previous period
    return ReportWorld(joint, subject_b, [v1, v2, v3, v4, v5], f)
