"""Gathering today's digests (returns, risk reviews, overdue controls, key partnership and
agreement reviews, agreements ending) and sending them.

Each person gets at most one digest a day, listing everything of theirs in every partnership,
never one message per item. A person who already has today's digest gets nothing more today:
their new items stay unrecorded and go in tomorrow's.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from itertools import chain

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from partnership.notifications import notify_each
from performance.selectors.returns import deadlines_for, owed_periods
from performance.services.chasing.agreements import AgreementReviewsDue, AgreementsEnding
from performance.services.chasing.digest import DateLabels, Digest, Escalation, digest_record
from performance.services.chasing.key_partnerships import KeyPartnershipReviewsDue
from performance.services.chasing.returns import ReturnsOwed
from performance.services.chasing.risks import ReviewsOwed, controls_overdue

__all__ = ["digests_send", "digests_to_send", "returns_chase", "returns_to_chase"]


def digests_to_send(*, today: date | None = None) -> list[Digest]:
    """What each person is to be told today and has not been: one Digest per person, by id.
    In a fixed number of queries however many indicators, returns, risks, controls and people."""
    today = today or timezone.localdate()
    periods = owed_periods(today=today)
    returns = ReturnsOwed.load(today=today, periods=periods)
    # A review takes the risk as it stands now, of the quarter being collected: a quarter
    # missed is not made up later, so only that quarter's review is chased.
    reviews = ReviewsOwed.load(today=today, periods=periods[:1])
    key_partnerships = KeyPartnershipReviewsDue.load(today=today)
    agreement_reviews = AgreementReviewsDue.load(today=today)
    ending = AgreementsEnding.load(today=today)
    # The deadlines and the people above are loaded once for every body any of them concerns.
    bodies = {**returns.bodies, **reviews.bodies}
    deadlines = deadlines_for(body_ids=bodies, periods=periods)
    above = Escalation.load(
        bodies={**bodies, **key_partnerships.bodies, **agreement_reviews.bodies, **ending.bodies},
        today=today,
    )
    labels = DateLabels()
    found: dict[int, Digest] = {}
    for person, item in chain(
        returns.items(deadlines=deadlines, above=above, labels=labels),
        reviews.items(deadlines=deadlines, above=above, labels=labels),
        controls_overdue(today=today, labels=labels),
        key_partnerships.items(above=above, labels=labels),
        agreement_reviews.items(above=above, labels=labels),
        ending.items(above=above, labels=labels),
    ):
        found.setdefault(person.pk, Digest(recipient=person)).items.append(item)
    return sorted(found.values(), key=lambda d: d.recipient.pk)


def digests_send(*, today: date | None = None) -> int:
    """Send today's digests; returns how many were sent now. Raises NotAllSent (after sending
    the rest) if any could not be sent: their items stay unrecorded, so the next run sends them."""
    today = today or timezone.localdate()
    # The key predates risks in the digest: kept, so nobody gets two on the day it changed.
    key = f"returns-digest:{today.isoformat()}"
    as_of = date_format(today, "j F Y")  # once, not in each of 2,000 renders
    my_returns = reverse("my_returns")

    def messages():
        for digest in digests_to_send(today=today):
            yield {
                "to": digest.recipient,
                "key": key,
                "template": "returns_digest",
                "context": {
                    "sections": digest.sections,
                    "total": len(digest.items),
                    "as_of": as_of,
                },
                "url": digest.url(my_returns=my_returns),
                "on_sent": partial(digest_record, digest, today),
            }

    return notify_each(messages())


# The names the returns' chase had before risks joined the digest: the Celery task
# (performance.tasks.chase_returns) and the benchmark call returns_chase.
returns_chase = digests_send
returns_to_chase = digests_to_send
