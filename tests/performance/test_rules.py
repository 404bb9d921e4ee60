"""The rating rules: which target applies, RAG for both polarities and both tolerance kinds,
direction of travel, and reading typed values."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from partnership.periods import Quarter
from performance.models import WHOLE_YEAR, Direction, Indicator, Rag
from performance.rules import format_value, parse_value, rag_rating, rate, target_for, travel


def indicator(**fields) -> Indicator:
    defaults = {
        "code": "X1",
        "title": "Test",
        "unit": "number",
        "polarity": "higher",
        "frequency": "quarterly",
        "target_kind": "point",
        "decimal_places": 0,
        "tolerance_kind": "percent",
        "tolerance": D(10),
        "travel_margin": D(0),
    }
    return Indicator(**{**defaults, **fields})


def rating(value, target, *, polarity="higher", kind="percent", tolerance=10, unit="number"):
    return rag_rating(
        value=None if value is None else D(value),
        target=None if target is None else D(target),
        polarity=polarity,
        unit=unit,
        tolerance_kind=kind,
        tolerance=D(tolerance),
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [(110, Rag.GREEN), (100, Rag.GREEN), (95, Rag.AMBER), (90, Rag.AMBER), (89, Rag.RED)],
)
def test_higher_is_better_with_a_percentage_tolerance(value, expected):
    assert rating(value, 100) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(90, Rag.GREEN), (100, Rag.GREEN), (105, Rag.AMBER), (110, Rag.AMBER), (111, Rag.RED)],
)
def test_lower_is_better_with_a_percentage_tolerance(value, expected):
    assert rating(value, 100, polarity="lower") == expected


@pytest.mark.parametrize(
    ("value", "polarity", "expected"),
    [
        ("75", "higher", Rag.GREEN),
        ("72", "higher", Rag.AMBER),
        ("69.9", "higher", Rag.RED),
        ("75", "lower", Rag.GREEN),
        ("78", "lower", Rag.AMBER),
        ("80.1", "lower", Rag.RED),
    ],
)
def test_an_absolute_tolerance_is_in_the_indicators_unit(value, polarity, expected):
    assert rating(value, 75, polarity=polarity, kind="absolute", tolerance=5) == expected


def test_a_zero_tolerance_makes_anything_off_target_red():
    assert rating(99, 100, tolerance=0) == Rag.RED
    assert rating(100, 100, tolerance=0) == Rag.GREEN


def test_no_data_and_no_target_are_never_green():
    assert rating(None, 100) == Rag.NO_DATA
    assert rating(100, None) == Rag.NO_TARGET
    assert rating(None, None) == Rag.NO_DATA


def test_yes_no_indicators_are_green_or_red_whatever_the_tolerance():
    assert rating(1, 1, unit="yes_no", tolerance=100) == Rag.GREEN
    assert rating(0, 1, unit="yes_no", tolerance=100) == Rag.RED


def test_direction_of_travel_follows_polarity_and_margin():
    up = {"value": D(10), "earlier": D(8), "margin": D(1)}
    assert travel(**up, polarity="higher") == Direction.IMPROVING
    assert travel(**up, polarity="lower") == Direction.WORSENING
    assert travel(value=D(10), earlier=D(9), margin=D(1), polarity="higher") == (
        Direction.NO_CHANGE
    )
    assert travel(value=D(10), earlier=None, margin=D(0), polarity="higher") == (
        Direction.NOT_COMPARABLE
    )
    assert travel(value=None, earlier=D(3), margin=D(0), polarity="higher") == (
        Direction.NOT_COMPARABLE
    )


def test_a_quarters_own_target_comes_before_the_years():
    i = indicator()
    targets = {(2025, WHOLE_YEAR): D(100), (2025, 2): D(90)}
    assert target_for(i, Quarter(2025, 2), targets) == D(90)
    assert target_for(i, Quarter(2025, 3), targets) == D(100)
    assert target_for(i, Quarter(2026, 1), targets) is None


def test_a_cumulative_indicator_takes_the_years_target_only_at_q4():
    i = indicator(target_kind="cumulative")
    targets = {(2025, WHOLE_YEAR): D(400)}
    assert target_for(i, Quarter(2025, 2), targets) is None
    assert target_for(i, Quarter(2025, 4), targets) == D(400)


def test_rate_compares_with_the_previous_period_and_the_same_quarter_last_year():
    i = indicator(polarity="lower")
    figures = {Quarter(2025, 1): D(120), Quarter(2024, 2): D(80)}
    r = rate(i, Quarter(2025, 2), D(100), targets={(2025, 0): D(100)}, figures=figures)
    assert (r.rag, r.direction, r.direction_year) == (
        Rag.GREEN,
        Direction.IMPROVING,
        Direction.WORSENING,
    )
    assert (r.previous_value, r.last_year_value) == (D(120), D(80))


def test_six_monthly_and_annual_indicators_compare_with_their_own_previous_period():
    six = indicator(frequency="six_monthly")
    assert six.previous_period(Quarter(2025, 2)) == Quarter(2024, 4)
    assert six.is_due(Quarter(2025, 2)) and not six.is_due(Quarter(2025, 3))
    annual = indicator(frequency="annual")
    assert annual.previous_period(Quarter(2025, 4)) == Quarter(2024, 4)
    assert annual.is_due(Quarter(2025, 4)) and not annual.is_due(Quarter(2025, 1))


def test_a_cumulative_figure_is_not_compared_with_the_quarter_before():
    i = indicator(target_kind="cumulative")
    figures = {Quarter(2025, 1): D(50), Quarter(2024, 2): D(90)}
    r = rate(i, Quarter(2025, 2), D(100), targets={}, figures=figures)
    assert r.direction == Direction.NOT_COMPARABLE
    assert r.direction_year == Direction.IMPROVING


@pytest.mark.parametrize(
    ("unit", "places", "typed", "expected"),
    [
        ("number", 0, "1,234", D(1234)),
        ("percentage", 1, "45.5%", D("45.5")),
        ("currency", 2, "£1,200.50", D("1200.50")),
        ("yes_no", 0, "Yes", D(1)),
        ("yes_no", 0, "no", D(0)),
        ("number", 0, "  ", None),
    ],
)
def test_values_are_read_as_people_type_them(unit, places, typed, expected):
    assert parse_value(indicator(unit=unit, decimal_places=places), typed) == expected


@pytest.mark.parametrize(
    ("unit", "places", "typed", "message"),
    [
        ("number", 0, "about 40", "Enter the value as a number"),
        ("number", 0, "NaN", "Enter the value as a number"),
        ("percentage", 1, "101", "A percentage must be between 0 and 100"),
        ("percentage", 1, "-1", "A percentage must be between 0 and 100"),
        ("number", 0, "4.5", "Enter a whole number"),
        ("number", 1, "4.55", "no more than 1 decimal place"),
        ("yes_no", 0, "maybe", "Select yes or no"),
        ("rate_per_1000", 2, "-3", "A rate cannot be less than 0"),
    ],
)
def test_bad_values_are_refused_with_a_clear_reason(unit, places, typed, message):
    with pytest.raises(ValidationError) as error:
        parse_value(indicator(unit=unit, decimal_places=places), typed)
    assert message in error.value.messages[0]


def test_values_are_shown_in_their_unit():
    assert format_value(indicator(unit="percentage", decimal_places=1), D("45.5")) == "45.5%"
    assert format_value(indicator(unit="currency", decimal_places=0), D(1200)) == "£1,200"
    assert format_value(indicator(unit="yes_no"), D(1)) == "Yes"
    assert format_value(indicator(unit="rate_per_1000", decimal_places=1), D(3)) == (
        "3.0 per 1,000"
    )
    assert format_value(indicator(), None) == "No data"
