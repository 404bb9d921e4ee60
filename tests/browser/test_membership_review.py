"""The annual membership review in the browser: the co-ordinator reaches the Board's reviews from
its page and opens this year's (the error state first: a due date in the past); the chair
records the member's outcome (the error state first: "end" with no date) but not their own,
which the co-ordinator records (the Board has no deputy chair); the member reads their sheet.
Every page and state is checked with axe-core."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from membership.models import Membership, MembershipReview
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def fill_date(page, legend: str, when):
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(when.day))
    group.get_by_label("Month").fill(str(when.month))
    group.get_by_label("Year").fill(str(when.year))


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def test_a_coordinator_opens_the_review_and_the_chair_records_outcomes(page, live_world, today):
    w = live_world

    # --- the co-ordinator opens this year's review ----------------------------------------
    sign_in(page, "coordinator@example.org", PASSWORD, then=w.board.get_absolute_url())
    page.get_by_role("link", name=re.compile("^Membership reviews")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Membership reviews")
    assert_accessible(page)
    page.get_by_role("link", name="Open this year's review").click()
    assert_accessible(page)
    fill_date(page, "Outcomes due by", today - timedelta(days=1))
    page.get_by_role("button", name="Open the review").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("must be in the future")
    assert_accessible(page)
    fill_date(page, "Outcomes due by", today + timedelta(days=30))
    page.get_by_role("button", name="Open the review").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("is open")
    expect(page.locator("table").first).to_contain_text("Member")
    assert_accessible(page)
    sign_out(page)

    # --- the chair records outcomes ---------------------------------------------------------
    review = MembershipReview.objects.get()
    sign_in(page, "chair@example.org", PASSWORD, then=review.body.get_absolute_url())
    page.get_by_role("link", name=re.compile("^Membership reviews")).click()
    page.get_by_role("link", name=re.compile(" review$")).click()
    assert_accessible(page)
    page.get_by_role("link", name="Record the outcome for Member").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Member")
    assert_accessible(page)
    page.get_by_label("End the membership", exact=True).check()
    page.get_by_label("Note").fill("Not the right person for the seat now.")
    page.get_by_role("button", name="Record the outcome").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the date the membership ends"
    )
    expect(page.get_by_label("Note")).to_have_value("Not the right person for the seat now.")
    assert_accessible(page)
    fill_date(page, "Date the membership ends", today + timedelta(days=14))
    page.get_by_role("button", name="Record the outcome").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Member")
    expect(page.locator("table").first).to_contain_text("End the membership")
    assert_accessible(page)
    # Nobody decides their own sheet: with no deputy chair, the co-ordinators decide the chair's.
    expect(page.get_by_role("link", name="Record the outcome for Chair")).to_have_count(0)
    page.get_by_role("link", name="Chair", exact=True).click()
    expect(page.locator("main")).to_contain_text("co-ordinators record it")
    assert_accessible(page)
    sign_out(page)

    # --- the co-ordinator records the chair's outcome -----------------------------------------
    sign_in(page, "coordinator@example.org", PASSWORD, then=review.body.get_absolute_url())
    page.get_by_role("link", name=re.compile("^Membership reviews")).click()
    page.get_by_role("link", name=re.compile(" review$")).click()
    page.get_by_role("link", name="Record the outcome for Chair").click()
    page.get_by_label("Continue", exact=True).check()
    page.get_by_role("button", name="Record the outcome").click()
    expect(page.locator("main")).to_contain_text("Complete")
    assert_accessible(page)
    sign_out(page)
    membership = Membership.objects.get(pk=w.member_membership.pk)
    assert membership.ends_on == today + timedelta(days=14)

    # --- the member reads their own sheet ----------------------------------------------------
    sheet = review.sheets.get(membership=membership)
    sign_in(
        page,
        "member@example.org",
        PASSWORD,
        then=reverse(
            "membership:review_sheet",
            kwargs={
                "partnership": w.partnership.slug,
                "body": w.board.slug,
                "pk": review.pk,
                "sheet": sheet.pk,
            },
        ),
    )
    expect(page.locator("main")).to_contain_text("Not the right person for the seat now.")
    assert_accessible(page)
