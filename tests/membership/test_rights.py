from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from guardian.models import UserObjectPermission
from guardian.shortcuts import assign_perm

from membership.rights import rights_expected, rights_sync_all
from membership.tasks import sync_all_permissions
from partnership import permissions
from partnership.models import Body, BodyUserObjectPermission
from partnership.permissions import Grant
from tests.conftest import fresh
from tests.factories import UserFactory


def test_rights_follow_from_memberships_and_appointments(world):
    assert rights_expected(user=world.chair) == {
        Grant("body", world.board.pk, "view_private_body"),
        Grant("body", world.board.pk, "chair_body"),
    }
    assert rights_expected(user=world.coordinator) == {
        Grant("partnership", world.partnership.pk, "manage_partnership")
    }
    assert rights_expected(user=world.outsider) == set()


def test_rights_are_in_the_direct_tables_never_the_generic_ones(world):
    assert BodyUserObjectPermission.objects.filter(user=world.chair).count() == 2
    assert not UserObjectPermission.objects.exists()


def test_a_body_coordinator_coordinates_the_bodies_below_it(world):
    user = world.group_coordinator
    assert permissions.can_manage_body(user, world.group)
    assert permissions.can_manage_body(user, world.subgroup)
    assert not permissions.can_manage_body(user, world.board)
    assert not permissions.can_manage_body(user, world.other)
    assert set(permissions.bodies_managed_by(user, world.partnership)) == {
        world.group,
        world.subgroup,
    }


def test_a_partnership_coordinator_coordinates_every_body(world):
    assert set(permissions.bodies_managed_by(world.coordinator, world.partnership)) == set(
        Body.objects.filter(partnership=world.partnership)
    )


def test_a_superuser_gets_no_rights_from_the_flag(world):
    boss = UserFactory(is_superuser=True, is_staff=True)
    assert not permissions.can_manage_partnership(boss, world.partnership)
    assert not permissions.can_manage_body(boss, world.board)
    assert not permissions.can_view_private_body(boss, world.board)


def test_an_inactive_user_has_no_rights(world):
    world.chair.is_active = False
    world.chair.save()
    assert not permissions.can_chair_body(fresh(world.chair), world.board)


def test_permissions_are_deleted_with_their_body(world):
    from membership.models import Membership, Seat

    Membership.objects.filter(body=world.other).delete()
    Seat.objects.filter(body=world.other).delete()
    world.other.delete()
    assert not BodyUserObjectPermission.objects.filter(content_object_id=world.other.pk).exists()


def test_sync_finds_nothing_when_all_is_in_order(world):
    assert rights_sync_all(dry_run=True) == []


def test_sync_command_reports_and_removes_a_hand_set_permission(world):
    assign_perm("partnership.manage_body", world.outsider, world.board)
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("sync_permissions", "--check", stdout=out)
    assert (
        f"unexpected: outsider@example.org manage_body on body {world.board.pk}" in out.getvalue()
    )
    # --check changed nothing; a plain run repairs it.
    assert permissions.can_manage_body(fresh(world.outsider), world.board)
    call_command("sync_permissions", stdout=StringIO())
    assert not permissions.can_manage_body(fresh(world.outsider), world.board)


def test_sync_command_restores_a_missing_permission(world):
    BodyUserObjectPermission.objects.filter(user=world.chair).delete()
    out = StringIO()
    call_command("sync_permissions", stdout=out)
    assert "added: chair@example.org chair_body" in out.getvalue()
    assert permissions.can_chair_body(fresh(world.chair), world.board)


def test_nightly_job_is_idempotent(world):
    BodyUserObjectPermission.objects.filter(user=world.chair).delete()
    assert sync_all_permissions.apply().get() == 1
    assert sync_all_permissions.apply().get() == 0
