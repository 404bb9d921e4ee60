"""The document library (issue 17): a body's or the partnership's standing documents
(strategies, terms of reference, agreements, constitutions, newsletters, reports), each kept
in versions so a new one leaves the old readable ("superseded on ..."); and the earlier
versions of meeting papers, kept when a paper's file is replaced.

Who may read what is decided in ``governance.selectors.library``; the models only say whether
a document is for members only.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from governance.models.meetings import Paper
from partnership.files import FileType
from partnership.history import audited
from partnership.models import Body, Partnership
from partnership.storage import private_files

__all__ = [
    "DocumentType",
    "LibraryDocument",
    "DocumentVersion",
    "PaperVersion",
    "document_version_path",
    "paper_version_path",
]


class DocumentType(models.TextChoices):
    STRATEGY = "strategy", "Strategy"
    TERMS_OF_REFERENCE = "terms_of_reference", "Terms of reference"
    AGREEMENT = "agreement", "Agreement"
    CONSTITUTION = "constitution", "Constitution"
    NEWSLETTER = "newsletter", "Newsletter"
    REPORT = "report", "Report"
    POLICY = "policy", "Policy or procedure"
    OTHER = "other", "Other document"


class LibraryDocument(models.Model):
    """A standing document of a body, or of the partnership when ``body`` is empty. Its
    current version is the newest not superseded."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="library_documents"
    )
    body = models.ForeignKey(
        Body, on_delete=models.PROTECT, null=True, blank=True, related_name="library_documents"
    )
    title = models.CharField(max_length=200)
    doc_type = models.CharField("type", max_length=30, choices=DocumentType.choices)
    summary = models.TextField(blank=True)
    members_only = models.BooleanField(
        "for members only",
        default=False,
        help_text="Members-only documents are seen by the body's members and co-ordinators.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    history = audited()

    class Meta:
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "governance:library_document",
            kwargs={"partnership": self.partnership.slug, "pk": self.pk},
        )


def document_version_path(version: DocumentVersion, filename: str) -> str:
    # A random name: the original name is kept in file_name and never used as a path.
    return f"library/{version.document_id}/{uuid.uuid4().hex}.{version.file_type or 'bin'}"


class DocumentVersion(models.Model):
    document = models.ForeignKey(LibraryDocument, on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(max_length=20, help_text="For example 1.0, 2, or 2026.")
    issued_on = models.DateField("dated")
    change_note = models.TextField("what changed", blank=True)
    file = models.FileField(storage=private_files, upload_to=document_version_path, max_length=255)
    file_name = models.CharField("file name", max_length=200)
    file_type = models.CharField(max_length=10, choices=FileType.choices)
    file_size = models.PositiveIntegerField()
    text = models.TextField(blank=True, help_text="The file's words, for search.")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    superseded_on = models.DateField("superseded on", null=True, blank=True)

    history = audited(excluded_fields=("text",))

    class Meta:
        ordering = ["document", "-uploaded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "version"], name="one_document_version_label"
            ),
            models.UniqueConstraint(
                fields=["document"],
                condition=Q(superseded_on__isnull=True),
                name="one_current_document_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} version {self.version}"


def paper_version_path(version: PaperVersion, filename: str) -> str:
    return f"papers/versions/{version.paper_id}/{uuid.uuid4().hex}.{version.file_type or 'bin'}"


class PaperVersion(models.Model):
    """An earlier file of a paper, kept when the file was replaced. ``number`` counts from 1
    (the first file); the paper itself holds the current one as ``Paper.version``."""

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    file = models.FileField(storage=private_files, upload_to=paper_version_path, max_length=255)
    file_name = models.CharField("file name", max_length=200)
    file_type = models.CharField(max_length=10, choices=FileType.choices)
    file_size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(null=True, blank=True)
    circulated_at = models.DateTimeField(null=True, blank=True)
    change_note = models.TextField("what changed", blank=True)
    # Whether the paper (or its item) was confidential while this was its file: an earlier
    # version stays confidential even if the paper is made public later (say, redacted).
    was_confidential = models.BooleanField(default=False)
    replaced_at = models.DateTimeField()
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["paper", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "number"], name="one_paper_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.paper} version {self.number}"
