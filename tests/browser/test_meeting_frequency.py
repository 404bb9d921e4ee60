"""A body's frequency set on its edit form (the error state too), and the warning of a short
schedule on its page and meetings list: every state checked with axe-core."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_a_coordinator_sets_how_often_a_body_meets_and_sees_the_schedule_fall_short(
    page, live_world
):
    w = live_world
    sign_in(page, "coordinator@example.org", PASSWORD)
    page.goto(w.group.get_absolute_url())
    page.get_by_role("link", name="Edit body").click()
    field = page.get_by_label("Meets at least (times a year)")
    field.fill("60")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Meets at least (times a year)").fill("4")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Meets at least 4 times a year")).to_be_visible()
    expect(page.get_by_text("holds a year")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Meetings, agendas, papers and minutes").click()
    expect(page.get_by_text("holds a year")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="schedule 4 more").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
