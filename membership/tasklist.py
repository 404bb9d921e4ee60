"""Membership's part of "Your tasks": the partnership agreement to sign, elections to take
part in (propose or second while nominations are open, answer a nomination, vote), and for
co-ordinators the vacant places and memberships ending that the weekly reminder tells them of
(``vacancy_reports``, asked for the partnerships they co-ordinate).

The same facts the account page and the election pages use: ``person_agreements`` for the
agreement, and the voting-member rule of ``membership.services.elections`` (a voting seat, not
an observer, adviser or co-ordinator; once voting opens, the fixed electorate). The person's
current memberships and appointments, and their part in the open elections, are read once
(``places``) and shared by all three, and with governance's register confirmation. A fixed
number of queries whatever the number of tasks or of partnerships co-ordinated.
"""

from __future__ import annotations

from collections import Counter

from django.db.models import Exists, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from membership.models import (
    AppointmentRole,
    Election,
    ElectionOfficer,
    ElectionStatus,
    Membership,
    MembershipReview,
    ReviewSheet,
    Role,
)
from membership.selectors import (
    PersonPlaces,
    office_holders_by_body,
    person_agreements,
    person_places,
)
from membership.services.reminders import vacancy_reports_for
from membership.services.review_chasing import bodies_due_review, review_due_from
from membership.services.reviews import sheet_decider
from partnership import permissions as perms
from partnership.periods import financial_year, financial_year_label
from partnership.tasklist import Task, first_cut, register_first_cut, shared

AGREEMENT = "Partnership agreement"
ELECTIONS = "Elections"
PLACES = "Vacancies and memberships ending"
REVIEWS = "Membership reviews"


def places(request: HttpRequest) -> PersonPlaces:
    """The person's current memberships and appointments and their part in the open
    elections, read once a request (one query): the agreement, the elections and the places
    ask here, as governance's register confirmation does."""
    return shared(request, "places", lambda: person_places(person=request.user))


def _agreement_tasks(user, held: PersonPlaces) -> list[Task]:
    return [
        Task(
            group=AGREEMENT,
            title=f"Sign version {a.version.label} of the {a.version.partnership.name} agreement",
            url=reverse("membership:agreement", kwargs={"partnership": a.version.partnership.slug}),
            hint="Every member signs the current agreement.",
        )
        for a in person_agreements(person=user, places=held)
        if not a.signed
    ]


def _election_tasks(held: PersonPlaces) -> list[Task]:
    now = timezone.now()
    # What the person is to each open election (an elector, a voter, a candidate awaiting
    # their answer), read with their places; then the elections open for nominations or
    # voting where they have a vote (a voting seat: ``Membership.has_vote``) or are one of
    # those.
    elector = {e.election_id for e in held.elections if e.kind == "elector"}
    voted = {e.election_id for e in held.elections if e.kind == "voted"}
    answer = {e.election_id: e.candidate_id for e in held.elections if e.kind == "candidate"}
    voting_seat = held.voting_body_ids
    if not voting_seat and not elector and not answer:
        return []
    elections = (
        Election.objects.filter(status=ElectionStatus.OPEN)
        .filter(
            Q(nominations_open_at__lte=now, nominations_close_at__gt=now)
            | Q(voting_opens_at__lte=now, voting_closes_at__gt=now)
        )
        .filter(Q(body_id__in=voting_seat) | Q(pk__in=elector | set(answer)))
        .select_related("body__partnership", "seat")
        .only(
            "post",
            "places",
            "nominations_open_at",
            "nominations_close_at",
            "voting_opens_at",
            "voting_closes_at",
            "electorate_fixed",
            "body__name",
            "body__slug",
            "body__partnership__slug",
            "seat__name",
        )
        .order_by("voting_closes_at", "pk")
    )
    tasks = []
    for election in elections:
        nominations = election.nominations_open_at <= now < election.nominations_close_at
        has_vote = election.body_id in voting_seat
        # Until the electorate is fixed (when voting opens) a voting member may vote; after,
        # only an elector: the same rule as the ballot page.
        voting = (
            election.voting_opens_at <= now < election.voting_closes_at
            and (election.pk in elector if election.electorate_fixed else has_vote)
            and election.pk not in voted
        )
        if voting or (nominations and has_vote):
            if election.voting_opens_at <= now:
                tasks.append(
                    Task(
                        group=ELECTIONS,
                        title=f"Vote: {election}",
                        url=election.url("ballot"),
                        due_on=timezone.localdate(election.voting_closes_at),
                        status="Voting open",
                    )
                )
            else:
                tasks.append(
                    Task(
                        group=ELECTIONS,
                        title=f"Propose or second a candidate: {election}",
                        url=election.url(),
                        due_on=timezone.localdate(election.nominations_close_at),
                        status="Nominations open",
                        hint="Optional: any voting member may propose or second.",
                    )
                )
        # A nomination waiting for the candidate's answer, while nominations are open (as
        # ``candidate_respond`` requires).
        if nominations and election.pk in answer:
            tasks.append(
                Task(
                    group=ELECTIONS,
                    title=f"Accept or decline your nomination: {election}",
                    url=election.url("candidate_respond", candidate=answer[election.pk]),
                    due_on=timezone.localdate(election.nominations_close_at),
                )
            )
    return tasks


def _officer_work(user) -> Q:
    """A counting officer's work: a code to make before voting opens (until the key is dealt),
    or a sealed election to count with a share still held."""
    return Q(person=user) & (
        Q(
            election__status=ElectionStatus.OPEN,
            election__public_key__isnull=True,
            code_key__isnull=True,
        )
        | Q(
            election__status=ElectionStatus.SEALED,
            partials__isnull=True,
            wrapped_share__isnull=False,
        )
    )


@register_first_cut
def _officer_cut(user) -> dict:
    """Whether the person has counting to do: asked with every app's cuts in one query."""
    return {"membership.officer": Exists(ElectionOfficer.objects.filter(_officer_work(user)))}


def _officer_tasks(request: HttpRequest) -> list[Task]:
    """A counting officer's elections: make a code before voting opens, count once sealed.
    One query, and only when the first cut says there is some."""
    if not first_cut(request).get("membership.officer", True):
        return []
    tasks = []
    for officer in (
        ElectionOfficer.objects.filter(_officer_work(request.user))
        .select_related("election__body__partnership", "election__seat")
        .order_by("election__voting_opens_at", "election_id")
    ):
        election = officer.election
        if election.status == ElectionStatus.SEALED:
            tasks.append(
                Task(
                    group=ELECTIONS,
                    title=f"Count the votes: {election}",
                    url=election.url("election_counting"),
                    status="Voting closed",
                    hint="Enter your counting code: the result waits for enough officers.",
                )
            )
        else:
            tasks.append(
                Task(
                    group=ELECTIONS,
                    title=f"Make your counting code: {election}",
                    url=election.url("election_counting"),
                    due_on=timezone.localdate(election.voting_opens_at),
                    hint="Voting cannot start until enough counting officers have a code.",
                )
            )
    return tasks


def _place_tasks(held: PersonPlaces) -> list[Task]:
    """What the weekly reminder tells the person as a co-ordinator (``vacancy_reports``),
    for the bodies their co-ordinator appointments cover."""
    coordinating = [
        (a.partnership_id, a.body_id)
        for a in held.appointments
        if a.role == AppointmentRole.COORDINATOR
    ]
    if not coordinating:
        return []
    tasks = []
    for report in vacancy_reports_for(appointments=coordinating, today=timezone.localdate()):
        body = report.body
        for seat, vacant in report.vacant:
            tasks.append(
                Task(
                    group=PLACES,
                    title=f"{body.name}: {vacant} vacant place{'s' if vacant > 1 else ''} "
                    f"({seat.name})",
                    url=body.get_absolute_url(),
                    status="Vacant",
                )
            )
        for m in report.ending:
            tasks.append(
                Task(
                    group=PLACES,
                    title=f"{body.name}: {m.person.full_name}'s membership ends",
                    url=reverse(
                        "membership:membership_detail",
                        kwargs={
                            "partnership": body.partnership.slug,
                            "body": body.slug,
                            "pk": m.pk,
                        },
                    ),
                    due_on=m.ends_on,
                    status="Ending",
                    hint="Renew it, or find a successor.",
                )
            )
    return tasks


@register_first_cut
def _review_cut(user) -> dict:
    """Whether the person chairs (or is deputy of) a body with a review's outcomes to record,
    and whether a partnership they co-ordinate in has a body with no review this year: asked
    with every app's cuts in one query, so that most people are asked nothing more."""
    today = timezone.localdate()
    chairs = (
        Membership.objects.current(on=today)
        .filter(person=user, role__in=[Role.CHAIR, Role.DEPUTY_CHAIR])
        .values("body_id")
    )
    coordinated = (
        user.appointments.current(on=today)
        .filter(role=AppointmentRole.COORDINATOR)
        .values("partnership_id")
    )
    return {
        "membership.review_sheets": Exists(
            ReviewSheet.objects.filter(
                outcome="", review__completed_at__isnull=True, review__body_id__in=chairs
            )
        ),
        "membership.reviews_due": Exists(
            bodies_due_review(today=today).filter(partnership_id__in=coordinated)
        ),
    }


def _review_tasks(request: HttpRequest, held: PersonPlaces) -> list[Task]:
    """Reviews whose outcomes the person records (the chair; the deputy while the chair's
    seat is empty, and for the chair's own sheet; never their own), and, from 1 October, the
    bodies they co-ordinate with no review this financial year: what ``review_chasing``
    chases. Asked only when the first cut says there may be some."""
    user, today = request.user, timezone.localdate()
    cut = first_cut(request)
    tasks: list[Task] = []
    office = {s.body_id: s.role for s in held.seats if s.role in (Role.CHAIR, Role.DEPUTY_CHAIR)}
    if office and cut.get("membership.review_sheets", True):
        reviews = list(
            MembershipReview.objects.filter(body_id__in=office, completed_at__isnull=True)
            .select_related("body__partnership")
            .order_by("due_on", "pk")
        )
        holders = office_holders_by_body(bodies=[r.body for r in reviews], on=today)
        undecided = Counter()
        for review_id, body_id, person_id in ReviewSheet.objects.filter(
            review__in=reviews, outcome=""
        ).values_list("review_id", "review__body_id", "membership__person_id"):
            # Only the sheets this person decides: never their own (``sheet_decider``).
            decider = sheet_decider(holders[body_id], person_id)
            if decider is not None and decider.pk == user.pk:
                undecided[review_id] += 1
        for review in reviews:
            count = undecided[review.pk]
            if not count:
                continue
            tasks.append(
                Task(
                    group=REVIEWS,
                    title=f"{review.body.name}: record {count} outcome"
                    f"{'s' if count != 1 else ''} of the "
                    f"{financial_year_label(review.year)} review",
                    url=reverse(
                        "membership:review_detail",
                        kwargs={
                            "partnership": review.body.partnership.slug,
                            "body": review.body.slug,
                            "pk": review.pk,
                        },
                    ),
                    due_on=review.due_on,
                    hint="Continue, discuss with the nominating organisation, or end.",
                )
            )
    coordinating = {
        a.partnership_id for a in held.appointments if a.role == AppointmentRole.COORDINATOR
    }
    if coordinating and cut.get("membership.reviews_due", True):
        year = financial_year(today)
        due = bodies_due_review(today=today).filter(partnership_id__in=coordinating)
        # Asked whatever the date, so the page's queries do not change with it; listed from
        # the day the chaser starts.
        for body in list(due):
            if today < review_due_from(year) or not perms.can_manage_body(user, body):
                continue
            tasks.append(
                Task(
                    group=REVIEWS,
                    title=f"{body.name}: open the {financial_year_label(year)} membership review",
                    url=reverse(
                        "membership:review_list",
                        kwargs={"partnership": body.partnership.slug, "body": body.slug},
                    ),
                    status="Due",
                    hint="Once a year the chair reviews each member's record.",
                )
            )
    return tasks


def membership_tasks(request: HttpRequest) -> list[Task]:
    user = request.user
    if not user.is_authenticated:
        return []
    held = places(request)
    return (
        _agreement_tasks(user, held)
        + _election_tasks(held)
        + _officer_tasks(request)
        + _place_tasks(held)
        + _review_tasks(request, held)
    )
