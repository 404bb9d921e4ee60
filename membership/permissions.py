"""Who may do what with a person's own records (training and development)."""

from __future__ import annotations

from typing import Any

from membership.models import Membership, User
from partnership import permissions as perms

__all__ = ["can_keep_training"]


def can_keep_training(user: Any, person: User) -> bool:
    """The person themselves, or a co-ordinator of a body they sit on today (a partnership
    co-ordinator coordinates every body in it, so ``can_manage_body`` covers them too)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.pk == person.pk:
        return True
    memberships = Membership.objects.current().filter(person=person).select_related("body")
    return any(perms.can_manage_body(user, m.body) for m in memberships)
