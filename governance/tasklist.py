"""Governance's part of "Your tasks": papers to write, actions due, register entries to
confirm this year, minutes awaiting the chair's approval, declarations the chair is to rule
on, disputed rulings for the governance lead to settle, and, for co-ordinators, papers that
are late for their meetings, the apologies received for them, and bodies whose meetings this
year fall short of how often they meet.

Each uses the predicate its chaser uses (``papers_chase_late``, ``actions_chase_overdue``,
``registers_chase_confirmation``, ``minutes_chase_awaiting``), asked about one person instead
of everyone, and the rights and places (``membership.tasklist.places``) already loaded for
the request; a fixed number of queries whatever the number of tasks, and none of its own for
those with no paper, action or apologies to see to (``_first_cut``, asked with the other
apps' cuts).
"""

from __future__ import annotations

from django.db.models import Exists, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from governance.models import (
    Action,
    Attendance,
    AttendanceStatus,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    Paper,
    RegisterConfirmation,
    Ruling,
    RulingStatus,
)
from governance.selectors.meetings import first_out_at, went_out_on_time
from governance.services import approval
from membership.selectors import office_holders_by_body
from membership.tasklist import places
from partnership import permissions as perms
from partnership.models import Body, Partnership
from partnership.periods import financial_year
from partnership.tasklist import Task, first_cut, register_first_cut

PAPERS = "Papers to write"
ACTIONS = "Actions"
REGISTERS = "Declarations of interest"
MINUTES = "Minutes to approve"
TO_RULE = "Declarations to rule on"
RULINGS = "Disputed rulings"
LATE = "Late papers for your meetings"
APOLOGIES = "Apologies for your meetings"
SCHEDULE = "Meetings to schedule"

# What a task shows of a meeting, and needs for its links and the rights asked of its body
# (``agenda_visible``, ``can_manage_body``): the only columns loaded through ``meeting__``.
MEETING_SHOWN = (
    "meeting__held_on",
    "meeting__status",
    "meeting__published_at",
    "meeting__body__name",
    "meeting__body__slug",
    "meeting__body__partnership__slug",
)


def _open_papers(user, now) -> tuple[list[Paper], list[Paper]]:
    """The papers not yet circulated for coming meetings (not cancelled) that the person
    writes, and those of the partnerships where they co-ordinate something (a first cut for
    ``_late_papers``): one query for both."""
    coordinated = _coordinated_partnerships(user, prefix="item__meeting__")
    mine = Q(owner=user)
    papers = (
        Paper.objects.filter(circulated_at__isnull=True, item__meeting__held_on__gte=now.date())
        .filter(mine if coordinated is None else mine | coordinated)
        .exclude(item__meeting__status=MeetingStatus.CANCELLED)
        .select_related("item__meeting__body__partnership")
        .only("title", "owner_id", "supplementary", *(f"item__{name}" for name in MEETING_SHOWN))
        # When an earlier file went out: a paper corrected after going out in time is not late.
        .annotate(first_out_at=first_out_at())
        .order_by("item__meeting__held_on", "pk")
    )
    if coordinated is not None:
        papers = papers.select_related("owner").only(
            "title",
            "owner__full_name",
            "supplementary",
            *(f"item__{name}" for name in MEETING_SHOWN),
        )
    owned, others = [], []
    for p in papers:
        (owned if p.owner_id == user.pk else others).append(p)
    return owned, others


def _late(paper: Paper, now) -> bool:
    """Late as ``papers_chase_late`` has it: past its due time, not a supplementary paper
    (accepted late by the chair), and not corrected after an earlier file went out in time."""
    due = paper.item.meeting.papers_due_at
    return now >= due and not paper.supplementary and not went_out_on_time(paper, due)


def _papers(user, now, papers: list[Paper]) -> list[Task]:
    """Papers the person writes. Each links to its meeting's page where they may open it (the
    agenda published, or they run the body); else to the body's page: a draft agenda is for
    those who run the body, and the paper goes to them."""
    from governance.selectors import agenda_visible, body_access

    tasks = []
    for p in papers:
        meeting = p.item.meeting
        # Rights are cached on the user: no query per paper.
        visible = agenda_visible(meeting, body_access(user, meeting.body))
        tasks.append(
            Task(
                group=PAPERS,
                title=p.title,
                url=meeting.get_absolute_url() if visible else meeting.body.get_absolute_url(),
                due_on=timezone.localdate(meeting.papers_due_at),
                status="Late" if _late(p, now) else "To do",
                hint=f"{meeting.body.name}, {meeting.held_on:%-d %B %Y}"
                + ("" if visible else ": send it to the body's co-ordinator"),
            )
        )
    return tasks


def _actions(user, today) -> list[Task]:
    actions = (
        Action.objects.open()
        .filter(owner=user)
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .select_related("meeting__body__partnership")
        .only("description", "due_on", *MEETING_SHOWN)
    )
    return [
        Task(
            group=ACTIONS,
            title=a.description,
            url=a.meeting.get_absolute_url(),
            due_on=a.due_on,
            status="Overdue" if a.due_on < today else "To do",
            hint=f"From {a.meeting.body.name}, {a.meeting.held_on:%-d %B %Y}",
        )
        for a in actions
    ]


def _register_confirmation(user, today, sitting: set[int]) -> list[Task]:
    """Each partnership the person sits in (``sitting``, from their current memberships) whose
    register they have not confirmed this year, as ``registers_chase_confirmation`` asks."""
    if not sitting:
        return []
    year = financial_year(today)
    confirmed = RegisterConfirmation.objects.filter(person=user, year=year).values("partnership")
    partnerships = (
        Partnership.objects.filter(pk__in=sitting)
        .exclude(pk__in=confirmed)
        .only("name", "slug")
        .order_by("name")
    )
    return [
        Task(
            group=REGISTERS,
            title=f"Confirm your register entries for {year}/{(year + 1) % 100:02d}",
            url=reverse("governance:my_registers", kwargs={"partnership": p.slug}),
            hint=p.name,
        )
        for p in partnerships
    ]


def _minutes(user, *, acting: bool = True) -> list[Task]:
    """Minutes awaiting the person: as chair or deputy of the body, or (``acting``, the first
    cut's word) as the acting chair chosen at the meeting."""
    chaired = perms.ids_with(user, "body", perms.CHAIR_BODY)
    if not chaired and not acting:
        return []
    mine = Q(meeting__body_id__in=chaired)
    if acting:
        mine |= Q(meeting__attendance__person=user, meeting__attendance__acting_chair=True)
    waiting = list(
        Minutes.objects.filter(mine, status=MinutesStatus.SUBMITTED)
        .distinct()
        .select_related("meeting__body__partnership")
        .order_by("submitted_at", "pk")
    )
    if not waiting:
        return []
    holders = office_holders_by_body(bodies={m.meeting.body for m in waiting})
    # The chair is unavailable when recorded absent (or with apologies) from the meeting: one
    # query for every meeting, where ``minutes.acting_as`` asks one each.
    absent = set(
        Attendance.objects.filter(
            meeting__in=[m.meeting_id for m in waiting],
            status__in=[AttendanceStatus.APOLOGIES, AttendanceStatus.ABSENT],
        ).values_list("meeting_id", "person_id")
    )
    chosen = (
        set(
            Attendance.objects.filter(
                meeting__in=[m.meeting_id for m in waiting], person=user, acting_chair=True
            ).values_list("meeting_id", flat=True)
        )
        if acting
        else set()
    )
    tasks = []
    for m in waiting:
        chair = holders[m.meeting.body_id].get("chair")
        unavailable = chair is None or (m.meeting_id, chair.pk) in absent
        if approval.acting_as_among(
            holders[m.meeting.body_id],
            person=user,
            chair_unavailable=unavailable,
            acting_chair=user if m.meeting_id in chosen else None,
        ):
            tasks.append(
                Task(
                    group=MINUTES,
                    title=f"Minutes of {m.meeting.body.name}, {m.meeting.held_on:%-d %B %Y}",
                    url=m.meeting.get_absolute_url(),
                    status="Awaiting you",
                )
            )
    return tasks


def _to_rule(user, today) -> list[Task]:
    """For a chair or deputy: each declaration on their body's register with no ruling of the
    body yet, as ``registers_send_notices`` asks them (never their own)."""
    from governance.selectors import declarations_awaiting_ruling

    awaiting = declarations_awaiting_ruling(
        body_ids=perms.ids_with(user, "body", perms.CHAIR_BODY), person=user, on=today
    )
    return [
        Task(
            group=TO_RULE,
            title=f"{d.person.full_name}: {d.get_kind_display().lower()} interest, {d.concerns}",
            url=reverse(
                "governance:ruling_create",
                kwargs={"partnership": body.partnership.slug, "body": body.slug, "pk": d.pk},
            ),
            status="Changed" if d.supersedes_id else "New",
            hint=f"{body.name}, declared {timezone.localtime(d.declared_at):%-d %B %Y}",
        )
        for d, body in awaiting
    ]


def _rulings(user) -> list[Task]:
    leads = perms.ids_with(user, "partnership", perms.LEAD_GOVERNANCE)
    if not leads:
        return []
    disputed = Ruling.objects.filter(
        declaration__partnership_id__in=leads, status=RulingStatus.DISPUTED
    ).select_related("declaration__person", "declaration__partnership", "body")
    return [
        Task(
            group=RULINGS,
            title=f"Settle the dispute: {r.declaration.person.full_name}, {r.body.name}",
            url=reverse(
                "governance:ruling_settle",
                kwargs={"partnership": r.declaration.partnership.slug, "pk": r.pk},
            ),
            status="Disputed",
        )
        for r in disputed
    ]


def _coordinated_partnerships(user, *, prefix: str = "") -> Q | None:
    """A filter for rows of the partnerships where the person co-ordinates something (the
    whole partnership, or a body of it): a first cut, narrowed by ``can_manage_body``."""
    partnerships = perms.ids_with(user, "partnership", perms.MANAGE_PARTNERSHIP)
    bodies = perms.ids_with(user, "body", perms.MANAGE_BODY)
    if not partnerships and not bodies:
        return None
    field = f"{prefix}body__partnership_id__in"
    found = Q(**{field: partnerships})
    if bodies:
        found |= Q(**{field: Body.objects.filter(pk__in=bodies).values("partnership_id")})
    return found


def _late_papers(user, now, candidates: list[Paper]) -> list[Task]:
    """For co-ordinators: papers past their due time, as ``papers_chase_late`` tells them
    (``candidates``: the others' papers of their partnerships, from ``_open_papers``)."""
    late = [
        p for p in candidates if _late(p, now) and perms.can_manage_body(user, p.item.meeting.body)
    ]
    return [
        Task(
            group=LATE,
            title=f"{p.title} (from {p.owner.full_name})",
            url=p.item.meeting.get_absolute_url(),
            due_on=timezone.localdate(p.item.meeting.papers_due_at),
            status="Late",
            hint=f"{p.item.meeting.body.name}, {p.item.meeting.held_on:%-d %B %Y}",
        )
        for p in late
    ]


def _apologies(user, today) -> list[Task]:
    """For co-ordinators: the apologies received for their bodies' coming meetings, as
    ``apologies_send`` tells them, one task a meeting, until the meeting is held."""
    coordinated = _coordinated_partnerships(user, prefix="meeting__")
    if coordinated is None:
        return []
    received = (
        Attendance.objects.filter(status=AttendanceStatus.APOLOGIES, meeting__held_on__gte=today)
        .filter(coordinated)
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .select_related("person", "substitute", "meeting__body__partnership")
        .only("person__full_name", "substitute__full_name", *MEETING_SHOWN)
        .order_by("meeting__held_on", "meeting_id", "person__full_name")
    )
    by_meeting: dict = {}
    for a in received:
        if perms.can_manage_body(user, a.meeting.body):
            by_meeting.setdefault(a.meeting, []).append(a)
    tasks = []
    for meeting, sent in by_meeting.items():
        names = "; ".join(
            f"{a.person.full_name}"
            + (f" (substitute: {a.substitute.full_name})" if a.substitute_id else "")
            for a in sent
        )
        count = f"{len(sent)} apolog{'ies' if len(sent) > 1 else 'y'}"
        tasks.append(
            Task(
                group=APOLOGIES,
                title=f"{meeting.body.name}, {meeting.held_on:%-d %B %Y}: {count}",
                url=meeting.get_absolute_url(),
                due_on=meeting.held_on,
                status="Received",
                hint=names,
            )
        )
    return tasks


def _coordinated_bodies(user):
    """The bodies of the partnerships where the person co-ordinates something (a first cut,
    as ``_coordinated_partnerships``), or None for someone who co-ordinates nothing."""
    partnerships = perms.ids_with(user, "partnership", perms.MANAGE_PARTNERSHIP)
    bodies = perms.ids_with(user, "body", perms.MANAGE_BODY)
    if not partnerships and not bodies:
        return None
    found = Q(partnership_id__in=partnerships)
    if bodies:
        found |= Q(partnership_id__in=Body.objects.filter(pk__in=bodies).values("partnership_id"))
    return Body.objects.filter(found)


def _schedule(user, today) -> list[Task]:
    """For co-ordinators: each body they run whose meetings this financial year fall short of
    how often it says it meets (the body's page and meetings list say so too)."""
    from governance.selectors.frequency import bodies_short_of_meetings, shortfall_of

    candidates = _coordinated_bodies(user)
    if candidates is None:
        return []
    short = bodies_short_of_meetings(bodies=candidates, today=today).select_related("partnership")
    tasks = []
    for body in short.order_by("name", "pk"):
        if not perms.can_manage_body(user, body):
            continue
        shortfall = shortfall_of(body, today)
        tasks.append(
            Task(
                group=SCHEDULE,
                title=f"{body.name}: {shortfall.scheduled} of {shortfall.needed} meetings "
                f"scheduled for {shortfall.year_label}",
                url=reverse(
                    "governance:body_meetings",
                    kwargs={"partnership": body.partnership.slug, "body": body.slug},
                ),
                status="Short",
                hint=f"Schedule {shortfall.missing} more",
            )
        )
    return tasks


@register_first_cut
def _first_cut(user) -> dict:
    """Whether the person may have papers to write or (as a co-ordinator) to chase, actions
    open, and (as a co-ordinator) apologies for a coming meeting: asked with the other apps'
    cuts (``first_cut``), so that those with none of these are not asked the three queries.
    A first cut only: the queries decide. From the earlier of the two days they start from
    (``_open_papers`` the server's date, ``_apologies`` the local one), so that the cut never
    leaves out what they would find."""
    day = min(timezone.localdate(), timezone.now().date())
    mine = Q(owner=user)
    coordinated_papers = _coordinated_partnerships(user, prefix="item__meeting__")
    coordinated_meetings = _coordinated_partnerships(user, prefix="meeting__")
    cut = {
        "governance.papers": Exists(
            Paper.objects.filter(
                mine if coordinated_papers is None else mine | coordinated_papers,
                circulated_at__isnull=True,
                item__meeting__held_on__gte=day,
            )
        ),
        "governance.actions": Exists(Action.objects.open().filter(owner=user)),
        # Minutes awaiting the acting chair the members chose at the meeting (issue 16).
        "governance.acting_chair": Exists(
            Attendance.objects.filter(
                person=user, acting_chair=True, meeting__minutes__status=MinutesStatus.SUBMITTED
            )
        ),
    }
    candidates = _coordinated_bodies(user)
    if candidates is not None:
        from governance.selectors.frequency import bodies_short_of_meetings

        # A first cut: whether any body of theirs is short (which they run is asked next).
        cut["governance.schedule"] = Exists(
            bodies_short_of_meetings(bodies=candidates, today=timezone.localdate())
        )
    if coordinated_meetings is not None:
        cut["governance.apologies"] = Exists(
            Attendance.objects.filter(
                coordinated_meetings, status=AttendanceStatus.APOLOGIES, meeting__held_on__gte=day
            )
        )
    return cut


def governance_tasks(request: HttpRequest) -> list[Task]:
    user = request.user
    if not user.is_authenticated:
        return []
    now = timezone.now()
    today = timezone.localdate()
    cut = first_cut(request)
    owned, others = _open_papers(user, now) if cut.get("governance.papers", True) else ([], [])
    return [
        *_papers(user, now, owned),
        *(_actions(user, today) if cut.get("governance.actions", True) else []),
        *_register_confirmation(user, today, places(request).sitting_partnership_ids),
        *_minutes(user, acting=cut.get("governance.acting_chair", True)),
        *_to_rule(user, today),
        *_rulings(user),
        *_late_papers(user, now, others),
        *(_apologies(user, today) if cut.get("governance.apologies", True) else []),
        *(_schedule(user, today) if cut.get("governance.schedule", True) else []),
    ]
