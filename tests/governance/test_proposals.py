"""Proposals for new sub-groups (issue 16): proposed by the parent's members or co-ordinators,
agreed (or not) at a meeting of the parent by its co-ordinators, the group created in the same
step; withdrawn by the proposer. Each refusal changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from governance.models import ProposalStatus, SubGroupProposal
from governance.services import proposals as services
from partnership.models import Body
from tests.governance.helpers import schedule


@pytest.fixture
def board(world):
    world.board.sub_groups_need_approval = True
    world.board.save(update_fields=["sub_groups_need_approval"])
    return world.board


def propose(world, board, *, by=None, **fields):
    data = {
        "name": "Domestic Abuse Task Group",
        "kind": "task_and_finish",
        "remit": "Review the domestic abuse pathway",
        "membership": "Police, council, health, the refuge",
        "timescale": "Six months, reporting to the Board in the spring",
        "ends_on": timezone.localdate() + timedelta(days=180),
        **fields,
    }
    return services.proposal_create(actor=by or world.member, parent=board, **data)


def published(world, *, days: int, **fields):
    from governance import services as gs

    meeting = schedule(world, days=days, **fields)
    gs.item_add(actor=world.coordinator, meeting=meeting, title="Sub-group proposals")
    return gs.meeting_publish(actor=world.coordinator, meeting=meeting)


@pytest.fixture
def held(world, board):
    """A Board meeting held three days ago, its agenda published."""
    return published(world, days=-3, title="Board, March")


def test_a_member_of_the_parent_proposes_a_sub_group(world, board):
    proposal = propose(world, board)

    assert proposal.status == ProposalStatus.PROPOSED
    assert proposal.proposed_by == world.member
    assert proposal.history.count() == 1


@pytest.mark.parametrize("persona", ["coordinator", "chair", "member"])
def test_the_parents_members_and_coordinators_may_propose(world, board, persona):
    assert services.proposals_may_propose(getattr(world, persona), board)


@pytest.mark.parametrize("persona", ["outsider", "other_member", "group_coordinator"])
def test_nobody_else_may_propose(world, board, persona):
    with pytest.raises(ValidationError):
        propose(world, board, by=getattr(world, persona))
    assert not SubGroupProposal.objects.exists()


def test_a_body_without_the_rule_takes_no_proposals(world):
    with pytest.raises(ValidationError):
        propose(world, world.other, by=world.coordinator)


def test_a_task_and_finish_group_needs_a_future_end_date(world, board):
    with pytest.raises(ValidationError) as error:
        propose(world, board, ends_on=None)
    assert "ends_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        propose(world, board, ends_on=timezone.localdate())
    assert "ends_on" in error.value.message_dict
    assert propose(world, board, kind="sub_group", ends_on=None).ends_on is None


def test_agreed_at_a_meeting_the_group_is_created_under_the_parent(world, board, held):
    proposal = propose(world, board)
    proposal = services.proposal_decide(
        actor=world.coordinator, proposal=proposal, agreed=True, meeting=held, note="With thanks"
    )

    group = proposal.created_body
    assert proposal.status == ProposalStatus.AGREED
    assert proposal.decided_at_meeting == held and proposal.decision_note == "With thanks"
    assert group.parent == board and group.kind == "task_and_finish"
    assert group.remit == "Review the domestic abuse pathway"
    assert group.established_on == held.held_on and group.ends_on == proposal.ends_on
    assert group.proposal == proposal


def test_not_agreed_nothing_is_created(world, board, held):
    before = Body.objects.count()
    proposal = services.proposal_decide(
        actor=world.coordinator, proposal=propose(world, board), agreed=False, meeting=held
    )
    assert proposal.status == ProposalStatus.DECLINED and proposal.created_body is None
    assert Body.objects.count() == before


def test_only_the_parents_coordinators_record_the_decision(world, board, held):
    proposal = propose(world, board)
    for person in (world.chair, world.member, world.group_coordinator):
        with pytest.raises(ValidationError):
            services.proposal_decide(actor=person, proposal=proposal, agreed=True, meeting=held)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PROPOSED


@pytest.mark.parametrize("when", ["future", "cancelled", "other_body", "draft"])
def test_the_decision_is_taken_at_a_held_meeting_of_the_parent(world, board, when):
    from governance import services as gs

    if when == "future":
        meeting = published(world, days=3)
    elif when == "cancelled":
        meeting = published(world, days=-3)
        gs.meeting_cancel(actor=world.coordinator, meeting=meeting, reason="Snow")
    elif when == "draft":
        meeting = schedule(world, days=-3)  # its agenda never published
    else:
        meeting = published(world, days=-3, body=world.other)
    proposal = propose(world, board)
    with pytest.raises(ValidationError) as error:
        services.proposal_decide(
            actor=world.coordinator, proposal=proposal, agreed=True, meeting=meeting
        )
    assert "meeting" in error.value.message_dict
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PROPOSED and proposal.created_body is None


def test_a_refused_creation_records_no_decision(world, board, held):
    proposal = propose(world, board, name="Safer Group", kind="sub_group", ends_on=None)
    before = Body.objects.count()
    with pytest.raises(ValidationError):
        services.proposal_decide(
            actor=world.coordinator, proposal=proposal, agreed=True, meeting=held
        )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PROPOSED and proposal.decided_at_meeting is None
    assert Body.objects.count() == before


def test_a_decided_proposal_is_not_decided_again(world, board, held):
    proposal = services.proposal_decide(
        actor=world.coordinator, proposal=propose(world, board), agreed=False, meeting=held
    )
    bodies = Body.objects.count()
    with pytest.raises(ValidationError):
        services.proposal_decide(
            actor=world.coordinator, proposal=proposal, agreed=True, meeting=held
        )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DECLINED and proposal.created_body is None
    assert Body.objects.count() == bodies


def test_the_proposer_withdraws_and_nobody_else(world, board, held):
    proposal = propose(world, board)
    with pytest.raises(ValidationError):
        services.proposal_withdraw(actor=world.coordinator, proposal=proposal)
    proposal = services.proposal_withdraw(actor=world.member, proposal=proposal)
    assert proposal.status == ProposalStatus.WITHDRAWN
    with pytest.raises(ValidationError):
        services.proposal_decide(
            actor=world.coordinator, proposal=proposal, agreed=True, meeting=held
        )
