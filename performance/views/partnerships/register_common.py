"""What the register's pages share: the register and a record fetched and authorised. The
register is read in full by its readers, in part by the public when published, and is not found
by anyone else (404); a step the user may not take on what they can see is a 403."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.urls import reverse

from partnership import permissions as perms
from partnership.models import Partnership
from performance import permissions
from performance.models import KeyPartnership

__all__: list[str] = []  # imported by name by the register's views

TEMPLATES = "performance/partnerships/"


def reader_or_404(user: Any, partnership: Partnership) -> bool:
    """Whether the user reads every field (True) or the public's fields (False, when the
    register is published); anyone else finds no register."""
    if permissions.can_read_key_partnerships(user, partnership):
        return True
    if permissions.register_is_published(partnership):
        return False
    raise Http404("No such register")


def key_partnership_or_404(
    request: HttpRequest, partnership: str, pk: int
) -> tuple[KeyPartnership, bool]:
    kp = (
        KeyPartnership.objects.select_related("partnership", "lead_organisation", "lead_officer")
        .filter(partnership__slug=partnership, pk=pk)
        .first()
    )
    if kp is None:
        raise Http404("No such key partnership")
    reader = reader_or_404(request.user, kp.partnership)
    if not reader and not kp.is_active:
        raise Http404("No such key partnership")
    return kp, reader


def keeper_or_403(request: HttpRequest, partnership: Partnership) -> None:
    perms.require(permissions.can_keep_key_partnerships(request.user, partnership))


def list_url(p: Partnership) -> str:
    return reverse("performance:key_partnership_list", kwargs={"partnership": p.slug})
