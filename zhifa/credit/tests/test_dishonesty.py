"""The serious dishonesty list (issue 13 part 5; ZJC 24–28): entered only through proposal → notice → the defence
period → a decision signed by the agency head → publication; every shortcut refused with its code and nothing
written; a listed holder is graded D; removal at the end date; the public list masks a person's data."""

import datetime as dt
from typing import Any

import pytest

from zhifa.core.errors import DomainError
from zhifa.core.identifiers import mask_id_number
from zhifa.core.models import AuditEntry
from zhifa.credit.dishonesty import (
    dishonesty_decide,
    dishonesty_defend,
    dishonesty_expire_due,
    dishonesty_notify,
    dishonesty_propose,
    dishonesty_publish,
    dishonesty_remove_early,
    dishonesty_withdraw,
)
from zhifa.credit.models import CreditEntry, CreditGrade, CreditProcedureStep, DishonestyListing
from zhifa.credit.procedure_selectors import public_dishonesty_list
from zhifa.credit.services import credit_refresh
from zhifa.credit.states import DISHONESTY_WORKFLOW, DishonestyStatus
from zhifa.credit.tests.conftest import at, general_penalty, shop
from zhifa.subjects.models import SubjectOwner
from zhifa.subjects.tests.factories import SubjectFactory, id_number_for, uscc_for


def footprint() -> tuple[Any, ...]:
    return (
        tuple(DishonestyListing.objects.values_list("status", flat=True).order_by("pk")),
        CreditEntry.objects.count(),
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
    """A shop with a served general-procedure penalty on file (decided 2026-03-16), owned by the business owner."""
    subject = shop(cw)
    general_penalty(cw, subject)
    credit_refresh()
    SubjectOwner.objects.create(subject=subject, user=cw.user("business_owner"))
    return subject


def proposed(cw: Any, subject: Any) -> DishonestyListing:
    entry = CreditEntry.objects.get(holder_key=subject.uscc or subject.id_number)
    return dishonesty_propose(
        actor=cw.user("legal_reviewer"),
        subject_id=subject.pk,
        ground="health_safety_order",
        legal_basis="《浙江省公共信用信息管理条例》第二十四条第一款第二项",
        reasons="销售过期食品，危害人身健康",
        source_entry_ids=[entry.pk],
        responsible_persons="王大明",
    )


def test_the_table_every_state_reachable_open_states_have_a_way_out() -> None:
    assert DISHONESTY_WORKFLOW.reachable() == set(DishonestyStatus.values)
    assert DISHONESTY_WORKFLOW.terminal_states == {DishonestyStatus.REMOVED, DishonestyStatus.WITHDRAWN}


def test_zjc_24_28_the_whole_procedure_lists_the_holder_graded_d_and_removes_it_at_the_end_date(
    cw: Any, penalised: Any
) -> None:
    # given: a proposal on 1 June 2026 (Monday) resting on the penalty entry
    listing = proposed(cw, penalised)
    assert listing.status == DishonestyStatus.PROPOSED
    # 80 − 15 × 0.5^(77/365) = 67.0
    assert CreditGrade.objects.get(holder_key=penalised.uscc, is_current=True).grade == "C"

    # when: notified on 1 June — the default 7-day period counts working days: 2–5, 8–10 June → 10 June
    listing = dishonesty_notify(actor=cw.user("legal_reviewer"), listing_id=listing.pk)
    assert (listing.status, listing.noticed_on, listing.defence_due_on) == (
        DishonestyStatus.NOTICED,
        dt.date(2026, 6, 1),
        dt.date(2026, 6, 10),
    )
    # the party defends from its own view on the last day
    with at(dt.date(2026, 6, 10)):
        listing = dishonesty_defend(actor=cw.user("business_owner"), listing_id=listing.pk, text="已全部下架销毁")
    # the head signs the decision, answering the defence
    with at(dt.date(2026, 6, 11)):
        listing = dishonesty_decide(
            actor=cw.user("leader"),
            listing_id=listing.pk,
            decision_number="拱综执信决〔2026〕1号",
            decision_text="申辩所称下架不影响已发生的危害事实，不予采纳",
        )
    with at(dt.date(2026, 6, 12)):
        listing = dishonesty_publish(actor=cw.user("legal_reviewer"), listing_id=listing.pk)

    # then: published 12 June 2026 until 12 June 2029 (3 years by default), a listing entry vetoing the grade
    assert (listing.status, listing.decided_by, listing.published_on, listing.removal_due_on) == (
        DishonestyStatus.PUBLISHED,
        cw.user("leader"),
        dt.date(2026, 6, 12),
        dt.date(2029, 6, 12),
    )
    entry = CreditEntry.objects.get(kind="serious_dishonesty")
    assert (entry.source_type, entry.source_id, entry.source_reference, entry.expires_on) == (
        "dishonesty",
        listing.pk,
        "拱综执信决〔2026〕1号",
        dt.date(2029, 6, 12),
    )
    grade = CreditGrade.objects.get(holder_key=penalised.uscc, is_current=True)
    assert (grade.grade, grade.vetoed_by) == ("D", [entry.pk])
    assert [s.action for s in CreditProcedureStep.objects.filter(object_id=listing.pk).order_by("pk")] == [
        "propose",
        "notify",
        "defend",
        "decide",
        "publish",
    ]
    public = public_dishonesty_list(on=dt.date(2026, 6, 12))
    assert [(p.name, p.key, p.responsible, p.decision_number) for p in public] == [
        ("杭州知味小吃有限公司", penalised.uscc, "王某某", "拱综执信决〔2026〕1号")
    ]

    # when: the end date comes — the expiry scan removes it (once) and the veto goes
    assert dishonesty_expire_due(on=dt.date(2029, 6, 11)) == 0
    with at(dt.date(2029, 6, 12)):
        assert dishonesty_expire_due() == 1
        assert dishonesty_expire_due() == 0
    listing.refresh_from_db()
    entry.refresh_from_db()
    assert (listing.status, listing.removed_on, entry.expires_on) == (
        DishonestyStatus.REMOVED,
        dt.date(2029, 6, 12),
        dt.date(2029, 6, 12),
    )
    assert CreditGrade.objects.get(holder_key=penalised.uscc, is_current=True).grade == "B"  # the penalty, 3 years on
    assert public_dishonesty_list(on=dt.date(2029, 6, 12)) == []


def test_the_list_cannot_be_entered_without_notice_defence_period_and_signed_decision(cw: Any, penalised: Any) -> None:
    listing = proposed(cw, penalised)
    head, admin = cw.user("leader"), cw.user("legal_reviewer")
    decision = {"decision_number": "拱综执信决〔2026〕2号", "decision_text": "理由"}

    # without notice: neither decided nor published
    refused("dishonesty_notice_required", dishonesty_decide, actor=head, listing_id=listing.pk, **decision)
    refused("dishonesty_notice_required", dishonesty_publish, actor=admin, listing_id=listing.pk)
    refused(
        "dishonesty_notice_required",
        dishonesty_defend,
        actor=cw.user("business_owner"),
        listing_id=listing.pk,
        text="x",
    )

    # noticed on 1 June: within the defence period (to 10 June) no decision, and no publication without one
    dishonesty_notify(actor=admin, listing_id=listing.pk)
    with at(dt.date(2026, 6, 10)):
        refused("dishonesty_defence_period_open", dishonesty_decide, actor=head, listing_id=listing.pk, **decision)
        refused("dishonesty_decision_required", dishonesty_publish, actor=admin, listing_id=listing.pk)

    with at(dt.date(2026, 6, 11)):
        # the period over: the defence comes too late; a decision signed by anyone but the head is refused
        refused(
            "dishonesty_defence_period_over",
            dishonesty_defend,
            actor=cw.user("business_owner"),
            listing_id=listing.pk,
            text="迟到的申辩",
        )
        for not_head in ("legal_reviewer", "dispatcher"):
            refused(
                "dishonesty_head_signature_required",
                dishonesty_decide,
                actor=cw.user(not_head),
                listing_id=listing.pk,
                **decision,
            )
        # an officer does not even see the procedure
        refused(
            "dishonesty_not_found", dishonesty_decide, actor=cw.user("officer_a"), listing_id=listing.pk, **decision
        )
        refused("dishonesty_decision_required", dishonesty_publish, actor=admin, listing_id=listing.pk)
        refused(
            "dishonesty_decision_number_required",
            dishonesty_decide,
            actor=head,
            listing_id=listing.pk,
            decision_number=" ",
            decision_text="理由",
        )
        # and the head may decide now, without a defence (the party let the period pass)
        listing = dishonesty_decide(actor=head, listing_id=listing.pk, **decision)
    assert listing.status == DishonestyStatus.DECIDED
    assert not CreditEntry.objects.filter(kind="serious_dishonesty").exists()


def test_who_may_not_propose_and_what_a_proposal_needs(cw: Any, penalised: Any) -> None:
    entry = CreditEntry.objects.get(holder_key=penalised.uscc)
    good = {
        "subject_id": penalised.pk,
        "ground": "health_safety_order",
        "legal_basis": "ZJC 24",
        "reasons": "理由",
        "source_entry_ids": [entry.pk],
    }
    for who in ("officer_a", "business_owner", "leader"):
        refused("dishonesty_forbidden", dishonesty_propose, actor=cw.user(who), **good)
    admin = cw.user("legal_reviewer")
    refused("dishonesty_ground_invalid", dishonesty_propose, actor=admin, **{**good, "ground": "gossip"})
    refused("dishonesty_basis_required", dishonesty_propose, actor=admin, **{**good, "legal_basis": ""})
    refused("dishonesty_source_required", dishonesty_propose, actor=admin, **{**good, "source_entry_ids": []})
    # 70,000 ids (more than a statement takes on PostgreSQL): refused with its code, not a server error.
    refused(
        "dishonesty_source_too_many",
        dishonesty_propose,
        actor=admin,
        **{**good, "source_entry_ids": [entry.pk, *range(10**9, 10**9 + 70_000)]},
    )
    other = SubjectFactory(district=cw.world.district, name="隔壁面馆", uscc=uscc_for(777))
    refused(
        "dishonesty_source_required",
        dishonesty_propose,
        actor=admin,
        **{**good, "subject_id": other.pk},
    )
    dishonesty_propose(actor=admin, **good)
    refused("dishonesty_already_open", dishonesty_propose, actor=admin, **good)


def test_another_business_cannot_defend_and_withdrawal_needs_reasons(cw: Any, penalised: Any) -> None:
    listing = proposed(cw, penalised)
    dishonesty_notify(actor=cw.user("legal_reviewer"), listing_id=listing.pk)
    SubjectOwner.objects.filter(subject=penalised).delete()  # the business owner no longer runs this shop
    refused("subject_not_found", dishonesty_defend, actor=cw.user("business_owner"), listing_id=listing.pk, text="申辩")
    refused("reason_required", dishonesty_withdraw, actor=cw.user("legal_reviewer"), listing_id=listing.pk, reason="")
    listing = dishonesty_withdraw(actor=cw.user("leader"), listing_id=listing.pk, reason="申辩成立")
    assert (listing.status, listing.closing_reason) == (DishonestyStatus.WITHDRAWN, "申辩成立")


def test_early_removal_by_the_head_for_corrected_conduct_only_after_the_shortest_period(
    cw: Any, penalised: Any
) -> None:
    listing = proposed(cw, penalised)
    dishonesty_notify(actor=cw.user("legal_reviewer"), listing_id=listing.pk)
    with at(dt.date(2026, 6, 11)):
        dishonesty_decide(
            actor=cw.user("leader"),
            listing_id=listing.pk,
            decision_number="拱综执信决〔2026〕3号",
            decision_text="理由",
        )
        dishonesty_publish(actor=cw.user("legal_reviewer"), listing_id=listing.pk)
    with at(dt.date(2027, 6, 10)):
        refused(
            "dishonesty_head_signature_required",
            dishonesty_remove_early,
            actor=cw.user("legal_reviewer"),
            listing_id=listing.pk,
            ground="corrected",
            reason="已整改",
        )
        refused(
            "dishonesty_removal_too_early",
            dishonesty_remove_early,
            actor=cw.user("leader"),
            listing_id=listing.pk,
            ground="corrected",
            reason="已整改",
        )
    with at(dt.date(2027, 6, 11)):
        listing = dishonesty_remove_early(
            actor=cw.user("leader"), listing_id=listing.pk, ground="corrected", reason="已整改一年"
        )
    assert (listing.status, listing.removed_on) == (DishonestyStatus.REMOVED, dt.date(2027, 6, 11))
    assert CreditGrade.objects.get(holder_key=penalised.uscc, is_current=True).vetoed_by == []


def test_a_person_on_the_public_list_is_masked(cw: Any) -> None:
    person = SubjectFactory(district=cw.world.district, name="李大伟", uscc="", id_number=id_number_for(31))
    general_penalty(cw, person)
    credit_refresh()
    listing = proposed(cw, person)
    dishonesty_notify(actor=cw.user("legal_reviewer"), listing_id=listing.pk)
    with at(dt.date(2026, 6, 11)):
        dishonesty_decide(
            actor=cw.user("leader"),
            listing_id=listing.pk,
            decision_number="拱综执信决〔2026〕4号",
            decision_text="理由",
        )
        dishonesty_publish(actor=cw.user("legal_reviewer"), listing_id=listing.pk)
        [row] = public_dishonesty_list()
    assert (row.name, row.key_label) == ("李某某", "身份证号码")
    assert row.key == mask_id_number(person.id_number) != person.id_number


def test_the_docs_draw_the_table_the_code_runs() -> None:
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[3] / "docs" / "credit.md").read_text(encoding="utf-8")
    assert DISHONESTY_WORKFLOW.mermaid() in docs
