"""The flags the registers show and the daily digest chases, as pure functions of a record and
a day (no queries), so a page, an export and the chase agree; and a key partnership's reviews
as its page lists them."""

from __future__ import annotations

from datetime import date, timedelta

from performance.models import (
    ENDING_NOTICE_DAYS,
    CommissioningAgreement,
    KeyPartnership,
    KeyPartnershipReview,
    KeyPartnershipStatus,
)

__all__ = [
    "agreement_ending_soon",
    "ending_notice_from",
    "key_partnership_reviews",
    "review_overdue",
]


def ending_notice_from(ends_on: date) -> date:
    """The first day an agreement ending on ``ends_on`` is flagged: 90 days before."""
    return ends_on - timedelta(days=ENDING_NOTICE_DAYS)


def agreement_ending_soon(agreement: CommissioningAgreement, today: date) -> bool:
    """Whether the agreement ends within ``ENDING_NOTICE_DAYS`` (90) days: from 90 days before
    its end date to that date itself; not 91 days before, nor once it has ended."""
    return ending_notice_from(agreement.ends_on) <= today <= agreement.ends_on


def review_overdue(key_partnership: KeyPartnership, today: date) -> bool:
    """Whether an active key partnership's next review is past its due date."""
    return (
        key_partnership.status == KeyPartnershipStatus.ACTIVE
        and key_partnership.next_review_on < today
    )


def key_partnership_reviews(key_partnership: KeyPartnership) -> list[KeyPartnershipReview]:
    """Its reviews, newest first, with their reviewers and actions: two queries, as
    ``performance/partnerships/_reviews.html`` wants them."""
    return list(
        KeyPartnershipReview.objects.filter(key_partnership=key_partnership)
        .select_related("reviewer")
        .prefetch_related("actions")
        .order_by("-reviewed_on", "-pk")
    )
