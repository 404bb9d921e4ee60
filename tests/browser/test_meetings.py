"""A Board meeting from scheduling to published minutes, in the browser: the co-ordinator builds
and publishes the agenda, a member reads the paper and sends apologies, the chair returns and
then approves the minutes, and the public sees only what is public. Every page visited, error
states included, is checked with axe-core."""

import re
import time as time_module
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from governance.models import Meeting
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD
from tests.governance.helpers import pdf_bytes

pytestmark = pytest.mark.browser

TITLE = "Extraordinary meeting on youth safety"
PUBLIC_ITEM = "Youth safety plan"
SECRET_ITEM = "Tender for youth services HUSHHUSH"
PUBLIC_MINUTE = "The Board approved the youth safety plan and the marigold scheme."
SECRET_MINUTE = "Bids from Kestrel Services were compared."


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def success(page, text: str):
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(text)


def start_time_today() -> time:
    """The meeting is held today, so that apologies can still be sent (before it starts) and
    attendance and minutes can already be recorded (from the day of the meeting), without any
    clock-moving. It starts two hours from now, or at 23:59 if that would be tomorrow: the
    member sends apologies well within a minute of the meeting being scheduled, so 23:59 is
    still ahead of them unless the test starts in the last few minutes of the day. Then it
    waits for the new day (at most four minutes, on a rare run) rather than skip."""
    now = timezone.localtime()
    if now.time() >= time(23, 56):
        tomorrow = datetime.combine(now.date() + timedelta(days=1), time(0, 0, 5))
        time_module.sleep((timezone.make_aware(tomorrow) - now).total_seconds())
        now = timezone.localtime()
    later = now + timedelta(hours=2)
    if later.date() != now.date():
        return time(23, 59)
    return time(later.hour, later.minute)


def test_a_board_meeting_from_scheduling_to_published_minutes(page, live_world):
    w = live_world
    starts = start_time_today()  # may wait for midnight, so the day is read after it
    today = timezone.localdate()

    # --- the co-ordinator schedules the meeting ------------------------------------------
    sign_in(page, "coordinator@example.org", PASSWORD)
    assert_accessible(page)
    page.get_by_role("link", name="Testshire Partnership").first.click()
    assert_accessible(page)
    page.get_by_role("link", name="Board", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Board")
    assert_accessible(page)
    page.get_by_role("link", name="Meetings, agendas, papers and minutes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Meetings")
    assert_accessible(page)
    page.get_by_role("link", name="Schedule a meeting").click()
    assert_accessible(page)

    date = page.get_by_role("group", name="Date")
    date.get_by_label("Day").fill(str(today.day))
    date.get_by_label("Month").fill(str(today.month))
    date.get_by_label("Year").fill(str(today.year))
    page.get_by_label("Start time").fill("25:99")
    page.get_by_label("Title (optional)").fill(TITLE)
    page.get_by_role("button", name="Schedule meeting").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Start time must be a time, like 14:30")
    expect(page.locator("#id_start_time-error")).to_contain_text("must be a time")
    expect(page.get_by_label("Start time")).to_have_value("25:99")
    expect(page.get_by_label("Title (optional)")).to_have_value(TITLE)
    expect(date.get_by_label("Day")).to_have_value(str(today.day))
    assert_accessible(page)
    # The venue is checked once the form itself is right: a real time, still no venue.
    page.get_by_label("Start time").fill(starts.strftime("%H:%M"))
    page.get_by_role("button", name="Schedule meeting").click()
    expect(summary).to_contain_text("Enter a venue or an online meeting link")
    expect(page.locator("#id_venue-error")).to_contain_text("Enter a venue")
    expect(page.get_by_label("Title (optional)")).to_have_value(TITLE)
    assert_accessible(page)
    page.get_by_label("Venue").fill("Council House, Committee Room 1\nTestshire TS1 1AA")
    page.get_by_role("button", name="Schedule meeting").click()
    success(page, "Meeting scheduled")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    assert_accessible(page)
    meeting = Meeting.objects.get(title=TITLE)
    assert (meeting.held_on, meeting.start_time) == (today, starts)
    meeting_url = meeting.get_absolute_url()

    # --- the agenda: a public item, a confidential one, and a paper ----------------------
    page.get_by_role("link", name="Add an item").click()
    assert_accessible(page)
    page.get_by_label("Title").fill(PUBLIC_ITEM)
    page.get_by_label("Presenter (optional)").fill("Martin Shaw, Testshire Council")
    page.get_by_role("radio", name="Decision required").check()
    page.get_by_role("textbox", name="Decision required").fill("To approve the plan")
    page.get_by_role("button", name="Add item").click()
    success(page, f"Item saved: {PUBLIC_ITEM}")

    page.get_by_role("link", name="Add an item").click()
    page.get_by_label("Title").fill(SECRET_ITEM)
    page.get_by_label("This item is confidential").check()
    page.get_by_label("Why is it confidential?").fill("Commercially sensitive")
    page.get_by_role("button", name="Add item").click()
    success(page, f"Item saved: {SECRET_ITEM}")
    assert_accessible(page)

    public_item = page.locator(".app-agenda__item", has_text=PUBLIC_ITEM)
    public_item.get_by_role("link", name=re.compile("^Add a paper")).click()
    assert_accessible(page)
    page.get_by_label("Title").fill("Draft youth safety plan")
    page.get_by_label("Who writes the paper?").select_option(label="Member")
    page.get_by_label("Main issues").fill("Youth offending is down by a fifth.")
    # A text file whose name says PDF is refused for what it is, keeping what was typed.
    upload = page.get_by_label("Upload the paper (optional)")
    upload.set_input_files(
        {"name": "plan.pdf", "mimeType": "application/pdf", "buffer": b"Just some notes\n"}
    )
    page.get_by_role("button", name="Add paper").click()
    expect(page.locator("#id_upload-error")).to_contain_text("whatever its name says")
    expect(page.locator(".govuk-error-summary")).to_contain_text("The selected file must be")
    expect(page.get_by_label("Title")).to_have_value("Draft youth safety plan")
    expect(page.get_by_label("Who writes the paper?")).to_have_value(str(w.member.pk))
    assert_accessible(page)
    upload.set_input_files(
        {"name": "plan.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    page.get_by_role("button", name="Add paper").click()
    success(page, "Paper saved: Draft youth safety plan")
    expect(page.get_by_text("Not yet circulated")).to_be_visible()

    # The item actions are the card's links, moving included; a move and back again.
    secret_card = page.locator(".app-agenda__item", has_text=SECRET_ITEM)
    expect(secret_card.locator(".govuk-summary-card__actions")).to_contain_text("Move up")
    secret_card.get_by_role("button", name=re.compile("^Move up")).click()
    expect(page.locator(".app-agenda__item").nth(4)).to_contain_text(SECRET_ITEM)
    assert_accessible(page)
    page.locator(".app-agenda__item", has_text=SECRET_ITEM).get_by_role(
        "button", name=re.compile("^Move down")
    ).click()
    expect(page.locator(".app-agenda__item").nth(4)).to_contain_text(PUBLIC_ITEM)

    # --- published, and the papers sent out ----------------------------------------------
    page.get_by_role("button", name="Publish agenda").click()
    success(page, "Agenda published. The public can now see it.")
    assert_accessible(page)
    page.get_by_role("button", name="Circulate papers").click()
    success(page, "1 paper sent to members by e-mail and in the app.")
    expect(page.get_by_text("Not yet circulated")).to_have_count(0)
    assert_accessible(page)
    # Cancelling is apart, on a page of its own that asks why: the co-ordinator backs out.
    page.get_by_role("link", name="Cancel this meeting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are you sure you want to cancel this meeting?"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Cancel the meeting").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why")
    assert_accessible(page)
    page.get_by_role("link", name="No, keep the meeting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    sign_out(page)

    # --- the member reads the paper and sends apologies ----------------------------------
    sign_in(page, "member@example.org", PASSWORD)
    assert_accessible(page)
    page.get_by_role("link", name="Your meetings and papers").click()
    expect(page.get_by_role("row", name=re.compile(TITLE))).to_contain_text("Expected")
    assert_accessible(page)
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    # A member sees the confidential item too.
    expect(page.get_by_role("heading", name=re.compile(SECRET_ITEM))).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Draft youth safety plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Draft youth safety plan")
    expect(page.get_by_text("Youth offending is down by a fifth.")).to_be_visible()
    paper_link = page.get_by_role("link", name=re.compile(r"Read the paper \(PDF"))
    assert_accessible(page)
    response = page.request.get(paper_link.get_attribute("href"))
    assert response.ok and response.body().startswith(b"%PDF-")
    page.get_by_role("link", name="Back to the meeting").click()
    page.get_by_role("link", name="Send your apologies").click()
    assert_accessible(page)
    expect(page.get_by_label("Substitute (optional)")).to_have_value("")
    page.get_by_role("button", name="Send apologies").click()
    success(page, "Your apologies were sent")
    expect(page.locator(".govuk-inset-text")).to_contain_text("You sent your apologies")
    assert_accessible(page)
    sign_out(page)

    # --- the co-ordinator records the meeting and drafts the minutes ---------------------
    sign_in(page, "coordinator@example.org", PASSWORD)
    page.goto(meeting_url)
    page.get_by_role("link", name="Record attendance").click()
    chair = page.get_by_role("group", name="Did Chair attend?")
    member = page.get_by_role("group", name="Did Member attend?")
    # The apologies sent in advance are filled in already.
    expect(member.get_by_label("Apologies")).to_be_checked()
    assert_accessible(page)
    chair.get_by_label("Present").check()
    page.get_by_role("button", name="Save attendance").click()
    success(page, "Attendance recorded.")
    attendance = page.get_by_role("table", name="Who attended")
    expect(attendance.get_by_role("row", name="Chair Present", exact=True)).to_be_visible()
    expect(attendance.get_by_role("row", name="Member Apologies", exact=True)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Add an action").click()
    assert_accessible(page)
    page.get_by_label("Action").fill("Share the plan with the youth council")
    page.get_by_label("Agenda item (optional)").select_option(label=f"5. {PUBLIC_ITEM}")
    page.get_by_label("Owner").select_option(label="Member")
    due = today + timedelta(days=28)
    due_group = page.get_by_role("group", name="Due date")
    due_group.get_by_label("Day").fill(str(due.day))
    due_group.get_by_label("Month").fill(str(due.month))
    due_group.get_by_label("Year").fill(str(due.year))
    page.get_by_role("button", name="Add action").click()
    success(page, "Action added.")
    expect(page.get_by_role("table", name="Actions agreed at the meeting")).to_contain_text(
        "Share the plan with the youth council"
    )
    assert_accessible(page)

    page.get_by_role("button", name="Start the minutes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Draft the minutes")
    assert_accessible(page)
    page.get_by_label(re.compile(f"Minute for item \\d+: {PUBLIC_ITEM}")).fill(
        "The Board discussed the plan."
    )
    page.get_by_label("Decision on item 5 (optional)").fill("Plan approved")
    page.get_by_label(re.compile(f"Minute for item \\d+: {SECRET_ITEM}")).fill(SECRET_MINUTE)
    page.get_by_role("button", name="Save and submit to the chair").click()
    success(page, "Minutes sent to the chair for approval.")
    assert_accessible(page)
    sign_out(page)

    # --- the chair returns the minutes ---------------------------------------------------
    sign_in(page, "chair@example.org", PASSWORD)
    # The chair is told in the app that the minutes await them.
    expect(page.locator("#messages + p + ul")).to_contain_text(TITLE)
    assert_accessible(page)
    page.get_by_role("link", name="Your meetings and papers").click()
    page.get_by_role("link", name=TITLE).click()
    assert_accessible(page)
    page.get_by_role("link", name="Review the minutes").click()
    expect(page.get_by_text(SECRET_MINUTE)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("No, return them with comments").check()
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#id_comments-error")).to_contain_text("Enter what needs to change")
    expect(page.get_by_label("No, return them with comments")).to_be_checked()
    assert_accessible(page)
    page.get_by_label("Comments", exact=True).fill("Please name the marigold scheme.")
    page.get_by_role("button", name="Submit").click()
    success(page, "Minutes returned to the co-ordinator with your comments.")
    assert_accessible(page)
    sign_out(page)

    # --- the co-ordinator corrects and resubmits -----------------------------------------
    sign_in(page, "coordinator@example.org", PASSWORD)
    page.goto(meeting_url)
    page.get_by_role("link", name="Edit the draft minutes").click()
    expect(page.locator(".govuk-inset-text")).to_contain_text("Please name the marigold scheme.")
    assert_accessible(page)
    page.get_by_label(re.compile(f"Minute for item \\d+: {PUBLIC_ITEM}")).fill(PUBLIC_MINUTE)
    page.get_by_role("button", name="Save and submit to the chair").click()
    success(page, "Minutes sent to the chair for approval.")
    sign_out(page)

    # --- the chair approves ----------------------------------------------------------------
    sign_in(page, "chair@example.org", PASSWORD)
    page.goto(meeting_url)
    page.get_by_role("link", name="Review the minutes").click()
    expect(page.get_by_text(PUBLIC_MINUTE)).to_be_visible()
    page.get_by_label("Yes, approve them").check()
    page.get_by_role("button", name="Submit").click()
    success(page, "Minutes approved and published.")
    expect(page.get_by_text(re.compile("^Approved by Chair on"))).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    # --- the public sees the public record, and nothing confidential ---------------------
    page.goto(meeting_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_text(PUBLIC_MINUTE)).to_be_visible()
    expect(page.get_by_text("Plan approved")).to_be_visible()
    expect(page.get_by_role("link", name="Draft youth safety plan")).to_be_visible()
    expect(page.get_by_text("1 confidential item is not shown.")).to_be_visible()
    html = page.content()
    for secret in (
        SECRET_ITEM,
        "HUSHHUSH",
        SECRET_MINUTE,
        "Kestrel",
        "Commercially sensitive",
        "youth council",
    ):
        assert secret not in html, secret
    assert_accessible(page)

    page.goto(f"/p/{w.partnership.slug}/meetings/")
    expect(page.get_by_role("table", name="Meetings coming up")).to_contain_text(TITLE)
    assert_accessible(page)
    page.get_by_role("link", name="Search agendas, papers and minutes").click()
    assert_accessible(page)
    page.get_by_label("Search for").fill("marigold")
    page.get_by_role("main").get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name=re.compile("1 result for"))).to_be_visible()
    expect(page.locator("main")).to_contain_text(TITLE)
    assert_accessible(page)
    page.get_by_label("Search for").fill("Kestrel")
    page.get_by_role("main").get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name=re.compile("No results for"))).to_be_visible()
    assert "HUSHHUSH" not in page.content()
    assert_accessible(page)
