"""Commissioning agreements: adding and changing one with its cost lines, targets and review
dates (all in one transaction), and recording a review once held.

Every rule broken is a ValidationError keyed by what it concerns: a field of the agreement
(``total_cost``, ``ends_on``...), a list as a whole (``cost_lines``, ``targets``,
``review_dates``) or one row of a list, as ``"<list>.<index>.<field>"`` (``"cost_lines.2.amount"``,
``"targets.0.indicator"``, ``"review_dates.1"``), so a form can show each next to its row.

Rows given with an ``id`` (a line of this agreement) change that line in place, so its history
reads as a change; rows without one are added, and the agreement's lines that no row names are
deleted (their history keeps them).

The rules are in rules.py; adding and changing in saving.py; recording a review in
reviews.py.
"""

from performance.services.agreements.reviews import agreement_review_record
from performance.services.agreements.rules import (
    AGREEMENT_FIELDS,
    REQUIRED_MESSAGES,
    bodies_under,
    money,
)
from performance.services.agreements.saving import agreement_create, agreement_update

__all__ = [
    "AGREEMENT_FIELDS",
    "REQUIRED_MESSAGES",
    "agreement_create",
    "agreement_review_record",
    "agreement_update",
    "bodies_under",
    "money",
]
