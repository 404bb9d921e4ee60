"""Elections: nominations, secret ballots, sealing, counting and the result.

How secrecy is kept (see also the README):
- A ballot is encrypted under the election's key, with proofs that it is well formed, and
  only ever stored encrypted; the key is split between counting officers, any ``threshold``
  of whom decrypt the totals and nothing else (``election_count``). No choice is ever
  written anywhere in a readable form.
- The record that a person voted (Participation) and their ballot (Ballot) are written in one
  transaction that holds the election row's lock, so votes are serialised and a voter's
  second ballot is refused; the unique constraint on Participation is the backstop.
- A Ballot has a random key, no link to a person, no timestamp and no history; closing
  *seals* the election: every ballot is deleted and written again, in random order, with new
  keys, so not even the order of the encrypted ballots pairs them with their voters.
- Nothing here logs, messages or mails a choice; the vote view hides its POST data from
  error reports.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from membership.models import (
    NON_VOTING_ROLES,
    Ballot,
    Candidate,
    CandidateStatus,
    Election,
    ElectionStatus,
    Elector,
    Membership,
    Participation,
    Post,
    Role,
    Seat,
    TieRule,
    User,
)
from membership.services.election_count import (
    ballot_encrypt,
    ballot_store,
    copy_officers,
    key_deal,
    officers_to_count,
    seal_digest,
)
from membership.services.memberships import (
    membership_create,
    membership_update,
    office_seats_sync,
    office_sync_deferred,
    seat_create,
)
from partnership.history import record_actor
from partnership.models import Body, Organisation
from partnership.notifications import notify_once

log = logging.getLogger(__name__)

_random = secrets.SystemRandom()


# --- who may do what -------------------------------------------------------------------------


def _voting(*, body: Body, on=None):
    """Current places on ``body`` that hold a vote: voting seat, and not an adviser, observer
    or co-ordinator (one rule for the list and for one person)."""
    day = on or timezone.localdate()
    return (
        Membership.objects.current(on=day)
        .filter(body=body, seat__voting=True)
        .exclude(role__in=NON_VOTING_ROLES)
    )


def voting_members(*, body: Body, on=None) -> list[Membership]:
    """Current members of ``body`` who hold a vote."""
    return list(_voting(body=body, on=on).select_related("seat"))


def is_voting_member(person: User, body: Body) -> bool:
    """One indexed lookup, however many members the body has."""
    return person.is_authenticated and _voting(body=body).filter(person=person).exists()


def _require_phase(election: Election, phase: str, message: str) -> None:
    if election.phase() != phase:
        raise ValidationError(message)


# --- setting up ------------------------------------------------------------------------------


@transaction.atomic
def election_create(
    *,
    actor: Any,
    body: Body,
    post: str,
    seat: Seat | None = None,
    places: int = 1,
    nominations_open_at: datetime,
    nominations_close_at: datetime,
    voting_opens_at: datetime,
    voting_closes_at: datetime,
    term_starts_on,
    tie_rule: str,
    reballot_of: Election | None = None,
) -> Election:
    if body.closed_on is not None:
        raise ValidationError(f"{body} is closed.")
    if post == Post.SEAT:
        if seat is None or seat.body_id != body.pk:
            raise ValidationError({"seat": "Choose a seat on this body."})
        if places > seat.count:
            raise ValidationError({"places": f"'{seat.name}' has only {seat.count} places."})
    else:
        seat, places = None, 1
    if not nominations_open_at < nominations_close_at:
        raise ValidationError({"nominations_close_at": "Nominations must close after they open."})
    if not nominations_close_at <= voting_opens_at:
        raise ValidationError({"voting_opens_at": "Voting must open after nominations close."})
    if not voting_opens_at < voting_closes_at:
        raise ValidationError({"voting_closes_at": "Voting must close after it opens."})
    if term_starts_on < timezone.localtime(voting_closes_at).date():
        raise ValidationError({"term_starts_on": "The term must start after voting closes."})
    running = Election.objects.filter(body=body, post=post, seat=seat, status=ElectionStatus.OPEN)
    if running.exists():
        raise ValidationError({"post": "An election for this post is already under way."})
    election = Election(
        body=body,
        post=post,
        seat=seat,
        places=places,
        nominations_open_at=nominations_open_at,
        nominations_close_at=nominations_close_at,
        voting_opens_at=voting_opens_at,
        voting_closes_at=voting_closes_at,
        term_starts_on=term_starts_on,
        tie_rule=tie_rule,
        reballot_of=reballot_of,
    )
    election.full_clean()
    record_actor(election, actor=actor, reason="Opened")
    election.save()
    return election


# --- nominations -----------------------------------------------------------------------------


def chair_may_come_from_outside(election: Election) -> bool:
    """The body's rule of office (issue 16; Warrington: the Partnership Board's chair may
    come from outside the group): only the chair, never the deputy."""
    return election.post == Post.CHAIR and election.body.chair_from_outside


def chair_organisation(
    election: Election, person: User, organisation: Organisation | None
) -> Organisation | None:
    """The organisation a chair candidate represents, which the sector rule is checked
    against and the elected chair is recorded with. A member of the body: the one they
    represent on it, no other. A chair from outside: one they represent on another of the
    partnership's bodies (the one named, else the first), given to their Chair-seat place."""
    body = election.body
    places = (
        Membership.objects.current()
        .filter(body__partnership_id=body.partnership_id, person=person)
        .select_related("organisation")
    )
    on_body = places.filter(body=body).first()
    if on_body is not None:
        if organisation is not None and organisation != on_body.organisation:
            represents = on_body.organisation or "no organisation"
            raise ValidationError(
                {
                    "organisation": f"{person} represents {represents} on {body}: a chair "
                    "from the membership represents the organisation they sit for. Leave "
                    "this empty."
                }
            )
        return on_body.organisation
    elsewhere = places.filter(organisation__isnull=False)
    if organisation is None:
        m = elsewhere.order_by("starts_on", "pk").first()
        return m.organisation if m else None
    if not elsewhere.filter(organisation=organisation).exists():
        raise ValidationError(
            {
                "organisation": f"{person} does not represent {organisation} in "
                f"{body.partnership}: choose an organisation they represent."
            }
        )
    return organisation


def _check_eligible(election: Election, person: User, organisation: Organisation | None) -> None:
    body = election.body
    if election.post != Post.SEAT:
        if organisation is not None and organisation.partnership_id != body.partnership_id:
            raise ValidationError({"organisation": "Choose an organisation in this partnership."})
        member = Membership.objects.current().filter(body=body, person=person).exists()
        if not member and not chair_may_come_from_outside(election):
            raise ValidationError({"person": f"{person} is not a member of {body}."})
        if not member and not (
            Membership.objects.filter(
                body__partnership_id=body.partnership_id, person=person
            ).exists()
            or person.appointments.filter(partnership_id=body.partnership_id).exists()
        ):
            # From outside the body, not from outside the partnership: the proposer chooses
            # among the people the partnership knows (a co-ordinator adds anyone else).
            raise ValidationError({"person": f"Choose someone known to {body.partnership}."})
        represents = organisation
        if election.post == Post.CHAIR:
            represents = chair_organisation(election, person, organisation)
        if election.post == Post.CHAIR and body.chair_sector:
            sector = body.get_chair_sector_display().lower()
            if represents is None or represents.sector != body.chair_sector:
                raise ValidationError(
                    {
                        "organisation": f"The chair of {body} must represent the {sector} "
                        f"sector: {person} represents {represents or 'no organisation'}"
                        + (f" on {body}." if member else ".")
                    }
                )
        return
    seat = election.seat
    if organisation is None:
        raise ValidationError({"organisation": "Choose the organisation they would represent."})
    if organisation.partnership_id != body.partnership_id:
        raise ValidationError({"organisation": "Choose an organisation in this partnership."})
    if seat.sector and organisation.sector != seat.sector:
        raise ValidationError(
            {
                "organisation": f"'{seat.name}' is for the {seat.get_sector_display().lower()} "
                "sector."
            }
        )
    if seat.nominating_organisation_id and organisation.pk != seat.nominating_organisation_id:
        raise ValidationError(
            {"organisation": f"'{seat.name}' is nominated by {seat.nominating_organisation}."}
        )
    if (
        seat.nominating_body_id
        and not Membership.objects.current()
        .filter(body_id=seat.nominating_body_id, person=person)
        .exists()
    ):
        raise ValidationError(
            {"person": f"'{seat.name}' is chosen from the members of {seat.nominating_body}."}
        )


@transaction.atomic
def candidate_propose(
    *, actor: User, election: Election, person: User, organisation: Organisation | None = None
) -> Candidate:
    election = (
        Election.objects.select_for_update(of=("self",))
        .select_related("body", "seat")
        .get(pk=election.pk)
    )
    _require_phase(election, "nominations", "Nominations are not open.")
    if not is_voting_member(actor, election.body):
        raise ValidationError("Only voting members of the body can propose a candidate.")
    _check_eligible(election, person, organisation)
    if election.candidates.filter(person=person).exists():
        raise ValidationError({"person": f"{person} has already been proposed."})
    if election.officers.filter(person=person).exists():
        # The rule officers_name keeps, kept the other way round too.
        raise ValidationError(
            {
                "person": f"{person} is a counting officer in this election, and a candidate "
                "cannot be one: the co-ordinator must name another officer first."
            }
        )
    if election.post == Post.CHAIR and (
        election.body.chair_sector or election.body.chair_from_outside
    ):
        # Kept: the sector is checked against it, and an outside chair represents it.
        organisation = chair_organisation(election, person, organisation)
    candidate = Candidate(
        election=election,
        person=person,
        proposer=actor,
        organisation=organisation if election.post in (Post.SEAT, Post.CHAIR) else None,
    )
    record_actor(candidate, actor=actor, reason="Proposed")
    candidate.save()
    return candidate


@transaction.atomic
def candidate_second(*, actor: User, candidate: Candidate) -> Candidate:
    candidate = (
        Candidate.objects.select_for_update().select_related("election__body").get(pk=candidate.pk)
    )
    election = candidate.election
    _require_phase(election, "nominations", "Nominations are not open.")
    if not is_voting_member(actor, election.body):
        raise ValidationError("Only voting members of the body can second a proposal.")
    if actor.pk in (candidate.proposer_id, candidate.person_id):
        raise ValidationError("The seconder must be someone other than the proposer or candidate.")
    if candidate.status != CandidateStatus.PROPOSED:
        raise ValidationError("This proposal has already been seconded.")
    candidate.seconder, candidate.status = actor, CandidateStatus.SECONDED
    record_actor(candidate, actor=actor, reason="Seconded")
    candidate.save(update_fields=["seconder", "status"])
    return candidate


@transaction.atomic
def candidate_respond(
    *, actor: User, candidate: Candidate, accept: bool, statement: str = ""
) -> Candidate:
    """The candidate accepts, with a statement of why they stand and what they bring, or
    declines."""
    candidate = (
        Candidate.objects.select_for_update().select_related("election").get(pk=candidate.pk)
    )
    if actor.pk != candidate.person_id:
        raise ValidationError("Only the candidate can answer a nomination.")
    _require_phase(candidate.election, "nominations", "Nominations are not open.")
    if candidate.status not in (CandidateStatus.SECONDED, CandidateStatus.ACCEPTED):
        raise ValidationError("A nomination can be answered once it has been seconded.")
    if accept and not statement.strip():
        raise ValidationError({"statement": "Say why you stand and what you would bring."})
    candidate.status = CandidateStatus.ACCEPTED if accept else CandidateStatus.DECLINED
    candidate.statement = statement.strip() if accept else candidate.statement
    record_actor(candidate, actor=actor, reason="Accepted" if accept else "Declined")
    candidate.save(update_fields=["status", "statement"])
    return candidate


# --- the electorate and voting ---------------------------------------------------------------


def electorate_fix(*, election: Election) -> Election:
    """Fix the electorate as the voting members on the day voting opens, and deal the
    election's key to its counting officers. Call with the election row locked; does nothing
    before voting opens or once fixed, nor while too few officers have made a code (voting
    waits for them)."""
    if election.electorate_fixed or timezone.now() < election.voting_opens_at:
        return election
    if not key_deal(election=election):
        return election
    day = timezone.localtime(election.voting_opens_at).date()
    people = {m.person_id for m in voting_members(body=election.body, on=day)}
    Elector.objects.bulk_create(Elector(election=election, person_id=pk) for pk in sorted(people))
    # An update, not a save: a history row here would name (and time) the first voter, whose
    # ballot fixes the electorate.
    Election.objects.filter(pk=election.pk).update(electorate_fixed=True)
    election.electorate_fixed = True
    return election


def _lock(election: Election) -> Election:
    return (
        Election.objects.select_for_update(of=("self",))
        .select_related("body", "seat")
        .get(pk=election.pk)
    )


@sensitive_variables()
def ballot_cast(
    *, voter: User, election: Election, choices: list[int], abstain: bool = False
) -> str:
    """Cast ``voter``'s one secret ballot, encrypted; return its fingerprint, the receipt the
    voter can find on the bulletin board once the election is counted."""
    with transaction.atomic():
        election = _lock(election)
        if election.phase() != "voting":
            raise ValidationError("Voting is not open in this election.")
        electorate_fix(election=election)
        if not election.electorate_fixed:
            raise ValidationError(
                "Voting cannot start until the counting officers have made their codes. "
                "Please try again later."
            )
        if not Elector.objects.filter(election=election, person=voter).exists():
            raise ValidationError("You are not entitled to vote in this election.")
        if Participation.objects.filter(election=election, voter=voter).exists():
            raise ValidationError("You have already voted in this election.")
        chosen = sorted(set(choices))
        if abstain and chosen:
            raise ValidationError("Choose candidates or abstain, not both.")
        if not abstain:
            if not chosen:
                raise ValidationError({"choices": "Choose a candidate, or abstain."})
            if len(chosen) > election.places:
                raise ValidationError(
                    {"choices": f"Choose no more than {election.places} candidates."}
                )
        encrypted = ballot_encrypt(election=election, chosen=chosen, abstain=abstain)
        del chosen, choices, abstain
        try:
            with transaction.atomic():
                Participation.objects.create(election=election, voter=voter)
        except IntegrityError as exc:
            raise ValidationError("You have already voted in this election.") from exc
        return ballot_store(election=election, encrypted=encrypted).fingerprint


@dataclass
class Turnout:
    voted: int
    electorate: int


def election_turnout(*, election: Election) -> Turnout:
    """How many have voted: never who voted how."""
    if election.turnout is not None:
        return Turnout(election.turnout, election.electorate_size or 0)
    voted = Participation.objects.filter(election=election).count()
    if election.electorate_fixed:
        electorate = Elector.objects.filter(election=election).count()
    else:
        electorate = len(voting_members(body=election.body))
    return Turnout(voted, electorate)


def has_voted(*, election: Election, person: User) -> bool:
    return Participation.objects.filter(election=election, voter=person).exists()


def receipt_counted(*, election: Election, receipt: str) -> bool:
    """Whether a ballot with this receipt (its fingerprint) was counted. Only once counted."""
    if election.status != ElectionStatus.CLOSED:
        return False
    code = "".join(receipt.split()).lower()
    return Ballot.objects.filter(election=election, fingerprint=code).exists()


# --- closing, sealing, counting ----------------------------------------------------------------


def _seal(election: Election) -> None:
    """Write every ballot again, shuffled, with new keys, in this (the closing) transaction,
    so no system column, key or physical order ties a ballot to the vote that cast it."""
    ballots = list(
        Ballot.objects.filter(election=election).values("ciphertexts", "proofs", "fingerprint")
    )
    Ballot.objects.filter(election=election).delete()
    _random.shuffle(ballots)
    Ballot.objects.bulk_create(Ballot(election=election, **b) for b in ballots)


def _decide(
    election: Election, votes: dict[int, int], names: dict[int, str]
) -> tuple[list[int], str, list[int]]:
    """Who is elected, how, and who must go to a re-ballot (if the tie rule says so)."""
    ranked = sorted(votes, key=lambda pk: (-votes[pk], names[pk]))
    places = election.places
    if not ranked:
        return [], "No candidates stood, so nobody was elected.", []
    if len(ranked) <= places:
        return (
            ranked,
            "Elected unopposed."
            if len(ranked) == places
            else "Elected: fewer candidates stood than there are places.",
            [],
        )
    boundary = votes[ranked[places - 1]]
    above = [pk for pk in ranked if votes[pk] > boundary]
    tied = [pk for pk in ranked if votes[pk] == boundary]
    needed = places - len(above)
    if len(tied) == needed:
        return above + tied, "Elected by the most votes.", []
    tied_names = ", ".join(names[pk] for pk in tied)
    if election.tie_rule == TieRule.LOT:
        drawn = _random.sample(tied, needed)
        drawn_names = ", ".join(names[pk] for pk in drawn)
        return (
            above + drawn,
            (
                f"{tied_names} tied on {boundary} vote{'s' if boundary != 1 else ''}; "
                f"{drawn_names} chosen by drawing lots."
            ),
            [],
        )
    return (
        above,
        (
            f"{tied_names} tied on {boundary} vote{'s' if boundary != 1 else ''} for "
            f"{needed} place{'s' if needed != 1 else ''}: the tied candidates go to a re-ballot."
        ),
        tied,
    )


CHAIR_SEAT = "Chair"


def _take_up_post(
    election: Election, person: User, organisation: Organisation | None = None
) -> str:
    """Give the elected chair or deputy the role from the start of their term; the previous
    holder's role ends then and they carry on as a member. A rule that refuses the change is
    reported in the outcome rather than stopping the result from being published.

    A chair from outside the membership (``Body.chair_from_outside``) is given a place of
    their own: the body's "Chair" seat (one place, voting), made if the body has none. The
    chair then has the rights, the vote and the record every chair has, through a
    membership like any other, and the seat's count of one keeps it to one chair at a time;
    a previous outside chair leaves that seat rather than carrying on as a member."""
    body, role, start = election.body, election.post, election.term_starts_on
    reason = f"Elected {election.get_post_display().lower()}"
    mine = Membership.objects.filter(body=body, person=person).overlapping(
        starts_on=start, ends_on=None
    )
    outside = not mine.filter(starts_on__lte=start).exists()
    if outside and not chair_may_come_from_outside(election):
        return f" {person} is not a member of {body} on {start:%-d %B %Y}: roles were not changed."
    holders = (
        Membership.objects.filter(body=body, role=role)
        .exclude(person=person)
        .overlapping(starts_on=start, ends_on=None)
        .select_related("seat")
    )
    # The seats this office holds on other bodies (CWaC: the thematic leads) do not move
    # during the role changes: a seat that cannot follow would undo the result's roles.
    with office_sync_deferred() as pending:
        try:
            with transaction.atomic():
                _change_roles(election, person, organisation, holders, mine, outside, reason)
        except ValidationError as exc:
            return f" Roles were not changed: {' '.join(exc.messages)}"
    # Then they follow, each in a transaction of its own, from the start of the term or
    # today if the result came later (never back in time); a seat that cannot follow is
    # noted in the outcome and the roles stand.
    pending.add((body.pk, max(start, timezone.localdate())))
    notes = ""
    for body_id, day in sorted(pending):
        try:
            with transaction.atomic():
                office_seats_sync(body=Body.objects.get(pk=body_id), on=day)
        except ValidationError as exc:
            notes += f" {' '.join(exc.messages)}"
    return notes


def _change_roles(
    election: Election,
    person: User,
    organisation: Organisation | None,
    holders: Any,
    mine: Any,
    outside: bool,
    reason: str,
) -> None:
    """The role changes of ``_take_up_post``, in one transaction of the caller's."""
    body, role, start = election.body, election.post, election.term_starts_on
    # The previous holder first, so the role is free when the new holder takes it.
    for m in holders.order_by("starts_on"):
        in_chair_seat = m.seat.name == CHAIR_SEAT and chair_may_come_from_outside(election)
        if in_chair_seat and m.starts_on < start:
            membership_update(actor=None, membership=m, ends_on=start, end_reason=reason)
            continue
        _change_role_from(m, role=Role.MEMBER, start=start, reason=reason)
    if outside:
        seat = Seat.objects.filter(body=body, name=CHAIR_SEAT).first() or seat_create(
            actor=None,
            body=body,
            name=CHAIR_SEAT,
            count=1,
            voting=True,
            description="The chair, who may come from outside the membership.",
        )
        membership_create(
            actor=None,
            body=body,
            seat=seat,
            person=person,
            role=role,
            organisation=organisation,
            starts_on=start,
        )
    else:
        for m in mine.exclude(role=role).order_by("starts_on"):
            _change_role_from(m, role=role, start=start, reason=reason)


def _change_role_from(m: Membership, *, role: str, start, reason: str) -> None:
    """From ``start``, ``m``'s holder has ``role``: the membership is split there, or, if it
    starts on or after that day, simply given the role."""
    if m.starts_on >= start:
        membership_update(actor=None, membership=m, role=role)
        return
    old_end = m.ends_on
    membership_update(actor=None, membership=m, ends_on=start, end_reason=reason)
    membership_create(
        actor=None,
        body=m.body,
        seat=m.seat,
        person=m.person,
        role=role,
        organisation=m.organisation,
        starts_on=start,
        ends_on=old_end,
    )


def _fill_places(election: Election, people: list[Candidate]) -> str:
    notes = ""
    for candidate in people:
        try:
            with transaction.atomic():
                membership_create(
                    actor=None,
                    body=election.body,
                    seat=election.seat,
                    person=candidate.person,
                    organisation=candidate.organisation,
                    starts_on=election.term_starts_on,
                )
        except ValidationError as exc:
            notes += f" {candidate.person} could not be appointed: {' '.join(exc.messages)}"
    return notes


class BallotsDoNotMatch(RuntimeError):
    """The ballots and the records of who voted disagree in number. That should never
    happen (both are written in one transaction); if it does, the election is not closed and
    no result is published until someone has looked."""


def election_close(*, actor: Any, election: Election) -> Election:
    """Close voting and seal the ballots; the counting officers are asked for their codes.
    An election whose voting never started (too few officers made a code) is void."""
    with transaction.atomic():
        election = _lock(election)
        if election.status != ElectionStatus.OPEN:
            raise ValidationError("This election has already closed.")
        if timezone.now() < election.voting_opens_at:
            raise ValidationError("Voting has not opened yet: cancel the election instead.")
        electorate_fix(election=election)
        if not election.electorate_fixed:
            if election.phase() == "voting":
                raise ValidationError(
                    "Voting is waiting for the counting officers' codes: it cannot be closed "
                    "before its window ends."
                )
            election.status = ElectionStatus.VOID
            election.closed_at = timezone.now()
            election.outcome = (
                f"Voting never started: fewer than {election.threshold} counting officers made "
                "their codes. The election must be run again."
            )
            record_actor(election, actor=actor, reason="Void: voting never started")
            election.save()
            return election
        # Closing early would cut the others' time to vote and could show a handful of
        # known voters' choices: only once the window ends, or everyone has voted.
        voted = Participation.objects.filter(election=election).count()
        everyone = Elector.objects.filter(election=election).count()
        if election.phase() == "voting" and voted < everyone:
            until = timezone.localtime(election.voting_closes_at)
            raise ValidationError(
                f"Voting is open until {until:%-d %B %Y, %H:%M} and {everyone - voted} of "
                f"{everyone} have not voted yet."
            )
        _seal(election)
        cast = Ballot.objects.filter(election=election).count()
        if cast != voted:
            # Not an assert: this must hold under ``python -O`` too. Raising rolls the whole
            # close back (the seal included), so nothing is published from a broken count.
            raise BallotsDoNotMatch(
                f"Election {election.pk} has {cast} ballot(s) but {voted} recorded vote(s): "
                "it was not closed and nothing was published."
            )
        election.status = ElectionStatus.SEALED
        election.board_digest = seal_digest(election)
        election.closed_at = timezone.now()
        election.turnout = voted
        election.electorate_size = everyone
        record_actor(election, actor=actor, reason="Closed and sealed")
        election.save()
        transaction.on_commit(lambda: officers_to_count(election))
    return election


def publish_result(
    election: Election, *, votes: dict[int, int], abstentions: int, actor: Any
) -> Election:
    """Publish and apply the counted totals (``election_count``, with the election locked)."""
    candidates = {c.pk: c for c in election.candidates.select_related("person", "organisation")}
    names = {pk: candidates[pk].person.full_name for pk in votes}
    elected, outcome, _tied = _decide(election, votes, names)
    for pk, count in votes.items():
        candidates[pk].votes = count
        candidates[pk].elected = pk in elected
        candidates[pk].save(update_fields=["votes", "elected"])
    election.status = ElectionStatus.CLOSED
    election.abstentions = abstentions
    if election.post in (Post.CHAIR, Post.DEPUTY_CHAIR):
        for pk in elected:
            outcome += _take_up_post(election, candidates[pk].person, candidates[pk].organisation)
    else:
        outcome += _fill_places(election, [candidates[pk] for pk in elected])
    election.outcome = outcome
    record_actor(election, actor=actor, reason="Counted")
    election.save()
    return election


def reballot_candidates(*, election: Election) -> list[Candidate]:
    """The tied candidates still to be decided, when the tie rule asks for a re-ballot."""
    if election.status != ElectionStatus.CLOSED or election.tie_rule != TieRule.REBALLOT:
        return []
    elected = election.candidates.filter(elected=True).count()
    if elected >= election.places:
        return []
    standing = [
        c for c in election.candidates.filter(status=CandidateStatus.ACCEPTED) if not c.elected
    ]
    if not standing:
        return []
    top = max(c.votes or 0 for c in standing)
    tied = [c for c in standing if (c.votes or 0) == top]
    return tied if len(tied) > election.places - elected else []


@transaction.atomic
def election_reballot(
    *, actor: Any, election: Election, voting_opens_at: datetime, voting_closes_at: datetime
) -> Election:
    """A new ballot between the tied candidates for the places still to fill."""
    tied = reballot_candidates(election=election)
    if not tied:
        raise ValidationError("This election has no tie to settle by re-ballot.")
    if election.reballots.exists():
        raise ValidationError("A re-ballot has already been opened.")
    now = timezone.now()
    opens = max(voting_opens_at, now)
    reballot = election_create(
        actor=actor,
        body=election.body,
        post=election.post,
        seat=election.seat,
        places=election.places - election.candidates.filter(elected=True).count(),
        nominations_open_at=now - timedelta(seconds=2),
        nominations_close_at=now - timedelta(seconds=1),
        voting_opens_at=opens,
        voting_closes_at=voting_closes_at,
        term_starts_on=election.term_starts_on,
        tie_rule=election.tie_rule,
        reballot_of=election,
    )
    candidates_copy(actor=actor, candidates=tied, to=reballot, reason="Tied in the previous ballot")
    # The same counting officers, who each make a new code (the co-ordinator can change them).
    copy_officers(actor=actor, source=election, target=reballot)
    return reballot


def candidates_copy(*, actor: Any, candidates, to: Election, reason: str) -> None:
    """``candidates`` stand in election ``to`` (a re-ballot or a re-run) as they stood."""
    for c in candidates:
        copy = Candidate(
            election=to,
            person=c.person,
            organisation=c.organisation,
            proposer=c.proposer,
            seconder=c.seconder,
            status=CandidateStatus.ACCEPTED,
            statement=c.statement,
        )
        record_actor(copy, actor=actor, reason=reason)
        copy.save()


@transaction.atomic
def election_cancel(*, actor: Any, election: Election) -> Election:
    election = _lock(election)
    if election.status != ElectionStatus.OPEN:
        raise ValidationError("This election has already closed.")
    if election.phase() in ("voting", "counting"):
        raise ValidationError("Voting has opened: close the election instead.")
    election.status = ElectionStatus.CANCELLED
    record_actor(election, actor=actor, reason="Cancelled")
    election.save(update_fields=["status"])
    return election


# --- scheduled work (membership.tasks.run_elections) ---------------------------------------------

REMINDER_BEFORE = timedelta(hours=48)


def elections_fix_electorates() -> int:
    due = Election.objects.filter(
        status=ElectionStatus.OPEN, electorate_fixed=False, voting_opens_at__lte=timezone.now()
    )
    fixed = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            now_fixed = electorate_fix(election=_lock(Election(pk=pk))).electorate_fixed
        fixed += now_fixed
        if not now_fixed:
            log.warning("election %s: voting waits for its counting officers' codes", pk)
    return fixed


def elections_send_reminders() -> int:
    """Remind each elector who has not voted, once, from 48 hours before voting closes. Each
    reminder is claimed and sent in one transaction: a failed send is retried, never doubled.
    The reminder is a notice in the elector's Messages; its e-mail goes straight away, or not
    at all if they turned election e-mails off (elections offer no digest)."""
    now = timezone.now()
    due = Election.objects.filter(
        status=ElectionStatus.OPEN,
        electorate_fixed=True,
        voting_opens_at__lte=now,
        voting_closes_at__gt=now,
        voting_closes_at__lte=now + REMINDER_BEFORE,
    ).select_related("body__partnership", "seat")
    sent = 0
    for election in due:
        voted = Participation.objects.filter(election=election).values("voter_id")
        waiting = Elector.objects.filter(election=election, reminded=False).exclude(
            person_id__in=voted
        )
        for elector in waiting.select_related("person"):
            try:
                with transaction.atomic():
                    claimed = Elector.objects.filter(pk=elector.pk, reminded=False).update(
                        reminded=True
                    )
                    # In Messages too, and e-mailed unless the elector turned elections off.
                    if claimed and notify_once(
                        to=elector.person,
                        key=f"election-reminder:{election.pk}:{elector.person_id}",
                        template="election_reminder",
                        context={"election": election, "person": elector.person},
                        url=reverse(
                            "membership:ballot",
                            kwargs={
                                "partnership": election.body.partnership.slug,
                                "body": election.body.slug,
                                "pk": election.pk,
                            },
                        ),
                    ):
                        sent += 1
            except Exception:
                # The claim rolled back: the next run tries this elector again. One bad
                # address must not hold up everyone else's reminder.
                log.exception(
                    "reminder to elector %s of election %s failed", elector.pk, election.pk
                )
    return sent


def elections_close_due() -> int:
    closed = 0
    due = Election.objects.filter(status=ElectionStatus.OPEN, voting_closes_at__lte=timezone.now())
    for election in due:
        try:
            election_close(actor=None, election=election)
            closed += 1
        except ValidationError as exc:
            # Usually closed meanwhile by a co-ordinator or another run; anything else is
            # worth a look, so it is logged.
            log.warning("election %s was not closed: %s", election.pk, " ".join(exc.messages))
        except BallotsDoNotMatch:
            # Left open for someone to look at; the other elections due still close.
            log.exception("election %s was not closed", election.pk)
    return closed
