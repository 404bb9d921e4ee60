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
    name_officers(election)
    return set_phase(election, phase)


def stand(election, person, proposer, seconder, statement="I will listen."):
    candidate = ms.candidate_propose(actor=proposer, election=election, person=person)
    ms.candidate_second(actor=seconder, candidate=candidate)
    return ms.candidate_respond(actor=person, candidate=candidate, accept=True, statement=statement)


# Each test election's counting codes, by election and officer: as the officers would keep them.
CODES: dict[int, dict[int, str]] = {}


def name_officers(election: Election, *, officers: int = 3, threshold: int = 2) -> list:
    """Name ``officers`` new people counting officers, any ``threshold`` of whom count, and
    have each make a code (kept in CODES). Before voting opens."""
    people = [UserFactory() for _ in range(officers)]
    named = ms.officers_name(actor=None, election=election, people=people, threshold=threshold)
    CODES[election.pk] = {
        o.person_id: ms.officer_code_make(actor=o.person, election=election) for o in named
    }
    election.refresh_from_db()
    return named


def count(election: Election, *, officers: int | None = None) -> Election:
    """``officers`` (by default the threshold) of the officers enter their codes."""
    election.refresh_from_db()
    wanted = election.threshold if officers is None else officers
    for officer in list(election.officers.filter(wrapped_share__isnull=False))[:wanted]:
        election = ms.count_share_submit(
            actor=officer.person, election=election, code=CODES[election.pk][officer.person_id]
        )
    return election


def close(election: Election, *, actor=None) -> Election:
    """Let the voting window end, then close, seal and count (two officers' codes)."""
    set_phase(election, "counting")
    election = ms.election_close(actor=actor, election=election)
    if election.status == "sealed":
        election = count(election)
    return election
