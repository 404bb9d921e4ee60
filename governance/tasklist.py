"""Governance's part of "Your tasks": papers to write, actions due, register entries to
confirm this year, minutes awaiting the chair's approval, disputed rulings for the governance
lead to settle, and, for co-ordinators, papers that are late for their meetings.

Each uses the predicate its chaser uses (``papers_chase_late``, ``actions_chase_overdue``,
``registers_chase_confirmation``, ``minutes_chase_awaiting``), asked about one person instead
of everyone, and the rights already loaded for the request; a fixed number of queries
whatever the number of tasks.
"""

from __future__ import annotations

from django.db.models import Q
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
from governance.services import approval
from membership.models import Membership
from membership.selectors import office_holders_by_body
from partnership import permissions as perms
from partnership.models import Body, Partnership
from partnership.periods import financial_year
from partnership.tasklist import Task

PAPERS = "Papers to write"
ACTIONS = "Actions"
REGISTERS = "Declarations of interest"
MINUTES = "Minutes to approve"
RULINGS = "Disputed rulings"
LATE = "Late papers for your meetings"


def _papers(user, now) -> list[Task]:
    """Papers the person writes. Each links to its meeting's page where they may open it (the
    agenda published, or they run the body); else to the body's page: a draft agenda is for
    those who run the body, and the paper goes to them."""
    from governance.selectors import body_access, meeting_visible

    papers = (
        Paper.objects.filter(owner=user, circulated_at__isnull=True)
        .filter(item__meeting__held_on__gte=now.date())
        .exclude(item__meeting__status=MeetingStatus.CANCELLED)
        .select_related("item__meeting__body__partnership")
        .order_by("item__meeting__held_on", "pk")
    )
    tasks = []
    for p in papers:
        meeting = p.item.meeting
        # Rights are cached on the user: no query per paper.
        visible = meeting_visible(meeting, body_access(user, meeting.body))
        tasks.append(
            Task(
                group=PAPERS,
                title=p.title,
                url=meeting.get_absolute_url() if visible else meeting.body.get_absolute_url(),
                due_on=timezone.localdate(meeting.papers_due_at),
                status="Late" if now >= meeting.papers_due_at else "To do",
                hint=f"{meeting.body.name}, {meeting.held_on:%-d %B %Y}"
                + ("" if visible else ": send it to the body's co-ordinator"),
            )
        )
    return tasks


def _actions(user, today) -> list[Task]:
    actions = (
        Action.objects.filter(owner=user, done_on__isnull=True)
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .select_related("meeting__body__partnership")
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


def _register_confirmation(user, today) -> list[Task]:
    year = financial_year(today)
    sitting = Membership.objects.current(on=today).filter(person=user).values("body__partnership")
    confirmed = RegisterConfirmation.objects.filter(person=user, year=year).values("partnership")
    partnerships = (
        Partnership.objects.filter(pk__in=sitting).exclude(pk__in=confirmed).order_by("name")
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


def _minutes(user, rights) -> list[Task]:
    chaired = {
        pk for (model, pk), held in rights.items() if model == "body" and perms.CHAIR_BODY in held
    }
    if not chaired:
        return []
    waiting = list(
        Minutes.objects.filter(meeting__body_id__in=chaired, status=MinutesStatus.SUBMITTED)
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
    tasks = []
    for m in waiting:
        chair = holders[m.meeting.body_id].get("chair")
        unavailable = chair is None or (m.meeting_id, chair.pk) in absent
        if approval.acting_as_among(
            holders[m.meeting.body_id], person=user, chair_unavailable=unavailable
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


def _rulings(rights) -> list[Task]:
    leads = {
        pk
        for (model, pk), held in rights.items()
        if model == "partnership" and perms.LEAD_GOVERNANCE in held
    }
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


def _late_papers(user, rights, now) -> list[Task]:
    """For co-ordinators: papers past their due time, as ``papers_chase_late`` tells them."""
    partnerships = {
        pk
        for (model, pk), held in rights.items()
        if model == "partnership" and perms.MANAGE_PARTNERSHIP in held
    }
    bodies = {
        pk for (model, pk), held in rights.items() if model == "body" and perms.MANAGE_BODY in held
    }
    if not partnerships and not bodies:
        return []
    candidates = (
        Paper.objects.filter(circulated_at__isnull=True, item__meeting__held_on__gte=now.date())
        .filter(
            Q(item__meeting__body__partnership_id__in=partnerships)
            | Q(
                item__meeting__body__partnership_id__in=Body.objects.filter(pk__in=bodies).values(
                    "partnership_id"
                )
            )
        )
        .exclude(item__meeting__status=MeetingStatus.CANCELLED)
        .exclude(owner=user)  # already under "Papers to write"
        .select_related("owner", "item__meeting__body__partnership")
    )
    late = [
        p
        for p in candidates
        if now >= p.item.meeting.papers_due_at and perms.can_manage_body(user, p.item.meeting.body)
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


def governance_tasks(request: HttpRequest) -> list[Task]:
    user = request.user
    if not user.is_authenticated:
        return []
    now = timezone.now()
    today = timezone.localdate()
    rights = perms.rights_of(user)
    return [
        *_papers(user, now),
        *_actions(user, today),
        *_register_confirmation(user, today),
        *_minutes(user, rights),
        *_rulings(rights),
        *_late_papers(user, rights, now),
    ]
