"""The structure of a partnership: the partnership itself, its organisations and its bodies."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from guardian.models import UserObjectPermissionBase

from partnership.history import audited


class Sector(models.TextChoices):
    PUBLIC = "public", "Public"
    PRIVATE = "private", "Private"
    VOLUNTARY = "voluntary", "Voluntary, community and faith"


class Partnership(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    area = models.CharField("area served", max_length=200, blank=True)
    description = models.TextField(blank=True)

    history = audited()

    class Meta:
        ordering = ["name"]
        permissions = [
            ("manage_partnership", "Coordinate the whole partnership"),
            ("lead_governance", "Act as the partnership's governance lead"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("membership:structure", kwargs={"partnership": self.slug})


class Organisation(models.Model):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="organisations"
    )
    name = models.CharField(max_length=200)
    sector = models.CharField(max_length=20, choices=Sector.choices)
    statutory_partner = models.BooleanField(
        "statutory partner",
        default=False,
        help_text="Has a duty to co-operate in the partnership set by law.",
    )
    website = models.URLField(blank=True)

    history = audited()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "name"], name="organisation_name_unique_in_partnership"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class BodyKind(models.TextChoices):
    PARTNERSHIP_BOARD = "partnership_board", "Partnership board"
    DELIVERY_BOARD = "delivery_board", "Delivery board"
    COMMISSIONING_BOARD = "commissioning_board", "Commissioning board"
    THEMATIC_GROUP = "thematic_group", "Thematic group"
    SUB_GROUP = "sub_group", "Sub-group"
    TASK_AND_FINISH = "task_and_finish", "Task-and-finish group"
    AREA_BOARD = "area_board", "Area partnership board"
    FORUM = "forum", "Forum or network"


class BodyQuerySet(models.QuerySet):
    def open(self, *, on=None) -> BodyQuerySet:
        from django.utils import timezone

        day = on or timezone.localdate()
        return self.filter(Q(closed_on__isnull=True) | Q(closed_on__gt=day))


class Body(models.Model):
    """A board, group or forum inside a partnership; bodies form a tree of accountability."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="bodies")
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="reports to",
    )
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80)
    kind = models.CharField("type", max_length=30, choices=BodyKind.choices)
    remit = models.TextField(blank=True)
    terms_of_reference = models.TextField("terms of reference", blank=True)
    established_on = models.DateField("established on", null=True, blank=True)
    ends_on = models.DateField(
        "planned end date",
        null=True,
        blank=True,
        help_text="Required for a task-and-finish group.",
    )
    closed_on = models.DateField("closed on", null=True, blank=True)
    closure_reason = models.TextField("reason for closing", blank=True)
    meetings_a_year = models.PositiveSmallIntegerField(
        "meets at least (times a year)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
        help_text="For example 4 for quarterly.",
    )
    # A shadow body meets and prepares before it takes over: until this date it is shown as
    # "shadow" and decides nothing; from it, it is the real body (issue 16, replace).
    shadow_until = models.DateField("shadow body until", null=True, blank=True)
    # Who may be chair (issue 16, rules of office). By default the chair is elected from the
    # body's own members; a body may allow a chair from outside its membership (Warrington:
    # the Partnership Board), or restrict the chair to one sector.
    chair_from_outside = models.BooleanField(
        "the chair may come from outside the membership", default=False
    )
    chair_sector = models.CharField(
        "the chair must represent the sector",
        max_length=20,
        choices=Sector.choices,
        blank=True,
    )
    # New sub-groups of this body need its agreement at a meeting (governance's proposals).
    sub_groups_need_approval = models.BooleanField(
        "new sub-groups need this body's agreement", default=False
    )

    history = audited()
    objects = BodyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "bodies"
        permissions = [
            ("manage_body", "Coordinate the body: seats, members, meetings and papers"),
            ("chair_body", "Chair the body: approve minutes and rule on declarations"),
            ("view_private_body", "Read the body's members-only business"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "slug"], name="body_slug_unique_in_partnership"
            ),
            models.UniqueConstraint(
                fields=["partnership", "name"], name="body_name_unique_in_partnership"
            ),
            models.CheckConstraint(
                condition=~Q(kind=BodyKind.TASK_AND_FINISH) | Q(ends_on__isnull=False),
                name="task_and_finish_has_end_date",
                violation_error_message="A task-and-finish group needs a planned end date.",
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("pk")),
                name="body_not_own_parent",
                violation_error_message="A body cannot report to itself.",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True)
                | Q(established_on__isnull=True)
                | Q(closed_on__gte=F("established_on")),
                name="body_closed_after_established",
                violation_error_message="A body cannot close before it was established.",
            ),
            models.CheckConstraint(
                condition=Q(meetings_a_year__isnull=True)
                | Q(meetings_a_year__gte=1, meetings_a_year__lte=52),
                name="body_meetings_a_year_1_to_52",
                violation_error_message="A body meets between 1 and 52 times a year.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "membership:body",
            kwargs={"partnership": self.partnership.slug, "body": self.slug},
        )


# --- restructuring ------------------------------------------------------------------------


class ChangeKind(models.TextChoices):
    MERGE = "merge", "Merge"
    REPLACE = "replace", "Replace"
    END = "end", "End"
    RENAME = "rename", "Rename or new remit"


class StructureChange(models.Model):
    """One restructuring step (issue 16): bodies merged into one, a body replaced by another,
    a body ended, or a body renamed or given a new remit. Taken on a date with a reason, as
    one transaction; every body it touches has a ``BodyEvent`` row. Nothing is deleted: what
    ended keeps its record, and the event says what became of it."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="structure_changes"
    )
    kind = models.CharField(max_length=20, choices=ChangeKind.choices)
    effective_on = models.DateField("takes effect on")
    reason = models.TextField()
    # The body the others became: the merged-into or replacing body (none for end or rename).
    successor = models.ForeignKey(
        Body,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="formed_by",
        verbose_name="became",
    )
    # What was done, line by line, as the confirmation page showed it (members carried over,
    # ended; actions, risks, meetings moved or ended). Kept as text: the record of the step.
    summary = models.JSONField(default=list, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    history = audited()

    class Meta:
        ordering = ["-effective_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.effective_on:%-d %B %Y}"


class EventRole(models.TextChoices):
    ENDED = "ended", "Ended by this change"  # a merged, replaced or ended body
    SUCCESSOR = "successor", "Took on the others' work"  # the merged-into or replacing body
    RENAMED = "renamed", "Renamed or given a new remit"
    MOVED = "moved", "Moved to report to another body"  # a body re-parented by the change


class BodyEvent(models.Model):
    """What one structure change did to one body: its timeline is these rows by date."""

    change = models.ForeignKey(StructureChange, on_delete=models.PROTECT, related_name="events")
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="events")
    role = models.CharField(max_length=20, choices=EventRole.choices)
    # For a rename or new remit: the name and remit before and after.
    old_name = models.CharField(max_length=200, blank=True)
    new_name = models.CharField(max_length=200, blank=True)
    old_remit = models.TextField(blank=True)
    new_remit = models.TextField(blank=True)
    # For a body that reports to another from the change's date (MOVED, or a successor that
    # took its old parent's place): the body it reported to before and after.
    old_parent = models.ForeignKey(
        Body, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    new_parent = models.ForeignKey(
        Body, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["change__effective_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["change", "body"], name="one_event_per_body_change")
        ]

    def __str__(self) -> str:
        return f"{self.body}: {self.get_role_display()} ({self.change})"


# Direct foreign-key permission tables: a permission row is deleted with its object, so no
# permission can outlive the thing it was for (guardian's generic tables cannot promise that).
class PartnershipUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Partnership, on_delete=models.CASCADE)


class BodyUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Body, on_delete=models.CASCADE)


class Notice(models.Model):
    """A message to one person, shown in the app and sent by e-mail. ``key`` names what it is
    about (``paper-late:12``); one notice per key and person makes every chaser idempotent.

    ``category`` is the kind of message the person chose a delivery for; a notice waiting for
    the person's daily digest has no ``emailed_at`` until the digest that carries it."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    key = models.CharField(max_length=200)
    subject = models.CharField(max_length=300)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    category = models.CharField(max_length=30, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    digest_pending = models.BooleanField(default=False)
    digest = models.ForeignKey(
        "partnership.Digest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notices",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="one_notice_per_key")
        ]
        indexes = [
            models.Index(
                fields=["recipient"], condition=Q(digest_pending=True), name="notices_for_digest"
            )
        ]

    def __str__(self) -> str:
        return self.subject


class PageKind(models.TextChoices):
    """The pages linked from every page's footer ("Support links")."""

    ACCESSIBILITY = "accessibility", "Accessibility statement"
    PRIVACY = "privacy", "Privacy notice"
    COOKIES = "cookies", "Cookies"
    CONTACT = "contact", "Contact"


class PartnershipPage(models.Model):
    """A partnership's own wording of one footer page; without a row the default wording
    (partnership/pages.py) is shown. The body is plain text: blank lines make paragraphs."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="pages")
    kind = models.CharField(max_length=20, choices=PageKind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    history = audited()

    class Meta:
        ordering = ["partnership", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "kind"], name="one_page_per_kind"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "partnership:page", kwargs={"partnership": self.partnership.slug, "kind": self.kind}
        )


class OutboxJob(models.Model):
    """A background job a committed change needs (a render, a notice), recorded in the same
    transaction as the change, so a broker outage can delay it but never lose it: after
    commit it is handed to Celery, and the relay job (``partnership.outbox.outbox_relay``)
    hands on whatever could not be."""

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(sent_at__isnull=True),
                name="outbox_waiting",
            )
        ]

    def __str__(self) -> str:
        return f"{self.task}({self.args}, {self.kwargs})"


class ThrottleHit(models.Model):
    """One request that counts against a limit (``partnership.throttle``): a sign-in or a
    password reset asked for from an address, a reset asked for an e-mail address. Kept in the
    database, so every web worker counts the same requests; old rows are deleted as new ones
    arrive."""

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=64)  # a hash: no address or e-mail is kept in clear
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["scope", "key", "at"], name="throttle_lookup")]

    def __str__(self) -> str:
        return f"{self.scope} at {self.at:%Y-%m-%d %H:%M}"


from partnership.models_follow import (  # noqa: E402, F401
    AlertSent,
    AlertSubscription,
    AlertTopic,
    Delivery,
    Digest,
    NewsItem,
    NotificationPreference,
    NotificationSettings,
    SearchAudience,
    SearchEntry,
    SearchKind,
)
