"""The branches of the workflow through the API, each by the leader with its reason: returned, not filed,
withdrawn, transferred; a collective discussion and a recusal recorded; cash collected on the spot handed in."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from zhifa.cases import services
from zhifa.cases.models import Case, CaseStatus, PartyKind, PenaltyKind
from zhifa.cases.tests.conftest import CaseWorld, bearer, concluded, filed, lead
from zhifa.core.actors import SystemActor
from zhifa.documents.services import allot_range

URL = "/api/v1/cases"


def asked_to_file(cw: CaseWorld) -> Case:
    return services.submit_filing(
        lead(cw),
        actor=cw.user("officer_a"),
        legal_date=dt.date(2026, 3, 3),
        handler=cw.officer,
        co_handler=cw.colleague,
    )


@pytest.mark.parametrize(
    ("stage", "action", "status"),
    [
        (asked_to_file, "return_filing", CaseStatus.LEAD),
        (asked_to_file, "not_file", CaseStatus.NOT_FILED),
        (filed, "withdraw", CaseStatus.WITHDRAWN),
        (filed, "transfer", CaseStatus.TRANSFERRED),
    ],
)
def test_a_branch_is_the_heads_with_its_reason(cw: CaseWorld, stage: Any, action: str, status: str) -> None:
    case = stage(cw)
    leader = bearer(cw.user("leader"))
    path = f"{URL}/{case.pk}/actions/{action}"

    without = leader.post(path, {"legal_date": "2026-03-06", "reason": " "}, content_type="application/json")
    done = leader.post(
        path, {"legal_date": "2026-03-06", "reason": "不属于本机关管辖"}, content_type="application/json"
    )

    assert (without.status_code, without.json()["code"]) == (422, "reason_required")
    assert (done.status_code, done.json()["status"], done.json()["steps"][-1]["reason"]) == (
        200,
        status,
        "不属于本机关管辖",
    )


def test_apl_57_collective_discussion_and_apl_43_recusal_are_recorded(cw: CaseWorld) -> None:
    case = concluded(cw)
    leader = bearer(cw.user("leader"))

    discussed = leader.post(
        f"{URL}/{case.pk}/actions/discuss",
        {"legal_date": "2026-03-10", "minutes": "集体讨论同意拟处罚意见"},
        content_type="application/json",
    )
    recused = leader.post(
        f"{URL}/{case.pk}/actions/recuse",
        {"officer_id": cw.colleague.pk, "reason": "与当事人系近亲属"},
        content_type="application/json",
    )

    assert (discussed.status_code, discussed.json()["steps"][-1]["action"]) == (200, "discuss")
    assert (recused.status_code, recused.json()["co_handler"]) == (200, None)


def test_apl_71_cash_collected_on_the_spot_is_handed_in(cw: CaseWorld) -> None:
    allot_range(officer=cw.officer, count=1, actor=SystemActor("测试"))
    case = services.decide_on_spot(
        actor=cw.user("officer_a"),
        street=cw.world.street_a,
        party=services.Party(kind=PartyKind.PERSON, name="李大伟"),
        matter=cw.matter,
        facts="在人行道上摆摊设点",
        address="上塘路16号",
        penalty=[PenaltyKind.FINE],
        fine=Decimal("50.00"),
        facts_clear=True,
        refused_to_sign=True,
        collect_on_spot=True,
        receipt_no="ZJ0001",
    )

    response = bearer(cw.user("officer_a")).post(
        f"{URL}/{case.pk}/actions/hand_in_cash", {"legal_date": "2026-06-01"}, content_type="application/json"
    )

    assert response.status_code == 200, response.json()
    deadline = next(d for d in response.json()["deadlines"] if d["code"] == "cash_hand_in")
    assert deadline["met_on"] == "2026-06-01"
