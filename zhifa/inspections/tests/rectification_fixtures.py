"""A signed visit in street A with one finding per severity (each from a checklist item with its legal basis, each
with one photo), for the rectification and three-colour tests."""

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile

from zhifa.core.models import AuditEntry
from zhifa.inspections.models import (
    InspectionFinding,
    InspectionPhoto,
    JointInspection,
    RectificationOrder,
    RectificationPhoto,
    RectificationSubmission,
    RectificationTransition,
    SubjectColour,
)
from zhifa.inspections.states import VisitStatus
from zhifa.inspections.tests.visit_fixtures import Joint, joint_world, photo

SH = ZoneInfo("Asia/Shanghai")
# Thursday 5 March 2026, a working day; 3 working days later is Tuesday 10 March.
SIGNED_AT = dt.datetime(2026, 3, 5, 10, 0, tzinfo=SH)


@dataclass
class Signed:
    joint: Joint
    visit: JointInspection
    findings: dict[str, InspectionFinding]  # by severity
    photo_sha: dict[str, str]


def signed_visit(world: Any, *, subject_index: int = 0) -> Signed:
    joint = joint_world(world)
    subject = joint.subjects[subject_index]
    officer = joint.enforcement_officers[0]
    visit = JointInspection.objects.create(
        district=world.district,
        subject=subject,
        street=world.street_a,
        earliest=SIGNED_AT.date(),
        latest=SIGNED_AT.date(),
        status=VisitStatus.SIGNED,
        merged_by="测试",
        started_at=SIGNED_AT - dt.timedelta(hours=1),
        signed_at=SIGNED_AT,
    )
    visit.officers.add(officer)
    item = joint.enforcement_items[0]
    item.legal_basis = "《大气污染防治法》第八十一条"
    item.save(update_fields=["legal_basis"])
    findings = {}
    shas = {}
    for n, severity in enumerate(("general", "major", "serious")):
        f = InspectionFinding.objects.create(
            inspection=visit,
            item=item,
            department=world.enforcement_dept,
            severity=severity,
            description=f"油烟净化器未开启{n}",
            recorded_by=officer,
            recorded_at=SIGNED_AT - dt.timedelta(minutes=30 - n),
        )
        _name, data = photo(f"f{n}.png")
        data = data + bytes([n])  # distinct bytes per finding
        sha = hashlib.sha256(data).hexdigest()
        p = InspectionPhoto(
            inspection=visit, finding=f, sha256=sha, content_type="image/png", size=len(data), uploaded_by=officer
        )
        p.original.save(f"{sha}.png", ContentFile(data), save=False)
        p.public_copy.save(f"{sha}.png", ContentFile(data), save=False)
        p.save()
        findings[severity] = f
        shas[severity] = sha
    return Signed(joint, visit, findings, shas)


def footprint() -> tuple[int, ...]:
    return (
        RectificationOrder.objects.count(),
        RectificationSubmission.objects.count(),
        RectificationPhoto.objects.count(),
        RectificationTransition.objects.count(),
        SubjectColour.objects.count(),
        AuditEntry.objects.count(),
    )


__all__ = ["SH", "SIGNED_AT", "Signed", "footprint", "photo", "signed_visit"]
