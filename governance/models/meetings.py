"""Meetings and their record: agenda items, papers, attendance, interests declared at the
meeting, actions, and minutes with their approval. Rendered PDFs are kept as Renditions.

What may reach the public is decided in one place, ``governance.selectors``; the models only
say whether a thing is confidential.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from partnership.files import FileType
from partnership.history import audited
from partnership.models import Body, Organisation
from partnership.storage import private_files, private_storage  # noqa: F401 (migrations)

PAPERS_DUE_DAYS = 7


class MeetingStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Agenda published"
    CANCELLED = "cancelled", "Cancelled"


class Meeting(models.Model):
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="meetings")
    title = models.CharField(
        max_length=200, blank=True, help_text="Leave blank for an ordinary meeting."
    )
    held_on = models.DateField("date")
    start_time = models.TimeField("start time")
    end_time = models.TimeField("finish time", null=True, blank=True)
    venue = models.TextField(blank=True)
    online_link = models.URLField("online meeting link", blank=True)
    status = models.CharField(
        max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.DRAFT
    )
    published_at = models.DateTimeField("agenda published", null=True, blank=True)
    cancelled_reason = models.CharField(max_length=300, blank=True)

    history = audited()

    class Meta:
        ordering = ["held_on", "start_time"]
        # The meetings lists filter by body (or partnership) and split on the day, paged.
        indexes = [models.Index(fields=["body", "held_on"], name="meeting_body_day")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__isnull=True) | Q(end_time__gt=models.F("start_time")),
                name="meeting_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.held_on:%-d %B %Y}"

    def get_absolute_url(self) -> str:
        return reverse(
            "governance:meeting",
            kwargs={"partnership": self.body.partnership.slug, "pk": self.pk},
        )

    @property
    def name(self) -> str:
        return self.title or f"Meeting of the {self.body.name}"

    @property
    def starts_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.held_on, self.start_time))

    @property
    def ends_at(self) -> datetime:
        if self.end_time:
            return timezone.make_aware(datetime.combine(self.held_on, self.end_time))
        return self.starts_at + timedelta(hours=2)

    @property
    def papers_due_at(self) -> datetime:
        """Papers go out a full week before: by the start of the same weekday a week earlier."""
        return timezone.make_aware(
            datetime.combine(self.held_on - timedelta(days=PAPERS_DUE_DAYS), datetime.min.time())
        )

    @property
    def is_published(self) -> bool:
        return self.status == MeetingStatus.PUBLISHED


class ItemKind(models.TextChoices):
    APOLOGIES = "apologies", "Apologies for absence"
    DECLARATIONS = "declarations", "Declarations of interest"
    MINUTES = "minutes", "Minutes of the last meeting"
    MATTERS_ARISING = "matters_arising", "Matters arising"
    BUSINESS = "business", "Item of business"
    PARTNER_MATTERS = "partner_matters", "Partner matters"


STANDING_ITEMS = [
    ItemKind.APOLOGIES,
    ItemKind.DECLARATIONS,
    ItemKind.MINUTES,
    ItemKind.MATTERS_ARISING,
    ItemKind.PARTNER_MATTERS,
]


# What a standing item is for, shown in its place where an item of business says whether it
# is for decision or for information.
STANDING_ITEM_PURPOSES = {
    ItemKind.APOLOGIES: "Standing item: apologies and substitutes are noted",
    ItemKind.DECLARATIONS: "Standing item: members declare any interest in the business",
    ItemKind.MINUTES: "Standing item: to agree the minutes of the last meeting",
    ItemKind.MATTERS_ARISING: "Standing item: progress on the last meeting's actions",
    ItemKind.PARTNER_MATTERS: "Standing item: news and updates from partners",
}


class Purpose(models.TextChoices):
    DECISION = "decision", "Decision required"
    INFORMATION = "information", "For information"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=ItemKind.choices, default=ItemKind.BUSINESS)
    title = models.CharField(max_length=200)
    presenter = models.CharField(max_length=200, blank=True)
    purpose = models.CharField(max_length=20, choices=Purpose.choices, default=Purpose.INFORMATION)
    decision_required = models.TextField("decision required", blank=True)
    confidential = models.BooleanField(default=False)
    confidential_reason = models.CharField("reason it is confidential", max_length=300, blank=True)
    # What the item is about, so members with a registered interest in it are flagged.
    organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="agenda_items", verbose_name="organisations"
    )
    bodies = models.ManyToManyField(
        Body, blank=True, related_name="agenda_items_about", verbose_name="bodies"
    )
    projects = models.TextField("projects", blank=True, help_text="One per line.")

    history = audited()

    class Meta:
        ordering = ["meeting", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(confidential=False) | ~Q(confidential_reason=""),
                name="confidential_item_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"

    @property
    def is_standing(self) -> bool:
        return self.kind != ItemKind.BUSINESS

    @property
    def standing_purpose(self) -> str:
        """For a standing item, what it is for; empty for an item of business."""
        return STANDING_ITEM_PURPOSES.get(self.kind, "")


def paper_path(paper: Paper, filename: str) -> str:
    # A random name: the original name is kept in file_name and never used as a path.
    return f"papers/{paper.item.meeting_id}/{uuid.uuid4().hex}.{paper.file_type or 'bin'}"


class Paper(models.Model):
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="papers")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="papers_owned",
        help_text="Who writes the paper. They are chased if it is late.",
    )
    main_issues = models.TextField("main issues", blank=True)
    decision_required = models.TextField("decision required", blank=True)
    confidential = models.BooleanField(default=False)
    confidential_reason = models.CharField("reason it is confidential", max_length=300, blank=True)
    file = models.FileField(storage=private_files, upload_to=paper_path, blank=True, max_length=255)
    file_name = models.CharField("file name", max_length=200, blank=True)
    file_type = models.CharField(max_length=10, choices=FileType.choices, blank=True)
    file_size = models.PositiveIntegerField(null=True, blank=True)
    text = models.TextField(blank=True, help_text="The file's words, for search.")
    uploaded_at = models.DateTimeField(null=True, blank=True)
    circulated_at = models.DateTimeField(null=True, blank=True)
    # The current file's version (earlier ones are PaperVersions) and what it changed.
    version = models.PositiveSmallIntegerField(default=1)
    change_note = models.TextField("what changed", blank=True)
    # A supplementary paper, added after the papers were circulated: late, and why the chair
    # accepted it.
    supplementary = models.BooleanField(default=False)
    late_reason = models.TextField("why the chair accepted it late", blank=True)
    late_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    history = audited(excluded_fields=("text",))

    class Meta:
        ordering = ["item__position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(confidential=False) | ~Q(confidential_reason=""),
                name="confidential_paper_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_confidential(self) -> bool:
        return self.confidential or self.item.confidential

    @property
    def is_out(self) -> bool:
        return self.circulated_at is not None


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Present"
    APOLOGIES = "apologies", "Apologies"
    ABSENT = "absent", "Absent"


class Attendance(models.Model):
    """One member's attendance at one meeting. Apologies sent in advance are a row before the
    meeting; a substitute is the person who attended in the member's place."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="attendance"
    )
    status = models.CharField(max_length=20, choices=AttendanceStatus.choices)
    substitute = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="substitutions",
        null=True,
        blank=True,
    )
    apologies_sent_at = models.DateTimeField(null=True, blank=True)
    # When the chair and the deputy are both recorded absent, the members present choose an
    # acting chair for the meeting, recorded here; they approve its minutes as the chair would.
    acting_chair = models.BooleanField("chose as acting chair", default=False)

    history = audited()

    class Meta:
        ordering = ["meeting", "person__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="one_attendance_each"),
            models.UniqueConstraint(
                fields=["meeting"],
                condition=Q(acting_chair=True),
                name="one_acting_chair_a_meeting",
                violation_error_message="A meeting has one acting chair.",
            ),
            models.CheckConstraint(
                condition=Q(acting_chair=False) | Q(status="present"),
                name="acting_chair_was_present",
                violation_error_message="The acting chair must be recorded present.",
            ),
            models.CheckConstraint(
                condition=Q(substitute__isnull=True) | ~Q(status="present"),
                name="present_members_have_no_substitute",
            ),
            models.CheckConstraint(
                condition=~Q(substitute=models.F("person")), name="no_self_substitute"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} at {self.meeting}: {self.get_status_display()}"


class DeclaredInterest(models.Model):
    """An interest declared at the meeting against an item: the member takes no part in the
    item's decision."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="interests")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    nature = models.TextField("nature of the interest")

    history = audited()

    class Meta:
        ordering = ["item", "person__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["item", "person"], name="one_interest_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.item}"


class ActionQuerySet(models.QuerySet):
    def open(self) -> ActionQuerySet:
        """Not done, and not ended by a restructure: what is still owed and chased."""
        return self.filter(done_on__isnull=True, ended_on__isnull=True)


class Action(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, related_name="actions", null=True, blank=True
    )
    description = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="actions"
    )
    due_on = models.DateField("due date")
    done_on = models.DateField("completed on", null=True, blank=True)
    # A restructure (issue 16) carries an open action over to the body that took on the
    # work, or ends it with a reason; an ended action is no longer chased.
    carried_to = models.ForeignKey(
        Body,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions_carried_over",
        verbose_name="carried over to",
    )
    ended_on = models.DateField("ended on", null=True, blank=True)
    end_reason = models.CharField("reason it ended", max_length=300, blank=True)

    history = audited()
    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.description[:60]

    def is_overdue(self, *, today=None) -> bool:
        return (
            self.done_on is None
            and self.ended_on is None
            and self.due_on < (today or timezone.localdate())
        )


class MinutesStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Awaiting the chair's approval"
    RETURNED = "returned", "Returned by the chair"
    APPROVED = "approved", "Approved"
    SUPERSEDED = "superseded", "Superseded by a correction"


OPEN_MINUTES = [MinutesStatus.DRAFT, MinutesStatus.SUBMITTED, MinutesStatus.RETURNED]


class Minutes(models.Model):
    """One version of a meeting's minutes. Approved versions are never edited: a correction
    is a new version that supersedes it when approved."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="minutes")
    version = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(
        max_length=20, choices=MinutesStatus.choices, default=MinutesStatus.DRAFT
    )
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    correction_reason = models.CharField("what the correction is", max_length=300, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    history = audited()

    class Meta:
        ordering = ["meeting", "version"]
        verbose_name_plural = "minutes"
        constraints = [
            models.UniqueConstraint(fields=["meeting", "version"], name="one_minutes_version"),
            models.UniqueConstraint(
                fields=["meeting"],
                condition=Q(status="approved"),
                name="one_approved_minutes",
            ),
            models.UniqueConstraint(
                fields=["meeting"],
                condition=Q(status__in=["draft", "submitted", "returned"]),
                name="one_open_minutes",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved")
                | Q(approved_by__isnull=False, approved_at__isnull=False),
                name="approved_minutes_say_by_whom",
            ),
        ]

    def __str__(self) -> str:
        return f"Minutes of {self.meeting}, version {self.version}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_MINUTES


class MinuteEntry(models.Model):
    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="+")
    text = models.TextField("minute", blank=True)
    decision = models.TextField("decision", blank=True)

    history = audited()

    class Meta:
        ordering = ["item__position", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["minutes", "item"], name="one_entry_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.minutes}: {self.item}"


class ReviewOutcome(models.TextChoices):
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned with comments"


class ChairReview(models.Model):
    """A chair's decision on a document submitted to them (approved, or returned with
    comments): a governance event kept for good. Minutes and performance's reports each keep
    their own rows of this shape; ``governance.services.approval`` holds the rules."""

    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    acting_as = models.CharField(max_length=40)
    outcome = models.CharField(max_length=20, choices=ReviewOutcome.choices)
    comments = models.TextField(blank=True)
    reviewed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["reviewed_at", "pk"]


class MinutesReview(ChairReview):
    minutes = models.ForeignKey(Minutes, on_delete=models.PROTECT, related_name="reviews")

    class Meta(ChairReview.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.minutes}"


class DocumentKind(models.TextChoices):
    AGENDA_PACK = "agenda_pack", "Agenda pack"
    MINUTES = "minutes", "Minutes"


class Audience(models.TextChoices):
    PUBLIC = "public", "Public"
    MEMBERS = "members", "Members"


class Rendition(models.Model):
    """A rendered PDF. ``fingerprint`` is a hash of everything that went into it, so the render
    job knows when it is stale and re-running it is harmless."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="renditions")
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    audience = models.CharField(max_length=20, choices=Audience.choices)
    file = models.FileField(storage=private_files, upload_to="renditions/", max_length=255)
    fingerprint = models.CharField(max_length=64)
    rendered_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "kind", "audience"], name="one_rendition_each"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.audience}) for {self.meeting}"
