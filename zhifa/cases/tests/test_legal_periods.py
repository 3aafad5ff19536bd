"""Every period of zhifa.cases.legal.PERIODS, counted from a legal date as LEGAL.md "Counting periods" says:
working days for the APL's 2/3/5/7 days (APL 85) and the ACL's ≤ 10 (ACL 69), the start day not counted, a last
day on a rest day moved to the next working day (CPL 85). Expected dates are counted by hand on the State
Council's 2026 notice: Spring Festival off 15–23 February with make-up workdays Saturday 14 and Saturday 28
February; Qingming off 4–6 April; Labour Day off 1–5 May with Saturday 9 May worked; National Day off 1–7
October with Sunday 20 September and Saturday 10 October worked, Friday 25 September off."""

import datetime as dt
from typing import Any

import pytest
import time_machine

from zhifa.cases import legal
from zhifa.core.calendar import is_working_day
from zhifa.core.errors import ValidationFailed
from zhifa.core.models import CalendarOverride

pytestmark = [pytest.mark.django_db]
D = dt.date


@pytest.fixture(autouse=True)
def _frozen_clock() -> Any:
    # No rule reads the clock (every period counts from a legal date given to it); frozen all the same so a
    # rule that started to would fail here rather than on some days only.
    with time_machine.travel(dt.datetime(2026, 12, 4, 2, 0, tzinfo=dt.UTC), tick=False):
        yield


def test_apl_60_decision_due_90_days_after_filing() -> None:
    due = legal.decision_due(D(2026, 3, 4))

    # Day 89 (1 June) and day 90 (2 June) are in time, day 91 (3 June) is late.
    assert (due.due_on, due.article, due.rolled_from) == (D(2026, 6, 2), "APL 60", None)
    assert [day <= due.due_on for day in (D(2026, 6, 1), D(2026, 6, 2), D(2026, 6, 3))] == [True, True, False]


def test_apl_60_decision_day_90_on_a_sunday_ends_on_monday() -> None:
    due = legal.decision_due(D(2026, 3, 2))

    assert (due.due_on, due.rolled_from) == (D(2026, 6, 1), D(2026, 5, 31))
    assert due.explanation == (
        "自立案之日2026-03-02起90日（起算日不计入），届满日2026-06-01"
        "（2026-05-31为法定节假日或休息日，顺延至其后第一个工作日）"
    )


def test_apl_60_approved_extension_adds_its_days() -> None:
    due = legal.decision_due(D(2026, 3, 4), extensions=[30])

    assert (due.due_on, due.extra_days) == (D(2026, 7, 2), 30)


@pytest.mark.parametrize("days", [0, 31, -5])
def test_apl_60_extension_beyond_the_configured_maximum_is_refused(days: int) -> None:
    with pytest.raises(ValidationFailed) as refused:
        legal.decision_due(D(2026, 3, 4), extensions=[days])

    assert (refused.value.code, refused.value.details) == (
        "decision_extension_invalid",
        {"extension_days": days, "max": 30},
    )


def test_apl_60_decision_period_is_an_administrator_setting_and_rolls_over_labour_day(settings: Any) -> None:
    settings.ZHIFA_LEGAL_DECISION_DAYS = 60

    due = legal.decision_due(D(2026, 3, 4))

    # 3 May is in the Labour Day holiday (1–5 May): the period ends on Wednesday 6 May.
    assert (due.due_on, due.length, due.rolled_from) == (D(2026, 5, 6), 60, D(2026, 5, 3))


def test_apl_64_hearing_request_5_working_days_across_spring_festival_with_make_up_workday() -> None:
    # Notice served Friday 13 February: Saturday 14 (worked) is day 1, 24–27 February days 2–5.
    due = legal.hearing_request_due(D(2026, 2, 13))

    assert (due.due_on, due.unit, due.article) == (D(2026, 2, 27), legal.Unit.WORKING_DAYS, "APL 64(1), 85")


def test_apl_56_preservation_decision_7_working_days_counts_both_make_up_saturdays() -> None:
    # 14 Feb (1), 24–27 Feb (2–5), Saturday 28 Feb worked (6), Monday 2 March (7).
    assert legal.preservation_decision_due(D(2026, 2, 13)).due_on == D(2026, 3, 2)


def test_apl_64_hearing_notice_at_least_7_working_days_before_the_hearing() -> None:
    plain = legal.hearing_notice_latest(D(2026, 3, 11))
    across_spring_festival = legal.hearing_notice_latest(D(2026, 2, 25))
    on_a_saturday = legal.hearing_notice_latest(D(2026, 3, 14))

    # Monday 2 March leaves 3–6, 9–11 March; Monday 9 February leaves 10–14 (14 worked) and 24–25 February.
    assert (plain.due_on, across_spring_festival.due_on) == (D(2026, 3, 2), D(2026, 2, 9))
    # A hearing on a rest day: the seventh working day after the notice must not fall after it.
    assert on_a_saturday.due_on == D(2026, 3, 4)


def test_apl_44_45_statement_and_defence_default_3_working_days_configurable(settings: Any) -> None:
    default = legal.statement_defence_due(D(2026, 3, 2))
    settings.ZHIFA_LEGAL_DEFENCE_WORKING_DAYS = 5
    configured = legal.statement_defence_due(D(2026, 3, 2))

    assert (default.due_on, configured.due_on) == (D(2026, 3, 5), D(2026, 3, 9))


def test_lead_check_15_working_days_across_national_day(settings: Any) -> None:
    # Friday 18 September: Sunday 20 Sept worked (1), 21–24 (2–5), 25 off, 28–30 (6–8), 1–7 Oct off, 8–9 Oct
    # (9–10), Saturday 10 Oct worked (11), 12–15 Oct (12–15).
    assert legal.lead_check_due(D(2026, 9, 18)).due_on == D(2026, 10, 15)
    settings.ZHIFA_LEGAL_LEAD_CHECK_WORKING_DAYS = 5
    assert legal.lead_check_due(D(2026, 9, 18)).due_on == D(2026, 9, 24)


def test_apl_61_decision_served_within_7_working_days_after_labour_day() -> None:
    # Thursday 30 April: 1–5 May off, 6–8 May (1–3), Saturday 9 May worked (4), 11–13 May (5–7).
    assert legal.decision_service_due(D(2026, 4, 30)).due_on == D(2026, 5, 13)


def test_cpl_95_public_notice_deemed_served_30_days_later_rolled_past_national_day() -> None:
    due = legal.public_notice_served_on(D(2026, 9, 5))

    assert (due.due_on, due.rolled_from) == (D(2026, 10, 8), D(2026, 10, 5))


def test_apl_67_payment_due_15_days_after_service() -> None:
    assert legal.payment_due(D(2026, 1, 20)).due_on == D(2026, 2, 4)


def test_apl_67_payment_period_ending_in_spring_festival_ends_on_the_first_working_day_after() -> None:
    due = legal.payment_due(D(2026, 2, 1))

    assert (due.due_on, due.rolled_from) == (D(2026, 2, 24), D(2026, 2, 16))


def test_cpl_85_holiday_rule_can_be_switched_off(settings: Any) -> None:
    settings.ZHIFA_ROLL_PERIOD_END_TO_WORKING_DAY = False

    assert legal.payment_due(D(2026, 2, 1)).due_on == D(2026, 2, 16)
    assert legal.lawsuit_due(D(2026, 1, 5)).due_on == D(2026, 7, 5)


def test_reconsideration_law_20_60_days_from_service_rolled_past_labour_day() -> None:
    assert legal.reconsideration_due(D(2026, 3, 2)).due_on == D(2026, 5, 6)


def test_administrative_litigation_law_46_six_months_from_service() -> None:
    assert legal.lawsuit_due(D(2026, 3, 2)).due_on == D(2026, 9, 2)
    # 31 August has no 31 February: the month's last day, Saturday 28 February 2026, a make-up workday.
    assert legal.lawsuit_due(D(2025, 8, 31)).due_on == D(2026, 2, 28)


def test_acl_53_court_enforcement_3_months_after_the_remedy_periods() -> None:
    # Served Monday 5 January: the lawsuit period (the later remedy) ends Sunday 5 July → Monday 6 July; three
    # months on is 6 October, in the National Day holiday → Thursday 8 October.
    due = legal.court_enforcement_due(D(2026, 1, 5))

    assert (due.start_on, due.due_on, due.article) == (D(2026, 7, 6), D(2026, 10, 8), "ACL 53")


def test_acl_54_reminder_10_working_days_before_applying_to_court() -> None:
    assert legal.reminder_period_end(D(2026, 3, 2)).due_on == D(2026, 3, 16)


def test_apl_71_cash_handed_in_within_2_working_days() -> None:
    assert legal.cash_hand_in_due(D(2026, 2, 13)).due_on == D(2026, 2, 24)
    assert legal.cash_hand_in_due(D(2026, 4, 30)).due_on == D(2026, 5, 7)


def test_acl_25_seizure_expires_after_30_days() -> None:
    due = legal.seizure_expiry(D(2026, 3, 2))

    assert (due.due_on, due.article, due.extra_days) == (D(2026, 4, 1), "ACL 25", 0)


def test_acl_25_seizure_extended_once_by_30_days_ends_after_labour_day() -> None:
    assert legal.seizure_expiry(D(2026, 3, 2), extension_days=30).due_on == D(2026, 5, 6)


def test_acl_25_seizure_extension_over_30_days_is_refused() -> None:
    with pytest.raises(ValidationFailed) as refused:
        legal.seizure_expiry(D(2026, 3, 2), extension_days=31)

    assert refused.value.code == "seizure_extension_too_long"


def test_acl_25_testing_days_are_not_counted_in_the_seizure() -> None:
    # 10–12 March (3 days) excluded: 1 April + 3 = Saturday 4 April, Qingming holiday to 6 April → 7 April.
    due = legal.seizure_expiry(D(2026, 3, 2), testing_periods=[(D(2026, 3, 10), D(2026, 3, 12))])

    assert (due.due_on, due.extra_days, due.rolled_from) == (D(2026, 4, 7), 3, D(2026, 4, 4))


@pytest.mark.parametrize(
    ("periods", "code"),
    [
        ([(D(2026, 4, 2), D(2026, 4, 3))], "testing_after_seizure_expired"),
        ([(D(2026, 3, 12), D(2026, 3, 10))], "date_order_invalid"),
        ([(D(2026, 3, 1), D(2026, 3, 3))], "date_order_invalid"),
        ([(D(2026, 3, 10), D(2026, 3, 12)), (D(2026, 3, 12), D(2026, 3, 13))], "testing_periods_overlap"),
    ],
)
def test_acl_25_impossible_testing_periods_are_refused(periods: list[tuple[dt.date, dt.date]], code: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        legal.seizure_expiry(D(2026, 3, 2), testing_periods=periods)

    assert refused.value.code == code


def test_acl_25_testing_starting_on_the_last_day_still_stops_the_clock() -> None:
    due = legal.seizure_expiry(D(2026, 3, 2), testing_periods=[(D(2026, 4, 1), D(2026, 4, 1))])

    assert due.due_on == D(2026, 4, 2)


def test_unknown_period_code_is_refused() -> None:
    with pytest.raises(ValidationFailed) as refused:
        legal.deadline("appeal", D(2026, 3, 2))

    assert refused.value.code == "period_unknown"
    assert refused.value.message == "未知的期限规则：appeal"


@pytest.mark.parametrize(
    ("code", "options", "error"),
    [
        ("payment", {"extensions": [10]}, "period_option_not_allowed"),
        ("decision", {"extension_days": 10}, "period_option_not_allowed"),
        ("hearing_request", {"testing_periods": [(D(2026, 3, 3), D(2026, 3, 4))]}, "period_option_not_allowed"),
    ],
)
def test_option_of_another_rule_is_refused_not_ignored(code: str, options: dict[str, Any], error: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        legal.period_due(code, D(2026, 3, 2), **options)

    assert refused.value.code == error


def test_extra_days_on_a_working_day_period_are_refused() -> None:
    with pytest.raises(ValidationFailed) as refused:
        legal.deadline("hearing_request", D(2026, 3, 2), extra_days=2)

    assert refused.value.code == "period_extra_not_allowed"


def test_a_year_the_holiday_notice_does_not_cover_is_refused_until_the_administrator_adds_it() -> None:
    # Served 20 December 2026: 15 days end on 4 January 2027, a year the package has no notice for yet.
    with pytest.raises(ValidationFailed) as refused:
        legal.payment_due(D(2026, 12, 20))
    CalendarOverride.objects.create(day=D(2027, 1, 4), is_working_day=True, note="2027年安排（测试）")

    assert refused.value.code == "calendar_year_unknown"
    assert legal.payment_due(D(2026, 12, 20)).due_on == D(2027, 1, 4)


def test_every_period_cites_its_article_and_only_configurable_ones_name_a_setting() -> None:
    settings_named = {p.code: p.setting for p in legal.PERIODS.values() if p.setting}

    assert all(p.article for p in legal.PERIODS.values())
    assert settings_named == {
        "lead_check": "ZHIFA_LEGAL_LEAD_CHECK_WORKING_DAYS",
        "statement_defence": "ZHIFA_LEGAL_DEFENCE_WORKING_DAYS",
        "decision": "ZHIFA_LEGAL_DECISION_DAYS",
    }


@pytest.mark.parametrize("code", sorted(legal.PERIODS))
def test_every_period_ends_after_its_start_on_a_working_day_where_it_rolls(code: str) -> None:
    period = legal.PERIODS[code]

    due = legal.deadline(code, D(2026, 3, 2))

    assert (due.code, due.label, due.article, due.start_on) == (code, period.label, period.article, D(2026, 3, 2))
    assert due.due_on < due.start_on if period.before else due.due_on > due.start_on
    if period.rolls:
        assert is_working_day(due.due_on)
