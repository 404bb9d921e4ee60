"""The UK financial year and its quarters: the one place that knows them.

A financial year runs from 1 April to 31 March and is named by the year it starts in (2025 is
"2025/26"). Q1 is April to June, Q2 July to September, Q3 October to December and Q4 January
to March, so 31 March 2025 is Q4 of 2024/25 and 1 April 2025 is Q1 of 2025/26.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

# Working days know the bank holidays; their one home is partnership.calendar.
from partnership.calendar import add_working_days  # noqa: F401 (its callers import it here)

# The month each quarter starts in.
_FIRST_MONTH = {1: 4, 2: 7, 3: 10, 4: 1}


def financial_year(day: date) -> int:
    """The year a UK financial year starts in: 1 April to 31 March."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


@dataclass(frozen=True, order=True)
class Quarter:
    """A quarter of a financial year: ``Quarter(2025, 1)`` is April to June 2025."""

    year: int
    number: int

    def __post_init__(self) -> None:
        if self.number not in (1, 2, 3, 4):
            raise ValueError(f"A quarter is numbered 1 to 4, not {self.number}")

    @classmethod
    def of(cls, day: date) -> Quarter:
        """The quarter ``day`` falls in."""
        number = {4: 1, 5: 1, 6: 1, 7: 2, 8: 2, 9: 2, 10: 3, 11: 3, 12: 3}.get(day.month, 4)
        return cls(financial_year(day), number)

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """Read "2025/26 Q1" (or "2025 Q1", "2025-26 Q1"); ValueError if it is not a quarter."""
        parts = text.replace("-", "/").split()
        if len(parts) != 2 or not parts[1].upper().startswith("Q"):
            raise ValueError(f"“{text}” is not a quarter such as 2025/26 Q1")
        year_part = parts[0].split("/")[0]
        try:
            quarter = cls(int(year_part), int(parts[1][1:]))
        except ValueError as exc:
            raise ValueError(f"“{text}” is not a quarter such as 2025/26 Q1") from exc
        if "/" in parts[0] and parts[0] != quarter.year_label:
            raise ValueError(f"“{text}” is not a financial year: write {quarter.year_label}")
        return quarter

    @property
    def starts_on(self) -> date:
        calendar_year = self.year + (1 if self.number == 4 else 0)
        return date(calendar_year, _FIRST_MONTH[self.number], 1)

    @property
    def ends_on(self) -> date:
        """The quarter's last day."""
        return self.next().starts_on - timedelta(days=1)

    @property
    def year_label(self) -> str:
        return financial_year_label(self.year)

    @property
    def label(self) -> str:
        """ "2025/26 Q1", the form used in files, history and URLs' titles."""
        return f"{self.year_label} Q{self.number}"

    @property
    def short_label(self) -> str:
        """ "Q1 2025/26", as reports and their lists name a quarter."""
        return f"Q{self.number} {self.year_label}"

    @property
    def long_label(self) -> str:
        """ "Q1 2025/26 (April to June 2025)", for people."""
        start, end = self.starts_on, self.ends_on
        return f"Q{self.number} {self.year_label} ({start:%B} to {end:%B %Y})"

    @property
    def slug(self) -> str:
        """ "2025-q1", for URLs."""
        return f"{self.year}-q{self.number}"

    @classmethod
    def from_slug(cls, slug: str) -> Quarter:
        year, _, number = slug.partition("-q")
        return cls(int(year), int(number))

    def next(self) -> Quarter:
        return (
            Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)
        )

    def previous(self) -> Quarter:
        return (
            Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)
        )

    def minus(self, quarters: int) -> Quarter:
        index = self.year * 4 + (self.number - 1) - quarters
        return Quarter(index // 4, index % 4 + 1)

    def same_quarter_last_year(self) -> Quarter:
        return Quarter(self.year - 1, self.number)

    def __str__(self) -> str:
        return self.label


def last_ended_quarter(day: date) -> Quarter:
    """The most recent quarter that has ended by ``day``: the one whose returns are open."""
    return Quarter.of(day).previous()


def quarters_ending(last: Quarter, count: int) -> list[Quarter]:
    """``count`` quarters up to and including ``last``, oldest first."""
    return [last.minus(n) for n in range(count - 1, -1, -1)]
