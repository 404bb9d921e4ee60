"""Counting officers, the election's key, encrypted ballots and the count (issue 18):
membership/services/election_count.py through the election services.

- Naming the officers and their threshold; each officer's counting code, of which only a
  public key is kept.
- Voting waits for enough codes; the key is dealt when voting opens and its secret is never
  stored.
- Forged ballots are refused when cast; a ballot tampered with after sealing stops the count.
- Any ``threshold`` officers count the totals, recounted from the ballots; fewer count nothing.
- An election that cannot be counted is declared void and run again.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from membership import services as ms
from membership.crypto import group, shamir
from membership.crypto.ballot import (
    check_ballot,
    decode_ciphertexts,
    decode_partials,
    decrypt_tally,
    encode_ballot,
    encode_ciphertexts,
    make_ballot,
)
from membership.crypto.elgamal import Ciphertext
from membership.crypto.group import G, Point, base_mul
from membership.crypto.officers import code_key, unwrap_share
from membership.models import (
    Ballot,
    Candidate,
    Election,
    ElectionOfficer,
    Elector,
    Membership,
    Participation,
)
from membership.services.election_count import (
    BallotRefused,
    Encrypted,
    board_digest,
    context_of,
    count_context,
    recount,
)
from membership.services.elections import receipt_counted
from partnership.models import Notice
from tests.factories import UserFactory
from tests.membership.elections_helpers import (
    CODES,
    add_voters,
    chair_election,
    close,
    count,
    name_officers,
    set_phase,
    stand,
)

# --- building elections ------------------------------------------------------------------------


@pytest.fixture
def voters(world):
    return add_voters(world, 8)


def _election(world, **kwargs) -> Election:
    now = timezone.now()
    return ms.election_create(
        actor=world.coordinator,
        body=world.board,
        nominations_open_at=now - timedelta(hours=1),
        nominations_close_at=now + timedelta(hours=24),
        voting_opens_at=now + timedelta(hours=48),
        voting_closes_at=now + timedelta(hours=96),
        term_starts_on=(now + timedelta(days=5)).date(),
        tie_rule="lot",
        **kwargs,
    )


def chair_contest(world, voters) -> tuple[Election, list[Candidate]]:
    """A chair election, in nominations, with three candidates standing and no officers."""
    election = _election(world, post="chair")
    standing = [
        stand(election, world.member, voters[0], voters[1]),
        stand(election, voters[6], voters[0], voters[1]),
        stand(election, voters[7], voters[2], voters[3]),
    ]
    return election, standing


def seat_contest(world, voters) -> tuple[Election, list[Candidate], object]:
    """An election of two to a seat of the Board, three applicants standing."""
    seat = ms.seat_create(actor=None, body=world.board, name="Business", count=2, sector="private")
    election = _election(world, post="seat", seat=seat, places=2)
    standing = []
    for person in [UserFactory() for _ in range(3)]:
        c = ms.candidate_propose(
            actor=voters[0], election=election, person=person, organisation=world.business
        )
        ms.candidate_second(actor=voters[1], candidate=c)
        standing.append(
            ms.candidate_respond(actor=person, candidate=c, accept=True, statement="I can")
        )
    return election, standing, seat


def electors(world, voters) -> list:
    """Everyone with a vote on the Board: ten people."""
    return [world.chair, world.member, *voters]


def vote(election, plan) -> list[str]:
    """Cast each ``(voter, candidates)`` ballot; ``None`` abstains. The receipts, in order."""
    return [
        ms.ballot_cast(
            voter=voter,
            election=election,
            choices=[c.pk for c in chosen or []],
            abstain=chosen is None,
        )
        for voter, chosen in plan
    ]


def seal(election) -> Election:
    set_phase(election, "counting")
    election = ms.election_close(actor=None, election=election)
    assert election.status == "sealed"
    return election


def submit(election, officer, code=None) -> Election:
    code = CODES[election.pk][officer.person_id] if code is None else code
    return ms.count_share_submit(actor=officer.person, election=election, code=code)


def officers_of(election) -> list[ElectionOfficer]:
    return list(ElectionOfficer.objects.filter(election=election).select_related("person"))


def counting_url(election) -> str:
    return reverse(
        "membership:election_counting",
        kwargs={"partnership": "testshire", "body": "board", "pk": election.pk},
    )


def votes_of(standing) -> list:
    return [Candidate.objects.get(pk=c.pk).votes for c in standing]


@pytest.fixture
def sealed(world, voters):
    """A chair election with officers (two of three count), voted in and sealed: the member
    has 4 votes, voters[6] 3 and voters[7] 1; two abstain."""
    election, standing = chair_contest(world, voters)
    name_officers(election)
    election = set_phase(election, "voting")
    a, b, c = standing
    people = electors(world, voters)
    receipts = vote(
        election,
        [(p, [a]) for p in people[:4]]
        + [(p, [b]) for p in people[4:7]]
        + [(people[7], [c]), (people[8], None), (people[9], None)],
    )
    return seal(election), standing, receipts


def counted_nothing(election, standing) -> None:
    """Nothing of the count was kept, and the election still waits for it."""
    election.refresh_from_db()
    assert election.status == "sealed"
    # The digest of the sealed ballots is recorded (and sent to the officers) at sealing.
    assert election.tally is None and len(election.board_digest) == 64
    assert election.abstentions is None and election.outcome == ""
    assert votes_of(standing) == [None, None, None]
    assert not Candidate.objects.filter(election=election, elected=True).exists()


# --- naming the officers -------------------------------------------------------------------------


def test_officers_are_named_with_a_threshold_and_each_is_told(world, voters):
    election, _ = chair_contest(world, voters)
    people = [UserFactory() for _ in range(4)]
    named = ms.officers_name(actor=world.coordinator, election=election, people=people, threshold=3)
    assert [(o.index, o.person) for o in named] == list(enumerate(people, start=1))
    election.refresh_from_db()
    assert election.threshold == 3
    assert election.history.first().history_change_reason == "Counting needs 3 officers"
    for o in named:
        assert o.code_key is None and o.wrapped_share is None
        assert o.history.first().history_change_reason == "Named counting officer"
    notices = Notice.objects.filter(key__startswith=f"election-officer:{election.pk}:")
    assert sorted(n.recipient_id for n in notices) == sorted(p.pk for p in people)
    for notice in notices:
        assert notice.key == f"election-officer:{election.pk}:{notice.recipient_id}"
        assert "counting officer" in notice.subject
        assert notice.url == counting_url(election)

    # Nobody else was told.
    assert not Notice.objects.filter(key__startswith="election-officer:").exclude(
        recipient__in=people
    )


@pytest.mark.parametrize("n", [0, 1])
def test_fewer_than_two_officers_are_refused(world, voters, n):
    election, _ = chair_contest(world, voters)
    people = [UserFactory() for _ in range(n)]
    with pytest.raises(ValidationError) as refused:
        ms.officers_name(actor=None, election=election, people=people, threshold=2)
    assert refused.value.message_dict["officers"] == ["Name at least two counting officers."]
    assert not ElectionOfficer.objects.filter(election=election).exists()


def test_one_person_named_twice_is_one_officer(world, voters):
    election, _ = chair_contest(world, voters)
    person = UserFactory()
    with pytest.raises(ValidationError) as refused:
        ms.officers_name(actor=None, election=election, people=[person, person], threshold=2)
    assert "officers" in refused.value.message_dict


def test_more_than_nine_officers_are_refused(world, voters):
    election, _ = chair_contest(world, voters)
    with pytest.raises(ValidationError) as refused:
        ms.officers_name(
            actor=None, election=election, people=[UserFactory() for _ in range(10)], threshold=2
        )
    assert "no more than 9" in refused.value.message_dict["officers"][0]


@pytest.mark.parametrize("threshold", [0, 1, 4, 9])
def test_the_threshold_is_between_two_and_the_number_of_officers(world, voters, threshold):
    election, _ = chair_contest(world, voters)
    with pytest.raises(ValidationError) as refused:
        ms.officers_name(
            actor=None,
            election=election,
            people=[UserFactory() for _ in range(3)],
            threshold=threshold,
        )
    assert refused.value.message_dict["threshold"] == [
        "Choose between 2 and 3: no one officer may count alone."
    ]
    assert not ElectionOfficer.objects.filter(election=election).exists()
    election.refresh_from_db()
    assert election.threshold == 2


def test_the_threshold_may_be_every_officer(world, voters):
    election, _ = chair_contest(world, voters)
    ms.officers_name(
        actor=None, election=election, people=[UserFactory() for _ in range(3)], threshold=3
    )
    election.refresh_from_db()
    assert election.threshold == 3


def test_a_candidate_cannot_count_their_own_election(world, voters):
    election, standing = chair_contest(world, voters)
    with pytest.raises(ValidationError) as refused:
        ms.officers_name(
            actor=None,
            election=election,
            people=[UserFactory(), standing[1].person],
            threshold=2,
        )
    assert refused.value.message_dict["officers"] == [
        "A candidate cannot be a counting officer in their own election."
    ]
    # Proposed and not yet seconded is standing too; a declined nomination is not.
    proposed = ms.candidate_propose(actor=voters[0], election=election, person=voters[5])
    with pytest.raises(ValidationError, match="A candidate cannot"):
        ms.officers_name(
            actor=None, election=election, people=[UserFactory(), voters[5]], threshold=2
        )
    ms.candidate_second(actor=voters[1], candidate=proposed)
    ms.candidate_respond(actor=voters[5], candidate=proposed, accept=False)
    named = ms.officers_name(
        actor=None, election=election, people=[UserFactory(), voters[5]], threshold=2
    )
    assert voters[5] in [o.person for o in named]


def test_a_counting_officer_cannot_then_be_proposed(world, voters):
    election, _ = chair_contest(world, voters)
    ms.officers_name(actor=None, election=election, people=[UserFactory(), voters[5]], threshold=2)
    with pytest.raises(ValidationError) as refused:
        ms.candidate_propose(actor=voters[0], election=election, person=voters[5])
    assert "is a counting officer in this election" in refused.value.message_dict["person"][0]
    assert not Candidate.objects.filter(election=election, person=voters[5]).exists()
    # Once replaced as an officer, they may stand.
    ms.officers_name(
        actor=None, election=election, people=[UserFactory(), UserFactory()], threshold=2
    )
    ms.candidate_propose(actor=voters[0], election=election, person=voters[5])


def test_an_officer_who_stays_keeps_their_index_and_code(world, voters):
    election, _ = chair_contest(world, voters)
    a, b, c, d = (UserFactory() for _ in range(4))
    ms.officers_name(actor=world.coordinator, election=election, people=[a, b, c], threshold=2)
    code = ms.officer_code_make(actor=b, election=election)
    kept = ElectionOfficer.objects.get(election=election, person=b)
    key, made = bytes(kept.code_key), kept.code_made_at

    named = ms.officers_name(
        actor=world.coordinator, election=election, people=[c, d, b], threshold=3
    )
    assert [(o.index, o.person) for o in named] == [(1, d), (2, b), (3, c)]
    b_now = ElectionOfficer.objects.get(election=election, person=b)
    assert b_now.pk == kept.pk and b_now.index == 2
    assert bytes(b_now.code_key) == key and b_now.code_made_at == made
    assert bytes(b_now.code_key) == code_key(code, election=str(election.pk), index=2).encode()
    # a is no longer an officer, on the record; d is told, b and c are not told twice.
    assert not ElectionOfficer.objects.filter(election=election, person=a).exists()
    gone = ElectionOfficer.history.filter(election_id=election.pk, person=a).first()
    assert gone.history_type == "-"
    assert gone.history_change_reason == "No longer a counting officer"
    told = Notice.objects.filter(key__startswith=f"election-officer:{election.pk}:")
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted(p.pk for p in (a, b, c, d))
    election.refresh_from_db()
    assert election.threshold == 3


def test_officers_and_codes_are_fixed_once_voting_opens(world, voters):
    election, _ = chair_contest(world, voters)
    named = name_officers(election)
    set_phase(election, "voting")
    ms.elections_fix_electorates()
    election.refresh_from_db()
    assert election.public_key is not None
    with pytest.raises(ValidationError, match="fixed once voting has opened"):
        ms.officers_name(
            actor=None, election=election, people=[UserFactory(), UserFactory()], threshold=2
        )
    keys = {o.pk: bytes(o.code_key) for o in officers_of(election)}
    with pytest.raises(ValidationError, match="Voting has opened"):
        ms.officer_code_make(actor=named[0].person, election=election)
    assert {o.pk: bytes(o.code_key) for o in officers_of(election)} == keys
    assert [o.person for o in officers_of(election)] == [o.person for o in named]


# --- counting codes ------------------------------------------------------------------------------


def test_only_an_officer_makes_a_code(world, voters):
    election, standing = chair_contest(world, voters)
    name_officers(election)
    for person in (world.coordinator, world.member, UserFactory()):
        with pytest.raises(ValidationError, match="not a counting officer"):
            ms.officer_code_make(actor=person, election=election)


def _row_text(model, **filters) -> list[str]:
    """Every column of the rows, as text (bytes in hex as well as raw)."""
    out = []
    for row in model._default_manager.filter(**filters).values():
        for value in row.values():
            if isinstance(value, bytes | memoryview):
                value = bytes(value)
                out += [value.hex(), value.decode("latin-1")]
            else:
                out.append(str(value))
    return out


def test_only_the_public_key_of_a_code_is_kept(world, voters):
    election, _ = chair_contest(world, voters)
    people = [UserFactory() for _ in range(3)]
    named = ms.officers_name(actor=None, election=election, people=people, threshold=2)
    officer = named[1]
    sent = len(mail.outbox)
    first = ms.officer_code_make(actor=officer.person, election=election)
    code = ms.officer_code_make(actor=officer.person, election=election)  # a new one
    outbox = mail.outbox[sent:]
    assert first != code
    officer.refresh_from_db()
    assert bytes(officer.code_key) == (
        code_key(code, election=str(election.pk), index=officer.index).encode()
    )
    assert officer.code_made_at is not None
    assert [h.history_change_reason for h in officer.history.all()[:2]] == [
        "Made a counting code",
        "Made a counting code",
    ]
    # The history keeps none of the keys.
    history_fields = {f.name for f in ElectionOfficer.history.model._meta.fields}
    assert not {"code_key", "verification_key", "wrapped_share", "partials"} & history_fields

    stored = (
        _row_text(ElectionOfficer, election=election)
        + _row_text(ElectionOfficer.history.model, election_id=election.pk)
        + _row_text(Election, pk=election.pk)
        + _row_text(Election.history.model, id=election.pk)
        + _row_text(Notice, recipient__in=people)
    )
    mails = [m.subject + m.body + str(getattr(m, "alternatives", "")) for m in mail.outbox]
    assert outbox == []  # making a code sends nothing
    for made in (first, code):
        for form in {made, made.replace("-", ""), made.lower(), made.replace("-", "").lower()}:
            assert not [s for s in stored if form in s], form
            assert not [m for m in mails if form in m], form


# --- voting waits for the codes ------------------------------------------------------------------


def test_voting_waits_until_enough_officers_have_made_a_code(world, voters):
    election, standing = chair_contest(world, voters)
    named = ms.officers_name(
        actor=None, election=election, people=[UserFactory() for _ in range(3)], threshold=2
    )
    ms.officer_code_make(actor=named[0].person, election=election)
    election = set_phase(election, "voting")

    with pytest.raises(ValidationError) as refused:
        ms.ballot_cast(voter=voters[0], election=election, choices=[standing[0].pk])
    assert refused.value.messages[0].startswith(
        "Voting cannot start until the counting officers have made their codes."
    )
    ms.elections_fix_electorates()  # the job tries, and voting still waits
    election.refresh_from_db()
    assert not election.electorate_fixed and election.public_key is None
    assert election.layout == []
    assert not Elector.objects.filter(election=election).exists()
    assert not Participation.objects.filter(election=election).exists()
    assert not Ballot.objects.filter(election=election).exists()

    # A second code while voting waits: the key is dealt to the two who made one.
    ms.officer_code_make(actor=named[2].person, election=election)
    receipt = ms.ballot_cast(voter=voters[0], election=election, choices=[standing[0].pk])
    election.refresh_from_db()
    assert election.electorate_fixed and election.public_key is not None
    assert len(receipt) == 64 and Ballot.objects.get(election=election).fingerprint == receipt
    holders = ElectionOfficer.objects.filter(election=election, wrapped_share__isnull=False)
    assert sorted(holders.values_list("index", flat=True)) == [1, 3]
    assert ElectionOfficer.objects.get(election=election, index=2).verification_key is None
    with pytest.raises(ValidationError, match="Voting has opened"):
        ms.officer_code_make(actor=named[1].person, election=election)


def test_closing_an_election_that_never_started_voting_makes_it_void(world, voters):
    election, standing = chair_contest(world, voters)
    named = ms.officers_name(
        actor=None, election=election, people=[UserFactory() for _ in range(3)], threshold=3
    )
    for officer in named[:2]:
        ms.officer_code_make(actor=officer.person, election=election)
    set_phase(election, "voting")
    with pytest.raises(ValidationError, match="Voting cannot start"):
        ms.ballot_cast(voter=voters[0], election=election, choices=[standing[0].pk])
    set_phase(election, "counting")

    election = ms.election_close(actor=world.coordinator, election=election)
    assert election.status == "void" and election.closed_at is not None
    assert election.outcome == (
        "Voting never started: fewer than 3 counting officers made their codes. "
        "The election must be run again."
    )
    election.refresh_from_db()
    assert election.status == "void" and election.public_key is None
    assert election.history.first().history_change_reason == "Void: voting never started"
    assert not Elector.objects.filter(election=election).exists()
    assert votes_of(standing) == [None, None, None]
    with pytest.raises(ValidationError, match="not waiting to be counted"):
        ms.count_share_submit(actor=named[0].person, election=election, code="x")
    # It is run again like any void election.
    now = timezone.now()
    rerun = ms.election_rerun(
        actor=world.coordinator,
        election=election,
        voting_opens_at=now + timedelta(hours=1),
        voting_closes_at=now + timedelta(days=2),
    )
    assert rerun.rerun_of == election and rerun.threshold == 3


# --- the key -------------------------------------------------------------------------------------


def _stored_blobs(election) -> list[bytes]:
    """Every column of every row of every membership table that belongs to ``election``:
    the election and its history, and whatever has an ``election`` (officers and their
    history, candidates, electors, participations, ballots)."""
    blobs = []
    history = Election.history.model
    for model in apps.get_app_config("membership").get_models():
        columns = {f.attname for f in model._meta.concrete_fields}
        if model in (Election, history):
            rows = model._default_manager.filter(id=election.pk)
        elif "election_id" in columns:
            rows = model._default_manager.filter(election_id=election.pk)
        else:
            continue
        for row in rows.values():
            for value in row.values():
                if isinstance(value, bytes | memoryview):
                    blobs.append(bytes(value))
                elif value is not None:
                    blobs.append(str(value).encode())
    return blobs


def _never_stored(scalars, election) -> None:
    blobs = _stored_blobs(election)
    assert len(blobs) > 50  # the scan sees the tables
    for scalar in scalars:
        raw = scalar.to_bytes(32, "big")
        needles = [raw, raw.hex().encode(), raw.hex().upper().encode(), str(scalar).encode()]
        found = [b for b in blobs for n in needles if n in b]
        assert not found, "a secret scalar is stored"


def test_the_key_is_dealt_when_voting_opens_and_its_secret_is_never_stored(
    world, voters, monkeypatch
):
    election, standing = chair_contest(world, voters)
    declined = ms.candidate_propose(actor=voters[0], election=election, person=voters[5])
    ms.candidate_second(actor=voters[1], candidate=declined)
    ms.candidate_respond(actor=voters[5], candidate=declined, accept=False)
    named = name_officers(election, officers=4, threshold=3)
    set_phase(election, "voting")

    drawn = []
    real = group.random_scalar

    def recording():
        value = real()
        drawn.append(value)
        return value

    monkeypatch.setattr(group, "random_scalar", recording)
    ms.elections_fix_electorates()  # the job that opens voting
    monkeypatch.setattr(group, "random_scalar", real)
    assert drawn

    election.refresh_from_db()
    public = Point.decode(bytes(election.public_key))
    assert election.layout == [str(c.pk) for c in sorted(standing, key=lambda c: c.pk)] + [
        "abstain"
    ]
    # The secret was among the scalars drawn; it is the one whose multiple is the public key.
    assert [s for s in drawn if base_mul(s) == public]
    officers = officers_of(election)
    keys = {o.index: Point.decode(bytes(o.verification_key)) for o in officers}
    assert sorted(keys) == [1, 2, 3, 4]
    assert shamir.verification_keys_consistent(public, keys, threshold=3)
    assert not shamir.verification_keys_consistent(public, keys, threshold=2)
    # Each officer's code opens their share, and nothing else does.
    shares = []
    for o in officers:
        share = unwrap_share(
            bytes(o.wrapped_share),
            code=CODES[election.pk][o.person_id],
            election=str(election.pk),
            index=o.index,
        )
        assert base_mul(share) == keys[o.index]
        shares.append(shamir.Share(index=o.index, value=share))
    # Any three of them would rebuild the secret (the test may; the application never does).
    secret = shamir.interpolate(shares[1:])
    assert base_mul(secret) == public and secret in drawn
    _never_stored([*drawn, *(s.value for s in shares)], election)

    # Nor is it stored by voting, sealing or the count.
    a, b, c = standing
    vote(election, [(voters[0], [a]), (voters[1], [b]), (voters[2], None)])
    election = count(seal(election))
    assert election.status == "closed" and votes_of(standing) == [1, 1, 0]
    assert not ElectionOfficer.objects.filter(election=election, wrapped_share__isnull=False)
    _never_stored([*drawn, *(s.value for s in shares)], election)
    assert len(named) == 4


def test_the_key_is_dealt_once(world, voters):
    election, standing = chair_contest(world, voters)
    name_officers(election)
    election = set_phase(election, "voting")
    vote(election, [(voters[0], [standing[0]])])
    election.refresh_from_db()
    public, wrapped = (
        bytes(election.public_key),
        {o.pk: bytes(o.wrapped_share) for o in officers_of(election)},
    )
    vote(election, [(voters[1], [standing[1]])])
    ms.elections_fix_electorates()
    election.refresh_from_db()
    assert bytes(election.public_key) == public
    assert {o.pk: bytes(o.wrapped_share) for o in officers_of(election)} == wrapped


# --- forged and tampered ballots -----------------------------------------------------------------


@pytest.fixture
def voting(world, voters):
    """A chair election of three candidates, voting open and the key dealt."""
    election, standing = chair_contest(world, voters)
    name_officers(election)
    election = set_phase(election, "voting")
    ms.elections_fix_electorates()
    election.refresh_from_db()
    return election, standing


def _honest(election, slots, **kwargs):
    return make_ballot(
        public_key=Point.decode(bytes(election.public_key)),
        candidates=len(election.layout) - 1,
        places=election.places,
        context=context_of(election),
        **{"chosen": slots, "abstain": False, **kwargs},
    )


def _encrypted(ballot) -> Encrypted:
    ciphertexts, proofs = encode_ballot(ballot)
    return Encrypted(ciphertexts, proofs, "0" * 64)


def _forged(election, kind) -> Encrypted:
    public = Point.decode(bytes(election.public_key))
    candidates, context = len(election.layout) - 1, context_of(election)
    if kind == "two choices for one place":
        # Made as for an election of two places: its sum proof is for 1 or 2.
        return _encrypted(
            make_ballot(
                public_key=public,
                candidates=candidates,
                chosen=[0, 1],
                abstain=False,
                places=2,
                context=context,
            )
        )
    if kind == "two votes in one slot":
        # The first slot's 1 turned into 2, keeping the proofs made for 1.
        honest = _honest(election, [0])
        first = honest.ciphertexts[0]
        forged = (Ciphertext(first.a, first.b + G), *honest.ciphertexts[1:])
        return _encrypted(
            type(honest)(
                ciphertexts=forged, slot_proofs=honest.slot_proofs, sum_proof=honest.sum_proof
            )
        )
    if kind == "a vote taken from another slot":
        # Slot 0 holds 1 and slot 1 holds -1 (an encryption of 0 minus G): the sum still 1.
        honest = _honest(election, [0])
        second = honest.ciphertexts[1]
        forged = (
            honest.ciphertexts[0],
            Ciphertext(second.a, second.b - G),
            *honest.ciphertexts[2:],
        )
        return _encrypted(
            type(honest)(
                ciphertexts=forged, slot_proofs=honest.slot_proofs, sum_proof=honest.sum_proof
            )
        )
    if kind == "another election's ballot":
        other = bytes(context[::-1])
        return _encrypted(
            make_ballot(
                public_key=public,
                candidates=candidates,
                chosen=[0],
                abstain=False,
                places=1,
                context=other,
            )
        )
    if kind == "another key":
        return _encrypted(
            make_ballot(
                public_key=base_mul(group.random_scalar()),
                candidates=candidates,
                chosen=[0],
                abstain=False,
                places=1,
                context=context,
            )
        )
    if kind == "too few slots":
        return _encrypted(
            make_ballot(
                public_key=public,
                candidates=candidates - 1,
                chosen=[0],
                abstain=False,
                places=1,
                context=context,
            )
        )
    if kind in ("a proof's byte altered", "a ciphertext's byte altered"):
        ciphertexts, proofs = encode_ballot(_honest(election, [1]))
        if kind == "a proof's byte altered":
            proofs = proofs[:40] + bytes([proofs[40] ^ 1]) + proofs[41:]
        else:
            ciphertexts = ciphertexts[:50] + bytes([ciphertexts[50] ^ 1]) + ciphertexts[51:]
        return Encrypted(ciphertexts, proofs, "0" * 64)
    if kind == "truncated":
        ciphertexts, proofs = encode_ballot(_honest(election, [1]))
        return Encrypted(ciphertexts, proofs[:-1], "0" * 64)
    raise AssertionError(kind)


FORGERIES = [
    "two choices for one place",
    "two votes in one slot",
    "a vote taken from another slot",
    "another election's ballot",
    "another key",
    "too few slots",
    "a proof's byte altered",
    "a ciphertext's byte altered",
    "truncated",
]


@pytest.mark.parametrize("kind", FORGERIES)
def test_a_forged_ballot_is_refused_and_not_stored(voting, kind):
    election, _ = voting
    forged = _forged(election, kind)
    with pytest.raises(ValidationError) as refused:
        ms.ballot_store(election=election, encrypted=forged)
    assert isinstance(refused.value, BallotRefused)
    assert not Ballot.objects.filter(election=election).exists()


def test_an_honest_ballot_passes_the_same_door(voting):
    election, _ = voting
    for slots, abstain in (([0], False), ([2], False), ([], True)):
        honest = _encrypted(_honest(election, slots, abstain=abstain))
        stored = ms.ballot_store(election=election, encrypted=honest)
        assert bytes(stored.ciphertexts) == honest.ciphertexts
    assert Ballot.objects.filter(election=election).count() == 3


def test_a_seat_ballot_with_more_choices_than_places_is_refused(world, voters):
    election, standing, _ = seat_contest(world, voters)
    name_officers(election)
    election = set_phase(election, "voting")
    ms.elections_fix_electorates()
    election.refresh_from_db()
    public, context = Point.decode(bytes(election.public_key)), context_of(election)
    # Made as for three places: three choices, each slot a proper 0 or 1.
    three = make_ballot(
        public_key=public, candidates=3, chosen=[0, 1, 2], abstain=False, places=3, context=context
    )
    assert not check_ballot(three, public_key=public, candidates=3, places=3, context=context)
    with pytest.raises(BallotRefused):
        ms.ballot_store(election=election, encrypted=_encrypted(three))
    two = _encrypted(_honest(election, [0, 2]))
    assert ms.ballot_store(election=election, encrypted=two)
    # Cast through the service, three choices are refused before anything is encrypted.
    with pytest.raises(ValidationError, match="no more than 2"):
        vote(election, [(voters[0], standing)])


TAMPERING = ["ciphertexts replaced", "a valid ballot swapped in", "deleted", "added"]


def _tamper(election, kind) -> None:
    ballot = Ballot.objects.filter(election=election).order_by("fingerprint").first()
    other = Ballot.objects.filter(election=election).exclude(pk=ballot.pk).first()
    if kind == "ciphertexts replaced":
        # Another ballot's ciphertexts: proper points, but the proofs no longer fit them.
        assert bytes(other.ciphertexts) != bytes(ballot.ciphertexts)
        Ballot.objects.filter(pk=ballot.pk).update(ciphertexts=bytes(other.ciphertexts))
    elif kind == "a valid ballot swapped in":
        # A well-formed ballot for another candidate, under the old fingerprint.
        fresh = ms.ballot_encrypt(
            election=election, chosen=[int(election.layout[1])], abstain=False
        )
        Ballot.objects.filter(pk=ballot.pk).update(
            ciphertexts=fresh.ciphertexts, proofs=fresh.proofs
        )
    elif kind == "deleted":
        Ballot.objects.filter(pk=ballot.pk).delete()
    elif kind == "added":
        fresh = ms.ballot_encrypt(
            election=election, chosen=[int(election.layout[0])], abstain=False
        )
        Ballot.objects.create(
            election=election,
            ciphertexts=fresh.ciphertexts,
            proofs=fresh.proofs,
            fingerprint=fresh.fingerprint,
        )
    else:
        raise AssertionError(kind)


MESSAGES = {
    "ciphertexts replaced": "does not check",
    "a valid ballot swapped in": "fingerprint does not match",
    "deleted": "There are 9 ballot\\(s\\) but 10 recorded vote\\(s\\)",
    "added": "There are 11 ballot\\(s\\) but 10 recorded vote\\(s\\)",
}


@pytest.mark.parametrize("kind", TAMPERING)
def test_a_ballot_tampered_with_after_sealing_stops_the_count(sealed, kind):
    election, standing, _ = sealed
    _tamper(election, kind)
    first, second, third = officers_of(election)
    with pytest.raises(BallotRefused, match=MESSAGES[kind]):
        submit(election, first)
    counted_nothing(election, standing)
    for o in officers_of(election):
        assert o.partials is None and o.counted_at is None and o.wrapped_share is not None
    assert not receipt_counted(election=election, receipt=sealed[2][0])


@pytest.mark.parametrize("kind", TAMPERING)
def test_tampering_between_two_officers_counts_stops_the_count(sealed, kind):
    election, standing, _ = sealed
    first, second, _ = officers_of(election)
    election = submit(election, first)
    _tamper(election, kind)
    with pytest.raises(BallotRefused, match=MESSAGES[kind]):
        submit(election, second)
    counted_nothing(election, standing)
    second.refresh_from_db()
    assert second.partials is None and second.wrapped_share is not None


def test_ballots_changed_between_two_officers_counts_stop_the_count(sealed):
    """A ballot replaced whole, fingerprint and all, after the first officer counted, and the
    sealed digest changed to match: the numbers match, but the first officer's partial
    decryptions were of other totals and no longer check, so nothing is counted."""
    election, standing, receipts = sealed
    first, second, _ = officers_of(election)
    election = submit(election, first)
    victim = Ballot.objects.get(election=election, fingerprint=receipts[0])
    fresh = ms.ballot_encrypt(election=election, chosen=[standing[2].pk], abstain=False)
    Ballot.objects.filter(pk=victim.pk).update(
        ciphertexts=fresh.ciphertexts, proofs=fresh.proofs, fingerprint=fresh.fingerprint
    )
    Election.objects.filter(pk=election.pk).update(board_digest=ms.seal_digest(election))
    with pytest.raises(BallotRefused, match="Officer 1's partial decryption .* does not check"):
        submit(election, second)
    counted_nothing(election, standing)
    second.refresh_from_db()
    assert second.partials is None and second.wrapped_share is not None


def test_an_officers_stored_count_altered_stops_the_count(sealed):
    election, standing, _ = sealed
    first, second, _ = officers_of(election)
    election = submit(election, first)
    first.refresh_from_db()
    altered = bytearray(bytes(first.partials))
    altered[-1] ^= 1
    ElectionOfficer.objects.filter(pk=first.pk).update(partials=bytes(altered))
    with pytest.raises(BallotRefused, match="Officer 1's partial decryption .* does not check"):
        submit(election, second)
    counted_nothing(election, standing)


def test_a_ballot_replaced_whole_after_sealing_is_refused_by_the_sealed_digest(sealed):
    """Someone who can write to the database swaps a ballot for a well-formed one with its own
    fingerprint: the numbers match, but the digest of the ballots is not the one recorded at
    sealing (and sent to the officers), so nothing is counted."""
    election, standing, receipts = sealed
    victim = Ballot.objects.get(election=election, fingerprint=receipts[0])
    fresh = ms.ballot_encrypt(election=election, chosen=[standing[2].pk], abstain=False)
    Ballot.objects.filter(pk=victim.pk).update(
        ciphertexts=fresh.ciphertexts, proofs=fresh.proofs, fingerprint=fresh.fingerprint
    )
    with pytest.raises(BallotRefused, match="not the ones sealed"):
        count(election)
    counted_nothing(election, standing)


def test_if_the_sealed_digest_is_changed_too_the_officers_see_another_digest(sealed):
    """A writer who also changes the recorded digest gets the count through, but the counting
    page then shows a digest that is not the one e-mailed to the officers when voting closed,
    and the voter's receipt is missing from the board: both say so outside the database."""
    election, standing, receipts = sealed
    victim = Ballot.objects.get(election=election, fingerprint=receipts[0])
    fresh = ms.ballot_encrypt(election=election, chosen=[standing[2].pk], abstain=False)
    Ballot.objects.filter(pk=victim.pk).update(
        ciphertexts=fresh.ciphertexts, proofs=fresh.proofs, fingerprint=fresh.fingerprint
    )
    sealed_digest = election.board_digest
    Election.objects.filter(pk=election.pk).update(board_digest=ms.seal_digest(election))
    election = count(election)
    assert election.status == "closed" and election.board_digest != sealed_digest
    assert not receipt_counted(election=election, receipt=receipts[0])
    assert all(receipt_counted(election=election, receipt=r) for r in receipts[1:])


# --- the count -----------------------------------------------------------------------------------


def test_two_of_three_officers_count_and_the_totals_are_right(sealed, world):
    election, standing, receipts = sealed
    first, second, third = officers_of(election)

    election = submit(election, first)
    counted_nothing(election, standing)
    first.refresh_from_db()
    assert first.partials is not None and first.wrapped_share is None
    assert first.counted_at is not None
    assert first.history.first().history_change_reason == "Counted"
    assert (
        ElectionOfficer.objects.filter(election=election, wrapped_share__isnull=False).count() == 2
    )
    assert not receipt_counted(election=election, receipt=receipts[0])

    # The third counts next, with the code typed in lower case and spaces.
    code = CODES[election.pk][third.person_id].lower().replace("-", " ")
    election = submit(election, third, code=f"  {code} ")
    assert election.status == "closed"
    assert votes_of(standing) == [4, 3, 1]
    assert [Candidate.objects.get(pk=c.pk).elected for c in standing] == [True, False, False]
    election.refresh_from_db()
    assert (election.turnout, election.electorate_size, election.abstentions) == (10, 10, 2)
    assert election.outcome == "Elected by the most votes."
    assert election.history.first().history_change_reason == "Counted"
    assert Membership.objects.get(person=world.member, starts_on=election.term_starts_on).role == (
        "chair"
    )
    # Nothing more can be decrypted: every wrapped share is gone, the second officer's too.
    assert not ElectionOfficer.objects.filter(election=election, wrapped_share__isnull=False)
    second.refresh_from_db()
    assert second.partials is None and second.counted_at is None
    with pytest.raises(ValidationError, match="not waiting to be counted"):
        submit(election, second)
    assert all(receipt_counted(election=election, receipt=r) for r in receipts)


def test_anyone_can_check_the_published_count(sealed):
    """From what is stored after the count (the totals, the officers' partial decryptions
    and verification keys, the board digest) the result is recomputed without any secret."""
    election, standing, _ = sealed
    election = count(election)
    election.refresh_from_db()
    fingerprints = list(
        Ballot.objects.filter(election=election).values_list("fingerprint", flat=True)
    )
    assert election.board_digest == board_digest(fingerprints)
    totals = decode_ciphertexts(bytes(election.tally))
    assert totals == recount(election).totals
    done = ElectionOfficer.objects.filter(election=election, partials__isnull=False)
    assert done.count() == 2
    results = decrypt_tally(
        totals,
        {o.index: decode_partials(bytes(o.partials), index=o.index) for o in done},
        verification_keys={o.index: Point.decode(bytes(o.verification_key)) for o in done},
        threshold=election.threshold,
        bound=election.turnout,
        context=count_context(context_of(election), election.board_digest),
    )
    assert list(results) == [*votes_of(standing), election.abstentions] == [4, 3, 1, 2]
    # Bound to exactly these ballots: another digest's context does not check.
    with pytest.raises(ValueError, match="does not check"):
        decrypt_tally(
            totals,
            {o.index: decode_partials(bytes(o.partials), index=o.index) for o in done},
            verification_keys={o.index: Point.decode(bytes(o.verification_key)) for o in done},
            threshold=election.threshold,
            bound=election.turnout,
            context=count_context(context_of(election), board_digest(fingerprints[1:])),
        )


def test_one_officer_alone_counts_nothing(sealed):
    election, standing, _ = sealed
    election = count(election, officers=1)
    counted_nothing(election, standing)
    assert ElectionOfficer.objects.filter(election=election, partials__isnull=False).count() == 1


def test_a_wrong_code_is_refused_on_the_code_field(sealed):
    election, standing, _ = sealed
    first, second, _ = officers_of(election)
    for wrong in (CODES[election.pk][second.person_id], "ABCD-EFGH-JKLM-NPQR-STUV-WXYZ23", ""):
        with pytest.raises(ValidationError) as refused:
            submit(election, first, code=wrong)
        assert list(refused.value.message_dict) == ["code"]
        assert "not your counting code" in refused.value.message_dict["code"][0]
    first.refresh_from_db()
    assert first.partials is None and first.wrapped_share is not None
    counted_nothing(election, standing)
    submit(election, first)  # the right code still works


def test_an_officer_counts_once(sealed):
    election, standing, _ = sealed
    first, _, _ = officers_of(election)
    election = submit(election, first)
    with pytest.raises(ValidationError, match="already counted"):
        submit(election, first)
    counted_nothing(election, standing)
    assert ElectionOfficer.objects.filter(election=election, partials__isnull=False).count() == 1


def test_only_an_officer_counts_and_only_once_sealed(world, voters, sealed):
    election, standing, _ = sealed
    for person in (world.coordinator, world.chair, standing[0].person):
        with pytest.raises(ValidationError, match="not a counting officer"):
            ms.count_share_submit(actor=person, election=election, code="x")
    counted_nothing(election, standing)


def test_no_one_counts_while_voting_is_open(voting):
    election, standing = voting
    first = officers_of(election)[0]
    with pytest.raises(ValidationError, match="not waiting to be counted"):
        submit(election, first)


def test_an_officer_without_a_code_holds_no_share(world, voters):
    election, standing = chair_contest(world, voters)
    named = ms.officers_name(
        actor=None, election=election, people=[UserFactory() for _ in range(3)], threshold=2
    )
    CODES[election.pk] = {
        o.person_id: ms.officer_code_make(actor=o.person, election=election)
        for o in (named[0], named[2])
    }
    election = set_phase(election, "voting")
    vote(election, [(voters[0], [standing[2]]), (voters[1], None)])
    election = seal(election)
    with pytest.raises(ValidationError, match="You hold no share"):
        ms.count_share_submit(actor=named[1].person, election=election, code="x")
    election = count(election)
    assert election.status == "closed" and votes_of(standing) == [0, 0, 1]
    assert election.abstentions == 1


def test_a_stored_total_is_never_what_is_decrypted(sealed):
    """Someone who could write the database replaces the stored total with one ballot's
    ciphertexts, hoping the officers decrypt that ballot: the count recounts from the ballots
    and ignores it."""
    election, standing, receipts = sealed
    one = Ballot.objects.get(election=election, fingerprint=receipts[0])
    Election.objects.filter(pk=election.pk).update(tally=bytes(one.ciphertexts))
    first, second, _ = officers_of(election)
    election = submit(election, first)
    Election.objects.filter(pk=election.pk).update(tally=bytes(one.ciphertexts))
    election = submit(election, second)
    assert election.status == "closed"
    assert votes_of(standing) == [4, 3, 1] and election.abstentions == 2
    election.refresh_from_db()
    assert bytes(election.tally) == encode_ciphertexts(recount(election).totals)
    assert bytes(election.tally) != bytes(one.ciphertexts)


def test_a_seat_election_is_counted_by_three_of_four(world, voters):
    election, standing, seat = seat_contest(world, voters)
    name_officers(election, officers=4, threshold=3)
    election = set_phase(election, "voting")
    a, b, c = standing
    people = electors(world, voters)
    receipts = vote(
        election,
        [(p, [a, b]) for p in people[:3]]
        + [(p, [a, c]) for p in people[3:5]]
        + [(people[5], [c]), (people[6], [b]), (people[7], [a])]
        + [(p, None) for p in people[8:]],
    )
    election = seal(election)
    officers = officers_of(election)
    # Officers 1, 3 and 4: not the first three, so the count does not rely on their order.
    for officer in (officers[3], officers[0]):
        election = submit(election, officer)
        counted_nothing(election, standing)
    election = submit(election, officers[2])
    assert election.status == "closed"
    assert votes_of(standing) == [6, 4, 3]
    assert election.abstentions == 2 and election.turnout == 10
    appointed = set(Membership.objects.filter(seat=seat).values_list("person_id", flat=True))
    assert appointed == {a.person_id, b.person_id}
    assert all(receipt_counted(election=election, receipt=r) for r in receipts)
    assert not ElectionOfficer.objects.filter(election=election, wrapped_share__isnull=False)


# --- receipts ------------------------------------------------------------------------------------


def test_a_receipt_is_counted_only_once_the_count_is_published(world, voters):
    election, standing = chair_contest(world, voters)
    name_officers(election)
    election = set_phase(election, "voting")
    (receipt,) = vote(election, [(voters[0], [standing[0]])])
    vote(election, [(voters[1], None)])
    assert len(receipt) == 64 and int(receipt, 16) >= 0
    assert not receipt_counted(election=election, receipt=receipt)
    election = seal(election)
    assert not receipt_counted(election=election, receipt=receipt)
    election = count(election)
    assert receipt_counted(election=election, receipt=receipt)
    spaced = " ".join(receipt[i : i + 8] for i in range(0, 64, 8)).upper()
    assert receipt_counted(election=election, receipt=spaced)
    assert not receipt_counted(election=election, receipt="0" * 64)
    assert not receipt_counted(election=election, receipt=receipt[:-1])


# --- telling the officers to count ---------------------------------------------------------------


def test_closing_tells_each_officer_with_a_share_to_count(
    world, voters, django_capture_on_commit_callbacks
):
    election, standing = chair_contest(world, voters)
    named = ms.officers_name(
        actor=None, election=election, people=[UserFactory() for _ in range(3)], threshold=2
    )
    for officer in (named[0], named[1]):
        ms.officer_code_make(actor=officer.person, election=election)
    election = set_phase(election, "voting")
    vote(election, [(voters[0], [standing[0]])])
    set_phase(election, "counting")
    with django_capture_on_commit_callbacks(execute=True):
        ms.election_close(actor=None, election=election)
    told = Notice.objects.filter(key__startswith=f"election-count:{election.pk}:")
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted(
        [named[0].person_id, named[1].person_id]
    )
    assert {n.url for n in told} == {counting_url(election)}


# --- void and re-run -----------------------------------------------------------------------------


def test_only_a_sealed_election_is_declared_void(world, voters, voting):
    election, _ = voting
    with pytest.raises(ValidationError, match="Only an election waiting to be counted"):
        ms.election_void(actor=world.coordinator, election=election)
    election = count(seal(election))
    assert election.status == "closed"
    with pytest.raises(ValidationError, match="Only an election waiting to be counted"):
        ms.election_void(actor=world.coordinator, election=election)


def test_a_void_election_keeps_nothing_that_could_count_it(world, sealed):
    election, standing, _ = sealed
    first = officers_of(election)[0]
    election = submit(election, first)  # one officer counted; the others cannot
    election = ms.election_void(actor=world.coordinator, election=election)
    assert election.status == "void"
    assert election.outcome == (
        "Not counted: fewer than 2 counting officers could enter their codes. "
        "The election must be run again."
    )
    assert not ElectionOfficer.objects.filter(election=election, wrapped_share__isnull=False)
    assert election.history.first().history_change_reason == "Declared void: could not be counted"
    assert votes_of(standing) == [None, None, None]
    for officer in officers_of(election):
        with pytest.raises(ValidationError, match="not waiting to be counted"):
            submit(election, officer)
    with pytest.raises(ValidationError, match="Only an election waiting to be counted"):
        ms.election_void(actor=world.coordinator, election=election)


def test_a_void_election_may_give_its_reason(world, sealed):
    election, _, _ = sealed
    election = ms.election_void(
        actor=world.coordinator, election=election, reason="Two officers lost their codes."
    )
    assert election.outcome == "Two officers lost their codes."


def test_a_void_election_is_run_again_with_the_same_candidates_and_officers(world, voters, sealed):
    election, standing, _ = sealed
    declined = Candidate.objects.create(
        election=election,
        person=voters[5],
        proposer=voters[0],
        status="declined",
    )
    before = officers_of(election)
    with pytest.raises(ValidationError, match="Only an election that could not be counted"):
        ms.election_rerun(
            actor=world.coordinator,
            election=election,
            voting_opens_at=timezone.now(),
            voting_closes_at=timezone.now() + timedelta(days=2),
        )
    election = ms.election_void(actor=world.coordinator, election=election)

    now = timezone.now()
    rerun = ms.election_rerun(
        actor=world.coordinator,
        election=election,
        voting_opens_at=now,
        voting_closes_at=now + timedelta(days=2),
    )
    assert rerun.rerun_of == election and rerun.status == "open"
    assert (rerun.post, rerun.places, rerun.threshold) == (election.post, 1, 2)
    assert rerun.phase() == "voting"
    by_person = {c.person_id: c for c in rerun.candidates.all()}
    copies = [by_person[c.person_id] for c in standing]
    assert len(by_person) == 3
    assert [(c.status, c.statement, c.proposer) for c in copies] == [
        ("accepted", c.statement, c.proposer) for c in standing
    ]
    assert declined.person not in [c.person for c in copies]
    again = officers_of(rerun)
    assert [(o.index, o.person) for o in again] == [(o.index, o.person) for o in before]
    assert all(o.code_key is None and o.wrapped_share is None for o in again)
    told = Notice.objects.filter(key__startswith=f"election-officer:{rerun.pk}:")
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted(o.person_id for o in again)
    with pytest.raises(ValidationError, match="already being run again"):
        ms.election_rerun(
            actor=world.coordinator,
            election=election,
            voting_opens_at=now,
            voting_closes_at=now + timedelta(days=2),
        )
    assert Election.objects.filter(rerun_of=election).count() == 1

    # Voting waits for new codes; then it is run and counted as any election.
    with pytest.raises(ValidationError, match="Voting cannot start"):
        vote(rerun, [(voters[0], [copies[0]])])
    CODES[rerun.pk] = {
        o.person_id: ms.officer_code_make(actor=o.person, election=rerun) for o in again
    }
    vote(rerun, [(voters[0], [copies[1]]), (voters[1], [copies[1]]), (voters[2], [copies[0]])])
    rerun = count(seal(rerun))
    assert rerun.status == "closed" and votes_of(copies) == [1, 2, 0]
    assert rerun.outcome == "Elected by the most votes."


# --- what the officers are told outside the database ---------------------------------------------


def test_officers_are_told_the_key_their_share_was_locked_to_and_the_sealed_digest(
    world, voters, django_capture_on_commit_callbacks
):
    """When voting opens each officer is e-mailed the fingerprint of the key their share was
    locked to (a key swapped in the database would show as another), and when it closes the
    digest of the sealed ballots, which the counting page shows beside the form."""
    from membership.crypto.officers import key_fingerprint

    election, standing = chair_contest(world, voters)
    name_officers(election)
    election = set_phase(election, "voting")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        vote(election, [(world.chair, [standing[0]])])
    election.refresh_from_db()
    for officer in officers_of(election):
        fingerprint = key_fingerprint(
            code_key(
                CODES[election.pk][officer.person_id],
                election=str(election.pk),
                index=officer.index,
            ).encode()
        )
        told = [m for m in mail.outbox if officer.person.email in m.to]
        assert len(told) == 1 and fingerprint in told[0].body
        assert key_fingerprint(election.public_key) in told[0].body
    mail.outbox.clear()
    set_phase(election, "counting")
    with django_capture_on_commit_callbacks(execute=True):
        election = ms.election_close(actor=None, election=election)
    assert election.board_digest == ms.seal_digest(election)
    assert len(mail.outbox) == 3
    assert all(election.board_digest in m.body for m in mail.outbox)


def test_an_election_waiting_for_codes_cannot_be_closed_before_its_window_ends(world, voters):
    election, standing = chair_contest(world, voters)
    named = ms.officers_name(
        actor=None, election=election, people=[UserFactory() for _ in range(2)], threshold=2
    )
    ms.officer_code_make(actor=named[0].person, election=election)
    set_phase(election, "voting")
    with pytest.raises(ValidationError, match="cannot be closed before its window ends"):
        ms.election_close(actor=world.coordinator, election=election)
    election.refresh_from_db()
    assert election.status == "open"
    # The other officer makes their code in time: voting starts.
    ms.officer_code_make(actor=named[1].person, election=election)
    assert ms.ballot_cast(voter=voters[0], election=election, choices=[standing[0].pk])


def test_a_void_election_with_no_officers_is_run_again_and_officers_are_named_after(world, voters):
    election, standing = chair_contest(world, voters)
    set_phase(election, "counting")
    election = ms.election_close(actor=world.coordinator, election=election)
    assert election.status == "void"
    now = timezone.now()
    rerun = ms.election_rerun(
        actor=world.coordinator,
        election=election,
        voting_opens_at=now + timedelta(days=1),
        voting_closes_at=now + timedelta(days=3),
    )
    assert rerun.rerun_of == election and not rerun.officers.exists()
    assert rerun.term_starts_on > timezone.localtime(rerun.voting_closes_at).date()
    ms.officers_name(
        actor=world.coordinator,
        election=rerun,
        people=[UserFactory() for _ in range(3)],
        threshold=2,
    )
    assert rerun.officers.count() == 3


def test_a_reballot_has_the_same_counting_officers(world, voters):
    election = chair_election(world, tie_rule="reballot")
    a = stand(election, world.member, voters[0], voters[1])
    b = stand(election, voters[2], voters[0], voters[3])
    election = set_phase(election, "voting")
    ms.ballot_cast(voter=voters[0], election=election, choices=[a.pk])
    ms.ballot_cast(voter=voters[1], election=election, choices=[b.pk])
    election = close(election)
    now = timezone.now()
    reballot = ms.election_reballot(
        actor=None, election=election, voting_opens_at=now, voting_closes_at=now + timedelta(days=2)
    )
    assert {o.person_id for o in reballot.officers.all()} == {
        o.person_id for o in election.officers.all()
    }
    assert reballot.threshold == election.threshold
    # They make new codes; until enough have, voting waits.
    assert not reballot.officers.filter(code_key__isnull=False).exists()
