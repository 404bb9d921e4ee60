"""Reads about meetings, and the one place that decides who sees what of them.

The rules, for every route (pages, files, PDFs, feeds, and the search index: governance/search.py):
- A scheduled meeting (a draft agenda) is in everyone's calendar as soon as it is scheduled:
  its date, time and place, marked "Agenda not yet published", so people can plan the year.
  Its agenda, papers, attendance, actions and minutes are seen only by the body's
  co-ordinators and its chair and deputy until the agenda is published
  (``MeetingAccess.agenda``).
- A meeting cancelled before its agenda was published was never public: only those who run
  the body see it.
- A published agenda is public; its confidential items are seen only by the body's members
  and co-ordinators.
- A paper is seen by members once it is circulated, and by the public too unless it or its
  item is confidential. Co-ordinators see every paper from the moment it is added.
- Minutes are public only once approved, and only their public items. Drafts and returned
  drafts are seen by co-ordinators and the chair and deputy.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from governance.models import (
    Action,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    DeclaredInterest,
    Meeting,
    MeetingStatus,
    MinuteEntry,
    Minutes,
    MinutesStatus,
    Paper,
    PaperVersion,
)
from membership.models import Membership, User
from partnership import permissions as perms
from partnership.models import Body, Partnership

# The statuses whose agenda is public (once published: a meeting may be cancelled before).
PUBLIC_STATUSES = [MeetingStatus.PUBLISHED, MeetingStatus.CANCELLED]
# What a scheduled meeting is marked with, wherever it is shown before its agenda is out.
NOT_YET_PUBLISHED = "Agenda not yet published"


@dataclass(frozen=True)
class MeetingAccess:
    manage: bool = False  # a co-ordinator of the body
    chair: bool = False  # the chair or deputy chair
    member: bool = False  # sits on the body (or co-ordinates it)
    # Whether the meeting's business (agenda, papers, attendance, actions, minutes) may be
    # seen: False for a scheduled meeting whose agenda is not yet published, read by anyone
    # but those who run the body. Set by ``get_meeting_or_404``; a body's access has it True.
    agenda: bool = True

    @property
    def see_drafts(self) -> bool:
        return self.manage or self.chair

    @property
    def see_confidential(self) -> bool:
        return self.member or self.manage

    @property
    def public(self) -> bool:
        return not self.see_confidential


PUBLIC = MeetingAccess()


def body_access(user, body: Body) -> MeetingAccess:
    return MeetingAccess(
        manage=perms.can_manage_body(user, body),
        chair=perms.can_chair_body(user, body),
        member=perms.can_view_private_body(user, body),
    )


def agenda_visible(meeting: Meeting, access: MeetingAccess) -> bool:
    """Whether the viewer may see the meeting's business: its agenda once published (for
    those who run the body, from the start)."""
    if access.see_drafts:
        return True
    # A meeting cancelled before its agenda was published was never public.
    return meeting.status in PUBLIC_STATUSES and meeting.published_at is not None


def meeting_visible(meeting: Meeting, access: MeetingAccess) -> bool:
    """Whether the viewer may see the meeting at all: a scheduled meeting is in everyone's
    calendar (its date, time and place only, until its agenda is published)."""
    return meeting.status == MeetingStatus.DRAFT or agenda_visible(meeting, access)


def get_meeting_or_404(user, partnership: str, pk: int) -> tuple[Meeting, MeetingAccess]:
    """The meeting and what this user may see of it, or 404 if they may not see it at all."""
    try:
        meeting = Meeting.objects.select_related("body__partnership").get(
            pk=pk, body__partnership__slug=partnership
        )
    except Meeting.DoesNotExist as exc:
        raise Http404("No such meeting") from exc
    access = body_access(user, meeting.body)
    if not meeting_visible(meeting, access):
        raise Http404("No such meeting")
    if not agenda_visible(meeting, access):
        # Scheduled, agenda not yet published: its items, papers and the rest are withheld
        # by every selector below that takes this access.
        access = replace(access, agenda=False)
    return meeting, access


def items_visible(qs: QuerySet[AgendaItem], access: MeetingAccess) -> QuerySet[AgendaItem]:
    if not access.agenda:
        return qs.none()
    return qs if access.see_confidential else qs.filter(confidential=False)


def papers_visible(qs: QuerySet[Paper], access: MeetingAccess) -> QuerySet[Paper]:
    if not access.agenda:
        return qs.none()
    if access.manage:
        return qs
    qs = qs.filter(circulated_at__isnull=False).exclude(file="")
    if not access.see_confidential:
        qs = qs.filter(confidential=False, item__confidential=False)
    return qs


def paper_visible(paper: Paper, access: MeetingAccess) -> bool:
    return papers_visible(Paper.objects.filter(pk=paper.pk), access).exists()


@dataclass
class Agenda:
    meeting: Meeting
    items: list[AgendaItem]
    withheld: int = 0  # confidential items the viewer may not see
    late_papers: list[Paper] = field(default_factory=list)


def agenda(*, meeting: Meeting, access: MeetingAccess) -> Agenda:
    """The items the viewer may see, each with its visible papers, declared interests and
    actions, in a fixed number of queries."""
    all_items = meeting.items.all()
    items = list(
        items_visible(all_items, access).prefetch_related(
            Prefetch(
                "papers",
                queryset=papers_visible(Paper.objects.all(), access)
                .select_related("owner")
                # When an earlier file first went out: for ``papers_late``, in this query.
                .annotate(first_out_at=first_out_at()),
                to_attr="visible_papers",
            ),
            Prefetch(
                "interests",
                queryset=DeclaredInterest.objects.select_related("person", "registered_as"),
                to_attr="declared",
            ),
        )
    )
    withheld = (
        0
        if access.see_confidential or not access.agenda
        else all_items.filter(confidential=True).count()
    )
    late = []
    if access.see_drafts and meeting.status != MeetingStatus.CANCELLED:
        # Those who run the body see every paper of every item: the late ones are among
        # those just loaded, and need no query of their own.
        loaded = [p for item in items for p in item.visible_papers] if access.manage else None
        late = papers_late(meeting=meeting, papers=loaded)
    return Agenda(meeting=meeting, items=items, withheld=withheld, late_papers=late)


def first_out_at() -> Subquery:
    """For a query of papers: when the paper first went out as an earlier file (a
    ``PaperVersion`` circulated before it was replaced), or null. Annotated as
    ``first_out_at`` for ``went_out_on_time``."""
    return Subquery(
        PaperVersion.objects.filter(paper=OuterRef("pk"), circulated_at__isnull=False)
        .order_by("circulated_at")
        .values("circulated_at")[:1]
    )


def went_out_on_time(paper: Paper, due) -> bool:
    """Whether an earlier file of the paper went out by ``due``: a paper corrected after its
    first version went out on time is not late (``paper.first_out_at`` annotated)."""
    return paper.first_out_at is not None and paper.first_out_at <= due


def papers_late(*, meeting: Meeting, now=None, papers: list[Paper] | None = None) -> list[Paper]:
    """Papers not out a full week before the meeting: not yet circulated once the deadline
    has passed, or circulated after it, unless an earlier file of it went out in time.
    ``papers``, if given, are all the meeting's papers (with their owners and items, and
    ``first_out_at`` annotated), already loaded."""
    now = now or timezone.now()
    due = meeting.papers_due_at
    if papers is None:
        papers = (
            Paper.objects.filter(item__meeting=meeting)
            .select_related("owner", "item")
            .annotate(first_out_at=first_out_at())
        )
    return [
        p
        for p in papers
        if (p.circulated_at is None and now >= due) or (p.circulated_at and p.circulated_at > due)
        # A supplementary paper was accepted late by the chair: flagged so, not as late.
        if not p.supplementary and not went_out_on_time(p, due)
    ]


def meetings_for(*, user, partnership: Partnership, body: Body | None = None) -> QuerySet[Meeting]:
    """The meetings this user may see (``meeting_visible``): published and scheduled ones
    (agenda not yet published) for everyone; meetings cancelled before their agenda was
    published for those who run the body."""
    qs = Meeting.objects.filter(body__partnership=partnership).select_related("body__partnership")
    if body is not None:
        qs = qs.filter(body=body)
    public = Q(status=MeetingStatus.DRAFT) | Q(
        status__in=PUBLIC_STATUSES, published_at__isnull=False
    )
    if getattr(user, "is_authenticated", False):
        public |= _drafts_seen_by(user, partnership)
    # Whether the minutes are approved, so a list can say what is latest about each meeting
    # without a query per row.
    approved = Minutes.objects.filter(meeting=OuterRef("pk"), status=MinutesStatus.APPROVED)
    return (
        qs.filter(public)
        .annotate(minutes_approved=Exists(approved))
        .order_by("held_on", "start_time")
    )


def _drafts_seen_by(user, partnership: Partnership) -> Q:
    """The meetings whose drafts (here: those cancelled unpublished) ``user`` sees, by
    ``MeetingAccess.see_drafts``'s rule (they
    co-ordinate the body, a body above it or the partnership, or chair the body), read from
    the rights already loaded for the request: at most one more query (the partnership's
    tree, itself kept for the request), however many bodies the partnership has."""
    if perms.can_manage_partnership(user, partnership):
        return Q(body__partnership=partnership)
    chaired = perms.ids_with(user, "body", perms.CHAIR_BODY)
    # A subquery, not a list: the managed bodies are read in the meetings' own query.
    return Q(body__in=perms.bodies_managed_by(user, partnership)) | Q(body_id__in=chaired)


def meeting_stage(meeting: Meeting, *, today: date | None = None) -> str:
    """What is latest about a meeting, in a few words for a status tag: cancelled, draft
    agenda not yet published, agenda published, held, minutes approved. ``meeting`` comes
    from ``meetings_for`` (it carries ``minutes_approved``)."""
    today = today or timezone.localdate()
    if meeting.status == MeetingStatus.CANCELLED:
        return "Cancelled"
    if meeting.status == MeetingStatus.DRAFT:
        return NOT_YET_PUBLISHED
    if meeting.minutes_approved:
        return "Minutes approved"
    if meeting.held_on < today:
        return "Held"
    return "Agenda published"


def upcoming_for_person(*, person: User) -> list[tuple[Meeting, Attendance | None]]:
    """A member's meetings from today, published or scheduled (agenda not yet published),
    with their apologies if sent."""
    today = timezone.localdate()
    body_ids = (
        Membership.objects.filter(person=person)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=today))
        .values("body_id")
    )
    meetings = list(
        Meeting.objects.filter(
            body_id__in=body_ids,
            held_on__gte=today,
            status__in=[MeetingStatus.PUBLISHED, MeetingStatus.DRAFT],
        )
        .select_related("body__partnership")
        .order_by("held_on", "start_time")[:20]
    )
    mine = {
        a.meeting_id: a
        for a in Attendance.objects.filter(person=person, meeting__in=meetings).select_related(
            "substitute"
        )
    }
    return [(m, mine.get(m.pk)) for m in meetings]


def minutes_visible(*, meeting: Meeting, access: MeetingAccess) -> list[Minutes]:
    """The versions this viewer may see, newest first."""
    if not access.agenda:
        return []
    qs = meeting.minutes.select_related("approved_by").prefetch_related("reviews__reviewer")
    if not access.see_drafts:
        qs = qs.filter(status=MinutesStatus.APPROVED)
    return list(qs.order_by("-version"))


def minute_entries(*, minutes: Minutes, access: MeetingAccess) -> list[MinuteEntry]:
    qs = minutes.entries.select_related("item")
    if not access.see_confidential:
        qs = qs.filter(item__confidential=False)
    return list(qs.order_by("item__position", "item_id"))


def decisions_log(*, body: Body, access: MeetingAccess) -> list[MinuteEntry]:
    """Decisions from the approved minutes of the body's meetings, newest meeting first."""
    qs = MinuteEntry.objects.filter(
        minutes__meeting__body=body, minutes__status=MinutesStatus.APPROVED
    ).exclude(decision="")
    if not access.see_confidential:
        qs = qs.filter(item__confidential=False)
    return list(
        qs.select_related("item", "minutes__meeting__body__partnership").order_by(
            "-minutes__meeting__held_on", "item__position"
        )
    )


def action_log(*, body: Body, access: MeetingAccess) -> list[Action]:
    """The body's actions. The public sees those of public items once the meeting's minutes
    are approved; members see all those of meetings whose agenda was published, and those who
    run the body all of them."""
    qs = Action.objects.filter(meeting__body=body).select_related(
        "owner", "item", "meeting__body__partnership"
    )
    if not access.see_drafts:
        qs = qs.filter(meeting__status__in=PUBLIC_STATUSES, meeting__published_at__isnull=False)
    if not access.see_confidential:
        qs = qs.filter(
            meeting__minutes__status=MinutesStatus.APPROVED,
        ).filter(Q(item__isnull=True) | Q(item__confidential=False))
    return list(qs.order_by("done_on", "due_on", "pk").distinct())


@dataclass
class AttendanceRow:
    person: User
    present: int = 0
    apologies: int = 0
    absent: int = 0
    substituted: int = 0
    expected: int = 0

    @property
    def rate(self) -> int | None:
        return round(100 * self.present / self.expected) if self.expected else None


def attendance_by_member(*, body: Body, year: int) -> tuple[list[Meeting], list[AttendanceRow]]:
    """Each member's attendance at the body's meetings in the financial year starting in
    April ``year``, for the co-ordinators and the annual membership review."""
    start, end = date(year, 4, 1), date(year + 1, 3, 31)
    meetings = list(
        Meeting.objects.filter(
            body=body,
            held_on__range=(start, min(end, timezone.localdate())),
            status=MeetingStatus.PUBLISHED,
        ).order_by("held_on")
    )
    records = Attendance.objects.filter(meeting__in=meetings).select_related("person")
    rows: dict[int, AttendanceRow] = {}
    for record in records:
        row = rows.setdefault(record.person_id, AttendanceRow(person=record.person))
        row.expected += 1
        if record.status == AttendanceStatus.PRESENT:
            row.present += 1
        elif record.status == AttendanceStatus.APOLOGIES:
            row.apologies += 1
        else:
            row.absent += 1
        if record.substitute_id:
            row.substituted += 1
    return meetings, sorted(rows.values(), key=lambda r: r.person.full_name)
