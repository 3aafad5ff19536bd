"""The inspections' hand-off (issue 12 part 6): a 重大 finding's order and an overdue order become case leads with
the finding's photos and the party's photos as evidence, each with its SHA-256, and the record as 现场笔录."""

import datetime as dt
from typing import Any

import time_machine

from zhifa.cases.models import Case, CaseSource, CaseStatus, Evidence, EvidenceKind
from zhifa.inspections import rectification
from zhifa.inspections.models import RectificationPhoto, SubjectColour
from zhifa.inspections.states import RectificationStatus
from zhifa.inspections.tests.rectification_fixtures import SH, photo, signed_visit

ISSUE_DAY = dt.datetime(2026, 3, 5, 15, 0, tzinfo=SH)


@time_machine.travel(ISSUE_DAY, tick=False)
def test_a_serious_finding_becomes_a_lead_at_once_with_its_photo_and_the_order_stays_open(world: Any) -> None:
    signed = signed_visit(world)
    order = rectification.order_issue(actor=world.users["officer_a"], finding_id=signed.findings["serious"].pk)
    assert order.status == RectificationStatus.ISSUED and order.deadline == dt.date(2026, 3, 10)
    case = Case.objects.get(pk=order.case_id)
    assert (case.number, case.status, case.source, case.subject_id) == (
        order.case_number,
        CaseStatus.LEAD,
        CaseSource.PATROL,
        signed.visit.subject_id,
    )
    assert case.harms_safety and "重大隐患：油烟净化器未开启2" in case.facts
    assert case.matter_id == signed.joint.enforcement_items[0].version.matter_id
    photos = Evidence.objects.filter(case=case, kind=EvidenceKind.AUDIOVISUAL)
    assert [e.sha256 for e in photos] == [signed.photo_sha["serious"]]
    assert Evidence.objects.filter(case=case, kind=EvidenceKind.INSPECTION_RECORD).count() == 1
    # A general finding's order hands nothing at issue.
    general = rectification.order_issue(actor=world.users["officer_a"], finding_id=signed.findings["general"].pk)
    assert general.case_id is None


def test_an_overdue_order_escalated_becomes_a_lead_with_the_partys_photos_too(world: Any) -> None:
    signed = signed_visit(world)
    officer = world.users["officer_a"]
    with time_machine.travel(ISSUE_DAY, tick=False):
        order = rectification.order_issue(actor=officer, finding_id=signed.findings["major"].pk)
        rectification.party_submit(token=order.party_token, note="整改中", photos=[photo("p.png")])
    party_sha = RectificationPhoto.objects.get(submission__order=order).sha256
    with time_machine.travel(dt.datetime(2026, 3, 17, 9, 0, tzinfo=SH), tick=False):  # deadline was 16 March
        escalated = rectification.order_escalate(actor=officer, order_id=order.pk, reason="逾期未整改")
    assert (escalated.status, escalated.on_time, escalated.escalation_reason) == (
        RectificationStatus.ESCALATED,
        False,
        "逾期未整改",
    )
    case = Case.objects.get(pk=escalated.case_id)
    assert "移送理由：逾期未整改" in case.facts
    shas = sorted(Evidence.objects.filter(case=case, kind=EvidenceKind.AUDIOVISUAL).values_list("sha256", flat=True))
    assert shas == sorted([signed.photo_sha["major"], party_sha])
    assert Evidence.objects.get(case=case, sha256=party_sha).collected_by == "当事人"
    # The escalation and the case moved the subject's colour; the explanation names the escalated order.
    current = SubjectColour.objects.get(subject=signed.visit.subject, is_current=True)
    rows = {r["row"]: r for r in current.explanation["rows"]}
    assert rows["escalated"]["count"] == 1 and rows["case"]["count"] == 1
