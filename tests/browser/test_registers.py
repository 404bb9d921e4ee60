"""The registers in the browser: a member declares an interest and a hospitality and confirms
their entries for the year, the chair rules on the interest and sees the hospitality over the
threshold, the public sees the published registers without the withheld entry, and the
co-ordinator downloads the register as CSV. Every page visited, error states included, is
checked with axe-core."""

import csv
import io
import re
from datetime import time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from governance import services as gs
from governance.models import Declaration, Gift, RegisterConfirmation, Ruling
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD, appoint_governance_lead

pytestmark = pytest.mark.browser

INTEREST = "I am a paid director of the Business Forum, which bids for partnership contracts."
SECRET_PROJECT = "Refuge expansion MARIGOLD"
HOSPITALITY = "Dinner at the Business Forum's annual awards"
RESTRICTIONS = "Decisions on contracts the Business Forum bids for"
REASON = "A paid directorship of a bidder is a prejudicial interest in its bids."


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def success(page, text: str):
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(text)


def fill_date(page, legend: str, day, month, year):
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day))
    group.get_by_label("Month").fill(str(month))
    group.get_by_label("Year").fill(str(year))
    return group


def test_a_declaration_from_the_member_to_the_ruling_and_the_public_register(page, live_world):
    w = live_world
    today = timezone.localdate()
    # Entered beforehand: an interest the member asked to keep off the public register.
    gs.declaration_create(
        actor=w.member,
        partnership=w.partnership,
        person=w.member,
        kind="personal",
        holder="household",
        project=SECRET_PROJECT,
        description="My partner manages the refuge.",
        starts_on=w.start,
        withheld_reason="Personal safety",
    )
    # A coming Board meeting with an item about the Business Forum, for the chair's flag.
    meeting = gs.meeting_create(
        actor=w.coordinator,
        body=w.board,
        held_on=today + timedelta(days=7),
        start_time=time(10, 0),
        venue="Council House",
    )
    gs.item_add(
        actor=w.coordinator,
        meeting=meeting,
        title="Business support contract",
        organisations=[w.business],
    )

    # --- the member declares an interest ------------------------------------------------
    sign_in(page, "member@example.org", PASSWORD)
    assert_accessible(page)
    page.get_by_role("link", name="Board", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Board")
    assert_accessible(page)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Registers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Registers")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("^Your declarations")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your declarations")
    assert_accessible(page)
    page.get_by_role("link", name="Declare an interest").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Declare an interest")
    assert_accessible(page)

    # No type, and a date that does not exist: each error beside its field, nothing lost.
    page.get_by_role("group", name="Who holds the interest?").get_by_label(
        "You", exact=True
    ).check()
    page.get_by_label("Organisation it concerns (optional)").select_option(
        label="Testshire Business Forum"
    )
    page.get_by_label("Describe the interest").fill(INTEREST)
    held = fill_date(page, "Held from", 31, 2, today.year)
    page.get_by_role("button", name="Add to the register").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select type of interest")
    expect(summary).to_contain_text("Held from must be a real date")
    expect(page.locator("#id_kind-error")).to_contain_text("Select type of interest")
    expect(page.locator("#id_starts_on-error")).to_contain_text("must be a real date")
    expect(page.get_by_label("Describe the interest")).to_have_value(INTEREST)
    expect(page.get_by_label("Organisation it concerns (optional)")).to_have_value(
        str(w.business.pk)
    )
    expect(held.get_by_label("Day")).to_have_value("31")
    expect(held.get_by_label("Month")).to_have_value("2")
    expect(
        page.get_by_role("group", name="Who holds the interest?").get_by_label("You", exact=True)
    ).to_be_checked()
    assert_accessible(page)

    # A date in the future is refused by the register's own rule, beside the date.
    page.get_by_role("group", name="Type of interest").get_by_label("Financial").check()
    tomorrow = today + timedelta(days=1)
    fill_date(page, "Held from", tomorrow.day, tomorrow.month, tomorrow.year)
    page.get_by_role("button", name="Add to the register").click()
    expect(page.locator("#id_starts_on-error")).to_contain_text("must be today or in the past")
    expect(summary).to_contain_text("must be today or in the past")
    expect(
        page.get_by_role("group", name="Type of interest").get_by_label("Financial")
    ).to_be_checked()
    expect(page.get_by_label("Describe the interest")).to_have_value(INTEREST)
    assert_accessible(page)

    fill_date(page, "Held from", w.start.day, w.start.month, w.start.year)
    page.get_by_role("button", name="Add to the register").click()
    success(page, "Interest added to the register. The chair will rule on it.")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Financial interest: Testshire Business Forum"
    )
    expect(page.get_by_text("No body has ruled on this version yet.")).to_be_visible()
    assert_accessible(page)
    declaration = Declaration.objects.get(person=w.member, kind="financial")
    assert (declaration.organisation, declaration.starts_on) == (w.business, w.start)

    # --- a gift or hospitality: a value that is not money, then one over the threshold ----
    page.get_by_role("link", name="Registers", exact=True).first.click()
    page.get_by_role("link", name=re.compile("^Your declarations")).click()
    expect(page.get_by_role("row", name=re.compile("Testshire Business Forum"))).to_contain_text(
        "Awaiting a ruling"
    )
    page.get_by_role("link", name="Declare a gift or hospitality").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Declare a gift or hospitality")
    assert_accessible(page)
    page.get_by_role("group", name="Gift or hospitality?").get_by_label("Hospitality").check()
    page.get_by_label("Who offered it?").fill("Testshire Business Forum")
    page.get_by_label("What was offered?").fill(HOSPITALITY)
    page.get_by_label("Estimated value").fill("lots")
    fill_date(page, "Date offered", today.day, today.month, today.year)
    page.get_by_role("group", name="Did you accept or decline it?").get_by_label("Accepted").check()
    page.get_by_role("button", name="Add to the register").click()
    expect(page.locator("#id_value-error")).to_contain_text(
        "Estimated value must be an amount in pounds, like 45.50"
    )
    expect(page.locator(".govuk-error-summary")).to_contain_text("must be an amount in pounds")
    expect(page.get_by_label("Estimated value")).to_have_value("lots")
    expect(page.get_by_label("What was offered?")).to_have_value(HOSPITALITY)
    expect(page.get_by_label("Who offered it?")).to_have_value("Testshire Business Forum")
    assert_accessible(page)
    page.get_by_label("Estimated value").fill("£85")
    page.get_by_role("button", name="Add to the register").click()
    success(page, "Gift or hospitality added to the register.")
    gifts = page.get_by_role("table", name=re.compile("Gifts and hospitality you have declared"))
    expect(gifts).to_contain_text(HOSPITALITY)
    expect(gifts).to_contain_text("£85.00")
    assert_accessible(page)
    gift = Gift.objects.get(person=w.member)
    assert (gift.value, gift.kind, gift.body) == (85, "hospitality", w.board)

    # --- the year's confirmation ----------------------------------------------------------
    page.get_by_role("button", name="Confirm my entries are complete").click()
    success(page, "you have confirmed your entries are complete for this year")
    expect(page.get_by_text(re.compile("You confirmed your entries were complete"))).to_be_visible()
    assert_accessible(page)
    assert RegisterConfirmation.objects.filter(person=w.member, nil_return=False).exists()
    sign_out(page)

    # --- the chair rules ------------------------------------------------------------------
    sign_in(page, "chair@example.org", PASSWORD)
    # The chair is told in the app that a declaration awaits their ruling.
    assert_accessible(page)
    page.get_by_role("link", name="Board", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Board")
    page.get_by_role("link", name="Register of interests").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register of interests")
    row = page.get_by_role("row", name=re.compile("Testshire Business Forum"))
    expect(row).to_contain_text("Awaiting ruling")
    # The chair sees the withheld entry too, marked as such.
    expect(page.get_by_role("row", name=re.compile(SECRET_PROJECT))).to_contain_text(
        "Withheld from the public"
    )
    assert_accessible(page)
    row.get_by_role("link", name="Rule on Member's interest in Testshire Business Forum").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rule on Member's interest")
    assert_accessible(page)
    outcome = page.get_by_role("group", name="Ruling")
    outcome.get_by_label("Restricted from named items or projects").check()
    page.get_by_label("Reason for the ruling").fill(REASON)
    page.get_by_role("button", name="Record the ruling").click()
    expect(page.locator("#id_restrictions-error")).to_contain_text(
        "Name the items or projects the member takes no part in"
    )
    expect(page.locator(".govuk-error-summary")).to_contain_text("Name the items or projects")
    expect(outcome.get_by_label("Restricted from named items or projects")).to_be_checked()
    expect(page.get_by_label("Reason for the ruling")).to_have_value(REASON)
    assert_accessible(page)
    page.get_by_label("Items or projects the member takes no part in").fill(RESTRICTIONS)
    page.get_by_role("button", name="Record the ruling").click()
    success(page, "Ruling recorded. Member has been told.")
    expect(row).to_contain_text(f"Restricted from named items or projects: {RESTRICTIONS}")
    assert_accessible(page)
    ruling = Ruling.objects.get(declaration=declaration)
    assert (ruling.outcome, ruling.acting_as, ruling.body) == ("restricted", "Chair", w.board)

    page.get_by_role("link", name="Gifts and hospitality register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gifts and hospitality register")
    gift_row = page.get_by_role("row", name=re.compile(HOSPITALITY))
    expect(gift_row).to_contain_text("£85.00")
    expect(gift_row).to_contain_text("Over £50.00")
    assert_accessible(page)

    # The meeting's item about the Business Forum names the member's registered interest.
    page.goto(meeting.get_absolute_url())
    expect(page.locator(".govuk-warning-text", has_text="Registered interests")).to_contain_text(
        "Member: financial interest in Testshire Business Forum (ruling: restricted"
    )
    assert_accessible(page)
    sign_out(page)

    # --- the public sees the published registers, without the withheld entry -----------
    page.goto(w.board.get_absolute_url())
    page.get_by_role("link", name="Register of interests").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register of interests")
    public_row = page.get_by_role("row", name=re.compile("Testshire Business Forum"))
    expect(public_row).to_contain_text(INTEREST)
    expect(public_row).to_contain_text(RESTRICTIONS)
    expect(page.get_by_role("heading", name="Entries withheld")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Personal safety")).to_be_visible()
    html = page.content()
    for secret in (SECRET_PROJECT, "MARIGOLD", "manages the refuge"):
        assert secret not in html, secret
    expect(page.get_by_role("link", name=re.compile("^Rule"))).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("link", name="Gifts and hospitality register").click()
    public_gift = page.get_by_role("row", name=re.compile(HOSPITALITY))
    expect(public_gift).to_contain_text("£85.00")
    expect(public_gift).not_to_contain_text("Over £")
    assert_accessible(page)

    # --- the co-ordinator downloads the register of interests --------------------------
    sign_in(page, "coordinator@example.org", PASSWORD)
    page.goto(w.board.get_absolute_url())
    page.get_by_role("link", name="Register of interests").click()
    page.get_by_role("link", name="Download the registers (CSV or PDF)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Download the registers")
    assert_accessible(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download").click()
    download = info.value
    assert download.suggested_filename.startswith("board-interests-")
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig") as f:
        rows = list(csv.reader(io.StringIO(f.read())))
    assert rows[0][:4] == ["Member", "Type", "Held by", "Concerns"]
    by_concern = {row[3]: row for row in rows[1:]}
    assert by_concern["Testshire Business Forum"][8] == (
        f"Restricted from named items or projects: {RESTRICTIONS}"
    )
    # The co-ordinators' export holds the withheld entry, with its reason.
    assert by_concern[SECRET_PROJECT][9] == "Personal safety"
    assert by_concern[SECRET_PROJECT][8] == "Awaiting ruling"


def test_a_member_disputes_a_ruling_updates_and_ends_the_interest_and_the_lead_settles(
    page, live_world
):

    w = live_world
    today = timezone.localdate()
    appoint_governance_lead(w)
    declaration = gs.declaration_create(
        actor=w.member,
        partnership=w.partnership,
        person=w.member,
        kind="business",
        holder="self",
        organisation=w.business,
        description="I consult for members of the Business Forum.",
        starts_on=w.start,
    )
    gs.ruling_make(
        actor=w.chair,
        declaration=declaration,
        body=w.board,
        outcome="disbarred",
        reason="The consultancy depends on the Board's contracts.",
    )

    # --- the member disputes the ruling ---------------------------------------------------
    sign_in(page, "member@example.org", PASSWORD)
    page.goto(f"/p/{w.partnership.slug}/registers/mine/")
    expect(page.get_by_role("row", name=re.compile("Testshire Business Forum"))).to_contain_text(
        "Board: Disbarred from the body"
    )
    assert_accessible(page)
    page.get_by_role("link", name="Business: Testshire Business Forum").click()
    expect(page.get_by_role("heading", name=re.compile("Board: Disbarred"))).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Dispute this ruling of the Board").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dispute a ruling")
    assert_accessible(page)
    page.get_by_role("button", name="Send the dispute").click()
    expect(page.locator("#id_dispute_reason-error")).to_contain_text(
        "Say why you dispute the ruling"
    )
    assert_accessible(page)
    page.get_by_label("Why do you dispute the ruling?").fill("I consult for none of the bidders.")
    page.get_by_role("button", name="Send the dispute").click()
    success(page, "Dispute sent to the governance lead.")
    expect(page.get_by_text("Disputed: awaiting the governance lead")).to_be_visible()
    assert_accessible(page)

    # --- circumstances change, then the interest ends --------------------------------------
    page.get_by_role("link", name="Update: circumstances changed").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Update an interest")
    expect(page.get_by_label("Describe the interest")).to_have_value(
        "I consult for members of the Business Forum."
    )
    assert_accessible(page)
    page.get_by_role("button", name="Save the new version").click()
    expect(page.locator("#id_change_note-error")).to_contain_text("Say what changed")
    assert_accessible(page)
    page.get_by_label("What changed?").fill("I now consult for one member only.")
    page.get_by_label("Describe the interest").fill("I consult for one member of the Forum.")
    page.get_by_role("button", name="Save the new version").click()
    success(page, "Interest updated. The earlier version is kept.")
    expect(page.get_by_role("heading", name="Versions")).to_be_visible()
    expect(page.get_by_text("No body has ruled on this version yet.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="End this interest").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("End an interest")
    assert_accessible(page)
    tomorrow = today + timedelta(days=1)
    fill_date(page, "Date it ended", tomorrow.day, tomorrow.month, tomorrow.year)
    page.get_by_role("button", name="End the interest").click()
    expect(page.locator("#id_ended_on-error")).to_contain_text("must be today or in the past")
    expect(page.get_by_role("group", name="Date it ended").get_by_label("Day")).to_have_value(
        str(tomorrow.day)
    )
    assert_accessible(page)
    fill_date(page, "Date it ended", today.day, today.month, today.year)
    page.get_by_label("Why did it end? (optional)").fill("The contract finished.")
    page.get_by_role("button", name="End the interest").click()
    success(page, "Interest ended. It stays in the register as ended.")
    expect(page.locator(".govuk-inset-text")).to_contain_text("The contract finished.")
    assert_accessible(page)
    sign_out(page)

    # --- the governance lead settles the dispute -----------------------------------------
    sign_in(page, "governance_lead@example.org", PASSWORD)
    page.goto(f"/p/{w.partnership.slug}/registers/")
    assert_accessible(page)
    page.get_by_role("link", name="Register settings").click()
    expect(page.get_by_label("Value that draws the chair's attention")).to_have_value("50.00")
    assert_accessible(page)
    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("link", name="Disputed rulings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Disputed rulings")
    assert_accessible(page)
    page.get_by_role("link", name="Settle Member's dispute").click()
    expect(page.get_by_text("I consult for none of the bidders.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("group", name="Settlement").get_by_label("Change the ruling").check()
    page.get_by_label("Reason for the settlement").fill("The member bids for no contract.")
    page.get_by_role("button", name="Settle the dispute").click()
    expect(page.locator("#id_settled_outcome-error")).to_contain_text(
        "Select the outcome that replaces the ruling"
    )
    expect(page.get_by_label("Reason for the settlement")).to_have_value(
        "The member bids for no contract."
    )
    assert_accessible(page)
    page.get_by_label("New ruling (if changed)").select_option(label="Noted: may take part")
    page.get_by_role("button", name="Settle the dispute").click()
    success(page, "Dispute settled. The member and the chair have been told.")
    expect(page.get_by_text("No ruling is in dispute.")).to_be_visible()
    assert_accessible(page)
    ruling = Ruling.objects.get(declaration=declaration)
    assert (ruling.status, ruling.final_outcome) == ("changed", "noted")
