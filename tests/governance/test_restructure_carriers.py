"""What a restructure does to a body's meetings and actions (issue 16): meetings on or after
the date move to the successor or are cancelled; open actions are carried over (shown on the
successor's action log, still chased) or end, and are then no longer owed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from governance import services as gs
from governance.models import Action, MeetingStatus
from membership.models import Role
from membership.services.restructure import MemberChoice, NewBody, restructure
from partnership.models import ChangeKind
from partnership.restructure import open_things
from tests.governance.helpers import build_meetings


@pytest.fixture
def g(world):
    return build_meetings(world)


def replace_board(world, today, *, meetings: str, action: str, g):
    """Replace the Board (with its meetings and action) by a new Commissioning Board."""
    return restructure(
        actor=world.coordinator,
        kind=ChangeKind.REPLACE,
        partnership=world.partnership,
        sources=[world.board],
        effective_on=today,
        reason="The 2011 review",
        new_body=NewBody(name="Commissioning Board", kind="commissioning_board"),
        members={
            world.chair_membership.pk: MemberChoice(seat="Council", role=Role.CHAIR),
            world.member_membership.pk: MemberChoice(seat="Council"),
        },
        things={
            f"body-{world.group.pk}": "move",
            f"body-{world.other.pk}": "move",
            f"meeting-{g.upcoming.pk}": meetings,
            f"meeting-{g.draft.pk}": meetings,
            f"action-{g.action.pk}": action,
        },
    )


def test_meetings_on_or_after_the_date_and_open_actions_are_to_be_decided(world, g, today):
    found = {
        c.kind: [t.pk for t in things] for c, things in open_things(bodies=[world.board], on=today)
    }
    assert found["meeting"] == [g.upcoming.pk, g.draft.pk]  # not the past meeting
    assert found["action"] == [g.action.pk]


def test_future_meetings_move_to_the_successor(world, g, today):
    result = replace_board(world, today, meetings="move", action="move", g=g)
    new = result.change.successor
    g.upcoming.refresh_from_db()
    g.past.refresh_from_db()
    assert g.upcoming.body == new and g.upcoming.status == MeetingStatus.PUBLISHED
    assert g.past.body == world.board  # the record stays where it was
    assert (
        g.upcoming.history.order_by("-history_date").first().history_change_reason
        == "Moved to Commissioning Board: The 2011 review"
    )
    assert f"Meeting of Board on {g.upcoming.held_on:%-d %B %Y} moves to Commissioning Board." in (
        result.lines
    )


def test_future_meetings_that_end_are_cancelled_with_the_reason(world, g, today):
    result = replace_board(world, today, meetings="end", action="end", g=g)
    g.upcoming.refresh_from_db()
    assert g.upcoming.status == MeetingStatus.CANCELLED
    assert g.upcoming.cancelled_reason == "The 2011 review"
    assert g.upcoming.body == world.board
    assert f"Meeting of Board on {g.upcoming.held_on:%-d %B %Y} is cancelled." in result.lines


def test_a_carried_action_keeps_its_owner_and_is_still_chased(world, g, today):
    replace_board(world, today, meetings="move", action="move", g=g)
    action = Action.objects.get(pk=g.action.pk)
    assert action.carried_to.name == "Commissioning Board"
    assert action.owner == world.member and action.ended_on is None
    assert gs.actions_chase_overdue(today=action.due_on + timedelta(days=1)) == 1


def test_an_ended_action_is_no_longer_owed_nor_chased(world, g, today):
    result = replace_board(world, today, meetings="end", action="end", g=g)
    action = Action.objects.get(pk=g.action.pk)
    assert (action.ended_on, action.end_reason) == (today, "The 2011 review")
    assert not Action.objects.open().filter(pk=action.pk).exists()
    assert gs.actions_chase_overdue(today=action.due_on + timedelta(days=1)) == 0
    assert any(
        line.startswith("Action 'Publish the annual report' (Member, due ")
        and line.endswith(" ends.")
        for line in result.lines
    )


def test_the_successors_action_log_shows_actions_carried_to_it(client, world, g, today):
    new = replace_board(world, today, meetings="move", action="move", g=g).change.successor
    url = reverse("governance:action_log", kwargs={"partnership": "testshire", "body": new.slug})
    page = client.get(url).content.decode()  # the public: a public item, approved minutes
    assert "Carried over from bodies that ended" in page and "Publish the annual report" in page
    old = client.get(
        reverse("governance:action_log", kwargs={"partnership": "testshire", "body": "board"})
    ).content.decode()
    assert "Carried over" in old and "Commissioning Board" in old


def test_an_action_carried_over_before_is_carried_on_by_the_next_restructure(world, g, today):
    new = replace_board(world, today, meetings="move", action="move", g=g).change.successor
    found = {c.kind: [t.pk for t in things] for c, things in open_things(bodies=[new], on=today)}
    assert found["action"] == [g.action.pk]


def test_a_confidential_carried_action_stays_from_the_public(client, world, g, today):
    secret = gs.action_add(
        actor=world.coordinator,
        meeting=g.past,
        item=g.past_secret,
        description="Take legal advice SECRETCARRIED",
        owner=world.member,
        due_on=today + timedelta(days=3),
    )
    new = restructure(
        actor=world.coordinator,
        kind=ChangeKind.REPLACE,
        partnership=world.partnership,
        sources=[world.board],
        effective_on=today,
        reason="The 2011 review",
        new_body=NewBody(name="Commissioning Board", kind="commissioning_board"),
        members={
            world.chair_membership.pk: MemberChoice(seat="Council", role=Role.CHAIR),
            world.member_membership.pk: MemberChoice(seat="Council"),
        },
        things={
            f"body-{world.group.pk}": "move",
            f"body-{world.other.pk}": "move",
            f"meeting-{g.upcoming.pk}": "move",
            f"meeting-{g.draft.pk}": "move",
            f"action-{g.action.pk}": "move",
            f"action-{secret.pk}": "move",
        },
    ).change.successor
    url = reverse("governance:action_log", kwargs={"partnership": "testshire", "body": new.slug})
    assert "SECRETCARRIED" not in client.get(url).content.decode()
    client.force_login(world.member)  # carried over: sat on the old board at the meeting
    assert "SECRETCARRIED" in client.get(url).content.decode()
