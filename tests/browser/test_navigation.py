"""The navigation and the footer's pages in the browser, each checked with axe-core: the public
find the meetings and search from the home page; a member keeps the navigation on their
account page; the governance lead edits the contact page through the error pattern."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD, appoint_governance_lead

pytestmark = pytest.mark.browser


def test_the_public_find_meetings_search_and_the_footer_pages(page, live_world):
    page.goto("/")
    nav = page.get_by_role("navigation", name="Menu")
    nav.get_by_role("link", name="Meetings").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Search this site").fill("budget")
    page.get_by_role("search").get_by_role("button", name="Search").click()
    page.wait_for_url("**/p/testshire/search/?q=budget")
    assert_accessible(page)
    for label in ["Accessibility statement", "Privacy", "Cookies", "Contact"]:
        page.get_by_role("contentinfo").get_by_role("link", name=label).click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(page)


def test_a_member_keeps_the_navigation_on_their_account_page(page, live_world):
    sign_in(page, "member@example.org", PASSWORD)
    page.goto(reverse("account:home"))
    menu = page.get_by_role("navigation", name="Menu")
    expect(menu.get_by_role("link", name="Registers")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert_accessible(page)


def test_the_governance_lead_edits_the_contact_page(page, live_world):
    appoint_governance_lead(live_world)
    sign_in(page, "governance_lead@example.org", PASSWORD)
    page.goto(reverse("partnership:page", kwargs={"partnership": "testshire", "kind": "contact"}))
    page.get_by_role("link", name="Edit this page").click()
    page.get_by_label("Text").fill("")
    page.get_by_role("button", name="Save page").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter text")
    assert_accessible(page)
    summary.get_by_role("link", name="Enter text").click()
    expect(page.get_by_label("Text")).to_be_focused()
    page.get_by_label("Text").fill("Write to us at the Town Hall.")
    page.get_by_role("button", name="Save page").click()
    expect(page.locator("main")).to_contain_text("Write to us at the Town Hall.")
    assert_accessible(page)
