"""Exponential ElGamal on secp256k1, and the zero-knowledge proofs that go with it.

**Scheme.** A key pair is ``(x, H = xG)``. A small integer ``m`` is encrypted with a fresh random
``r`` as ``(A, B) = (rG, mG + rH)``. Adding two ciphertexts point by point encrypts the sum of
their messages, so a tally is computed without opening any ballot. Decryption finds
``mG = B - xA`` and then ``m`` by a discrete logarithm, which is feasible only because ``m`` is
small (a count of votes). Here ``x`` is never held whole: officers hold Shamir shares ``s_i`` of
it and each gives a *partial decryption* ``D_i = s_i A`` of the totals, combined by Lagrange
interpolation in the exponent.

**Proofs**, sigma protocols made non-interactive by the *strong* Fiat-Shamir transform: the
challenge hashes a domain tag, the caller's context (which election, key and ballot layout),
the public key, the whole statement and every commitment, so a proof cannot be moved to another
statement or election (the weak form, hashing only the commitments, let Helios ballots be
forged: Bernhard, Pereira and Warinschi, ASIACRYPT 2012).

- ``DisjunctiveProof`` (Cramer, Damgard and Schoenmakers, CRYPTO 1994, over Chaum-Pedersen): a
  ciphertext encrypts one of a set of values, without saying which.
- ``EqualityProof`` (Chaum and Pedersen, CRYPTO 1992): ``log_G Y = log_A D``, so a partial
  decryption was made with the share behind the officer's verification key ``Y``.

**Assumptions.** Decisional Diffie-Hellman is hard in secp256k1 (ElGamal's secrecy); SHA-512
behaves as a random oracle (the proofs' soundness and zero knowledge); ``random_scalar`` is
unpredictable and every nonce is used once.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass, field
from math import isqrt

from membership.crypto import group
from membership.crypto.group import (
    ORDER,
    G,
    Point,
    base_mul,
    hash_to_scalar,
    scalar_bytes,
)
from membership.crypto.shamir import Share, lagrange_at_zero

__all__ = [
    "DISJUNCTIVE_TAG",
    "EQUALITY_TAG",
    "Ciphertext",
    "DisjunctiveProof",
    "EqualityProof",
    "KeyPair",
    "PartialDecryption",
    "combine_partials",
    "decrypt",
    "discrete_log",
    "encrypt",
    "keypair",
    "partial_decrypt",
    "prove_one_of",
    "verify_one_of",
    "verify_partial",
]

#: Domain tags: a hash made for one kind of proof is never valid for another.
DISJUNCTIVE_TAG = b"partnership/elections/v1/one-of"
EQUALITY_TAG = b"partnership/elections/v1/partial-decryption"


@dataclass(frozen=True)
class KeyPair:
    """An ElGamal key pair. The secret is left out of ``repr`` so it cannot reach a log."""

    public: Point
    secret: int = field(repr=False)


def keypair() -> KeyPair:
    """A fresh key pair ``(x, xG)``."""
    secret = group.random_scalar()
    return KeyPair(public=base_mul(secret), secret=secret)


@dataclass(frozen=True)
class Ciphertext:
    """``(A, B) = (rG, mG + rH)``. Adding ciphertexts adds their messages; ``k * C`` multiplies
    the message by ``k``."""

    a: Point
    b: Point

    @classmethod
    def zero(cls) -> Ciphertext:
        """The neutral element: an encryption of 0 with ``r = 0``, where a sum starts."""
        return cls(Point.identity(), Point.identity())

    def __add__(self, other: Ciphertext) -> Ciphertext:
        return Ciphertext(self.a + other.a, self.b + other.b)

    def __mul__(self, factor: int) -> Ciphertext:
        return Ciphertext(factor * self.a, factor * self.b)

    __rmul__ = __mul__


def encrypt(message: int, public_key: Point, *, randomness: int | None = None) -> Ciphertext:
    """Encrypt a small non-negative integer under ``public_key``. The caller passes
    ``randomness`` only when it must prove something about the ciphertext; it is then the
    caller's duty to draw it from ``random_scalar`` and to forget it afterwards."""
    r = group.random_scalar() if randomness is None else randomness
    return Ciphertext(base_mul(r), base_mul(message) + r * public_key)


def decrypt(ciphertext: Ciphertext, secret: int, *, bound: int) -> int:
    """The message of a ciphertext, given the whole secret key (tests only: an election's key
    is never assembled) and an upper ``bound`` on the message."""
    return discrete_log(ciphertext.b - secret * ciphertext.a, bound=bound)


def discrete_log(point: Point, *, bound: int) -> int:
    """The ``m`` in ``0..bound`` with ``mG == point``, by baby-step giant-step (about
    ``2 * sqrt(bound)`` additions). Raises ``ValueError`` when there is none, which for a
    combination of partial decryptions means too few or wrong shares."""
    if bound < 0:
        raise ValueError("The bound must not be negative.")
    step = isqrt(bound) + 1
    baby: dict[Point, int] = {}
    current = Point.identity()
    for j in range(step):
        baby[current] = j
        current = current + G
    giant = -base_mul(step)
    current = point
    for i in range(step + 1):
        found = baby.get(current)
        if found is not None and i * step + found <= bound:
            return i * step + found
        current = current + giant
    raise ValueError("The decrypted value is not in the expected range.")


@dataclass(frozen=True)
class DisjunctiveProof:
    """A proof that a ciphertext encrypts one of ``values``: one (challenge, response) pair per
    value, in the order of ``values``. The commitments are recomputed by the verifier."""

    challenges: tuple[int, ...]
    responses: tuple[int, ...]


def _one_of_challenge(
    context: bytes,
    public_key: Point,
    ciphertext: Ciphertext,
    values: Sequence[int],
    commitments: Sequence[Point],
) -> int:
    return hash_to_scalar(
        DISJUNCTIVE_TAG,
        context,
        public_key,
        ciphertext.a,
        ciphertext.b,
        tuple(values),
        tuple(commitments),
    )


def _check_values(values: Sequence[int]) -> None:
    if not values or len(set(values)) != len(values) or min(values) < 0:
        raise ValueError("The allowed values must be distinct non-negative integers.")


def prove_one_of(
    ciphertext: Ciphertext,
    *,
    message: int,
    randomness: int,
    values: Sequence[int],
    public_key: Point,
    context: bytes,
) -> DisjunctiveProof:
    """Prove that ``ciphertext`` (made with ``randomness``) encrypts one of ``values``,
    revealing nothing about which.

    Branch ``j`` claims ``(A, B - jG)`` is ``(rG, rH)`` for some ``r``. The true branch is a
    Chaum-Pedersen proof with a fresh nonce ``w``; the others are simulated (response and
    challenge drawn first, commitments solved for). The challenges must add up to the hash, so
    at most one branch can be simulated freely: one branch, at least, is true."""
    _check_values(values)
    if message not in values:
        raise ValueError("The message is not one of the allowed values.")
    a, b = ciphertext.a, ciphertext.b
    h = public_key
    challenges: dict[int, int] = {}
    responses: dict[int, int] = {}
    commitments: list[Point] = []
    nonce = 0
    for value in values:
        if value == message:
            nonce = group.random_scalar()
            commitments += [base_mul(nonce), nonce * h]
        else:
            c, s = group.random_scalar(), group.random_scalar()
            challenges[value], responses[value] = c, s
            commitments += [base_mul(s) - c * a, s * h - c * (b - base_mul(value))]
    total = _one_of_challenge(context, public_key, ciphertext, values, commitments)
    challenges[message] = (total - sum(challenges.values())) % ORDER
    responses[message] = (nonce + challenges[message] * randomness) % ORDER
    return DisjunctiveProof(
        challenges=tuple(challenges[v] for v in values),
        responses=tuple(responses[v] for v in values),
    )


def verify_one_of(
    ciphertext: Ciphertext,
    proof: DisjunctiveProof,
    *,
    values: Sequence[int],
    public_key: Point,
    context: bytes,
) -> bool:
    """Whether ``proof`` shows that ``ciphertext`` encrypts one of ``values`` under
    ``public_key``, for this ``context`` (a proof made for another election, key, layout or
    slot fails)."""
    _check_values(values)
    if len(proof.challenges) != len(values) or len(proof.responses) != len(values):
        return False
    scalars = proof.challenges + proof.responses
    if any(not 0 <= s < ORDER for s in scalars):
        return False
    a, b = ciphertext.a, ciphertext.b
    commitments: list[Point] = []
    for value, c, s in zip(values, proof.challenges, proof.responses, strict=True):
        commitments += [base_mul(s) - c * a, s * public_key - c * (b - base_mul(value))]
    expected = _one_of_challenge(context, public_key, ciphertext, values, commitments)
    return hmac.compare_digest(scalar_bytes(sum(proof.challenges)), scalar_bytes(expected))


@dataclass(frozen=True)
class EqualityProof:
    """A Chaum-Pedersen proof ``(c, z)`` that two points share a discrete logarithm."""

    challenge: int
    response: int


@dataclass(frozen=True)
class PartialDecryption:
    """An officer's share of the decryption of one ciphertext: ``D = s_i A``, with the proof
    that ``s_i`` is the logarithm of the officer's verification key ``Y_i = s_i G``. It opens
    nothing by itself; ``threshold`` of them together open the ciphertext."""

    index: int
    point: Point
    proof: EqualityProof


def _equality_challenge(
    context: bytes, index: int, key: Point, a: Point, d: Point, t_g: Point, t_a: Point
) -> int:
    return hash_to_scalar(EQUALITY_TAG, context, index, key, a, d, t_g, t_a)


def partial_decrypt(ciphertext: Ciphertext, share: Share, *, context: bytes) -> PartialDecryption:
    """Officer ``share.index``'s partial decryption of ``ciphertext``, with its proof. Use it
    only on the totals: on a single ballot, ``threshold`` of these would open that ballot."""
    a = ciphertext.a
    key = base_mul(share.value)
    d = share.value * a
    nonce = group.random_scalar()
    t_g, t_a = base_mul(nonce), nonce * a
    c = _equality_challenge(context, share.index, key, a, d, t_g, t_a)
    proof = EqualityProof(challenge=c, response=(nonce + c * share.value) % ORDER)
    return PartialDecryption(index=share.index, point=d, proof=proof)


def verify_partial(
    ciphertext: Ciphertext,
    partial: PartialDecryption,
    *,
    verification_key: Point,
    context: bytes,
) -> bool:
    """Whether ``partial`` is ``s A`` for the ``s`` behind ``verification_key`` (``sG``), for
    this ciphertext and context: ``zG - cY`` and ``zA - cD`` must hash back to ``c``."""
    c, z = partial.proof.challenge, partial.proof.response
    if not (0 <= c < ORDER and 0 <= z < ORDER):
        return False
    a, d = ciphertext.a, partial.point
    t_g = base_mul(z) - c * verification_key
    t_a = z * a - c * d
    expected = _equality_challenge(context, partial.index, verification_key, a, d, t_g, t_a)
    return hmac.compare_digest(scalar_bytes(c), scalar_bytes(expected))


def combine_partials(
    ciphertext: Ciphertext, partials: Sequence[PartialDecryption], *, threshold: int
) -> Point:
    """``mG = B - sum(lambda_i D_i)`` from at least ``threshold`` partial decryptions by
    distinct officers (check each with ``verify_partial`` first). Fewer than ``threshold`` are
    refused: their combination would be a meaningless point."""
    indices = [p.index for p in partials]
    if len(set(indices)) != len(indices):
        raise ValueError("Each officer's partial decryption may be used once.")
    if len(indices) < threshold:
        raise ValueError("Too few partial decryptions to decrypt.")
    coefficients = lagrange_at_zero(indices)
    mask = Point.identity()
    for partial in partials:
        mask = mask + coefficients[partial.index] * partial.point
    return ciphertext.b - mask
