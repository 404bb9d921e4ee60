"""Recording that one of an agreement's reviews was held."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from partnership.history import record_actor
from performance.models import AgreementReview

__all__ = ["agreement_review_record"]


@transaction.atomic
def agreement_review_record(
    *,
    actor: Any,
    review: AgreementReview,
    held_on: date | None,
    findings: str,
    today: date | None = None,
) -> AgreementReview:
    """Record that a review was held, when and what it found. The caller has checked
    ``can_review_agreement``."""
    today = today or timezone.localdate()
    review = (
        AgreementReview.objects.select_for_update(of=("self",))
        .select_related("agreement")
        .get(pk=review.pk)
    )
    if review.held_on is not None:
        raise ValidationError("This review has already been recorded.")
    findings = (findings or "").strip()
    errors = {}
    if held_on is None:
        errors["held_on"] = "Enter the date the review was held"
    elif held_on > today:
        errors["held_on"] = "The date the review was held cannot be in the future"
    elif held_on < review.agreement.starts_on:
        errors["held_on"] = "The review cannot be held before the agreement starts"
    if not findings:
        errors["findings"] = "Enter what the review found"
    if errors:
        raise ValidationError(errors)
    review.held_on, review.findings, review.reviewer = held_on, findings, actor
    record_actor(review, actor=actor, reason="Review recorded")
    review.save(update_fields=["held_on", "findings", "reviewer"])
    return review
