"""The issue's journey, end to end as a real governance lead takes it: from the performance
dashboard to the key partnerships register, where an overdue review is flagged; the record's
page; the review form, with a review that ends in "continue with changes"; then the twice-yearly
report, built from the live data, shows that review under its changes and the partners'
strength. Every page on the way is checked with axe-core."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from performance.models import KeyPartnership, KeyPartnershipReview
from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.test_partnership_reviews import fill_date
from tests.conftest import PASSWORD, appoint_governance_lead
from tests.performance.test_reports_key_partnerships import key_partnership

pytestmark = pytest.mark.browser

CHANGES = "Bring the youth offending work into the partnership's remit."


def test_the_governance_lead_reviews_a_key_partnership_and_the_report_shows_the_change(
    page, live_world
):
    w = live_world
    today = timezone.localdate()
    lead = appoint_governance_lead(w)
    safety = key_partnership(
        w, "Community Safety Partnership", next_review_on=today - timedelta(days=10)
    )
    key_partnership(w, "Leisure Trust", next_review_on=today + timedelta(days=300))

    sign_in(
        page, "governance_lead@example.org", PASSWORD, then=f"/p/{w.partnership.slug}/performance/"
    )
    page.get_by_role("link", name="Key partnerships register").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Key partnerships")
    expect(page.locator("main")).to_contain_text("1 review overdue")
    assert_accessible(page)

    page.get_by_role("link", name="Community Safety Partnership").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Community Safety Partnership")
    expect(page.locator("main")).to_contain_text("Review overdue")
    assert_accessible(page)

    page.get_by_role("link", name="Record a review").click()
    assert_accessible(page)
    fill_date(page, "id_reviewed_on", today)
    page.get_by_label("Is it still needed?").fill("Yes: the law requires it.")
    page.get_by_label("Is it delivering its outcomes?").fill("Burglary is down, violence is not.")
    page.get_by_label("Does it give value for money?").fill("Yes, at its current cost.")
    page.get_by_label("Are its governance and accountability effective?").fill(
        "The board meets quarterly and reports to the Partnership Board."
    )
    page.get_by_label("Concerns").check()
    page.get_by_label("About the partners' strength and stability").fill(
        "The police restructure leaves its partners stretched."
    )
    page.get_by_label("What are its risks?").fill("Funding ends in 2028.")
    page.get_by_label("Continue with changes").check()
    page.get_by_label("What changes are needed?").fill(CHANGES)
    page.get_by_role("button", name="Record the review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Review of Community Safety Partnership"
    )
    assert_accessible(page)
    review = KeyPartnershipReview.objects.get(key_partnership=safety)
    assert review.outcome == "change" and review.reviewer == lead
    safety.refresh_from_db()
    assert safety.last_reviewed_on == today and safety.next_review_on > today

    # The register no longer flags it.
    page.goto(f"/p/{w.partnership.slug}/performance/key-partnerships/")
    expect(page.locator("main")).not_to_contain_text("review overdue")

    page.goto(f"/p/{w.partnership.slug}/performance/reports/")
    page.get_by_role("link", name="Build the key partnerships report").click()
    page.get_by_role("button", name="Build the key partnerships report").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("built")
    changes = page.locator("#changes ~ table").first
    expect(changes).to_contain_text("Community Safety Partnership")
    expect(changes).to_contain_text("Continue with changes")
    expect(page.locator("main")).to_contain_text(CHANGES)
    expect(page.locator(".app-report-key-partnership").first).to_contain_text("Concerns")
    assert_accessible(page)
    assert KeyPartnership.objects.filter(partnership=w.partnership).count() == 2
