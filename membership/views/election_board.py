"""An election's public bulletin board, as a page and as JSON (``board.json``).

Public, as the election's page is: anyone who can find the body can see it. Only a counted
election with encrypted ballots has one; any other election's board is a 404.
"""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from membership.models import Election
from membership.services.election_board import (
    board_build,
    board_fingerprints,
    board_published,
    board_summary,
    post_described,
)
from membership.views.elections import _get_election
from partnership import permissions as perms
from partnership.forms import BaseForm

__all__ = ["election_board", "election_board_json"]

HEX = set("0123456789abcdef")


class ReceiptSearchForm(BaseForm):
    """The start of a receipt code, to find a ballot on the board. Spaces are ignored and
    capitals allowed, so a code can be typed as it was written down."""

    receipt = forms.CharField(
        label="Find your receipt code",
        required=False,
        max_length=100,
        help_text="Type your code, or its first few characters.",
        error_messages={"max_length": "Your receipt code must be 64 characters or fewer"},
    )

    def clean_receipt(self) -> str:
        code = "".join(self.cleaned_data["receipt"].split()).lower()
        if len(code) > 64:
            raise forms.ValidationError("Your receipt code must be 64 characters or fewer")
        if not set(code) <= HEX:
            raise forms.ValidationError(
                "Your receipt code has only the digits 0 to 9 and the letters a to f"
            )
        return code


def _get_board_election(partnership: str, body: str, pk: int) -> Election:
    """The election, found as its own page finds it, if its board is published; else 404."""
    election = _get_election(perms.get_body_or_404(partnership, body), pk)
    if not board_published(election):
        raise Http404("This election has no bulletin board")
    return election


def _grouped(fingerprint: str) -> str:
    # In groups of eight, so the 64 characters wrap on a narrow screen and are easier to read.
    return " ".join(fingerprint[i : i + 8] for i in range(0, len(fingerprint), 8))


@require_safe
def election_board(request: HttpRequest, partnership: str, body: str, pk: int) -> HttpResponse:
    """The board: what it is, the totals, the ballots' fingerprints (searchable by a
    receipt's first characters, 50 a page) and how to check it all from ``board.json``."""
    election = _get_board_election(partnership, body, pk)
    form = ReceiptSearchForm(request.GET or None)
    prefix = form.cleaned_data["receipt"] if form.is_bound and form.is_valid() else ""
    page = board_fingerprints(election=election, prefix=prefix, page=request.GET.get("page"))
    summary = board_summary(election)
    return render(
        request,
        "membership/election_board.html",
        {
            "partnership": election.body.partnership,
            "body": election.body,
            "election": election,
            "post": post_described(election),
            "summary": summary,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "ellipsis": page.paginator.ELLIPSIS,
            "fingerprints": [_grouped(b.fingerprint) for b in page.object_list],
            "receipt_form": form,
            "prefix": prefix,
            # The error summary's form, only when the search was refused.
            "form": form if form.is_bound and form.errors else None,
        },
    )


@require_safe
def election_board_json(request: HttpRequest, partnership: str, body: str, pk: int) -> JsonResponse:
    """The whole board, to download and check with ``manage.py verify_election --file``."""
    election = _get_board_election(partnership, body, pk)
    return JsonResponse(board_build(election=election), json_dumps_params={"indent": 1})
