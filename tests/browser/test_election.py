"""A chair election from opening to published result, in the browser. The vote itself is
cast with the keyboard only; every page is checked with axe-core."""

import re

import pytest
from playwright.sync_api import expect

from membership import services as ms
from membership.models import Election, Membership
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD
from tests.factories import UserFactory
from tests.membership.elections_helpers import set_phase

pytestmark = pytest.mark.browser


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def test_a_chair_election_from_opening_to_published_result(page, live_world):
    w = live_world
    # Two more voting members of the Board, so there are proposers and seconders.
    seat = ms.seat_create(actor=None, body=w.board, name="Partners", count=5, voting=True)
    for name in ("voter_one", "voter_two"):
        ms.membership_create(
            actor=None,
            body=w.board,
            seat=seat,
            person=UserFactory(email=f"{name}@example.org"),
            organisation=w.business,
            starts_on=w.start,
        )

    # The co-ordinator opens the election.
    page.goto("/accounts/sign-in/")
    assert_accessible(page)
    sign_in(page, "coordinator@example.org", PASSWORD)
    assert_accessible(page)
    page.goto(w.board.get_absolute_url())
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Elections of the chair")).click()
    assert_accessible(page)
    page.get_by_role("link", name="Open an election").click()
    assert_accessible(page)
    # The seat and its places are asked only for a seat election.
    page.get_by_label("Places in a seat").check()
    expect(page.get_by_label("Seat", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Chair", exact=True).check()
    expect(page.get_by_label("Seat", exact=True)).to_be_hidden()
    expect(page.get_by_label("Number of places to fill")).to_be_hidden()
    page.get_by_label("Draw lots between the tied candidates").check()
    page.get_by_role("button", name="Open the election").click()
    expect(page.get_by_text("Taking nominations")).to_be_visible()
    assert_accessible(page)
    election = Election.objects.get()
    sign_out(page)
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    assert_accessible(page)

    # A voting member proposes, another seconds, the candidate accepts with a statement.
    sign_in(page, "voter_one@example.org", PASSWORD)
    page.goto(w.board.get_absolute_url() + f"elections/{election.pk}/")
    assert_accessible(page)
    # Proposing nobody is an error by the field, with the summary.
    page.get_by_role("button", name="Propose").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the person you propose")
    expect(page.locator("#id_person-error")).to_contain_text("Select the person you propose")
    assert_accessible(page)
    page.get_by_label("Who do you propose?").select_option(label="Member")
    page.get_by_role("button", name="Propose").click()
    expect(page.get_by_text("You have proposed Member")).to_be_visible()
    assert_accessible(page)
    sign_out(page)
    sign_in(page, "voter_two@example.org", PASSWORD)
    page.goto(w.board.get_absolute_url() + f"elections/{election.pk}/")
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("Second")).click()
    expect(page.get_by_text("You have seconded")).to_be_visible()
    assert_accessible(page)
    sign_out(page)
    sign_in(page, "member@example.org", PASSWORD)
    page.goto(w.board.get_absolute_url() + f"elections/{election.pk}/")
    assert_accessible(page)
    page.get_by_role("link", name="Accept or decline the nomination").click()
    assert_accessible(page)
    page.get_by_label("Yes, I will stand").check()
    page.get_by_role("button", name="Send your answer").click()
    expect(page.locator("#id_statement-error")).to_contain_text("Say why you stand")
    assert_accessible(page)
    page.get_by_label("Why you stand and what you would bring").fill(
        "Ten years chairing the community safety partnership."
    )
    page.get_by_role("button", name="Send your answer").click()
    expect(page.get_by_text("You are standing.")).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    # Voting opens (the dates are moved on); the member votes with the keyboard only.
    set_phase(election, "voting")
    sign_in(page, "member@example.org", PASSWORD)
    page.goto(w.board.get_absolute_url() + f"elections/{election.pk}/")
    assert_accessible(page)
    link = page.get_by_role("link", name="Vote now")
    link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("Your ballot"))).to_be_visible()
    assert_accessible(page)
    radio = page.get_by_label("Member", exact=True)
    radio.focus()
    page.keyboard.press("Space")
    expect(radio).to_be_checked()
    button = page.get_by_role("button", name="Continue to check your vote")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Check your vote")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Cast your vote").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Your vote has been cast")).to_be_visible()
    assert_accessible(page)
    receipt = page.locator("#receipt").inner_text()
    sign_out(page)

    # The co-ordinator sees the turnout, never how anyone voted, then closes the election.
    sign_in(page, "coordinator@example.org", PASSWORD)
    page.goto(w.board.get_absolute_url() + f"elections/{election.pk}/")
    expect(page.locator("#turnout")).to_have_text("1 of 4 voting members have voted")
    expect(page.get_by_text("Votes for each candidate")).to_have_count(0)
    expect(page.get_by_role("button", name="Close voting and publish the result")).to_have_count(0)
    assert_accessible(page)
    set_phase(election, "counting")  # the voting window ends
    page.reload()
    expect(page.get_by_role("button", name="Close voting and publish the result")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Close voting and publish the result").click()
    expect(page.locator("#result")).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    # The public sees the result, and the voter checks their receipt.
    page.goto(w.board.get_absolute_url() + f"elections/{election.pk}/")
    expect(page.get_by_role("table", name="Votes for each candidate")).to_contain_text("Elected")
    assert_accessible(page)
    page.get_by_label("Your receipt code").fill(receipt)
    page.get_by_role("button", name="Check").click()
    expect(page.locator("#receipt-check")).to_contain_text("was counted")
    assert_accessible(page)
    # And on the Board's own page.
    page.goto(w.board.get_absolute_url())
    expect(page.get_by_text("Elected: Member")).to_be_visible()
    assert_accessible(page)

    # The member is chair from the start of the term; the previous chair's role ended.
    term = Election.objects.get().term_starts_on
    assert Membership.objects.get(person=w.member, starts_on=term).role == "chair"
    assert Membership.objects.get(person=w.chair, role="chair").ends_on == term
