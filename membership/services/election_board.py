"""An election's public bulletin board, read from the database.

Once an election is counted (status "closed", with the encrypted totals kept), everything
needed to check its result without trusting the server is public: its key and layout, every
encrypted ballot with its proofs, the officers' verification keys, the encrypted totals, the
counting officers' partial decryptions and the result. ``board_build`` gathers it into the
document ``membership.crypto.verify.check_board`` checks (published as ``board.json``); the
page shows the ballots' fingerprints a page at a time (``board_fingerprints``).

Nothing here says who voted, or how: a ballot row has no link to anyone, and the board
publishes only what the ballot table already holds in encrypted form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page

from membership.crypto.verify import ABSTAIN, BOARD_FORMAT
from membership.models import Ballot, Candidate, Election, ElectionOfficer, ElectionStatus, Post
from partnership.paging import page_with_total

__all__ = [
    "BoardSummary",
    "board_build",
    "board_fingerprints",
    "board_published",
    "board_summary",
    "post_described",
]


def board_published(election: Election) -> bool:
    """Whether ``election`` has a board: counted, with its ballots encrypted. An election
    closed before ballots were encrypted has no tally, and so no board."""
    return election.status == ElectionStatus.CLOSED and election.tally is not None


def post_described(election: Election) -> str:
    """What was elected, as the election's page says it ("Chair", "2 places in Partners")."""
    if election.post == Post.SEAT:
        what = f"{election.places} place{'s' if election.places != 1 else ''} in "
        what += election.seat.name
    else:
        what = election.get_post_display()
    return what + (" (re-ballot)" if election.reballot_of_id else "")


def _candidates(election: Election) -> list[Candidate]:
    """The candidates of the ballot's layout, in its order (one query)."""
    ids = [int(pk) for pk in election.layout[:-1]]
    found = {c.pk: c for c in Candidate.objects.filter(pk__in=ids).select_related("person")}
    return [found[pk] for pk in ids]


def board_build(*, election: Election) -> dict[str, Any]:
    """The whole board as a JSON-ready dict: bytes as lower-case hex, ballots sorted by
    fingerprint. Four queries, however many ballots: candidates, officers and ballots (with
    ``election`` fetched with its body, partnership and seat). Only for a published board."""
    if not board_published(election):
        raise ValueError("Only a counted election with encrypted ballots has a board.")
    candidates = _candidates(election)
    officers = list(
        ElectionOfficer.objects.filter(election=election, verification_key__isnull=False)
        .order_by("index")
        .values_list("index", "verification_key", "partials")
    )
    ballots = (
        Ballot.objects.filter(election=election)
        .order_by("fingerprint")
        .values_list("fingerprint", "ciphertexts", "proofs")
    )
    results: dict[str, int] = {str(c.pk): c.votes or 0 for c in candidates}
    results[ABSTAIN] = election.abstentions or 0
    return {
        "format": BOARD_FORMAT,
        "election": str(election.pk),
        "partnership": election.body.partnership.name,
        "body": election.body.name,
        "post": post_described(election),
        "places": election.places,
        "closed_at": election.closed_at.isoformat() if election.closed_at else None,
        "electorate_size": election.electorate_size,
        "turnout": election.turnout,
        "public_key": bytes(election.public_key).hex(),
        "layout": list(election.layout),
        "threshold": election.threshold,
        "officers": [
            {"index": index, "verification_key": bytes(key).hex()} for index, key, _ in officers
        ],
        # psycopg returns memoryview, SQLite bytes: bytes() makes them alike.
        "ballots": [
            {"fingerprint": f, "ciphertexts": bytes(c).hex(), "proofs": bytes(p).hex()}
            for f, c, p in ballots.iterator(chunk_size=500)
        ],
        "board_digest": election.board_digest,
        "tally": bytes(election.tally).hex(),
        "partials": [
            {"index": index, "partials": bytes(partials).hex()}
            for index, _, partials in officers
            if partials is not None
        ],
        "results": results,
        "candidates": {str(c.pk): c.person.full_name for c in candidates},
    }


@dataclass
class BoardSummary:
    """What the board's page shows beside the fingerprints."""

    candidates: list[Candidate]
    counted_by: list[ElectionOfficer]
    officers: int


def board_summary(election: Election) -> BoardSummary:
    """The candidates with their votes and the officers who counted (two queries)."""
    officers = list(
        ElectionOfficer.objects.filter(election=election, verification_key__isnull=False)
        .select_related("person")
        .order_by("index")
    )
    return BoardSummary(
        candidates=_candidates(election),
        counted_by=[o for o in officers if o.partials is not None],
        officers=len(officers),
    )


def board_fingerprints(*, election: Election, prefix: str = "", page: Any = None) -> Page:
    """A page of 50 ballots' fingerprints in order, those starting with ``prefix`` (lower-case
    hex) only when it is given, with the count in the same query."""
    qs = Ballot.objects.filter(election=election)
    if prefix:
        qs = qs.filter(fingerprint__startswith=prefix)
    return page_with_total(qs.order_by("fingerprint").only("fingerprint"), number=page)
