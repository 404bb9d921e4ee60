"""The twice-yearly key partnerships report in the browser: the co-ordinator builds it (a review
that ended in "change" shows under changes and partner strength) and submits it to the
governance lead, who first forgets to choose, then approves it; the register's PDF page. Every
page and state is checked with axe-core."""

import pytest
from playwright.sync_api import expect

from performance.models import Report, ReportKind, ReportStatus
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD, appoint_governance_lead
from tests.governance.helpers import schedule
from tests.performance.test_reports_key_partnerships import key_partnership, review

pytestmark = pytest.mark.browser


def success(page, text: str):
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(text)


def test_the_key_partnerships_report_from_building_to_the_governance_leads_approval(
    page, live_world, live_perf
):
    w = live_world
    p = w.partnership.slug
    appoint_governance_lead(w)
    schedule(w, days=14)
    safety = key_partnership(w, "Community Safety Partnership")
    safety.indicators.add(live_perf.burglary)
    review(
        safety,
        by=w.coordinator,
        outcome="change",
        strength="concerns",
        changes="Bring the youth offending work into the partnership.",
    )
    key_partnership(w, "Health and Wellbeing Board", reports_to_executive=True)

    sign_in(page, "coordinator@example.org", PASSWORD)
    page.goto(f"/p/{p}/performance/key-partnerships/pdf/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "The key partnerships register as a PDF"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Download the register as PDF").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("PDF")
    assert_accessible(page)

    page.goto(f"/p/{p}/performance/reports/")
    page.get_by_role("link", name="Build the key partnerships report").click()
    assert_accessible(page)
    page.get_by_role("button", name="Build the key partnerships report").click()
    success(page, "built")
    report = Report.objects.get(kind=ReportKind.KEY_PARTNERSHIPS)
    changes = page.locator("#changes ~ table").first
    expect(changes).to_contain_text("Continue with changes")
    expect(page.locator(".app-report-key-partnership").first).to_contain_text("Concerns")
    assert_accessible(page)

    page.goto(f"/p/{p}/performance/reports/{report.pk}/meeting/")
    expect(page.locator("main")).to_contain_text("The governance lead approves this report")
    assert_accessible(page)
    page.goto(f"/p/{p}/performance/reports/{report.pk}/")
    page.get_by_role("link", name="Submit to the governance lead").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Submit the report to the governance lead"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Submit to the governance lead").click()
    success(page, "sent to the governance lead")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()

    sign_in(page, "governance_lead@example.org", PASSWORD)
    page.get_by_role("link", name=report.title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review the report")
    expect(page.locator("main")).to_contain_text("as governance lead")
    assert_accessible(page)
    page.get_by_role("button", name="Submit your decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select whether you approve")
    assert_accessible(page)
    page.get_by_label("Yes, approve it").check()
    page.get_by_role("button", name="Submit your decision").click()
    success(page, "Report approved")
    assert_accessible(page)
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    assert report.reviews.get().acting_as == "Governance lead"
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()

    sign_in(
        page, "coordinator@example.org", PASSWORD, then=f"/p/{p}/performance/reports/{report.pk}/"
    )
    page.get_by_role("link", name="Add to a meeting").click()
    assert_accessible(page)
    page.get_by_label("Meeting of the Board").check()
    page.get_by_role("button", name="Add to the agenda").click()
    success(page, "Added")
    report.refresh_from_db()
    assert report.agenda_item.confidential is True
