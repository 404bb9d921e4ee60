"""Who may do what with a person's own records (training and development)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from membership.models import Membership, User
from partnership import permissions as perms

__all__ = ["can_keep_training"]


def can_keep_training(user: Any, person: User) -> bool:
    """The person themselves, or a co-ordinator of a body they sit on today or will from a
    date set (a partnership co-ordinator coordinates every body in it, so ``can_manage_body``
    covers them too). Once the person has left, their record is theirs alone: reading it is
    asked here too (``membership_detail``)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.pk == person.pk:
        return True
    today = timezone.localdate()
    memberships = (
        Membership.objects.filter(person=person).exclude(ends_on__lte=today).select_related("body")
    )
    return any(perms.can_manage_body(user, m.body) for m in memberships)
