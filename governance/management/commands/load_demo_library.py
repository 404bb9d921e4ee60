"""Load the demo's document library (once), after load_demo and load_demo_meetings: the
partnership's own documents (a strategy in two versions, the first "superseded on ..."; a
newsletter; a members-only briefing), the Partnership Board's and the Delivery Board's terms
of reference, and, on the Delivery Board's coming meeting, a paper replaced with "what
changed" and a supplementary paper the chair accepted late."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from governance import services as gs
from governance.models import LibraryDocument, Paper
from governance.services import library as library_services
from membership.models import User
from partnership.models import Body, Partnership
from partnership.pdf import render_pdf


def _pdf(title: str, *paragraphs: str) -> bytes:
    return render_pdf(
        template="governance/pdf/demo_paper.html",
        context={"title": title, "paragraphs": list(paragraphs)},
    )


def _document(actor, partnership, *, body=None, versions, **details) -> LibraryDocument:
    """A document with its versions, oldest first: (label, date, what changed, words)."""
    (label, issued_on, _, words), *later = versions
    title = details["title"]
    document = library_services.document_create(
        actor=actor,
        partnership=partnership,
        body=body,
        version=label,
        issued_on=issued_on,
        upload=(f"{title[:40]}.pdf", _pdf(title, words)),
        **details,
    )
    for label, issued_on, change_note, words in later:
        library_services.document_version_add(
            actor=actor,
            document=document,
            version=label,
            issued_on=issued_on,
            change_note=change_note,
            upload=(f"{title[:40]} {label}.pdf", _pdf(f"{title}, version {label}", words)),
        )
    return document


@transaction.atomic
def load_library(*, partnership: Partnership) -> int:
    """Load the library once. Returns how many documents were made (0 if present)."""
    if LibraryDocument.objects.filter(partnership=partnership).exists():
        return 0
    coordinator = User.objects.get(email="coordinator@mercia-vale.example")
    board = Body.objects.get(partnership=partnership, name="Mercia Vale Partnership Board")
    delivery = Body.objects.get(partnership=partnership, name="Delivery Board")
    made = [
        _document(
            coordinator,
            partnership,
            title="Sustainable Community Strategy",
            doc_type="strategy",
            summary="The vision for Mercia Vale and the priorities the partners work to.",
            versions=[
                ("2025", date(2025, 4, 1), "", "The vision and six priorities for 2025 onwards."),
                (
                    "2026",
                    date(2026, 4, 1),
                    "Refreshed after the residents' survey: a seventh priority, housing.",
                    "The vision and seven priorities, housing added after the survey.",
                ),
            ],
        ),
        _document(
            coordinator,
            partnership,
            title="Partnership newsletter, spring 2026",
            doc_type="newsletter",
            summary="News from the partners: the new youth hub, and the survey's results.",
            versions=[("Spring 2026", date(2026, 3, 20), "", "News from the partners.")],
        ),
        _document(
            coordinator,
            partnership,
            title="Partners' briefing on the funding settlement",
            doc_type="other",
            summary="For partners only until the council's budget is set.",
            members_only=True,
            versions=[("1", date(2026, 2, 10), "", "What the settlement means for partners.")],
        ),
        _document(
            coordinator,
            partnership,
            body=board,
            title="Partnership Board terms of reference",
            doc_type="terms_of_reference",
            summary="What the Board is for, who sits on it and how it decides.",
            versions=[
                ("1.0", date(2024, 4, 1), "", "The Board's remit, membership and quorum."),
                (
                    "1.1",
                    date(2025, 4, 1),
                    "The area partnership boards join the Board.",
                    "The Board's remit, membership (with the area boards) and quorum.",
                ),
            ],
        ),
        _document(
            coordinator,
            partnership,
            body=delivery,
            title="Delivery Board terms of reference",
            doc_type="terms_of_reference",
            summary="How the Delivery Board oversees the thematic groups' delivery plans.",
            versions=[("1.0", date(2024, 4, 1), "", "The Delivery Board's remit and quorum.")],
        ),
    ]
    _papers(coordinator, delivery)
    return len(made)


def _papers(coordinator: User, delivery: Body) -> None:
    """On the Delivery Board's coming meeting: the pooled budget paper replaced, saying what
    changed, and a supplementary paper accepted late by the chair; then circulated."""
    today = timezone.localdate()
    paper = (
        Paper.objects.filter(
            item__meeting__body=delivery,
            item__meeting__held_on__gte=today,
            item__meeting__status="published",
            title="Pooled budget proposals",
        )
        .exclude(file="")
        .select_related("item__meeting")
        .first()
    )
    if paper is None:
        return  # the meetings were not loaded: nothing to add to
    meeting = paper.item.meeting
    gs.paper_update(
        actor=coordinator,
        paper=paper,
        upload=(
            "pooled-budget-v2.pdf",
            _pdf(
                "Pooled budget proposals",
                "Partners propose to pool £2.5 million in 2027 to 2028, 4% more than this year.",
            ),
        ),
        change_note="The police's contribution confirmed: the pool is £2.5m, not £2.4m.",
    )
    chair = gs.late_paper_acceptors(meeting=meeting)
    if chair:
        gs.paper_add_supplementary(
            actor=coordinator,
            item=paper.item,
            title="Pooled budget: legal advice on the pooling agreement",
            owner=coordinator,
            late_reason="The advice arrived after the papers went out; the decision needs it.",
            accepted_by=chair[0],
            upload=(
                "pooling-advice.pdf",
                _pdf("Legal advice on the pooling agreement", "The agreement may be signed."),
            ),
        )
    gs.papers_circulate(actor=coordinator, meeting=meeting)


class Command(BaseCommand):
    help = "Load the demo partnership's document library and paper versions (once)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Load with DJANGO_DEBUG off.")

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("load_demo_library is for development (DJANGO_DEBUG=true).")
        partnership = Partnership.objects.filter(slug="demo").first()
        if partnership is None:
            raise CommandError("Load the demo partnership first: manage.py load_demo")
        try:
            made = load_library(partnership=partnership)
        except ValidationError as exc:
            raise CommandError(f"The demo library broke a rule: {exc}") from exc
        if made:
            self.stdout.write(self.style.SUCCESS(f"Loaded the library: {made} documents."))
        else:
            self.stdout.write("The demo library is already loaded: it is left as it is.")
