"""Reads about the partnership's structure over time (issue 16): what became of a body (its
banner and timeline), the tree as it stood on a date, and the record of the changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from partnership.models import (
    Body,
    BodyEvent,
    ChangeKind,
    EventRole,
    Partnership,
    StructureChange,
)
from partnership.selectors import TreeNode


def _body_url(partnership_slug: str):
    """A body's page from its slug, the route reversed once, not once a body."""
    head, tail = reverse(
        "membership:body", kwargs={"partnership": partnership_slug, "body": "0"}
    ).rsplit("/0/", 1)
    return lambda slug: f"{head}/{slug}/{tail}"


def _names(bodies: list[dict]) -> str:
    """ "A", "A and B", "A, B and C"."""
    names = [b["name"] for b in bodies]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


@dataclass
class Fate:
    """What the banner on a body's pages says: ``text`` around the linked ``others``."""

    kind: str  # "ended", "formed", "took_on", "shadow"
    on: date
    change_url: str
    others: list[dict] = field(default_factory=list)  # {"name", "url"} of the bodies named
    change_kind: str = ""
    reason: str = ""
    future: bool = False  # takes effect after today


@dataclass
class TimelineEntry:
    on: date
    text: str
    change_url: str = ""
    others: list[dict] = field(default_factory=list)
    old_name: str = ""
    new_name: str = ""
    new_remit: str = ""
    reason: str = ""


@dataclass
class BodyStory:
    fates: list[Fate]
    timeline: list[TimelineEntry]


def body_story(*, body: Body, today: date | None = None) -> BodyStory:
    """The banner lines and the timeline of ``body``, in one query: every event of every
    change that touched it (the other bodies of a merge are named on this body's banner)."""
    today = today or timezone.localdate()
    partnership_slug = body.partnership.slug
    url_of = _body_url(partnership_slug)
    events = list(
        BodyEvent.objects.filter(change__in=StructureChange.objects.filter(events__body=body))
        .select_related("change", "change__successor", "body", "new_parent")
        .order_by("change__effective_on", "change_id", "pk")
    )
    by_change: dict[int, list[BodyEvent]] = {}
    for e in events:
        by_change.setdefault(e.change_id, []).append(e)

    def change_url(pk: int) -> str:
        return reverse(
            "membership:change_detail", kwargs={"partnership": partnership_slug, "pk": pk}
        )

    def others_of(e: BodyEvent, role: str) -> list[dict]:
        return [
            {"name": o.body.name, "url": url_of(o.body.slug)}
            for o in by_change[e.change_id]
            if o.role == role and o.body_id != body.pk
        ]

    fates: list[Fate] = []
    timeline: list[TimelineEntry] = []
    if body.established_on:
        timeline.append(TimelineEntry(on=body.established_on, text="Established"))
    for e in events:
        if e.body_id != body.pk:
            continue
        c = e.change
        on, url = c.effective_on, change_url(c.pk)
        successor = (
            [{"name": c.successor.name, "url": url_of(c.successor.slug)}] if c.successor else []
        )
        future = on > today
        if e.role == EventRole.ENDED:
            fates.append(
                Fate(
                    kind="ended",
                    on=on,
                    change_url=url,
                    others=successor,
                    change_kind=c.kind,
                    reason=c.reason,
                    future=future,
                )
            )
            verb = {
                ChangeKind.MERGE: "Merged into",
                ChangeKind.REPLACE: "Replaced by",
            }.get(c.kind, "Ended")
            timeline.append(
                TimelineEntry(
                    on=on,
                    text=verb,
                    change_url=url,
                    others=successor if c.kind != ChangeKind.END else [],
                    reason=c.reason if c.kind == ChangeKind.END else "",
                )
            )
        elif e.role == EventRole.SUCCESSOR:
            sources = others_of(e, EventRole.ENDED)
            formed = body.established_on is not None and body.established_on >= on
            if body.shadow_until and body.shadow_until > today:
                # Until it takes over, that is all there is to say of it.
                fates.append(
                    Fate(kind="shadow", on=body.shadow_until, change_url=url, others=sources)
                )
            else:
                fates.append(
                    Fate(
                        kind="formed" if formed or body.shadow_until else "took_on",
                        on=on,
                        change_url=url,
                        others=sources,
                        change_kind=c.kind,
                        future=future,
                    )
                )
            if c.kind == ChangeKind.MERGE:
                text = "Formed from the merger of" if formed else "Took on the work of"
            else:
                text = "Replaced"
            timeline.append(TimelineEntry(on=on, text=text, change_url=url, others=sources))
            if _moved(e):
                timeline.append(_moved_entry(e, on=on, url=url, url_of=url_of))
        elif e.role == EventRole.MOVED:
            timeline.append(_moved_entry(e, on=on, url=url, url_of=url_of))
        else:
            timeline.append(
                TimelineEntry(
                    on=on,
                    text="Renamed" if e.old_name != e.new_name else "Given a new remit",
                    change_url=url,
                    old_name=e.old_name if e.old_name != e.new_name else "",
                    new_name=e.new_name if e.old_name != e.new_name else "",
                    new_remit=e.new_remit if e.new_remit != e.old_remit else "",
                )
            )
    if body.closed_on and not any(f.kind == "ended" for f in fates):
        timeline.append(TimelineEntry(on=body.closed_on, text="Closed", reason=body.closure_reason))
    timeline.sort(key=lambda t: t.on)
    return BodyStory(fates=fates, timeline=timeline)


def _moved(e: BodyEvent) -> bool:
    """Whether the change put the body under another parent (or none)."""
    return e.old_parent_id != e.new_parent_id


def _moved_entry(e: BodyEvent, *, on: date, url: str, url_of) -> TimelineEntry:
    if e.new_parent is None:
        return TimelineEntry(on=on, text="No longer reports to another body", change_url=url)
    parent = {"name": e.new_parent.name, "url": url_of(e.new_parent.slug)}
    return TimelineEntry(on=on, text="Moved to report to", change_url=url, others=[parent])


# --- the tree as it stood on a date ------------------------------------------------------------


@dataclass
class StructureOn:
    on: date
    tree: list[TreeNode]
    # Bodies that had ended by then through a structure change: {"name", "url", "on",
    # "kind", "successor": {"name", "url"} | None}, latest first.
    ended: list[dict]


def structure_on(*, partnership: Partnership, on: date) -> StructureOn:
    """The partnership's tree as it stood on ``on``, in two queries: the bodies established on
    or before it (or of no known date) and not closed by then, each with its name as of that
    date (``node.name``: a later rename's old name), under the body it reported to then (a
    later move's old parent) and what later became of it (``node.later``); and the bodies
    merged, replaced or ended by then."""
    url_of = _body_url(partnership.slug)
    bodies = list(
        Body.objects.filter(partnership=partnership)
        .filter(Q(established_on__isnull=True) | Q(established_on__lte=on))
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=on))
        .select_related("partnership")
        .order_by("name")
    )
    events = list(
        BodyEvent.objects.filter(change__partnership=partnership)
        .filter(
            Q(role=EventRole.RENAMED, change__effective_on__gt=on)
            | Q(role=EventRole.ENDED)
            | (
                Q(change__effective_on__gt=on)
                & (Q(old_parent__isnull=False) | Q(new_parent__isnull=False))
            )
        )
        .select_related("change", "change__successor", "body")
        .order_by("change__effective_on", "pk")
    )
    # A body's name on the date is the old name of the first rename after it.
    name_then: dict[int, str] = {}
    # And its parent, the old parent of the first move after it.
    parent_then: dict[int, int | None] = {}
    later: dict[int, dict] = {}
    ended: list[dict] = []
    for e in events:
        c = e.change
        successor = (
            {"name": c.successor.name, "url": url_of(c.successor.slug)} if c.successor else None
        )
        if c.effective_on > on and _moved(e):
            parent_then.setdefault(e.body_id, e.old_parent_id)
        if e.role in (EventRole.MOVED, EventRole.SUCCESSOR):
            continue
        if e.role == EventRole.RENAMED:
            if e.old_name and e.body_id not in name_then:
                name_then[e.body_id] = e.old_name
        elif c.effective_on > on:
            later.setdefault(
                e.body_id, {"on": c.effective_on, "kind": c.kind, "successor": successor}
            )
        else:
            ended.append(
                {
                    "name": e.body.name,
                    "url": url_of(e.body.slug),
                    "on": c.effective_on,
                    "kind": c.kind,
                    "successor": successor,
                }
            )
    nodes = {}
    for b in bodies:
        node = TreeNode(body=b)
        node.name = name_then.get(b.pk, b.name)
        node.url = url_of(b.slug)
        node.later = later.get(b.pk)
        nodes[b.pk] = node
    roots = []
    for node in nodes.values():
        parent = nodes.get(parent_then.get(node.body.pk, node.body.parent_id))
        (parent.children if parent else roots).append(node)
    for group in [roots, *(n.children for n in nodes.values())]:
        group.sort(key=lambda n: n.name)
    ended.reverse()
    return StructureOn(on=on, tree=roots, ended=ended)


def structure_changes(*, partnership: Partnership):
    """The partnership's structure changes, newest first (for paging)."""
    return (
        StructureChange.objects.filter(partnership=partnership)
        .select_related("successor")
        .order_by("-effective_on", "-pk")
    )
