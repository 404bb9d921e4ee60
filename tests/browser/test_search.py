"""Search in the browser: the public search from the header box, read the results, filter
them by type, find nothing, and get a date range wrong; a member finds their body's
confidential item, which the public did not. Every page and state is checked with axe-core."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD
from tests.governance.helpers import build_meetings

pytestmark = pytest.mark.browser


def fill_date(page, legend: str, day: int, month: int, year: int):
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day))
    group.get_by_label("Month").fill(str(month))
    group.get_by_label("Year").fill(str(year))


def test_the_public_search_filter_and_correct_a_date_and_a_member_finds_more(page, live_world):
    w = live_world
    build_meetings(w)  # indexed as it is saved: each service commits

    # --- from the header box on any page ----------------------------------------------------
    page.goto(w.board.get_absolute_url())
    page.get_by_label("Search this site").fill("board")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Search")
    expect(page.locator("#results")).to_contain_text("for “board”")
    expect(page.locator(".app-search-results mark").first).to_be_visible()
    assert_accessible(page)

    # --- a filter ------------------------------------------------------------------------------
    page.get_by_text("Filter by type, body or date").click()
    page.get_by_label("Type").select_option("Body")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("#results")).to_contain_text("1 result for “board”")
    expect(page.locator(".app-search-results")).to_contain_text("Body · Board")
    assert_accessible(page)

    # --- nothing found -------------------------------------------------------------------------
    page.get_by_label("Search for").fill("tender")
    page.get_by_label("Type").select_option("All types")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("#results")).to_have_text("No results for “tender”")
    assert_accessible(page)

    # --- a date range backwards ------------------------------------------------------------------
    page.get_by_label("Search for").fill("community safety")
    page.get_by_text("Filter by type, body or date").click()
    fill_date(page, "From", 1, 4, 2026)
    fill_date(page, "To", 1, 3, 2026)
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("must be the same as or after")
    expect(page.get_by_label("Search for")).to_have_value("community safety")
    assert_accessible(page)
    page.locator(".govuk-error-summary a").click()
    fill_date(page, "To", 1, 3, 2030)
    page.get_by_role("button", name="Search", exact=True).click()
    # Results, not the "No results" heading (which says "for …" too).
    expect(page.locator("#results")).to_contain_text(
        re.compile(r"\b[1-9]\d* results? for “community safety”")
    )
    expect(page.locator(".app-search-results li").first).to_be_visible()
    assert_accessible(page)

    # --- a member finds their body's confidential business ----------------------------------------
    sign_in(page, "member@example.org", PASSWORD, then=w.board.get_absolute_url())
    page.get_by_label("Search this site").fill("tender")
    page.keyboard.press("Enter")
    expect(page.locator(".app-search-results")).to_contain_text("Tender for youth services")
    assert_accessible(page)
