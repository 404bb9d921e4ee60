"""A sub-group proposed to the Board, whose new sub-groups need its agreement: a member
proposes it (the error state first), the co-ordinator records its agreement at a Board meeting
and the new group exists under the Board. Every page and state checked with axe-core."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from partnership.models import Body
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD
from tests.governance.test_proposals import published

pytestmark = pytest.mark.browser


def test_a_sub_group_is_proposed_agreed_at_a_meeting_and_created(page, live_world):
    w = live_world
    w.board.sub_groups_need_approval = True
    w.board.save(update_fields=["sub_groups_need_approval"])
    published(w, days=-2, title="Board, spring")
    end = timezone.localdate() + timedelta(days=120)

    # --- a member of the Board proposes it ----------------------------------------------------
    sign_in(page, "member@example.org", PASSWORD)
    page.goto(w.board.get_absolute_url())
    assert_accessible(page)
    page.get_by_role("link", name="Propose a sub-group").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Propose a sub-group")
    assert_accessible(page)
    page.get_by_label("Name of the group").fill("Night Time Economy Task Group")
    page.get_by_label("Task-and-finish group").check()
    page.get_by_role("button", name="Propose the group").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    expect(page.get_by_label("Name of the group")).to_have_value("Night Time Economy Task Group")
    page.get_by_label("Remit").fill("Make the town centre safer at night")
    page.get_by_label("Proposed membership").fill("Police, licensing, the BID")
    page.get_by_label("Timescale").fill("Four months, reporting in the summer")
    ends = page.get_by_role("group", name="Planned end date")
    ends.get_by_label("Day").fill(str(end.day))
    ends.get_by_label("Month").fill(str(end.month))
    ends.get_by_label("Year").fill(str(end.year))
    page.get_by_role("button", name="Propose the group").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Night Time Economy Task Group")
    expect(page.locator(".govuk-tag").first).to_have_text("Proposed")
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()

    # --- the co-ordinator records the Board's agreement -----------------------------------------
    sign_in(page, "coordinator@example.org", PASSWORD)
    page.goto(w.board.get_absolute_url())
    page.get_by_role("link", name="Night Time Economy Task Group").click()
    assert_accessible(page)
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Agreed", exact=True).check()
    page.get_by_label("Meeting").select_option(label=f"Board, spring, {_day(-2)}")
    page.get_by_label("Note of the decision (optional)").fill("Agreed unanimously")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-inset-text")).to_contain_text("has been created")
    assert_accessible(page)
    page.get_by_role("link", name="the Night Time Economy Task Group").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Night Time Economy Task Group")
    assert_accessible(page)
    group = Body.objects.get(name="Night Time Economy Task Group")
    assert group.parent_id == w.board.pk and group.ends_on == end


def _day(days: int) -> str:
    day = timezone.localdate() + timedelta(days=days)
    return f"{day.day} {day:%B %Y}"
