""" "Your tasks" in the browser: a member signs in and lands on the list of what they owe,
does each task from its link, comes back and sees the list shrink; someone with nothing to do
is told so. axe-core on the page, full and empty."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from governance import services as gs
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD, appoint_governance_lead
from tests.governance.helpers import schedule
from tests.membership.test_agreement import agree_and_issue, upload

pytestmark = pytest.mark.browser

TASK = "li.govuk-task-list__item"


def test_a_members_day_starts_with_their_tasks(page, live_world):
    w = live_world
    lead = appoint_governance_lead(w)
    agree_and_issue(w, lead, upload(w, lead))
    past = schedule(w, days=-14)
    gs.item_add(actor=w.coordinator, meeting=past, title="Matters arising")
    gs.meeting_publish(actor=w.coordinator, meeting=past)  # actions need a published agenda
    gs.action_add(
        actor=w.coordinator,
        meeting=past,
        description="Send the ward figures to the co-ordinator",
        owner=w.member,
        due_on=timezone.localdate() - timedelta(days=1),
    )

    # Signing in lands on "Your tasks": three things, the overdue action first.
    sign_in(page, w.member.email, PASSWORD, then=None)
    expect(page.get_by_role("heading", name="Your tasks", level=1)).to_be_visible()
    expect(page.locator(TASK)).to_have_count(3)
    expect(page.locator(TASK).first).to_contain_text("Send the ward figures")
    expect(page.locator(TASK).first).to_contain_text("Overdue")
    assert_accessible(page)

    # Confirm the register entries from the task's link, and come back: two left.
    page.get_by_role("link", name=re.compile("Confirm your register entries")).click()
    page.get_by_role("button", name="Confirm my entries are complete").click()
    expect(page.get_by_text("you have confirmed")).to_be_visible()
    page.goto("/account/")
    page.get_by_role("link", name="Your tasks").first.click()
    expect(page.locator(TASK)).to_have_count(2)
    expect(page.get_by_role("link", name=re.compile("Confirm your register"))).to_have_count(0)

    # Sign the agreement from its link: one left, the action.
    page.get_by_role("link", name=re.compile("Sign version 2026")).click()
    page.get_by_role("button", name="Sign version 2026").click()
    expect(page.get_by_role("heading", name="You have signed this version")).to_be_visible()
    page.goto("/account/tasks/")
    expect(page.locator(TASK)).to_have_count(1)
    expect(page.locator(TASK)).to_contain_text("Send the ward figures")
    assert_accessible(page)


def test_someone_with_nothing_to_do_is_told_so(page, live_world):
    sign_in(page, live_world.outsider.email, PASSWORD, then=None)
    expect(page.get_by_text("You have nothing to do")).to_be_visible()
    expect(page.locator(TASK)).to_have_count(0)
    assert_accessible(page)
