"""Checking an election's bulletin board from its own contents alone.

The board (``membership.services.election_board`` builds it; it is published as
``board.json``) holds everything needed to check a count without trusting the server: the
election's public key and ballot layout, every encrypted ballot with its proofs, the
officers' verification keys, the encrypted totals, each counting officer's partial
decryptions with their proofs, and the published result. ``check_board`` redoes every step:

1. each ballot decodes, its fingerprint is recomputed from its bytes and the election's
   context (``ballot.ballot_context``) and matches the published one, and its proofs check
   (``ballot.check_ballot``): each slot holds 0 or 1 and the ballot chooses 1..places
   candidates or only abstains;
2. the digest of the fingerprints (``board_digest``) is the published one, and the number of
   ballots is the published turnout;
3. the officers' verification keys lie on one polynomial through the public key
   (``shamir.verification_keys_consistent``), so any quorum of them decrypts under it;
4. the encrypted totals, added up again from the ballots, are the published tally;
5. each officer's partial decryptions of those totals check against their verification key,
   bound to the digest (``count_context``): they decrypted exactly these ballots' totals;
6. the partial decryptions combined give the published result, candidate by candidate.

This module, like the rest of ``membership.crypto``, imports nothing from Django: it can be
run anywhere on a downloaded board. It also holds the two pure helpers the count itself uses
(``board_digest`` and ``count_context``), so what the officers commit to and what anyone
checks are computed by one function.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from membership.crypto import ballot as ballots
from membership.crypto import group, shamir
from membership.crypto.elgamal import Ciphertext, PartialDecryption, verify_partial
from membership.crypto.group import Point

__all__ = [
    "ABSTAIN",
    "BOARD_FORMAT",
    "BOARD_TAG",
    "COUNT_TAG",
    "BoardCheck",
    "board_digest",
    "check_board",
    "count_context",
    "verify_board",
]

#: More places than any body has seats (each place costs the checker a proof branch).
MAX_PLACES = 1000

#: The version of the board's JSON layout: a verifier refuses one it does not know.
BOARD_FORMAT = "partnership-election-board/1"
#: The last entry of every layout, and the results' key for abstentions.
ABSTAIN = "abstain"
#: Domain tags (see ``group.hash_to_scalar``).
BOARD_TAG = b"partnership/elections/v1/board"
COUNT_TAG = b"partnership/elections/v1/count"


def board_digest(fingerprints: Iterable[str]) -> str:
    """The digest of the sorted fingerprints: what the officers' partial decryptions commit
    to, so they decrypt the totals of exactly the ballots on the bulletin board."""
    return hashlib.sha256(
        group.encode_parts(BOARD_TAG, sorted(f.encode() for f in fingerprints))
    ).hexdigest()


def count_context(context: bytes, digest: str) -> bytes:
    """The context of the partial decryptions of the totals: the election's context and the
    board's digest."""
    return group.encode_parts(COUNT_TAG, context, digest.encode())


@dataclass
class BoardCheck:
    """What checking a board found: its problems (none: the count is right), the number of
    ballots checked and the totals the officers' partial decryptions give, by layout entry
    (empty when they could not be decrypted)."""

    problems: list[str] = field(default_factory=list)
    ballots: int = 0
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.problems


class _Malformed(ValueError):
    """The board's structure is wrong: nothing further can be checked."""


def _hex(value: Any, what: str) -> bytes:
    if not isinstance(value, str):
        raise _Malformed(f"{what} is not a hex string.")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise _Malformed(f"{what} is not valid hex.") from None


def _field(board: Mapping[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    value = board.get(key)
    # bool is an int to Python, never to a board.
    if not isinstance(value, kind) or isinstance(value, bool):
        raise _Malformed(f'The board\'s "{key}" is missing or of the wrong type.')
    return value


def _entries(board: Mapping[str, Any], key: str, fields: tuple[str, ...]) -> list[dict]:
    items = _field(board, key, list)
    for n, item in enumerate(items):
        if not isinstance(item, dict) or any(f not in item for f in fields):
            raise _Malformed(f'Entry {n + 1} of "{key}" lacks {", ".join(fields)}.')
    return items


def verify_board(board: Mapping[str, Any]) -> list[str]:
    """What is wrong with a published board, checked from its contents alone; an empty list
    means the published result is what these ballots add up to."""
    return check_board(board).problems


def check_board(board: Mapping[str, Any]) -> BoardCheck:
    """Check every ballot, the digest, the tally, each officer's partial decryptions and the
    result (see the module's docstring), collecting every problem rather than stopping at the
    first; only a board whose structure is broken stops early."""
    check = BoardCheck()
    try:
        _check(board, check)
    except _Malformed as exc:
        check.problems.append(f"The board is malformed: {exc}")
    return check


def _check(board: Mapping[str, Any], check: BoardCheck) -> None:
    problems = check.problems
    if not isinstance(board, Mapping):
        raise _Malformed("it is not a JSON object.")
    if board.get("format") != BOARD_FORMAT:
        raise _Malformed(f'its format is not "{BOARD_FORMAT}".')
    election = _field(board, "election", str)
    places = _field(board, "places", int)
    threshold = _field(board, "threshold", int)
    layout = _field(board, "layout", list)
    if (
        not layout
        or layout[-1] != ABSTAIN
        or not all(isinstance(x, str) for x in layout)
        or len(set(layout)) != len(layout)
    ):
        raise _Malformed(f'the layout must list distinct candidates then "{ABSTAIN}".')
    if places < 1 or threshold < 1:
        raise _Malformed("places and threshold must be at least 1.")
    if places > MAX_PLACES:
        raise _Malformed(f"no election has more than {MAX_PLACES} places.")
    try:
        public_key = Point.decode(_hex(board.get("public_key"), "The public key"))
    except ValueError as exc:
        raise _Malformed(f"the public key: {exc}") from None
    context = ballots.ballot_context(
        election=election, public_key=public_key, layout=layout, places=places
    )
    slots = len(layout)

    # 1. Every ballot: its bytes, its fingerprint and its proofs.
    entries = _entries(board, "ballots", ("fingerprint", "ciphertexts", "proofs"))
    decoded: list[ballots.Ballot] = []
    fingerprints: list[str] = []
    for n, entry in enumerate(entries, start=1):
        published = entry["fingerprint"]
        name = f"Ballot {n} ({published})" if isinstance(published, str) else f"Ballot {n}"
        try:
            ciphertexts = _hex(entry["ciphertexts"], f"{name}'s ciphertexts")
            proofs = _hex(entry["proofs"], f"{name}'s proofs")
        except _Malformed as exc:
            problems.append(str(exc))
            fingerprints.append(str(published))
            continue
        actual = ballots.fingerprint(ciphertexts, proofs, context=context)
        fingerprints.append(actual)
        if actual != published:
            problems.append(f"{name}: its fingerprint does not match its contents.")
        try:
            ballot = ballots.decode_ballot(ciphertexts, proofs)
        except ValueError as exc:
            problems.append(f"{name} is malformed: {exc}")
            continue
        wrong = ballots.check_ballot(
            ballot, public_key=public_key, candidates=slots - 1, places=places, context=context
        )
        if wrong:
            problems.append(f"{name}: {' '.join(wrong)}")
            continue
        decoded.append(ballot)
    check.ballots = len(entries)
    if len(set(fingerprints)) != len(fingerprints):
        problems.append("The same ballot appears more than once.")

    # 2. The digest the count is bound to, and the number of ballots.
    digest = board_digest(fingerprints)
    if board.get("board_digest") != digest:
        problems.append("The board's digest is not the digest of its ballots' fingerprints.")
    turnout = board.get("turnout")
    if not isinstance(turnout, int) or isinstance(turnout, bool):
        raise _Malformed("the turnout must be a whole number.")
    if turnout != len(entries):
        problems.append(f"There are {len(entries)} ballots but {turnout} people voted.")

    # 3. The officers' keys: any quorum of them decrypts under the public key.
    keys: dict[int, Point] = {}
    for entry in _entries(board, "officers", ("index", "verification_key")):
        index = entry["index"]
        if not isinstance(index, int) or isinstance(index, bool) or index < 1 or index in keys:
            raise _Malformed("each officer needs a distinct index of at least 1.")
        try:
            keys[index] = Point.decode(_hex(entry["verification_key"], "A verification key"))
        except ValueError as exc:
            raise _Malformed(f"officer {index}'s verification key: {exc}") from None
    if not shamir.verification_keys_consistent(public_key, keys, threshold=threshold):
        problems.append(
            f"The officers' verification keys do not fit the public key: not every {threshold} "
            "of them would decrypt under it."
        )

    # 4. The tally, added up again from the ballots.
    if len(decoded) != len(entries):
        problems.append("Ballots that do not check cannot be counted: the tally is not checked.")
        return
    totals = ballots.tally(decoded, slots=slots)
    try:
        published_tally = ballots.decode_ciphertexts(_hex(board.get("tally"), "The tally"))
    except ValueError as exc:
        raise _Malformed(f"the tally: {exc}") from None
    if published_tally != totals:
        problems.append("The published tally is not the sum of the ballots.")

    # 5. Each officer's partial decryptions of the recomputed totals, bound to the digest.
    count = count_context(context, digest)
    good: dict[int, tuple[PartialDecryption, ...]] = {}
    for entry in _entries(board, "partials", ("index", "partials")):
        index = entry["index"]
        if not isinstance(index, int) or isinstance(index, bool):
            raise _Malformed("each partial decryption needs an officer's index.")
        if index not in keys:
            problems.append(f"Partial decryptions from officer {index}, who holds no key.")
            continue
        if index in good:
            problems.append(f"Officer {index}'s partial decryptions appear twice.")
            continue
        try:
            partials = ballots.decode_partials(
                _hex(entry["partials"], f"Officer {index}'s partials"), index=index
            )
        except ValueError as exc:
            problems.append(f"Officer {index}'s partial decryptions are malformed: {exc}")
            continue
        if len(partials) != slots:
            problems.append(
                f"Officer {index} gave {len(partials)} partial decryptions, not {slots}."
            )
            continue
        bad = [
            slot
            for slot, (total, partial) in enumerate(zip(totals, partials, strict=True))
            if not _partial_checks(total, partial, keys[index], count, slot)
        ]
        if bad:
            problems.append(
                f"Officer {index}'s partial decryption of {_slots_named(bad, layout)} does not "
                "check against their verification key and these ballots."
            )
            continue
        good[index] = partials
    if len(good) < threshold:
        problems.append(
            f"Only {len(good)} officer(s)' partial decryptions check; {threshold} are needed "
            "to decrypt the totals."
        )
        return

    # 6. The totals in the clear, and the published result.
    try:
        clear = ballots.decrypt_tally(
            totals,
            good,
            verification_keys=keys,
            threshold=threshold,
            bound=len(entries),
            context=count,
        )
    except ValueError as exc:
        problems.append(f"The totals could not be decrypted: {exc}")
        return
    check.totals = dict(zip(layout, clear, strict=True))
    results = _field(board, "results", dict)
    if set(results) != set(layout):
        problems.append("The published results do not name exactly the candidates and abstain.")
    for entry, total in check.totals.items():
        published = results.get(entry)
        if entry in results and (
            not isinstance(published, int) or isinstance(published, bool) or published != total
        ):
            label = "Abstentions" if entry == ABSTAIN else f"Candidate {entry}"
            problems.append(
                f"{label}: the published result is {results[entry]}, the count gives {total}."
            )


def _partial_checks(
    total: Ciphertext, partial: PartialDecryption, key: Point, count: bytes, slot: int
) -> bool:
    return verify_partial(
        total, partial, verification_key=key, context=ballots.total_context(count, slot)
    )


def _slots_named(slots: list[int], layout: list[str]) -> str:
    names = [ABSTAIN if layout[s] == ABSTAIN else f"candidate {layout[s]}" for s in slots]
    return ", ".join(names)
