"""A chair election from opening to published result, in the browser: the co-ordinator
names the counting officers, each makes a code (saved as a file), the vote is cast with the
keyboard only, and two officers count. And an election that cannot be counted, declared void
and run again. Every page is checked with axe-core."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from membership import services as ms
from membership.crypto.verify import verify_board
from membership.models import Election, Membership
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD
from tests.factories import UserFactory
from tests.membership.elections_helpers import add_voters, chair_election, set_phase, stand

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
    # Next, the counting officers: voting cannot start without them.
    expect(page.get_by_role("heading", name="Counting officers")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("How many officers must count together").fill("3")
    page.get_by_label("Chair", exact=True).check()
    page.get_by_role("button", name="Save the counting officers").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Name at least two")
    expect(page.locator("#id_officers-error")).to_contain_text("Name at least two")
    expect(page.get_by_label("Chair", exact=True)).to_be_checked()  # nothing typed is lost
    expect(page.get_by_label("How many officers must count together")).to_have_value("3")
    assert_accessible(page)
    page.get_by_label("Coordinator, co-ordinator", exact=True).check()
    page.get_by_role("button", name="Save the counting officers").click()
    expect(page.locator("#id_threshold-error")).to_contain_text("Choose between 2 and 2")
    assert_accessible(page)
    page.get_by_label("How many officers must count together").fill("2")
    page.get_by_role("button", name="Save the counting officers").click()
    expect(page.get_by_text("2 counting officers are named")).to_be_visible()
    expect(page.get_by_text("Taking nominations")).to_be_visible()
    expect(page.get_by_role("table", name="Counting officers and their codes")).to_contain_text(
        "No code yet"
    )
    assert_accessible(page)
    election = Election.objects.get()
    codes = {"coordinator@example.org": make_code(page, election)}
    sign_out(page)

    # The chair, the other officer, is asked for a code on their tasks and makes one.
    sign_in(page, "chair@example.org", PASSWORD, then=None)
    page.get_by_role("link", name=re.compile("Make your counting code")).click()
    codes["chair@example.org"] = make_code(page, election, first_step=False)
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
    assert re.fullmatch(r"([0-9a-f]{8} ){7}[0-9a-f]{8}", receipt)
    expect(page.get_by_text(re.compile("find it on the election's bulletin board"))).to_be_visible()
    sign_out(page)

    # The co-ordinator sees the turnout, never how anyone voted, then closes the election.
    sign_in(page, "coordinator@example.org", PASSWORD)
    page.goto(w.board.get_absolute_url() + f"elections/{election.pk}/")
    expect(page.locator("#turnout")).to_have_text("1 of 4 voting members have voted")
    expect(page.get_by_text("Votes for each candidate")).to_have_count(0)
    expect(page.get_by_role("button", name="Close voting")).to_have_count(0)
    assert_accessible(page)
    set_phase(election, "counting")  # the voting window ends
    page.reload()
    expect(page.get_by_role("button", name="Close voting")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Close voting").click()
    # Sealed: nothing is counted until two officers have entered their codes.
    expect(page.locator("#count-status")).to_contain_text(
        "The votes will be counted when 2 counting officers have entered their codes: 0 have"
    )
    expect(page.locator("#result")).to_have_count(0)
    expect(page.get_by_role("button", name="Declare the election void")).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    # The chair counts: a wrong code first, then theirs.
    sign_in(page, "chair@example.org", PASSWORD, then=None)
    page.get_by_role("link", name=re.compile("Count the votes")).click()
    expect(page.get_by_role("heading", name="Count the votes")).to_be_visible()
    expect(page.locator("#officer-status")).to_have_text("You have not counted yet.")
    assert_accessible(page)
    page.get_by_label("Your counting code").fill("2222-2222-2222-2222-2222-222222")
    page.get_by_role("button", name="Count").click()
    expect(page.locator("#id_code-error")).to_contain_text("This is not your counting code")
    expect(page.locator(".govuk-error-summary")).to_contain_text("This is not your counting code")
    assert_accessible(page)
    page.get_by_label("Your counting code").fill(codes["chair@example.org"])
    page.get_by_role("button", name="Count").click()
    expect(page.get_by_text("1 of the 2 counting officers needed have counted")).to_be_visible()
    expect(page.locator("#officer-status")).to_contain_text("You have counted.")
    assert_accessible(page)
    sign_out(page)
    # The co-ordinator's code completes the count.
    sign_in(page, "coordinator@example.org", PASSWORD)
    page.goto(w.board.get_absolute_url() + f"elections/{election.pk}/counting/")
    page.get_by_label("Your counting code").fill(codes["coordinator@example.org"])
    page.get_by_role("button", name="Count").click()
    expect(page.get_by_text("that completes the count: the result is published")).to_be_visible()
    expect(page.locator("#result")).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    # The public sees the result, and the voter checks their receipt.
    page.goto(w.board.get_absolute_url() + f"elections/{election.pk}/")
    expect(page.get_by_role("table", name="Votes for each candidate")).to_contain_text("Elected")
    expect(page.get_by_role("link", name=re.compile("The bulletin board"))).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Your receipt (ballot fingerprint)").fill(receipt)
    page.get_by_role("button", name="Check").click()
    expect(page.locator("#receipt-check")).to_contain_text("was counted")
    assert_accessible(page)
    # The bulletin board: the voter finds their ballot by the start of their receipt.
    page.get_by_role("link", name=re.compile("The bulletin board")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bulletin board")
    assert_accessible(page)
    page.locator("#id_receipt").fill(receipt[:8].upper())
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_text(re.compile(r"1 ballot with a fingerprint starting"))).to_be_visible()
    expect(page.locator("table code")).to_have_count(1)
    assert_accessible(page)
    address = page.url.split("?")[0].split("#")[0]
    assert address.endswith("/board/")
    board = page.request.get(address.removesuffix("board/") + "board.json").json()
    assert receipt.replace(" ", "") in {b["fingerprint"] for b in board["ballots"]}
    assert verify_board(board) == []
    # And on the Board's own page.
    page.goto(w.board.get_absolute_url())
    expect(page.get_by_text("Elected: Member")).to_be_visible()
    assert_accessible(page)

    # The member is chair from the start of the term; the previous chair's role ended.
    term = Election.objects.get().term_starts_on
    assert Membership.objects.get(person=w.member, starts_on=term).role == "chair"
    assert Membership.objects.get(person=w.chair, role="chair").ends_on == term


def make_code(page, election, *, first_step: bool = True) -> str:
    """On the officer's counting page: make the code, save it as a file, keep it; the page
    shows it once only."""
    if first_step:
        expect(page.locator("#officer")).to_contain_text("You are a counting officer")
        page.get_by_role("link", name="Make your counting code").click()
    expect(page.locator("#code-status")).to_have_text("Not made yet")
    assert_accessible(page)
    page.get_by_role("button", name="Make your counting code").click()
    expect(page.get_by_role("heading", name="Your counting code")).to_be_visible()
    code = page.locator("#code").inner_text().strip()
    assert re.fullmatch(r"([2-9A-HJ-NP-Z]{4}-){5}[2-9A-HJ-NP-Z]{6}", code)
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Save the code as a text file").click()
    saved = download.value
    assert saved.suggested_filename == f"counting-code-election-{election.pk}.txt"
    assert code in Path(saved.path()).read_text(encoding="utf-8")
    page.get_by_role("link", name=re.compile("I have kept my code safe")).click()
    page.goto(page.url + "counting/")
    expect(page.locator("#code-status")).to_contain_text("Made on")
    expect(page.get_by_text(code)).to_have_count(0)
    expect(page.get_by_role("button", name="Make a new counting code")).to_be_visible()
    return code


def test_an_election_too_few_officers_count_is_declared_void_and_run_again(page, live_world):
    w = live_world
    election = chair_election(w)  # three officers, each with a code
    voters = add_voters(w, 2)
    stand(election, w.member, voters[0], voters[1])
    set_phase(election, "voting")
    ms.electorate_fix(election=election)
    set_phase(election, "counting")
    ms.election_close(actor=None, election=election)

    sign_in(page, "coordinator@example.org", PASSWORD)
    page.goto(w.board.get_absolute_url() + f"elections/{election.pk}/")
    expect(page.locator("#count-status")).to_contain_text("0 have so far")
    assert_accessible(page)
    page.get_by_role("button", name="Declare the election void").click()
    expect(page.get_by_text("The election has been declared void")).to_be_visible()
    expect(page.get_by_role("heading", name="Not counted")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Run the election again").click()
    expect(page.get_by_role("heading", name="Run the election again")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Voting closes at").fill("")
    page.get_by_role("button", name="Run the election again").click()
    expect(page.locator("#id_voting_closes_time-error")).to_be_visible()
    assert_accessible(page)
    term = election.term_starts_on
    for name in ("Voting opens on", "Voting closes on"):
        group = page.get_by_role("group", name=name)
        group.get_by_label("Day").fill(str(term.day))
        group.get_by_label("Month").fill(str(term.month))
        group.get_by_label("Year").fill(str(term.year))
    page.get_by_label("Voting opens at").fill("08:00")
    page.get_by_label("Voting closes at").fill("10:00")
    page.get_by_role("button", name="Run the election again").click()
    expect(page.get_by_text("The election will be run again")).to_be_visible()
    expect(page.get_by_role("heading", name="Counting officers")).to_be_visible()
    assert_accessible(page)
    rerun = Election.objects.get(rerun_of=election)
    assert rerun.officers.count() == 3 and rerun.candidates.count() == 1
