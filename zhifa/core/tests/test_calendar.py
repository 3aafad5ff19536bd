import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from zhifa.core.calendar import (
    add_calendar_days,
    add_working_days,
    is_working_day,
    legal_period_end,
    provisional_for_unknown_years,
)
from zhifa.core.errors import ValidationFailed
from zhifa.core.models import CalendarOverride, HolidayYear

pytestmark = pytest.mark.django_db


def test_statutory_holiday_and_make_up_workday_2026() -> None:
    # State Council notice for 2026: National Day holiday 1–7 Oct 2026 (Thursday 1 Oct is a holiday);
    # Spring Festival 2026 runs 15–23 Feb with Saturday 14 Feb and Saturday 28 Feb as make-up workdays.
    assert is_working_day(dt.date(2026, 10, 1)) is False
    assert is_working_day(dt.date(2026, 2, 14)) is True
    assert is_working_day(dt.date(2026, 2, 28)) is True
    assert is_working_day(dt.date(2026, 11, 28)) is False  # an ordinary Saturday


def test_override_wins_over_the_package() -> None:
    CalendarOverride.objects.create(day=dt.date(2026, 11, 27), is_working_day=False, note="台风停工")
    assert is_working_day(dt.date(2026, 11, 27)) is False


def test_working_days_skip_weekend_and_start_day_is_not_counted() -> None:
    # APL 85: a 5-day period from Thursday 26 Nov 2026 ends Thursday 3 Dec (Sat/Sun skipped).
    assert add_working_days(dt.date(2026, 11, 26), 5) == dt.date(2026, 12, 3)


def test_seven_working_days_across_national_day() -> None:
    # Served on Wed 30 Sep 2026: 1–7 Oct are holidays; Sat 10 Oct 2026 is a make-up workday, Sun 11 Oct is not.
    # Working days counted: 8, 9, 10, 12, 13, 14, 15 Oct.
    end = add_working_days(dt.date(2026, 9, 30), 7)
    assert end == dt.date(2026, 10, 15)


def test_calendar_period_ending_on_a_holiday_rolls_forward() -> None:
    # 60 days from 2 Aug 2026 is 1 Oct 2026, a holiday → the period ends on Thu 8 Oct, the first working day.
    assert add_calendar_days(dt.date(2026, 8, 2), 60) == dt.date(2026, 10, 8)


def test_legal_period_end_uses_working_days_for_short_periods() -> None:
    start = dt.date(2026, 11, 26)
    assert legal_period_end(start, 7) == add_working_days(start, 7)  # APL 85
    assert legal_period_end(start, 10, statute="ACL") == add_working_days(start, 10)  # ACL 69
    assert legal_period_end(start, 15) == add_calendar_days(start, 15)


def test_unknown_year_is_a_clear_error() -> None:
    with pytest.raises(ValidationFailed) as exc:
        is_working_day(dt.date(2099, 5, 6))
    assert exc.value.code == "calendar_year_unknown"


def test_a_provisional_count_assumes_weekends_for_an_unknown_year_and_says_so() -> None:
    # 2099 is not in the holiday data: Wed 6 May + 5 working days → Wed 13 May, Monday to Friday only.
    with provisional_for_unknown_years() as provisional:
        assert add_working_days(dt.date(2099, 5, 6), 5) == dt.date(2099, 5, 13)
    assert provisional.years == {2099}
    with provisional_for_unknown_years() as provisional:
        assert add_working_days(dt.date(2026, 11, 26), 5) == dt.date(2026, 12, 3)
    assert not provisional.used
    # Outside the block the unknown year is refused again, and an override still wins inside it.
    with pytest.raises(ValidationFailed):
        is_working_day(dt.date(2099, 5, 6))
    CalendarOverride.objects.create(day=dt.date(2099, 5, 7), is_working_day=False, note="假日")
    with provisional_for_unknown_years():
        assert add_working_days(dt.date(2099, 5, 6), 1) == dt.date(2099, 5, 8)


def test_a_registered_year_counts_its_notice_and_monday_to_friday() -> None:
    # 2099 is not in the holiday data. The administrator enters its notice's days and registers the year: the
    # entered holidays are rest days, the make-up Saturday a working day, and every other day Monday–Friday.
    for day in (dt.date(2099, 1, 1), dt.date(2099, 1, 2)):  # Thu, Fri: 元旦
        CalendarOverride.objects.create(day=day, is_working_day=False, note="元旦")
    CalendarOverride.objects.create(day=dt.date(2099, 1, 10), is_working_day=True, note="调休上班")  # a Saturday
    with pytest.raises(ValidationFailed):
        add_working_days(dt.date(2098, 12, 31), 3)  # not yet registered
    year = HolidayYear(year=2099, notice="国务院办公厅关于2099年部分节假日安排的通知")
    year.full_clean()
    year.save()
    # From Wed 31 Dec 2098 (a year the package knows): 1–2 Jan rest, 3–4 Jan weekend, 5, 6, 7 Jan working.
    assert add_working_days(dt.date(2098, 12, 31), 3) == dt.date(2099, 1, 7)
    assert is_working_day(dt.date(2099, 1, 10)) is True
    assert is_working_day(dt.date(2099, 1, 11)) is False  # an ordinary Sunday
    assert is_working_day(dt.date(2099, 6, 3)) is True  # an ordinary Wednesday
    with provisional_for_unknown_years() as provisional:
        add_working_days(dt.date(2099, 5, 6), 5)
    assert not provisional.used  # a registered year is known, not provisional


def test_a_year_is_registered_only_after_its_holidays_are_entered() -> None:
    # Registered with no rest day on a weekday, its 春节 and 国庆 would count as working days.
    CalendarOverride.objects.create(day=dt.date(2099, 1, 3), is_working_day=False, note="周六")
    CalendarOverride.objects.create(day=dt.date(2098, 10, 1), is_working_day=False, note="另一年")
    with pytest.raises(ValidationError) as exc:
        HolidayYear(year=2099, notice="通知").full_clean()
    assert [e.code for e in exc.value.error_dict["__all__"]] == ["holiday_year_no_rest_days"]
    with pytest.raises(ValidationError) as exc:
        HolidayYear(year=1999, notice="通知").full_clean()
    assert [e.code for e in exc.value.error_dict["year"]] == ["holiday_year_out_of_range"]
    assert not HolidayYear.objects.exists()
