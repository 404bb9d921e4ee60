"""A member's record at meetings, for the annual membership review (``membership``), which may
not import ``governance`` where meetings, attendance and the registers live.

``governance`` registers ONE provider here in its ``AppConfig.ready``: a callable of
(memberships, start, end) giving, by membership id, the figures it knows for the days from
``start`` to ``end`` (both included) on which the membership's PERSON sat on its body by any
of the given memberships (a role or seat change splits a membership: the record is one).
It must take a fixed number of queries however many memberships it is given. With no
provider (an app missing), every figure is nought.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

# The figures a provider gives, each a count unless said otherwise.
FIGURES = (
    # Meetings of the body held while the person sat on it, as governance's attendance record
    # counts them: agenda published, not cancelled, not a draft. Every one of them is counted
    # once in exactly one of attended, apologies, absent and not_recorded.
    "meetings_held",
    "attended",
    "apologies",
    "substitutes_sent",  # apologies or absences where a substitute attended instead
    "absent",  # recorded absent without apologies
    "not_recorded",  # held, but no attendance recorded for the person
    "declarations_confirmed",  # a bool: the register confirmed for the financial year
)

Figures = dict[str, Any]
Provider = Callable[[Sequence[Any], date, date], dict[int, Figures]]
_providers: list[Provider] = []


def register_member_record(provider: Provider) -> Provider:
    """Add a provider; usable as a decorator; registering twice is harmless."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def empty_figures() -> Figures:
    return {name: False if name == "declarations_confirmed" else 0 for name in FIGURES}


def member_record(memberships: Sequence[Any], start: date, end: date) -> dict[int, Figures]:
    """Each membership's figures from every provider, by membership id."""
    found = {m.pk: empty_figures() for m in memberships}
    if not found:
        return found
    for provider in _providers:
        for pk, figures in provider(memberships, start, end).items():
            found[pk].update(figures)
    return found
