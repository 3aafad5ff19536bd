"""The simple procedure on the spot (APL 51–52, 67–71): caps with inclusive bounds, the decision numbered from
the officer's own pre-numbered range, the party's signature or recorded refusal, on-the-spot collection only
where the law allows it, the cash handed in within 2 working days."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from zhifa.cases import services
from zhifa.cases.models import Case, CaseStatus, PartyKind, PaymentChannel, PenaltyKind, Procedure
from zhifa.cases.papers import documents_of
from zhifa.cases.tests.conftest import PERSON, CaseWorld
from zhifa.core.actors import SystemActor
from zhifa.core.errors import DomainError
from zhifa.documents.kinds import DocumentKind
from zhifa.documents.services import allot_range

SIGNATURE = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
SHOP = services.Party(
    kind=PartyKind.ORGANISATION, name="杭州知味小吃有限公司", id_number="91330105MA2B3C4D5Y", address="湖墅南路88号"
)


@pytest.fixture
def ranged(cw: CaseWorld) -> CaseWorld:
    allot_range(officer=cw.officer, count=5, actor=SystemActor("测试"))
    return cw


def on_spot(cw: CaseWorld, **kw: Any) -> Case:
    values: dict[str, Any] = {
        "actor": cw.user("officer_a"),
        "street": cw.world.street_a,
        "party": PERSON,
        "matter": cw.matter,
        "facts": "在人行道上摆摊设点",
        "address": "上塘路16号",
        "penalty": [PenaltyKind.FINE],
        "fine": Decimal("200.00"),
        "facts_clear": True,
        "signature_png": SIGNATURE,
        "colleague": cw.colleague,
    }
    values.update(kw)
    return services.decide_on_spot(**values)


def refused_with(code: str, make: Any) -> None:
    before = Case.objects.count()
    with pytest.raises(DomainError) as error:
        make()
    assert error.value.code == code, error.value.message
    assert Case.objects.count() == before


def test_apl_51_a_fine_of_200_yuan_on_a_person_is_decided_on_the_spot_and_200_01_is_not(ranged: CaseWorld) -> None:
    case = on_spot(ranged)
    assert (case.procedure, case.status, case.decided_fine) == (Procedure.SIMPLE, CaseStatus.SERVED, Decimal("200.00"))
    refused_with("simple_procedure_not_allowed", lambda: on_spot(ranged, fine=Decimal("200.01")))


def test_apl_51_an_organisation_may_be_fined_3000_yuan_on_the_spot_and_not_3000_01(ranged: CaseWorld) -> None:
    assert on_spot(ranged, party=SHOP, fine=Decimal("3000.00")).decided_fine == Decimal("3000.00")
    refused_with("simple_procedure_not_allowed", lambda: on_spot(ranged, party=SHOP, fine=Decimal("3000.01")))


def test_apl_51_facts_must_be_clear_and_the_penalty_a_warning_or_a_small_fine(ranged: CaseWorld) -> None:
    refused_with("simple_procedure_not_allowed", lambda: on_spot(ranged, facts_clear=False))
    refused_with("simple_procedure_not_allowed", lambda: on_spot(ranged, penalty=[PenaltyKind.CLOSURE], fine=None))
    assert on_spot(ranged, penalty=[PenaltyKind.WARNING], fine=None).decided_penalty == [PenaltyKind.WARNING]


def test_apl_52_the_decision_takes_the_next_number_of_the_officers_range_is_filed_and_handed_over(
    ranged: CaseWorld,
) -> None:
    first, second = on_spot(ranged), on_spot(ranged, refused_to_sign=True, signature_png=None)
    abbreviation = ranged.world.district.agency_abbreviation
    assert first.decision_number == f"{abbreviation}当罚决字〔2026〕第0001号"
    assert second.decision_number == f"{abbreviation}当罚决字〔2026〕第0002号"
    assert second.party_refused_to_sign and not second.party_signature
    assert first.party_signature.read() == SIGNATURE
    assert [d.kind for d in documents_of(first)] == [DocumentKind.ON_THE_SPOT_DECISION]
    assert first.steps.get().reason == "当场处罚，已自动备案"
    assert first.deadlines.get(code="payment").due_on == dt.date(2026, 6, 16)


def test_apl_52_without_a_signature_or_a_recorded_refusal_nothing_is_decided(ranged: CaseWorld) -> None:
    refused_with("signature_required", lambda: on_spot(ranged, signature_png=None))


def test_apl_52_an_officer_whose_range_is_used_up_cannot_decide_on_the_spot(cw: CaseWorld) -> None:
    allot_range(officer=cw.officer, count=1, actor=SystemActor("测试"))
    on_spot(cw)
    refused_with("number_range_exhausted", lambda: on_spot(cw))


def test_apl_68_a_fine_of_100_yuan_may_be_collected_on_the_spot_against_a_receipt_and_100_01_may_not(
    ranged: CaseWorld,
) -> None:
    case = on_spot(ranged, fine=Decimal("100.00"), collect_on_spot=True, receipt_no="浙财001")
    assert case.status == CaseStatus.PAID
    payment = case.payments.get()
    assert (payment.channel, payment.amount, payment.reference) == (
        PaymentChannel.ON_SPOT,
        Decimal("100.00"),
        "浙财001",
    )
    # APL 71: handed in within 2 working days (Mon 6-1 → Wed 6-3).
    assert case.deadlines.get(code="cash_hand_in").due_on == dt.date(2026, 6, 3)
    refused_with(
        "on_spot_collection_not_allowed",
        lambda: on_spot(ranged, fine=Decimal("100.01"), collect_on_spot=True, receipt_no="浙财002"),
    )
    refused_with("receipt_required", lambda: on_spot(ranged, fine=Decimal("50.00"), collect_on_spot=True))
    # Hard to collect later: allowed above 100 yuan.
    later = on_spot(
        ranged, fine=Decimal("150.00"), collect_on_spot=True, hard_to_collect_later=True, receipt_no="浙财003"
    )
    assert later.status == CaseStatus.PAID


def test_apl_71_cash_collected_on_the_spot_is_handed_in(ranged: CaseWorld) -> None:
    case = on_spot(ranged, fine=Decimal("100.00"), collect_on_spot=True, receipt_no="浙财001")
    services.hand_in_cash(case, actor=ranged.user("officer_a"), legal_date=dt.date(2026, 6, 1))
    assert case.deadlines.get(code="cash_hand_in").met_on == dt.date(2026, 6, 1)


def test_only_a_certified_officer_decides_on_the_spot(ranged: CaseWorld) -> None:
    refused_with("permission_denied", lambda: on_spot(ranged, actor=ranged.user("auxiliary_a")))
    refused_with("permission_denied", lambda: on_spot(ranged, actor=ranged.user("street_dispatcher_a")))
