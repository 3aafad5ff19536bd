"""责令改正: deadlines per severity in working days, the party's link opens only its own order, evidence, re-inspection
(confirm, not rectified, escalate refused before the deadline) and refusals that write nothing."""

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.contrib.auth import get_user_model

from zhifa.core.errors import DomainError
from zhifa.core.models import AuditEntry
from zhifa.events.models import Notification
from zhifa.inspections import rectification
from zhifa.inspections.models import RectificationOrder, RectificationTransition
from zhifa.inspections.states import RECTIFICATION_WORKFLOW, RectificationStatus
from zhifa.inspections.tests.rectification_fixtures import SH, Signed, footprint, photo, signed_visit
from zhifa.org.models import Profile
from zhifa.org.roles import Role
from zhifa.subjects.models import SubjectOwner

ISSUE_DAY = dt.datetime(2026, 3, 5, 15, 0, tzinfo=SH)  # Thursday


@pytest.fixture
def signed(world: Any) -> Signed:
    return signed_visit(world)


def refused(code: str, call: Any) -> DomainError:
    before = footprint()
    with pytest.raises(DomainError) as caught:
        call()
    assert caught.value.code == code, caught.value.message
    assert footprint() == before, "a refusal wrote something"
    return caught.value


def issue(signed: Signed, severity: str, **kw: Any) -> RectificationOrder:
    return rectification.order_issue(
        actor=signed.joint.world.users["officer_a"], finding_id=signed.findings[severity].pk, **kw
    )


@time_machine.travel(ISSUE_DAY, tick=False)
def test_the_deadline_is_the_severitys_working_days_and_the_legal_basis_is_the_items(signed: Signed) -> None:
    general = issue(signed, "general")
    major = issue(signed, "major")
    # 15 working days from Thursday 5 March 2026 (no holiday in between): Thursday 26 March; 7: Monday 16 March.
    assert (general.deadline, general.deadline_rule) == (dt.date(2026, 3, 26), "15个工作日")
    assert (major.deadline, major.deadline_rule) == (dt.date(2026, 3, 16), "7个工作日")
    assert general.legal_basis == "《大气污染防治法》第八十一条"
    assert general.status == RectificationStatus.ISSUED and len(general.party_token) >= 40


@time_machine.travel(dt.datetime(2026, 4, 30, 10, 0, tzinfo=SH), tick=False)
def test_working_days_skip_the_may_day_holiday_and_the_days_are_settings(signed: Signed, settings: Any) -> None:
    # 30 April 2026 (Thursday) + 3 working days: 1–5 May are the holiday, 9 May (Saturday) is a make-up workday.
    settings.ZHIFA_RECTIFICATION_DAYS = {"general": 3}
    order = issue(signed, "general")
    assert order.deadline == dt.date(2026, 5, 8)
    settings.ZHIFA_RECTIFICATION_WORKING_DAYS = False
    assert rectification.deadline_for("major", dt.date(2026, 4, 30)) == (dt.date(2026, 5, 7), "7日")


@time_machine.travel(ISSUE_DAY, tick=False)
def test_issuing_refuses_bad_input_and_writes_nothing(signed: Signed) -> None:
    users = signed.joint.world.users
    refused("finding_not_found", lambda: issue_other(signed, users["officer_b"]))
    refused(
        "rectification_forbidden",
        lambda: rectification.order_issue(actor=users["auxiliary_a"], finding_id=signed.findings["general"].pk),
    )
    refused("rectification_deadline_past", lambda: issue(signed, "major", deadline=dt.date(2026, 3, 5)))
    issue(signed, "general")
    refused("rectification_exists", lambda: issue(signed, "general"))
    refused("finding_not_found", lambda: rectification.order_issue(actor=users["officer_a"], finding_id="1 OR 1=1"))


def issue_other(signed: Signed, user: Any) -> Any:
    """An officer of street B asks for a finding of street A's visit."""
    return rectification.order_issue(actor=user, finding_id=signed.findings["major"].pk)


def test_a_finding_of_a_visit_not_signed_gets_no_order(signed: Signed) -> None:
    signed.visit.status = "started"
    signed.visit.save(update_fields=["status"])
    refused("rectification_visit_not_signed", lambda: issue(signed, "general"))


@time_machine.travel(ISSUE_DAY, tick=False)
def test_the_party_link_opens_only_its_own_order_and_takes_evidence(signed: Signed) -> None:
    mine = issue(signed, "general")
    other = issue(signed, "major")
    assert rectification.order_by_token(mine.party_token).pk == mine.pk
    refused("rectification_not_found", lambda: rectification.order_by_token(mine.party_token[:-1] + "x"))
    refused("rectification_not_found", lambda: rectification.order_by_token(str(mine.pk)))
    refused(
        "rectification_note_required",
        lambda: rectification.party_submit(token=mine.party_token, note=" ", photos=[photo()]),
    )
    refused(
        "rectification_photo_required",
        lambda: rectification.party_submit(token=mine.party_token, note="已修好", photos=[]),
    )
    submission = rectification.party_submit(token=mine.party_token, note="已更换净化器", photos=[photo()])
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.status == RectificationStatus.SUBMITTED and other.status == RectificationStatus.ISSUED
    assert submission.via == "link" and len(submission.photos.get().sha256) == 64


@time_machine.travel(ISSUE_DAY, tick=False)
def test_the_business_submits_from_its_home_only_for_its_own_subject(signed: Signed) -> None:
    owner = signed.joint.world.users["business_owner"]
    order = issue(signed, "general")
    refused(
        "rectification_not_found",
        lambda: rectification.owner_submit(actor=owner, order_id=order.pk, note="已整改", photos=[photo()]),
    )
    SubjectOwner.objects.create(subject=order.subject, user=owner)
    submission = rectification.owner_submit(actor=owner, order_id=order.pk, note="已整改", photos=[photo()])
    assert submission.via == "home" and submission.submitted_by == owner


def test_re_inspection_confirms_on_time_or_finds_it_not_rectified_and_the_party_answers_again(
    signed: Signed,
) -> None:
    officer = signed.joint.world.users["officer_a"]
    with time_machine.travel(ISSUE_DAY, tick=False):
        order = issue(signed, "general")
        rectification.party_submit(token=order.party_token, note="已整改", photos=[photo()])
        refused(
            "reason_required",
            lambda: rectification.order_reinspect(actor=officer, order_id=order.pk, outcome="reject"),
        )
        refused(
            "rectification_outcome_invalid",
            lambda: rectification.order_reinspect(actor=officer, order_id=order.pk, outcome="maybe"),
        )
        rejected = rectification.order_reinspect(actor=officer, order_id=order.pk, outcome="reject", note="仍未开启")
        assert rejected.status == RectificationStatus.REINSPECTED
        rectification.party_submit(token=order.party_token, note="再次整改", photos=[photo("b.png")])
    with time_machine.travel(dt.datetime(2026, 3, 20, 9, 0, tzinfo=SH), tick=False):
        done = rectification.order_reinspect(actor=officer, order_id=order.pk, outcome="confirm", note="复查合格")
    assert (done.status, done.on_time, done.reinspected_by.name) == (RectificationStatus.RECTIFIED, True, "甲队员")
    steps = list(RectificationTransition.objects.filter(order=order).values_list("action", "to_status"))
    assert steps == [
        ("issue", "issued"),
        ("submit", "submitted"),
        ("reject", "reinspected"),
        ("submit", "submitted"),
        ("confirm", "rectified"),
    ]
    refused(
        "invalid_transition",
        lambda: rectification.party_submit(token=order.party_token, note="再来", photos=[photo()]),
    )


def test_an_order_is_escalated_only_when_overdue_serious_or_found_not_rectified(signed: Signed) -> None:
    officer = signed.joint.world.users["officer_a"]
    with time_machine.travel(ISSUE_DAY, tick=False):
        order = issue(signed, "general")
        refused(
            "rectification_not_overdue",
            lambda: rectification.order_escalate(actor=officer, order_id=order.pk, reason="未整改"),
        )
    with time_machine.travel(dt.datetime(2026, 3, 27, 9, 0, tzinfo=SH), tick=False):
        assert [o.pk for o in rectification.overdue_orders()] == [order.pk]
        refused("reason_required", lambda: rectification.order_escalate(actor=officer, order_id=order.pk, reason=""))
        refused(
            "rectification_not_found",
            lambda: rectification.order_escalate(
                actor=signed.joint.world.users["officer_b"], order_id=order.pk, reason="逾期未整改"
            ),
        )


def test_the_workflow_has_two_ends_and_every_state_is_reachable() -> None:
    assert RECTIFICATION_WORKFLOW.terminal_states == {RectificationStatus.RECTIFIED, RectificationStatus.ESCALATED}
    assert RECTIFICATION_WORKFLOW.reachable() == set(RectificationStatus.values)


def test_an_overdue_order_is_told_once_to_its_officer_and_the_departments_liaison(signed: Signed) -> None:
    world = signed.joint.world
    # Given a 一般 order issued on Thursday 5 March, due 26 March (fifteen working days)
    with time_machine.travel(ISSUE_DAY, tick=False):
        order = issue(signed, "general")
    assert order.deadline == dt.date(2026, 3, 26)
    # ... a liaison of the order's department, and the market department's liaison (not theirs)
    own = get_user_model().objects.create(username="order_liaison")
    Profile.objects.create(
        user=own, district=world.district, role=Role.LIAISON, department_id=order.department_id, display_name="联络员"
    )
    assert world.users["liaison"].profile.department_id != order.department_id
    before = Notification.objects.count()

    # When the nightly pass runs on the deadline itself, then the day after, then again
    on_deadline = rectification.rectification_overdue_remind(district_id=order.district_id, on=order.deadline)
    with time_machine.travel(dt.datetime(2026, 3, 27, 0, 30, tzinfo=SH), tick=False):
        first = rectification.rectification_overdue_remind(district_id=order.district_id)
        again = rectification.rectification_overdue_remind(district_id=order.district_id)

    # Then nothing on the deadline (still in time); the day after, the issuing officer and the department's
    # liaison are told once, the order stamped and the reminder audited; the second pass tells nobody again
    assert (on_deadline, first, again) == (0, 1, 0)
    notices = Notification.objects.order_by("pk")[before:]
    expected = {world.users["officer_a"].pk, own.pk}
    assert {n.user_id for n in notices} == expected and len(notices) == len(expected)
    assert all("已逾期 1 天，请复查或移送立案" in n.message and "2026-03-26" in n.message for n in notices)
    order.refresh_from_db()
    assert (order.overdue_notified_on, order.status) == (dt.date(2026, 3, 27), RectificationStatus.ISSUED)
    entry = AuditEntry.objects.filter(action="rectification.overdue_remind").get()
    assert (entry.object_id, entry.after["days_overdue"]) == (str(order.pk), 1)


def test_a_closed_order_is_never_told_overdue(signed: Signed) -> None:
    officer = signed.joint.world.users["officer_a"]
    with time_machine.travel(ISSUE_DAY, tick=False):
        order = issue(signed, "general")
        rectification.party_submit(token=order.party_token, note="已整改", photos=[photo()])
        rectification.order_reinspect(actor=officer, order_id=order.pk, outcome="confirm", note="复查合格")
    assert rectification.rectification_overdue_remind(district_id=order.district_id, on=dt.date(2026, 4, 1)) == 0
    order.refresh_from_db()
    assert order.overdue_notified_on is None
