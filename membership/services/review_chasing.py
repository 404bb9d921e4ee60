"""Chasing the annual membership review: whoever decides the sheets still open (the chair;
the deputy for the chair's own; the co-ordinators when no office holder may) is chased once a
review's outcomes are past due; every open review closes the sheets of members who have left
(``review_complete``), so a leaver never holds a review open; and from 1 October (half the
financial year gone: two meetings of a quarterly body on the record) each co-ordinator of a
body with members and no review for the year is reminded to open one. Each person hears once
a review (or a body and year) however often the daily job runs: ``notify_once`` keeps the
notice. "Your tasks" lists the same (``tasklist``).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone

from membership.models import Membership, MembershipReview, ReviewSheet, Role
from membership.selectors import coordinators_by_body, office_holders_by_body
from membership.services.reviews import deciders_of, review_complete, review_url
from partnership.models import Body
from partnership.notifications import notify_each
from partnership.periods import financial_year, financial_year_label

__all__ = ["REVIEW_DUE_FROM", "bodies_due_review", "review_due_from", "reviews_chase"]

# (month, day) from which a body with no review for the financial year is chased.
REVIEW_DUE_FROM = (10, 1)


def review_due_from(year: int) -> date:
    """The day from which a body with no review for financial year ``year`` is chased."""
    return date(year, *REVIEW_DUE_FROM)


def bodies_due_review(*, today: date) -> QuerySet[Body]:
    """Open bodies with someone to review (a current member, not a co-ordinator) and no
    review for this financial year, whatever the date (callers ask ``review_due_from``)."""
    year = financial_year(today)
    members = (
        Membership.objects.current(on=today)
        .filter(body=OuterRef("pk"))
        .exclude(role=Role.COORDINATOR)
    )
    reviewed = MembershipReview.objects.filter(body=OuterRef("pk"), year=year)
    return (
        Body.objects.filter(closed_on__isnull=True)
        .filter(Exists(members))
        .exclude(Exists(reviewed))
        .select_related("partnership")
        .order_by("partnership__name", "name")
    )


def review_list_url(body: Body) -> str:
    return reverse(
        "membership:review_list",
        kwargs={"partnership": body.partnership.slug, "body": body.slug},
    )


def _close_leavers(today: date) -> None:
    """Close the sheets of members who have left, in each open review that has one; the
    review completes if they were the last (one transaction a review)."""
    reviews = MembershipReview.objects.filter(
        completed_at__isnull=True,
        sheets__outcome="",
        sheets__membership__ends_on__lte=today,
    ).distinct()
    for pk in reviews.values_list("pk", flat=True):
        with transaction.atomic():
            review = MembershipReview.objects.select_for_update().get(pk=pk)
            review_complete(actor=None, review=review)


def _overdue(today: date) -> list[dict]:
    reviews = list(
        MembershipReview.objects.filter(completed_at__isnull=True, due_on__lt=today)
        .select_related("body__partnership")
        .order_by("pk")
    )
    bodies = [r.body for r in reviews]
    holders = office_holders_by_body(bodies=bodies, on=today)
    coordinators = coordinators_by_body(bodies=bodies, on=today) if reviews else {}
    undecided: dict[int, set[int]] = {}
    for review_id, person_id in ReviewSheet.objects.filter(
        review__in=reviews, outcome=""
    ).values_list("review_id", "membership__person_id"):
        undecided.setdefault(review_id, set()).add(person_id)
    messages = []
    for review in reviews:
        url = review_url(review)
        deciders = deciders_of(
            review.body,
            holders[review.body_id],
            undecided.get(review.pk, set()),
            lambda review=review: coordinators[review.body_id],
        )
        for person in deciders:
            messages.append(
                {
                    "to": person,
                    "key": f"membership-review-overdue-{review.pk}",
                    "template": "review_notice",
                    "url": url,
                    "context": {
                        "subject": f"Membership review overdue: {review.body.name}",
                        "text": f"The outcomes of the {review.body.name}'s membership review "
                        f"for {financial_year_label(review.year)} were due by "
                        f"{review.due_on:%-d %B %Y}. Record an outcome for each member "
                        "still to decide.",
                        "url": url,
                    },
                }
            )
    return messages


def _due(today: date) -> list[dict]:
    year = financial_year(today)
    if today < review_due_from(year):
        return []
    bodies = list(bodies_due_review(today=today))
    coordinators = coordinators_by_body(bodies=bodies, on=today)
    messages = []
    for body in bodies:
        url = review_list_url(body)
        for person in coordinators[body.pk]:
            messages.append(
                {
                    "to": person,
                    "key": f"membership-review-due-{body.pk}-{year}",
                    "template": "review_notice",
                    "url": url,
                    "context": {
                        "subject": f"Membership review due: {body.name}",
                        "text": f"The {body.name} has had no membership review for "
                        f"{financial_year_label(year)}. Open this year's review so the chair "
                        "can record an outcome for each member.",
                        "url": url,
                    },
                }
            )
    return messages


def reviews_chase(*, today: date | None = None) -> int:
    """Chase overdue outcomes and reviews not opened; how many were told now."""
    today = today or timezone.localdate()
    _close_leavers(today)
    return notify_each([*_overdue(today), *_due(today)])
