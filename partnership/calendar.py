"""Working days and bank holidays: the one place that knows them.

A working day is Monday to Friday and not a bank holiday in England and Wales, where the
partnerships this serves sit. The bank holidays come from the maintained ``holidays`` package,
which follows the substitute days ("Boxing Day (observed)") and one-off ones (a coronation) as
the government announces them. Deadlines counted in working days (a return's due date) and the
dates a form suggests (an election's close, a term's start) both use this module.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

# England and Wales share their bank holidays; Scotland and Northern Ireland differ.
SUBDIVISION = "ENG"
# Christmas Eve to New Year's Day: most partner offices close or run on skeleton staff, so a
# suggested date (a vote closing, a term starting) moves past it. Deadlines are not moved.
_FESTIVE_BREAK = ((12, 24), (1, 1))


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv=SUBDIVISION, years=year))


def is_bank_holiday(day: date) -> bool:
    return day in _bank_holidays(day.year)


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a bank holiday."""
    return day.weekday() < 5 and not is_bank_holiday(day)


def add_working_days(day: date, days: int) -> date:
    """``day`` moved on by ``days`` working days: weekends and bank holidays are skipped."""
    current, left = day, days
    while left > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            left -= 1
    return current


def working_day_on_or_after(day: date) -> date:
    """``day`` if it is a working day, else the next one."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def _in_festive_break(day: date) -> bool:
    (start_month, start_day), (end_month, end_day) = _FESTIVE_BREAK
    return (day.month, day.day) >= (start_month, start_day) or (day.month, day.day) <= (
        end_month,
        end_day,
    )


def suggested_day(day: date) -> date:
    """A date to offer as a form's default: ``day``, or the first working day after it that
    is not in the Christmas and New Year break. Never a weekend or a bank holiday."""
    day = working_day_on_or_after(day)
    while _in_festive_break(day):
        day = working_day_on_or_after(day + timedelta(days=1))
    return day
