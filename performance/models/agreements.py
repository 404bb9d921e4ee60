"""Commissioning agreements: the service level agreement (SLA) that a provider the partnership
funds signs with the commissioning body (a thematic group, or one of its members, that agreed to
fund the service), holding Warrington's minimum content (Appendix A, "Service Level Agreement -
Minimum requirements") as fields that must all be filled in.

Its service targets are indicators of the commissioning body (``AgreementTarget``), so the
provider's quarterly figures arrive as the indicators' returns and are rated, signed off and
chased like any other. Its cost is a list of lines (``AgreementCostLine``) that must add up to
the stated total, and it is reviewed on the dates it sets (``AgreementReview``). What the
digest told about its reviews and its approaching end is kept in ``AgreementChase``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from partnership.history import audited
from partnership.models import Body, Organisation, Partnership
from performance.models.indicators import Indicator
from performance.models.returns import ChaseStep

__all__ = [
    "AgreementChase",
    "AgreementCostLine",
    "AgreementReview",
    "AgreementTarget",
    "CommissioningAgreement",
    "ENDING_NOTICE_DAYS",
    "MONEY",
]

MONEY = {"max_digits": 14, "decimal_places": 2}
# An agreement is flagged to its supervising person and the commissioning body's co-ordinators
# this many days before it ends.
ENDING_NOTICE_DAYS = 90


class CommissioningAgreement(models.Model):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="commissioning_agreements"
    )
    commissioning_body = models.ForeignKey(
        Body,
        on_delete=models.PROTECT,
        related_name="commissioning_agreements",
        verbose_name="commissioning body",
        help_text="The group that agreed to fund the service.",
    )
    reference = models.CharField(max_length=30, help_text="A short reference, for example SLA-07.")
    title = models.CharField(max_length=200)
    provider = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="agreements_provided"
    )
    purpose = models.TextField("purpose of the agreement")
    starts_on = models.DateField("start date")
    ends_on = models.DateField("end date")
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="agreements_supervised",
        verbose_name="supervising person",
        help_text="Supervises the agreement for the commissioning body.",
    )
    provider_representative = models.CharField(
        "provider's representative",
        max_length=200,
        help_text="The person responsible for the agreement for the provider: name and role.",
    )
    provider_representative_email = models.EmailField("representative's e-mail address")
    partnership_obligations = models.TextField(
        "the commissioning body's obligations",
        help_text="What the commissioning body undertakes, such as its funding arrangements.",
    )
    provider_obligations = models.TextField(
        "the provider's obligations",
        help_text="Statutory or voluntary obligations, such as DBS checks for staff.",
    )
    service_specification = models.TextField("service specification")
    target_user_group = models.TextField("target user group")
    sustainability_plan = models.TextField("sustainability plan")
    risk_assessment = models.TextField("risk assessment")
    potential_savings = models.TextField("potential savings")
    equality_statement = models.TextField("equality and diversity statement")
    community_engagement = models.TextField("community engagement statement")
    total_cost = models.DecimalField("total cost (£)", validators=[MinValueValidator(0)], **MONEY)
    monitoring_arrangements = models.TextField("performance monitoring arrangements")
    default_terms = models.TextField(
        "default", help_text="What happens if either side fails to keep the agreement."
    )
    arbitration_terms = models.TextField(
        "arbitration", help_text="How disagreements are resolved by negotiation."
    )
    key_partnership = models.ForeignKey(
        "performance.KeyPartnership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agreements",
        verbose_name="key partnership",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = audited()

    class Meta:
        ordering = ["-ends_on", "reference", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "reference"],
                name="agreement_reference_unique",
                violation_error_message="Another agreement already has this reference.",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")), name="agreement_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(total_cost__gte=0), name="agreement_cost_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["partnership", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse(
            "performance:agreement", kwargs={"partnership": self.partnership.slug, "pk": self.pk}
        )


class AgreementCostLine(models.Model):
    agreement = models.ForeignKey(
        CommissioningAgreement, on_delete=models.CASCADE, related_name="cost_lines"
    )
    position = models.PositiveSmallIntegerField(default=0)
    description = models.CharField(max_length=200)
    amount = models.DecimalField("amount (£)", validators=[MinValueValidator(0)], **MONEY)

    history = audited()

    class Meta:
        ordering = ["agreement", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="cost_line_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.description}: £{self.amount}"


class AgreementTarget(models.Model):
    """A service target: what the provider must achieve, measured by an indicator of the
    commissioning body (whose named lead submits the quarterly figures)."""

    agreement = models.ForeignKey(
        CommissioningAgreement, on_delete=models.CASCADE, related_name="targets"
    )
    position = models.PositiveSmallIntegerField(default=0)
    description = models.CharField(
        "target", max_length=300, help_text="What the provider must achieve, in words."
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="agreement_targets"
    )
    link_to_outcomes = models.CharField(
        "how it links to the partnership's outcomes", max_length=300, blank=True
    )

    history = audited()

    class Meta:
        ordering = ["agreement", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "indicator"], name="one_target_per_indicator_per_agreement"
            )
        ]

    def __str__(self) -> str:
        return self.description


class AgreementReview(models.Model):
    """A review date the agreement sets, and once held, what it found."""

    agreement = models.ForeignKey(
        CommissioningAgreement, on_delete=models.CASCADE, related_name="reviews"
    )
    due_on = models.DateField("review due")
    held_on = models.DateField("reviewed on", null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    findings = models.TextField(blank=True)

    history = audited()

    class Meta:
        ordering = ["agreement", "due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "due_on"], name="one_review_per_date"),
            models.CheckConstraint(
                condition=Q(held_on__isnull=True) | (Q(reviewer__isnull=False) & ~Q(findings="")),
                name="held_review_says_who_and_what",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id} review due {self.due_on}"


class AgreementChase(models.Model):
    """What the digest told about an agreement: a review due (``what="review"``, at each of the
    returns' steps) or its end approaching (``what="ending"``, once), per date and person."""

    REVIEW, ENDING = "review", "ending"

    agreement = models.ForeignKey(
        CommissioningAgreement, on_delete=models.CASCADE, related_name="+"
    )
    what = models.CharField(max_length=10, choices=[(REVIEW, "Review"), (ENDING, "Ending")])
    due_on = models.DateField()
    step = models.CharField(max_length=20, choices=ChaseStep.choices, blank=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    sent_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "what", "due_on", "step", "recipient"],
                name="one_agreement_chase_per_step_and_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.what} {self.due_on} {self.step}"
