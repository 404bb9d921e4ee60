"""Finding and following (issue 17): the search index, people's choices of how they hear about
things (preferences and the daily digest), the public's e-mail alerts, and the partnership's
news.

Imported at the end of ``partnership.models``, so Django finds these models there.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from partnership.history import audited

# --- search ----------------------------------------------------------------------------------


class SearchKind(models.TextChoices):
    BODY = "body", "Body"
    PERSON = "person", "Person"
    MEETING = "meeting", "Meeting"
    AGENDA_ITEM = "agenda_item", "Agenda item"
    PAPER = "paper", "Paper"
    DECISION = "decision", "Decision"
    MINUTES = "minutes", "Minutes"
    REGISTER = "register", "Register entry"
    INDICATOR = "indicator", "Indicator"
    REPORT = "report", "Report"
    NEWS = "news", "News"
    DOCUMENT = "document", "Document"


class SearchAudience(models.TextChoices):
    """Who may find an entry, decided when it is indexed by the owning app's own selectors:
    the search filters on it in the database, so a result is never one the reader may not
    open."""

    PUBLIC = "public", "Everyone"
    SIGNED_IN = "signed_in", "Anyone signed in with a part in the partnership"
    MEMBERS = "members", "The body's members and co-ordinators"
    MANAGERS = "managers", "The body's co-ordinators, chair and deputy chair"
    PERSON = "person", "One person and the body's co-ordinators"


class SearchEntry(models.Model):
    """One searchable record. Its words are ``title`` and ``text``; on PostgreSQL a generated
    ``search_vector`` column with a GIN index is added by migration (English stemming), on
    SQLite an FTS5 table kept by triggers (Porter stemming). Neither is a model field, so both
    databases share one model."""

    partnership = models.ForeignKey(
        "partnership.Partnership", on_delete=models.CASCADE, related_name="+"
    )
    body = models.ForeignKey(
        "partnership.Body", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=SearchKind.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    title = models.CharField(max_length=300)
    text = models.TextField(blank=True)
    on_date = models.DateField(null=True, blank=True)
    url = models.CharField(max_length=500)
    audience = models.CharField(max_length=20, choices=SearchAudience.choices)
    # One person who may also find the entry, whatever its audience (an unpublished
    # indicator's lead; the person named by a PERSON entry). With audience PERSON and nobody
    # named, only the body's co-ordinators find it.
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "kind"], name="one_search_entry_per_record"
            )
        ]
        # The newest matches are read through the date index, the rest through the full-text
        # indexes (migration 0010). No index of audiences: the planner would AND its bitmap of
        # most entries with the title index's few, costing more than filtering those few.
        indexes = [models.Index(fields=["partnership", "on_date"], name="search_date")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"


# --- how people hear about things ------------------------------------------------------------


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", "Straight away, one e-mail each"
    DIGEST = "digest", "In a daily digest"
    OFF = "off", "No e-mail (still in Messages)"


class NotificationPreference(models.Model):
    """A person's choice for one kind of message (``partnership.notifications.CATEGORIES``).
    Without a row, a message is sent straight away."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_choices"
    )
    category = models.CharField(max_length=30)
    delivery = models.CharField(max_length=20, choices=Delivery.choices)

    history = audited()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "category"], name="one_choice_per_category")
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.delivery}"


class NotificationSettings(models.Model):
    """The hour (UK time) a person's daily digest is sent."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    digest_hour = models.PositiveSmallIntegerField(
        "send my digest at", default=7, validators=[MaxValueValidator(23)]
    )

    history = audited()

    def __str__(self) -> str:
        return f"digest at {self.digest_hour:02d}:00"


class Digest(models.Model):
    """One person's digest for one day: the row is claimed in the transaction that sends it, so
    however often the job runs, a person gets at most one a day.

    A send that fails leaves a row with ``failures`` counted instead (partnership/digests.py),
    so the day's digest is tried a few times and then left for the next day's. Such a row is
    no digest sent, and the pages leave it out (``failures=0``)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests"
    )
    day = models.DateField()
    # For a day not sent, when its first failure was counted.
    sent_at = models.DateTimeField(auto_now_add=True)
    messages = models.PositiveIntegerField(default=0)
    # How many times the day's digest could not be sent; 0 once it is sent.
    failures = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "day"], name="one_digest_a_day")
        ]

    def __str__(self) -> str:
        return f"digest of {self.day:%d/%m/%Y}"


# --- the public's alerts ---------------------------------------------------------------------


class AlertTopic(models.TextChoices):
    AGENDAS = "agendas", "New agendas"
    MINUTES = "minutes", "Approved minutes"
    REPORTS = "reports", "Published reports"
    NEWS = "news", "The partnership's news"


class AlertSubscription(models.Model):
    """Someone's e-mail alerts for one body (agendas, minutes, reports) or for the
    partnership's news (``body`` empty). Unconfirmed until the link sent to the address is
    followed (double opt-in); an unconfirmed row is deleted after a week, and unsubscribing
    deletes the row, so an address is kept only while it is subscribed. ``token_hash`` is a
    hash of the secret in the confirm and unsubscribe links: the secret itself is not kept."""

    partnership = models.ForeignKey(
        "partnership.Partnership", on_delete=models.CASCADE, related_name="alert_subscriptions"
    )
    body = models.ForeignKey(
        "partnership.Body",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alert_subscriptions",
    )
    email = models.EmailField()
    topics = models.JSONField(default=list)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # Two conditional constraints rather than nulls_distinct, which SQLite lacks.
            models.UniqueConstraint(
                fields=["email", "partnership", "body"],
                condition=Q(body__isnull=False),
                name="one_alert_per_address_and_body",
            ),
            models.UniqueConstraint(
                fields=["email", "partnership"],
                condition=Q(body__isnull=True),
                name="one_news_alert_per_address",
            ),
        ]
        indexes = [
            models.Index(
                fields=["partnership", "body"],
                condition=Q(confirmed_at__isnull=False),
                name="alerts_confirmed",
            )
        ]

    def __str__(self) -> str:
        return f"alerts for {self.body_id or 'news'}"


class AlertSent(models.Model):
    """That one alert (``key``, such as ``agenda:12``) went to one subscription: claimed in the
    transaction that sends it, so a retried job never sends it twice."""

    subscription = models.ForeignKey(
        AlertSubscription, on_delete=models.CASCADE, related_name="sent"
    )
    key = models.CharField(max_length=200)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subscription", "key"], name="one_alert_per_key")
        ]

    def __str__(self) -> str:
        return self.key


# --- news --------------------------------------------------------------------------------------


class NewsItem(models.Model):
    """A piece of the partnership's news, public once published."""

    partnership = models.ForeignKey(
        "partnership.Partnership", on_delete=models.PROTECT, related_name="news"
    )
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=400)
    text = models.TextField("story")
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    history = audited()

    class Meta:
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "partnership:news_item", kwargs={"partnership": self.partnership.slug, "pk": self.pk}
        )
