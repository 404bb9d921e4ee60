"""Whole journeys in a real browser, each page checked with axe-core as it is reached."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from membership.models import Membership, Seat
from partnership.models import Body
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def fill_date(page, legend: str, day: int, month: int, year: int) -> None:
    group = page.get_by_role("group", name=re.compile(legend))
    group.get_by_label("Day").fill(str(day))
    group.get_by_label("Month").fill(str(month))
    group.get_by_label("Year").fill(str(year))


def test_coordinator_sets_up_a_body_its_seats_and_members(page, live_world):
    w = live_world
    sign_in(page, "coordinator@example.org", PASSWORD)
    assert_accessible(page)

    # The account page leads a co-ordinator to what they co-ordinate.
    page.get_by_role("main").get_by_role("link", name="Testshire Partnership").click()
    expect(page.get_by_role("heading", name="Structure")).to_be_visible()
    assert_accessible(page)

    # A task-and-finish group without its end date is refused, keeping what was typed.
    page.get_by_role("link", name="Add a body").click()
    assert_accessible(page)
    page.get_by_label("Name").fill("Night-time Economy Task and Finish Group")
    page.get_by_label("Type of body").select_option(label="Task-and-finish group")
    page.get_by_label("Reports to").select_option(label="Safer Group")
    page.get_by_label("Remit").fill("Make the town centre safe at night.")
    page.get_by_role("button", name="Add body").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the date the task-and-finish group will end"
    )
    expect(page.get_by_label("Name")).to_have_value("Night-time Economy Task and Finish Group")
    expect(page.get_by_label("Remit")).to_have_value("Make the town centre safe at night.")
    assert_accessible(page)
    # The error summary links to the field.
    page.locator(".govuk-error-summary a").first.click()
    expect(page.locator("#id_ends_on_day")).to_be_focused()
    fill_date(page, "Planned end date", 31, 3, 2027)
    page.get_by_role("button", name="Add body").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Night-time Economy Task and Finish Group"
    )
    expect(page.get_by_text("Planned end date")).to_be_visible()
    assert_accessible(page)
    body = Body.objects.get(name="Night-time Economy Task and Finish Group")
    assert body.parent == w.group and body.kind == "task_and_finish"

    # A seat, then a member appointed to it; the sector warning tells what is missing.
    page.get_by_role("link", name="Add a seat").click()
    assert_accessible(page)
    page.get_by_label("Name of the membership category").fill("Business representatives")
    page.get_by_label("Number of places").fill("2")
    page.get_by_label("Sector (optional)").select_option(label="Private")
    page.get_by_label("Yes, voting members").check()
    page.get_by_role("button", name="Add seat").click()
    expect(page.get_by_text("2 vacant")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Appoint a member").click()
    assert_accessible(page)
    page.get_by_label("Seat").select_option(label="Business representatives (2 places)")
    page.get_by_label("Full name of someone new").fill("Tomasz Nowak")
    page.get_by_label("E-mail address of someone new").fill("tomasz@example.org")
    page.get_by_label("Organisation they represent").select_option(label="Testshire Business Forum")
    page.get_by_label("Role").select_option(label="Chair")
    started = date.today() - timedelta(days=10)
    fill_date(page, "Start date", started.day, started.month, started.year)
    page.get_by_role("button", name="Appoint").click()
    members = page.locator("#members ~ table").first
    expect(members).to_contain_text("Tomasz Nowak")
    expect(page.locator(".govuk-warning-text")).to_contain_text(
        "no public or voluntary, community and faith sector member"
    )
    expect(page.get_by_text("1 vacant")).to_be_visible()
    assert_accessible(page)

    # Re-parent the group; the change shows in its history.
    page.get_by_role("link", name="Edit body").click()
    assert_accessible(page)
    page.get_by_label("Reports to").select_option(label="Other Group")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#history + table")).to_contain_text(
        "Reports to: Safer Group → Other Group"
    )
    assert_accessible(page)

    # End the membership, then close the group.
    page.get_by_role("link", name=re.compile("Manage")).first.click()
    assert_accessible(page)
    page.get_by_role("link", name="End membership").click()
    assert_accessible(page)
    page.get_by_label("Reason (optional)").fill("Moved away")
    page.get_by_role("button", name="End membership").click()
    expect(page.locator("#past-members ~ table").first).to_contain_text("Moved away")
    assert_accessible(page)
    assert Membership.objects.get(person__email="tomasz@example.org").end_reason == "Moved away"

    page.get_by_role("link", name="Close body").click()
    assert_accessible(page)
    page.get_by_label("Why is it closing?").fill("Its task is complete.")
    page.get_by_role("button", name="Close body").click()
    expect(page.locator(".govuk-inset-text")).to_contain_text("Its task is complete.")
    assert_accessible(page)
    assert Seat.objects.filter(body=body).count() == 1


def test_coordinator_manages_organisations_and_coordinators(page, live_world):
    sign_in(page, "coordinator@example.org", PASSWORD)
    assert_accessible(page)
    page.goto(f"/p/{live_world.partnership.slug}/organisations/")
    assert_accessible(page)
    page.get_by_role("link", name="Add an organisation").click()
    assert_accessible(page)
    page.get_by_role("button", name="Add organisation").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter name")
    assert_accessible(page)
    page.get_by_label("Name").fill("Testshire Fire and Rescue Service")
    page.get_by_label("Public").check()
    page.get_by_label("This organisation is a statutory partner").check()
    page.get_by_role("button", name="Add organisation").click()
    expect(
        page.get_by_role("row", name=re.compile("Testshire Fire and Rescue Service"))
    ).to_contain_text("Yes")
    assert_accessible(page)

    page.goto(f"/p/{live_world.partnership.slug}/coordinators/")
    assert_accessible(page)
    page.get_by_label("E-mail address").fill("outsider@example.org")
    page.get_by_label("Body").select_option(label="Other Group")
    page.get_by_role("button", name="Appoint", exact=True).click()
    # Someone from outside the partnership is matched only with the name on their account.
    expect(page.locator("#id_full_name-error")).to_contain_text("another name")
    assert_accessible(page)
    page.get_by_label("Full name").fill("Outsider")
    page.get_by_role("button", name="Appoint", exact=True).click()
    expect(page.get_by_role("table", name="Appointments")).to_contain_text("Outsider")
    expect(page.locator("#history + table")).to_contain_text("Outsider: Created: Appointed")
    assert_accessible(page)


def test_member_sees_their_places_and_publishes_their_contact_details(page, live_world):
    sign_in(page, "member@example.org", PASSWORD)
    expect(page.locator("table")).to_contain_text("Board")
    assert_accessible(page)
    page.get_by_role("link", name="Change your contact details").click()
    assert_accessible(page)
    page.get_by_label("Telephone (optional)").fill("01632 960123")
    page.get_by_label("Show my e-mail address, telephone and postal address to the public").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your contact details have been saved.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    assert_accessible(page)

    page.goto(live_world.board.get_absolute_url())
    expect(page.locator("#members ~ table").first).to_contain_text("01632 960123")
    expect(page.locator("#members ~ table").first).not_to_contain_text("chair@example.org")
    assert_accessible(page)


def test_public_pages_are_accessible_and_show_no_private_detail(page, live_world):
    w = live_world
    for url in [
        "/",
        f"/p/{w.partnership.slug}/",
        w.board.get_absolute_url(),
        w.subgroup.get_absolute_url(),
        f"/p/{w.partnership.slug}/organisations/",
        "/accounts/sign-in/",
        "/accounts/password-reset/",
        "/no-such-page/",
    ]:
        page.goto(url)
        assert_accessible(page)
    page.goto(w.board.get_absolute_url())
    expect(page.get_by_text("Change history")).to_have_count(0)
    expect(page.get_by_role("link", name="Edit body")).to_have_count(0)


def test_a_member_of_another_body_is_refused_its_coordinator_pages(page, live_world):
    sign_in(page, "other_member@example.org", PASSWORD)
    assert_accessible(page)
    response = page.goto(live_world.board.get_absolute_url() + "seats/new/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You do not have permission to see this page"
    )
    assert_accessible(page)


def test_the_accessibility_check_does_catch_a_violation(page):
    """Guards the guard: a page with an unlabelled field must fail assert_accessible."""
    page.set_content('<html lang="en"><body><main><input type="text"></main></body></html>')
    with pytest.raises(AssertionError, match="label"):
        assert_accessible(page)
