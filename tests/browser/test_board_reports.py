"""The Partnership Board's reports in the browser: the co-ordinator builds the six-monthly
report, adds it to a Partnership Board meeting (first without choosing one), and publishes
the approved annual report; the public reads the publications page. Every page and state is
checked with axe-core."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from partnership.periods import financial_year
from performance import services
from performance.models import Report, ReportKind, ReportStatus
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD
from tests.governance.helpers import schedule

pytestmark = pytest.mark.browser


def test_the_boards_reports_from_building_to_the_public(page, live_world, live_perf):
    w = live_world
    p = w.partnership.slug
    schedule(w, days=14)
    year = financial_year(timezone.localdate()) - 1
    annual = services.annual_build(actor=w.coordinator, partnership=w.partnership, year=year)
    Report.objects.filter(pk=annual.pk).update(
        status=ReportStatus.APPROVED, approved_by=w.chair, approved_at=timezone.now()
    )

    sign_in(page, "coordinator@example.org", PASSWORD)
    for kind in ("annual", "newsletter", "six-monthly"):
        page.goto(f"/p/{p}/performance/reports/new/{kind}/")
        assert_accessible(page)
    page.get_by_role("button", name="Build the six-monthly performance report").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("built")
    report = Report.objects.get(kind=ReportKind.SIX_MONTHLY)

    page.goto(f"/p/{p}/performance/reports/{report.pk}/meeting/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Add the report to a meeting")
    assert_accessible(page)
    page.get_by_role("button", name="Add to the agenda").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the meeting")
    assert_accessible(page)
    page.get_by_label("Meeting of the Board").check()
    page.get_by_role("button", name="Add to the agenda").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Added")
    page.goto(f"/p/{p}/performance/reports/{report.pk}/meeting/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Where this report is going")
    assert_accessible(page)

    page.goto(f"/p/{p}/performance/reports/{annual.pk}/publish/")
    assert_accessible(page)
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("published")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    page.goto(f"/p/{p}/performance/publications/")
    expect(page.get_by_role("link", name=annual.title)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=annual.title).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Annual report")
