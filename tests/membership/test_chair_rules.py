"""Who may be chair (issue 16): a body may allow a chair from outside its membership
(Warrington: the Partnership Board's chair may come from outside the group), or require the
chair to represent one sector; elections respect both."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from membership import services as ms
from membership.models import Membership, Role
from partnership.models import Body
from tests.membership.elections_helpers import add_voters, chair_election, close, set_phase


def _rules(world, **fields):
    Body.objects.filter(pk=world.board.pk).update(**fields)
    world.board.refresh_from_db()


def test_a_non_member_cannot_stand_for_chair_unless_the_body_allows_it(world):
    (voter,) = add_voters(world, 1)
    election = chair_election(world)
    with pytest.raises(ValidationError) as refused:
        ms.candidate_propose(actor=voter, election=election, person=world.other_member)
    assert "not a member" in str(refused.value)
    _rules(world, chair_from_outside=True)
    election.refresh_from_db()
    candidate = ms.candidate_propose(actor=voter, election=election, person=world.other_member)
    assert candidate.person == world.other_member


def test_an_outside_chair_is_someone_the_partnership_knows(world):
    (voter,) = add_voters(world, 1)
    _rules(world, chair_from_outside=True)
    election = chair_election(world)
    with pytest.raises(ValidationError) as refused:
        ms.candidate_propose(actor=voter, election=election, person=world.outsider)
    assert "known to" in str(refused.value)


def test_the_deputy_still_comes_from_the_membership(world):
    (voter,) = add_voters(world, 1)
    _rules(world, chair_from_outside=True)
    election = chair_election(world)
    election.post = "deputy_chair"
    election.save(update_fields=["post"])
    with pytest.raises(ValidationError):
        ms.candidate_propose(actor=voter, election=election, person=world.other_member)


def test_an_outside_chair_elected_takes_the_chair_seat_and_the_old_chair_stays_a_member(world):
    voters = add_voters(world, 3)
    _rules(world, chair_from_outside=True)
    election = chair_election(world)
    candidate = ms.candidate_propose(actor=voters[0], election=election, person=world.other_member)
    ms.candidate_second(actor=voters[1], candidate=candidate)
    ms.candidate_respond(
        actor=world.other_member, candidate=candidate, accept=True, statement="I will listen."
    )
    set_phase(election, "voting")
    for voter in voters:
        ms.ballot_cast(voter=voter, election=election, choices=[candidate.pk])
    election = close(election)
    start = election.term_starts_on
    assert "not changed" not in election.outcome
    chair = Membership.objects.current(on=start).get(body=world.board, role=Role.CHAIR)
    assert chair.person == world.other_member
    assert chair.seat.name == "Chair" and chair.seat.count == 1
    assert chair.organisation == world.charity  # as on the Other Group
    old = Membership.objects.current(on=start).get(body=world.board, person=world.chair)
    assert old.role == Role.MEMBER


def test_the_chair_must_represent_the_bodys_sector(world):
    (voter,) = add_voters(world, 1)
    _rules(world, chair_sector="voluntary")
    election = chair_election(world)
    # The member represents the council on the Board: public sector.
    with pytest.raises(ValidationError) as refused:
        ms.candidate_propose(actor=voter, election=election, person=world.member)
    assert "voluntary, community and faith sector" in str(refused.value)
    assert "organisation" in refused.value.message_dict
    # Naming a charity they do not represent on the Board does not get round the rule.
    with pytest.raises(ValidationError) as refused:
        ms.candidate_propose(
            actor=voter, election=election, person=world.member, organisation=world.charity
        )
    assert "represents Testshire Council on Board" in str(refused.value)


def test_an_outside_chair_represents_an_organisation_they_represent_in_the_partnership(world):
    voters = add_voters(world, 3)
    _rules(world, chair_from_outside=True, chair_sector="voluntary")
    election = chair_election(world)
    # The other member represents the charity on the Other Group, not the council.
    with pytest.raises(ValidationError) as refused:
        ms.candidate_propose(
            actor=voters[0],
            election=election,
            person=world.other_member,
            organisation=world.council,
        )
    assert "does not represent Testshire Council" in str(refused.value)
    candidate = ms.candidate_propose(
        actor=voters[0], election=election, person=world.other_member, organisation=world.charity
    )
    assert candidate.organisation == world.charity
    ms.candidate_second(actor=voters[1], candidate=candidate)
    ms.candidate_respond(
        actor=world.other_member, candidate=candidate, accept=True, statement="I will listen."
    )
    set_phase(election, "voting")
    for voter in voters:
        ms.ballot_cast(voter=voter, election=election, choices=[candidate.pk])
    election = close(election)
    chair = Membership.objects.current(on=election.term_starts_on).get(
        body=world.board, role=Role.CHAIR
    )
    # Recorded in the sector: their Chair-seat place is for the charity.
    assert chair.person == world.other_member and chair.organisation.sector == "voluntary"


def test_the_sector_rule_does_not_bind_the_deputy(world):
    (voter,) = add_voters(world, 1)
    _rules(world, chair_sector="voluntary")
    election = chair_election(world)
    election.post = "deputy_chair"
    election.save(update_fields=["post"])
    assert ms.candidate_propose(actor=voter, election=election, person=world.member)


# --- pages ---------------------------------------------------------------------------------


def test_the_body_page_states_the_rules(client, world):
    _rules(world, chair_from_outside=True, chair_sector="voluntary")
    client.force_login(world.member)
    page = client.get(world.board.get_absolute_url()).content.decode()
    assert "The chair may come from outside the membership." in page
    assert "The chair must represent the voluntary, community and faith sector." in page


def test_the_proposal_form_offers_outside_candidates_and_their_organisation(client, world):
    (voter,) = add_voters(world, 1)
    election = chair_election(world)
    url = reverse(
        "membership:election_detail",
        kwargs={"partnership": world.partnership.slug, "body": world.board.slug, "pk": election.pk},
    )
    client.force_login(voter)
    html = client.get(url).content.decode()
    assert "Other Member" not in html
    _rules(world, chair_from_outside=True, chair_sector="voluntary")
    html = client.get(url).content.decode()
    assert "Other Member" in html
    assert 'name="organisation"' in html
    propose = reverse(
        "membership:candidate_propose",
        kwargs={"partnership": world.partnership.slug, "body": world.board.slug, "pk": election.pk},
    )
    response = client.post(propose, {"person": str(world.member.pk)})
    assert response.status_code == 200
    assert "must represent the voluntary" in response.content.decode()
