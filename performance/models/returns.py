"""Quarterly returns: an indicator's figure for one period, its commentary and remedial action,
submitted by the named lead (or their delegate) and signed off by the owning body."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from partnership.history import audited
from partnership.periods import Quarter
from performance.models.indicators import VALUE, Indicator


class Rag(models.TextChoices):
    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"
    NO_DATA = "no_data", "No data"
    NO_TARGET = "no_target", "No target"


class Direction(models.TextChoices):
    IMPROVING = "improving", "Improving"
    NO_CHANGE = "no_change", "No change"
    WORSENING = "worsening", "Worsening"
    NOT_COMPARABLE = "not_comparable", "Not comparable"


class ReturnStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for sign-off"
    SENT_BACK = "sent_back", "Sent back to the lead"
    SIGNED_OFF = "signed_off", "Signed off"


# A return in one of these states is the lead's to edit.
EDITABLE = [ReturnStatus.DRAFT, ReturnStatus.SENT_BACK]
# Values in these states count as figures: for direction of travel and the dashboards.
REPORTED = [ReturnStatus.SUBMITTED, ReturnStatus.SIGNED_OFF]


class Return(models.Model):
    """One indicator's return for one quarter. RAG and direction are worked out live while the
    return is being written, and kept as they were when it was submitted: a target changed
    later does not silently change a rating already reported."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="returns")
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    status = models.CharField(
        max_length=20, choices=ReturnStatus.choices, default=ReturnStatus.DRAFT
    )
    value = models.DecimalField("actual value", null=True, blank=True, **VALUE)
    commentary = models.TextField(blank=True)
    remedial_action = models.TextField("remedial action", blank=True)
    remedial_by = models.DateField("remedial action by", null=True, blank=True)
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="returns_delegated",
        help_text="A colleague of the lead's who completes this return for them.",
    )
    # What the return was measured against when it was submitted.
    target_value = models.DecimalField("target", null=True, blank=True, **VALUE)
    rag = models.CharField("RAG", max_length=20, choices=Rag.choices, blank=True)
    direction = models.CharField(
        "direction against the previous period",
        max_length=20,
        choices=Direction.choices,
        blank=True,
    )
    direction_year = models.CharField(
        "direction against the same quarter last year",
        max_length=20,
        choices=Direction.choices,
        blank=True,
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    # Optimistic locking: each save must name the version it started from.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)

    history = audited()

    class Meta:
        ordering = ["indicator__code", "year", "quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "quarter"], name="one_return_per_period"
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="return_quarter_1_to_4"
            ),
            models.CheckConstraint(
                condition=~Q(status=ReturnStatus.SIGNED_OFF)
                | Q(signed_off_by__isnull=False, signed_off_at__isnull=False),
                name="signed_off_return_says_by_whom",
            ),
            # Nobody signs off a return they submitted.
            models.CheckConstraint(
                condition=Q(signed_off_by__isnull=True)
                | Q(submitted_by__isnull=True)
                | ~Q(signed_off_by=F("submitted_by")),
                name="return_not_signed_off_by_submitter",
                violation_error_message="Nobody may sign off a return they submitted.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[ReturnStatus.DRAFT])
                | Q(submitted_by__isnull=False, submitted_at__isnull=False),
                name="submitted_return_says_by_whom",
            ),
        ]
        indexes = [models.Index(fields=["status", "year", "quarter"])]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period.label}"

    def get_absolute_url(self) -> str:
        return reverse(
            "performance:return",
            kwargs={
                "partnership": self.indicator.partnership.slug,
                "pk": self.indicator_id,
                "period": self.period.slug,
            },
        )

    @property
    def period(self) -> Quarter:
        return Quarter(self.year, self.quarter)

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def is_signed_off(self) -> bool:
        return self.status == ReturnStatus.SIGNED_OFF


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    SENT_BACK = "sent_back", "Sent back"
    SIGNED_OFF = "signed_off", "Signed off"
    REOPENED = "reopened", "Re-opened for correction"
    DELEGATED = "delegated", "Delegated"
    DELEGATION_ENDED = "delegation_ended", "Taken back by the lead"


class ReturnEvent(models.Model):
    """What happened to a return and why: a governance event kept for good, beside the field
    history."""

    ret = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    value = models.DecimalField(null=True, blank=True, **VALUE)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.ret}"


class ChaseStep(models.TextChoices):
    BEFORE = "before", "Due in 7 days"
    DUE = "due", "Due today"
    LATE_COORDINATORS = "late_7", "7 days late"
    LATE_CHAIR = "late_14", "14 days late"


class ReturnChase(models.Model):
    """One step of chasing one return's period, recorded with the digest that carried it, so a
    step is told once however often the chaser runs."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    step = models.CharField(max_length=20, choices=ChaseStep.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    sent_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "quarter", "step", "recipient"],
                name="one_chase_per_step_and_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.year} Q{self.quarter} {self.step}"
