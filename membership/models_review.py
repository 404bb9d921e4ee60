"""The annual membership review (Warrington section 3 and Appendix F): once a year per body the
co-ordinator opens a review; a sheet per member is prepared from the record (attendance, the
agreement, declarations, training) and the chair records an outcome for each member.

Imported at the end of ``membership.models``, so Django finds these models there.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from partnership.history import audited
from partnership.models import Body


class MembershipReview(models.Model):
    """One body's review for one financial year (``year`` 2026 is April 2026 to March 2027)."""

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="membership_reviews")
    year = models.PositiveSmallIntegerField("financial year starting")
    opened_on = models.DateField("opened on")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField("outcomes due by")
    completed_at = models.DateTimeField("completed", null=True, blank=True)

    history = audited()

    class Meta:
        ordering = ["-year", "body__name"]
        constraints = [
            models.UniqueConstraint(fields=["body", "year"], name="one_membership_review_a_year"),
        ]

    def __str__(self) -> str:
        return f"Membership review {self.year}–{(self.year + 1) % 100:02d}, {self.body}"


class ReviewOutcome(models.TextChoices):
    CONTINUE = "continue", "Continue"
    DISCUSS = "discuss", "Discuss with the nominating organisation"
    END = "end", "End the membership"


class ReviewSheet(models.Model):
    """One member's sheet: the figures from the record when the review was opened (kept, so the
    sheet says what the chair saw), and the chair's outcome with a note."""

    review = models.ForeignKey(MembershipReview, on_delete=models.CASCADE, related_name="sheets")
    membership = models.ForeignKey(
        "membership.Membership", on_delete=models.PROTECT, related_name="review_sheets"
    )
    meetings_held = models.PositiveSmallIntegerField("meetings held", default=0)
    attended = models.PositiveSmallIntegerField(default=0)
    apologies = models.PositiveSmallIntegerField(default=0)
    substitutes_sent = models.PositiveSmallIntegerField("substitutes sent", default=0)
    absent = models.PositiveSmallIntegerField("absent without apologies", default=0)
    # Held, but no attendance recorded for the member: attended + apologies + absent +
    # not_recorded = meetings_held, as in governance's attendance record.
    not_recorded = models.PositiveSmallIntegerField("attendance not recorded", default=0)
    agreement_signed = models.BooleanField("signed the current agreement", default=False)
    declarations_confirmed = models.BooleanField("declarations confirmed this year", default=False)
    training_count = models.PositiveSmallIntegerField("training records this year", default=0)
    outcome = models.CharField(max_length=20, choices=ReviewOutcome.choices, blank=True)
    note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # For an outcome that ends the membership: the first day it is no longer held.
    ends_on = models.DateField("membership ends on", null=True, blank=True)

    history = audited()

    class Meta:
        ordering = ["review", "membership__person__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "membership"], name="one_review_sheet_a_membership"
            ),
            models.CheckConstraint(
                condition=~Q(outcome="end") | Q(ends_on__isnull=False),
                name="review_end_outcome_has_date",
                violation_error_message="Enter the date the membership ends.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership}: {self.review}"
