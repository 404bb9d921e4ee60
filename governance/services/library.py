"""Writes about the document library: a document with its first version, a new version that
supersedes the current one, the document's details, withdrawing it; and reading a version's
words for search, in the background.

A version's file is checked like a paper's (partnership.files.check_upload: its content, its
size, nothing active inside); errors are on ``upload``, the field that sent it. Old versions
are never deleted: a new one sets the current one's ``superseded_on`` to its own date.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from governance.models import DocumentType, DocumentVersion, LibraryDocument
from partnership.files import CheckedFile, RejectedFile, check_upload, extract_text
from partnership.history import record_actor
from partnership.models import Body, Partnership
from partnership.outbox import enqueue

__all__ = [
    "document_create",
    "document_update",
    "document_version_add",
    "document_version_extract_text",
    "document_withdraw",
]


def _detail_errors(*, title: str, doc_type: str) -> dict[str, str]:
    errors = {}
    if not title.strip():
        errors["title"] = "Enter the document's title"
    if doc_type not in DocumentType.values:
        errors["doc_type"] = "Select the type of document"
    return errors


def _check_version(
    *,
    document: LibraryDocument,
    version: str,
    issued_on: date | None,
    change_note: str,
    upload: tuple[str, bytes] | None,
) -> tuple[dict[str, str], CheckedFile | None, DocumentVersion | None]:
    """The errors in a new version of ``document``, by field; the checked file; and the
    version it would supersede (None for a document's first)."""
    errors: dict[str, str] = {}
    label = version.strip()
    current = None
    if document.pk:
        current = document.versions.filter(superseded_on__isnull=True).first()
    if not label:
        errors["version"] = "Enter the version, for example 1.0"
    elif document.pk and document.versions.filter(version__iexact=label).exists():
        errors["version"] = f"Version {label} already exists: give this version another label"
    if issued_on is None:
        errors["issued_on"] = "Enter the date of this version"
    elif issued_on > timezone.localdate():
        # "Superseded on" a day to come would be untrue until then.
        errors["issued_on"] = "The date of this version must be today or in the past"
    elif current and issued_on < current.issued_on:
        errors["issued_on"] = (
            f"The date must be on or after {current.issued_on:%-d %B %Y}, "
            f"the date of version {current.version}"
        )
    if current and not change_note.strip():
        errors["change_note"] = "Enter what changed in this version"
    checked = None
    if not upload:
        errors["upload"] = "Select the document's file"
    else:
        try:
            checked = check_upload(name=upload[0], data=upload[1])
        except RejectedFile as exc:
            errors["upload"] = str(exc)
    return errors, checked, current


def _save_version(
    *,
    actor: Any,
    document: LibraryDocument,
    version: str,
    issued_on: date,
    change_note: str,
    data: bytes,
    checked: CheckedFile,
    current: DocumentVersion | None,
) -> DocumentVersion:
    label = version.strip()
    if current:
        current.superseded_on = issued_on
        record_actor(current, actor=actor, reason=f"Superseded by version {label}")
        current.save(update_fields=["superseded_on"])
    new = DocumentVersion(
        document=document,
        version=label,
        issued_on=issued_on,
        change_note=change_note.strip(),
        file_name=checked.name,
        file_type=checked.file_type,
        file_size=checked.size,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    new.file.save(checked.name, ContentFile(data), save=False)
    record_actor(new, actor=actor, reason="Version added" if current else "First version")
    try:
        with transaction.atomic():
            new.save()
    except IntegrityError as exc:
        # Another version went in at the same moment (on PostgreSQL the document's lock
        # takes them in turn; SQLite has no such lock): its label or its "current" came first.
        raise ValidationError(
            {
                "version": f"Another version was added at the same time as version {label}: "
                "check the document's versions, then try again"
            }
        ) from exc
    # Its words are read in the background, once this commits (a long PDF takes a while).
    from governance.tasks import extract_document_text

    enqueue(extract_document_text, new.pk)
    return new


@transaction.atomic
def document_create(
    *,
    actor: Any,
    partnership: Partnership,
    body: Body | None = None,
    title: str,
    doc_type: str,
    summary: str = "",
    members_only: bool = False,
    version: str,
    issued_on: date | None,
    upload: tuple[str, bytes] | None,
) -> LibraryDocument:
    """A document in the body's library (the partnership's when ``body`` is None), with its
    first version."""
    if body is not None and body.partnership_id != partnership.pk:
        raise ValidationError("The body is not in this partnership.")
    document = LibraryDocument(
        partnership=partnership,
        body=body,
        title=title.strip(),
        doc_type=doc_type,
        summary=summary.strip(),
        members_only=members_only,
    )
    # Every error at once, the file's with the details': the person fixes them in one go.
    errors = _detail_errors(title=title, doc_type=doc_type)
    version_errors, checked, _ = _check_version(
        document=document, version=version, issued_on=issued_on, change_note="", upload=upload
    )
    errors.update(version_errors)
    if errors:
        raise ValidationError(errors)
    assert checked is not None and upload is not None and issued_on is not None
    record_actor(document, actor=actor, reason="Document added")
    document.save()
    _save_version(
        actor=actor,
        document=document,
        version=version,
        issued_on=issued_on,
        change_note="",
        data=upload[1],
        checked=checked,
        current=None,
    )
    return document


def _lock(document: LibraryDocument) -> LibraryDocument:
    return (
        # Only the document's own row: its body is an outer join (a partnership's document
        # has none), which PostgreSQL cannot lock.
        LibraryDocument.objects.select_for_update(of=("self",))
        .select_related("partnership", "body")
        .get(pk=document.pk)
    )


@transaction.atomic
def document_version_add(
    *,
    actor: Any,
    document: LibraryDocument,
    version: str,
    issued_on: date | None,
    change_note: str,
    upload: tuple[str, bytes] | None,
) -> DocumentVersion:
    """A new current version: the one it replaces is superseded on the new one's date and
    stays readable. Two co-ordinators adding a version at once are taken one after the other
    (the document's row is locked), so each label is checked against the other's."""
    document = _lock(document)
    if document.withdrawn_at is not None:
        raise ValidationError("This document was withdrawn: it cannot have a new version.")
    errors, checked, current = _check_version(
        document=document,
        version=version,
        issued_on=issued_on,
        change_note=change_note,
        upload=upload,
    )
    if errors:
        raise ValidationError(errors)
    assert checked is not None and upload is not None and issued_on is not None
    return _save_version(
        actor=actor,
        document=document,
        version=version,
        issued_on=issued_on,
        change_note=change_note,
        data=upload[1],
        checked=checked,
        current=current,
    )


@transaction.atomic
def document_update(
    *,
    actor: Any,
    document: LibraryDocument,
    title: str,
    doc_type: str,
    summary: str = "",
    members_only: bool = False,
) -> LibraryDocument:
    document = _lock(document)
    if errors := _detail_errors(title=title, doc_type=doc_type):
        raise ValidationError(errors)
    document.title = title.strip()
    document.doc_type = doc_type
    document.summary = summary.strip()
    document.members_only = members_only
    record_actor(document, actor=actor, reason="Details changed")
    document.save(update_fields=["title", "doc_type", "summary", "members_only"])
    return document


@transaction.atomic
def document_withdraw(*, actor: Any, document: LibraryDocument) -> LibraryDocument:
    """Withdraw the document: from now on only those who keep the library see it. Doing it
    twice changes nothing."""
    document = _lock(document)
    if document.withdrawn_at is None:
        document.withdrawn_at = timezone.now()
        record_actor(document, actor=actor, reason="Withdrawn")
        document.save(update_fields=["withdrawn_at"])
    return document


def document_version_extract_text(*, version_id: int) -> bool:
    """Read the version's words into ``text``, for search. Safe to run again: a version whose
    words are already read, or that no longer exists, is left alone. Returns whether it read
    anything. Saved through the model, so the search index hears of it."""
    version = DocumentVersion.objects.filter(pk=version_id).first()
    if version is None or version.text:
        return False
    with version.file.open("rb") as handle:
        data = handle.read()
    version.text = extract_text(file_type=version.file_type, data=data)
    if not version.text:
        return False
    version.save(update_fields=["text"])
    return True
