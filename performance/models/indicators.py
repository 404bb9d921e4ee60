"""Indicators, their targets, and the deadline each body sets for each quarter's returns."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse

from partnership.history import audited
from partnership.models import Body, Partnership
from partnership.periods import Quarter, financial_year_label
from performance.models.plans import Outcome

VALUE = {"max_digits": 16, "decimal_places": 4}


class Unit(models.TextChoices):
    NUMBER = "number", "Number"
    PERCENTAGE = "percentage", "Percentage"
    RATE = "rate_per_1000", "Rate per 1,000"
    CURRENCY = "currency", "Currency (£)"
    YES_NO = "yes_no", "Yes or no"


class Polarity(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class Frequency(models.TextChoices):
    QUARTERLY = "quarterly", "Quarterly"
    SIX_MONTHLY = "six_monthly", "Six-monthly"
    ANNUAL = "annual", "Annual"


# The quarters in which each frequency's returns fall due.
DUE_QUARTERS = {
    Frequency.QUARTERLY: (1, 2, 3, 4),
    Frequency.SIX_MONTHLY: (2, 4),
    Frequency.ANNUAL: (4,),
}
# How many quarters back the previous period of each frequency is.
PERIOD_LENGTH = {Frequency.QUARTERLY: 1, Frequency.SIX_MONTHLY: 2, Frequency.ANNUAL: 4}


class ToleranceKind(models.TextChoices):
    PERCENT = "percent", "Percentage of the target"
    ABSOLUTE = "absolute", "Absolute value"


class TargetKind(models.TextChoices):
    CUMULATIVE = "cumulative", "Cumulative (the year to date)"
    POINT = "point", "Point in time (the quarter itself)"


class Indicator(models.Model):
    """A measure of an outcome, with a named lead who submits its returns."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="indicators"
    )
    body = models.ForeignKey(
        Body, on_delete=models.PROTECT, related_name="indicators", verbose_name="owning body"
    )
    outcome = models.ForeignKey(
        Outcome, on_delete=models.PROTECT, related_name="indicators", null=True, blank=True
    )
    code = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    definition = models.TextField(blank=True)
    unit = models.CharField(max_length=20, choices=Unit.choices)
    polarity = models.CharField(max_length=10, choices=Polarity.choices)
    baseline_value = models.DecimalField("baseline value", null=True, blank=True, **VALUE)
    baseline_period = models.CharField(
        "baseline period", max_length=20, blank=True, help_text="For example 2024/25."
    )
    data_source = models.CharField("data source", max_length=300, blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="indicators_led",
        verbose_name="named lead",
    )
    frequency = models.CharField(
        max_length=20, choices=Frequency.choices, default=Frequency.QUARTERLY
    )
    target_kind = models.CharField(
        "targets are", max_length=20, choices=TargetKind.choices, default=TargetKind.POINT
    )
    decimal_places = models.PositiveSmallIntegerField(
        "decimal places", default=0, validators=[MaxValueValidator(4)]
    )
    tolerance_kind = models.CharField(
        "tolerance is", max_length=20, choices=ToleranceKind.choices, default=ToleranceKind.PERCENT
    )
    tolerance = models.DecimalField(
        default=Decimal("5"),
        validators=[MinValueValidator(0)],
        help_text="How far off target is amber rather than red.",
        **VALUE,
    )
    travel_margin = models.DecimalField(
        "margin for no change",
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
        help_text="A change no bigger than this is shown as no change.",
        **VALUE,
    )
    published = models.BooleanField(
        "published to the public", default=False, help_text="Signed-off values only."
    )
    retired_on = models.DateField("retired on", null=True, blank=True)

    history = audited()

    class Meta:
        ordering = ["code", "pk"]
        constraints = [
            # Codes are compared ignoring case, as people and spreadsheets write them.
            models.UniqueConstraint(
                "partnership",
                Lower("code"),
                name="indicator_code_unique_in_partnership",
                violation_error_message="Another indicator already has this code.",
            ),
            models.CheckConstraint(
                condition=Q(decimal_places__lte=4), name="indicator_decimal_places_at_most_4"
            ),
            models.CheckConstraint(condition=Q(tolerance__gte=0), name="tolerance_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse(
            "performance:indicator",
            kwargs={"partnership": self.partnership.slug, "pk": self.pk},
        )

    def is_due(self, quarter: Quarter) -> bool:
        """Whether a return falls due for ``quarter`` (six-monthly in Q2 and Q4, annual in Q4)."""
        # Choices compare and hash as their strings: no enum member is built (this runs for
        # every indicator and period the chaser and dashboards look at).
        return quarter.number in DUE_QUARTERS[self.frequency]

    def previous_period(self, quarter: Quarter) -> Quarter:
        return quarter.minus(PERIOD_LENGTH[self.frequency])

    def is_active(self, *, on: date) -> bool:
        return self.retired_on is None or self.retired_on > on


WHOLE_YEAR = 0


class Target(models.Model):
    """A target for one financial year: for the whole year (quarter 0) or for one quarter.
    A cumulative indicator's quarterly target is the year to date."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField("financial year", help_text="The year it starts in.")
    quarter = models.PositiveSmallIntegerField(
        choices=[(WHOLE_YEAR, "Whole year"), (1, "Q1"), (2, "Q2"), (3, "Q3"), (4, "Q4")],
        default=WHOLE_YEAR,
    )
    value = models.DecimalField(**VALUE)

    history = audited()

    class Meta:
        ordering = ["indicator", "year", "quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "quarter"], name="one_target_per_period"
            ),
            models.CheckConstraint(condition=Q(quarter__lte=4), name="target_quarter_0_to_4"),
        ]

    def __str__(self) -> str:
        period = "whole year" if self.quarter == WHOLE_YEAR else f"Q{self.quarter}"
        return f"{self.indicator.code} {financial_year_label(self.year)} {period}: {self.value}"


class ReturnDeadline(models.Model):
    """When a body's returns for one quarter are due. Without one, the default applies: a set
    number of working days after the quarter ends (``PERFORMANCE_RETURN_WORKING_DAYS``)."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="return_deadlines")
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    due_on = models.DateField("deadline")

    history = audited()

    class Meta:
        ordering = ["body", "year", "quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "year", "quarter"], name="one_deadline_per_body_quarter"
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="deadline_quarter_1_to_4"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body}: {Quarter(self.year, self.quarter).label} due {self.due_on}"

    @property
    def period(self) -> Quarter:
        return Quarter(self.year, self.quarter)
