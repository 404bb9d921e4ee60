"""The restructure service (issue 16): merge into a new or an existing body, replace (with a
shadow body), end, rename; refusals that change nothing; dry runs; rights afterwards."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.core.exceptions import ValidationError

from governance import services as gs
from governance.models import Action, Meeting, MeetingStatus
from membership import services as ms
from membership.models import (
    Appointment,
    Election,
    ElectionStatus,
    Membership,
    Role,
    Seat,
)
from membership.services.restructure import (
    MemberChoice,
    NewBody,
    restructure,
    successor_seats,
)
from partnership import permissions as perms
from partnership import services as ps
from partnership.models import Body, BodyEvent, ChangeKind, EventRole, StructureChange
from partnership.restructure import open_things
from tests.conftest import fresh
from tests.factories import UserFactory
from tests.membership.elections_helpers import chair_election, set_phase

MODELS = (Body, Seat, Membership, Appointment, StructureChange, BodyEvent, Meeting, Action)


def counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


def snapshot() -> list:
    """Every row a refused step could have touched, field by field."""
    return [
        list(Body.objects.order_by("pk").values()),
        list(Membership.objects.order_by("pk").values()),
        list(Appointment.objects.order_by("pk").values()),
        list(Meeting.objects.order_by("pk").values()),
        list(Action.objects.order_by("pk").values()),
        list(Election.objects.order_by("pk").values()),
    ]


def merge_groups(world, today, **overrides):
    """Merge the Safer Group and the Other Group into a new Commissioning Board."""
    args = {
        "actor": world.coordinator,
        "kind": ChangeKind.MERGE,
        "partnership": world.partnership,
        "sources": [world.group, world.other],
        "effective_on": today,
        "reason": "The 2011 review of the partnership",
        "new_body": NewBody(
            name="Commissioning Board", kind="commissioning_board", parent=world.board
        ),
        "members": {world.other_membership.pk: MemberChoice(seat="Partners", role=Role.CHAIR)},
        "things": {f"body-{world.subgroup.pk}": "move"},
    }
    args.update(overrides)
    return restructure(**args)


# --- merge into a new body ------------------------------------------------------------------


def test_merge_into_a_new_body_carries_members_seats_and_work_over(world, today):
    result = merge_groups(world, today)

    new = Body.objects.get(name="Commissioning Board")
    assert new.established_on == today and new.parent == world.board
    seat = new.seats.get()
    assert (seat.name, seat.count) == ("Partners", 10)  # 5 + 5, one seat of that name
    carried = Membership.objects.get(body=new)
    assert (carried.person, carried.role, carried.organisation, carried.starts_on) == (
        world.other_member,
        Role.CHAIR,
        world.charity,
        today,
    )
    old = Membership.objects.get(pk=world.other_membership.pk)
    assert old.ends_on == today and old.end_reason == "Carried over to Commissioning Board"
    for source in (world.group, world.other):
        source.refresh_from_db()
        assert source.closed_on == today
        assert source.closure_reason == (
            "Merged into Commissioning Board: The 2011 review of the partnership"
        )
    world.subgroup.refresh_from_db()
    assert world.subgroup.parent == new

    change = result.change
    assert change.kind == ChangeKind.MERGE and change.successor == new
    assert change.recorded_by == world.coordinator
    assert change.summary == result.lines
    assert {(e.body, e.role) for e in change.events.all()} == {
        (world.group, EventRole.ENDED),
        (world.other, EventRole.ENDED),
        (new, EventRole.SUCCESSOR),
        (world.subgroup, EventRole.MOVED),
    }
    moved = change.events.get(role=EventRole.MOVED)
    assert (moved.old_parent, moved.new_parent) == (world.group, new)
    assert "Other Member carries over to Commissioning Board, seat 'Partners', as chair." in (
        result.lines
    )
    assert "Safer Sub-group now reports to Commissioning Board." in result.lines
    assert f"Other Group ends on {today:%-d %B %Y}: merged into Commissioning Board." in (
        result.lines
    )
    assert history_reason(old) == "Carried over to Commissioning Board"


def history_reason(obj) -> str:
    return obj.history.order_by("-history_date", "-pk").first().history_change_reason


def test_a_sources_coordinator_carries_over_to_the_successor(world, today):
    result = merge_groups(world, today)
    new = Body.objects.get(name="Commissioning Board")
    assert Appointment.objects.current().filter(person=world.group_coordinator, body=new).exists()
    assert not Appointment.objects.current().filter(body=world.group).exists()
    assert "Group Coordinator becomes co-ordinator of Commissioning Board, as of Safer Group." in (
        result.lines
    )


def test_a_member_who_leaves_ends_on_the_date_with_the_reason(world, today):
    result = merge_groups(world, today, members={world.other_membership.pk: MemberChoice()})
    old = Membership.objects.get(pk=world.other_membership.pk)
    assert old.ends_on == today
    assert old.end_reason == "Other Group merged into Commissioning Board"
    assert not Membership.objects.filter(body__name="Commissioning Board").exists()
    assert "Other Member's membership of Other Group ends." in result.lines


def test_successor_seats_of_a_new_body_add_up_same_named_seats(world):
    seats = successor_seats(
        sources=[world.group, world.other, world.board],
        new_body=NewBody(name="X", kind="commissioning_board"),
    )
    assert [(s.name, s.count) for s in seats] == [("Council", 3), ("Partners", 10)]


def test_successor_seats_of_an_existing_body_are_its_own(world):
    seats = successor_seats(sources=[world.other], successor=world.board)
    assert [(s.name, s.count, s.voting) for s in seats] == [("Council", 3, True)]


# --- merge into an existing body ------------------------------------------------------------


def test_merge_into_an_existing_body(world, today):
    result = restructure(
        actor=world.coordinator,
        kind=ChangeKind.MERGE,
        partnership=world.partnership,
        sources=[world.other],
        successor=world.board,
        effective_on=today,
        reason="Fewer meetings",
        members={world.other_membership.pk: MemberChoice(seat="Council")},
    )
    assert Membership.objects.current().filter(person=world.other_member, body=world.board).exists()
    world.other.refresh_from_db()
    assert world.other.closed_on == today
    assert result.change.successor == world.board
    assert BodyEvent.objects.filter(body=world.board, role=EventRole.SUCCESSOR).exists()


def test_a_merge_over_a_seats_count_is_refused_and_changes_nothing(world, today):
    ms.seat_update(actor=None, seat=world.board_seat, count=2)  # the chair and the member
    before, rows = counts(), snapshot()
    with pytest.raises(ValidationError) as refused:
        restructure(
            actor=world.coordinator,
            kind=ChangeKind.MERGE,
            partnership=world.partnership,
            sources=[world.other],
            successor=world.board,
            effective_on=today,
            reason="Fewer meetings",
            members={world.other_membership.pk: MemberChoice(seat="Council")},
        )
    key = f"member-{world.other_membership.pk}"
    assert "All 2 places in 'Council' are filled" in refused.value.message_dict[key][0]
    assert counts() == before and snapshot() == rows


def test_carrying_a_chair_onto_a_body_with_a_chair_is_refused_clearly(world, today):
    with pytest.raises(ValidationError) as refused:
        restructure(
            actor=world.coordinator,
            kind=ChangeKind.MERGE,
            partnership=world.partnership,
            sources=[world.other],
            successor=world.board,
            effective_on=today,
            reason="Fewer meetings",
            members={world.other_membership.pk: MemberChoice(seat="Council", role=Role.CHAIR)},
        )
    message = refused.value.message_dict[f"member-{world.other_membership.pk}"][0]
    assert message.startswith("Other Member: Chair is chair of Board")


def test_carrying_someone_already_on_the_successor_is_refused(world, today):
    ms.membership_create(
        actor=None,
        body=world.other,
        seat=world.other_seat,
        person=world.member,
        starts_on=world.start,
    )
    extra = Membership.objects.get(body=world.other, person=world.member)
    with pytest.raises(ValidationError) as refused:
        restructure(
            actor=world.coordinator,
            kind=ChangeKind.MERGE,
            partnership=world.partnership,
            sources=[world.other],
            successor=world.board,
            effective_on=today,
            reason="Fewer meetings",
            members={
                world.other_membership.pk: MemberChoice(),
                extra.pk: MemberChoice(seat="Council"),
            },
        )
    assert "already sits on Board" in refused.value.message_dict[f"member-{extra.pk}"][0]


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"reason": " "}, "reason"),
        ({"members": {}}, "member"),
        ({"things": {}}, "body"),
    ],
)
def test_undecided_choices_are_refused_on_their_fields(world, today, overrides, field):
    before = counts()
    with pytest.raises(ValidationError) as refused:
        merge_groups(world, today, **overrides)
    assert any(key.startswith(field) for key in refused.value.message_dict)
    assert counts() == before


def test_a_merge_into_a_new_body_needs_two_bodies(world, today):
    with pytest.raises(ValidationError) as refused:
        merge_groups(world, today, sources=[world.other])
    assert "sources" in refused.value.message_dict


def test_a_closed_source_or_the_successor_among_the_sources_is_refused(world, today):
    with pytest.raises(ValidationError) as refused:
        merge_groups(world, today, new_body=None, successor=world.other)
    assert refused.value.message_dict["successor"] == ["Other Group is one of the bodies that end."]
    ms.body_close(actor=None, body=world.other, closed_on=today, reason="Gone")
    with pytest.raises(ValidationError) as refused:
        merge_groups(world, today)
    assert "Other Group" in refused.value.message_dict["sources"][0]


def test_a_membership_starting_after_the_date_is_refused_by_name(world, today):
    later = UserFactory(full_name="Late Starter")
    ms.membership_create(
        actor=None,
        body=world.other,
        seat=world.other_seat,
        person=later,
        starts_on=today + timedelta(days=5),
    )
    with pytest.raises(ValidationError) as refused:
        merge_groups(world, today)
    assert "Late Starter, Other Group" in refused.value.message_dict["effective_on"][0]


def test_a_reporting_body_cannot_simply_end_with_its_parent(world, today):
    with pytest.raises(ValidationError) as refused:
        merge_groups(world, today, things={f"body-{world.subgroup.pk}": "end"})
    assert refused.value.message_dict[f"body-{world.subgroup.pk}"] == [
        "It cannot end with the body it reports to: it moves to the body that takes over, or "
        "close it on its own first."
    ]
    assert not Body.objects.filter(name="Commissioning Board").exists()


# --- dry run ----------------------------------------------------------------------------------


def test_a_dry_run_says_what_confirming_does_and_leaves_nothing(world, today):
    before, rows = counts(), snapshot()
    preview = merge_groups(world, today, dry_run=True)
    assert preview.change is None
    assert counts() == before and snapshot() == rows
    done = merge_groups(world, today)
    assert done.lines == preview.lines


# --- replace, with a shadow body --------------------------------------------------------------


def test_replace_by_a_shadow_body_that_takes_over_on_the_date(world, today):
    on, shadow = today, today - timedelta(days=10)
    result = restructure(
        actor=world.coordinator,
        kind=ChangeKind.REPLACE,
        partnership=world.partnership,
        sources=[world.other],
        effective_on=on,
        reason="A new board for the area",
        new_body=NewBody(
            name="Area Board", kind="area_board", remit="The area", shadow_from=shadow
        ),
        members={world.other_membership.pk: MemberChoice(seat="Partners")},
    )
    new = result.change.successor
    assert (new.name, new.established_on, new.shadow_until) == ("Area Board", shadow, on)
    world.other.refresh_from_db()
    assert world.other.closed_on == on
    assert world.other.closure_reason == "Replaced by Area Board: A new board for the area"
    assert result.lines[0] == (
        f"Area Board is set up as a shadow body on {shadow:%-d %B %Y}, and takes over on "
        f"{on:%-d %B %Y}."
    )


def test_replace_takes_one_source(world, today):
    with pytest.raises(ValidationError) as refused:
        merge_groups(world, today, kind=ChangeKind.REPLACE)
    assert refused.value.message_dict["sources"] == ["Choose one body."]


# --- end --------------------------------------------------------------------------------------


def test_end_closes_the_body_and_ends_its_members_and_work(world, today):
    meeting = gs.meeting_create(
        actor=None,
        body=world.other,
        held_on=today + timedelta(days=14),
        start_time=time(10),
        venue="Town Hall",
    )
    result = restructure(
        actor=world.coordinator,
        kind=ChangeKind.END,
        partnership=world.partnership,
        sources=[world.other],
        effective_on=today,
        reason="Its work is done",
        members={world.other_membership.pk: MemberChoice()},
        things={f"meeting-{meeting.pk}": "end"},
    )
    world.other.refresh_from_db()
    assert (world.other.closed_on, world.other.closure_reason) == (today, "Its work is done")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    assert result.change.successor is None
    assert [e.role for e in result.change.events.all()] == [EventRole.ENDED]
    assert Membership.objects.get(pk=world.other_membership.pk).end_reason == "Other Group ended"


def test_end_moves_nothing_and_carries_nobody(world, today):
    with pytest.raises(ValidationError) as refused:
        restructure(
            actor=world.coordinator,
            kind=ChangeKind.END,
            partnership=world.partnership,
            sources=[world.group],
            effective_on=today,
            reason="Done",
            members={},
            things={f"body-{world.subgroup.pk}": "move"},
        )
    assert refused.value.message_dict[f"body-{world.subgroup.pk}"] == [
        "Nothing moves when a body simply ends."
    ]


# --- elections --------------------------------------------------------------------------------


def test_an_election_not_yet_closed_is_cancelled_and_cannot_move(world, today):
    election = chair_election(world)
    things = {
        f"election-{election.pk}": "move",
        f"body-{world.group.pk}": "move",
        f"body-{world.other.pk}": "move",
    }
    members = {
        world.chair_membership.pk: MemberChoice(),
        world.member_membership.pk: MemberChoice(),
    }
    kwargs = {
        "actor": world.coordinator,
        "kind": ChangeKind.REPLACE,
        "partnership": world.partnership,
        "sources": [world.board],
        "effective_on": today,
        "reason": "A new board",
        "new_body": NewBody(name="New Board", kind="partnership_board"),
        "members": members,
    }
    with pytest.raises(ValidationError) as refused:
        restructure(**kwargs, things=things)
    assert f"election-{election.pk}" in refused.value.message_dict
    result = restructure(**kwargs, things={**things, f"election-{election.pk}": "end"})
    election.refresh_from_db()
    assert election.status == ElectionStatus.CANCELLED
    assert "Election of chair, Board is cancelled." in result.lines


def test_an_election_in_its_vote_cannot_be_ended_by_a_restructure(world, today):
    election = set_phase(chair_election(world), "voting")
    with pytest.raises(ValidationError) as refused:
        restructure(
            actor=world.coordinator,
            kind=ChangeKind.REPLACE,
            partnership=world.partnership,
            sources=[world.board],
            effective_on=today,
            reason="A new board",
            new_body=NewBody(name="New Board", kind="partnership_board"),
            members={
                world.chair_membership.pk: MemberChoice(),
                world.member_membership.pk: MemberChoice(),
            },
            things={
                f"election-{election.pk}": "end",
                f"body-{world.group.pk}": "move",
                f"body-{world.other.pk}": "move",
            },
        )
    assert "Voting has opened" in refused.value.message_dict[f"election-{election.pk}"][0]
    assert not Body.objects.filter(name="New Board").exists()


# --- rights -----------------------------------------------------------------------------------


def test_rights_follow_the_memberships_that_result(world, today):
    ms.membership_create(
        actor=None,
        body=world.group,
        seat=world.group_seat,
        person=world.member,
        starts_on=world.start,
    )
    leaver = Membership.objects.get(body=world.group, person=world.member)
    merge_groups(
        world,
        today,
        members={
            world.other_membership.pk: MemberChoice(seat="Partners", role=Role.CHAIR),
            leaver.pk: MemberChoice(),
        },
    )
    new = Body.objects.get(name="Commissioning Board")
    chair = fresh(world.other_member)
    assert perms.can_chair_body(chair, new) and perms.can_view_private_body(chair, new)
    assert not perms.can_view_private_body(chair, world.other)
    member = fresh(world.member)
    assert not perms.can_view_private_body(member, world.group)
    assert not perms.can_view_private_body(member, new)
    coordinator = fresh(world.group_coordinator)
    assert perms.can_manage_body(coordinator, new)


# --- open things ------------------------------------------------------------------------------


def test_open_things_list_what_must_be_decided(world, today):
    found = open_things(bodies=[world.group, world.other], on=today)
    assert [(c.kind, [t.label for t in things]) for c, things in found] == [
        ("body", ["Safer Sub-group"])
    ]


# --- rename -----------------------------------------------------------------------------------


def test_a_rename_is_recorded_as_a_structure_change(world, today):
    ps.body_update(actor=world.coordinator, body=world.other, name="Community Group")
    change = StructureChange.objects.get(kind=ChangeKind.RENAME)
    event = change.events.get()
    assert (event.body, event.role, event.old_name, event.new_name) == (
        world.other,
        EventRole.RENAMED,
        "Other Group",
        "Community Group",
    )
    assert change.effective_on == today and change.recorded_by == world.coordinator


def test_a_new_remit_on_a_date_is_recorded(world, today):
    on = today - timedelta(days=3)
    ps.body_update(
        actor=world.coordinator,
        body=world.other,
        remit="Communities",
        effective_on=on,
        reason="New terms",
    )
    event = BodyEvent.objects.get(role=EventRole.RENAMED)
    assert (event.old_remit, event.new_remit, event.change.effective_on) == (
        "",
        "Communities",
        on,
    )
    assert event.change.reason == "New terms"


def test_an_edit_that_keeps_the_name_and_remit_records_no_change(world):
    ps.body_update(actor=world.coordinator, body=world.other, meetings_a_year=4)
    assert not StructureChange.objects.exists()


# --- the tree -----------------------------------------------------------------------------------


def test_a_successor_that_reported_to_a_source_takes_its_place(world, today):
    result = restructure(
        actor=world.coordinator,
        kind=ChangeKind.MERGE,
        partnership=world.partnership,
        sources=[world.group],
        successor=world.subgroup,
        effective_on=today,
        reason="One group is enough",
        things={f"body-{world.subgroup.pk}": "move"},
    )
    world.subgroup.refresh_from_db()
    assert world.subgroup.parent == world.board and world.subgroup.closed_on is None
    assert "Safer Sub-group now reports to Board." in result.lines


def test_a_body_and_the_body_reporting_to_it_merge_lowest_closing_first(world, today):
    result = merge_groups(
        world, today, sources=[world.group, world.subgroup], things={}, members={}
    )
    closed = [line for line in result.lines if " ends on " in line]
    assert closed[0].startswith("Safer Sub-group ends") and closed[1].startswith("Safer Group ends")


# --- co-ordinators ------------------------------------------------------------------------------


def test_a_coordinator_appointed_from_after_the_date_is_refused_by_name(world, today):
    ms.appointment_create(
        actor=None,
        person=world.outsider,
        partnership=world.partnership,
        body=world.other,
        starts_on=today + timedelta(days=3),
    )
    before = counts()
    with pytest.raises(ValidationError) as refused:
        restructure(
            actor=world.coordinator,
            kind=ChangeKind.END,
            partnership=world.partnership,
            sources=[world.other],
            effective_on=today,
            reason="Done",
            members={world.other_membership.pk: MemberChoice()},
        )
    assert (
        "Outsider is appointed co-ordinator from" in (refused.value.message_dict["effective_on"][0])
    )
    assert counts() == before


def test_a_coordinator_of_the_successor_already_is_not_appointed_twice(world, today):
    ms.appointment_create(
        actor=None,
        person=world.group_coordinator,
        partnership=world.partnership,
        body=world.other,
        starts_on=world.start,
    )
    result = restructure(
        actor=world.coordinator,
        kind=ChangeKind.MERGE,
        partnership=world.partnership,
        sources=[world.group],
        successor=world.other,
        effective_on=today,
        reason="One group",
        things={f"body-{world.subgroup.pk}": "move"},
    )
    assert Appointment.objects.filter(person=world.group_coordinator, body=world.other).count() == 1
    assert (
        "Group Coordinator's appointment as co-ordinator of Safer Group ends: they already "
        "co-ordinate Other Group."
    ) in result.lines


def test_a_body_chosen_twice_or_a_new_body_under_a_body_that_ends_is_refused(world, today):
    with pytest.raises(ValidationError) as refused:
        merge_groups(world, today, sources=[world.other, world.other])
    assert refused.value.message_dict["sources"] == ["Choose each body once."]
    with pytest.raises(ValidationError) as refused:
        merge_groups(world, today, new_body=NewBody(name="X", kind="sub_group", parent=world.group))
    assert refused.value.message_dict["parent"] == ["Safer Group ends: choose a body that goes on."]


def test_a_new_task_and_finish_group_needs_its_end_date(world, today):
    with pytest.raises(ValidationError) as refused:
        merge_groups(world, today, new_body=NewBody(name="Review group", kind="task_and_finish"))
    assert "ends_on" in refused.value.message_dict
    result = merge_groups(
        world,
        today,
        new_body=NewBody(
            name="Review group", kind="task_and_finish", ends_on=today + timedelta(days=90)
        ),
    )
    assert result.change.successor.ends_on == today + timedelta(days=90)
