"""The daily chase, run by Celery beat (``performance.tasks.chase_returns``): one digest a person
a day listing their quarterly returns due and late (returns.py), their risks' quarterly reviews
due and late and their overdue risk controls (risks.py), key partnership and agreement reviews
due and late and agreements ending within 90 days (partnerships.py). What the kinds share, the
steps and their windows, the digest and the record of what it told, is in digest.py; gathering
and sending in sending.py.

Each step of each item is told once to each recipient, recorded (``ReturnChase``,
``RiskReviewChase``, ``RiskControlChase``, ``KeyPartnershipChase``, ``AgreementChase``) in the
transaction of the message that carried it.
"""

from performance.selectors.returns import RETURNS_LOOKBACK_QUARTERS
from performance.services.chasing.digest import Digest
from performance.services.chasing.returns import ChaseItem
from performance.services.chasing.risks import ControlChaseItem, ReviewChaseItem
from performance.services.chasing.sending import (
    digests_send,
    digests_to_send,
    returns_chase,
    returns_to_chase,
)

# How many quarters before the open one are still chased: the periods still owed.
CHASE_LOOKBACK_QUARTERS = RETURNS_LOOKBACK_QUARTERS

__all__ = [
    "CHASE_LOOKBACK_QUARTERS",
    "ChaseItem",
    "ControlChaseItem",
    "Digest",
    "ReviewChaseItem",
    "digests_send",
    "digests_to_send",
    "returns_chase",
    "returns_to_chase",
]
