"""Membership's part of "Your tasks": the partnership agreement to sign, elections to take
part in (propose or second while nominations are open, answer a nomination, vote), and for
co-ordinators the vacant places and memberships ending that the weekly reminder tells them of
(``vacancy_reports``, asked for the partnerships they co-ordinate).

The same facts the account page and the election pages use: ``person_agreements`` for the
agreement, and the voting-member rule of ``membership.services.elections`` (a voting seat, not
an observer, adviser or co-ordinator; once voting opens, the fixed electorate). A fixed
number of queries whatever the number of tasks (a few more a partnership co-ordinated).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from membership.models import (
    NON_VOTING_ROLES,
    Candidate,
    CandidateStatus,
    Election,
    ElectionStatus,
    Elector,
    Membership,
    Participation,
)
from membership.selectors import person_agreements
from membership.services.reminders import vacancy_reports
from partnership import permissions as perms
from partnership.models import Body, Partnership
from partnership.tasklist import Task

AGREEMENT = "Partnership agreement"
ELECTIONS = "Elections"
PLACES = "Vacancies and memberships ending"


def _election_url(election: Election, name: str = "election_detail", **extra) -> str:
    return reverse(
        f"membership:{name}",
        kwargs={
            "partnership": election.body.partnership.slug,
            "body": election.body.slug,
            "pk": election.pk,
            **extra,
        },
    )


def _agreement_tasks(user) -> list[Task]:
    return [
        Task(
            group=AGREEMENT,
            title=f"Sign version {a.version.label} of the {a.version.partnership.name} agreement",
            url=reverse("membership:agreement", kwargs={"partnership": a.version.partnership.slug}),
            hint="Every member signs the current agreement.",
        )
        for a in person_agreements(person=user)
        if not a.signed
    ]


def _election_tasks(user) -> list[Task]:
    now = timezone.now()
    today = timezone.localdate()
    voting_seat = (
        Membership.objects.current(on=today)
        .filter(person=user, body=OuterRef("body"), seat__voting=True)
        .exclude(role__in=NON_VOTING_ROLES)
    )
    elector = Elector.objects.filter(election=OuterRef("pk"), person=user)
    voted = Participation.objects.filter(election=OuterRef("pk"), voter=user)
    nominations = Q(nominations_open_at__lte=now, nominations_close_at__gt=now)
    voting_open = Q(voting_opens_at__lte=now, voting_closes_at__gt=now)
    # Each subquery is compiled once, in the SELECT: the database keeps the elections open
    # for nominations or voting where the person has a voting seat or is an elector (every
    # task below needs one or the other), and the rule itself is read off the three flags,
    # where repeating the subqueries in the WHERE would cost their compilation again.
    elections = (
        Election.objects.filter(status=ElectionStatus.OPEN)
        .filter(nominations | voting_open)
        .annotate(voting_seat=Exists(voting_seat), has_elector=Exists(elector), voted=Exists(voted))
        .filter(Q(voting_seat=True) | Q(has_elector=True))
        .select_related("body__partnership", "seat")
        .order_by("voting_closes_at", "pk")
    )
    tasks = []
    for election in elections:
        # Until the electorate is fixed (when voting opens) a voting member may vote; after,
        # only an elector: the same rule as the ballot page.
        nominating = (
            election.nominations_open_at <= now < election.nominations_close_at
            and election.voting_seat
        )
        voting = (
            election.voting_opens_at <= now < election.voting_closes_at
            and (election.has_elector if election.electorate_fixed else election.voting_seat)
            and not election.voted
        )
        if not (nominating or voting):
            continue
        if election.voting_opens_at <= now:
            tasks.append(
                Task(
                    group=ELECTIONS,
                    title=f"Vote: {election}",
                    url=_election_url(election, "ballot"),
                    due_on=timezone.localdate(election.voting_closes_at),
                    status="Voting open",
                )
            )
        else:
            tasks.append(
                Task(
                    group=ELECTIONS,
                    title=f"Propose or second a candidate: {election}",
                    url=_election_url(election),
                    due_on=timezone.localdate(election.nominations_close_at),
                    status="Nominations open",
                    hint="Optional: any voting member may propose or second.",
                )
            )
    # Nominations waiting for the candidate's answer, while nominations are open (as
    # ``candidate_respond`` requires).
    answers = Candidate.objects.filter(
        person=user,
        status=CandidateStatus.SECONDED,
        election__status=ElectionStatus.OPEN,
        election__nominations_open_at__lte=now,
        election__nominations_close_at__gt=now,
    ).select_related("election__body__partnership", "election__seat")
    for candidate in answers:
        election = candidate.election
        tasks.append(
            Task(
                group=ELECTIONS,
                title=f"Accept or decline your nomination: {election}",
                url=_election_url(election, "candidate_respond", candidate=candidate.pk),
                due_on=timezone.localdate(election.nominations_close_at),
            )
        )
    return tasks


def _place_tasks(user) -> list[Task]:
    managed = perms.ids_with(user, "body", perms.MANAGE_BODY)
    coordinated = perms.ids_with(user, "partnership", perms.MANAGE_PARTNERSHIP)
    if not managed and not coordinated:
        return []
    today = timezone.localdate()
    partnerships = Partnership.objects.filter(
        Q(pk__in=coordinated) | Q(pk__in=Body.objects.filter(pk__in=managed).values("partnership"))
    ).order_by("name")
    tasks = []
    for partnership in partnerships:
        for report in vacancy_reports(partnership=partnership, today=today).get(user, []):
            body = report.body
            body.partnership = partnership  # for the links, without a query each
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
                            kwargs={"partnership": partnership.slug, "body": body.slug, "pk": m.pk},
                        ),
                        due_on=m.ends_on,
                        status="Ending",
                        hint="Renew it, or find a successor.",
                    )
                )
    return tasks


def membership_tasks(request: HttpRequest) -> list[Task]:
    user = request.user
    if not user.is_authenticated:
        return []
    return _agreement_tasks(user) + _election_tasks(user) + _place_tasks(user)
