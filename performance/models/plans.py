"""Outcomes and their delivery plans: what the partnership is trying to achieve, and the actions,
each with a named partner and lead, that deliver it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from partnership.history import audited
from partnership.models import Body, Organisation, Partnership


class OutcomeKind(models.TextChoices):
    PRIORITY = "priority", "Community Strategy priority"
    AGREED = "agreed", "Outcome agreed with government"


class Outcome(models.Model):
    """A priority of the Sustainable Community Strategy, or an outcome agreed with government
    (a Local Area Agreement outcome), owned by the body that delivers it."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="outcomes")
    body = models.ForeignKey(
        Body, on_delete=models.PROTECT, related_name="outcomes", verbose_name="owning body"
    )
    code = models.CharField(max_length=20, help_text="A short reference, for example SC1.")
    title = models.CharField(max_length=200)
    kind = models.CharField("type", max_length=20, choices=OutcomeKind.choices)
    description = models.TextField(blank=True)
    closed_on = models.DateField("closed on", null=True, blank=True)

    history = audited()

    class Meta:
        ordering = ["code", "pk"]
        constraints = [
            models.UniqueConstraint(
                "partnership",
                Lower("code"),
                name="outcome_code_unique_in_partnership",
                violation_error_message="Another outcome already has this code.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    DELAYED = "delayed", "Delayed"
    COMPLETE = "complete", "Complete"
    CANCELLED = "cancelled", "Cancelled"


OPEN_ACTION_STATUSES = [
    ActionStatus.NOT_STARTED,
    ActionStatus.ON_TRACK,
    ActionStatus.AT_RISK,
    ActionStatus.DELAYED,
]


class PlanAction(models.Model):
    """One action of an outcome's delivery plan."""

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField("action", max_length=300)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="plan_actions",
        verbose_name="partner organisation",
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="plan_actions",
        verbose_name="lead person",
    )
    starts_on = models.DateField("start date", null=True, blank=True)
    due_on = models.DateField("due date")
    status = models.CharField(
        max_length=20, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    completed_on = models.DateField("completed on", null=True, blank=True)
    progress = models.TextField("progress note", blank=True)

    history = audited()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=ActionStatus.COMPLETE) | Q(completed_on__isnull=False),
                name="complete_action_has_date",
                violation_error_message="A complete action needs the date it was completed.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, *, today=None) -> bool:
        return self.status in OPEN_ACTION_STATUSES and self.due_on < (today or timezone.localdate())
