"""Rules of office in the browser (issue 16): the co-ordinator records a meeting the chair and
the deputy both missed, is asked which member present the members chose as acting chair
(first choosing someone absent: the error by the field), and the acting chair then approves
the minutes from their tasks; and a seat on the Board is defined as held by the chair of the
Safer Group (first without the body: the error state). Every page and state is checked with
axe-core."""

import re

import pytest
from playwright.sync_api import expect

from governance import services as gs
from membership import services as ms
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD
from tests.factories import UserFactory
from tests.governance.helpers import schedule

pytestmark = pytest.mark.browser


def test_an_acting_chair_is_recorded_and_approves_the_minutes(page, live_world):
    w = live_world
    seat = ms.seat_create(actor=None, body=w.board, name="Partners", count=4)
    deputy = UserFactory(full_name="Dee Deputy", email="deputy@example.org")
    ms.membership_create(
        actor=None,
        body=w.board,
        seat=seat,
        person=deputy,
        role="deputy_chair",
        organisation=w.council,
        starts_on=w.start,
    )
    meeting = schedule(w, days=-1)
    item = gs.item_add(actor=w.coordinator, meeting=meeting, title="Budget")
    gs.meeting_publish(actor=w.coordinator, meeting=meeting)

    # --- the co-ordinator records the attendance ----------------------------------------
    sign_in(page, "coordinator@example.org", PASSWORD, then=meeting.get_absolute_url())
    page.get_by_role("link", name="Record attendance").click()
    expect(page.get_by_label("Acting chair")).to_have_count(0)
    assert_accessible(page)
    for name, status in (
        ("Chair", "Apologies"),
        ("Dee Deputy", "Absent"),
        ("Member", "Present"),
    ):
        page.get_by_role("group", name=f"Did {name} attend?").get_by_label(status).check()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "record the acting chair the members chose"
    )
    # Chosen someone not present: refused, by the field.
    page.get_by_role("group", name="Did Member attend?").get_by_label("Absent").check()
    page.get_by_label("Acting chair").select_option(label="Member")
    page.get_by_role("button", name="Save attendance").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Member must be recorded present to chair the meeting"
    )
    assert_accessible(page)
    page.get_by_role("group", name="Did Member attend?").get_by_label("Present").check()
    page.get_by_label("Acting chair").select_option(label="Member")
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_role("table", name="Who attended")).to_contain_text(
        "Member (acting chair, chosen at the meeting)"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    minutes = gs.minutes_start(actor=w.coordinator, meeting=meeting)
    gs.minutes_save(actor=w.coordinator, minutes=minutes, entries={item.pk: ("Agreed.", "")})
    gs.minutes_submit(actor=w.coordinator, minutes=minutes)

    # --- the acting chair, from their tasks --------------------------------------------
    sign_in(page, "member@example.org", PASSWORD, then=None)
    expect(page.get_by_role("heading", name="Minutes to approve")).to_be_visible()
    page.get_by_role("link", name=re.compile("Minutes of Board")).click()
    page.get_by_role("link", name="Review the minutes").click()
    expect(page.locator("main")).to_contain_text("acting chair (chosen at the meeting)")
    assert_accessible(page)
    page.get_by_label("Yes, approve them").check()
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#acting-chair")).to_have_text(
        "Chair: Member (acting chair, chosen at the meeting)"
    )
    expect(page.locator("main")).to_contain_text("Approved by Member")
    assert_accessible(page)


def test_a_seat_held_by_the_chair_of_a_group(page, live_world):
    w = live_world
    ms.membership_create(
        actor=None,
        body=w.group,
        seat=w.group_seat,
        person=w.other_member,
        role="chair",
        organisation=w.charity,
        starts_on=w.start,
    )
    sign_in(page, "coordinator@example.org", PASSWORD, then=w.board.get_absolute_url())
    page.get_by_role("link", name="Add a seat").click()
    page.get_by_label("Name of the membership category").fill("Thematic lead: Safer Group")
    page.get_by_label("Number of places").fill("1")
    page.get_by_label("Yes, voting members").check()
    page.get_by_label("Held by virtue of an office (optional)").select_option(
        label="Held by the chair"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Add seat").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select the body whose office holds the seat"
    )
    expect(page.get_by_label("Name of the membership category")).to_have_value(
        "Thematic lead: Safer Group"
    )
    assert_accessible(page)
    page.get_by_label("Of which body").select_option(label="Safer Group")
    page.get_by_role("button", name="Add seat").click()
    expect(page.locator("#seats ~ table").first).to_contain_text(
        "Held by the chair of the Safer Group"
    )
    expect(page.locator("main")).to_contain_text("Other Member")
    assert_accessible(page)
