"""Building elections for tests, and moving them through their phases by their dates."""

from datetime import timedelta

from django.utils import timezone

from membership import services as ms
from membership.models import Election, Role
from tests.factories import UserFactory

PHASES = {
    # phase: (nominations open, nominations close, voting opens, voting closes), hours from now
    "nominations": (-1, 24, 48, 96),
    "between": (-48, -24, 24, 96),
    "voting": (-72, -48, -1, 96),
    "counting": (-96, -72, -48, -1),
}


def set_phase(election: Election, phase: str) -> Election:
    now = timezone.now()
    a, b, c, d = (now + timedelta(hours=h) for h in PHASES[phase])
    Election.objects.filter(pk=election.pk).update(
        nominations_open_at=a, nominations_close_at=b, voting_opens_at=c, voting_closes_at=d
    )
    election.refresh_from_db()
    return election


def add_voters(world, n: int) -> list:
    """n more voting members of the Board, in a seat of their own."""
    seat = ms.seat_create(actor=None, body=world.board, name="Partners", count=20, voting=True)
    people = []
    for _ in range(n):
        person = UserFactory()
        ms.membership_create(
            actor=None,
            body=world.board,
            seat=seat,
            person=person,
            role=Role.MEMBER,
            organisation=world.business,
            starts_on=world.start,
        )
        people.append(person)
    return people


def chair_election(world, *, tie_rule="lot", phase="nominations") -> Election:
    now = timezone.now()
    election = ms.election_create(
        actor=world.coordinator,
        body=world.board,
        post="chair",
        nominations_open_at=now - timedelta(hours=1),
        nominations_close_at=now + timedelta(hours=24),
        voting_opens_at=now + timedelta(hours=48),
        voting_closes_at=now + timedelta(hours=96),
        term_starts_on=(now + timedelta(days=5)).date(),
        tie_rule=tie_rule,
    )
    return set_phase(election, phase)


def stand(election, person, proposer, seconder, statement="I will listen."):
    candidate = ms.candidate_propose(actor=proposer, election=election, person=person)
    ms.candidate_second(actor=seconder, candidate=candidate)
    return ms.candidate_respond(actor=person, candidate=candidate, accept=True, statement=statement)


def close(election: Election, *, actor=None) -> Election:
    """Let the voting window end, then close and count."""
    set_phase(election, "counting")
    return ms.election_close(actor=actor, election=election)
