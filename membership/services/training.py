"""Training and development (Warrington section 3): a member records the courses they have
completed; a co-ordinator of a body they sit on may record them for them. Who may is
``membership.permissions.can_keep_training``."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from membership.models import TrainingRecord, User
from membership.permissions import can_keep_training
from partnership.history import record_actor

__all__ = ["training_record_add", "training_record_remove"]


def _require(actor: Any, person: User) -> None:
    if not can_keep_training(actor, person):
        raise PermissionDenied(
            "Only the member, or a co-ordinator of a body they sit on, keeps their training."
        )


@transaction.atomic
def training_record_add(
    *,
    actor: Any,
    person: User,
    course: str,
    completed_on: date | None,
    provider: str,
    notes: str = "",
) -> TrainingRecord:
    _require(actor, person)
    course, provider = (course or "").strip(), (provider or "").strip()
    errors: dict[str, str] = {}
    if not course:
        errors["course"] = "Enter the course"
    if not provider:
        errors["provider"] = "Enter the provider"
    if completed_on is None:
        errors["completed_on"] = "Enter the date completed"
    elif completed_on > timezone.localdate():
        errors["completed_on"] = "The date completed must be today or in the past"
    if errors:
        raise ValidationError(errors)
    record = TrainingRecord(
        person=person,
        course=course,
        completed_on=completed_on,
        provider=provider,
        notes=(notes or "").strip(),
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record_actor(
        record,
        actor=actor,
        reason="Training recorded"
        if getattr(actor, "pk", None) == person.pk
        else "Training recorded by a co-ordinator",
    )
    record.save()
    return record


@transaction.atomic
def training_record_remove(*, actor: Any, record: TrainingRecord) -> None:
    """Deleted from the list; its history keeps what it said and who removed it."""
    _require(actor, record.person)
    record_actor(record, actor=actor, reason="Training record removed")
    record.delete()
