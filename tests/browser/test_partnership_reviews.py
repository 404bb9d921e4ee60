"""A key partnership's review in the browser: its lead officer opens the review form, sends it
half filled in and sees each error by its field with what they typed kept, then records a review
that ends in "continue with changes" with an action, and lands on the review's page. The action's
owner marks it done there. Every page and state is checked with axe-core."""

from datetime import timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from performance.models import KeyPartnershipReview
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD
from tests.performance.test_partnership_reviews import make_key_partnership, record

pytestmark = pytest.mark.browser


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def fill_date(page, prefix: str, day) -> None:
    page.locator(f"#{prefix}_day").fill(str(day.day))
    page.locator(f"#{prefix}_month").fill(str(day.month))
    page.locator(f"#{prefix}_year").fill(str(day.year))


def test_the_lead_officer_records_a_review_that_ends_in_change(page, live_world, today):
    w = live_world
    kp = make_key_partnership(w, next_review_on=today + timedelta(days=20))
    form = reverse(
        "performance:key_partnership_review_create",
        kwargs={"partnership": w.partnership.slug, "pk": kp.pk},
    )

    sign_in(page, "member@example.org", PASSWORD)
    page.goto(form)
    expect(page.get_by_role("heading", level=1)).to_have_text("Review Leisure Trust")
    assert_accessible(page)

    # Half filled in: an answer, an exit with no words, and an action with no owner.
    page.get_by_label("Is it still needed?").fill("Yes: leisure is a priority of the plan.")
    page.get_by_label("Exit the partnership").check()
    page.locator("#id_actions-0-description").fill("Benchmark the fee")
    page.get_by_role("button", name="Record the review").click()
    expect(page).to_have_title("Error: Review Leisure Trust – Testshire Partnership")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the date of the review")
    expect(summary).to_contain_text("Say whether it is delivering its outcomes")
    expect(summary).to_contain_text("Say what the exit needs")
    expect(summary).to_contain_text("Action 1: Select who owns the action")
    expect(page.get_by_label("Is it still needed?")).to_have_value(
        "Yes: leisure is a priority of the plan."
    )
    expect(page.locator("#id_actions-0-description")).to_have_value("Benchmark the fee")
    assert_accessible(page)

    # Complete, continuing with changes.
    fill_date(page, "id_reviewed_on", today)
    page.get_by_label("Is it delivering its outcomes?").fill("Visits up 8% on the year.")
    page.get_by_label("Does it give value for money?").fill("Below the regional benchmark.")
    page.get_by_label("Are its governance and accountability effective?").fill(
        "The board meets twice a year."
    )
    page.get_by_label("Adequate").check()
    page.get_by_label("About the partners' strength and stability").fill("Reserves fell.")
    page.get_by_label("What are its risks?").fill("The pool's plant is old.")
    page.get_by_label("Continue with changes").check()
    page.get_by_label("What changes are needed?").fill("Add a clause on opening hours.")
    page.locator("#id_actions-0-owner").select_option(label="Chair")
    fill_date(page, "id_actions-0-due_on", today + timedelta(days=60))
    page.get_by_role("button", name="Record the review").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Review of Leisure Trust")
    expect(page.locator("#answers")).to_contain_text("Continue with changes")
    expect(page.locator("#answers")).to_contain_text("Add a clause on opening hours.")
    expect(page.locator("table").first).to_contain_text("Benchmark the fee")
    assert_accessible(page)
    review = KeyPartnershipReview.objects.get()
    assert review.outcome == "change"

    # The action's owner marks it done on the review's page.
    sign_out(page)
    sign_in(page, "chair@example.org", PASSWORD, then=review_url(w, review))
    page.get_by_role("button", name="Mark as done").click()
    expect(page.locator("table").first).to_contain_text(f"Done on {today:%-d %B %Y}")
    assert_accessible(page)


def test_an_exit_review_says_it_does_not_end_the_partnership(page, live_world, today):
    w = live_world
    kp = make_key_partnership(w, next_review_on=today + timedelta(days=20))
    review = record(w, kp, reviewed_on=today, outcome="exit", changes_needed="Give notice.")
    sign_in(page, "coordinator@example.org", PASSWORD, then=review_url(w, review))
    expect(page.locator(".govuk-warning-text")).to_contain_text("does not end it by itself")
    assert_accessible(page)


def review_url(w, review) -> str:
    return reverse(
        "performance:key_partnership_review",
        kwargs={"partnership": w.partnership.slug, "pk": review.pk},
    )
