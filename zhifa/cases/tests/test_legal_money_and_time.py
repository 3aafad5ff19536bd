"""Late fee (APL 72, ACL 45) and limitation (APL 36) of zhifa.cases.legal, exact to the fen and the day."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from zhifa.cases import legal
from zhifa.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db
D = dt.date
DUE = D(2026, 3, 2)


@pytest.fixture(autouse=True)
def _frozen_clock() -> Any:
    with time_machine.travel(dt.datetime(2026, 12, 4, 2, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.mark.parametrize(
    ("on_day", "days", "amount", "capped"),
    [
        (D(2026, 2, 20), 0, "0.00", False),  # before the due date
        (DUE, 0, "0.00", False),  # on the due date
        (D(2026, 3, 3), 1, "30.00", False),  # first day overdue
        (D(2026, 4, 4), 33, "990.00", False),  # one day before the cap
        (D(2026, 4, 5), 34, "1000.00", True),  # 102% → capped at the fine
        (D(2026, 12, 4), 277, "1000.00", True),
    ],
)
def test_apl_72_late_fee_3_percent_a_day_capped_at_the_fine(
    on_day: dt.date, days: int, amount: str, capped: bool
) -> None:
    fee = legal.late_fee(fine=Decimal("1000.00"), due_on=DUE, on_day=on_day)

    assert (fee.days_overdue, fee.amount, fee.is_capped, fee.article) == (
        days,
        Decimal(amount),
        capped,
        "APL 72, ACL 45",
    )
    assert fee.total == Decimal("1000.00") + Decimal(amount)


def test_apl_72_late_fee_of_an_odd_fine_at_the_cap_and_one_day_before() -> None:
    day_33 = legal.late_fee(fine="33.33", due_on=DUE, on_day=D(2026, 4, 4))
    day_34 = legal.late_fee(fine="33.33", due_on=DUE, on_day=D(2026, 4, 5))

    # 33.33 × 3% × 33 = 32.9967 → 33.00 (below the fine); × 34 = 33.9966 → capped at 33.33.
    assert (day_33.amount, day_33.is_capped) == (Decimal("33.00"), False)
    assert (day_34.amount, day_34.is_capped) == (Decimal("33.33"), True)


def test_apl_72_late_fee_rounds_half_up_to_the_fen() -> None:
    # 41.50 × 3% = 1.245: half up gives 1.25 (banker's rounding would give 1.24).
    assert legal.late_fee(fine="41.50", due_on=DUE, on_day=D(2026, 3, 3)).amount == Decimal("1.25")


def test_apl_72_days_of_suspended_execution_are_not_charged() -> None:
    fee = legal.late_fee(
        fine="1000", due_on=DUE, on_day=D(2026, 3, 12), excluded_periods=[(D(2026, 2, 20), D(2026, 3, 7))]
    )

    # 3–12 March is 10 days; 3–7 March (5 days, the part after the due date) suspended.
    assert (fee.days_overdue, fee.days_excluded, fee.amount) == (5, 5, Decimal("150.00"))


def test_apl_72_overlapping_or_endless_suspensions_count_each_day_once() -> None:
    overlapping = legal.late_fee(
        fine="1000",
        due_on=DUE,
        on_day=D(2026, 3, 12),
        excluded_periods=[
            (D(2026, 3, 3), D(2026, 3, 6)),
            (D(2026, 3, 5), D(2026, 3, 8)),
            (D(2026, 3, 8), D(2026, 3, 8)),
        ],
    )
    endless = legal.late_fee(
        fine="1000", due_on=DUE, on_day=D(2026, 3, 12), excluded_periods=[(dt.date.min, dt.date.max)]
    )

    assert (overlapping.days_overdue, overlapping.days_excluded, overlapping.amount) == (4, 6, Decimal("120.00"))
    assert (endless.days_overdue, endless.days_excluded, endless.amount) == (0, 10, Decimal("0.00"))


@pytest.mark.parametrize(("fine", "code"), [(1000.0, "money_not_decimal"), ("10.005", "money_too_many_places")])
def test_apl_72_fine_must_be_exact(fine: Any, code: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        legal.late_fee(fine=fine, due_on=DUE, on_day=D(2026, 3, 3))

    assert refused.value.code == code


def test_apl_72_suspension_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(ValidationFailed) as refused:
        legal.late_fee(fine="10", due_on=DUE, on_day=D(2026, 3, 9), excluded_periods=[(D(2026, 3, 5), D(2026, 3, 4))])

    assert refused.value.code == "date_order_invalid"


@pytest.mark.parametrize(
    ("discovered_on", "expired"),
    [(D(2026, 2, 28), False), (D(2026, 3, 1), False), (D(2026, 3, 2), True)],
)
def test_apl_36_not_discovered_within_2_years_is_no_longer_punished(discovered_on: dt.date, expired: bool) -> None:
    result = legal.limitation_expired(
        violation_ended_on=D(2024, 3, 1), discovered_on=discovered_on, harmed_life_health_or_finance=False
    )

    # 1 March 2026 is a Sunday: the limitation is no party's deadline and does not move to Monday.
    assert (result.expired, result.last_day, result.years, result.article) == (expired, D(2026, 3, 1), 2, "APL 36")


def test_apl_36_harm_to_life_health_or_finance_extends_the_limitation_to_5_years() -> None:
    harmed = legal.limitation_expired(
        violation_ended_on=D(2021, 3, 1), discovered_on=D(2026, 3, 1), harmed_life_health_or_finance=True
    )
    not_harmed = legal.limitation_expired(
        violation_ended_on=D(2021, 3, 1), discovered_on=D(2026, 3, 1), harmed_life_health_or_finance=False
    )

    assert (harmed.expired, harmed.years, not_harmed.expired) == (False, 5, True)
    assert harmed.reason == "于2026-03-01发现，在5年追责时效内（至2026-03-01），可以依法给予行政处罚"


def test_apl_36_continuing_violation_counts_from_its_end() -> None:
    # Began in 2020, went on until 10 May 2025: counted from its end, in time in 2026.
    ongoing = legal.limitation_expired(
        violation_ended_on=D(2025, 5, 10), discovered_on=D(2026, 12, 4), harmed_life_health_or_finance=False
    )
    still_going = legal.limitation_expired(
        violation_ended_on=D(2026, 12, 31), discovered_on=D(2026, 12, 4), harmed_life_health_or_finance=False
    )

    assert (ongoing.expired, still_going.expired) == (False, False)


def test_apl_36_date_beyond_the_calendar_is_refused() -> None:
    with pytest.raises(ValidationFailed) as refused:
        legal.limitation_expired(
            violation_ended_on=D(9998, 6, 1), discovered_on=D(9999, 1, 1), harmed_life_health_or_finance=True
        )

    assert refused.value.code == "date_out_of_range"


def test_apl_36_violation_on_29_february_runs_to_28_february() -> None:
    result = legal.limitation_expired(
        violation_ended_on=D(2024, 2, 29), discovered_on=D(2026, 3, 1), harmed_life_health_or_finance=False
    )

    assert (result.expired, result.last_day) == (True, D(2026, 2, 28))


@pytest.mark.parametrize("value", ["1e999999", "1000000000000.00", "99999999999999999999999999999999"])
def test_an_amount_beyond_what_can_be_counted_is_refused_not_a_server_error(value: str) -> None:
    # The fuzzer's 1e999999 once reached Decimal.quantize before the size check and raised InvalidOperation (500).
    with pytest.raises(ValidationFailed) as refused:
        legal.money(value)
    assert refused.value.code == "money_too_large"
