"""Counting codes, and a key share wrapped so that only its officer's code opens it.

An officer's counting code is 130 random bits, written in 26 letters and digits (no 0, 1, O or
I). Their *code key* is ``D = d G`` with ``d = H(tag, election, index, code)``: the server keeps
``D`` and never the code, so it can encrypt to the officer without being able to decrypt.

A share ``s`` is wrapped by hashed ElGamal: a fresh ``r``, ``R = r G`` and ``c = s + k`` with
``k = H(tag, election, index, R, D, r D)``; the officer's ``d`` gives ``r D = d R`` again, so
``s = c - k``. ``k`` is a one-time pad for a single scalar (it is a random oracle output on a
fresh Diffie–Hellman value), and whether the unwrapped share is right is checked against the
officer's public verification key ``Y = s G``: a wrong code or a tampered wrapping gives a
share that fails that check, never a wrong count.
"""

from __future__ import annotations

import hashlib
import secrets

from membership.crypto import group
from membership.crypto.group import ORDER, POINT_SIZE, SCALAR_SIZE, Point

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "code_key",
    "code_secret",
    "key_fingerprint",
    "new_code",
    "normalise_code",
    "unwrap_share",
    "wrap_share",
]

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # 32 symbols: 5 bits each
CODE_LENGTH = 26  # 130 bits
CODE_TAG = b"partnership/elections/v1/officer-code"
WRAP_TAG = b"partnership/elections/v1/share-wrap"
WRAPPED_SIZE = POINT_SIZE + SCALAR_SIZE


def new_code() -> str:
    """A fresh counting code: five groups of four and one of six, for reading and typing."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join([raw[i : i + 4] for i in range(0, 20, 4)] + [raw[20:]])


def normalise_code(code: str) -> str:
    """The code as typed, without spaces or dashes, in capitals."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def code_secret(code: str, *, election: str, index: int) -> int:
    """The officer's secret scalar ``d``, bound to the election and their index."""
    return (
        group.hash_to_scalar(CODE_TAG, election.encode(), index, normalise_code(code).encode()) or 1
    )


def code_key(code: str, *, election: str, index: int) -> Point:
    """The public key ``D = d G`` the server keeps in place of the code."""
    return group.base_mul(code_secret(code, election=election, index=index))


def _pad(*, election: str, index: int, ephemeral: Point, key: Point, shared: Point) -> int:
    return group.hash_to_scalar(WRAP_TAG, election.encode(), index, ephemeral, key, shared)


def wrap_share(share: int, *, key: Point, election: str, index: int) -> bytes:
    """``R || c``: the share encrypted to the officer's code key."""
    r = group.random_scalar()
    ephemeral = group.base_mul(r)
    pad = _pad(election=election, index=index, ephemeral=ephemeral, key=key, shared=key * r)
    return ephemeral.encode() + group.encode_scalar((share + pad) % ORDER)


def unwrap_share(wrapped: bytes, *, code: str, election: str, index: int) -> int:
    """The share, from its wrapping and the officer's code. A wrong code gives a wrong share:
    check it against the officer's verification key."""
    wrapped = bytes(wrapped)
    if len(wrapped) != WRAPPED_SIZE:
        raise ValueError("A wrapped share is 65 bytes.")
    ephemeral = Point.decode(wrapped[:POINT_SIZE])
    masked = group.decode_scalar(wrapped[POINT_SIZE:])
    secret = code_secret(code, election=election, index=index)
    key = group.base_mul(secret)
    pad = _pad(
        election=election, index=index, ephemeral=ephemeral, key=key, shared=ephemeral * secret
    )
    return (masked - pad) % ORDER


def key_fingerprint(key: bytes) -> str:
    """A short fingerprint of a public key (a code key or an election's key), for a person to
    compare by eye: the first 80 bits of its SHA-256, in five groups of four hex digits."""
    digest = hashlib.sha256(bytes(key)).hexdigest()[:20]
    return " ".join(digest[i : i + 4] for i in range(0, 20, 4))
