"""The register of key partnerships: the partnerships the partnership (in Chorley's framework,
the council) relies on to deliver, each with its lead service and officer, remit, monitoring
arrangements, memorandum of understanding, money, exit strategy, risks and indicators, and its
review at least every few years (three by default: ``KeyPartnershipSettings.review_years``).

A review (``KeyPartnershipReview``) answers the framework's questions, ends in an outcome
(continue, change, exit) and may set actions. Recording one moves the partnership's last and
next review dates (``performance.services.partnerships``); the register flags an overdue one.

Some fields are for the public once the partnership publishes the register (``PUBLIC_FIELDS``);
money, liabilities, the exit strategy, the memorandum and the links to risks are never public.
"""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from partnership.history import audited
from partnership.models import Body, Organisation, Partnership
from partnership.storage import private_files
from performance.models.indicators import Indicator
from performance.models.returns import ChaseStep
from performance.models.risks import Risk

__all__ = [
    "KEY_CRITERIA",
    "PUBLIC_FIELDS",
    "KeyPartnership",
    "KeyPartnershipChase",
    "KeyPartnershipReview",
    "KeyPartnershipReviewAction",
    "KeyPartnershipSettings",
    "KeyPartnershipStatus",
    "PartnerStrength",
    "next_review_due",
    "review_years_for",
    "KeyReviewOutcome",
]

# What makes a partnership "key" (Chorley's framework, "Chorley's existing key partnerships" and
# "What is a key partnership?"): the criteria each record says it meets.
KEY_CRITERIA = {
    "strategic": "Its impact on delivering the partnership's strategic objectives",
    "reliance": "The extent of reliance on its partners to deliver core services",
    "financial": "Its financial value",
    "resources": "The scale of people and other resources involved",
    "commitment": "The length of the commitment",
    "innovation_risk": "A significant degree of innovation or risk",
    "statutory": "It is required by law (such as a Community Safety Partnership)",
}

# What the public sees of a record when the register is published (and the columns of the
# public page and of the public's export, in this order).
PUBLIC_FIELDS = (
    "name",
    "lead_organisation",
    "lead_service",
    "remit",
    "partner_organisations",
    "monitoring_arrangements",
    "additional_monitoring",
    "last_reviewed_on",
    "next_review_on",
)


def next_review_due(*, last: date, review_years: int) -> date:
    """The latest date the next review may be held: ``review_years`` after ``last`` (29
    February gives way to 28 February in a year that has none)."""
    try:
        return last.replace(year=last.year + review_years)
    except ValueError:
        return last.replace(year=last.year + review_years, day=28)


def review_years_for(partnership: Partnership) -> int:
    """The partnership's review period, or the default without its settings row."""
    years = (
        KeyPartnershipSettings.objects.filter(partnership=partnership)
        .values_list("review_years", flat=True)
        .first()
    )
    return years or KeyPartnershipSettings._meta.get_field("review_years").default


def mou_path(key_partnership: KeyPartnership, filename: str) -> str:
    # A folder of its own for each file: a new record has no primary key yet, and the file
    # keeps the name it was uploaded with (no storage suffix to strip when it is shown).
    return f"key-partnerships/{uuid4().hex}/{filename}"


class KeyPartnershipSettings(models.Model):
    """A partnership's rules for its register. Without a row, the defaults apply."""

    partnership = models.OneToOneField(
        Partnership, on_delete=models.CASCADE, related_name="key_partnership_settings"
    )
    review_years = models.PositiveSmallIntegerField(
        "review every (years)",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="Each key partnership is reviewed at least this often.",
    )
    publish_register = models.BooleanField(
        "publish the register",
        default=False,
        help_text=(
            "The public then sees each key partnership's name, leads, remit, partners, "
            "monitoring and review dates: never its money, risks, exit strategy or memorandum."
        ),
    )

    history = audited()

    class Meta:
        verbose_name_plural = "key partnership settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(review_years__gte=1, review_years__lte=10),
                name="key_partnership_review_years_1_to_10",
            )
        ]

    def __str__(self) -> str:
        return f"Key partnership settings of {self.partnership}"


class KeyPartnershipStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ENDED = "ended", "Ended"


class KeyPartnership(models.Model):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="key_partnerships"
    )
    name = models.CharField(max_length=200)
    lead_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="key_partnerships_led"
    )
    lead_service = models.CharField(
        "lead service", max_length=200, help_text="For example, Streetscene and Leisure Contracts."
    )
    lead_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="key_partnerships_led",
        verbose_name="lead officer",
        help_text="Leads its reviews and is reminded when one is due.",
    )
    remit = models.TextField("remit and purpose")
    bodies = models.ManyToManyField(
        Body,
        blank=True,
        related_name="key_partnerships",
        verbose_name="our bodies it links to",
    )
    partner_organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="key_partnerships", verbose_name="partners"
    )
    other_partners = models.TextField(
        "other partners",
        blank=True,
        help_text="Partners that are not organisations of this partnership, one a line.",
    )
    meets_key_criteria = models.BooleanField("meets the criteria for a key partnership")
    # Codes of KEY_CRITERIA; at least one when it meets them (checked by the service).
    key_criteria = models.JSONField("criteria it meets", default=list, blank=True)
    key_criteria_notes = models.TextField("about the criteria", blank=True)
    monitoring_arrangements = models.TextField("monitoring arrangements")
    additional_monitoring = models.BooleanField("additional monitoring required")
    additional_monitoring_reason = models.TextField(
        "why additional monitoring is required", blank=True
    )
    # The memorandum of understanding or terms of reference: a file, its text, or both.
    mou_text = models.TextField("memorandum of understanding or terms of reference", blank=True)
    mou_file = models.FileField(
        "memorandum file", storage=private_files, upload_to=mou_path, blank=True, max_length=255
    )
    mou_approved_by = models.CharField(
        "memorandum approved by", max_length=200, blank=True, help_text="Name and role."
    )
    mou_approved_on = models.DateField("memorandum approved on", null=True, blank=True)
    funding = models.TextField("funding", blank=True)
    annual_value = models.DecimalField(
        "annual value (£)", null=True, blank=True, max_digits=14, decimal_places=2
    )
    liabilities = models.TextField("liabilities", blank=True)
    exit_strategy = models.TextField("exit strategy", blank=True)
    notice_period = models.CharField(
        "notice period", max_length=300, blank=True, help_text="With any exceptions."
    )
    risks = models.ManyToManyField(Risk, blank=True, related_name="key_partnerships")
    indicators = models.ManyToManyField(Indicator, blank=True, related_name="key_partnerships")
    reports_to_executive = models.BooleanField(
        "has its own reports to the executive",
        default=False,
        help_text="If not, it is in the twice-yearly key partnerships report.",
    )
    last_reviewed_on = models.DateField("last reviewed", null=True, blank=True)
    next_review_on = models.DateField("next review due")
    status = models.CharField(
        max_length=10, choices=KeyPartnershipStatus.choices, default=KeyPartnershipStatus.ACTIVE
    )
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.TextField("why it ended", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = audited()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "name"],
                name="key_partnership_name_unique",
                violation_error_message="Another key partnership already has this name.",
            ),
            models.CheckConstraint(
                condition=Q(additional_monitoring=False) | ~Q(additional_monitoring_reason=""),
                name="additional_monitoring_says_why",
            ),
            models.CheckConstraint(
                condition=Q(status="active", ended_on__isnull=True)
                | Q(status="ended", ended_on__isnull=False),
                name="ended_key_partnership_has_date",
            ),
            models.CheckConstraint(
                condition=Q(last_reviewed_on__isnull=True)
                | Q(next_review_on__gt=models.F("last_reviewed_on")),
                name="next_review_after_last",
            ),
        ]
        indexes = [models.Index(fields=["partnership", "status", "next_review_on"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "performance:key_partnership",
            kwargs={"partnership": self.partnership.slug, "pk": self.pk},
        )

    @property
    def is_active(self) -> bool:
        return self.status == KeyPartnershipStatus.ACTIVE

    def criteria_labels(self) -> list[str]:
        return [KEY_CRITERIA[code] for code in self.key_criteria if code in KEY_CRITERIA]


class KeyReviewOutcome(models.TextChoices):
    """The three ends of a key partnership's review."""

    CONTINUE = "continue", "Continue as it is"
    CHANGE = "change", "Continue with changes"
    EXIT = "exit", "Exit the partnership"


class PartnerStrength(models.TextChoices):
    STRONG = "strong", "Strong and stable"
    ADEQUATE = "adequate", "Adequate"
    CONCERNS = "concerns", "Concerns"


class KeyPartnershipReview(models.Model):
    """A review of a key partnership: the framework's questions answered, and an outcome."""

    key_partnership = models.ForeignKey(
        KeyPartnership, on_delete=models.CASCADE, related_name="reviews"
    )
    reviewed_on = models.DateField("date of the review")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    still_needed = models.TextField("is it still needed?")
    delivering = models.TextField("is it delivering its outcomes?")
    value_for_money = models.TextField("does it give value for money?")
    governance = models.TextField("are its governance and accountability effective?")
    partner_strength = models.CharField(
        "partners' strength and stability", max_length=10, choices=PartnerStrength.choices
    )
    partner_strength_notes = models.TextField("about the partners' strength and stability")
    risks = models.TextField("what are its risks?")
    changes_needed = models.TextField("what changes are needed?", blank=True)
    outcome = models.CharField(max_length=10, choices=KeyReviewOutcome.choices)
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = audited()

    class Meta:
        ordering = ["-reviewed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="continue") | ~Q(changes_needed=""),
                name="review_change_or_exit_says_what",
            )
        ]

    def __str__(self) -> str:
        return f"{self.key_partnership}: reviewed {self.reviewed_on}"


class KeyPartnershipReviewAction(models.Model):
    review = models.ForeignKey(
        KeyPartnershipReview, on_delete=models.CASCADE, related_name="actions"
    )
    description = models.CharField(max_length=500)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField("due date")
    done_on = models.DateField("done on", null=True, blank=True)

    history = audited()

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.description


class KeyPartnershipChase(models.Model):
    """What the daily digest told about a key partnership's review, so each step is told once
    per due date (a review moved to a new date and missed again is chased again)."""

    key_partnership = models.ForeignKey(KeyPartnership, on_delete=models.CASCADE, related_name="+")
    due_on = models.DateField()
    step = models.CharField(max_length=20, choices=ChaseStep.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    sent_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key_partnership", "due_on", "step", "recipient"],
                name="one_key_partnership_chase_per_step_and_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.key_partnership_id} due {self.due_on} {self.step}"
