"""The calendar ahead, in the browser: the public finds a scheduled Board meeting in the
calendar, marked "Agenda not yet published", and its page shows when and where it is and
nothing of its draft agenda; checked with axe-core."""

import pytest
from playwright.sync_api import expect

from governance import services as gs
from tests.browser.conftest import assert_accessible
from tests.governance.helpers import schedule

pytestmark = pytest.mark.browser


def test_the_public_plans_ahead_with_a_scheduled_meeting(page, live_world):
    w = live_world
    meeting = schedule(w, days=40, title="Board, summer")
    gs.item_add(actor=w.coordinator, meeting=meeting, title="Merger SECRETDRAFT")

    page.goto(f"/p/{w.partnership.slug}/meetings/")
    row = page.get_by_role("row").filter(has_text="Board, summer")
    expect(row).to_contain_text("Agenda not yet published")
    assert_accessible(page)
    row.get_by_role("link", name="Board, summer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Board, summer")
    expect(page.locator("#agenda-not-yet-published")).to_be_visible()
    expect(page.get_by_text("Council House, Committee Room 1")).to_be_visible()
    assert "SECRETDRAFT" not in page.content()
    assert_accessible(page)
