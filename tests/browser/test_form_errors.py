"""The GOV.UK error pattern, in the browser, on three different forms: submitted empty, the
error summary takes the focus (govuk-frontend moves it there), each of its links moves the
focus to its field, and the page in error has no axe-core violations.

tests/test_form_errors.py checks the markup of every form; this checks that the links work
as a keyboard or screen-reader user meets them."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def submit_empty_and_follow_each_link(page, button: str) -> list[str]:
    """Submit the form as it stands; return the ids the error summary's links led to."""
    page.get_by_role("button", name=button, exact=True).click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    assert_accessible(page)
    links = summary.locator("a")
    targets = [links.nth(i).get_attribute("href")[1:] for i in range(links.count())]
    assert targets, "the summary links to no field"
    for i, target in enumerate(targets):
        links.nth(i).click()
        field = page.locator(f"#{target}")
        expect(field).to_be_focused()
        # The message by the field is in the group the link led to.
        group = page.locator(".govuk-form-group--error", has=field)
        expect(group.locator(".govuk-error-message").first).to_be_visible()
    return targets


def test_an_empty_meeting_form(page, live_world):
    sign_in(page, "coordinator@example.org", PASSWORD, then=None)
    page.goto(f"/p/{live_world.partnership.slug}/bodies/{live_world.board.slug}/meetings/new/")
    for box in page.locator("form[method=post] input.govuk-input").all():
        box.fill("")
    targets = submit_empty_and_follow_each_link(page, "Schedule meeting")
    # The date is a group of three boxes: its link leads to the day.
    assert "id_held_on_day" in targets


def test_an_empty_election_proposal(page, live_world):
    from tests.membership.elections_helpers import chair_election

    election = chair_election(live_world)
    sign_in(page, "chair@example.org", PASSWORD, then=None)
    page.goto(live_world.board.get_absolute_url() + f"elections/{election.pk}/")
    assert submit_empty_and_follow_each_link(page, "Propose") == ["id_person"]


def test_an_empty_risk_review(page, live_world, live_perf):
    from tests.performance.test_risk_urls import make_risk

    w = live_world
    risk = make_risk(w, w.group, "G-OPEN", owner=w.member, organisation=w.council)
    sign_in(page, "coordinator@example.org", PASSWORD, then=None)
    page.goto(f"/p/{w.partnership.slug}/performance/risks/{risk.pk}/review/")
    # A choice of radios: the link leads to the first of them, as GOV.UK asks.
    assert submit_empty_and_follow_each_link(page, "Record the review") == ["id_outcome_0"]
