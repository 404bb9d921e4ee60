""" "Your tasks": what each persona of the ``world`` owes appears with a link straight to it,
grouped and ordered by urgency; nothing for someone who owes nothing; sign-in lands there; and
the page keeps a fixed number of queries however many tasks there are."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance import services as gs
from membership import services as ms
from partnership.periods import financial_year
from tests.conftest import PASSWORD, appoint_governance_lead
from tests.governance.helpers import schedule
from tests.governance.test_registers import declare
from tests.membership.elections_helpers import add_voters, chair_election, set_phase
from tests.membership.test_agreement import agree_and_issue, upload

TASKS = reverse("account:tasks")


def page(client, user) -> str:
    client.force_login(user)
    response = client.get(TASKS)
    assert response.status_code == 200
    return response.content.decode()


def paper_due(world, *, days: int, title: str, owner=None):
    """A paper not yet out for a meeting ``days`` ahead: late once within a week of it."""
    meeting = schedule(world, days=days)
    item = gs.item_add(actor=world.coordinator, meeting=meeting, title=f"Item for {title}")
    return gs.paper_add(
        actor=world.coordinator, item=item, title=title, owner=owner or world.member
    )


def action_due(world, *, days: int, description: str, owner=None):
    past = schedule(world, days=-30)
    gs.item_add(actor=world.coordinator, meeting=past, title="Matters arising")
    gs.meeting_publish(actor=world.coordinator, meeting=past)  # actions need a published agenda
    return gs.action_add(
        actor=world.coordinator,
        meeting=past,
        description=description,
        owner=owner or world.member,
        due_on=timezone.localdate() + timedelta(days=days),
    )


def submitted_minutes(world):
    past = schedule(world, days=-7)
    item = gs.item_add(actor=world.coordinator, meeting=past, title="Annual report")
    gs.meeting_publish(actor=world.coordinator, meeting=past)
    minutes = gs.minutes_start(actor=world.coordinator, meeting=past)
    gs.minutes_save(actor=world.coordinator, minutes=minutes, entries={item.pk: ("Noted.", "")})
    return gs.minutes_submit(actor=world.coordinator, minutes=minutes)


def deputy_election(world):
    now = timezone.now()
    return ms.election_create(
        actor=world.coordinator,
        body=world.board,
        post="deputy_chair",
        nominations_open_at=now - timedelta(hours=1),
        nominations_close_at=now + timedelta(hours=24),
        voting_opens_at=now + timedelta(hours=48),
        voting_closes_at=now + timedelta(hours=96),
        term_starts_on=(now + timedelta(days=5)).date(),
        tie_rule="lot",
    )


# --- landing ------------------------------------------------------------------------------


def test_signing_in_lands_on_your_tasks(client, world):
    response = client.post(reverse("login"), {"username": world.member.email, "password": PASSWORD})
    assert response["Location"] == TASKS


def test_the_account_page_links_to_your_tasks(client, world):
    client.force_login(world.member)
    assert f'href="{TASKS}"' in client.get(reverse("account:home")).content.decode()


def test_someone_signed_out_is_sent_to_sign_in(client, world):
    response = client.get(TASKS)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# --- what each persona owes -----------------------------------------------------------------


def test_someone_with_nothing_to_do_is_told_so(client, world):
    html = page(client, world.outsider)
    assert "You have nothing to do" in html
    assert "govuk-task-list" not in html


def test_a_member_is_asked_to_confirm_their_register_entries(client, world):
    html = page(client, world.member)
    assert "Declarations of interest" in html
    year = financial_year(timezone.localdate())
    assert f"Confirm your register entries for {year}/" in html
    url = reverse("governance:my_registers", kwargs={"partnership": world.partnership.slug})
    assert f'href="{url}"' in html


def test_confirming_the_register_takes_it_off_the_list(client, world):
    ms_year = financial_year(timezone.localdate())
    gs.register_confirm(actor=world.member, partnership=world.partnership, person=world.member)
    html = page(client, world.member)
    assert f"Confirm your register entries for {ms_year}/" not in html
    assert "You have nothing to do" in html


def test_a_paper_owner_sees_the_paper_with_its_due_date_and_meeting(client, world):
    paper = paper_due(world, days=10, title="Youth services review")
    meeting = paper.item.meeting
    html = page(client, world.member)
    assert "Papers to write" in html and "Youth services review" in html
    # The agenda is a draft, for those who run the body: the task links to the body's page,
    # which the owner can open, and says where the paper goes.
    assert f'href="{meeting.body.get_absolute_url()}"' in html
    assert "send it to the body" in html
    assert client.get(meeting.body.get_absolute_url()).status_code == 200
    due = meeting.held_on - timedelta(days=7)
    assert f"Due by {due:%-d %B %Y}" in html
    # Once the agenda is published, to the meeting itself, which they can now open.
    gs.meeting_publish(actor=world.coordinator, meeting=meeting)
    html = page(client, world.member)
    assert f'href="{meeting.get_absolute_url()}"' in html
    assert client.get(meeting.get_absolute_url()).status_code == 200
    # Nobody else is asked to write it.
    assert "Youth services review" not in page(client, world.other_member)


def test_a_circulated_paper_is_not_a_task(client, world):
    paper = paper_due(world, days=10, title="Youth services review")
    gs.meeting_publish(actor=world.coordinator, meeting=paper.item.meeting)
    type(paper).objects.filter(pk=paper.pk).update(circulated_at=timezone.now())
    assert "Youth services review" not in page(client, world.member)


def test_an_overdue_action_comes_first_and_says_overdue(client, world):
    action_due(world, days=20, description="Write to the police")
    action_due(world, days=-3, description="Book the venue")
    html = page(client, world.member)
    assert html.index("Book the venue") < html.index("Write to the police")
    assert "Overdue" in html
    # The overdue group comes before the register confirmation, which has no date.
    assert html.index("Actions") < html.index("Declarations of interest")


def test_a_done_action_is_not_a_task(client, world):
    action = action_due(world, days=5, description="Book the venue")
    gs.action_complete(actor=world.member, action=action)
    assert "Book the venue" not in page(client, world.member)


def test_the_chair_is_asked_to_approve_submitted_minutes(client, world):
    minutes = submitted_minutes(world)
    html = page(client, world.chair)
    assert "Minutes to approve" in html
    assert f'href="{minutes.meeting.get_absolute_url()}"' in html
    assert "Minutes to approve" not in page(client, world.member)


def test_a_coordinator_sees_papers_late_for_their_meetings(client, world):
    paper_due(world, days=3, title="Budget paper")
    paper_due(world, days=20, title="Not yet due")
    html = page(client, world.coordinator)
    assert "Late papers for your meetings" in html
    assert "Budget paper (from Member)" in html
    assert "Not yet due" not in html
    # Someone who co-ordinates another body only is not told.
    assert "Budget paper" not in page(client, world.group_coordinator)


def test_a_member_is_asked_to_sign_the_current_agreement(client, world):
    lead = appoint_governance_lead(world)
    agree_and_issue(world, lead, upload(world, lead))
    html = page(client, world.member)
    assert "Partnership agreement" in html
    assert "Sign version 2026 of the Testshire Partnership agreement" in html
    url = reverse("membership:agreement", kwargs={"partnership": world.partnership.slug})
    assert f'href="{url}"' in html
    assert "Sign version 2026" not in page(client, world.outsider)


def test_voting_members_are_asked_to_vote_while_voting_is_open(client, world):
    election = chair_election(world, phase="voting")
    html = page(client, world.member)
    url = reverse(
        "membership:ballot",
        kwargs={"partnership": world.partnership.slug, "body": world.board.slug, "pk": election.pk},
    )
    assert "Elections" in html and f'href="{url}"' in html and "Voting open" in html
    # Not a member of the Board: nothing to vote in.
    assert "Voting open" not in page(client, world.other_member)


def test_members_are_asked_to_propose_while_nominations_are_open(client, world):
    chair_election(world, phase="nominations")
    assert "Propose or second a candidate" in page(client, world.member)
    assert "Propose or second a candidate" not in page(client, world.coordinator)


def test_a_seconded_candidate_is_asked_to_answer(client, world):
    election = chair_election(world, phase="nominations")
    candidate = ms.candidate_propose(actor=world.chair, election=election, person=world.member)
    (seconder,) = add_voters(world, 1)
    ms.candidate_second(actor=seconder, candidate=candidate)
    html = page(client, world.member)
    assert "Accept or decline your nomination" in html
    set_phase(election, "between")
    assert "Accept or decline your nomination" not in page(client, world.member)


def test_a_vote_cast_takes_the_election_off_the_list(client, world):
    election = chair_election(world, phase="nominations")
    candidate = ms.candidate_propose(actor=world.member, election=election, person=world.chair)
    (seconder,) = add_voters(world, 1)
    ms.candidate_second(actor=seconder, candidate=candidate)
    ms.candidate_respond(actor=world.chair, candidate=candidate, accept=True, statement="Yes.")
    set_phase(election, "voting")
    assert "Voting open" in page(client, world.member)
    ms.ballot_cast(voter=world.member, election=election, choices=[candidate.pk], abstain=False)
    assert "Voting open" not in page(client, world.member)


def test_a_governance_lead_is_asked_to_settle_disputed_rulings(client, world):
    lead = appoint_governance_lead(world)
    assert "Disputed rulings" not in page(client, lead)
    ruling = gs.ruling_make(
        actor=world.chair,
        declaration=declare(world),
        body=world.board,
        outcome="disbarred",
        reason="Prejudicial to the board's aims",
    )
    gs.ruling_dispute(actor=world.member, ruling=ruling, reason="My firm never bids")
    html = page(client, lead)
    assert "Disputed rulings" in html and "Settle the dispute: Member, Board" in html
    url = reverse(
        "governance:ruling_settle",
        kwargs={"partnership": world.partnership.slug, "pk": ruling.pk},
    )
    assert f'href="{url}"' in html
    assert "Disputed rulings" not in page(client, world.chair)


def test_the_chair_is_asked_to_rule_on_each_declaration_of_their_board(client, world):
    assert "Declarations to rule on" not in page(client, world.chair)
    declaration = declare(world)
    html = page(client, world.chair)
    assert "Declarations to rule on" in html
    assert "Member: financial interest, " in html
    url = reverse(
        "governance:ruling_create",
        kwargs={
            "partnership": world.partnership.slug,
            "body": world.board.slug,
            "pk": declaration.pk,
        },
    )
    assert f'href="{url}"' in html
    # The declarant does not rule on their own interest; a co-ordinator does not rule.
    assert "Declarations to rule on" not in page(client, world.member)
    assert "Declarations to rule on" not in page(client, world.coordinator)
    gs.ruling_make(
        actor=world.chair,
        declaration=declaration,
        body=world.board,
        outcome="noted",
        reason="Not prejudicial",
    )
    assert "Declarations to rule on" not in page(client, world.chair)


def test_a_changed_interest_awaits_a_ruling_of_its_own(client, world):
    declaration = declare(world)
    gs.ruling_make(
        actor=world.chair,
        declaration=declaration,
        body=world.board,
        outcome="noted",
        reason="Not prejudicial",
    )
    changed = gs.declaration_update(
        actor=world.member,
        declaration=declaration,
        description="Now a paid director and shareholder.",
        changed_on=timezone.localdate(),
        change_note="Became a shareholder",
    )
    html = page(client, world.chair)
    assert "Declarations to rule on" in html and "Changed" in html
    assert f"/register/interests/{changed.pk}/rule/" in html


def test_coordinators_see_the_apologies_for_their_coming_meetings(client, world):
    meeting = schedule(world, days=10)
    gs.item_add(actor=world.coordinator, meeting=meeting, title="Community safety plan")
    gs.meeting_publish(actor=world.coordinator, meeting=meeting)
    assert "Apologies for your meetings" not in page(client, world.coordinator)
    gs.apologies_send(actor=world.member, meeting=meeting)
    html = page(client, world.coordinator)
    assert "Apologies for your meetings" in html
    assert f"Board, {meeting.held_on:%-d %B %Y}: 1 apology" in html
    assert f'href="{meeting.get_absolute_url()}"' in html
    # The Safer Group's co-ordinator does not run the Board; the member is not told of theirs.
    assert "Apologies for your meetings" not in page(client, world.group_coordinator)
    assert "Apologies for your meetings" not in page(client, world.member)
    # Once the meeting is cancelled, nothing to do.
    gs.meeting_cancel(actor=world.coordinator, meeting=meeting, reason="No business")
    assert "Apologies for your meetings" not in page(client, world.coordinator)


def test_coordinators_see_vacancies_and_memberships_ending(client, world):
    ms.membership_update(
        actor=None,
        membership=world.member_membership,
        ends_on=timezone.localdate() + timedelta(days=20),
    )
    html = page(client, world.coordinator)
    assert "Vacancies and memberships ending" in html
    assert "Board: 1 vacant place (Council)" in html
    assert "Safer Group: 5 vacant places (Partners)" in html
    assert "Board: Member&#x27;s membership ends" in html
    url = reverse(
        "membership:membership_detail",
        kwargs={
            "partnership": world.partnership.slug,
            "body": world.board.slug,
            "pk": world.member_membership.pk,
        },
    )
    assert f'href="{url}"' in html
    # The Safer Group's co-ordinator hears of the Safer Group (and below) only.
    html = page(client, world.group_coordinator)
    assert "Safer Group: 5 vacant places" in html and "Board:" not in html
    assert "vacant place" not in page(client, world.member)


# --- a fixed number of queries -------------------------------------------------------------


def _load(world, n: int) -> None:
    for i in range(n):
        paper = paper_due(world, days=10 + i, title=f"Paper {i}")
        paper_due(world, days=2, title=f"Late paper {i}")
        action_due(world, days=i - 2, description=f"Action {i}")
        # For the co-ordinator, apologies; for the chair, a declaration to rule on.
        gs.apologies_send(actor=world.member, meeting=paper.item.meeting)
        declare(world, description=f"Interest {i}")


def _queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(TASKS).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["member", "coordinator", "chair", "outsider"])
def test_the_page_takes_the_same_queries_however_many_tasks(client, world, persona):
    user = getattr(world, persona)
    _load(world, 1)
    submitted_minutes(world)
    chair_election(world, phase="voting")
    few = _queries(client, user)
    _load(world, 6)
    submitted_minutes(world)
    set_phase(deputy_election(world), "voting")
    assert _queries(client, user) == few


def test_the_members_page_is_pinned_at_a_fixed_count(client, world, django_assert_num_queries):
    _load(world, 2)
    client.force_login(world.member)
    client.get(TASKS)  # a first request warms the session
    with django_assert_num_queries(QUERIES_FOR_A_MEMBER):
        html = client.get(TASKS).content.decode()
    assert html.count('<li class="govuk-task-list__item') == 2 * 3 + 1
    _load(world, 10)
    with django_assert_num_queries(QUERIES_FOR_A_MEMBER):
        html = client.get(TASKS).content.decode()
    assert html.count('<li class="govuk-task-list__item') == 12 * 3 + 1


# Session and user; the person's places (memberships, appointments and their part in the open
# elections, in one union), the agreement, the elections, rights, every app's first cut (one
# query: which kinds of task they may have), papers, the partnership's tree (whether a paper's
# meeting is open to its owner: once a request), actions and the register confirmation (see
# the -v output). Performance asks nothing more of someone who writes no return.
QUERIES_FOR_A_MEMBER = 11
