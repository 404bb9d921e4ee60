"""The rules that rate a figure: which target applies, the RAG rating and direction of travel.

Pure functions of values, with no queries, so a return being typed, a dashboard of 200
indicators and a report all rate the same way. Callers load the figures they need first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from partnership.periods import Quarter
from performance.models import (
    WHOLE_YEAR,
    Direction,
    Frequency,
    Indicator,
    Polarity,
    Rag,
    TargetKind,
    ToleranceKind,
    Unit,
)

HUNDRED = Decimal(100)


def target_for(
    indicator: Indicator, period: Quarter, targets: Mapping[tuple[int, int], Decimal]
) -> Decimal | None:
    """The target a figure for ``period`` is measured against. ``targets`` maps (year,
    quarter) to value, quarter 0 being the whole year. A quarter's own target comes first.
    Otherwise the year's target applies to every quarter of a point-in-time indicator, and to
    the year's last return of a cumulative one (Q4 is the whole year to date)."""
    own = targets.get((period.year, period.number))
    if own is not None:
        return own
    if (
        indicator.target_kind == TargetKind.POINT
        or period.number == 4
        or indicator.frequency == Frequency.ANNUAL
    ):
        return targets.get((period.year, WHOLE_YEAR))
    return None


def rag_rating(
    *,
    value: Decimal | None,
    target: Decimal | None,
    polarity: str,
    unit: str,
    tolerance_kind: str,
    tolerance: Decimal,
) -> Rag:
    """Green on or better than target; amber worse but within tolerance; red beyond it.
    No figure and no target are states of their own, never green. A yes/no indicator is
    green or red."""
    if value is None:
        return Rag.NO_DATA
    if target is None:
        return Rag.NO_TARGET
    if unit == Unit.YES_NO:
        return Rag.GREEN if value == target else Rag.RED
    shortfall = target - value if polarity == Polarity.HIGHER else value - target
    if shortfall <= 0:
        return Rag.GREEN
    if tolerance_kind == ToleranceKind.PERCENT:
        allowed = abs(target) * tolerance / HUNDRED
    else:
        allowed = tolerance
    return Rag.AMBER if shortfall <= allowed else Rag.RED


def travel(
    *, value: Decimal | None, earlier: Decimal | None, polarity: str, margin: Decimal
) -> Direction:
    """Improving or worsening by more than ``margin``, else no change; not comparable
    without both figures."""
    if value is None or earlier is None:
        return Direction.NOT_COMPARABLE
    change = value - earlier if polarity == Polarity.HIGHER else earlier - value
    if abs(change) <= margin:
        return Direction.NO_CHANGE
    return Direction.IMPROVING if change > 0 else Direction.WORSENING


@dataclass(frozen=True)
class Rating:
    """What a figure for a period says, against its target and its own past."""

    period: Quarter
    value: Decimal | None
    target: Decimal | None
    rag: Rag
    previous_period: Quarter
    previous_value: Decimal | None
    direction: Direction
    last_year_value: Decimal | None
    direction_year: Direction

    @property
    def off_track(self) -> bool:
        return self.rag in (Rag.AMBER, Rag.RED)


def rate(
    indicator: Indicator,
    period: Quarter,
    value: Decimal | None,
    *,
    targets: Mapping[tuple[int, int], Decimal],
    figures: Mapping[Quarter, Decimal | None],
) -> Rating:
    """Rate ``value`` for ``period``: ``figures`` are the indicator's reported figures by
    period. A cumulative indicator's year to date cannot be compared with the quarter before
    (it only grows through the year), so it is compared with the same quarter last year only."""
    target = target_for(indicator, period, targets)
    previous = indicator.previous_period(period)
    last_year = period.same_quarter_last_year()
    previous_value = figures.get(previous)
    last_year_value = figures.get(last_year)
    margin = indicator.travel_margin
    if indicator.target_kind == TargetKind.CUMULATIVE and previous != last_year:
        direction = Direction.NOT_COMPARABLE
    else:
        direction = travel(
            value=value, earlier=previous_value, polarity=indicator.polarity, margin=margin
        )
    return Rating(
        period=period,
        value=value,
        target=target,
        rag=rag_rating(
            value=value,
            target=target,
            polarity=indicator.polarity,
            unit=indicator.unit,
            tolerance_kind=indicator.tolerance_kind,
            tolerance=indicator.tolerance,
        ),
        previous_period=previous,
        previous_value=previous_value,
        direction=direction,
        last_year_value=last_year_value,
        direction_year=travel(
            value=value, earlier=last_year_value, polarity=indicator.polarity, margin=margin
        ),
    )


def parse_value(indicator: Indicator, raw: object) -> Decimal | None:
    """A typed figure as a Decimal in the indicator's unit, or ValidationError saying what is
    wrong with it. Blank is None (no figure yet). Commas and a leading £ or trailing % are
    allowed, as people type them."""
    if raw is None:
        return None
    if isinstance(raw, Decimal):
        value = raw
    else:
        text = str(raw).strip().replace(",", "")
        if not text:
            return None
        if indicator.unit == Unit.YES_NO:
            answers = {"yes": Decimal(1), "y": Decimal(1), "1": Decimal(1)}
            answers |= {"no": Decimal(0), "n": Decimal(0), "0": Decimal(0)}
            if text.lower() not in answers:
                raise ValidationError("Select yes or no", code="yes_no")
            return answers[text.lower()]
        text = text.removeprefix("£").removesuffix("%").strip()
        try:
            value = Decimal(text)
        except InvalidOperation as exc:
            raise ValidationError(
                "Enter the value as a number, like 42 or 12.5", code="not_a_number"
            ) from exc
        if not value.is_finite():
            raise ValidationError("Enter the value as a number, like 42 or 12.5", code="invalid")
    check_value(indicator, value)
    return value


def check_value(indicator: Indicator, value: Decimal) -> None:
    """Raise ValidationError if ``value`` cannot be a figure of this indicator."""
    if indicator.unit == Unit.YES_NO:
        if value not in (0, 1):
            raise ValidationError("Select yes or no", code="yes_no")
        return
    if indicator.unit == Unit.PERCENTAGE and not (0 <= value <= 100):
        raise ValidationError("A percentage must be between 0 and 100", code="percentage")
    if indicator.unit == Unit.RATE and value < 0:
        raise ValidationError("A rate cannot be less than 0", code="negative")
    exponent = value.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if places > indicator.decimal_places:
        allowed = indicator.decimal_places
        raise ValidationError(
            "Enter a whole number"
            if allowed == 0
            else f"Enter the value to no more than {allowed} decimal place{'s' * (allowed > 1)}",
            code="decimal_places",
        )
    if abs(value) >= Decimal(10) ** 12:
        raise ValidationError("The value is too large", code="too_large")


def format_value(indicator: Indicator, value: Decimal | None) -> str:
    """A figure as people read it: "42.5%", "£1,200", "Yes", "3.2 per 1,000"."""
    if value is None:
        return "No data"
    if indicator.unit == Unit.YES_NO:
        return "Yes" if value else "No"
    number = f"{value:,.{indicator.decimal_places}f}"
    if indicator.unit == Unit.PERCENTAGE:
        return f"{number}%"
    if indicator.unit == Unit.CURRENCY:
        return f"£{number}" if value >= 0 else f"-£{number[1:]}"
    if indicator.unit == Unit.RATE:
        return f"{number} per 1,000"
    return number
