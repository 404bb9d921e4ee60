"""The secret ballot's cryptography (membership/crypto/): the group against textbook arithmetic,
ElGamal, the proofs, Shamir's sharing, threshold decryption, and ballots, honest and forged.

No database: the package is pure.
"""

from __future__ import annotations

import random
from dataclasses import replace
from itertools import combinations

import pytest

from membership.crypto import group
from membership.crypto.ballot import (
    Ballot,
    ballot_context,
    check_ballot,
    decode_ballot,
    decode_ciphertexts,
    decode_partials,
    decrypt_tally,
    encode_ballot,
    encode_ciphertexts,
    encode_partials,
    fingerprint,
    fingerprint_matches,
    make_ballot,
    partial_decrypt_tally,
    slot_context,
    sum_context,
    tally,
    total_context,
)
from membership.crypto.elgamal import (
    Ciphertext,
    DisjunctiveProof,
    EqualityProof,
    KeyPair,
    combine_partials,
    decrypt,
    discrete_log,
    encrypt,
    keypair,
    partial_decrypt,
    prove_one_of,
    verify_one_of,
    verify_partial,
)
from membership.crypto.group import (
    ORDER,
    G,
    Point,
    base_mul,
    decode_scalar,
    encode_parts,
    encode_scalar,
    hash_to_scalar,
)
from membership.crypto.shamir import (
    Share,
    deal,
    interpolate,
    lagrange_at_zero,
    verification_keys,
    verification_keys_consistent,
)

CANDIDATES = 3
LAYOUT = ["c1", "c2", "c3", "abstain"]

# A seeded generator for the tests' own choices (who votes for whom), not for any key.
rng = random.Random(18)


# --- a textbook secp256k1 in affine coordinates, to check coincurve's arithmetic against ---

_P = 2**256 - 2**32 - 977
_GX = 0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798
_GY = 0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8


def _ref_add(p: tuple[int, int] | None, q: tuple[int, int] | None) -> tuple[int, int] | None:
    if p is None:
        return q
    if q is None:
        return p
    if p[0] == q[0] and (p[1] + q[1]) % _P == 0:
        return None
    if p == q:
        slope = 3 * p[0] * p[0] * pow(2 * p[1], -1, _P) % _P
    else:
        slope = (q[1] - p[1]) * pow(q[0] - p[0], -1, _P) % _P
    x = (slope * slope - p[0] - q[0]) % _P
    return x, (slope * (p[0] - x) - p[1]) % _P


def _ref_mul(k: int, p: tuple[int, int] | None) -> tuple[int, int] | None:
    result = None
    while k:
        if k & 1:
            result = _ref_add(result, p)
        p = _ref_add(p, p)
        k >>= 1
    return result


def _ref_encode(p: tuple[int, int] | None) -> bytes:
    if p is None:
        return bytes(33)
    return bytes([2 + (p[1] & 1)]) + p[0].to_bytes(32, "big")


# --- fixtures ---


@pytest.fixture
def key() -> KeyPair:
    return keypair()


def _context(public_key: Point, *, places: int = 1, election: str = "election-1") -> bytes:
    return ballot_context(election=election, public_key=public_key, layout=LAYOUT, places=places)


def _ballot(public_key: Point, chosen: list[int], *, abstain: bool = False, places: int = 1):
    return make_ballot(
        public_key=public_key,
        candidates=CANDIDATES,
        chosen=chosen,
        abstain=abstain,
        places=places,
        context=_context(public_key, places=places),
    )


def _problems(ballot: Ballot, public_key: Point, *, places: int = 1, context: bytes | None = None):
    return check_ballot(
        ballot,
        public_key=public_key,
        candidates=CANDIDATES,
        places=places,
        context=_context(public_key, places=places) if context is None else context,
    )


# --- the group ---


def test_group_arithmetic_matches_the_textbook_curve():
    generator = (_GX, _GY)
    assert G.encode() == _ref_encode(generator)
    for _ in range(5):
        a, b = group.random_scalar(), group.random_scalar()
        assert base_mul(a).encode() == _ref_encode(_ref_mul(a, generator))
        assert (a * base_mul(b)).encode() == _ref_encode(_ref_mul(a * b % ORDER, generator))
        total = _ref_add(_ref_mul(a, generator), _ref_mul(b, generator))
        assert (base_mul(a) + base_mul(b)).encode() == _ref_encode(total)
        assert (-base_mul(a)).encode() == _ref_encode(_ref_mul(ORDER - a, generator))
    doubled = base_mul(7) + base_mul(7)
    assert doubled == base_mul(14) and doubled.encode() == _ref_encode(_ref_mul(14, generator))


def test_two_g_is_the_published_value():
    expected = "c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5"
    assert (G + G).encode().hex() == "02" + expected


def test_the_identity_is_an_ordinary_value():
    identity = Point.identity()
    for _ in range(20):
        p = base_mul(group.random_scalar())
        assert (p + (-p)).is_identity
        assert p - p == identity
        assert p + identity == p and identity + p == p
        assert 0 * p == identity and ORDER * p == identity
    assert identity == (ORDER - 1) * G + G
    assert -identity == identity and 5 * identity == identity
    assert Point.decode(identity.encode()) == identity
    assert base_mul(0) == identity


def test_points_decode_only_in_canonical_form():
    p = base_mul(12345)
    assert Point.decode(p.encode()) == p
    bad = [
        p.encode()[:-1],  # too short
        b"\x04" + p.encode()[1:],  # not compressed
        b"\x02" + (_P).to_bytes(32, "big"),  # x not below p
        b"\x02" + (5).to_bytes(32, "big"),  # x = 5 is on no point: 5^3 + 7 is not a square
    ]
    for data in bad:
        with pytest.raises(ValueError):
            Point.decode(data)


def test_scalars_decode_only_below_the_order():
    assert decode_scalar(encode_scalar(ORDER - 1)) == ORDER - 1
    with pytest.raises(ValueError):
        decode_scalar(ORDER.to_bytes(32, "big"))
    with pytest.raises(ValueError):
        decode_scalar(bytes(31))


def test_hash_inputs_are_unambiguous_and_tagged():
    assert encode_parts(b"ab", b"c") != encode_parts(b"a", b"bc")
    assert encode_parts(b"\x01") != encode_parts(1)
    assert encode_parts([b"a", b"b"]) != encode_parts(b"a", b"b")
    assert hash_to_scalar(b"tag-1", b"x") != hash_to_scalar(b"tag-2", b"x")
    assert 0 <= hash_to_scalar(b"tag", base_mul(3), 7) < ORDER


def test_random_scalars_are_never_zero(monkeypatch):
    monkeypatch.setattr(group.secrets, "randbelow", lambda n: 0)
    assert group.random_scalar() == 1
    monkeypatch.setattr(group.secrets, "randbelow", lambda n: n - 1)
    assert group.random_scalar() == ORDER - 1


# --- ElGamal and its proofs ---


def test_encryption_round_trips(key):
    for m in range(6):
        assert decrypt(encrypt(m, key.public), key.secret, bound=10) == m


def test_the_secret_key_is_not_in_its_repr(key):
    assert str(key.secret) not in repr(key)
    share = deal(key.secret, shares=3, threshold=2)[0]
    assert str(share.value) not in repr(share)


def test_ciphertexts_add_up(key):
    messages = [rng.randrange(5) for _ in range(8)]
    total = Ciphertext.zero()
    for m in messages:
        total = total + encrypt(m, key.public)
    assert decrypt(total, key.secret, bound=40) == sum(messages)
    assert decrypt(3 * encrypt(2, key.public), key.secret, bound=10) == 6


def test_discrete_log_finds_every_value_up_to_its_bound_and_no_further():
    for bound in (0, 1, 7, 50):
        for m in {0, bound // 2, bound}:
            assert discrete_log(base_mul(m), bound=bound) == m
        with pytest.raises(ValueError):
            discrete_log(base_mul(bound + 1), bound=bound)
    with pytest.raises(ValueError):
        discrete_log(base_mul(ORDER - 1), bound=1000)


def test_a_one_of_proof_checks_for_each_allowed_value(key):
    for values in ((0, 1), (1, 2, 3)):
        for m in values:
            r = group.random_scalar()
            ciphertext = encrypt(m, key.public, randomness=r)
            proof = prove_one_of(
                ciphertext,
                message=m,
                randomness=r,
                values=values,
                public_key=key.public,
                context=b"c",
            )
            assert verify_one_of(
                ciphertext, proof, values=values, public_key=key.public, context=b"c"
            )


def test_a_one_of_proof_fails_when_anything_changes(key):
    r = group.random_scalar()
    ciphertext = encrypt(1, key.public, randomness=r)
    proof = prove_one_of(
        ciphertext, message=1, randomness=r, values=(0, 1), public_key=key.public, context=b"c"
    )

    def verifies(ct=ciphertext, pr=proof, values=(0, 1), public_key=key.public, context=b"c"):
        return verify_one_of(ct, pr, values=values, public_key=public_key, context=context)

    assert verifies()
    assert not verifies(context=b"d")
    assert not verifies(values=(1, 2))
    assert not verifies(values=(0, 1, 2))
    assert not verifies(public_key=keypair().public)
    assert not verifies(ct=Ciphertext(ciphertext.a, ciphertext.b + G))
    assert not verifies(ct=encrypt(1, key.public))
    c0, c1 = proof.challenges
    assert not verifies(
        pr=replace(proof, challenges=(c0 + 1, c1 - 1))
    )  # same sum, other commitments
    s0, s1 = proof.responses
    assert not verifies(pr=replace(proof, responses=(s0, (s1 + 1) % ORDER)))
    assert not verifies(pr=replace(proof, responses=(s0, s1 + ORDER)))  # not canonical


def test_a_one_of_proof_cannot_be_made_for_a_value_outside_the_set(key):
    ciphertext = encrypt(2, key.public, randomness=5)
    with pytest.raises(ValueError):
        prove_one_of(
            ciphertext, message=2, randomness=5, values=(0, 1), public_key=key.public, context=b"c"
        )


# --- Shamir ---


def test_any_quorum_of_shares_recovers_the_secret_and_fewer_do_not():
    secret = group.random_scalar()
    shares = deal(secret, shares=5, threshold=3)
    for quorum in combinations(shares, 3):
        assert interpolate(quorum) == secret
    for short in combinations(shares, 2):
        assert interpolate(short) != secret
    assert interpolate(shares) == secret


def test_lagrange_coefficients_at_zero_add_up_to_one():
    # They interpolate the constant polynomial 1.
    for indices in ([1, 2], [1, 3], [2, 5, 7]):
        assert sum(lagrange_at_zero(indices).values()) % ORDER == 1
    with pytest.raises(ValueError):
        lagrange_at_zero([1, 1])
    with pytest.raises(ValueError):
        lagrange_at_zero([0, 1])


def test_verification_keys_interpolate_to_the_public_key(key):
    shares = deal(key.secret, shares=4, threshold=2)
    keys = verification_keys(shares)
    assert verification_keys_consistent(key.public, keys, threshold=2)
    assert not verification_keys_consistent(keypair().public, keys, threshold=2)
    assert not verification_keys_consistent(key.public, {**keys, 4: keys[4] + G}, threshold=2)
    assert not verification_keys_consistent(key.public, {**keys, 1: keys[1] + G}, threshold=2)
    assert not verification_keys_consistent(key.public, keys, threshold=5)
    # Shares of a degree-2 polynomial are not a 2-of-4 dealing, though 3 of them interpolate.
    wider = verification_keys(deal(key.secret, shares=4, threshold=3))
    assert not verification_keys_consistent(key.public, wider, threshold=2)
    assert verification_keys_consistent(key.public, wider, threshold=3)


def test_dealing_refuses_an_impossible_threshold():
    for shares, threshold in ((3, 4), (3, 0)):
        with pytest.raises(ValueError):
            deal(7, shares=shares, threshold=threshold)


# --- ballots ---


def test_honest_ballots_check(key):
    assert _problems(_ballot(key.public, [0]), key.public) == []
    assert _problems(_ballot(key.public, [], abstain=True), key.public) == []
    for chosen in ([2], [0, 2], [0, 1, 2]):
        assert _problems(_ballot(key.public, chosen, places=3), key.public, places=3) == []
    assert _problems(_ballot(key.public, [], abstain=True, places=3), key.public, places=3) == []


def test_a_ballot_encrypts_its_choice_slot_by_slot(key):
    ballot = _ballot(key.public, [0, 2], places=2)
    assert [decrypt(c, key.secret, bound=1) for c in ballot.ciphertexts] == [1, 0, 1, 0]
    ballot = _ballot(key.public, [], abstain=True)
    assert [decrypt(c, key.secret, bound=1) for c in ballot.ciphertexts] == [0, 0, 0, 1]


@pytest.mark.parametrize(
    ("chosen", "abstain", "places"),
    [([], False, 1), ([0, 1], False, 1), ([0], True, 1), ([3], False, 1), ([-1], False, 2)],
)
def test_a_ballot_the_rules_forbid_is_not_made(key, chosen, abstain, places):
    with pytest.raises(ValueError) as error:
        _ballot(key.public, chosen, abstain=abstain, places=places)
    assert not any(ch.isdigit() for ch in str(error.value))  # nothing about the choice


def _forge(public_key: Point, messages: list[int], *, places: int, context: bytes) -> Ballot:
    """A ballot encrypting any ``messages``, with true proofs where they can be made and a
    proof taken from an honest ballot where they cannot: what a cheating client could send."""
    honest = make_ballot(
        public_key=public_key,
        candidates=CANDIDATES,
        chosen=[0],
        abstain=False,
        places=places,
        context=context,
    )
    randomness = [group.random_scalar() for _ in messages]
    ciphertexts = tuple(
        encrypt(m, public_key, randomness=r) for m, r in zip(messages, randomness, strict=True)
    )
    slot_proofs = []
    for slot, (ct, m, r) in enumerate(zip(ciphertexts, messages, randomness, strict=True)):
        if m in (0, 1):
            proof = prove_one_of(
                ct,
                message=m,
                randomness=r,
                values=(0, 1),
                public_key=public_key,
                context=slot_context(context, slot),
            )
        else:
            proof = honest.slot_proofs[slot]
        slot_proofs.append(proof)
    total = sum(messages[:-1]) + places * messages[-1]
    if 1 <= total <= places:
        weighted = sum(randomness[:-1]) + places * randomness[-1]
        summed = Ciphertext.zero()
        for ct in ciphertexts[:-1]:
            summed = summed + ct
        summed = summed + places * ciphertexts[-1]
        sum_proof = prove_one_of(
            summed,
            message=total,
            randomness=weighted % ORDER,
            values=range(1, places + 1),
            public_key=public_key,
            context=sum_context(context),
        )
    else:
        sum_proof = honest.sum_proof
    return Ballot(ciphertexts=ciphertexts, slot_proofs=tuple(slot_proofs), sum_proof=sum_proof)


@pytest.mark.parametrize(
    ("messages", "places", "refused_slot"),
    [
        ([2, 0, 0, 0], 2, 0),  # two votes for one candidate; the sum (2) is allowed
        ([0, 0, 0, 0], 1, None),  # blank
        ([1, 1, 0, 0], 1, None),  # too many choices
        ([1, 1, 1, 0], 2, None),  # too many choices, several places
        ([1, 0, 0, 1], 1, None),  # a choice and an abstention
    ],
)
def test_a_forged_ballot_is_refused(key, messages, places, refused_slot):
    context = _context(key.public, places=places)
    problems = _problems(
        _forge(key.public, messages, places=places, context=context), key.public, places=places
    )
    assert problems
    if refused_slot is not None:
        assert problems == [f"Slot {refused_slot}'s proof that it holds 0 or 1 does not check."]
    else:  # every slot is 0 or 1: the sum alone refuses it
        assert len(problems) == 1
        assert problems[0].startswith("The proof that the ballot chooses 1 to")


def test_the_forging_helper_makes_a_valid_ballot_of_an_allowed_choice(key):
    context = _context(key.public, places=2)
    assert (
        _problems(_forge(key.public, [1, 1, 0, 0], places=2, context=context), key.public, places=2)
        == []
    )


def test_two_votes_added_to_one_slot_are_refused(key):
    ballot = _ballot(key.public, [0])
    first = ballot.ciphertexts[0]
    forged = replace(
        ballot, ciphertexts=(Ciphertext(first.a, first.b + G), *ballot.ciphertexts[1:])
    )
    problems = _problems(forged, key.public)
    assert "Slot 0's proof that it holds 0 or 1 does not check." in problems
    assert len(problems) == 2  # and the sum is now 2, over the one place


def test_a_proof_copied_from_another_slot_is_refused(key):
    ballot = _ballot(key.public, [1])
    proofs = list(ballot.slot_proofs)
    proofs[0] = proofs[1]
    assert "Slot 0's proof that it holds 0 or 1 does not check." in _problems(
        replace(ballot, slot_proofs=tuple(proofs)), key.public
    )


def test_swapping_two_slots_with_their_proofs_is_refused(key):
    # Moving a vote to another candidate, proofs and all.
    ballot = _ballot(key.public, [0])
    cts, proofs = list(ballot.ciphertexts), list(ballot.slot_proofs)
    cts[0], cts[1] = cts[1], cts[0]
    proofs[0], proofs[1] = proofs[1], proofs[0]
    swapped = replace(ballot, ciphertexts=tuple(cts), slot_proofs=tuple(proofs))
    assert len(_problems(swapped, key.public)) == 2


def test_a_ballot_made_for_another_context_is_refused(key):
    ballot = _ballot(key.public, [0])
    other_contexts = [
        _context(key.public, election="election-2"),
        _context(key.public, places=2),
        ballot_context(
            election="election-1",
            public_key=key.public,
            layout=["c2", "c1", "c3", "abstain"],
            places=1,
        ),
    ]
    for context in other_contexts:
        problems = _problems(ballot, key.public, context=context)
        assert len(problems) == CANDIDATES + 2  # every proof fails
    other = keypair().public
    assert _problems(ballot, other, context=_context(key.public))


def test_a_ballot_with_the_wrong_number_of_slots_is_refused(key):
    ballot = _ballot(key.public, [0])
    short = replace(
        ballot, ciphertexts=ballot.ciphertexts[:-1], slot_proofs=ballot.slot_proofs[:-1]
    )
    assert _problems(short, key.public) == ["The ballot has 3 slots; this election's have 4."]


def test_a_tampered_proof_scalar_is_refused(key):
    ballot = _ballot(key.public, [2], places=2)
    proof = ballot.slot_proofs[2]
    tampered = replace(proof, responses=(proof.responses[0], (proof.responses[1] + 1) % ORDER))
    slot_proofs = (*ballot.slot_proofs[:2], tampered, *ballot.slot_proofs[3:])
    assert _problems(replace(ballot, slot_proofs=slot_proofs), key.public, places=2) == [
        "Slot 2's proof that it holds 0 or 1 does not check."
    ]
    sum_proof = ballot.sum_proof
    tampered_sum = replace(
        sum_proof, challenges=((sum_proof.challenges[0] + 1) % ORDER, *sum_proof.challenges[1:])
    )
    assert len(_problems(replace(ballot, sum_proof=tampered_sum), key.public, places=2)) == 1


def test_a_slot_in_the_clear_is_refused(key):
    # A = O means r = 0, so B = mG shows the choice: never accepted, even with a valid proof.
    context = _context(key.public)
    ciphertext = encrypt(1, key.public, randomness=ORDER)
    assert ciphertext.a.is_identity
    ballot = _forge(key.public, [0, 0, 0, 1], places=1, context=context)
    forged = replace(ballot, ciphertexts=(ciphertext, *ballot.ciphertexts[1:]))
    assert "Slot 0 is not a proper ciphertext." in _problems(forged, key.public)


# --- bytes and fingerprints ---


def test_a_ballot_round_trips_through_its_bytes(key):
    for places in (1, 3):
        ballot = _ballot(key.public, [1], places=places)
        ciphertexts, proofs = encode_ballot(ballot)
        assert len(ciphertexts) == 66 * (CANDIDATES + 1)
        assert len(proofs) == 128 * (CANDIDATES + 1) + 64 * places
        assert decode_ballot(ciphertexts, proofs) == ballot
        assert encode_ballot(decode_ballot(ciphertexts, proofs)) == (ciphertexts, proofs)


def test_malformed_ballot_bytes_are_refused(key):
    ciphertexts, proofs = encode_ballot(_ballot(key.public, [1]))
    order_bytes = ORDER.to_bytes(32, "big")
    bad = [
        (ciphertexts[:-1], proofs),
        (ciphertexts[:66], proofs),
        (ciphertexts, proofs[:-64]),
        (ciphertexts, proofs[:-1]),
        (ciphertexts, proofs + bytes(1)),
        (b"\x02" + (5).to_bytes(32, "big") + ciphertexts[33:], proofs),
        (ciphertexts, order_bytes + proofs[32:]),
    ]
    for data in bad:
        with pytest.raises(ValueError):
            decode_ballot(*data)


def test_the_fingerprint_changes_with_any_byte(key):
    context = _context(key.public)
    ciphertexts, proofs = encode_ballot(_ballot(key.public, [0]))
    original = fingerprint(ciphertexts, proofs, context=context)
    assert len(original) == 64
    seen = {original}
    for i in range(len(ciphertexts)):
        flipped = ciphertexts[:i] + bytes([ciphertexts[i] ^ 1]) + ciphertexts[i + 1 :]
        seen.add(fingerprint(flipped, proofs, context=context))
    for i in range(len(proofs)):
        flipped = proofs[:i] + bytes([proofs[i] ^ 0x80]) + proofs[i + 1 :]
        seen.add(fingerprint(ciphertexts, flipped, context=context))
    assert len(seen) == 1 + len(ciphertexts) + len(proofs)
    assert fingerprint(ciphertexts, proofs, context=_context(key.public, places=2)) != original
    # The boundary between the two byte strings is part of what is hashed.
    assert fingerprint(ciphertexts + proofs[:1], proofs[1:], context=context) != original
    assert fingerprint_matches(ciphertexts, proofs, context=context, expected=original.upper())
    assert not fingerprint_matches(
        ciphertexts, proofs, context=context, expected=original[:-1] + "0"
    )


# --- counting ---


def _election(threshold: int = 2, officers: int = 3):
    key = keypair()
    shares = deal(key.secret, shares=officers, threshold=threshold)
    return key.public, shares, verification_keys(shares)


def test_the_totals_of_many_ballots_are_the_plain_totals():
    public_key, shares, keys = _election()
    places = 2
    context = _context(public_key, places=places)
    expected = [0] * (CANDIDATES + 1)
    ballots = []
    for _ in range(50):
        abstain = rng.random() < 0.15
        chosen = [] if abstain else rng.sample(range(CANDIDATES), rng.randint(1, places))
        for slot in chosen:
            expected[slot] += 1
        expected[-1] += abstain
        ballot = make_ballot(
            public_key=public_key,
            candidates=CANDIDATES,
            chosen=chosen,
            abstain=abstain,
            places=places,
            context=context,
        )
        assert _problems(ballot, public_key, places=places) == []
        ballots.append(ballot)
    totals = tally(ballots, slots=CANDIDATES + 1)
    partials = {s.index: partial_decrypt_tally(totals, s, context=context) for s in shares[:2]}
    counted = decrypt_tally(
        totals, partials, verification_keys=keys, threshold=2, bound=len(ballots), context=context
    )
    assert list(counted) == expected


def _count(totals, shares, keys, context, *, threshold=2, bound=10):
    partials = {s.index: partial_decrypt_tally(totals, s, context=context) for s in shares}
    return decrypt_tally(
        totals, partials, verification_keys=keys, threshold=threshold, bound=bound, context=context
    )


def test_any_two_of_three_officers_count_the_totals():
    public_key, shares, keys = _election()
    assert verification_keys_consistent(public_key, keys, threshold=2)
    context = _context(public_key)
    ballots = [_ballot(public_key, [0]), _ballot(public_key, [2]), _ballot(public_key, [0])]
    ballots.append(_ballot(public_key, [], abstain=True))
    totals = tally(ballots, slots=CANDIDATES + 1)
    for pair in combinations(shares, 2):
        assert _count(totals, pair, keys, context) == (2, 0, 1, 1)
    assert _count(totals, shares, keys, context) == (2, 0, 1, 1)


def test_three_of_five_officers_count_and_two_do_not():
    public_key, shares, keys = _election(threshold=3, officers=5)
    context = _context(public_key)
    totals = tally([_ballot(public_key, [1]), _ballot(public_key, [1])], slots=CANDIDATES + 1)
    for trio in combinations(shares, 3):
        assert _count(totals, trio, keys, context, threshold=3) == (0, 2, 0, 0)
    with pytest.raises(ValueError, match="Too few"):
        _count(totals, shares[:2], keys, context, threshold=3)


def test_one_share_alone_does_not_decrypt():
    public_key, shares, keys = _election()
    context = _context(public_key)
    totals = tally([_ballot(public_key, [0]) for _ in range(3)], slots=CANDIDATES + 1)
    with pytest.raises(ValueError, match="Too few"):
        _count(totals, shares[:1], keys, context)
    # Even a server that skips the threshold check gets nothing: its point is not the total.
    for share in shares:
        partial = partial_decrypt(totals[0], share, context=b"t")
        with pytest.raises(ValueError):
            combine_partials(totals[0], [partial], threshold=2)
        alone = combine_partials(totals[0], [partial], threshold=1)
        assert alone != base_mul(3)
        with pytest.raises(ValueError):
            discrete_log(alone, bound=1000)


def test_an_election_without_ballots_counts_to_zero():
    public_key, shares, keys = _election()
    totals = tally([], slots=CANDIDATES + 1)
    assert all(t.a.is_identity for t in totals)
    assert decode_ciphertexts(encode_ciphertexts(totals)) == totals
    assert _count(totals, shares[1:], keys, _context(public_key)) == (0, 0, 0, 0)


def test_a_wrong_partial_decryption_is_refused():
    public_key, shares, keys = _election()
    context = _context(public_key)
    totals = tally([_ballot(public_key, [1])], slots=CANDIDATES + 1)
    good = {s.index: partial_decrypt_tally(totals, s, context=context) for s in shares[:2]}

    def count(partials):
        return decrypt_tally(
            totals, partials, verification_keys=keys, threshold=2, bound=5, context=context
        )

    assert count(good) == (0, 1, 0, 0)
    first = good[1][1]
    shifted = replace(first, point=first.point + G)  # would change the total by one
    moved = good[1][0]  # slot 0's partial offered for slot 1
    # A partial with a true proof, but for a share that is not officer 1's.
    impostor = Share(index=1, value=group.random_scalar())
    stranger = partial_decrypt(totals[1], impostor, context=total_context(context, 1))
    other_share = partial_decrypt_tally(totals, shares[2], context=context)[1]
    forged = [
        shifted,
        replace(moved, index=1),
        stranger,
        replace(other_share, index=1),  # officer 3's partial claimed as officer 1's
        replace(
            first, proof=EqualityProof(first.proof.challenge, (first.proof.response + 1) % ORDER)
        ),
    ]
    for partial in forged:
        assert not verify_partial(
            totals[1], partial, verification_key=keys[1], context=total_context(context, 1)
        )
        tampered = {**good, 1: (good[1][0], partial, *good[1][2:])}
        with pytest.raises(ValueError, match="Officer 1's partial decryption of slot 1"):
            count(tampered)


def test_partial_decryptions_round_trip_through_bytes():
    public_key, shares, keys = _election()
    context = _context(public_key)
    totals = tally([_ballot(public_key, [1])], slots=CANDIDATES + 1)
    partials = partial_decrypt_tally(totals, shares[0], context=context)
    data = encode_partials(partials)
    assert len(data) == 97 * len(totals)
    assert decode_partials(data, index=1) == partials
    with pytest.raises(ValueError):
        decode_partials(data[:-1], index=1)


def test_a_tally_refuses_a_ballot_of_another_shape(key):
    with pytest.raises(ValueError):
        tally([_ballot(key.public, [0])], slots=CANDIDATES + 2)


def test_every_random_value_comes_from_random_scalar(key, monkeypatch):
    # With random_scalar replaced by a seeded generator and secrets cut off, a ballot is still
    # made, the same twice over: nothing draws randomness any other way.
    monkeypatch.setattr(group.secrets, "randbelow", _refuse)

    def seeded(seed: int) -> tuple[Ballot, list[int]]:
        source, drawn = random.Random(seed), []

        def fake() -> int:
            drawn.append(source.randrange(1, ORDER))
            return drawn[-1]

        monkeypatch.setattr(group, "random_scalar", fake)
        return _ballot(key.public, [1]), drawn

    ballot, drawn = seeded(7)
    assert seeded(7)[0] == ballot
    # The first draws are the slots' r: each A is rG.
    assert [c.a for c in ballot.ciphertexts] == [base_mul(r) for r in drawn[: CANDIDATES + 1]]


def _refuse(n: int) -> int:
    raise AssertionError("secrets used outside random_scalar")


def test_a_disjunctive_proof_with_the_wrong_number_of_pairs_is_refused(key):
    r = group.random_scalar()
    ciphertext = encrypt(0, key.public, randomness=r)
    proof = prove_one_of(
        ciphertext, message=0, randomness=r, values=(0, 1), public_key=key.public, context=b""
    )
    short = DisjunctiveProof(challenges=proof.challenges[:1], responses=proof.responses[:1])
    assert not verify_one_of(ciphertext, short, values=(0, 1), public_key=key.public, context=b"")


def test_bytes_hash_alike_however_the_database_driver_returns_them():
    """psycopg2 reads bytea as memoryview, SQLite as bytes: the same hash either way."""
    from membership.crypto.group import encode_parts

    data = b"\x01\x02ballot"
    assert encode_parts(data) == encode_parts(memoryview(data)) == encode_parts(bytearray(data))
    assert encode_parts(data) != encode_parts(list(data))


def test_a_scalar_outside_the_group_is_refused_when_encoded():
    import pytest

    from membership.crypto.group import ORDER, encode_scalar

    assert len(encode_scalar(ORDER - 1)) == 32
    for bad in (ORDER, ORDER + 5, -1):
        with pytest.raises(ValueError):
            encode_scalar(bad)
