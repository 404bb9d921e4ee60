"""Check an election's bulletin board: every ballot's fingerprint and proofs, the digest, the
encrypted totals, each counting officer's partial decryptions and the published result.

    manage.py verify_election 42                   # the board of election 42, from the database
    manage.py verify_election --file board.json    # a downloaded board: nothing else is used

Exits with an error listing every problem found, or prints what was checked and the totals.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from membership.crypto.verify import ABSTAIN, check_board


class Command(BaseCommand):
    help = "Check an election's bulletin board, from the database or a downloaded board.json."

    def add_arguments(self, parser):
        parser.add_argument("election", nargs="?", type=int, help="the election's number")
        parser.add_argument("--file", help="a board.json downloaded from the board's page")

    def handle(self, *args, election: int | None, file: str | None, **options):
        if (election is None) == (file is None):
            raise CommandError("Give an election's number or --file board.json, not both.")
        board = self._read(file) if file is not None else self._build(election)
        check = check_board(board)
        if check.problems:
            listed = "\n".join(f"- {p}" for p in check.problems)
            raise CommandError(
                f"The board does not check: {len(check.problems)} problem(s).\n{listed}"
            )
        names = board.get("candidates") or {}
        out = self.stdout
        out.write(
            f"Election {board['election']} ({board.get('post', '')}, {board.get('body', '')}): "
            f"the board checks."
        )
        out.write(
            f"{check.ballots} ballot(s) checked: fingerprints, proofs, the digest and the "
            f"encrypted totals; {len(board['partials'])} officer(s)' partial decryptions "
            f"checked (threshold {board['threshold']})."
        )
        for entry, total in check.totals.items():
            label = "Abstentions" if entry == ABSTAIN else f"{names.get(entry, '')} ({entry})"
            out.write(f"  {label.strip()}: {total}")

    def _read(self, path: str) -> dict:
        try:
            return json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
        except ValueError as exc:
            raise CommandError(f"{path} is not JSON: {exc}") from None

    def _build(self, pk: int) -> dict:
        from membership.models import Election
        from membership.services.election_board import board_build, board_published

        election = (
            Election.objects.select_related("body__partnership", "seat").filter(pk=pk).first()
        )
        if election is None:
            raise CommandError(f"There is no election {pk}.")
        if not board_published(election):
            raise CommandError(
                f"Election {pk} has no bulletin board: it has not been counted with encrypted "
                "ballots."
            )
        return board_build(election=election)
