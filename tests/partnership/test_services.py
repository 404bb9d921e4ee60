from datetime import date

import pytest
from django.core.exceptions import ValidationError

from membership import services as ms
from membership.models import Membership
from partnership import services as ps
from partnership.models import BodyKind
from tests.conftest import fresh


def test_body_create_gives_a_unique_slug(world):
    body = ps.body_create(actor=None, partnership=world.partnership, name="Board Two", kind="forum")
    assert body.slug == "board-two"


def test_task_and_finish_group_needs_an_end_date(world):
    with pytest.raises(ValidationError) as exc:
        ps.body_create(
            actor=None,
            partnership=world.partnership,
            name="T&F",
            kind=BodyKind.TASK_AND_FINISH,
            parent=world.group,
        )
    assert "ends_on" in exc.value.error_dict


def test_body_name_is_unique_in_a_partnership(world):
    with pytest.raises(ValidationError) as exc:
        ps.body_create(actor=None, partnership=world.partnership, name="Board", kind="forum")
    assert "name" in exc.value.error_dict


def test_body_can_be_reparented(world):
    ps.body_update(actor=None, body=world.subgroup, parent=world.other)
    world.subgroup.refresh_from_db()
    assert world.subgroup.parent == world.other


def test_body_cannot_report_to_a_body_below_it(world):
    with pytest.raises(ValidationError) as exc:
        ps.body_update(actor=None, body=world.group, parent=world.subgroup)
    assert "reports to it" in exc.value.error_dict["parent"][0].message


def test_body_cannot_report_to_itself(world):
    with pytest.raises(ValidationError):
        ps.body_update(actor=None, body=world.group, parent=world.group)


def test_body_cannot_report_to_a_closed_body(world, today):
    ms.body_close(actor=None, body=world.other, closed_on=today, reason="Merged")
    world.other.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        ps.body_update(actor=None, body=world.subgroup, parent=world.other)
    assert "closed" in exc.value.error_dict["parent"][0].message


def test_closing_a_body_with_open_children_is_refused(world, today):
    with pytest.raises(ValidationError) as exc:
        ms.body_close(actor=None, body=world.group, closed_on=today, reason="Done")
    assert "Safer Sub-group" in exc.value.error_dict["closed_on"][0].message


def test_closing_a_body_ends_its_memberships_and_rights(world, today):
    from partnership import permissions

    assert permissions.can_view_private_body(world.other_member, world.other)
    ms.body_close(actor=None, body=world.other, closed_on=today, reason="Task complete")
    world.other_membership.refresh_from_db()
    assert world.other_membership.ends_on == today
    assert world.other_membership.end_reason == "Body closed"
    assert not permissions.can_view_private_body(fresh(world.other_member), world.other)


def test_closing_a_body_needs_a_reason(world, today):
    with pytest.raises(ValidationError) as exc:
        ms.body_close(actor=None, body=world.other, closed_on=today, reason="  ")
    assert "closure_reason" in exc.value.error_dict
    assert Membership.objects.current().filter(body=world.other).exists()


def test_organisation_name_is_unique_in_a_partnership(world):
    with pytest.raises(ValidationError) as exc:
        ps.organisation_create(
            actor=None, partnership=world.partnership, name="Testshire Council", sector="public"
        )
    assert "name" in exc.value.error_dict


def test_edits_are_recorded_with_who_and_what(world):
    from partnership.history import history_entries

    ps.body_update(actor=world.coordinator, body=world.group, remit="New remit", reason="Review")
    latest = history_entries(world.group)[0]
    assert latest.who == world.coordinator.full_name
    assert latest.reason == "Review"
    assert [c.field for c in latest.changes] == ["Remit"]


def test_history_shows_a_new_parent_by_name(world):
    from partnership.history import history_entries

    ps.body_update(actor=world.coordinator, body=world.subgroup, parent=world.other)
    change = history_entries(world.subgroup)[0].changes[0]
    assert (change.field, change.old, change.new) == ("Reports to", "Safer Group", "Other Group")


def test_task_and_finish_end_date_is_after_establishment(world):
    with pytest.raises(ValidationError) as exc:
        ps.body_create(
            actor=None,
            partnership=world.partnership,
            name="T&F",
            kind=BodyKind.TASK_AND_FINISH,
            established_on=date(2026, 5, 1),
            ends_on=date(2026, 4, 1),
        )
    assert "ends_on" in exc.value.error_dict


def test_history_of_appointments_names_each_person_and_pairs_their_own_rows(world, today):
    from membership.models import Appointment
    from partnership.history import history_of

    appointment = world.group_coordinator.appointments.get()
    ms.appointment_end(actor=world.coordinator, appointment=appointment, ends_on=today)
    entries = history_of(Appointment, subject="person", partnership=world.partnership)
    latest = entries[0]
    assert (latest.subject, latest.who, latest.reason) == (
        "Group Coordinator",
        "Coordinator",
        "Ended",
    )
    assert [c.field for c in latest.changes] == ["End date"]
    assert {e.subject for e in entries} == {"Coordinator", "Group Coordinator"}


def test_history_shows_a_json_field_as_text():
    """A report's narrative is a JSON object: its history reads as words, never a crash on an
    unhashable value."""
    from partnership.history import _display

    shown = _display({"summary": "On track", "asks": "Note it"}, None, {})
    assert shown == "summary: On track\nasks: Note it"
    assert _display(["a", "b"], None, {}) == "a, b"
