"""An encrypted ballot: how it is made, checked, stored, fingerprinted and counted.

A ballot has one slot per standing candidate, in the election's layout order, then one slot for
"abstain". Each slot is an exponential-ElGamal encryption of 0 or 1 (``elgamal``), and carries
a disjunctive proof that it is 0 or 1. One more proof covers the weighted sum

    S = (sum of the candidate slots) + places * (abstain slot)

and shows that it is one of 1..places. With every slot 0 or 1, that single proof refuses a blank
ballot (S = 0), more choices than places (S > places) and a choice with an abstention
(S >= places + 1), and accepts exactly 1..places choices or an abstention alone.

Every proof is bound to a *context*, a digest of the election, its public key, its layout and
its number of places (``ballot_context``), and to its slot, so a ballot or a proof cannot be
replayed into another election, another key, another layout or another slot.

Stored form: the ciphertexts (66 bytes a slot: A then B, compressed points) and the proofs (for
each slot its two (challenge, response) pairs, then the sum proof's ``places`` pairs, 32-byte
scalars), both canonical (``decode_ballot`` refuses anything that does not re-encode to the same
bytes). A ballot's fingerprint, the voter's receipt, is the SHA-256 of a tag, the context and
both byte strings.

Security: as ``elgamal`` (DDH on secp256k1, SHA-512 as a random oracle, fresh randomness).
Nothing here decrypts a single ballot: only per-slot totals are ever partly decrypted.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from membership.crypto import group
from membership.crypto.elgamal import (
    Ciphertext,
    DisjunctiveProof,
    EqualityProof,
    PartialDecryption,
    combine_partials,
    discrete_log,
    encrypt,
    partial_decrypt,
    prove_one_of,
    verify_one_of,
    verify_partial,
)
from membership.crypto.group import (
    ORDER,
    POINT_SIZE,
    SCALAR_SIZE,
    Point,
    decode_scalar,
    encode_parts,
    encode_scalar,
)
from membership.crypto.shamir import Share

__all__ = [
    "CONTEXT_TAG",
    "FINGERPRINT_TAG",
    "SLOT_VALUES",
    "Ballot",
    "ballot_context",
    "check_ballot",
    "decode_ballot",
    "decode_ciphertexts",
    "decode_partials",
    "decrypt_tally",
    "encode_ballot",
    "encode_ciphertexts",
    "encode_partials",
    "fingerprint",
    "fingerprint_matches",
    "make_ballot",
    "partial_decrypt_tally",
    "slot_context",
    "sum_context",
    "tally",
    "total_context",
]

#: Domain tags (see ``group.hash_to_scalar``).
CONTEXT_TAG = b"partnership/elections/v1/ballot-context"
FINGERPRINT_TAG = b"partnership/elections/v1/ballot-fingerprint"
#: What one slot may hold.
SLOT_VALUES = (0, 1)

_CIPHERTEXT_SIZE = 2 * POINT_SIZE
_PAIR_SIZE = 2 * SCALAR_SIZE
_PARTIAL_SIZE = POINT_SIZE + 2 * SCALAR_SIZE


@dataclass(frozen=True)
class Ballot:
    """The ciphertexts (candidate slots in layout order, then abstain), one 0/1 proof per slot
    and the proof that the weighted sum is in 1..places."""

    ciphertexts: tuple[Ciphertext, ...]
    slot_proofs: tuple[DisjunctiveProof, ...]
    sum_proof: DisjunctiveProof


def ballot_context(
    *, election: str, public_key: Point, layout: Sequence[str], places: int
) -> bytes:
    """The 32-byte context every proof of an election is bound to: the election's id, its
    public key, its layout (candidate ids in slot order, then ``"abstain"``) and its places."""
    parts = encode_parts(
        CONTEXT_TAG, election.encode(), public_key, [item.encode() for item in layout], places
    )
    return hashlib.sha256(parts).digest()


def slot_context(context: bytes, slot: int) -> bytes:
    """The context of slot ``slot``'s 0/1 proof."""
    return encode_parts(context, b"slot", slot)


def sum_context(context: bytes) -> bytes:
    """The context of the ballot's sum proof."""
    return encode_parts(context, b"sum")


def total_context(context: bytes, slot: int) -> bytes:
    """The context of the partial decryptions of slot ``slot``'s total."""
    return encode_parts(context, b"total", slot)


def _weighted_sum(ciphertexts: Sequence[Ciphertext], places: int) -> Ciphertext:
    total = Ciphertext.zero()
    for ciphertext in ciphertexts[:-1]:
        total = total + ciphertext
    return total + places * ciphertexts[-1]


def make_ballot(
    *,
    public_key: Point,
    candidates: int,
    chosen: Iterable[int],
    abstain: bool,
    places: int,
    context: bytes,
) -> Ballot:
    """Encrypt a choice of 1..``places`` of the ``candidates`` slots (0-based), or an
    abstention, with all its proofs. Refuses a choice the rules do not allow (the proofs could
    not be made); the message says what is wrong but never which slots were chosen."""
    picked = set(chosen)
    if candidates < 1 or places < 1:
        raise ValueError("An election needs a candidate and a place.")
    if any(not 0 <= slot < candidates for slot in picked):
        raise ValueError("A chosen slot is not one of the candidates.")
    if abstain == bool(picked):
        raise ValueError("A ballot either chooses candidates or abstains.")
    if len(picked) > places:
        raise ValueError("A ballot may not choose more candidates than there are places.")
    messages = [int(slot in picked) for slot in range(candidates)] + [int(abstain)]
    # The randomness opens the ballot: it lives only in this frame and is never returned.
    randomness = [group.random_scalar() for _ in messages]
    ciphertexts = tuple(
        encrypt(m, public_key, randomness=r) for m, r in zip(messages, randomness, strict=True)
    )
    slot_proofs = tuple(
        prove_one_of(
            ciphertext,
            message=m,
            randomness=r,
            values=SLOT_VALUES,
            public_key=public_key,
            context=slot_context(context, slot),
        )
        for slot, (ciphertext, m, r) in enumerate(
            zip(ciphertexts, messages, randomness, strict=True)
        )
    )
    weights = [1] * candidates + [places]
    sum_proof = prove_one_of(
        _weighted_sum(ciphertexts, places),
        message=sum(w * m for w, m in zip(weights, messages, strict=True)),
        randomness=sum(w * r for w, r in zip(weights, randomness, strict=True)) % ORDER,
        values=range(1, places + 1),
        public_key=public_key,
        context=sum_context(context),
    )
    return Ballot(ciphertexts=ciphertexts, slot_proofs=slot_proofs, sum_proof=sum_proof)


def check_ballot(
    ballot: Ballot, *, public_key: Point, candidates: int, places: int, context: bytes
) -> list[str]:
    """What is wrong with a ballot, or nothing: the number of slots; each slot a proper
    ciphertext proved to hold 0 or 1; and the sum proved to be in 1..places, which refuses a
    slot holding 2, too many choices, a blank ballot and a choice with an abstention. A ballot
    made for another context (election, key, layout or places) fails its proofs."""
    slots = candidates + 1
    if len(ballot.ciphertexts) != slots or len(ballot.slot_proofs) != slots:
        return [f"The ballot has {len(ballot.ciphertexts)} slots; this election's have {slots}."]
    problems = []
    for slot, (ciphertext, proof) in enumerate(
        zip(ballot.ciphertexts, ballot.slot_proofs, strict=True)
    ):
        if ciphertext.a.is_identity:
            # A = O means r = 0: B would be mG in the clear.
            problems.append(f"Slot {slot} is not a proper ciphertext.")
        elif not verify_one_of(
            ciphertext,
            proof,
            values=SLOT_VALUES,
            public_key=public_key,
            context=slot_context(context, slot),
        ):
            problems.append(f"Slot {slot}'s proof that it holds 0 or 1 does not check.")
    if not verify_one_of(
        _weighted_sum(ballot.ciphertexts, places),
        ballot.sum_proof,
        values=range(1, places + 1),
        public_key=public_key,
        context=sum_context(context),
    ):
        problems.append(
            f"The proof that the ballot chooses 1 to {places} candidates, or only abstains, "
            "does not check."
        )
    return problems


def encode_ciphertexts(ciphertexts: Sequence[Ciphertext]) -> bytes:
    """Ciphertexts as bytes: A then B for each, 66 bytes apiece (a ballot, or the totals)."""
    return b"".join(c.a.encode() + c.b.encode() for c in ciphertexts)


def decode_ciphertexts(data: bytes) -> tuple[Ciphertext, ...]:
    """The ciphertexts of ``encode_ciphertexts``; ``ValueError`` on malformed bytes."""
    if len(data) % _CIPHERTEXT_SIZE:
        raise ValueError("Ciphertexts must be 66 bytes each.")
    return tuple(
        Ciphertext(
            Point.decode(data[i : i + POINT_SIZE]),
            Point.decode(data[i + POINT_SIZE : i + _CIPHERTEXT_SIZE]),
        )
        for i in range(0, len(data), _CIPHERTEXT_SIZE)
    )


def _encode_proof(proof: DisjunctiveProof) -> bytes:
    return b"".join(
        encode_scalar(c) + encode_scalar(s)
        for c, s in zip(proof.challenges, proof.responses, strict=True)
    )


def _decode_proof(data: bytes) -> DisjunctiveProof:
    pairs = [
        (
            decode_scalar(data[i : i + SCALAR_SIZE]),
            decode_scalar(data[i + SCALAR_SIZE : i + _PAIR_SIZE]),
        )
        for i in range(0, len(data), _PAIR_SIZE)
    ]
    return DisjunctiveProof(
        challenges=tuple(c for c, _ in pairs), responses=tuple(s for _, s in pairs)
    )


def encode_ballot(ballot: Ballot) -> tuple[bytes, bytes]:
    """The ballot's canonical bytes: ``(ciphertexts, proofs)``, as stored and published."""
    if any(len(p.challenges) != len(SLOT_VALUES) for p in ballot.slot_proofs):
        raise ValueError("A slot's proof must have one pair per allowed value.")
    proofs = b"".join(_encode_proof(p) for p in (*ballot.slot_proofs, ballot.sum_proof))
    return encode_ciphertexts(ballot.ciphertexts), proofs


def decode_ballot(ciphertexts: bytes, proofs: bytes) -> Ballot:
    """A ballot from its stored bytes, refusing malformed or non-canonical ones (a point off
    the curve, a scalar not below the group order, a wrong length). It does not check the
    proofs: ``check_ballot`` does."""
    decoded = decode_ciphertexts(ciphertexts)
    if len(decoded) < 2:
        raise ValueError("A ballot has at least one candidate slot and the abstain slot.")
    slot_size = len(SLOT_VALUES) * _PAIR_SIZE
    rest = len(proofs) - len(decoded) * slot_size
    if rest <= 0 or rest % _PAIR_SIZE:
        raise ValueError("The proofs do not match the ballot's slots.")
    slot_proofs = tuple(
        _decode_proof(proofs[i : i + slot_size])
        for i in range(0, len(decoded) * slot_size, slot_size)
    )
    sum_proof = _decode_proof(proofs[len(decoded) * slot_size :])
    return Ballot(ciphertexts=decoded, slot_proofs=slot_proofs, sum_proof=sum_proof)


def fingerprint(ciphertexts: bytes, proofs: bytes, *, context: bytes) -> str:
    """The ballot's fingerprint (the voter's receipt and its bulletin-board entry): SHA-256, in
    hex, of a tag, the election's context and the ballot's stored bytes."""
    return hashlib.sha256(encode_parts(FINGERPRINT_TAG, context, ciphertexts, proofs)).hexdigest()


def fingerprint_matches(
    ciphertexts: bytes, proofs: bytes, *, context: bytes, expected: str
) -> bool:
    """Whether the stored bytes have the fingerprint ``expected`` (compared in constant time)."""
    actual = fingerprint(ciphertexts, proofs, context=context)
    return hmac.compare_digest(actual.encode(), expected.lower().encode())


def tally(ballots: Iterable[Ballot], *, slots: int) -> tuple[Ciphertext, ...]:
    """The encrypted totals: each slot's ciphertexts added up over every ballot. With no
    ballots, encryptions of 0. Check the ballots first: the sum of a bad ballot is bad."""
    totals = [Ciphertext.zero()] * slots
    for ballot in ballots:
        if len(ballot.ciphertexts) != slots:
            raise ValueError("A ballot has the wrong number of slots.")
        totals = [t + c for t, c in zip(totals, ballot.ciphertexts, strict=True)]
    return tuple(totals)


def partial_decrypt_tally(
    totals: Sequence[Ciphertext], share: Share, *, context: bytes
) -> tuple[PartialDecryption, ...]:
    """One officer's partial decryptions of every slot's total, each with its proof."""
    return tuple(
        partial_decrypt(total, share, context=total_context(context, slot))
        for slot, total in enumerate(totals)
    )


def decrypt_tally(
    totals: Sequence[Ciphertext],
    partials: Mapping[int, Sequence[PartialDecryption]],
    *,
    verification_keys: Mapping[int, Point],
    threshold: int,
    bound: int,
    context: bytes,
) -> tuple[int, ...]:
    """The totals in the clear from ``threshold`` or more officers' partial decryptions (keyed
    by officer index), each proof checked against the officer's verification key. ``bound`` is
    the largest possible total (the number of ballots). ``ValueError`` names the officer and
    slot whose partial does not check, or says the combination is out of range."""
    if len(partials) < threshold:
        raise ValueError("Too few officers' partial decryptions to count.")
    results = []
    for slot, total in enumerate(totals):
        slot_partials = []
        for index, officer_partials in partials.items():
            if index not in verification_keys or len(officer_partials) != len(totals):
                raise ValueError(f"Officer {index}'s partial decryptions do not fit this tally.")
            partial = officer_partials[slot]
            if partial.index != index or not verify_partial(
                total,
                partial,
                verification_key=verification_keys[index],
                context=total_context(context, slot),
            ):
                raise ValueError(
                    f"Officer {index}'s partial decryption of slot {slot} does not check."
                )
            slot_partials.append(partial)
        combined = combine_partials(total, slot_partials, threshold=threshold)
        results.append(discrete_log(combined, bound=bound))
    return tuple(results)


def encode_partials(partials: Sequence[PartialDecryption]) -> bytes:
    """An officer's partial decryptions as bytes: D, c and z for each slot, 97 bytes apiece."""
    return b"".join(
        p.point.encode() + encode_scalar(p.proof.challenge) + encode_scalar(p.proof.response)
        for p in partials
    )


def decode_partials(data: bytes, *, index: int) -> tuple[PartialDecryption, ...]:
    """Officer ``index``'s partial decryptions from ``encode_partials``."""
    if len(data) % _PARTIAL_SIZE:
        raise ValueError("Partial decryptions must be 97 bytes each.")
    out = []
    for i in range(0, len(data), _PARTIAL_SIZE):
        point = Point.decode(data[i : i + POINT_SIZE])
        c = decode_scalar(data[i + POINT_SIZE : i + POINT_SIZE + SCALAR_SIZE])
        z = decode_scalar(data[i + POINT_SIZE + SCALAR_SIZE : i + _PARTIAL_SIZE])
        out.append(PartialDecryption(index=index, point=point, proof=EqualityProof(c, z)))
    return tuple(out)
