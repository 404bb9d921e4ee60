"""Counting officers: naming them (co-ordinators), making a code and counting (officers),
declaring an uncountable election void and running it again (co-ordinators)."""

from django.http import Http404

__all__ = ["election_counting", "election_officers", "election_rerun", "election_void"]


def election_officers(request, partnership, body, pk):
    raise Http404  # being written


def election_counting(request, partnership, body, pk):
    raise Http404  # being written


def election_void(request, partnership, body, pk):
    raise Http404  # being written


def election_rerun(request, partnership, body, pk):
    raise Http404  # being written
