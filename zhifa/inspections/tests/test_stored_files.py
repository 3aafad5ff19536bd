"""A step that stored photos and then failed leaves no photo file behind and writes nothing: an item's and a
finding's photos in the visit, a party's rectification evidence (``zhifa.core.files``).

The failure is the audit chain refusing the step's entry — the last thing each step writes, after its photos —
raised by the audit collaborator the service calls."""

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import IntegrityError

from zhifa.inspections import rectification, visit_services
from zhifa.inspections.models import InspectionPhoto, JointInspection
from zhifa.inspections.states import RectificationStatus
from zhifa.inspections.tests import rectification_fixtures, visit_fixtures
from zhifa.inspections.tests.test_visits import merge, two_department_plans

SH = ZoneInfo("Asia/Shanghai")
IN_MARCH = dt.datetime(2026, 3, 12, 9, 30, tzinfo=SH)
NEAR = (120.105, 30.3052)  # about 22 m from the subjects' point


def stored_files() -> set[str]:
    media = Path(settings.MEDIA_ROOT)
    return {path.relative_to(media).as_posix() for path in media.rglob("*") if path.is_file()}


def audit_refused(monkeypatch: pytest.MonkeyPatch, module: Any) -> list[set[str]]:
    """The module's audit entry is refused; returns what storage held when it was asked for (the photos)."""
    seen: list[set[str]] = []

    def refuse(**kwargs: Any) -> None:
        seen.append(stored_files())
        raise IntegrityError("audit chain refused the entry")

    monkeypatch.setattr(module, "audit_record", refuse)
    return seen


@pytest.fixture
def started(world: Any) -> tuple[visit_fixtures.Joint, JointInspection]:
    joint = visit_fixtures.joint_world(world)
    two_department_plans(joint)
    merge(joint)
    visit = JointInspection.objects.get(subject=joint.subjects[0])
    with time_machine.travel(IN_MARCH, tick=False):
        visit_services.inspection_start(
            actor=world.users["officer_a"], inspection_id=visit.pk, lon=NEAR[0], lat=NEAR[1]
        )
    return joint, visit


@time_machine.travel(IN_MARCH, tick=False)
@pytest.mark.parametrize("step", ["item_tick", "finding_add"])
def test_a_visit_step_that_fails_after_its_photo_was_stored_leaves_no_file(
    started: tuple[visit_fixtures.Joint, JointInspection], monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    joint, visit = started
    officer_a = joint.world.users["officer_a"]
    item = joint.enforcement_items[0]
    before = (visit_fixtures.footprint(), stored_files())
    seen = audit_refused(monkeypatch, visit_services)

    with pytest.raises(IntegrityError):
        if step == "item_tick":
            visit_services.item_tick(
                actor=officer_a,
                inspection_id=visit.pk,
                item_id=item.pk,
                outcome="fail",
                photos=[visit_fixtures.photo()],
            )
        else:
            visit_services.finding_add(
                actor=officer_a,
                inspection_id=visit.pk,
                severity="major",
                description="油烟净化器未开启",
                item_id=item.pk,
                photos=[visit_fixtures.photo()],
            )

    assert [len(files - before[1]) for files in seen] == [2]  # the original and the public copy were written
    assert (visit_fixtures.footprint(), stored_files()) == before
    assert InspectionPhoto.objects.filter(inspection=visit).count() == 0


@time_machine.travel(rectification_fixtures.SIGNED_AT + dt.timedelta(hours=5), tick=False)
def test_rectification_evidence_whose_submission_fails_leaves_no_file(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed = rectification_fixtures.signed_visit(world)
    order = rectification.order_issue(actor=world.users["officer_a"], finding_id=signed.findings["general"].pk)
    before = (rectification_fixtures.footprint(), stored_files())
    seen = audit_refused(monkeypatch, rectification)

    with pytest.raises(IntegrityError):
        rectification.party_submit(
            token=order.party_token, note="已更换净化器", photos=[visit_fixtures.photo("after.png")]
        )

    assert [len(files - before[1]) for files in seen] == [2]
    assert (rectification_fixtures.footprint(), stored_files()) == before
    order.refresh_from_db()
    assert order.status == RectificationStatus.ISSUED
