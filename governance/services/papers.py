"""Writes about a meeting's papers: adding one with its cover sheet, changing it, replacing its
file (the file it had is kept as an earlier version, ``PaperVersion``, and the new one says
what changed), a supplementary paper accepted late by the chair, and reading a paper's words
for search in the background. Circulating them is governance.services.meetings'."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from governance.models import (
    AgendaItem,
    DocumentVersion,
    Meeting,
    MeetingStatus,
    Paper,
    PaperVersion,
)
from governance.services.meetings import _lock, _require_not_cancelled, documents_refresh_later
from membership.models import User
from membership.selectors import body_office_holders
from partnership.files import RejectedFile, check_upload, extract_text
from partnership.history import record_actor
from partnership.outbox import enqueue

__all__ = [
    "late_paper_acceptors",
    "paper_add",
    "paper_add_supplementary",
    "paper_extract_text",
    "paper_update",
    "supplementary_refusal",
    "text_extraction_catch_up",
]


def _check_paper(paper: Paper) -> None:
    if paper.confidential and not paper.confidential_reason.strip():
        raise ValidationError({"confidential_reason": "Enter why the paper is confidential"})
    if not paper.confidential:
        paper.confidential_reason = ""


def _attach(
    paper: Paper,
    *,
    actor: Any,
    name: str,
    data: bytes,
    change_note: str = "",
    was_confidential: bool = False,
) -> None:
    """Put the uploaded file on the paper. A file it replaces is kept, as an earlier version
    (``PaperVersion``, number ``paper.version``) that says when it was uploaded and
    circulated, and whether the paper was confidential then (``was_confidential``: such a
    version stays confidential if the paper is made public later, say redacted); the new file
    is the next version and ``change_note`` says what it changed. Its words are read in the
    background (``_extract_later``) once the change commits."""
    errors = {}
    replacing = bool(paper.pk and paper.file)
    if replacing and not change_note.strip():
        errors["change_note"] = "Enter what changed in this version of the paper"
    try:
        checked = check_upload(name=name, data=data)
    except RejectedFile as exc:
        errors["upload"] = str(exc)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    if replacing:
        # The old file stays where it is: the earlier version points at it.
        PaperVersion.objects.create(
            paper=paper,
            number=paper.version,
            file=paper.file.name,
            file_name=paper.file_name,
            file_type=paper.file_type,
            file_size=paper.file_size or 0,
            uploaded_at=paper.uploaded_at,
            circulated_at=paper.circulated_at,
            change_note=paper.change_note,
            was_confidential=was_confidential,
            replaced_at=now,
            replaced_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        paper.version += 1
        paper.change_note = change_note.strip()
    paper.file_type = checked.file_type
    paper.file_name = checked.name
    paper.file_size = checked.size
    # The old file's words go with it; the new one's are read once this commits.
    paper.text = ""
    paper.uploaded_at = now
    # A changed paper has to go out again.
    paper.circulated_at = None
    paper.file.save(checked.name, ContentFile(data), save=False)


def _extract_later(paper: Paper) -> None:
    from governance.tasks import extract_paper_text

    enqueue(extract_paper_text, paper.pk, paper.version)


# The catch-up (``text_extraction_catch_up``): files uploaded over an hour ago (their own job
# has had its chance) and in the last week (a file with no words to read is not read for ever),
# at most this many of each kind a run.
CATCH_UP_AFTER = timedelta(hours=1)
CATCH_UP_WITHIN = timedelta(days=7)
CATCH_UP_LIMIT = 200


def text_extraction_catch_up(*, now: datetime | None = None) -> int:
    """A safety net behind the jobs queued on upload: queue again the reading of words for the
    papers and library versions whose words are still missing (a job lost, or a worker down
    when it ran). The jobs are idempotent, so one queued twice does no harm. Returns how many
    were queued."""
    from governance.tasks import extract_document_text, extract_paper_text

    now = now or timezone.now()
    window = {"uploaded_at__lte": now - CATCH_UP_AFTER, "uploaded_at__gte": now - CATCH_UP_WITHIN}
    papers = list(
        Paper.objects.filter(text="", **window)
        .exclude(file="")
        .order_by("-uploaded_at")
        .values_list("pk", "version")[:CATCH_UP_LIMIT]
    )
    versions = list(
        DocumentVersion.objects.filter(text="", **window)
        .exclude(file="")
        .order_by("-uploaded_at")
        .values_list("pk", flat=True)[:CATCH_UP_LIMIT]
    )
    with transaction.atomic():
        for pk, version in papers:
            enqueue(extract_paper_text, pk, version)
        for pk in versions:
            enqueue(extract_document_text, pk)
    return len(papers) + len(versions)


def paper_extract_text(*, paper_id: int, version: int) -> bool:
    """Read the words of the paper's file into ``Paper.text``, for search. Safe to run again
    and in any order: a paper whose file has since been replaced (its version moved on) or
    whose words are already read is left alone. Returns whether it saved anything. Saved
    through the model (``update_fields``), so the search index hears of it; the audit
    history, which does not keep the words, does not."""
    paper = Paper.objects.filter(pk=paper_id, version=version).first()
    if paper is None or not paper.file or paper.text:
        return False
    with paper.file.open("rb") as handle:
        data = handle.read()
    text = extract_text(file_type=paper.file_type, data=data)
    if not text:
        return False
    with transaction.atomic():
        # Read outside the lock (a long PDF takes a while); saved only if the file is still
        # the one read.
        paper = Paper.objects.select_for_update().filter(pk=paper_id, version=version).first()
        if paper is None or paper.text:
            return False
        paper.text = text
        paper.save(update_fields=["text"])
    return True


def _papers_went_out(meeting: Meeting) -> bool:
    """Whether the meeting's papers went out: one is out now, or was before its file was
    replaced."""
    return (
        Paper.objects.filter(item__meeting=meeting, circulated_at__isnull=False).exists()
        or PaperVersion.objects.filter(
            paper__item__meeting=meeting, circulated_at__isnull=False
        ).exists()
    )


@transaction.atomic
def paper_add(
    *,
    actor: Any,
    item: AgendaItem,
    title: str,
    owner: User,
    upload: tuple[str, bytes] | None = None,
    **fields: Any,
) -> Paper:
    """A paper for an item, with its cover sheet; the file may follow later (its owner is
    chased if it is not out a week before the meeting). Once the meeting's papers went out
    (and until it is held), a paper with its file is a supplementary paper, which the chair
    accepts late (``paper_add_supplementary``): it is refused here."""
    meeting = _lock(item.meeting)
    _require_not_cancelled(meeting)
    fields.pop("change_note", None)  # a first file changes nothing
    paper = Paper(item=item, title=title.strip(), owner=owner, **fields)
    _check_paper(paper)
    if upload and meeting.held_on >= timezone.localdate() and _papers_went_out(meeting):
        raise ValidationError(
            {
                "upload": "The papers for this meeting have been circulated: add it as a "
                "supplementary paper, saying why the chair accepted it late"
            }
        )
    if upload:
        _attach(paper, actor=actor, name=upload[0], data=upload[1])
    record_actor(paper, actor=actor, reason="Paper added")
    paper.save()
    if upload:
        _extract_later(paper)
    documents_refresh_later(item.meeting)
    return paper


@transaction.atomic
def paper_update(
    *,
    actor: Any,
    paper: Paper,
    upload: tuple[str, bytes] | None = None,
    change_note: str = "",
    **fields: Any,
) -> Paper:
    """Change the paper's cover sheet, or replace its file: the file it had is kept as an
    earlier version, and ``change_note`` (required then) says what the new one changed."""
    _lock(paper.item.meeting)
    _require_not_cancelled(paper.item.meeting)
    # Work on the row as it is now, locked: a copy loaded before circulation must not
    # un-circulate it, nor one loaded before the background job read its words wipe them.
    paper = (
        Paper.objects.select_for_update(of=("self",))
        .select_related("item__meeting__body__partnership")
        .get(pk=paper.pk)
    )
    if change_note.strip() and not upload and paper.file:
        # "What changed" is about a new file: the file was not sent (a browser never sends
        # it back with a page that had an error), so nothing would change.
        raise ValidationError(
            {"upload": "Select the new file: what changed is about the file that replaces it"}
        )
    was_confidential = paper.is_confidential  # as it was before this change
    for name, value in fields.items():
        setattr(paper, name, value.strip() if isinstance(value, str) else value)
    _check_paper(paper)
    if upload:
        _attach(
            paper,
            actor=actor,
            name=upload[0],
            data=upload[1],
            change_note=change_note,
            was_confidential=was_confidential,
        )
        record_actor(paper, actor=actor, reason="Paper replaced")
        paper.save()
    else:
        record_actor(paper, actor=actor, reason="Paper changed")
        # Not its words: the background job may have just read them.
        paper.save(
            update_fields=[
                f.name for f in Paper._meta.concrete_fields if f.name not in ("id", "text")
            ]
        )
    if upload:
        _extract_later(paper)
    documents_refresh_later(paper.item.meeting)
    return paper


def late_paper_acceptors(*, meeting: Meeting) -> list[User]:
    """Who may accept a paper late for the meeting: the body's chair and deputy chair today."""
    office = body_office_holders(body=meeting.body)
    return [office[role] for role in ("chair", "deputy_chair") if role in office]


def supplementary_refusal(*, meeting: Meeting) -> str:
    """Why a supplementary paper cannot be added to the meeting now, or "" if it can: asked
    before the form is shown, and again (under the meeting's lock) when it is sent."""
    if meeting.status == MeetingStatus.CANCELLED:
        return "This meeting was cancelled: it cannot be changed."
    if not _papers_went_out(meeting):
        return "The papers for this meeting have not been circulated yet: add the paper as usual."
    if meeting.held_on < timezone.localdate():
        return "The meeting has been held: papers cannot be added to it now."
    if not late_paper_acceptors(meeting=meeting):
        return f"The {meeting.body.name} has no chair or deputy chair to accept a late paper."
    return ""


@transaction.atomic
def paper_add_supplementary(
    *,
    actor: Any,
    item: AgendaItem,
    title: str,
    owner: User,
    late_reason: str,
    accepted_by: User | None,
    upload: tuple[str, bytes] | None,
    **fields: Any,
) -> Paper:
    """A supplementary paper: added after the meeting's papers were circulated, because the
    chair (or the deputy) accepted it late. The co-ordinator records who accepted it and why;
    the paper is flagged "Late paper: <why>" wherever it is shown, and is not chased or
    counted as late (``papers_late``): its lateness is known and accepted. It goes out with
    the next circulation, like any paper."""
    meeting = _lock(item.meeting)
    _require_not_cancelled(meeting)
    refusal = supplementary_refusal(meeting=meeting)
    if refusal:
        raise ValidationError(refusal)
    errors: dict[str, str] = {}
    if not late_reason.strip():
        errors["late_reason"] = "Enter why the chair accepted the paper late"
    acceptors = late_paper_acceptors(meeting=meeting)
    if accepted_by is None or accepted_by.pk not in {p.pk for p in acceptors}:
        errors["accepted_by"] = "Select the chair or deputy chair who accepted the paper"
    if not upload:
        errors["upload"] = "Select the paper's file"
    fields.pop("change_note", None)
    paper = Paper(
        item=item,
        title=title.strip(),
        owner=owner,
        supplementary=True,
        late_reason=late_reason.strip(),
        late_accepted_by=accepted_by,
        **fields,
    )
    try:
        _check_paper(paper)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    assert upload is not None
    _attach(paper, actor=actor, name=upload[0], data=upload[1])
    record_actor(paper, actor=actor, reason="Supplementary paper added")
    paper.save()
    _extract_later(paper)
    documents_refresh_later(meeting)
    return paper
