"""Objections (异议, ZJC 30–31) and credit repair (信用修复, ZJC 32), issue 13 part 6: deadlines in working days,
the 异议中 mark, correction recomputing the grade, rejection with reasons, repair refused for the dishonesty list
and before the waiting period, and a business that cannot object to another's file. Clock frozen."""

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhifa.core.errors import DomainError
from zhifa.core.models import AuditEntry
from zhifa.credit.dishonesty import dishonesty_decide, dishonesty_notify, dishonesty_propose
from zhifa.credit.models import (
    CreditAttachment,
    CreditEntry,
    CreditGrade,
    CreditObjection,
    CreditProcedureStep,
    CreditRepair,
)
from zhifa.credit.objections import objection_correct, objection_extend, objection_reject, objection_submit
from zhifa.credit.procedure_selectors import objection_queue, overdue_counts, own_credit_file
from zhifa.credit.repair import repair_approve, repair_reject, repair_submit
from zhifa.credit.services import credit_refresh
from zhifa.credit.states import OBJECTION_WORKFLOW, REPAIR_WORKFLOW, ObjectionStatus, RepairStatus
from zhifa.credit.tests.conftest import at, general_penalty, shop
from zhifa.subjects.models import SubjectOwner

PDF = b"%PDF-1.4\n%test\n"


def footprint() -> tuple[Any, ...]:
    return (
        tuple(CreditEntry.objects.values_list("title", "expires_on").order_by("pk")),
        tuple(CreditObjection.objects.values_list("status", "due_on").order_by("pk")),
        tuple(CreditRepair.objects.values_list("status", flat=True).order_by("pk")),
        CreditAttachment.objects.count(),
        CreditGrade.objects.count(),
        CreditProcedureStep.objects.count(),
        AuditEntry.objects.count(),
    )


def refused(code: str, call: Any, **kwargs: Any) -> None:
    before = footprint()
    with pytest.raises(DomainError) as exc:
        call(**kwargs)
    assert exc.value.code == code
    assert footprint() == before


@pytest.fixture
def penalised(cw: Any) -> Any:
    """The business owner's shop with a served general-procedure penalty (decided 2026-03-16), graded C on
    1 June 2026 (80 − 15 × 0.5^(77/365) = 67.0)."""
    subject = shop(cw)
    general_penalty(cw, subject)
    credit_refresh()
    SubjectOwner.objects.create(subject=subject, user=cw.user("business_owner"))
    return subject


def test_the_tables_every_state_reachable() -> None:
    assert OBJECTION_WORKFLOW.reachable() == set(ObjectionStatus.values)
    assert OBJECTION_WORKFLOW.terminal_states == {ObjectionStatus.CORRECTED, ObjectionStatus.REJECTED}
    assert REPAIR_WORKFLOW.reachable() == set(RepairStatus.values)
    assert REPAIR_WORKFLOW.terminal_states == {RepairStatus.REPAIRED, RepairStatus.REJECTED}


def test_zjc_31_an_objection_is_due_in_5_working_days_marked_meanwhile_and_overdue_after(
    cw: Any, penalised: Any
) -> None:
    entry = CreditEntry.objects.get()
    # given: Friday 5 June 2026 — five working days are 8–12 June
    with at(dt.date(2026, 6, 5)):
        objection = objection_submit(
            actor=cw.user("business_owner"),
            subject_id=penalised.pk,
            entry_id=entry.pk,
            reasons="处罚对象登记错误",
            files=[SimpleUploadedFile("证明.pdf", PDF, content_type="application/pdf")],
        )
        own = own_credit_file(user=cw.user("business_owner"), subject_id=penalised.pk)
    assert (objection.status, objection.submitted_on, objection.due_on) == (
        ObjectionStatus.SUBMITTED,
        dt.date(2026, 6, 5),
        dt.date(2026, 6, 12),
    )
    assert own.open_objection_entries == {entry.pk}
    attachment = CreditAttachment.objects.get()
    assert (attachment.objection_id, attachment.content_type, attachment.size) == (
        objection.pk,
        "application/pdf",
        len(PDF),
    )
    admin = cw.user("legal_reviewer")
    with at(dt.date(2026, 6, 12)):
        assert overdue_counts(user=admin) == {"objections": 0, "repairs": 0}
    with at(dt.date(2026, 6, 15)):
        assert overdue_counts(user=admin) == {"objections": 1, "repairs": 0}
        assert [o.pk for o in objection_queue(user=admin)] == [objection.pk]
    # a second objection to the same entry while one is open is refused
    refused(
        "objection_already_open",
        objection_submit,
        actor=cw.user("business_owner"),
        subject_id=penalised.pk,
        entry_id=entry.pk,
        reasons="再次异议",
    )
    # ZJC 31: the head extends a complex one to 20 working days from acceptance — 19 June (端午节) is a holiday,
    # so the twentieth working day after 5 June 2026 is 6 July
    refused("objection_extend_head_only", objection_extend, actor=admin, objection_id=objection.pk, reason="复杂")
    with at(dt.date(2026, 6, 10)):
        objection = objection_extend(actor=cw.user("leader"), objection_id=objection.pk, reason="需向作出机关核实")
    assert (objection.status, objection.due_on) == (ObjectionStatus.EXTENDED, dt.date(2026, 7, 6))


def test_an_upheld_objection_deletes_the_entry_and_recomputes_the_grade(cw: Any, penalised: Any) -> None:
    entry = CreditEntry.objects.get()
    assert CreditGrade.objects.get(is_current=True).grade == "C"
    objection = objection_submit(
        actor=cw.user("business_owner"), subject_id=penalised.pk, entry_id=entry.pk, reasons="非本单位行为"
    )
    admin = cw.user("legal_reviewer")
    refused("reason_required", objection_correct, actor=admin, objection_id=objection.pk, outcome="delete", reason="")
    refused(
        "objection_review_forbidden",
        objection_correct,
        actor=cw.user("officer_a"),
        objection_id=objection.pk,
        outcome="delete",
        reason="x",
    )
    objection = objection_correct(actor=admin, objection_id=objection.pk, outcome="delete", reason="经核实为他人行为")

    entry.refresh_from_db()
    grade = CreditGrade.objects.get(is_current=True)
    assert (objection.status, objection.outcome, objection.entry_before) == (
        ObjectionStatus.CORRECTED,
        "delete",
        {"title": "擅自占用城市道路：罚款，罚款1000.00元", "expires_on": "2031-03-16"},
    )
    assert (entry.expires_on, grade.grade, grade.score, grade.explanation) == (dt.date(2026, 6, 1), "B", 80.0, [])
    assert own_credit_file(user=cw.user("business_owner"), subject_id=penalised.pk).file.shown == []
    assert [s.action for s in CreditProcedureStep.objects.filter(workflow="credit.objection")] == ["submit", "correct"]
    assert AuditEntry.objects.filter(action="credit.entry_correct", object_id=str(entry.pk)).count() == 1


def test_a_text_correction_keeps_the_entry_and_a_rejection_keeps_it_unchanged(cw: Any, penalised: Any) -> None:
    entry = CreditEntry.objects.get()
    owner, admin = cw.user("business_owner"), cw.user("legal_reviewer")
    first = objection_submit(actor=owner, subject_id=penalised.pk, entry_id=entry.pk, reasons="金额写错")
    refused(
        "objection_corrected_title_required",
        objection_correct,
        actor=admin,
        objection_id=first.pk,
        outcome="correct",
        reason="文字错误",
    )
    objection_correct(
        actor=admin,
        objection_id=first.pk,
        outcome="correct",
        reason="文字错误",
        corrected_title="擅自占用城市道路：罚款",
    )
    entry.refresh_from_db()
    assert (entry.title, entry.expires_on) == ("擅自占用城市道路：罚款", dt.date(2031, 3, 16))

    second = objection_submit(actor=owner, subject_id=penalised.pk, entry_id=entry.pk, reasons="不服")
    rejected = objection_reject(actor=admin, objection_id=second.pk, reason="处罚决定已生效，事实清楚")
    entry.refresh_from_db()
    assert (rejected.status, rejected.decision_reason, entry.expires_on) == (
        ObjectionStatus.REJECTED,
        "处罚决定已生效，事实清楚",
        dt.date(2031, 3, 16),
    )
    assert CreditGrade.objects.get(is_current=True).grade == "C"


def test_a_business_cannot_object_to_or_repair_another_business_file(cw: Any, penalised: Any) -> None:
    entry = CreditEntry.objects.get()
    SubjectOwner.objects.filter(subject=penalised).delete()
    owner = cw.user("business_owner")
    refused(
        "subject_not_found",
        objection_submit,
        actor=owner,
        subject_id=penalised.pk,
        entry_id=entry.pk,
        reasons="别人的档案",
    )
    with at(dt.date(2026, 9, 1)):
        refused(
            "subject_not_found",
            repair_submit,
            actor=owner,
            subject_id=penalised.pk,
            entry_id=entry.pk,
            evidence="别人的档案",
        )
    # and staff do not object on a business's behalf
    refused(
        "credit_party_only",
        objection_submit,
        actor=cw.user("dispatcher"),
        subject_id=penalised.pk,
        entry_id=entry.pk,
        reasons="x",
    )


def test_attachments_must_be_documents_or_photos(cw: Any, penalised: Any) -> None:
    entry = CreditEntry.objects.get()
    refused(
        "credit_attachment_type_invalid",
        objection_submit,
        actor=cw.user("business_owner"),
        subject_id=penalised.pk,
        entry_id=entry.pk,
        reasons="附件",
        files=[SimpleUploadedFile("x.pdf", b"<html>not a pdf</html>", content_type="application/pdf")],
    )


def test_zjc_32_repair_after_the_waiting_period_stops_showing_the_entry_before_its_5_years(
    cw: Any, penalised: Any
) -> None:
    entry = CreditEntry.objects.get()
    owner, admin = cw.user("business_owner"), cw.user("legal_reviewer")
    # the penalty of 16 March 2026 waits 90 days by default: from 14 June 2026
    with at(dt.date(2026, 6, 13)):
        refused(
            "credit_repair_too_early",
            repair_submit,
            actor=owner,
            subject_id=penalised.pk,
            entry_id=entry.pk,
            evidence="已整改",
        )
    with at(dt.date(2026, 6, 15)):
        request = repair_submit(actor=owner, subject_id=penalised.pk, entry_id=entry.pk, evidence="已整改并缴纳罚款")
        assert (request.eligible_on, request.due_on) == (dt.date(2026, 6, 14), dt.date(2026, 6, 30))
        refused("reason_required", repair_approve, actor=admin, repair_id=request.pk, reason="")
        request = repair_approve(actor=admin, repair_id=request.pk, reason="整改到位")
    entry.refresh_from_db()
    assert (request.status, request.expires_on_before, entry.expires_on) == (
        RepairStatus.REPAIRED,
        dt.date(2031, 3, 16),
        dt.date(2026, 6, 15),
    )
    assert CreditGrade.objects.get(is_current=True).grade == "B"


def test_zjc_32_repair_is_not_for_the_serious_dishonesty_list(cw: Any, penalised: Any) -> None:
    entry = CreditEntry.objects.get()
    listing = dishonesty_propose(
        actor=cw.user("legal_reviewer"),
        subject_id=penalised.pk,
        ground="health_safety_order",
        legal_basis="ZJC 24",
        reasons="理由",
        source_entry_ids=[entry.pk],
    )
    dishonesty_notify(actor=cw.user("legal_reviewer"), listing_id=listing.pk)
    with at(dt.date(2026, 6, 15)):
        # a request filed before the decision …
        pending = repair_submit(
            actor=cw.user("business_owner"), subject_id=penalised.pk, entry_id=entry.pk, evidence="已整改"
        )
        dishonesty_decide(
            actor=cw.user("leader"), listing_id=listing.pk, decision_number="信决1号", decision_text="理由"
        )
        # … cannot be approved once the head decided to list; a new one is refused outright
        refused(
            "credit_repair_not_for_dishonesty_list",
            repair_approve,
            actor=cw.user("legal_reviewer"),
            repair_id=pending.pk,
            reason="整改到位",
        )
        rejected = repair_reject(actor=cw.user("legal_reviewer"), repair_id=pending.pk, reason="已决定列入严重失信名单")
        refused(
            "credit_repair_not_for_dishonesty_list",
            repair_submit,
            actor=cw.user("business_owner"),
            subject_id=penalised.pk,
            entry_id=entry.pk,
            evidence="再次申请",
        )
    assert rejected.status == RepairStatus.REJECTED
