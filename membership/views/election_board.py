"""An election's public bulletin board, as a page and as JSON."""

from django.http import Http404

__all__ = ["election_board", "election_board_json"]


def election_board(request, partnership, body, pk):
    raise Http404  # being written


def election_board_json(request, partnership, body, pk):
    raise Http404  # being written
