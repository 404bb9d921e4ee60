"""What governance puts in the search index: meetings, agenda items, papers, minutes and
decisions, and the library's documents. Who may find each is asked of the meeting selectors
(``governance.selectors.meetings``) at index time, for each audience in turn, from the widest:
the first that may see the record is its audience.

The registers' entries (declarations of interests, gifts and hospitality) are asked of the
register selectors (``governance.selectors.registers`` and ``register_pages``): see
``declaration_entries`` and ``gift_entries``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from django.db.models import Q
from django.urls import NoReverseMatch, reverse

from governance.models import (
    AgendaItem,
    Declaration,
    Gift,
    GiftDecision,
    GiftKind,
    InterestHolder,
    InterestKind,
    Meeting,
    MeetingStatus,
    MinuteEntry,
    Minutes,
    Paper,
    RegisterSettings,
)
from governance.models.library import DocumentVersion, LibraryDocument
from governance.models.meetings import MinutesStatus
from governance.selectors.library import document_public
from governance.selectors.meetings import (
    PUBLIC,
    MeetingAccess,
    agenda_visible,
    items_visible,
    meeting_visible,
    paper_visible,
)
from governance.selectors.register_pages import _interests
from governance.selectors.registers import register_bodies, register_settings
from partnership.models import SearchAudience, SearchKind
from partnership.search import Entry, register_dependents, register_indexer

# From the widest audience to the narrowest, each with the access its people have in
# MeetingAccess. The last is the body's co-ordinators alone (PERSON naming nobody: an entry's
# ``person``, when set, may find it whatever its audience; a PERSON entry is for that person
# and the co-ordinators only). The MANAGERS rung gives the chair a member's access too: the
# rights sync gives a chair view_private_body with chair_body (asserted in
# tests/partnership/test_search_views.py), so whatever members may find, chairs may.
LADDER = [
    (PUBLIC, SearchAudience.PUBLIC),
    (MeetingAccess(member=True), SearchAudience.MEMBERS),
    (MeetingAccess(member=True, chair=True), SearchAudience.MANAGERS),
    (MeetingAccess(member=True, manage=True), SearchAudience.PERSON),
]


def audience_of(meeting: Meeting, visible: Callable[[MeetingAccess], bool]) -> str | None:
    """The widest audience whose access lets ``visible`` see the record, or None."""
    for access, audience in LADDER:
        if visible(replace(access, agenda=agenda_visible(meeting, access))):
            return audience
    return None


def _lines(*parts: str) -> str:
    return "\n".join(p for p in parts if p)


# --- meetings and their business -----------------------------------------------------------


def meeting_entries(meeting: Meeting) -> list[Entry]:
    audience = audience_of(meeting, lambda access: meeting_visible(meeting, access))
    if audience is None:
        return []
    # As the calendar shows it: its name, date and place (its business has entries of its own).
    return [
        Entry(
            kind=SearchKind.MEETING,
            partnership_id=meeting.body.partnership_id,
            body_id=meeting.body_id,
            title=meeting.name,
            text=_lines(
                meeting.venue,
                meeting.cancelled_reason if meeting.status == MeetingStatus.CANCELLED else "",
            ),
            on_date=meeting.held_on,
            url=meeting.get_absolute_url(),
            audience=audience,
        )
    ]


def item_entries(item: AgendaItem) -> list[Entry]:
    meeting = item.meeting
    one = AgendaItem.objects.filter(pk=item.pk)
    audience = audience_of(meeting, lambda access: items_visible(one, access).exists())
    if audience is None:
        return []
    return [
        Entry(
            kind=SearchKind.AGENDA_ITEM,
            partnership_id=meeting.body.partnership_id,
            body_id=meeting.body_id,
            title=item.title,
            text=_lines(item.presenter, item.decision_required, item.projects),
            on_date=meeting.held_on,
            url=f"{meeting.get_absolute_url()}#item-{item.pk}",
            audience=audience,
        )
    ]


def paper_entries(paper: Paper) -> list[Entry]:
    meeting = paper.item.meeting
    audience = audience_of(meeting, lambda access: paper_visible(paper, access))
    if audience is None:
        return []
    return [
        Entry(
            kind=SearchKind.PAPER,
            partnership_id=meeting.body.partnership_id,
            body_id=meeting.body_id,
            title=paper.title,
            # The file's words, once extracted in the background (its save reindexes it).
            text=_lines(paper.main_issues, paper.decision_required, paper.text),
            on_date=meeting.held_on,
            url=f"{meeting.get_absolute_url()}#paper-{paper.pk}",
            audience=audience,
        )
    ]


def _entry_visible(entry: MinuteEntry, access: MeetingAccess) -> bool:
    # As minutes_visible and minute_entries have it: approved minutes for everyone who sees
    # the meeting's business, drafts for those who run the body (superseded versions are
    # not searched: their correction is); a confidential item's minute for its insiders.
    minutes = entry.minutes
    if not access.agenda:
        return False
    if minutes.status != MinutesStatus.APPROVED and not (
        access.see_drafts and minutes.status != MinutesStatus.SUPERSEDED
    ):
        return False
    return access.see_confidential or not entry.item.confidential


def minute_entries(entry: MinuteEntry) -> list[Entry]:
    meeting = entry.minutes.meeting
    audience = audience_of(meeting, lambda access: _entry_visible(entry, access))
    if audience is None:
        return []
    common = {
        "partnership_id": meeting.body.partnership_id,
        "body_id": meeting.body_id,
        "on_date": meeting.held_on,
        "url": f"{meeting.get_absolute_url()}#minutes",
        "audience": audience,
    }
    # The meeting's name with the item's: an item's title alone ("Apologies") says little.
    title = f"{meeting.name}: {entry.item.title}"
    entries = []
    if entry.text:
        entries.append(Entry(kind=SearchKind.MINUTES, title=title, text=entry.text, **common))
    if entry.decision:
        entries.append(Entry(kind=SearchKind.DECISION, title=title, text=entry.decision, **common))
    return entries


def _meeting_business(meeting: Meeting) -> Iterable:
    yield from AgendaItem.objects.filter(meeting=meeting).select_related(
        "meeting__body__partnership"
    )
    yield from Paper.objects.filter(item__meeting=meeting).select_related(
        "item__meeting__body__partnership"
    )
    yield from _minute_rows().filter(minutes__meeting=meeting)


def _item_business(item: AgendaItem) -> Iterable:
    yield from Paper.objects.filter(item=item).select_related("item__meeting__body__partnership")
    yield from _minute_rows().filter(item=item)


def _minute_rows():
    return MinuteEntry.objects.select_related("item", "minutes__meeting__body__partnership")


# --- the library -----------------------------------------------------------------------------


def _url(name: str, **kwargs) -> str | None:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:  # the library's pages are not in this build
        return None


def document_entries(document: LibraryDocument) -> list[Entry]:
    """The current version of a standing document, as ``governance.selectors.library`` has
    it: for everyone (``document_public``); if for members only, for the body's members, or
    for anyone with a right in the partnership for the partnership's own; a withdrawn one
    (seen only by its library's keepers, who have its list) for nobody."""
    if document.withdrawn_at is not None:
        return []
    current = document.versions.filter(superseded_on__isnull=True).first()
    url = _url("governance:library_document", partnership=document.partnership.slug, pk=document.pk)
    if current is None or url is None:
        return []
    if document_public(document):
        audience = SearchAudience.PUBLIC
    elif document.body_id is None:
        audience = SearchAudience.SIGNED_IN
    else:
        audience = SearchAudience.MEMBERS
    return [
        Entry(
            kind=SearchKind.DOCUMENT,
            partnership_id=document.partnership_id,
            body_id=document.body_id,
            title=document.title,
            text=_lines(document.get_doc_type_display(), document.summary, current.text),
            on_date=current.issued_on,
            url=url,
            audience=audience,
        )
    ]


# --- the registers of interests and of gifts and hospitality -------------------------------
#
# One entry a declaration or gift. It is PUBLIC when the public may read it on a body's public
# register (as ``register_pages`` shows it to an empty ``RegisterAccess``: the register
# published, the entry not withheld, and, for an interest, in force today on that body's
# register), with only what that page shows, linked to that register. Otherwise it is for those
# who see the whole register (``RegisterAccess.full``: the body's chair and deputy, its
# co-ordinators) and the declarant (the entry's person): MANAGERS of one body. A declaration is
# in the register of every body its declarant sits on (``register_bodies``) and an entry has
# one body, so with several it is found by the co-ordinators and chairs of one of them (the
# body it concerns, else the first by name): fewer people than may open it, never more. One in
# no body's register (only its declarant and the governance lead may open it) is not indexed:
# a partnership co-ordinator finds every entry that is not public.


def _interest_title(d: Declaration) -> str:
    return f"{d.person.full_name}: {InterestKind(d.kind).label.lower()} interest in {d.concerns}"


def declaration_entries(d: Declaration) -> list[Entry]:
    if d.is_superseded:  # its newer version is the one found
        return []
    bodies = register_bodies(declaration=d)
    if not bodies:
        return []
    settings = register_settings(partnership=d.partnership)
    public_on = None
    if settings.publish_interests and not d.withheld_reason:
        public_on = next((b for b in bodies if _interests(b).filter(pk=d.pk).exists()), None)
    # What the register shows of an entry: member, interest, description, who holds it.
    shown = [d.description, InterestHolder(d.holder).label]
    if public_on is not None:
        return [
            Entry(
                kind=SearchKind.REGISTER,
                partnership_id=d.partnership_id,
                body_id=public_on.pk,
                title=_interest_title(d),
                text=_lines(*shown),
                on_date=d.starts_on,
                url=_register_url("governance:body_interests", public_on) + "#interests",
                audience=SearchAudience.PUBLIC,
            )
        ]
    body = next((b for b in bodies if b.pk == d.body_id), bodies[0])
    url = _url("governance:declaration", partnership=d.partnership.slug, pk=d.pk)
    return [
        Entry(
            kind=SearchKind.REGISTER,
            partnership_id=d.partnership_id,
            body_id=body.pk,
            title=_interest_title(d),
            text=_lines(*shown, d.withheld_reason, d.change_note, d.end_reason),
            on_date=d.starts_on,
            url=url or "",
            audience=SearchAudience.MANAGERS,
            person_id=d.person_id,
        )
    ]


def _register_url(name: str, body) -> str:
    return reverse(name, kwargs={"partnership": body.partnership.slug, "body": body.slug})


def gift_entries(gift: Gift) -> list[Entry]:
    """A gift is in its body's register alone: public as ``body_gifts_page`` shows it to the
    public (published, not withheld), else for those who see the whole register and the
    declarant."""
    settings = register_settings(partnership=gift.partnership)
    public = settings.publish_gifts and not gift.withheld_reason
    # What the register shows: member, date, what and from whom, advice, value, decision.
    shown = [
        gift.description,
        f"From {gift.donor}",
        f"Advice sought from {gift.advice_from}" if gift.advice_sought else "",
        f"£{gift.value}",
        GiftDecision(gift.decision).label,
    ]
    return [
        Entry(
            kind=SearchKind.REGISTER,
            partnership_id=gift.partnership_id,
            body_id=gift.body_id,
            title=f"{gift.person.full_name}: {GiftKind(gift.kind).label.lower()} from {gift.donor}",
            text=_lines(*shown, "" if public else gift.withheld_reason),
            on_date=gift.offered_on,
            url=_register_url("governance:body_gifts", gift.body) + "#gifts",
            audience=SearchAudience.PUBLIC if public else SearchAudience.MANAGERS,
            person_id=None if public else gift.person_id,
        )
    ]


def _declarations():
    return Declaration.objects.select_related(
        "partnership", "person", "organisation", "body", "superseded_by"
    )


def _register_records(settings: RegisterSettings) -> Iterable:
    """Publishing a register or not changes who may find every entry of it."""
    yield from _declarations().filter(partnership_id=settings.partnership_id)
    yield from Gift.objects.filter(partnership_id=settings.partnership_id).select_related(
        "partnership", "person", "body__partnership"
    )


def register_indexers() -> None:
    register_indexer(
        Meeting,
        meeting_entries,
        related=_meeting_business,
        queryset=lambda: Meeting.objects.select_related("body__partnership"),
    )
    register_indexer(
        AgendaItem,
        item_entries,
        related=_item_business,
        queryset=lambda: AgendaItem.objects.select_related("meeting__body__partnership"),
    )
    register_indexer(
        Paper,
        paper_entries,
        queryset=lambda: Paper.objects.select_related("item__meeting__body__partnership"),
    )
    register_indexer(MinuteEntry, minute_entries, queryset=_minute_rows)
    # Approving, returning or superseding minutes changes who may find each of their entries.
    register_dependents(Minutes, lambda minutes: _minute_rows().filter(minutes=minutes))
    register_indexer(
        LibraryDocument,
        document_entries,
        queryset=lambda: LibraryDocument.objects.select_related("partnership").filter(
            Q(withdrawn_at__isnull=True)
        ),
    )
    register_dependents(DocumentVersion, lambda version: [version.document])
    # A new version replaces the one it supersedes (which is then no longer found).
    register_indexer(
        Declaration,
        declaration_entries,
        related=lambda d: [d.supersedes] if d.supersedes_id else [],
        queryset=_declarations,
    )
    register_indexer(
        Gift,
        gift_entries,
        queryset=lambda: Gift.objects.select_related("partnership", "person", "body__partnership"),
    )
    register_dependents(RegisterSettings, _register_records)
