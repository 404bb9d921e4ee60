"""The risk registers' summary in the browser: the public follows the publications page to the
published summary, and the Board's co-ordinator reads the six-monthly report's risk section.
Each page is checked with axe-core (the heat map of counts included)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from performance import services
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD
from tests.performance.test_reports_board import last_half
from tests.performance.test_risk_urls import make_risk

pytestmark = pytest.mark.browser


def test_the_public_reads_the_summary_and_the_board_its_report(page, live_world, live_perf):
    w = live_world
    p = w.partnership.slug
    make_risk(w, w.group, "G-OPEN", owner=w.member, organisation=w.council)
    make_risk(w, w.group, "G-CONF", owner=w.member, organisation=w.council, confidential=True)
    services.risk_appetite_set(actor=None, body=w.other, threshold=6)
    make_risk(w, w.other, "O-ESC", owner=w.other_member, organisation=w.charity, residual=(4, 4))
    services.risk_settings_update(actor=None, partnership=w.partnership, publish_summary=True)

    page.goto(reverse("performance:publication_list", kwargs={"partnership": p}))
    page.get_by_role("link", name="Risks: a summary of the registers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Risks: a summary of the registers")
    expect(page.get_by_role("table", name="Open risks by residual likelihood")).to_contain_text(
        "Very high"
    )
    expect(page.locator("main")).not_to_contain_text("G-CONF")
    assert_accessible(page)

    services.risk_settings_update(actor=None, partnership=w.partnership, publish_summary=False)
    half = last_half()
    report = services.six_monthly_build(
        actor=w.coordinator, partnership=w.partnership, year=half.year, half=half.number
    )
    sign_in(page, "coordinator@example.org", PASSWORD)
    page.goto(report.get_absolute_url())
    expect(page.get_by_role("heading", name="Risks", exact=True)).to_be_visible()
    expect(page.locator("main")).to_contain_text("The risk summary is for the board’s members")
    assert_accessible(page)
