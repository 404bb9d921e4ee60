from datetime import date, timedelta

from partnership.calendar import (
    add_working_days,
    is_bank_holiday,
    is_working_day,
    suggested_day,
    working_day_on_or_after,
)
from partnership.periods import add_working_days as periods_add_working_days


def test_england_and_wales_bank_holidays_are_known():
    assert is_bank_holiday(date(2026, 12, 25))
    assert is_bank_holiday(date(2026, 12, 28))  # Boxing Day falls on a Saturday: substitute
    assert is_bank_holiday(date(2027, 3, 29))  # Easter Monday
    assert not is_bank_holiday(date(2026, 12, 24))
    assert not is_working_day(date(2026, 12, 26))  # a Saturday


def test_working_days_skip_weekends_and_bank_holidays():
    # Thursday before Easter 2027: Good Friday and Easter Monday are not counted.
    assert add_working_days(date(2027, 3, 25), 1) == date(2027, 3, 30)
    # The returns deadline: 15 working days after Q3 ends crosses New Year's Day.
    assert add_working_days(date(2026, 12, 31), 15) == date(2027, 1, 22)


def test_the_periods_module_counts_working_days_the_same_way():
    assert periods_add_working_days is add_working_days


def test_a_working_day_is_kept_and_a_holiday_moves_to_the_next():
    assert working_day_on_or_after(date(2026, 12, 2)) == date(2026, 12, 2)
    assert working_day_on_or_after(date(2026, 12, 25)) == date(2026, 12, 29)


def test_suggested_dates_are_never_a_weekend_a_bank_holiday_or_the_christmas_break():
    day = date(2026, 1, 1)
    while day < date(2028, 1, 1):
        suggested = suggested_day(day)
        assert is_working_day(suggested), day
        assert not (suggested.month == 12 and suggested.day >= 24), day
        assert suggested >= day and suggested - day < timedelta(days=14), day
        day += timedelta(days=1)
    assert suggested_day(date(2026, 12, 24)) == date(2027, 1, 4)
