"""Reports: a thematic group's quarterly exception report, the six-monthly performance report
to the Partnership Board, the annual report and the newsletter.

A report is built from the data as it stood (``facts``: the signed-off figures, the actions,
the meetings, frozen as plain data) and written on by people (``narrative``: the chair's
answers to the prompts, a foreword). Rebuilding with changed data makes a new version; an
approved version never changes. The PDF is rendered from the version's facts and narrative by a
Celery job, which records its progress on the row so the person who asked can watch it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from governance.models import AgendaItem, ChairReview, Paper
from partnership.history import audited
from partnership.models import Body, Partnership
from partnership.periods import Quarter, financial_year_label
from partnership.storage import private_files


class ReportKind(models.TextChoices):
    EXCEPTION = "exception", "Exception report"
    SIX_MONTHLY = "six_monthly", "Six-monthly performance report"
    ANNUAL = "annual", "Annual report"
    NEWSLETTER = "newsletter", "Newsletter"
    # A body's risk register as it stands, for its members: never approved or published.
    RISK_REGISTER = "risk_register", "Risk register"
    # Twice a year, to the executive: every key partnership (Chorley's framework).
    KEY_PARTNERSHIPS = "key_partnerships", "Key partnerships report"
    # The register of key partnerships as it stands, for those who read it: never approved.
    KEY_PARTNERSHIP_REGISTER = "kp_register", "Key partnerships register"


# Reports a body's chair approves before they go anywhere (the shape of minutes approval).
CHAIR_APPROVED = [ReportKind.EXCEPTION, ReportKind.ANNUAL, ReportKind.NEWSLETTER]
# Reports the partnership's governance lead approves, rather than a body's chair.
GOVERNANCE_LEAD_APPROVED = [ReportKind.KEY_PARTNERSHIPS]
# Reports published on the public site once approved.
PUBLISHED_KINDS = [ReportKind.ANNUAL, ReportKind.NEWSLETTER]


class ReportStatus(models.TextChoices):
    # The same values as minutes: governance.services.approval works on both.
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Awaiting the chair's approval"
    RETURNED = "returned", "Returned by the chair"
    APPROVED = "approved", "Approved"
    SUPERSEDED = "superseded", "Superseded by a later version"


OPEN_REPORT = [ReportStatus.DRAFT, ReportStatus.SUBMITTED, ReportStatus.RETURNED]


class RenderState(models.TextChoices):
    NONE = "", "Not rendered"
    QUEUED = "queued", "Queued"
    RENDERING = "rendering", "Rendering"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


def report_path(report: Report, filename: str) -> str:
    return f"reports/{report.pk}/{filename}"


class Report(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="reports")
    # Whose report it is: the thematic group for an exception report, the Partnership Board
    # (whose chair approves) for the others.
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="reports")
    kind = models.CharField(max_length=20, choices=ReportKind.choices)
    # The data period: a quarter for an exception report, the half-year's last quarter (2 or
    # 4) for a six-monthly report, 0 (the whole financial year) for the annual report and a
    # newsletter.
    year = models.PositiveSmallIntegerField("financial year", help_text="The year it starts in.")
    quarter = models.PositiveSmallIntegerField(default=0)
    # Newsletters are numbered within the year; other kinds have one report per period.
    issue = models.PositiveSmallIntegerField(default=1)
    version = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(
        max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    title = models.CharField(max_length=200)
    facts = models.JSONField(default=dict)
    data_fingerprint = models.CharField(max_length=64)
    layout_version = models.PositiveSmallIntegerField("template version")
    built_at = models.DateTimeField()
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    narrative = models.JSONField(default=dict, blank=True)
    # The approval (governance.services.approval): the deputy acts when the chair is
    # unavailable, which the co-ordinator says, with a reason, when submitting.
    chair_unavailable = models.BooleanField(default=False)
    chair_unavailable_reason = models.CharField(max_length=300, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Where it went: the agenda item and paper it was put on (once, however often retried).
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    paper = models.ForeignKey(
        Paper, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Rendering, written by the job as it goes.
    render_state = models.CharField(
        max_length=20, choices=RenderState.choices, default=RenderState.NONE, blank=True
    )
    render_progress = models.CharField(max_length=200, blank=True)
    render_error = models.TextField(blank=True)
    render_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    render_started_at = models.DateTimeField(null=True, blank=True)
    render_attempts = models.PositiveSmallIntegerField(default=0)
    pdf = models.FileField(storage=private_files, upload_to=report_path, blank=True, max_length=255)
    pdf_fingerprint = models.CharField(max_length=64, blank=True)
    pdf_pages = models.PositiveIntegerField(null=True, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    history = audited(
        excluded_fields=(
            "facts",
            "render_state",
            "render_progress",
            "render_error",
            "render_requested_by",
            "render_started_at",
            "render_attempts",
            "pdf",
            "pdf_fingerprint",
            "pdf_pages",
            "rendered_at",
        )
    )

    class Meta:
        ordering = ["-year", "-quarter", "kind", "body__name", "-issue", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "kind", "year", "quarter", "issue", "version"],
                name="one_report_version",
            ),
            models.UniqueConstraint(
                fields=["body", "kind", "year", "quarter", "issue"],
                condition=Q(status__in=["draft", "submitted", "returned"]),
                name="one_open_report",
            ),
            models.UniqueConstraint(
                fields=["body", "kind", "year", "quarter", "issue"],
                condition=Q(status="approved"),
                name="one_approved_report",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved")
                | Q(approved_by__isnull=False, approved_at__isnull=False),
                name="approved_report_says_by_whom",
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(status="approved"),
                name="only_approved_reports_published",
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=0, quarter__lte=4), name="report_quarter_in_range"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "performance:report", kwargs={"partnership": self.partnership.slug, "pk": self.pk}
        )

    @property
    def period_label(self) -> str:
        if self.kind == ReportKind.EXCEPTION:
            return Quarter(self.year, self.quarter).short_label
        if self.kind in (ReportKind.SIX_MONTHLY, ReportKind.KEY_PARTNERSHIPS):
            half = "April to September" if self.quarter == 2 else "October to March"
            return f"{half} {financial_year_label(self.year)}"
        return financial_year_label(self.year)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REPORT

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def needs_chair(self) -> bool:
        return self.kind in CHAIR_APPROVED


class ReportReview(ChairReview):
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="reviews")

    class Meta(ChairReview.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.report}"
