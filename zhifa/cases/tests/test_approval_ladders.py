"""Approval ladders (issue 11 part 3): the sign-offs a district configures before the head's approval — in
order, each by its post, one rung per person and round; a return ends the round with its reasons; the head's step
waits for the whole ladder; no ladder, the head decides alone."""

import datetime as dt

import pytest

from zhifa.cases import services
from zhifa.cases.models import ApprovalRung, ApprovalStep, CaseStatus
from zhifa.cases.tests.conftest import CaseWorld, bearer, lead, noticed
from zhifa.core.errors import DomainError
from zhifa.org.roles import Role
from zhifa.org.tests.factories import ProfileFactory, UserFactory


def rungs(cw: CaseWorld, step: str, *posts: tuple[str, str]) -> None:
    for position, (label, role) in enumerate(posts, start=1):
        ApprovalRung.objects.create(district=cw.world.district, step=step, position=position, label=label, role=role)


def submitted(cw: CaseWorld) -> object:
    return services.submit_filing(
        lead(cw),
        actor=cw.user("officer_a"),
        legal_date=dt.date(2026, 3, 3),
        handler=cw.officer,
        co_handler=cw.colleague,
    )


def code_of(step: object) -> str:
    with pytest.raises(DomainError) as refused:
        step()  # type: ignore[operator]
    return str(refused.value.code)


def test_the_filing_waits_for_every_rung_in_order_each_signed_by_its_post(cw: CaseWorld) -> None:
    rungs(cw, ApprovalStep.FILING, ("承办机构负责人", Role.STREET_DISPATCHER), ("法制审核机构", Role.LEGAL_REVIEWER))
    case = submitted(cw)
    approve = lambda: services.approve_filing(case, actor=cw.user("leader"), legal_date=dt.date(2026, 3, 5))  # noqa: E731
    assert code_of(approve) == "approvals_pending"
    sign = services.sign
    # The legal section cannot sign before the handling unit; an officer signs no rung at all.
    assert (
        code_of(
            lambda: sign(
                case,
                actor=cw.user("legal_reviewer"),
                step="filing",
                agree=True,
                text="同意",
                legal_date=dt.date(2026, 3, 4),
            )
        )
        == "not_this_rung"
    )
    assert (
        code_of(
            lambda: sign(
                case, actor=cw.user("officer_a"), step="filing", agree=True, text="同意", legal_date=dt.date(2026, 3, 4)
            )
        )
        == "not_this_rung"
    )
    sign(
        case,
        actor=cw.user("street_dispatcher_a"),
        step="filing",
        agree=True,
        text="同意立案",
        legal_date=dt.date(2026, 3, 4),
    )
    assert code_of(approve) == "approvals_pending"
    sign(
        case,
        actor=cw.user("legal_reviewer"),
        step="filing",
        agree=True,
        text="符合立案条件",
        legal_date=dt.date(2026, 3, 4),
    )
    assert approve().status == CaseStatus.INVESTIGATING
    assert [(a.label, a.signed_by_label) for a in case.approvals.all()] == [
        ("承办机构负责人", "street_dispatcher_a"),
        ("法制审核机构", "legal_reviewer"),
    ]


def test_a_rung_that_returns_the_filing_sends_it_back_and_the_next_submission_starts_afresh(cw: CaseWorld) -> None:
    rungs(cw, ApprovalStep.FILING, ("承办机构负责人", Role.STREET_DISPATCHER))
    case = submitted(cw)
    services.sign(
        case,
        actor=cw.user("street_dispatcher_a"),
        step="filing",
        agree=False,
        text="证据不足",
        legal_date=dt.date(2026, 3, 4),
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.LEAD
    assert case.steps.last().reason == "承办机构负责人退回：证据不足"
    case = services.submit_filing(
        case, actor=cw.user("officer_a"), legal_date=dt.date(2026, 3, 6), handler=cw.officer, co_handler=cw.colleague
    )
    assert (
        code_of(lambda: services.approve_filing(case, actor=cw.user("leader"), legal_date=dt.date(2026, 3, 6)))
        == "approvals_pending"
    )


def test_one_person_signs_one_rung_and_the_head_has_signed_none(cw: CaseWorld) -> None:
    deputy = UserFactory(username="deputy")
    ProfileFactory(user=deputy, district=cw.world.district, role=Role.LEADER, display_name="分管副局长")
    rungs(cw, ApprovalStep.DECISION, ("分管负责人", Role.LEADER))
    case = noticed(cw)
    leader = cw.user("leader")
    services.sign(case, actor=leader, step="decision", agree=True, text="同意", legal_date=dt.date(2026, 3, 16))
    # The same leader cannot then decide as the head: the deputy's rung and the head are two people.
    assert (
        code_of(lambda: services.decide(case, actor=leader, legal_date=dt.date(2026, 3, 16)))
        == "already_signed_this_round"
    )
    case2 = noticed(cw)
    services.sign(case2, actor=deputy, step="decision", agree=True, text="同意", legal_date=dt.date(2026, 3, 16))
    assert services.decide(case2, actor=leader, legal_date=dt.date(2026, 3, 16)).status == CaseStatus.DECIDED


def test_without_a_ladder_the_head_decides_alone(cw: CaseWorld) -> None:
    case = submitted(cw)
    assert (
        services.approve_filing(case, actor=cw.user("leader"), legal_date=dt.date(2026, 3, 4)).status
        == CaseStatus.INVESTIGATING
    )


def test_zjr_30_an_auxiliary_signs_no_rung(cw: CaseWorld) -> None:
    rungs(cw, ApprovalStep.FILING, ("协管", Role.AUXILIARY))
    case = submitted(cw)
    assert (
        code_of(
            lambda: services.sign(
                case,
                actor=cw.user("auxiliary_a"),
                step="filing",
                agree=True,
                text="同意",
                legal_date=dt.date(2026, 3, 4),
            )
        )
        == "not_this_rung"
    )


def test_the_ladder_is_signed_through_the_api_and_shown_on_the_case(cw: CaseWorld) -> None:
    rungs(cw, ApprovalStep.FILING, ("承办机构负责人", Role.STREET_DISPATCHER))
    case = submitted(cw)
    url = f"/api/v1/cases/{case.pk}/actions/"
    body = {"legal_date": "2026-03-04", "step": "filing", "agree": True, "text": "同意立案"}
    pending = bearer(cw.user("leader")).post(
        url + "approve_filing", {"legal_date": "2026-03-04"}, content_type="application/json"
    )
    assert (pending.status_code, pending.json()["code"]) == (409, "approvals_pending")
    wrong = bearer(cw.user("officer_a")).post(url + "sign", body, content_type="application/json")
    assert (wrong.status_code, wrong.json()["code"]) == (403, "not_this_rung")
    signed = bearer(cw.user("street_dispatcher_a")).post(url + "sign", body, content_type="application/json")
    assert signed.status_code == 200
    assert [(a["label"], a["opinion"], a["text"]) for a in signed.json()["approvals"]] == [
        ("承办机构负责人", "agree", "同意立案")
    ]
    approved = bearer(cw.user("leader")).post(
        url + "approve_filing", {"legal_date": "2026-03-04"}, content_type="application/json"
    )
    assert (approved.status_code, approved.json()["status"]) == (200, CaseStatus.INVESTIGATING)
