"""The registers: declarations of interest with the rulings on them, each member's yearly
confirmation, and gifts and hospitality (CWaC agreement 11.1 to 11.4).

Nothing here is ever deleted. An interest that changes is *superseded* by a new version (the
old row stays, pointing at its successor), one that ends is *ended*; rulings are made on one
version, so a changed interest is ruled on afresh. What reaches the public is decided in
``governance.selectors.registers``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from partnership.history import audited
from partnership.models import Body, Organisation, Partnership

from .meetings import DeclaredInterest


class RegisterSettings(models.Model):
    """How a partnership runs its registers: what it publishes, and the value of a gift or
    hospitality above which the chair's attention is drawn to it."""

    partnership = models.OneToOneField(
        Partnership, on_delete=models.CASCADE, related_name="register_settings"
    )
    publish_interests = models.BooleanField("publish the register of interests", default=True)
    publish_gifts = models.BooleanField("publish the gifts and hospitality register", default=True)
    gift_threshold = models.DecimalField(
        "value that draws the chair's attention",
        max_digits=8,
        decimal_places=2,
        default=Decimal("50.00"),
        help_text="In pounds. Gifts and hospitality worth more are highlighted for the chair.",
    )

    history = audited()

    class Meta:
        verbose_name_plural = "register settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(gift_threshold__gte=0), name="gift_threshold_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"Register settings of {self.partnership}"


class InterestKind(models.TextChoices):
    FINANCIAL = "financial", "Financial"
    PERSONAL = "personal", "Personal"
    BUSINESS = "business", "Business"
    ORGANISATIONAL = "organisational", "Organisational"


class InterestHolder(models.TextChoices):
    # As a register reads; the member's form asks in the second person (HOLDER_CHOICES).
    SELF = "self", "The member"
    HOUSEHOLD = "household", "Their partner or a member of their household"
    ASSOCIATE = "associate", "A close associate"


class DeclarationQuerySet(models.QuerySet):
    def live(self, *, on=None) -> DeclarationQuerySet:
        """The versions in force on ``on``: begun, not yet ended, and not yet replaced by a
        newer version on that day (a past day sees the version of its time)."""
        day = on or timezone.localdate()
        # NOT EXISTS rather than a join to the newer version with "IS NULL OR ...": the same
        # rows, but PostgreSQL estimates the OR as one row and then nests every later join
        # (a 4,200-entry register took 330 ms instead of 20).
        replaced = Declaration.objects.filter(supersedes_id=OuterRef("pk"), starts_on__lte=day)
        return self.filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=day),
            ~Exists(replaced),
            starts_on__lte=day,
        )

    def held_between(self, *, start, end) -> DeclarationQuerySet:
        """Versions that were the latest word on an interest at some time in [start, end]."""
        replaced = Declaration.objects.filter(supersedes_id=OuterRef("pk"), starts_on__lte=start)
        return self.filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=start),
            ~Exists(replaced),  # as in live(): NOT EXISTS, not a join with IS NULL OR
            starts_on__lte=end,
        )


class Declaration(models.Model):
    """One version of a member's declared interest."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="declarations"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="declarations"
    )
    kind = models.CharField("type of interest", max_length=20, choices=InterestKind.choices)
    holder = models.CharField("who holds it", max_length=20, choices=InterestHolder.choices)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="declarations",
        verbose_name="organisation it concerns",
    )
    body = models.ForeignKey(
        Body,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="declarations_about",
        verbose_name="body it concerns",
    )
    project = models.CharField("project or other matter it concerns", max_length=200, blank=True)
    description = models.TextField()
    starts_on = models.DateField("held from")
    ended_on = models.DateField("ended on", null=True, blank=True)
    end_reason = models.CharField("why it ended", max_length=300, blank=True)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        help_text="The earlier version this one replaced when circumstances changed.",
    )
    change_note = models.CharField("what changed", max_length=300, blank=True)
    withheld_reason = models.CharField(
        "reason to withhold it from the public register", max_length=300, blank=True
    )
    declared_at_meeting = models.OneToOneField(
        DeclaredInterest,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registered_as",
    )
    declared_at = models.DateTimeField(default=timezone.now)

    history = audited()
    objects = DeclarationQuerySet.as_manager()

    class Meta:
        ordering = ["person__full_name", "starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | Q(body__isnull=False) | ~Q(project=""),
                name="declaration_concerns_something",
                violation_error_message="Say which organisation, body or project it concerns.",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("starts_on")),
                name="declaration_ends_after_it_starts",
                violation_error_message="An interest cannot end before it was held.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} interest: {self.concerns}"

    @property
    def concerns(self) -> str:
        return "; ".join(str(x) for x in (self.organisation, self.body, self.project) if x)

    @property
    def is_superseded(self) -> bool:
        # Reading the reverse one-to-one without a query when it was selected with the row.
        try:
            return self.superseded_by is not None
        except Declaration.DoesNotExist:
            return False

    def is_live(self, *, on=None) -> bool:
        day = on or timezone.localdate()
        return (
            (not self.is_superseded or self.superseded_by.starts_on > day)
            and self.starts_on <= day
            and (self.ended_on is None or self.ended_on > day)
        )


class RulingOutcome(models.TextChoices):
    NOTED = "noted", "Noted: may take part"
    RESTRICTED = "restricted", "Restricted from named items or projects"
    DISBARRED = "disbarred", "Disbarred from the body"


class RulingStatus(models.TextChoices):
    IN_FORCE = "in_force", "In force"
    DISPUTED = "disputed", "Disputed: awaiting the governance lead"
    UPHELD = "upheld", "Upheld by the governance lead"
    CHANGED = "changed", "Changed by the governance lead"


class Ruling(models.Model):
    """A body's ruling on one version of a declaration, made by its chair (or deputy), and
    the governance lead's settlement if the member disputes it. A governance event kept for
    good: it is never deleted, and its history shows every step."""

    declaration = models.ForeignKey(Declaration, on_delete=models.PROTECT, related_name="rulings")
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="rulings")
    outcome = models.CharField(max_length=20, choices=RulingOutcome.choices)
    restrictions = models.TextField(
        "items or projects they take no part in",
        blank=True,
        help_text="Required when the member is restricted.",
    )
    reason = models.TextField("reason for the ruling")
    ruled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    acting_as = models.CharField(max_length=40)
    ruled_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=20, choices=RulingStatus.choices, default=RulingStatus.IN_FORCE
    )
    dispute_reason = models.TextField("why the member disputes it", blank=True)
    disputed_at = models.DateTimeField(null=True, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    settled_at = models.DateTimeField(null=True, blank=True)
    settled_outcome = models.CharField(
        "outcome after the dispute", max_length=20, choices=RulingOutcome.choices, blank=True
    )
    settled_restrictions = models.TextField(blank=True)
    settlement_reason = models.TextField("reason for the settlement", blank=True)

    history = audited()

    class Meta:
        ordering = ["-ruled_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["declaration", "body"], name="one_ruling_per_declaration_and_body"
            ),
            models.CheckConstraint(
                condition=~Q(outcome="restricted") | ~Q(restrictions=""),
                name="restricted_ruling_names_what",
            ),
            models.CheckConstraint(
                condition=Q(status="in_force") | Q(disputed_at__isnull=False),
                name="disputed_ruling_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["upheld", "changed"])
                | Q(settled_by__isnull=False, settled_at__isnull=False),
                name="settled_ruling_says_by_whom",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.body})"

    @property
    def final_outcome(self) -> str:
        return self.settled_outcome if self.status == RulingStatus.CHANGED else self.outcome

    @property
    def final_restrictions(self) -> str:
        return (
            self.settled_restrictions if self.status == RulingStatus.CHANGED else self.restrictions
        )

    def get_final_outcome_display(self) -> str:
        return RulingOutcome(self.final_outcome).label


class RegisterConfirmation(models.Model):
    """A member's confirmation that their register entries are complete for a financial
    year (April to March). A nil return, with nothing to declare, counts."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="register_confirmations"
    )
    year = models.PositiveSmallIntegerField(help_text="The year the financial year starts in.")
    nil_return = models.BooleanField(default=False)
    confirmed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "person", "year"], name="one_confirmation_a_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person}: register confirmed for {self.year}/{(self.year + 1) % 100:02d}"


class GiftKind(models.TextChoices):
    GIFT = "gift", "Gift"
    HOSPITALITY = "hospitality", "Hospitality"


class GiftDecision(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class Gift(models.Model):
    """A gift or hospitality offered to a member in their partnership role, accepted or not."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="gifts")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="gifts"
    )
    body = models.ForeignKey(
        Body,
        on_delete=models.PROTECT,
        related_name="gifts",
        verbose_name="role it was offered in",
    )
    kind = models.CharField("gift or hospitality", max_length=20, choices=GiftKind.choices)
    donor = models.CharField("offered by", max_length=200)
    description = models.TextField("what was offered")
    value = models.DecimalField("estimated value", max_digits=10, decimal_places=2)
    offered_on = models.DateField("date offered")
    decision = models.CharField("accepted or declined", max_length=20, choices=GiftDecision.choices)
    advice_sought = models.BooleanField("advice sought before deciding", default=False)
    advice_from = models.CharField("advice from", max_length=200, blank=True)
    withheld_reason = models.CharField(
        "reason to withhold it from the public register", max_length=300, blank=True
    )
    declared_at = models.DateTimeField(default=timezone.now)

    history = audited()

    class Meta:
        ordering = ["-offered_on", "-pk"]
        verbose_name = "gift or hospitality"
        verbose_name_plural = "gifts and hospitality"
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="gift_value_not_negative",
                violation_error_message="The value cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.donor}"
