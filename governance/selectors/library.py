"""Reads about the document library and papers' earlier versions, and the one place that
decides who sees them. Pages, downloads and the search index all ask here.

The rules:
- A document is public unless it is for members only, and until it is withdrawn.
- A members-only document of a body is seen by the body's members and co-ordinators (those
  who see its private business: ``perms.can_view_private_body``). A members-only document of
  the partnership (no body) is seen by anyone holding a right in the partnership: a place on
  any of its bodies, a co-ordinator's appointment, or the governance lead's.
- A withdrawn document is seen only by those who manage the library it is in: the body's
  co-ordinators (a body's, or a body's above it) or the partnership's.
- Every version of a document a person may see is theirs to read too: the old ones stay
  readable, marked "superseded on ...".
- A paper's earlier versions are seen by whoever may see the paper
  (``governance.selectors.papers_visible``); of them, one never circulated (a file replaced
  before it went out) is seen only by those who manage the body, and one replaced while the
  paper (or its item) was confidential only by those who see the body's confidential business,
  even once the paper is made public (say, with a redacted file).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import OuterRef, Q, QuerySet, Subquery

from governance.models import DocumentVersion, LibraryDocument, Paper, PaperVersion
from governance.selectors.meetings import MeetingAccess
from partnership import permissions as perms
from partnership.models import Body, Partnership

__all__ = [
    "LibraryReach",
    "can_manage_library",
    "document_public",
    "document_visible",
    "documents_visible",
    "documents_listed",
    "document_versions",
    "library_reach",
    "paper_versions_visible",
]


@dataclass(frozen=True)
class LibraryReach:
    """What of the library a person reaches beyond the public's, as ids."""

    managed_partnerships: frozenset[int]  # the partnerships they co-ordinate as a whole
    insider_partnerships: frozenset[int]  # any right in them: read partnership members-only
    managed_bodies: frozenset[int]  # bodies they co-ordinate, sub-trees included
    private_bodies: frozenset[int]  # bodies whose private business they see

    @property
    def anything(self) -> bool:
        return bool(self.insider_partnerships)


NOBODY = LibraryReach(frozenset(), frozenset(), frozenset(), frozenset())


def library_reach(user) -> LibraryReach:
    """The user's reach, from the rights already loaded for the request: no query for the
    public or a user without rights, one (the bodies' partnerships) for someone holding a
    body's right, and the partnership's tree (kept for the request) for a body co-ordinator.
    Kept on the user for the request."""
    held = perms.rights_of(user)
    if not held:
        return NOBODY
    cached = user.__dict__.get("_library_reach")
    if cached is not None:
        return cached
    body_rights = perms.ids_with(user, "body", *perms.BODY_PERMS)
    body_partnership = (
        dict(Body.objects.filter(pk__in=body_rights).values_list("pk", "partnership_id"))
        if body_rights
        else {}
    )
    managed_partnerships = perms.ids_with(user, "partnership", perms.MANAGE_PARTNERSHIP)
    insiders = perms.ids_with(user, "partnership", *perms.PARTNERSHIP_PERMS)
    insiders |= set(body_partnership.values())
    managed_bodies: set[int] = set()
    directly_managed = perms.ids_with(user, "body", perms.MANAGE_BODY)
    partnerships = {body_partnership[pk] for pk in directly_managed if pk in body_partnership}
    for partnership_id in partnerships:
        if partnership_id in managed_partnerships:
            continue  # every body of it is theirs already
        managed_bodies |= set(
            perms.bodies_managed_by(user, Partnership(pk=partnership_id)).values_list(
                "pk", flat=True
            )
        )
    private = perms.ids_with(user, "body", perms.VIEW_PRIVATE_BODY) | managed_bodies
    reach = LibraryReach(
        managed_partnerships=frozenset(managed_partnerships),
        insider_partnerships=frozenset(insiders),
        managed_bodies=frozenset(managed_bodies),
        private_bodies=frozenset(private),
    )
    user.__dict__["_library_reach"] = reach
    return reach


def document_public(document: LibraryDocument) -> bool:
    """Whether anyone at all, signed in or not, may read the document (and its versions)."""
    return not document.members_only and document.withdrawn_at is None


def can_manage_library(user, *, partnership: Partnership, body: Body | None) -> bool:
    """Whether the user keeps this library: adds documents and versions, edits, withdraws."""
    if body is None:
        return perms.can_manage_partnership(user, partnership)
    return perms.can_manage_body(user, body)


def _members_may_read(user, document: LibraryDocument) -> bool:
    if document.body_id is None:
        return document.partnership_id in library_reach(user).insider_partnerships
    return perms.can_view_private_body(user, document.body)


def document_visible(document: LibraryDocument, *, user) -> bool:
    """Whether the user may see the document's page and read its versions. ``document.body``
    and ``document.partnership`` should be loaded."""
    if document_public(document):
        return True
    if document.withdrawn_at is not None:
        return can_manage_library(user, partnership=document.partnership, body=document.body)
    return _members_may_read(user, document)


def documents_visible(qs: QuerySet[LibraryDocument], *, user) -> QuerySet[LibraryDocument]:
    """The documents of ``qs`` the user may see, by the rules above, in the same query: for
    any set of documents (one body's, a partnership's, or every partnership's, as the search
    index reads them)."""
    public = Q(members_only=False, withdrawn_at__isnull=True)
    reach = library_reach(user)
    if not reach.anything:
        return qs.filter(public)
    readable = Q(body__isnull=True, partnership_id__in=reach.insider_partnerships) | Q(
        body_id__in=reach.private_bodies
    )
    managed = Q(partnership_id__in=reach.managed_partnerships) | Q(body_id__in=reach.managed_bodies)
    return qs.filter(public | Q(withdrawn_at__isnull=True) & readable | managed)


def documents_listed(
    *, user, partnership: Partnership, body: Body | None, doc_type: str = ""
) -> QuerySet[LibraryDocument]:
    """A library's documents the user may see, for its list: each with its current version's
    label and date (``current_version``, ``current_on``), read in the list's own query."""
    qs = LibraryDocument.objects.filter(partnership=partnership)
    qs = qs.filter(body=body) if body is not None else qs.filter(body__isnull=True)
    if doc_type:
        qs = qs.filter(doc_type=doc_type)
    current = DocumentVersion.objects.filter(
        document=OuterRef("pk"), superseded_on__isnull=True
    ).order_by("-pk")
    return (
        documents_visible(qs, user=user)
        .annotate(
            current_version=Subquery(current.values("version")[:1]),
            current_on=Subquery(current.values("issued_on")[:1]),
        )
        .order_by("title", "pk")
    )


def document_versions(document: LibraryDocument) -> list[DocumentVersion]:
    """Every version, the current one first, then the others newest first."""
    versions = list(document.versions.defer("text"))
    versions.sort(key=lambda v: (v.superseded_on is not None, -v.issued_on.toordinal(), -v.pk))
    return versions


def paper_versions_visible(paper: Paper, access: MeetingAccess) -> list[PaperVersion]:
    """The paper's earlier versions the viewer may see, newest first. The caller has already
    found the paper visible to them (``papers_visible``)."""
    qs = PaperVersion.objects.filter(paper=paper).select_related("replaced_by")
    if not access.manage:
        qs = qs.filter(circulated_at__isnull=False)
    if not access.see_confidential:
        qs = qs.filter(was_confidential=False)
    return list(qs.order_by("-number"))
