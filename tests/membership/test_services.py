from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from membership import services as ms
from membership.models import Membership, Role
from partnership import permissions
from tests.conftest import fresh
from tests.factories import UserFactory


def appoint(world, person, *, seat=None, role=Role.MEMBER, starts_on=None, ends_on=None, body=None):
    return ms.membership_create(
        actor=None,
        body=body or world.board,
        seat=seat or world.board_seat,
        person=person,
        role=role,
        starts_on=starts_on or world.start,
        ends_on=ends_on,
    )


def test_seat_never_holds_more_members_than_its_count(world):
    appoint(world, UserFactory())  # the third of three places
    with pytest.raises(ValidationError) as exc:
        appoint(world, UserFactory())
    assert "All 3 places in 'Council' are filled" in exc.value.error_dict["seat"][0].message


def test_seat_place_can_be_handed_over_on_the_day_one_ends(world, today):
    leaving = appoint(world, UserFactory())
    ms.membership_end(actor=None, membership=leaving, ends_on=today + timedelta(days=10))
    appoint(world, UserFactory(), starts_on=today + timedelta(days=10))


def test_seat_place_cannot_overlap_the_term_of_someone_leaving_later(world, today):
    leaving = appoint(world, UserFactory())
    ms.membership_end(actor=None, membership=leaving, ends_on=today + timedelta(days=10))
    with pytest.raises(ValidationError):
        appoint(world, UserFactory(), starts_on=today + timedelta(days=9))


def test_seat_count_cannot_drop_below_the_places_held(world):
    with pytest.raises(ValidationError) as exc:
        ms.seat_update(actor=None, seat=world.board_seat, count=1)
    assert "count" in exc.value.error_dict


def test_membership_must_end_after_it_starts(world, today):
    with pytest.raises(ValidationError) as exc:
        appoint(world, UserFactory(), starts_on=today, ends_on=today)
    assert (
        exc.value.error_dict["ends_on"][0].message == "The end date must be after the start date."
    )


def test_database_refuses_a_membership_ending_before_it_starts(world, today):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            body=world.board,
            seat=world.board_seat,
            person=UserFactory(),
            starts_on=today,
            ends_on=today - timedelta(days=1),
        )


def test_only_one_chair_at_a_time(world):
    with pytest.raises(ValidationError) as exc:
        appoint(world, UserFactory(), role=Role.CHAIR, seat=world.board_seat)
    assert "Chair is chair of Board" in exc.value.error_dict["role"][0].message


def test_a_new_chair_can_follow_the_last_one(world, today):
    ms.membership_end(actor=None, membership=world.chair_membership, ends_on=today)
    appoint(world, UserFactory(), role=Role.CHAIR, starts_on=today)


def test_database_refuses_a_second_open_ended_chair(world, today):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            body=world.board,
            seat=world.board_seat,
            person=UserFactory(),
            role=Role.CHAIR,
            starts_on=today,
        )


def test_database_refuses_overlapping_dated_chairs_on_postgresql(world, today):
    if connection.vendor != "postgresql":
        pytest.skip("exclusion constraints exist only on PostgreSQL; SQLite relies on the service")
    ms.membership_end(
        actor=None, membership=world.chair_membership, ends_on=today + timedelta(days=5)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            body=world.board,
            seat=world.board_seat,
            person=UserFactory(),
            role=Role.CHAIR,
            starts_on=today,
            ends_on=today + timedelta(days=100),
        )


def test_one_deputy_chair_at_a_time(world):
    appoint(world, UserFactory(), role=Role.DEPUTY_CHAIR)
    with pytest.raises(ValidationError):
        appoint(
            world, UserFactory(), role=Role.DEPUTY_CHAIR, body=world.group, seat=world.group_seat
        )
        appoint(world, UserFactory(), role=Role.DEPUTY_CHAIR)
    # A deputy on another body is no conflict.
    assert Membership.objects.filter(role=Role.DEPUTY_CHAIR).count() == 2


def test_a_person_sits_on_a_body_once_at_a_time(world):
    with pytest.raises(ValidationError) as exc:
        appoint(world, world.member)
    assert "person" in exc.value.error_dict


def test_seat_must_belong_to_the_body(world):
    with pytest.raises(ValidationError) as exc:
        appoint(world, UserFactory(), seat=world.other_seat)
    assert "seat" in exc.value.error_dict


def test_membership_gives_rights_and_ending_it_removes_them(world, today):
    person = UserFactory()
    m = appoint(world, person, seat=world.group_seat, body=world.group)
    assert permissions.can_view_private_body(person, world.group)
    ms.membership_end(actor=None, membership=m, ends_on=today)
    assert not permissions.can_view_private_body(fresh(person), world.group)


def test_chair_role_gives_chair_rights(world):
    assert permissions.can_chair_body(world.chair, world.board)
    assert not permissions.can_chair_body(world.member, world.board)


def test_coordinator_role_membership_gives_management_of_the_body(world):
    person = UserFactory()
    appoint(world, person, seat=world.group_seat, body=world.group, role=Role.COORDINATOR)
    assert permissions.can_manage_body(person, world.group)
    assert permissions.can_manage_body(person, world.subgroup)
    assert not permissions.can_manage_body(person, world.board)


def test_future_membership_gives_rights_only_from_its_start(world, today):
    person = UserFactory()
    appoint(
        world, person, seat=world.group_seat, body=world.group, starts_on=today + timedelta(days=3)
    )
    assert not permissions.can_view_private_body(person, world.group)


def test_person_find_or_create_reuses_an_account(world):
    found = ms.person_find_or_create(
        actor=None, email="MEMBER@example.org", partnership=world.partnership
    )
    assert found == world.member


def test_person_find_or_create_needs_a_name_for_someone_new(world):
    with pytest.raises(ValidationError) as exc:
        ms.person_find_or_create(actor=None, email="new@example.org", partnership=world.partnership)
    assert "full_name" in exc.value.error_dict


def test_new_person_has_no_usable_password_until_they_choose_one(world):
    person = ms.person_create(actor=None, email="New@Example.org", full_name="New Person")
    assert person.email == "new@example.org"
    assert not person.has_usable_password()


def test_appointment_end_removes_coordination(world, today):
    appointment = world.group_coordinator.appointments.get()
    ms.appointment_end(actor=None, appointment=appointment, ends_on=today)
    assert not permissions.can_manage_body(fresh(world.group_coordinator), world.group)


def test_profile_update_keeps_consent(world):
    ms.profile_update(
        actor=world.member, user=world.member, contact_public=True, phone="01632 960000"
    )
    world.member.refresh_from_db()
    assert world.member.contact_public and world.member.phone == "01632 960000"


def test_membership_cannot_start_after_its_body_closed(world, today):
    ms.body_close(actor=None, body=world.other, closed_on=today, reason="Merged")
    with pytest.raises(ValidationError) as exc:
        appoint(world, UserFactory(), seat=world.other_seat, body=world.other, starts_on=today)
    assert "closed" in exc.value.error_dict["starts_on"][0].message


def test_membership_on_a_closed_body_must_end_by_its_closing(world, today):
    ms.body_close(actor=None, body=world.other, closed_on=today, reason="Merged")
    with pytest.raises(ValidationError) as exc:
        ms.membership_update(actor=None, membership=world.other_membership, ends_on=None)
    assert "must end by then" in exc.value.error_dict["ends_on"][0].message


def test_no_coordinator_can_be_appointed_to_a_closed_body(world, today):
    ms.body_close(actor=None, body=world.other, closed_on=today, reason="Merged")
    world.other.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        ms.appointment_create(
            actor=None,
            person=world.outsider,
            partnership=world.partnership,
            body=world.other,
            starts_on=today,
        )
    assert "closed" in exc.value.error_dict["body"][0].message


def test_an_account_outside_the_partnership_needs_its_name_to_be_used(world):
    stranger = UserFactory(email="stranger@example.org", full_name="Sam Stranger")
    with pytest.raises(ValidationError) as exc:
        ms.person_find_or_create(
            actor=None,
            email="stranger@example.org",
            full_name="Guess",
            partnership=world.partnership,
        )
    assert "another name" in exc.value.error_dict["full_name"][0].message
    found = ms.person_find_or_create(
        actor=None,
        email="stranger@example.org",
        full_name="sam stranger",
        partnership=world.partnership,
    )
    assert found == stranger


def test_a_stale_seat_cannot_overfill_it(world):
    stale = type(world.board_seat).objects.get(pk=world.board_seat.pk)
    ms.seat_update(actor=None, seat=world.board_seat, count=2)
    with pytest.raises(ValidationError):
        ms.membership_create(
            actor=None, body=world.board, seat=stale, person=UserFactory(), starts_on=world.start
        )


def test_an_ended_appointment_cannot_be_ended_again(world, today):
    appointment = world.group_coordinator.appointments.get()
    ms.appointment_end(actor=None, appointment=appointment, ends_on=today)
    with pytest.raises(ValidationError):
        ms.appointment_end(actor=None, appointment=appointment, ends_on=today + timedelta(days=3))


def test_an_appointment_not_yet_started_is_cancelled(world, today):
    future = ms.appointment_create(
        actor=None,
        person=world.outsider,
        partnership=world.partnership,
        body=world.other,
        starts_on=today + timedelta(days=7),
    )
    ms.appointment_end(actor=None, appointment=future, ends_on=today)
    assert not world.outsider.appointments.exists()
    assert future.history.first().history_change_reason == "Cancelled before it started"


def test_a_child_closing_later_still_blocks_its_parent_closing(world, today):
    ms.body_close(
        actor=None, body=world.subgroup, closed_on=today + timedelta(days=30), reason="Ends"
    )
    with pytest.raises(ValidationError):
        ms.body_close(actor=None, body=world.group, closed_on=today, reason="Done")
