"""Shamir's secret sharing over the scalars of secp256k1, and its verification keys.

The dealer picks a random polynomial ``f`` of degree ``k - 1`` with ``f(0) = x`` (the election's
secret key) and gives officer ``i`` (``i = 1..n``) the share ``s_i = f(i)``. Any ``k`` shares
determine ``f`` and so ``x``; any ``k - 1`` say nothing about it (information-theoretically).
The shares are never brought together here: decryption interpolates in the exponent instead
(``elgamal.combine_partials``), so ``x`` itself is never rebuilt.

Each officer's *verification key* ``Y_i = s_i G`` is published with ``H = xG``; since the
``Y_i`` are ``f(i)G``, they must lie on a polynomial of degree ``k - 1`` in the exponent whose
value at 0 is ``H`` (``verification_keys_consistent``). That binds the shares to the public key
without revealing them, and lets anyone check each partial decryption against its ``Y_i``.

The dealer is trusted to deal honestly and forget ``x`` and the shares; it is the server,
inside the one function that opens voting.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from membership.crypto import group
from membership.crypto.group import ORDER, Point, base_mul

__all__ = [
    "Share",
    "deal",
    "interpolate",
    "lagrange_at",
    "lagrange_at_zero",
    "verification_keys",
    "verification_keys_consistent",
]


@dataclass(frozen=True)
class Share:
    """Officer ``index``'s share ``f(index)``. The value is left out of ``repr``."""

    index: int
    value: int = field(repr=False)


def deal(secret: int, *, shares: int, threshold: int) -> list[Share]:
    """Split ``secret`` into ``shares`` shares, indexed 1..shares, any ``threshold`` of which
    recover it."""
    if not 1 <= threshold <= shares < ORDER:
        raise ValueError("Need 1 <= threshold <= shares.")
    coefficients = [secret % ORDER] + [group.random_scalar() for _ in range(threshold - 1)]
    return [Share(index=i, value=_evaluate(coefficients, i)) for i in range(1, shares + 1)]


def _evaluate(coefficients: Sequence[int], x: int) -> int:
    # Horner's rule, highest coefficient first.
    value = 0
    for coefficient in reversed(coefficients):
        value = (value * x + coefficient) % ORDER
    return value


def lagrange_at(x: int, indices: Sequence[int]) -> dict[int, int]:
    """The Lagrange coefficients ``lambda_i`` for evaluating at ``x`` the polynomial of degree
    ``len(indices) - 1`` through the points at ``indices``: ``f(x) = sum(lambda_i f(i))``."""
    if len(set(indices)) != len(indices) or any(not 0 < i < ORDER for i in indices):
        raise ValueError("The indices must be distinct and between 1 and the group order.")
    coefficients = {}
    for i in indices:
        numerator = denominator = 1
        for j in indices:
            if j != i:
                numerator = numerator * (x - j) % ORDER
                denominator = denominator * (i - j) % ORDER
        coefficients[i] = numerator * pow(denominator, -1, ORDER) % ORDER
    return coefficients


def lagrange_at_zero(indices: Sequence[int]) -> dict[int, int]:
    """The Lagrange coefficients at 0 for the shares at ``indices``: ``f(0) = sum(lambda_i
    f(i))``, which is how partial decryptions are combined."""
    return lagrange_at(0, indices)


def interpolate(shares: Sequence[Share]) -> int:
    """The secret from shares (tests and the offline checks of a test only: an election's
    secret key is never rebuilt by the application)."""
    coefficients = lagrange_at_zero([share.index for share in shares])
    return sum(coefficients[share.index] * share.value for share in shares) % ORDER


def verification_keys(shares: Sequence[Share]) -> dict[int, Point]:
    """Each share's public verification key ``Y_i = s_i G``."""
    return {share.index: base_mul(share.value) for share in shares}


def verification_keys_consistent(
    public_key: Point, keys: Mapping[int, Point], *, threshold: int
) -> bool:
    """Whether every ``threshold`` of the verification keys interpolate to ``public_key`` in
    the exponent, that is, whether any quorum of the officers' shares decrypts under it.

    Checked without trying every subset: the first ``threshold`` keys fix the polynomial; it
    must give ``public_key`` at 0 and every other key at its own index. Then all ``n`` points
    lie on one polynomial of degree ``threshold - 1`` through ``(0, H)``, so every subset of
    ``threshold`` of them interpolates to ``H``."""
    indices = sorted(keys)
    if not 1 <= threshold <= len(indices):
        return False
    if any(not 0 < i < ORDER for i in indices):
        return False
    basis = indices[:threshold]
    for x, expected in [(0, public_key)] + [(i, keys[i]) for i in indices[threshold:]]:
        coefficients = lagrange_at(x, basis)
        point = Point.identity()
        for i in basis:
            point = point + coefficients[i] * keys[i]
        if point != expected:
            return False
    return True
