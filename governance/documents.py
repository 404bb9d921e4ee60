"""A meeting's PDFs: the agenda pack and the minutes, each for the public and for members.

Everything a document shows is first gathered into plain data (its "facts"), what the public
may see decided by ``governance.selectors``. The fingerprint is a hash of those facts and the
templates render nothing else, so a document is stale exactly when its fingerprint changes:
the render job skips what is current, and ``rendition_current`` never hands out a public pack
that still holds a paper since made confidential.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, time, timedelta
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from governance import selectors
from governance.models import (
    Attendance,
    AttendanceStatus,
    Audience,
    DeclaredInterest,
    DocumentKind,
    FileType,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    Paper,
    Purpose,
    Rendition,
    ReviewOutcome,
)
from governance.services.minutes import approved_minutes
from partnership.pdf import UnreadablePDF, facts_fingerprint, pdf_open, pdf_pack, render_pdf

log = logging.getLogger(__name__)

# Part of every fingerprint: bump it when the templates or the facts change shape, and every
# document is rendered again by the next run of the stale job.
LAYOUT_VERSION = 3  # 3: papers' versions and late (supplementary) papers
# Published meetings this recent are checked by the safety-net job; older packs rarely change.
STALE_WINDOW_DAYS = 60

TEMPLATES = {
    DocumentKind.AGENDA_PACK: "governance/pdf/agenda_pack.html",
    DocumentKind.MINUTES: "governance/pdf/minutes.html",
}
FILE_KINDS = {
    FileType.PDF: "PDF",
    FileType.DOCX: "Word document",
    FileType.DOC: "Word document",
    FileType.XLSX: "Excel spreadsheet",
    FileType.XLS: "Excel spreadsheet",
    FileType.ODT: "OpenDocument text document",
    FileType.ODS: "OpenDocument spreadsheet",
}


def _access(audience: str) -> selectors.MeetingAccess:
    if audience == Audience.PUBLIC:
        return selectors.PUBLIC
    if audience == Audience.MEMBERS:
        # Members see confidential items and papers once circulated, never drafts: the pack
        # is what was sent out, even when a co-ordinator downloads it.
        return selectors.MeetingAccess(member=True)
    raise ValueError(f"Unknown audience: {audience!r}")


def _check_kind(kind: str) -> None:
    if kind not in DocumentKind.values:
        raise ValueError(f"Unknown document kind: {kind!r}")


# --- words -----------------------------------------------------------------------------------


def long_date(day: date) -> str:
    """'Tuesday 1 December 2026'."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def clock(moment: time) -> str:
    """GOV.UK style times: '10am', '2:30pm', 'midday'."""
    if moment.hour == 12 and moment.minute == 0:
        return "midday"
    if moment.hour == 0 and moment.minute == 0:
        return "midnight"
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}{suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d}{suffix}"


def _site(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


# --- facts: everything that goes into a document ---------------------------------------------


def _meeting_facts(meeting: Meeting) -> dict:
    body = meeting.body
    hours = clock(meeting.start_time)
    if meeting.end_time:
        hours += f" to {clock(meeting.end_time)}"
    return {
        "id": meeting.pk,
        "partnership": body.partnership.name,
        "body": body.name,
        "name": meeting.name,
        "status": meeting.status,
        "date": long_date(meeting.held_on),
        "time": hours,
        "venue": meeting.venue,
        "online_link": meeting.online_link,
        "url": _site(meeting.get_absolute_url()),
    }


def _item_numbers(meeting: Meeting) -> dict[int, int]:
    # Numbered over the whole agenda, so "item 5" is item 5 in both packs; the public pack
    # skips the numbers of items it leaves out.
    ids = meeting.items.order_by("position", "pk").values_list("pk", flat=True)
    return {pk: number for number, pk in enumerate(ids, start=1)}


def _paper_facts(paper: Paper, *, item, number: int, slug: str) -> dict:
    return {
        "id": paper.pk,
        "title": paper.title,
        "item": f"{number}. {item.title}",
        "owner": str(paper.owner),
        "main_issues": paper.main_issues,
        "decision_required": paper.decision_required,
        "confidential": paper.confidential or item.confidential,
        "confidential_reason": paper.confidential_reason or item.confidential_reason,
        # The stored name is new with every upload, so a replaced file changes the
        # fingerprint even when its name and size do not.
        "file": paper.file.name,
        "file_name": paper.file_name,
        "file_type": paper.file_type,
        "file_kind": FILE_KINDS.get(paper.file_type, "File"),
        "file_size": paper.file_size,
        "uploaded_at": paper.uploaded_at.isoformat() if paper.uploaded_at else None,
        "version": paper.version,
        "change_note": paper.change_note if paper.version > 1 else "",
        "late_reason": paper.late_reason if paper.supplementary else "",
        "url": _site(
            reverse(
                "governance:paper",
                kwargs={"partnership": slug, "pk": item.meeting_id, "paper": paper.pk},
            )
        ),
    }


def _agenda_facts(meeting: Meeting, audience: str) -> dict:
    agenda = selectors.agenda(meeting=meeting, access=_access(audience))
    numbers = _item_numbers(meeting)
    slug = meeting.body.partnership.slug
    items, papers = [], []
    for item in agenda.items:
        number = numbers[item.pk]
        titles = []
        for paper in item.visible_papers:
            titles.append(f"{paper.title} (late paper)" if paper.supplementary else paper.title)
            papers.append(
                {
                    "number": len(papers) + 1,
                    **_paper_facts(paper, item=item, number=number, slug=slug),
                }
            )
        items.append(
            {
                "id": item.pk,
                "number": number,
                "kind": item.kind,
                "title": item.title,
                "presenter": item.presenter,
                "decision": item.purpose == Purpose.DECISION and not item.is_standing,
                # A standing item says what it is for, never "For information".
                "standing_purpose": item.standing_purpose,
                "decision_required": item.decision_required,
                "confidential": item.confidential,
                "confidential_reason": item.confidential_reason,
                "papers": titles,
            }
        )
    return {
        "layout": LAYOUT_VERSION,
        "kind": DocumentKind.AGENDA_PACK,
        "audience": audience,
        "members": audience == Audience.MEMBERS,
        "meeting": _meeting_facts(meeting),
        "items": items,
        "papers": papers,
        "withheld": agenda.withheld,
    }


def _attendance_facts(meeting: Meeting) -> dict:
    present, apologies, absent = [], [], []
    records = Attendance.objects.filter(meeting=meeting).select_related("person", "substitute")
    for record in records.order_by("person__full_name", "pk"):
        person = str(record.person)
        if record.status == AttendanceStatus.PRESENT:
            present.append(
                f"{person} (acting chair, chosen at the meeting)" if record.acting_chair else person
            )
        elif record.status == AttendanceStatus.APOLOGIES:
            apologies.append(person)
        else:
            absent.append(person)
        if record.substitute_id:
            present.append(f"{record.substitute} (substitute for {person})")
    return {"present": present, "apologies": apologies, "absent": absent}


def _approval(minutes: Minutes) -> dict:
    review = (
        minutes.reviews.filter(outcome=ReviewOutcome.APPROVED)
        .order_by("-reviewed_at", "-pk")
        .first()
    )
    return {
        "by": str(minutes.approved_by) if minutes.approved_by_id else "",
        "acting_as": review.acting_as if review else "",
        "on": long_date(timezone.localdate(minutes.approved_at)) if minutes.approved_at else "",
    }


def _minutes_facts(meeting: Meeting, audience: str) -> dict:
    facts = {
        "layout": LAYOUT_VERSION,
        "kind": DocumentKind.MINUTES,
        "audience": audience,
        "members": audience == Audience.MEMBERS,
        "meeting": _meeting_facts(meeting),
        "minutes": None,
    }
    minutes = approved_minutes(meeting=meeting)
    if minutes is None:
        return facts
    access = _access(audience)
    entries = selectors.minute_entries(minutes=minutes, access=access)
    interests = defaultdict(list)
    for interest in (
        DeclaredInterest.objects.filter(item_id__in=[e.item_id for e in entries])
        .select_related("person")
        .order_by("person__full_name", "pk")
    ):
        interests[interest.item_id].append(
            # The template ends the sentence itself.
            {"person": str(interest.person), "nature": interest.nature.rstrip(". ")}
        )
    numbers = _item_numbers(meeting)
    withheld = 0
    if not access.see_confidential:
        withheld = minutes.entries.filter(item__confidential=True).count()
    facts["minutes"] = {
        "id": minutes.pk,
        "version": minutes.version,
        "correction_reason": minutes.correction_reason,
        "approval": _approval(minutes),
        "attendance": _attendance_facts(meeting),
        "entries": [
            {
                "item": entry.item_id,
                "number": numbers.get(entry.item_id),
                "title": entry.item.title,
                "confidential": entry.item.confidential,
                "text": entry.text,
                "decision": entry.decision,
                "interests": interests[entry.item_id],
            }
            for entry in entries
        ],
        "withheld": withheld,
    }
    return facts


def _facts(meeting: Meeting, kind: str, audience: str) -> dict:
    _check_kind(kind)
    if kind == DocumentKind.AGENDA_PACK:
        return _agenda_facts(meeting, audience)
    return _minutes_facts(meeting, audience)


def fingerprint(*, meeting: Meeting, kind: str, audience: str) -> str:
    """A sha256 hex digest of everything that goes into the document for this audience."""
    return facts_fingerprint(_facts(meeting, kind, audience))


# --- rendering -------------------------------------------------------------------------------


def _title(facts: dict) -> str:
    meeting = facts["meeting"]
    what = "Agenda pack" if facts["kind"] == DocumentKind.AGENDA_PACK else "Minutes"
    return f"{what}: {meeting['name']}, {meeting['date']}"


def _paper_bytes(name: str) -> bytes:
    with Paper._meta.get_field("file").storage.open(name, "rb") as handle:
        return handle.read()


def _render_agenda_pack(facts: dict) -> bytes:
    """The pack: its own tagged pages, then each readable PDF paper, each read once from
    storage, parsed once and written once, in one writer."""
    papers = [dict(paper) for paper in facts["papers"]]
    readers: dict[int, PdfReader] = {}
    for index, paper in enumerate(papers):
        paper["appendix"] = None
        paper["unreadable"] = False
        if paper["file_type"] != FileType.PDF:
            continue
        reader = pdf_open(_paper_bytes(paper["file"]))
        if reader is None:
            log.warning("Paper %s is not a readable PDF: left out of the pack", paper["id"])
            paper["unreadable"] = True
        else:
            readers[index] = reader
    while True:
        # Numbered before the cover sheets are written, so none says "appended" of a file
        # that is then left out; its pages count in every footer's "Page 1 of N".
        appended = []
        for index, paper in enumerate(papers):
            reader = readers.get(index)
            if reader is None:
                paper["appendix"] = None
                continue
            paper["appendix"] = len(appended) + 1
            paper["appendix_pages"] = len(reader.pages)
            appended.append((index, f"Appendix {paper['appendix']}: {paper['title']}", reader))
        pdf = render_pdf(
            template=TEMPLATES[DocumentKind.AGENDA_PACK],
            context={"doc": facts, "papers": papers, "title": _title(facts)},
            appended_pages=sum(len(reader.pages) for _, _, reader in appended),
        )
        try:
            return pdf_pack(first=pdf, others=[(title, reader) for _, title, reader in appended])
        except UnreadablePDF as exc:
            # It opened but broke part way: rare, so the pack is laid out again, its cover
            # sheet saying the paper could not be added.
            index = appended[exc.index][0]
            log.warning("Paper %s broke while appended: left out of the pack", papers[index]["id"])
            del readers[index]
            papers[index]["unreadable"] = True


def _render_minutes(facts: dict) -> bytes:
    return render_pdf(
        template=TEMPLATES[DocumentKind.MINUTES], context={"doc": facts, "title": _title(facts)}
    )


def render_agenda_pack(*, meeting: Meeting, audience: str) -> bytes:
    return _render_agenda_pack(_agenda_facts(meeting, audience))


def render_minutes(*, meeting: Meeting, audience: str) -> bytes:
    facts = _minutes_facts(meeting, audience)
    if facts["minutes"] is None:
        raise ValueError(f"{meeting} has no approved minutes to render")
    return _render_minutes(facts)


# --- storing ---------------------------------------------------------------------------------


def _documents_due(meeting: Meeting) -> list[tuple[str, str]]:
    due = []
    if meeting.status == MeetingStatus.PUBLISHED:
        due += [(DocumentKind.AGENDA_PACK, a) for a in (Audience.PUBLIC, Audience.MEMBERS)]
    if approved_minutes(meeting=meeting) is not None:
        due += [(DocumentKind.MINUTES, a) for a in (Audience.PUBLIC, Audience.MEMBERS)]
    return due


def _store(*, meeting: Meeting, kind: str, audience: str, digest: str, pdf: bytes) -> None:
    storage = Rendition._meta.get_field("file").storage
    name = storage.save(f"renditions/{meeting.pk}/{kind}-{audience}-{digest}.pdf", ContentFile(pdf))
    try:
        with transaction.atomic():
            # get_or_create, then update under the row lock: unlike update_or_create it tells
            # us the file being replaced even when another worker created the row first.
            rendition, created = Rendition.objects.select_for_update().get_or_create(
                meeting=meeting,
                kind=kind,
                audience=audience,
                defaults={"file": name, "fingerprint": digest, "rendered_at": timezone.now()},
            )
            if not created:
                old = rendition.file.name
                rendition.file = name
                rendition.fingerprint = digest
                rendition.rendered_at = timezone.now()
                rendition.save(update_fields=["file", "fingerprint", "rendered_at"])
                if old and old != name:
                    # Only once the new row is committed: until then the old file is the one
                    # the row points at.
                    transaction.on_commit(partial(storage.delete, old))
    except Exception:
        storage.delete(name)
        raise


def documents_render(*, meeting_id: int) -> list[str]:
    """Render the meeting's documents that are missing or stale and store them. Returns what
    was rendered, as "kind/audience"; a second run renders nothing."""
    meeting = Meeting.objects.select_related("body__partnership").filter(pk=meeting_id).first()
    if meeting is None:
        return []
    rendered = []
    for kind, audience in _documents_due(meeting):
        facts = _facts(meeting, kind, audience)
        digest = facts_fingerprint(facts)
        if Rendition.objects.filter(
            meeting=meeting, kind=kind, audience=audience, fingerprint=digest
        ).exists():
            continue
        if kind == DocumentKind.AGENDA_PACK:
            pdf = _render_agenda_pack(facts)
        else:
            pdf = _render_minutes(facts)
        # If the meeting changed while rendering, the stored fingerprint is already stale:
        # rendition_current will not serve it and the next run renders it again.
        _store(meeting=meeting, kind=kind, audience=audience, digest=digest, pdf=pdf)
        rendered.append(f"{kind}/{audience}")
    return rendered


def documents_render_stale() -> int:
    """Render what is stale for recent published meetings and for approved minutes without
    both their PDFs. Returns how many documents were rendered. One meeting failing does not
    stop the others; the run then fails so that it is retried."""
    since = timezone.localdate() - timedelta(days=STALE_WINDOW_DAYS)
    recent = Meeting.objects.filter(status=MeetingStatus.PUBLISHED, held_on__gte=since)

    def missing(audience: str) -> Exists:
        return ~Exists(
            Rendition.objects.filter(
                meeting=OuterRef("pk"), kind=DocumentKind.MINUTES, audience=audience
            )
        )

    unrendered = Meeting.objects.filter(minutes__status=MinutesStatus.APPROVED).filter(
        missing(Audience.PUBLIC) | missing(Audience.MEMBERS)
    )
    ids = sorted(
        set(recent.values_list("pk", flat=True)) | set(unrendered.values_list("pk", flat=True))
    )
    count, failed = 0, []
    for meeting_id in ids:
        try:
            count += len(documents_render(meeting_id=meeting_id))
        except Exception:
            log.exception("Rendering the documents of meeting %s failed", meeting_id)
            failed.append(meeting_id)
    if failed:
        raise RuntimeError(f"Rendering failed for meetings {failed}")
    return count


def rendition_current(*, meeting: Meeting, kind: str, audience: str) -> Rendition | None:
    """The stored document, only if it matches what the meeting holds now for this audience.
    A stale public pack could hold a paper since made confidential, so it is never served."""
    _check_kind(kind)
    _access(audience)
    rendition = Rendition.objects.filter(meeting=meeting, kind=kind, audience=audience).first()
    if rendition is None:
        return None
    if rendition.fingerprint != fingerprint(meeting=meeting, kind=kind, audience=audience):
        return None
    return rendition
