"""综合查一次 and the inspection itself: merging drawn plans into joint visits, the repeat-inspection alert, and the
visit's steps (start with GPS, tick, findings, signatures, close) with their refusals and permissions."""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from zhifa.catalog.tests.factories import MatterFactory
from zhifa.core import batches
from zhifa.core.errors import DomainError
from zhifa.events.models import Notification
from zhifa.inspections import visit_selectors, visit_services
from zhifa.inspections.models import InspectionFinding, InspectionSignature, JointInspection, SignerKind
from zhifa.inspections.states import VisitStatus
from zhifa.inspections.tests.visit_fixtures import Joint, footprint, joint_world, photo, plan, png, version
from zhifa.org.tests.factories import DepartmentFactory

SH = ZoneInfo("Asia/Shanghai")
MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
NEAR = (120.105, 30.3052)  # about 22 m north of the subjects' point
FAR = (120.105, 30.315)  # about 1.1 km north


@pytest.fixture
def joint(world: Any) -> Joint:
    return joint_world(world)


def two_department_plans(joint: Joint) -> None:
    """Enforcement inspects subjects 0 and 1 in March; market inspects subjects 0 and 2 from 10 March to 10 April."""
    e, m = joint.enforcement_officers, joint.market_officers
    s = joint.subjects
    plan(joint.world.enforcement_dept, *MARCH, [(s[0], e[0], e[1]), (s[1], e[0], e[1])])
    plan(joint.world.market_dept, dt.date(2026, 3, 10), dt.date(2026, 4, 10), [(s[0], m[0], m[1]), (s[2], m[0], m[1])])


def merge(joint: Joint, start: dt.date = MARCH[0], end: dt.date = dt.date(2026, 4, 30)) -> Any:
    return visit_services.inspections_merge(
        actor=joint.world.users["dispatcher"], district_id=joint.world.district.pk, starts_on=start, ends_on=end
    )


def refused(code: str, call: Any) -> DomainError:
    before = footprint()
    with pytest.raises(DomainError) as caught:
        call()
    assert caught.value.code == code, caught.value.message
    assert footprint() == before, "a refusal wrote something"
    return caught.value


# --- merging -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("batch", [None, 1], ids=["one read", "a lock per check"])
def test_checks_of_two_departments_on_one_subject_become_one_joint_visit_with_both_checklists(
    joint: Joint, batch: int | None, monkeypatch: Any
) -> None:
    """The same visits whether the checks are locked at once or in batches (a period's checks, a special plan
    drawing every subject of the district, can be more than a statement takes parameters)."""
    if batch is not None:
        monkeypatch.setattr(batches, "BATCH", batch)
    two_department_plans(joint)
    result = merge(joint)
    assert (result.checks, result.visits, result.saved) == (4, 3, 1)
    shared = JointInspection.objects.get(subject=joint.subjects[0])
    assert (shared.earliest, shared.latest) == (dt.date(2026, 3, 10), dt.date(2026, 3, 31))
    assert set(shared.departments.values_list("code", flat=True)) == {"ZHZF", "SCJG"}
    assert set(shared.officers.all()) == {*joint.enforcement_officers, *joint.market_officers}
    items = visit_services.visit_items(shared)
    assert [i.text for i in items] == ["持有效食品经营许可证", "油烟净化设施正常运行", "门前无占道经营"]
    single = JointInspection.objects.get(subject=joint.subjects[2])
    assert list(single.departments.values_list("code", flat=True)) == ["SCJG"]
    assert (single.earliest, single.latest) == (dt.date(2026, 3, 10), dt.date(2026, 4, 10))


def test_windows_that_do_not_overlap_stay_two_visits(joint: Joint) -> None:
    e, m = joint.enforcement_officers, joint.market_officers
    plan(joint.world.enforcement_dept, *MARCH, [(joint.subjects[0], e[0], e[1])])
    plan(joint.world.market_dept, dt.date(2026, 4, 1), dt.date(2026, 4, 30), [(joint.subjects[0], m[0], m[1])])
    result = merge(joint)
    assert (result.checks, result.visits, result.saved) == (2, 2, 0)


def test_a_check_is_merged_once_and_a_second_merge_finds_nothing(joint: Joint) -> None:
    two_department_plans(joint)
    merge(joint)
    refused("visit_nothing_pending", lambda: merge(joint))


def test_only_the_command_centre_and_the_administrator_merge(joint: Joint) -> None:
    two_department_plans(joint)
    refused(
        "visit_merge_forbidden",
        lambda: visit_services.inspections_merge(
            actor=joint.world.users["liaison"],
            district_id=joint.world.district.pk,
            starts_on=MARCH[0],
            ends_on=MARCH[1],
        ),
    )
    refused("visit_period_reversed", lambda: merge(joint, MARCH[1], MARCH[0]))


# --- the repeat-inspection alert -----------------------------------------------------------------------------------


def test_a_different_department_within_30_days_of_a_visit_raises_the_alert_and_notifies_the_planners(
    joint: Joint,
) -> None:
    e, m = joint.enforcement_officers, joint.market_officers
    s = joint.subjects
    plan(
        joint.world.enforcement_dept, dt.date(2026, 3, 1), dt.date(2026, 3, 5), [(s[0], e[0], e[1]), (s[1], e[0], e[1])]
    )
    merge(joint, *MARCH)
    officer_a = joint.world.users["officer_a"]
    with time_machine.travel(dt.datetime(2026, 3, 3, 10, 0, tzinfo=SH), tick=False):
        for subject in s[:2]:
            visit = JointInspection.objects.get(subject=subject)
            visit_services.inspection_start(actor=officer_a, inspection_id=visit.pk, lon=NEAR[0], lat=NEAR[1])
    # Started 3 March; market comes on 1 April to subject 0 (29 days later) and on 3 April to subject 1 (31).
    plan(joint.world.market_dept, dt.date(2026, 4, 1), dt.date(2026, 4, 1), [(s[0], m[0], m[1])])
    plan(joint.world.market_dept, dt.date(2026, 4, 3), dt.date(2026, 4, 3), [(s[1], m[0], m[1])])
    result = merge(joint, dt.date(2026, 4, 1), dt.date(2026, 4, 30))
    assert [(a.subject_id, a.days_apart, a.limit_days) for a in result.alerts] == [(s[0].pk, 29, 30)]
    told = Notification.objects.filter(user=joint.world.users["liaison"])
    assert [n.message for n in told] == [result.alerts[0].message]
    assert "29 天内" in result.alerts[0].message


def test_the_same_department_again_within_30_days_raises_no_alert(joint: Joint, settings: Any) -> None:
    e = joint.enforcement_officers
    plan(joint.world.enforcement_dept, dt.date(2026, 3, 1), dt.date(2026, 3, 5), [(joint.subjects[0], e[0], e[1])])
    plan(joint.world.enforcement_dept, dt.date(2026, 3, 20), dt.date(2026, 3, 25), [(joint.subjects[0], e[0], e[1])])
    assert merge(joint).alerts == []


def test_the_alert_window_is_a_setting(joint: Joint, settings: Any) -> None:
    settings.ZHIFA_REPEAT_INSPECTION_DAYS = 10
    e, m = joint.enforcement_officers, joint.market_officers
    plan(joint.world.enforcement_dept, dt.date(2026, 3, 1), dt.date(2026, 3, 5), [(joint.subjects[0], e[0], e[1])])
    plan(joint.world.market_dept, dt.date(2026, 3, 20), dt.date(2026, 3, 25), [(joint.subjects[0], m[0], m[1])])
    assert merge(joint).alerts == []  # 15 days apart: beyond 10
    settings.ZHIFA_REPEAT_INSPECTION_DAYS = 30
    plan(joint.world.market_dept, dt.date(2026, 3, 20), dt.date(2026, 3, 25), [(joint.subjects[1], m[0], m[1])])
    plan(joint.world.enforcement_dept, dt.date(2026, 3, 1), dt.date(2026, 3, 5), [(joint.subjects[1], e[0], e[1])])
    assert [a.days_apart for a in merge(joint).alerts] == [15]


# --- the visit ---------------------------------------------------------------------------------------------------


@pytest.fixture
def visit(joint: Joint) -> JointInspection:
    two_department_plans(joint)
    merge(joint)
    return JointInspection.objects.get(subject=joint.subjects[0])


IN_MARCH = dt.datetime(2026, 3, 12, 9, 30, tzinfo=SH)


@time_machine.travel(IN_MARCH, tick=False)
def test_a_start_beyond_the_radius_is_refused_with_the_distance_unless_a_reason_and_photo_are_given(
    joint: Joint, visit: JointInspection
) -> None:
    officer_a = joint.world.users["officer_a"]
    error = refused(
        "visit_start_too_far",
        lambda: visit_services.inspection_start(actor=officer_a, inspection_id=visit.pk, lon=FAR[0], lat=FAR[1]),
    )
    assert error.details == {"distance_m": 1112, "max_m": 300}
    refused(
        "visit_start_photo_required",
        lambda: visit_services.inspection_start(
            actor=officer_a, inspection_id=visit.pk, lon=FAR[0], lat=FAR[1], exception_reason="在市场大棚内"
        ),
    )
    started = visit_services.inspection_start(
        actor=officer_a, inspection_id=visit.pk, lon=FAR[0], lat=FAR[1], exception_reason="在市场大棚内", photo=photo()
    )
    assert started.status == VisitStatus.STARTED
    assert (started.start_distance_m, started.start_exception_reason) == (1112, "在市场大棚内")
    assert started.photos.count() == 1


@time_machine.travel(IN_MARCH, tick=False)
def test_a_start_within_the_radius_needs_no_reason_and_a_second_start_writes_nothing(
    joint: Joint, visit: JointInspection
) -> None:
    officer_a = joint.world.users["officer_a"]
    started = visit_services.inspection_start(actor=officer_a, inspection_id=visit.pk, lon=NEAR[0], lat=NEAR[1])
    assert (started.status, started.start_distance_m, started.start_exception_reason) == (VisitStatus.STARTED, 22, "")
    before = footprint()
    visit_services.inspection_start(actor=officer_a, inspection_id=visit.pk, lon=FAR[0], lat=FAR[1])
    assert footprint() == before


@time_machine.travel(dt.datetime(2026, 3, 5, 9, 0, tzinfo=SH), tick=False)
def test_a_visit_is_not_started_before_its_window(joint: Joint, visit: JointInspection) -> None:
    refused(
        "visit_not_due",
        lambda: visit_services.inspection_start(
            actor=joint.world.users["officer_a"], inspection_id=visit.pk, lon=NEAR[0], lat=NEAR[1]
        ),
    )


@time_machine.travel(IN_MARCH, tick=False)
def test_officers_outside_the_visit_can_neither_see_nor_act(joint: Joint, visit: JointInspection) -> None:
    officer_b = joint.world.users["officer_b"]  # enforcement, street B, not drawn for it
    refused(
        "visit_not_found",
        lambda: visit_services.inspection_start(actor=officer_b, inspection_id=visit.pk, lon=NEAR[0], lat=NEAR[1]),
    )
    auxiliary = joint.world.users["auxiliary_a"]
    refused(
        "visit_not_found",
        lambda: visit_services.inspection_start(actor=auxiliary, inspection_id=visit.pk, lon=NEAR[0], lat=NEAR[1]),
    )
    assert list(visit_selectors.officer_visits(user=officer_b, on=IN_MARCH.date())) == []
    with pytest.raises(DomainError):
        visit_selectors.visit_get(user=officer_b, inspection_id=visit.pk)
    assert visit in visit_selectors.officer_visits(user=joint.world.users["officer_a"], on=IN_MARCH.date())
    # Staff pages: the market liaison sees the market's visits, not the enforcement-only one.
    liaison = joint.world.users["liaison"]
    assert {v.subject_id for v in visit_selectors.visit_list(user=liaison)} == {
        joint.subjects[0].pk,
        joint.subjects[2].pk,
    }
    with pytest.raises(DomainError):
        visit_selectors.visit_list(user=joint.world.users["business_owner"])


def walk_to_signature(joint: Joint, visit: JointInspection) -> None:
    officer_a = joint.world.users["officer_a"]
    visit_services.inspection_start(actor=officer_a, inspection_id=visit.pk, lon=NEAR[0], lat=NEAR[1])
    first, second = joint.enforcement_items
    visit_services.item_tick(
        actor=officer_a, inspection_id=visit.pk, item_id=first.pk, outcome="fail", note="净化器未开", photos=[photo()]
    )
    visit_services.item_tick(actor=officer_a, inspection_id=visit.pk, item_id=second.pk, outcome="pass")
    visit_services.item_tick(
        actor=joint.market_user, inspection_id=visit.pk, item_id=joint.market_items[0].pk, outcome="pass"
    )
    visit_services.finding_add(
        actor=officer_a,
        inspection_id=visit.pk,
        severity="major",
        description="油烟净化器长期未开启",
        item_id=first.pk,
        client_key="k-1",
    )


@time_machine.travel(IN_MARCH, tick=False)
def test_an_inspection_walked_to_the_end_is_signed_by_the_officers_and_the_party(
    joint: Joint, visit: JointInspection
) -> None:
    officer_a = joint.world.users["officer_a"]
    walk_to_signature(joint, visit)
    refused(
        "visit_party_signature_missing",
        lambda: visit_services.inspection_close(actor=officer_a, inspection_id=visit.pk),
    )
    visit_services.officer_sign(actor=joint.market_user, inspection_id=visit.pk)
    visit_services.party_sign(actor=officer_a, inspection_id=visit.pk, party_name="王老板", signature_png=png())
    closed = visit_services.inspection_close(actor=officer_a, inspection_id=visit.pk)
    assert closed.status == VisitStatus.SIGNED
    officers = InspectionSignature.objects.filter(inspection=visit, kind=SignerKind.OFFICER)
    assert {s.department.code for s in officers} == {"ZHZF", "SCJG"}
    party = InspectionSignature.objects.get(inspection=visit, kind=SignerKind.PARTY)
    assert bytes(party.image_png) == png() and len(party.image_sha256) == 64
    finding = InspectionFinding.objects.get(inspection=visit)
    assert (finding.severity, finding.department.code) == ("major", "ZHZF")
    refused(
        "visit_already_signed",
        lambda: visit_services.item_tick(
            actor=officer_a, inspection_id=visit.pk, item_id=joint.enforcement_items[1].pk, outcome="fail"
        ),
    )
    before = footprint()
    visit_services.inspection_close(actor=officer_a, inspection_id=visit.pk)  # sent again from the outbox
    assert footprint() == before


@time_machine.travel(IN_MARCH, tick=False)
def test_the_steps_refuse_bad_input_and_write_nothing(joint: Joint, visit: JointInspection) -> None:
    officer_a = joint.world.users["officer_a"]
    first, second = joint.enforcement_items
    refused(
        "visit_not_started",
        lambda: visit_services.item_tick(actor=officer_a, inspection_id=visit.pk, item_id=second.pk, outcome="pass"),
    )
    visit_services.inspection_start(actor=officer_a, inspection_id=visit.pk, lon=NEAR[0], lat=NEAR[1])
    refused(
        "visit_item_photo_required",
        lambda: visit_services.item_tick(actor=officer_a, inspection_id=visit.pk, item_id=first.pk, outcome="fail"),
    )
    refused(
        "visit_outcome_invalid",
        lambda: visit_services.item_tick(actor=officer_a, inspection_id=visit.pk, item_id=second.pk, outcome="ok"),
    )
    other = joint_world_item_of_other_visit(joint)
    refused(
        "visit_item_not_in_checklist",
        lambda: visit_services.item_tick(actor=officer_a, inspection_id=visit.pk, item_id=other, outcome="pass"),
    )
    refused(
        "visit_items_unticked",
        lambda: visit_services.inspection_close(actor=officer_a, inspection_id=visit.pk),
    )
    refused(
        "finding_severity_invalid",
        lambda: visit_services.finding_add(actor=officer_a, inspection_id=visit.pk, severity="x", description="漏电"),
    )
    refused(
        "visit_signature_empty",
        lambda: visit_services.party_sign(
            actor=officer_a, inspection_id=visit.pk, party_name="王老板", signature_png=png(ink=False)
        ),
    )
    refused(
        "visit_signature_invalid",
        lambda: visit_services.party_sign(
            actor=officer_a, inspection_id=visit.pk, party_name="王老板", signature_png=b"<svg/>"
        ),
    )
    refused(
        "visit_refusal_reason_required",
        lambda: visit_services.party_sign(actor=officer_a, inspection_id=visit.pk, refused=True),
    )
    # A photo-required item marked 不适用 needs no photo.
    visit_services.item_tick(actor=officer_a, inspection_id=visit.pk, item_id=first.pk, outcome="na")


def joint_world_item_of_other_visit(joint: Joint) -> int:
    """An item of a checklist this visit does not hold: a third department's matter."""
    department = DepartmentFactory(district=joint.world.district, code="WJ", name="区卫健局", short_name="卫健")
    return version(MatterFactory(department=department, code="WJ-1"), [("消毒记录", False)])[0].pk


@time_machine.travel(IN_MARCH, tick=False)
def test_a_finding_sent_twice_with_its_client_key_is_one_finding_and_a_tick_sent_twice_one_result(
    joint: Joint, visit: JointInspection
) -> None:
    officer_a = joint.world.users["officer_a"]
    walk_to_signature(joint, visit)
    before = footprint()
    again = visit_services.finding_add(
        actor=officer_a, inspection_id=visit.pk, severity="major", description="油烟净化器长期未开启", client_key="k-1"
    )
    first = joint.enforcement_items[0]
    visit_services.item_tick(
        actor=officer_a, inspection_id=visit.pk, item_id=first.pk, outcome="fail", note="净化器未开", photos=[photo()]
    )
    assert again == InspectionFinding.objects.get(inspection=visit)
    after = footprint()
    # The tick sent again is audited as a tick (one more entry), but no new row or photo.
    assert after[:6] == before[:6]


@time_machine.travel(IN_MARCH, tick=False)
def test_a_party_who_refuses_to_sign_is_recorded_with_the_reason_and_the_record_closes(
    joint: Joint, visit: JointInspection
) -> None:
    officer_a = joint.world.users["officer_a"]
    walk_to_signature(joint, visit)
    visit_services.party_sign(
        actor=officer_a, inspection_id=visit.pk, refused=True, refusal_reason="当事人拒绝签字，已录像"
    )
    assert visit_services.inspection_close(actor=officer_a, inspection_id=visit.pk).status == VisitStatus.SIGNED
    party = InspectionSignature.objects.get(inspection=visit, kind=SignerKind.PARTY)
    assert party.refused and party.image_png is None


def test_cancel_needs_a_reason_and_a_signed_visit_cannot_be_cancelled(joint: Joint, visit: JointInspection) -> None:
    dispatcher = joint.world.users["dispatcher"]
    refused(
        "reason_required", lambda: visit_services.inspection_cancel(actor=dispatcher, inspection_id=visit.pk, reason="")
    )
    refused(
        "visit_cancel_forbidden",
        lambda: visit_services.inspection_cancel(
            actor=joint.world.users["officer_a"], inspection_id=visit.pk, reason="x"
        ),
    )
    cancelled = visit_services.inspection_cancel(actor=dispatcher, inspection_id=visit.pk, reason="对象已停业")
    assert cancelled.status == VisitStatus.CANCELLED
