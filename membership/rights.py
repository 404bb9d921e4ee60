"""Deriving rights from memberships and appointments, and writing them as object permissions.

This is the only writer of permission rows. A right exists because a current membership or
appointment says so; when that ends, :func:`rights_sync` removes the row. The daily beat job
and ``manage.py sync_permissions`` re-derive every user's rights and report what differed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from membership.models import Appointment, AppointmentRole, Membership, Role, User
from partnership import permissions as perms
from partnership.digests import digest_withdraw
from partnership.models import BodyUserObjectPermission, PartnershipUserObjectPermission
from partnership.permissions import Grant


@dataclass
class RightsDiff:
    user: User
    added: set[Grant] = field(default_factory=set)
    removed: set[Grant] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed)


def rights_expected(*, user: User, on: date | None = None) -> set[Grant]:
    """The object permissions ``user`` should hold on ``on`` (today by default)."""
    if not user.is_active:
        return set()
    day = on or timezone.localdate()
    expected: set[Grant] = set()
    for body_id, role in (
        Membership.objects.current(on=day).filter(person=user).values_list("body_id", "role")
    ):
        expected.add(Grant("body", body_id, perms.VIEW_PRIVATE_BODY))
        if role in (Role.CHAIR, Role.DEPUTY_CHAIR):
            # The deputy stands in for the chair; which of them acts at a given meeting is
            # decided by the attendance record, not by the permission.
            expected.add(Grant("body", body_id, perms.CHAIR_BODY))
        elif role == Role.COORDINATOR:
            expected.add(Grant("body", body_id, perms.MANAGE_BODY))
    for partnership_id, body_id, role in (
        Appointment.objects.current(on=day)
        .filter(person=user)
        .values_list("partnership_id", "body_id", "role")
    ):
        if role == AppointmentRole.GOVERNANCE_LEAD:
            expected.add(Grant("partnership", partnership_id, perms.LEAD_GOVERNANCE))
        elif body_id is None:
            expected.add(Grant("partnership", partnership_id, perms.MANAGE_PARTNERSHIP))
        else:
            expected.add(Grant("body", body_id, perms.MANAGE_BODY))
    return expected


def rights_sync(*, user: User, dry_run: bool = False, on: date | None = None) -> RightsDiff:
    """Make ``user``'s permission rows match what their memberships give; return the change."""
    with transaction.atomic():
        # Serialise syncs of one user so two concurrent edits cannot interleave add/remove.
        User.objects.select_for_update().filter(pk=user.pk).first()
        expected = rights_expected(user=user, on=on)
        held = perms.grants_held(user)
        diff = RightsDiff(user=user, added=expected - held, removed=held - expected)
        if not dry_run:
            for grant in sorted(diff.removed):
                perms.grant_remove(user=user, grant=grant)
            for grant in sorted(diff.added):
                perms.grant_add(user=user, grant=grant)
            perms.forget_cached_grants(user)
            if diff.removed:
                # Messages waiting for their digest may tell of what they can no longer see.
                digest_withdraw(person=user)
    return diff


def users_with_rights_or_roles() -> list[User]:
    """Everyone who holds a permission row or has ever had a membership or appointment."""
    holders = set(PartnershipUserObjectPermission.objects.values_list("user_id", flat=True))
    holders |= set(BodyUserObjectPermission.objects.values_list("user_id", flat=True))
    return list(
        User.objects.filter(
            Q(pk__in=holders) | Q(memberships__isnull=False) | Q(appointments__isnull=False)
        )
        .distinct()
        .order_by("pk")
    )


def rights_sync_all(*, dry_run: bool = False, on: date | None = None) -> list[RightsDiff]:
    """Re-derive every user's rights; return only the differences found."""
    diffs = []
    for user in users_with_rights_or_roles():
        diff = rights_sync(user=user, dry_run=dry_run, on=on)
        if diff:
            diffs.append(diff)
    return diffs
