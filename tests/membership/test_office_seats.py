"""Seats held by virtue of another office (issue 16; CWaC Appendix 1: the thematic leads on
the board are the groups' chairs): whoever holds the office holds the seat, and the seat
changes hands when an election or a co-ordinator changes the office."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from membership import services as ms
from membership.models import Membership, Role
from tests.factories import UserFactory
from tests.membership.elections_helpers import close, name_officers, set_phase, stand


@pytest.fixture
def leads(world):
    """The Safer Group with a chair (Gina) and three more members; on the Board, a seat held by
    the group's chair."""
    people = {}
    for name, role in (
        ("Gina Chair", Role.CHAIR),
        ("Hal Member", Role.MEMBER),
        ("Ivy Member", Role.MEMBER),
        ("Jo Member", Role.MEMBER),
    ):
        people[name.split()[0].lower()] = person = UserFactory(full_name=name)
        ms.membership_create(
            actor=None,
            body=world.group,
            seat=world.group_seat,
            person=person,
            role=role,
            organisation=world.charity,
            starts_on=world.start,
        )
    seat = ms.seat_create(
        actor=world.coordinator,
        body=world.board,
        name="Thematic lead: Safer Group",
        count=1,
        office_body=world.group,
        office_role="chair",
    )
    return world, seat, people


def holders(seat, on):
    return [m.person for m in Membership.objects.current(on=on).filter(seat=seat)]


def test_a_new_office_held_seat_is_filled_by_the_office_holder_at_once(leads):
    world, seat, people = leads
    today = timezone.localdate()
    assert holders(seat, today) == [people["gina"]]
    m = Membership.objects.get(seat=seat)
    assert m.organisation == world.charity  # as on the group
    assert m.starts_on == today


def test_an_election_changes_the_groups_chair_and_the_board_seat_follows(leads):
    world, seat, people = leads
    now = timezone.now()
    election = ms.election_create(
        actor=world.coordinator,
        body=world.group,
        post="chair",
        nominations_open_at=now - timedelta(hours=1),
        nominations_close_at=now + timedelta(hours=24),
        voting_opens_at=now + timedelta(hours=48),
        voting_closes_at=now + timedelta(hours=96),
        term_starts_on=(now + timedelta(days=5)).date(),
        tie_rule="lot",
    )
    name_officers(election)
    candidate = stand(election, people["hal"], people["ivy"], people["jo"])
    set_phase(election, "voting")
    for voter in (people["ivy"], people["jo"], people["hal"]):
        ms.ballot_cast(voter=voter, election=election, choices=[candidate.pk])
    election = close(election)
    start = election.term_starts_on
    assert "cannot follow" not in election.outcome
    assert holders(seat, start - timedelta(days=1)) == [people["gina"]]
    assert holders(seat, start) == [people["hal"]]
    gina = Membership.objects.get(seat=seat, person=people["gina"])
    assert gina.ends_on == start
    assert gina.end_reason == "No longer chair of Safer Group"
    # Gina stays on the group as a member; the seat on the Board is Hal's.
    assert Membership.objects.current(on=start).get(
        body=world.group, person=people["gina"]
    ).role == (Role.MEMBER)


def test_the_seat_follows_a_chair_ended_and_appointed_by_a_coordinator(leads):
    world, seat, people = leads
    today = timezone.localdate()
    handover = today + timedelta(days=3)
    gina_on_group = Membership.objects.get(body=world.group, person=people["gina"])
    ms.membership_end(actor=world.coordinator, membership=gina_on_group, ends_on=handover)
    assert holders(seat, handover - timedelta(days=1)) == [people["gina"]]
    assert holders(seat, handover) == []
    kim = UserFactory(full_name="Kim Chair")
    ms.membership_create(
        actor=world.coordinator,
        body=world.group,
        seat=world.group_seat,
        person=kim,
        role=Role.CHAIR,
        organisation=world.council,
        starts_on=handover,
    )
    assert holders(seat, handover) == [kim]
    assert Membership.objects.get(seat=seat, person=kim).organisation == world.council


def test_a_full_seat_refuses_the_office_holder_and_changes_nothing(leads):
    world, seat, people = leads
    other = ms.seat_create(actor=None, body=world.board, name="Deputy lead", count=1)
    ms.membership_create(
        actor=None,
        body=world.board,
        seat=other,
        person=people["jo"],
        organisation=world.charity,
        starts_on=timezone.localdate(),
    )
    hal_on_group = Membership.objects.get(body=world.group, person=people["hal"])
    ms.membership_update(actor=None, membership=hal_on_group, role=Role.DEPUTY_CHAIR)
    # Jo holds the only place from today: the seat cannot be turned into the deputy's.
    with pytest.raises(ValidationError) as refused:
        ms.seat_update(actor=None, seat=other, office_body=world.group, office_role="deputy_chair")
    assert "cannot follow the office" in str(refused.value)
    other.refresh_from_db()
    assert other.office_body is None


def test_a_seat_names_both_the_office_and_another_body(leads):
    world, seat, people = leads
    with pytest.raises(ValidationError):
        ms.seat_create(actor=None, body=world.board, name="X", office_role="chair")
    with pytest.raises(ValidationError):
        ms.seat_create(
            actor=None, body=world.board, name="Y", office_body=world.board, office_role="chair"
        )


# --- pages ---------------------------------------------------------------------------------


def test_the_seat_form_sets_the_office_and_the_body_page_says_so(client, world):
    client.force_login(world.coordinator)
    url = reverse(
        "membership:seat_create",
        kwargs={"partnership": world.partnership.slug, "body": world.board.slug},
    )
    form = client.get(url).content.decode()
    assert 'name="office_role"' in form and 'name="office_body"' in form
    data = {"name": "Lead for the Other Group", "count": "1", "voting": "True"}
    response = client.post(url, {**data, "office_role": "chair"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Select the body whose office holds the seat" in html
    assert 'value="Lead for the Other Group"' in html  # nothing typed is lost
    response = client.post(
        url, {**data, "office_role": "chair", "office_body": str(world.other.pk)}
    )
    assert response.status_code == 302
    page = client.get(world.board.get_absolute_url()).content.decode()
    assert "Held by the chair of the Other Group" in page


# --- review findings (issue 16) ---------------------------------------------------------------


def _group_chair_election(world, people, *, term_starts_on=None):
    now = timezone.now()
    election = ms.election_create(
        actor=world.coordinator,
        body=world.group,
        post="chair",
        nominations_open_at=now - timedelta(hours=1),
        nominations_close_at=now + timedelta(hours=24),
        voting_opens_at=now + timedelta(hours=48),
        voting_closes_at=now + timedelta(hours=96),
        term_starts_on=term_starts_on or (now + timedelta(days=5)).date(),
        tie_rule="lot",
    )
    name_officers(election)
    candidate = stand(election, people["hal"], people["ivy"], people["jo"])
    set_phase(election, "voting")
    for voter in (people["ivy"], people["jo"], people["hal"]):
        ms.ballot_cast(voter=voter, election=election, choices=[candidate.pk])
    return election


def _board_partners(world):
    return ms.seat_create(actor=None, body=world.board, name="Partners", count=5, voting=True)


def test_a_seat_carrying_the_boards_chair_is_not_ended_when_the_office_moves(leads):
    world, seat, people = leads
    lead = Membership.objects.get(seat=seat)
    ms.membership_update(actor=None, membership=lead, role=Role.DEPUTY_CHAIR)  # of the Board
    gina_on_group = Membership.objects.get(body=world.group, person=people["gina"])
    with pytest.raises(ValidationError) as refused:
        ms.membership_end(
            actor=None,
            membership=gina_on_group,
            ends_on=timezone.localdate() + timedelta(days=3),
        )
    assert "Gina Chair is deputy chair of Board in this seat" in str(refused.value)
    lead.refresh_from_db()
    assert lead.ends_on is None and lead.role == Role.DEPUTY_CHAIR


def test_cwac_the_new_group_chair_already_on_the_board_moves_to_the_lead_seat(leads):
    world, seat, people = leads
    partners = _board_partners(world)
    hal_on_board = ms.membership_create(
        actor=None,
        body=world.board,
        seat=partners,
        person=people["hal"],
        organisation=world.business,
        starts_on=world.start,
    )
    election = close(_group_chair_election(world, people))
    start = election.term_starts_on
    assert "cannot follow" not in election.outcome and "not changed" not in election.outcome
    assert holders(seat, start) == [people["hal"]]
    assert holders(seat, start - timedelta(days=1)) == [people["gina"]]
    hal_on_board.refresh_from_db()
    assert hal_on_board.ends_on == start
    assert (
        hal_on_board.end_reason == "Moved to 'Thematic lead: Safer Group' as chair of Safer Group"
    )
    hal_lead = Membership.objects.get(seat=seat, person=people["hal"])
    assert hal_lead.organisation == world.charity  # as on the group
    assert (
        Membership.objects.current(on=start).get(body=world.group, role=Role.CHAIR).person
        == (people["hal"])
    )


def test_a_seat_that_cannot_follow_leaves_the_elections_roles_standing(leads):
    world, seat, people = leads
    lead = Membership.objects.get(seat=seat)
    ms.membership_update(actor=None, membership=lead, role=Role.DEPUTY_CHAIR)  # of the Board
    election = close(_group_chair_election(world, people))
    start = election.term_starts_on
    assert "cannot follow the office" in election.outcome
    assert "Roles were not changed" not in election.outcome
    group_chair = Membership.objects.current(on=start).get(body=world.group, role=Role.CHAIR)
    assert group_chair.person == people["hal"]
    assert holders(seat, start) == [people["gina"]]


def test_an_election_closed_late_moves_the_seat_from_today_not_back_in_time(leads):
    world, seat, people = leads
    election = _group_chair_election(world, people)
    type(election).objects.filter(pk=election.pk).update(
        term_starts_on=timezone.localdate() - timedelta(days=2)
    )
    election.refresh_from_db()
    election = close(election)
    today = timezone.localdate()
    assert "cannot follow" not in election.outcome, election.outcome
    hal_lead = Membership.objects.get(seat=seat, person=people["hal"])
    assert hal_lead.starts_on == today
    # Gina's place began today (the seat is new): it is cancelled, not ended the day it began.
    assert not Membership.objects.filter(seat=seat, person=people["gina"]).exists()


def test_closing_the_group_ends_its_chairs_seat_on_the_board(leads):
    world, seat, people = leads
    closing = timezone.localdate() + timedelta(days=3)
    ms.body_close(actor=None, body=world.subgroup, closed_on=closing, reason="Merged")
    ms.body_close(actor=None, body=world.group, closed_on=closing, reason="Merged")
    gina_lead = Membership.objects.get(seat=seat)
    assert gina_lead.ends_on == closing
    assert gina_lead.end_reason == "No longer chair of Safer Group"


def test_an_office_seat_has_one_place_and_takes_only_the_office_holder(leads):
    world, seat, people = leads
    with pytest.raises(ValidationError) as refused:
        ms.seat_update(actor=None, seat=seat, count=2)
    assert "count" in refused.value.message_dict
    deputy_lead = ms.seat_create(
        actor=None,
        body=world.board,
        name="Deputy lead: Safer Group",
        count=1,
        office_body=world.group,
        office_role="deputy_chair",
    )
    with pytest.raises(ValidationError) as refused:
        ms.membership_create(
            actor=world.coordinator,
            body=world.board,
            seat=deputy_lead,
            person=people["jo"],
            organisation=world.charity,
            starts_on=timezone.localdate(),
        )
    assert "Jo Member is not deputy chair" in str(refused.value)


def test_a_second_change_the_same_day_hands_the_seat_over(leads):
    world, seat, people = leads
    handover = timezone.localdate() + timedelta(days=3)
    gina_on_group = Membership.objects.get(body=world.group, person=people["gina"])
    ms.membership_end(actor=None, membership=gina_on_group, ends_on=handover)
    kim, lee = UserFactory(full_name="Kim Chair"), UserFactory(full_name="Lee Chair")
    kim_on_group = ms.membership_create(
        actor=None,
        body=world.group,
        seat=world.group_seat,
        person=kim,
        role=Role.CHAIR,
        organisation=world.council,
        starts_on=handover,
    )
    assert holders(seat, handover) == [kim]
    # A mistake: Lee, not Kim, is the chair from that day.
    ms.membership_update(actor=None, membership=kim_on_group, role=Role.MEMBER)
    assert holders(seat, handover) == []
    ms.membership_create(
        actor=None,
        body=world.group,
        seat=world.group_seat,
        person=lee,
        role=Role.CHAIR,
        organisation=world.charity,
        starts_on=handover,
    )
    assert holders(seat, handover) == [lee]
    assert not Membership.objects.filter(seat=seat, person=kim).exists()


def test_a_body_closing_later_still_takes_the_new_holder_until_it_closes(leads):
    world, _seat, people = leads
    today = timezone.localdate()
    # The sub-group has a place for the group's chair, and closes in ten days.
    seat = ms.seat_create(
        actor=None,
        body=world.subgroup,
        name="Group chair",
        count=1,
        office_body=world.group,
        office_role="chair",
    )
    ms.body_close(
        actor=None, body=world.subgroup, closed_on=today + timedelta(days=10), reason="Ended"
    )
    gina_on_group = Membership.objects.get(body=world.group, person=people["gina"])
    handover = today + timedelta(days=5)
    ms.membership_end(actor=None, membership=gina_on_group, ends_on=handover)
    assert holders(seat, handover) == []
    kim = UserFactory(full_name="Kim Chair")
    ms.membership_create(
        actor=None,
        body=world.group,
        seat=world.group_seat,
        person=kim,
        role=Role.CHAIR,
        organisation=world.council,
        starts_on=handover,
    )
    assert holders(seat, handover) == [kim]
    assert Membership.objects.get(seat=seat, person=kim).ends_on == today + timedelta(days=10)
