"""The group: points and scalars of the elliptic curve secp256k1 (SEC 2), through coincurve's
bindings to libsecp256k1.

The group has prime order ``ORDER`` (about 2^256) and no cofactor, so every point but the
identity generates it; the discrete-logarithm problem in it is believed to take about 2^128
operations, the security of RSA-3072. Scalars are plain ``int`` modulo ``ORDER``.

libsecp256k1 has no value for the point at infinity (the identity): adding a point to its
negation fails, and multiplying by zero is refused. ``Point`` hides that, so the identity is an
ordinary value here (``Point.identity()``), which matters because a sum of ciphertexts or an
election without ballots can meet it.

``random_scalar`` is the only source of randomness in the package (from ``secrets``). The other
modules call it as ``group.random_scalar()``, never importing the name, so a test can record or
fix every random value by patching ``membership.crypto.group.random_scalar`` alone.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from coincurve import PublicKey

__all__ = [
    "G",
    "ORDER",
    "POINT_SIZE",
    "SCALAR_SIZE",
    "Point",
    "base_mul",
    "decode_scalar",
    "encode_parts",
    "encode_scalar",
    "hash_to_scalar",
    "random_scalar",
]

#: The order n of secp256k1's group (SEC 2, section 2.4.1).
ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
#: A point is stored compressed: 0x02 or 0x03 then x, big-endian.
POINT_SIZE = 33
#: A scalar is stored as 32 bytes, big-endian.
SCALAR_SIZE = 32
#: How the identity is stored: 33 zero bytes, which no compressed point can be.
_IDENTITY_BYTES = bytes(POINT_SIZE)


class Point:
    """A point of secp256k1, or the identity. Immutable; compared and hashed by its bytes.

    Written additively, as the proofs are: ``P + Q``, ``P - Q``, ``-P``, ``k * P``.
    """

    __slots__ = ("_key", "_raw")

    def __init__(self, key: PublicKey | None) -> None:
        # The compressed bytes are canonical (one encoding per point), so they serve as the
        # point's identity for equality, hashing and the Fiat-Shamir transcripts.
        self._key = key
        self._raw = None if key is None else key.format(compressed=True)

    @classmethod
    def identity(cls) -> Point:
        """The neutral element (the point at infinity)."""
        return cls(None)

    @classmethod
    def decode(cls, data: bytes) -> Point:
        """Read a point from its ``POINT_SIZE`` bytes, refusing anything not on the curve or not
        in canonical compressed form (so each point has exactly one encoding)."""
        if len(data) != POINT_SIZE:
            raise ValueError("A point must be 33 bytes.")
        if data == _IDENTITY_BYTES:
            return cls.identity()
        if data[0] not in (2, 3):
            raise ValueError("A point must be in compressed form.")
        try:
            point = cls(PublicKey(bytes(data)))
        except ValueError:
            raise ValueError("Not a point of secp256k1.") from None
        if point._raw != data:
            raise ValueError("Not a point of secp256k1.")
        return point

    def encode(self) -> bytes:
        """The point's ``POINT_SIZE`` bytes (the identity as 33 zero bytes)."""
        return _IDENTITY_BYTES if self._raw is None else self._raw

    @property
    def is_identity(self) -> bool:
        return self._key is None

    def __add__(self, other: Point) -> Point:
        if not isinstance(other, Point):
            return NotImplemented
        if self._key is None:
            return other
        if other._key is None:
            return self
        try:
            return Point(PublicKey.combine_keys([self._key, other._key]))
        except ValueError:
            # libsecp256k1 refuses a sum at infinity: that is P + (-P).
            return Point.identity()

    def __neg__(self) -> Point:
        if self._raw is None:
            return self
        # -(x, y) = (x, p - y): p is odd, so the parity of y, the prefix 02/03, flips.
        return Point(PublicKey(bytes([self._raw[0] ^ 1]) + self._raw[1:]))

    def __sub__(self, other: Point) -> Point:
        if not isinstance(other, Point):
            return NotImplemented
        return self + (-other)

    def __mul__(self, scalar: int) -> Point:
        if not isinstance(scalar, int):
            return NotImplemented
        scalar %= ORDER
        if self._key is None or scalar == 0:
            return Point.identity()
        if self._raw == _GENERATOR_BYTES:
            # libsecp256k1's fixed-base multiplication is several times faster.
            return Point(PublicKey.from_secret(scalar_bytes(scalar)))
        return Point(self._key.multiply(scalar_bytes(scalar)))

    __rmul__ = __mul__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Point):
            return NotImplemented
        return self._raw == other._raw

    def __hash__(self) -> int:
        return hash(self._raw)

    def __repr__(self) -> str:
        return "Point(identity)" if self._raw is None else f"Point({self._raw.hex()})"


def scalar_bytes(scalar: int) -> bytes:
    """A scalar reduced modulo ``ORDER``, as ``SCALAR_SIZE`` big-endian bytes: for arithmetic
    and comparisons, never for what is stored (``encode_scalar``)."""
    return (scalar % ORDER).to_bytes(SCALAR_SIZE, "big")


def encode_scalar(scalar: int) -> bytes:
    """A scalar's ``SCALAR_SIZE`` big-endian bytes. One not in 0..ORDER-1 is refused, not
    reduced: a proof object and its stored bytes must be checked alike (``decode_scalar``)."""
    if not 0 <= scalar < ORDER:
        raise ValueError("A scalar must be below the group order.")
    return scalar.to_bytes(SCALAR_SIZE, "big")


def decode_scalar(data: bytes) -> int:
    """Read a scalar, refusing one of the wrong length or not below ``ORDER`` (so each scalar
    has one encoding and a proof cannot be re-encoded into a second, different-looking copy)."""
    if len(data) != SCALAR_SIZE:
        raise ValueError("A scalar must be 32 bytes.")
    value = int.from_bytes(data, "big")
    if value >= ORDER:
        raise ValueError("A scalar must be less than the group order.")
    return value


_GENERATOR_BYTES = PublicKey.from_secret(scalar_bytes(1)).format(compressed=True)


#: G, secp256k1's standard base point.
G = Point.decode(_GENERATOR_BYTES)


def base_mul(scalar: int) -> Point:
    """``scalar * G``."""
    scalar %= ORDER
    if scalar == 0:
        return Point.identity()
    return Point(PublicKey.from_secret(scalar_bytes(scalar)))


def random_scalar() -> int:
    """A uniformly random non-zero scalar, from the operating system's CSPRNG.

    Every secret and every nonce of the package comes from here (and only here)."""
    return secrets.randbelow(ORDER - 1) + 1


Part = bytes | int | Point


def encode_parts(*parts: Part | Iterable[Part]) -> bytes:
    """An unambiguous byte string for a sequence of parts: each is typed and length-prefixed,
    and a nested iterable is written with its count, so no two different sequences encode
    alike. Integers must be non-negative (scalars, indices, small values)."""
    out = bytearray()
    for part in parts:
        if isinstance(part, Point):
            body, kind = part.encode(), b"P"
        elif isinstance(part, bytes | bytearray | memoryview):
            # psycopg2 reads bytea as memoryview: bytes however they were read.
            body, kind = bytes(part), b"B"
        elif isinstance(part, int):
            if part < 0:
                raise ValueError("Only non-negative integers can be hashed.")
            body, kind = part.to_bytes(max(1, (part.bit_length() + 7) // 8), "big"), b"I"
        elif isinstance(part, str):
            # A str is iterable too; refusing it keeps text from being hashed by accident.
            raise TypeError("Encode text to bytes before hashing it.")
        elif isinstance(part, list | tuple | range):
            body, kind = encode_parts(*part), b"L"
        else:
            raise TypeError(f"Cannot hash a {type(part).__name__}.")
        out += kind + len(body).to_bytes(4, "big") + body
    return bytes(out)


def hash_to_scalar(tag: bytes, *parts: Part | Iterable[Part]) -> int:
    """A scalar derived from a domain tag and parts by SHA-512 reduced modulo ``ORDER`` (512
    bits reduced modulo a 256-bit prime: the bias is about 2^-256, nil).

    The tag keeps hashes made for one purpose from ever being valid for another."""
    digest = hashlib.sha512(encode_parts(tag, *parts)).digest()
    return int.from_bytes(digest, "big") % ORDER
