"""The financial year and its quarters, on both sides of every boundary."""

from datetime import date

import pytest

from partnership.periods import (
    Quarter,
    add_working_days,
    financial_year,
    financial_year_label,
    last_ended_quarter,
    quarters_ending,
)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 3, 31), Quarter(2024, 4)),
        (date(2025, 4, 1), Quarter(2025, 1)),
        (date(2025, 6, 30), Quarter(2025, 1)),
        (date(2025, 7, 1), Quarter(2025, 2)),
        (date(2025, 9, 30), Quarter(2025, 2)),
        (date(2025, 10, 1), Quarter(2025, 3)),
        (date(2025, 12, 31), Quarter(2025, 3)),
        (date(2026, 1, 1), Quarter(2025, 4)),
    ],
)
def test_a_day_falls_in_its_financial_quarter(day, expected):
    assert Quarter.of(day) == expected


def test_31_march_is_q4_of_the_year_before_and_1_april_q1_of_the_new_one():
    assert Quarter.of(date(2025, 3, 31)).label == "2024/25 Q4"
    assert Quarter.of(date(2025, 4, 1)).label == "2025/26 Q1"
    assert financial_year(date(2025, 3, 31)) == 2024
    assert financial_year(date(2025, 4, 1)) == 2025


def test_a_quarter_knows_its_first_and_last_day():
    assert Quarter(2025, 1).starts_on == date(2025, 4, 1)
    assert Quarter(2025, 1).ends_on == date(2025, 6, 30)
    assert Quarter(2025, 4).starts_on == date(2026, 1, 1)
    assert Quarter(2025, 4).ends_on == date(2026, 3, 31)
    assert Quarter(2023, 4).ends_on == date(2024, 3, 31)


def test_quarters_step_across_the_year_end():
    assert Quarter(2025, 4).next() == Quarter(2026, 1)
    assert Quarter(2025, 1).previous() == Quarter(2024, 4)
    assert Quarter(2025, 2).minus(6) == Quarter(2023, 4)
    assert Quarter(2025, 2).same_quarter_last_year() == Quarter(2024, 2)
    assert quarters_ending(Quarter(2025, 2), 3) == [
        Quarter(2024, 4),
        Quarter(2025, 1),
        Quarter(2025, 2),
    ]


def test_the_open_quarter_is_the_last_one_to_have_ended():
    assert last_ended_quarter(date(2025, 4, 1)) == Quarter(2024, 4)
    assert last_ended_quarter(date(2025, 3, 31)) == Quarter(2024, 3)


def test_labels_slugs_and_parsing_round_trip():
    q = Quarter(2025, 3)
    assert q.long_label == "Q3 2025/26 (October to December 2025)"
    assert Quarter.from_slug(q.slug) == q
    assert Quarter.parse("2025/26 Q3") == q
    assert Quarter.parse("2025 Q3") == q
    assert financial_year_label(1999) == "1999/00"
    for bad in ("2025/27 Q1", "2025/26 Q5", "Q1", "2025/26"):
        with pytest.raises(ValueError):
            Quarter.parse(bad)


def test_working_days_skip_weekends():
    # 30 June 2025 is a Monday; 15 working days later is Monday 21 July.
    assert add_working_days(date(2025, 6, 30), 15) == date(2025, 7, 21)
    # From a Friday, one working day is the Monday.
    assert add_working_days(date(2025, 7, 4), 1) == date(2025, 7, 7)
