"""The yes/no rules of zhifa.cases.legal: simple procedure (APL 51), on-the-spot collection (APL 67–71) and the
right to a hearing (APL 63), at their boundaries. Money is exact: a float, a third decimal place or a negative
amount is refused with its own code."""

from decimal import Decimal

import pytest

from zhifa.cases import legal
from zhifa.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("party_kind", "fine", "allowed"),
    [
        ("person", "200", True),
        ("person", "200.00", True),
        ("person", "200.01", False),
        ("person", "3000", False),
        ("organisation", "3000.00", True),
        ("organisation", "3000.01", False),
    ],
)
def test_apl_51_fine_cap_is_simple_procedure_inclusive(party_kind: str, fine: str, allowed: bool) -> None:
    verdict = legal.simple_procedure_allowed(
        party_kind=party_kind, penalty_kinds=["fine"], fine=Decimal(fine), facts_clear=True
    )

    assert (verdict.allowed, verdict.article, verdict.figures["fine"]) == (allowed, "APL 51", Decimal(fine))


def test_apl_51_fine_200_yuan_person_is_simple_procedure() -> None:
    verdict = legal.simple_procedure_allowed(party_kind="person", penalty_kinds=["fine"], fine="200", facts_clear=True)

    assert verdict.allowed is True
    assert verdict.reason == "可以适用简易程序当场作出罚款200.00元（不超过200.00元）的处罚决定"
    assert verdict.figures == {"cap": Decimal("200.00"), "fine": Decimal("200.00"), "party_kind": "person"}


def test_apl_51_fine_200_01_yuan_person_needs_general_procedure() -> None:
    verdict = legal.simple_procedure_allowed(
        party_kind="person", penalty_kinds=["fine"], fine="200.01", facts_clear=True
    )

    assert (verdict.allowed, verdict.reason) == (
        False,
        "对自然人当场罚款不得超过200.00元，拟罚200.01元，须按普通程序办理",
    )


def test_apl_51_warning_alone_or_with_small_fine_is_simple_procedure() -> None:
    warning = legal.simple_procedure_allowed(
        party_kind="organisation", penalty_kinds=["warning"], fine=None, facts_clear=True
    )
    both = legal.simple_procedure_allowed(
        party_kind="person", penalty_kinds=["warning", "fine"], fine="50", facts_clear=True
    )

    assert (warning.allowed, warning.reason) == (True, "可以适用简易程序当场作出警告的处罚决定")
    assert (both.allowed, both.reason) == (
        True,
        "可以适用简易程序当场作出警告并罚款50.00元（不超过200.00元）的处罚决定",
    )


def test_apl_51_facts_not_clear_or_other_penalty_needs_general_procedure() -> None:
    unclear = legal.simple_procedure_allowed(party_kind="person", penalty_kinds=["fine"], fine="10", facts_clear=False)
    revocation = legal.simple_procedure_allowed(
        party_kind="organisation", penalty_kinds=["warning", "revocation"], fine=None, facts_clear=True
    )

    assert (unclear.allowed, revocation.allowed) == (False, False)
    assert revocation.reason == "当场处罚仅限警告或小额罚款，拟作出的吊销许可证件须按普通程序办理"


@pytest.mark.parametrize(
    ("fine", "code"),
    [
        ("200.001", "money_too_many_places"),
        ("-0.01", "money_negative"),
        (200.0, "money_not_decimal"),
        ("NaN", "money_not_finite"),
        ("两百", "money_invalid"),
    ],
)
def test_apl_51_fine_must_be_exact_yuan_and_fen(fine: object, code: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        legal.simple_procedure_allowed(party_kind="person", penalty_kinds=["fine"], fine=fine, facts_clear=True)  # type: ignore[arg-type]

    assert refused.value.code == code


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"party_kind": "company", "penalty_kinds": ["fine"], "fine": "1"}, "party_kind_unknown"),
        ({"party_kind": "person", "penalty_kinds": ["detention"], "fine": None}, "penalty_kind_unknown"),
        ({"party_kind": "person", "penalty_kinds": [], "fine": None}, "penalty_kind_missing"),
        ({"party_kind": "person", "penalty_kinds": ["fine"], "fine": None}, "fine_missing"),
        ({"party_kind": "person", "penalty_kinds": ["warning"], "fine": "50"}, "fine_without_fine_penalty"),
    ],
)
def test_apl_51_incomplete_question_is_refused(kwargs: dict[str, object], code: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        legal.simple_procedure_allowed(**kwargs, facts_clear=True)  # type: ignore[arg-type]

    assert refused.value.code == code


@pytest.mark.parametrize(
    ("fine", "hard_to_collect_later", "allowed", "article"),
    [
        ("100", False, True, "APL 68"),
        ("100.01", False, False, "APL 67"),
        ("100.01", True, True, "APL 68"),
        ("3000", True, True, "APL 68"),
    ],
)
def test_apl_68_fine_up_to_100_yuan_or_hard_to_collect_later_is_collected_on_the_spot(
    fine: str, hard_to_collect_later: bool, allowed: bool, article: str
) -> None:
    verdict = legal.on_spot_collection_allowed(fine=fine, hard_to_collect_later=hard_to_collect_later)

    assert (verdict.allowed, verdict.article) == (allowed, article)


def test_apl_70_71_collection_on_the_spot_names_receipt_and_hand_in_within_2_working_days() -> None:
    verdict = legal.on_spot_collection_allowed(fine="50", hard_to_collect_later=False)

    assert verdict.figures["receipt_required"] is True
    assert verdict.figures["hand_in_working_days"] == 2
    assert "专用票据" in verdict.reason and "二个工作日内" in verdict.reason


def test_apl_67_decision_not_made_on_the_spot_is_paid_to_the_bank_even_under_100_yuan() -> None:
    verdict = legal.on_spot_collection_allowed(fine="50", hard_to_collect_later=True, decided_on_spot=False)

    assert (verdict.allowed, verdict.article) == (False, "APL 67")


def test_apl_69_remote_area_party_request_allows_collection_on_the_spot() -> None:
    verdict = legal.on_spot_collection_allowed(
        fine="800", hard_to_collect_later=False, decided_on_spot=False, remote_area_payment_difficult=True
    )

    assert (verdict.allowed, verdict.article) == (True, "APL 69")


def test_apl_68_zero_fine_is_refused() -> None:
    with pytest.raises(ValidationFailed) as refused:
        legal.on_spot_collection_allowed(fine="0", hard_to_collect_later=False)

    assert refused.value.code == "fine_not_positive"


@pytest.mark.parametrize(
    ("party_kind", "fine", "required"),
    [
        ("person", "4999.99", False),
        ("person", "5000", True),
        ("organisation", "99999.99", False),
        ("organisation", "100000", True),
    ],
)
def test_apl_63_large_fine_requires_hearing_at_the_configured_threshold(
    party_kind: str, fine: str, required: bool
) -> None:
    requirement = legal.hearing_required(party_kind=party_kind, fine=fine)

    assert (requirement.required, requirement.article) == (required, "APL 63")


def test_apl_63_hearing_threshold_is_an_administrator_setting(settings: object) -> None:
    settings.ZHIFA_LEGAL_HEARING_FINE_PERSON = "2000"  # type: ignore[attr-defined]

    assert legal.hearing_required(party_kind="person", fine="2000").required is True
    assert legal.hearing_required(party_kind="person", fine="1999.99").required is False


def test_apl_63_revocation_closure_and_large_confiscation_require_hearing_whatever_the_fine() -> None:
    revocation = legal.hearing_required(party_kind="person", measures=["revocation"])
    closure = legal.hearing_required(party_kind="organisation", fine="100", measures=["closure"])
    confiscation = legal.hearing_required(party_kind="organisation", confiscation_value="100000")
    small = legal.hearing_required(party_kind="organisation", confiscation_value="99999.99", measures=["warning"])

    assert revocation.grounds == ("吊销许可证件",)
    assert closure.grounds == ("责令停产停业、责令关闭、限制从业",)
    assert confiscation.grounds == ("没收违法所得或非法财物价值100,000.00元达到较大数额（100,000.00元以上）",)
    assert (revocation.required, closure.required, confiscation.required, small.required) == (True, True, True, False)


def test_apl_63_other_serious_penalty_requires_hearing() -> None:
    requirement = legal.hearing_required(party_kind="person", other_serious=True)

    assert (requirement.required, requirement.grounds) == (True, ("其他较重的行政处罚",))
