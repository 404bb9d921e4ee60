"""Counting officers, the election's key, encrypted ballots and the count of the totals.

The secrecy of a ballot rests on the encryption (``membership.crypto``), not on the database:

- The co-ordinator names the counting officers (by default any two of three). Before voting
  opens each makes a counting code, shown to them once; the server keeps only a public key
  derived from it (``ElectionOfficer.code_key``).
- When voting opens (``key_deal``, inside ``electorate_fix`` under the election's row lock) the
  server makes the election's key pair, splits the private key into Shamir shares, encrypts
  each share to its officer's code key, and keeps the public key, the officers' verification
  keys and the wrapped shares. The private key and the shares live only in this function's
  frame: nobody, the server's operator included, can decrypt anything afterwards without a
  quorum of officers' codes.
- Each ballot is encrypted on casting (``ballot_encrypt``) with proofs that it is well formed,
  which are checked before it is stored. Nothing readable about a choice is ever written.
- At the count each officer enters their code (``count_share_submit``). The server recounts
  the encrypted totals from every ballot, each re-checked, and only the totals are partly
  decrypted with the officer's unwrapped share, bound to the digest of the ballots'
  fingerprints; the wrapped share is then emptied. When ``threshold`` officers have counted,
  the totals are combined and the result is published and applied as before.
- Too few officers able to count: the co-ordinator declares the election void
  (``election_void``) and runs it again (``election_rerun``).
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from membership.crypto import ballot as ballots
from membership.crypto import group, officers, shamir
from membership.crypto.group import Point

# Pure, so the public board's verifier computes them alike.
from membership.crypto.verify import board_digest, count_context
from membership.models import (
    Ballot,
    CandidateStatus,
    Election,
    ElectionOfficer,
    ElectionStatus,
    Participation,
    User,
)
from partnership.history import record_actor
from partnership.notifications import notify_once

log = logging.getLogger(__name__)

__all__ = [
    "BallotRefused",
    "Recount",
    "ballot_encrypt",
    "ballot_store",
    "board_digest",
    "context_of",
    "count_context",
    "copy_officers",
    "count_share_submit",
    "election_rerun",
    "election_void",
    "key_deal",
    "officer_code_make",
    "officers_editable",
    "officers_name",
    "officers_ready",
    "officers_to_count",
    "recount",
    "seal_digest",
]

ABSTAIN = "abstain"
MAX_OFFICERS = 9


# --- naming the officers and making codes ----------------------------------------------------


def _lock(election: Election) -> Election:
    return (
        Election.objects.select_for_update(of=("self",))
        .select_related("body__partnership", "seat")
        .get(pk=election.pk)
    )


def officers_editable(election: Election) -> bool:
    """Officers can be named or changed until the key is dealt (voting opens)."""
    return election.status == ElectionStatus.OPEN and election.public_key is None


@transaction.atomic
def officers_name(
    *, actor: Any, election: Election, people: list[User], threshold: int
) -> list[ElectionOfficer]:
    """Name the counting officers and how many of them must count together. Until voting
    opens they can be changed; an officer who stays keeps the code they made."""
    election = _lock(election)
    if not officers_editable(election):
        raise ValidationError("The counting officers are fixed once voting has opened.")
    unique = list(dict.fromkeys(people))
    errors = {}
    if len(unique) < 2:
        errors["officers"] = "Name at least two counting officers."
    elif len(unique) > MAX_OFFICERS:
        errors["officers"] = f"Name no more than {MAX_OFFICERS} counting officers."
    if len(unique) >= 2 and not 2 <= threshold <= len(unique):
        errors["threshold"] = f"Choose between 2 and {len(unique)}: no one officer may count alone."
    standing = set(
        election.candidates.exclude(status=CandidateStatus.DECLINED).values_list(
            "person_id", flat=True
        )
    )
    if errors.get("officers") is None and standing & {p.pk for p in unique}:
        errors["officers"] = "A candidate cannot be a counting officer in their own election."
    if errors:
        raise ValidationError(errors)
    kept = {o.person_id: o for o in election.officers.all()}
    wanted = {p.pk for p in unique}
    for person_id, officer in kept.items():
        if person_id not in wanted:
            record_actor(officer, actor=actor, reason="No longer a counting officer")
            officer.delete()
    # A kept officer keeps their index (their code key is bound to it); the new ones take the
    # lowest free indices.
    result = []
    taken = {o.index for pid, o in kept.items() if pid in wanted}
    free = (i for i in range(1, MAX_OFFICERS + 2) if i not in taken)
    for person in unique:
        officer = kept.get(person.pk)
        if officer is None:
            officer = ElectionOfficer(election=election, person=person, index=next(free))
            record_actor(officer, actor=actor, reason="Named counting officer")
            officer.save()
            _tell_named(officer)
        result.append(officer)
    if election.threshold != threshold:
        election.threshold = threshold
        record_actor(election, actor=actor, reason=f"Counting needs {threshold} officers")
        election.save(update_fields=["threshold"])
    return sorted(result, key=lambda o: o.index)


def _tell_named(officer: ElectionOfficer) -> None:
    election = officer.election
    notify_once(
        to=officer.person,
        key=f"election-officer:{election.pk}:{officer.person_id}",
        template="election_officer_named",
        context={"election": election, "person": officer.person},
        url=election.url("election_counting"),
    )


@sensitive_variables()
@transaction.atomic
def officer_code_make(*, actor: User, election: Election) -> str:
    """Make ``actor``'s counting code for ``election`` and return it, to be shown to them once.
    Only the public key derived from it is kept. A new code replaces the last until voting
    opens; after that it is too late (the share was encrypted to the last code)."""
    election = _lock(election)
    officer = election.officers.filter(person=actor).first()
    if officer is None:
        raise ValidationError("You are not a counting officer in this election.")
    if not officers_editable(election):
        raise ValidationError("Voting has opened: counting codes can no longer be made.")
    code = officers.new_code()
    officer.code_key = officers.code_key(
        code, election=str(election.pk), index=officer.index
    ).encode()
    officer.code_made_at = timezone.now()
    record_actor(officer, actor=actor, reason="Made a counting code")
    officer.save(update_fields=["code_key", "code_made_at"])
    return code


def officers_ready(election: Election) -> int:
    """How many officers have made a code."""
    return election.officers.filter(code_key__isnull=False).count()


# --- the key, when voting opens ----------------------------------------------------------------


@sensitive_variables()
def key_deal(*, election: Election) -> bool:
    """Make the election's key and deal it to the officers who made a code, if at least
    ``threshold`` did. Call with the election row locked, when voting opens. Returns whether
    the key is dealt (voting can start)."""
    if election.public_key is not None:
        return True
    holders = list(election.officers.filter(code_key__isnull=False).order_by("index"))
    if len(holders) < election.threshold:
        return False
    layout = [
        str(pk)
        for pk in election.candidates.filter(status=CandidateStatus.ACCEPTED)
        .order_by("pk")
        .values_list("pk", flat=True)
    ] + [ABSTAIN]
    # The secret key and its shares: in this frame only, never stored, logged or returned.
    secret = group.random_scalar()
    public = group.base_mul(secret)
    dealt = shamir.deal(secret, shares=max(o.index for o in holders), threshold=election.threshold)
    shares = {s.index: s for s in dealt}
    for officer in holders:
        share = shares[officer.index].value
        officer.verification_key = group.base_mul(share).encode()
        officer.wrapped_share = officers.wrap_share(
            share,
            key=Point.decode(bytes(officer.code_key)),
            election=str(election.pk),
            index=officer.index,
        )
    del secret, dealt, shares, share
    if not shamir.verification_keys_consistent(
        public,
        {o.index: Point.decode(o.verification_key) for o in holders},
        threshold=election.threshold,
    ):  # never expected: the shares just dealt must rebuild the key
        raise RuntimeError(f"election {election.pk}: the key was dealt inconsistently")
    ElectionOfficer.objects.bulk_update(holders, ["verification_key", "wrapped_share"])
    Election.objects.filter(pk=election.pk).update(public_key=public.encode(), layout=layout)
    election.public_key, election.layout = public.encode(), layout
    transaction.on_commit(lambda: _tell_dealt(election, holders))
    return True


def _tell_dealt(election: Election, holders: list[ElectionOfficer]) -> None:
    """Tell each officer, outside the database, which key their share was locked to: it must
    be the fingerprint shown with their code. A key swapped in the database before voting
    opened would show here as a different fingerprint."""
    election = Election.objects.select_related("body__partnership", "seat").get(pk=election.pk)
    for officer in holders:
        notify_once(
            to=officer.person,
            key=f"election-dealt:{election.pk}:{officer.person_id}",
            template="election_key_dealt",
            context={
                "election": election,
                "person": officer.person,
                "officer_key": officers.key_fingerprint(officer.code_key),
                "election_key": officers.key_fingerprint(election.public_key),
            },
            url=election.url("election_counting"),
        )


def context_of(election: Election) -> bytes:
    """The context every proof of ``election``'s ballots is bound to."""
    return ballots.ballot_context(
        election=str(election.pk),
        public_key=Point.decode(bytes(election.public_key)),
        layout=list(election.layout),
        places=election.places,
    )


# --- casting --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Encrypted:
    ciphertexts: bytes
    proofs: bytes
    fingerprint: str


@sensitive_variables()
def ballot_encrypt(*, election: Election, chosen: list[int], abstain: bool) -> Encrypted:
    """Encrypt a choice of candidate ids (or an abstention) under the election's key, with its
    proofs. ``ValidationError`` if the choice is not allowed;
    the message never names a candidate."""
    layout = list(election.layout)
    slots = {int(pk): i for i, pk in enumerate(layout[:-1])}
    if any(pk not in slots for pk in chosen):
        raise ValidationError({"choices": "Choose from the candidates listed."})
    context = context_of(election)
    public = Point.decode(bytes(election.public_key))
    try:
        made = ballots.make_ballot(
            public_key=public,
            candidates=len(slots),
            chosen=[slots[pk] for pk in chosen],
            abstain=abstain,
            places=election.places,
            context=context,
        )
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    # Its proofs are checked, as anyone could check them, by ``ballot_store``.
    ciphertexts, proofs = ballots.encode_ballot(made)
    return Encrypted(ciphertexts, proofs, ballots.fingerprint(ciphertexts, proofs, context=context))


def ballot_store(*, election: Election, encrypted: Encrypted) -> Ballot:
    """Check an encrypted ballot as anyone could, then store it. Call in the casting
    transaction, with the election locked."""
    context = context_of(election)
    ciphertexts, proofs = bytes(encrypted.ciphertexts), bytes(encrypted.proofs)
    _checked(election, ciphertexts, proofs, context=context)
    return Ballot.objects.create(
        election=election,
        ciphertexts=ciphertexts,
        proofs=proofs,
        fingerprint=ballots.fingerprint(ciphertexts, proofs, context=context),
    )


class BallotRefused(ValidationError):
    """A stored ballot failed its checks: tampering, or a fault. Nothing is counted."""


def _checked(
    election: Election, ciphertexts: bytes, proofs: bytes, *, context: bytes
) -> ballots.Ballot:
    try:
        decoded = ballots.decode_ballot(ciphertexts, proofs)
    except ValueError as exc:
        raise BallotRefused(f"A ballot is malformed: {exc}") from None
    problems = ballots.check_ballot(
        decoded,
        public_key=Point.decode(bytes(election.public_key)),
        candidates=len(election.layout) - 1,
        places=election.places,
        context=context,
    )
    if problems:
        raise BallotRefused(" ".join(problems))
    return decoded


# --- the count ---------------------------------------------------------------------------------


@dataclass
class Recount:
    totals: tuple
    digest: str
    ballots: int


def recount(election: Election) -> Recount:
    """The encrypted totals, added up again from every stored ballot, each re-checked, and
    the digest of their fingerprints. Never a stored total: a total someone replaced with one
    ballot would otherwise be decrypted. Their number must equal the number who voted."""
    rows = list(
        Ballot.objects.filter(election=election).values_list("ciphertexts", "proofs", "fingerprint")
    )
    context = context_of(election)
    checked, fingerprints = [], []
    for ciphertexts, proofs, stored in rows:
        ciphertexts, proofs = bytes(ciphertexts), bytes(proofs)
        checked.append(_checked(election, ciphertexts, proofs, context=context))
        # The digest is of the fingerprints worked out again, never of the stored text.
        fingerprint = ballots.fingerprint(ciphertexts, proofs, context=context)
        if not hmac.compare_digest(fingerprint.encode(), stored.lower().encode()):
            raise BallotRefused("A ballot's fingerprint does not match its contents.")
        fingerprints.append(fingerprint)
    if len(set(fingerprints)) != len(fingerprints):
        raise BallotRefused("The same ballot is stored twice: nothing was counted.")
    voted = Participation.objects.filter(election=election).count()
    if len(rows) != voted or (election.turnout is not None and voted != election.turnout):
        raise BallotRefused(
            f"There are {len(rows)} ballot(s) but {voted} recorded vote(s): nothing was counted."
        )
    totals = ballots.tally(checked, slots=len(election.layout))
    digest = board_digest(fingerprints)
    if election.board_digest and digest != election.board_digest:
        # The ballots are not those sealed (whose digest was sent to the officers).
        raise BallotRefused(
            "The ballots are not the ones sealed when voting closed: nothing was counted."
        )
    return Recount(totals=totals, digest=digest, ballots=len(rows))


def seal_digest(election: Election) -> str:
    """The digest of the sealed ballots' fingerprints, worked out again from their contents:
    recorded when voting closes and sent to the officers, so ballots changed afterwards are
    refused at the count (and an officer can compare it with what the counting page shows)."""
    context = context_of(election)
    return board_digest(
        [
            ballots.fingerprint(bytes(c), bytes(p), context=context)
            for c, p in Ballot.objects.filter(election=election).values_list(
                "ciphertexts", "proofs"
            )
        ]
    )


@sensitive_variables()
def count_share_submit(*, actor: User, election: Election, code: str) -> Election:
    """A counting officer counts with their code: their share is unwrapped in memory, checked,
    and used to partly decrypt the recounted totals; the wrapped share is emptied. The count
    completes, and the result is published and applied, when ``threshold`` officers have
    counted. ``BallotRefused`` if any ballot fails its checks."""
    from membership.services.elections import publish_result

    with transaction.atomic():
        election = _lock(election)
        if election.status != ElectionStatus.SEALED:
            raise ValidationError("This election is not waiting to be counted.")
        officer = election.officers.filter(person=actor).first()
        if officer is None:
            raise ValidationError("You are not a counting officer in this election.")
        if officer.partials is not None:
            raise ValidationError("You have already counted this election.")
        if officer.wrapped_share is None:
            raise ValidationError(
                "You hold no share of this election's key: you had not made a counting code "
                "when voting opened."
            )
        pk, index = str(election.pk), officer.index
        if officers.code_key(code, election=pk, index=index).encode() != bytes(officer.code_key):
            raise ValidationError(
                {
                    "code": "This is not your counting code for this election: check it against "
                    "the one you saved."
                }
            )
        share = officers.unwrap_share(
            bytes(officer.wrapped_share), code=code, election=pk, index=index
        )
        if group.base_mul(share).encode() != bytes(officer.verification_key):
            raise ValidationError("Your share of the key is damaged: tell the governance lead.")
        counted = recount(election)
        partials = ballots.partial_decrypt_tally(
            counted.totals,
            shamir.Share(index=index, value=share),
            context=count_context(context_of(election), counted.digest),
        )
        del share
        officer.partials = ballots.encode_partials(partials)
        officer.wrapped_share = None
        officer.counted_at = timezone.now()
        record_actor(officer, actor=actor, reason="Counted")
        officer.save(update_fields=["partials", "wrapped_share", "counted_at"])
        done = list(election.officers.filter(partials__isnull=False))
        if len(done) < election.threshold:
            return election
        try:
            results = ballots.decrypt_tally(
                counted.totals,
                {o.index: ballots.decode_partials(bytes(o.partials), index=o.index) for o in done},
                verification_keys={o.index: Point.decode(bytes(o.verification_key)) for o in done},
                threshold=election.threshold,
                bound=counted.ballots,
                context=count_context(context_of(election), counted.digest),
            )
        except ValueError as exc:
            # An earlier officer's partial decryption was of other ballots, or was altered.
            raise BallotRefused(f"The count does not check: {exc}") from None
        votes = {int(pk): n for pk, n in zip(election.layout[:-1], results[:-1], strict=True)}
        election.tally = ballots.encode_ciphertexts(counted.totals)
        election.board_digest = counted.digest  # as sealed (recount checked it)
        # Nothing more can be decrypted: the other officers' wrapped shares go too.
        election.officers.update(wrapped_share=None)
        return publish_result(election, votes=votes, abstentions=results[-1], actor=actor)


@transaction.atomic
def election_void(*, actor: Any, election: Election, reason: str = "") -> Election:
    """The election cannot be counted: too few officers can enter their codes. Nothing is
    decrypted; the wrapped shares are emptied; the election can be run again."""
    election = _lock(election)
    if election.status != ElectionStatus.SEALED:
        raise ValidationError("Only an election waiting to be counted can be declared void.")
    election.officers.update(wrapped_share=None)
    election.status = ElectionStatus.VOID
    election.outcome = reason or (
        f"Not counted: fewer than {election.threshold} counting officers could enter their "
        "codes. The election must be run again."
    )
    record_actor(election, actor=actor, reason="Declared void: could not be counted")
    election.save(update_fields=["status", "outcome"])
    return election


@transaction.atomic
def election_rerun(
    *, actor: Any, election: Election, voting_opens_at: datetime, voting_closes_at: datetime
) -> Election:
    """Run a void election again with the same candidates, and the same officers, who each
    make a new code (the co-ordinator can change them before voting opens)."""
    from membership.services.elections import candidates_copy, election_create

    election = _lock(election)
    if election.status != ElectionStatus.VOID:
        raise ValidationError("Only an election that could not be counted is run again.")
    if election.reruns.exists():
        raise ValidationError("This election is already being run again.")
    now = timezone.now()
    rerun = election_create(
        actor=actor,
        body=election.body,
        post=election.post,
        seat=election.seat,
        places=election.places,
        nominations_open_at=now - timedelta(seconds=2),
        nominations_close_at=now - timedelta(seconds=1),
        voting_opens_at=max(voting_opens_at, now),
        voting_closes_at=voting_closes_at,
        # The term cannot start before the new count: at the earliest the day after voting.
        term_starts_on=max(
            election.term_starts_on,
            timezone.localtime(voting_closes_at).date() + timedelta(days=1),
        ),
        tie_rule=election.tie_rule,
    )
    rerun.rerun_of = election
    rerun.save(update_fields=["rerun_of"])
    candidates_copy(
        actor=actor,
        candidates=election.candidates.filter(status=CandidateStatus.ACCEPTED),
        to=rerun,
        reason="Standing in the election run again",
    )
    copy_officers(actor=actor, source=election, target=rerun)
    rerun.refresh_from_db()  # officers_name saved the threshold on its own copy
    return rerun


def copy_officers(*, actor: Any, source: Election, target: Election) -> None:
    """Name ``source``'s officers for ``target`` (a re-run or a re-ballot), who each make a new
    code; with fewer than two, none: the co-ordinator names them."""
    people = [o.person for o in source.officers.select_related("person")]
    if len(people) >= 2:
        officers_name(
            actor=actor,
            election=target,
            people=people,
            threshold=min(source.threshold, len(people)),
        )


def officers_to_count(election: Election) -> None:
    """Tell each officer holding a share that the election is waiting for their code."""
    for officer in election.officers.filter(wrapped_share__isnull=False).select_related("person"):
        notify_once(
            to=officer.person,
            key=f"election-count:{election.pk}:{officer.person_id}",
            template="election_count_needed",
            context={
                "election": election,
                "person": officer.person,
                "digest": election.board_digest,
            },
            url=election.url("election_counting"),
        )
