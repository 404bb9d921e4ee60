"""Risk registers: every risk owned by a body, scored for likelihood and impact (1 to 5) three
times (inherent, residual, target), with its controls and its quarterly reviews. A body sets its
appetite; a risk whose residual score exceeds it is escalated to the body it reports to, and
that body's chair may accept it above appetite, with a reason, until a date.

Escalation is not a copy: the parent body's register lists the risk itself (one edit shows in
both), and ``escalated_to`` records where it went and the agenda item it was put on.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from governance.models import AgendaItem
from partnership.history import audited
from partnership.models import Body, Organisation, Partnership
from performance.models.indicators import Indicator
from performance.models.plans import Outcome, PlanAction

SCORE = [MinValueValidator(1), MaxValueValidator(5)]

# The categories a partnership starts with; it may add its own (RiskCategory rows).
DEFAULT_CATEGORIES = [
    "Strategic",
    "Financial",
    "Reputational",
    "Operational",
    "Legal",
    "Partnership",
    "Safeguarding",
]

# What each level means, shown beside the scores on the form.
LIKELIHOOD_LEVELS = {
    1: "Rare: may happen only in exceptional circumstances (under 5%)",
    2: "Unlikely: could happen at some time (5% to 25%)",
    3: "Possible: might happen at some time (25% to 50%)",
    4: "Likely: will probably happen (50% to 80%)",
    5: "Almost certain: expected to happen (over 80%)",
}
IMPACT_LEVELS = {
    1: "Insignificant: no noticeable effect on the partnership's outcomes",
    2: "Minor: a small delay or cost, absorbed by the partners",
    3: "Moderate: an outcome or a partner's service noticeably affected",
    4: "Major: an outcome missed, serious harm or loss, or lasting damage to trust",
    5: "Severe: the partnership cannot deliver; death or serious injury; legal failure",
}


class RiskSettings(models.Model):
    """A partnership's rating bands (a score is likelihood × impact, 1 to 25) and whether it
    publishes a summary of its registers. Without a row, the defaults apply."""

    partnership = models.OneToOneField(
        Partnership, on_delete=models.CASCADE, related_name="risk_settings"
    )
    # The lowest score of each band above "low".
    medium_from = models.PositiveSmallIntegerField(default=5, validators=[MaxValueValidator(25)])
    high_from = models.PositiveSmallIntegerField(default=10, validators=[MaxValueValidator(25)])
    very_high_from = models.PositiveSmallIntegerField(
        default=16, validators=[MaxValueValidator(25)]
    )
    publish_summary = models.BooleanField(
        "publish a summary of the registers",
        default=False,
        help_text="The public then sees how many risks are in each band: never a risk itself.",
    )

    history = audited()

    class Meta:
        verbose_name_plural = "risk settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(medium_from__gt=1)
                & Q(high_from__gt=F("medium_from"))
                & Q(very_high_from__gt=F("high_from")),
                name="risk_bands_rise",
            )
        ]

    def __str__(self) -> str:
        return f"Risk settings of {self.partnership}"


class RiskCategory(models.Model):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="risk_categories"
    )
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "risk categories"
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="risk_category_unique")
        ]

    def __str__(self) -> str:
        return self.name


class RiskAppetite(models.Model):
    """How much risk a body will carry: a residual score above ``threshold`` (or above the
    category's own threshold, where one is set) is escalated to the body it reports to."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="risk_appetites")
    category = models.ForeignKey(
        RiskCategory, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    threshold = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(25)],
        help_text="The highest residual score the body accepts (likelihood × impact).",
    )

    history = audited()

    class Meta:
        ordering = ["body", "category__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["body"], condition=Q(category__isnull=True), name="one_body_appetite"
            ),
            models.UniqueConstraint(
                fields=["body", "category"],
                condition=Q(category__isnull=False),
                name="one_category_appetite",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body}: {self.threshold}"


class RiskStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Risk(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="risks")
    body = models.ForeignKey(
        Body,
        on_delete=models.PROTECT,
        related_name="risks",
        verbose_name="owning body",
    )
    code = models.CharField(max_length=20, help_text="A short reference, for example SSC-R3.")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    cause = models.TextField(blank=True)
    effect = models.TextField(blank=True)
    category = models.ForeignKey(RiskCategory, on_delete=models.PROTECT, related_name="risks")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="risks_owned",
        verbose_name="risk owner",
    )
    owner_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="risk owner's organisation",
    )
    outcomes = models.ManyToManyField(Outcome, blank=True, related_name="risks")
    indicators = models.ManyToManyField(Indicator, blank=True, related_name="risks")
    actions = models.ManyToManyField(
        PlanAction, blank=True, related_name="risks", verbose_name="delivery-plan actions"
    )
    inherent_likelihood = models.PositiveSmallIntegerField(validators=SCORE)
    inherent_impact = models.PositiveSmallIntegerField(validators=SCORE)
    residual_likelihood = models.PositiveSmallIntegerField(validators=SCORE)
    residual_impact = models.PositiveSmallIntegerField(validators=SCORE)
    target_likelihood = models.PositiveSmallIntegerField(validators=SCORE)
    target_impact = models.PositiveSmallIntegerField(validators=SCORE)
    confidential = models.BooleanField(
        default=False,
        help_text="Kept from the public summary. A risk is only seen by the bodies it concerns.",
    )
    status = models.CharField(max_length=10, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    closed_on = models.DateField(null=True, blank=True)
    closure_reason = models.TextField("reason for closing", blank=True)
    # Escalation: where the risk went while above its body's appetite, and the item it was put
    # on there. Cleared (with de_escalated_on) when it falls back within appetite.
    escalated_to = models.ForeignKey(
        Body, on_delete=models.PROTECT, null=True, blank=True, related_name="escalated_risks"
    )
    escalated_on = models.DateField(null=True, blank=True)
    escalation_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = audited()

    class Meta:
        ordering = ["body__name", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "code"], name="risk_code_unique_in_partnership"
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_on__isnull=True)
                | Q(status="closed", closed_on__isnull=False),
                name="closed_risk_has_date",
            ),
            # The target cannot be worse than the inherent score.
            models.CheckConstraint(
                condition=Q(
                    target_likelihood__lte=F("inherent_likelihood"),
                    target_impact__lte=F("inherent_impact"),
                ),
                name="risk_target_not_worse_than_inherent",
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{field}__gte": 1, f"{field}__lte": 5}),
                    name=f"risk_{field}_1_to_5",
                )
                for field in (
                    "inherent_likelihood",
                    "inherent_impact",
                    "residual_likelihood",
                    "residual_impact",
                    "target_likelihood",
                    "target_impact",
                )
            ],
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def inherent_score(self) -> int:
        return self.inherent_likelihood * self.inherent_impact

    @property
    def residual_score(self) -> int:
        return self.residual_likelihood * self.residual_impact

    @property
    def target_score(self) -> int:
        return self.target_likelihood * self.target_impact

    @property
    def is_open(self) -> bool:
        return self.status == RiskStatus.OPEN


class ControlStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    IN_PLACE = "in_place", "In place"
    OVERDUE = "overdue", "Overdue"
    CANCELLED = "cancelled", "Cancelled"


class Effectiveness(models.TextChoices):
    NOT_YET = "not_yet", "Not yet known"
    WEAK = "weak", "Weak"
    PARTIAL = "partial", "Partly effective"
    EFFECTIVE = "effective", "Effective"


class RiskControl(models.Model):
    """A mitigating action: who does it, by when, how far along it is and how well it works."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="controls")
    description = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="risk_controls"
    )
    due_on = models.DateField("due date")
    status = models.CharField(
        max_length=20, choices=ControlStatus.choices, default=ControlStatus.PLANNED
    )
    effectiveness = models.CharField(
        max_length=20, choices=Effectiveness.choices, default=Effectiveness.NOT_YET
    )
    done_on = models.DateField("in place since", null=True, blank=True)

    history = audited()

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.description[:60]


class RiskReview(models.Model):
    """The owner's quarterly review: the residual score re-taken (or confirmed unchanged) and
    what changed. One a quarter; a later review of the same quarter replaces nothing, it is
    another row."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="reviews")
    year = models.PositiveSmallIntegerField("financial year")
    quarter = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    unchanged = models.BooleanField(default=False)
    residual_likelihood = models.PositiveSmallIntegerField(validators=SCORE)
    residual_impact = models.PositiveSmallIntegerField(validators=SCORE)
    what_changed = models.TextField(blank=True)
    reviewed_at = models.DateTimeField()

    class Meta:
        ordering = ["-reviewed_at", "-pk"]

    def __str__(self) -> str:
        return f"Review of {self.risk} in {self.year} Q{self.quarter}"

    @property
    def residual_score(self) -> int:
        return self.residual_likelihood * self.residual_impact


class RiskAcceptance(models.Model):
    """The parent body's chair accepting a risk above appetite: with a reason, until a date.
    While in force the risk is not escalated again, and stays on the accepting body's register
    marked as accepted."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="acceptances")
    # The body whose chair accepted it (the one it was escalated to): while the acceptance
    # stands, the risk stays on that body's register, and its people still read it.
    body = models.ForeignKey(
        Body, on_delete=models.PROTECT, null=True, blank=True, related_name="accepted_risks"
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField()
    expires_on = models.DateField()
    accepted_at = models.DateTimeField()

    history = audited()

    class Meta:
        ordering = ["-accepted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.risk} accepted until {self.expires_on:%-d %B %Y}"
