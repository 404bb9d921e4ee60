"""A quarter's return in the browser: the lead types a red value and sees its rating at once,
submits it without commentary and is told what is missing, completes and submits it; the chair
sends it back with a reason; the lead corrects it and submits it again; the group's
co-ordinator signs it off. Every page and state visited, the form with errors and the live
rating panel included, is checked with axe-core."""

import re

import pytest
from playwright.sync_api import expect

from performance.models import Return, ReturnStatus
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


REASON = "The figure leaves out attempted burglaries: please include them."


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def success(page, text: str):
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(text)


def fill_date(page, legend: str, day, month, year):
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day))
    group.get_by_label("Month").fill(str(month))
    group.get_by_label("Year").fill(str(year))


def test_a_return_from_the_lead_to_sign_off(page, live_perf, live_world):
    w, perf = live_world, live_perf
    period = perf.period
    heading = f"Return for {period.long_label}"

    # --- the lead finds the return and types a red value -----------------------------------
    sign_in(page, "member@example.org", PASSWORD)
    expect(page.get_by_role("heading", name="Your returns")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Write your returns").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your returns")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("^SC01: Reported burglaries")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert_accessible(page)
    page.get_by_role("link", name="Delegate this return to a colleague").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delegate this return")
    expect(page.get_by_label("Colleague")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)

    panel = page.locator("#rating-panel")
    page.get_by_label("Actual value").fill("150")
    expect(panel).to_contain_text("Red")
    expect(panel).to_contain_text("Worsening")
    assert_accessible(page)
    page.get_by_label("Actual value").fill("lots")
    expect(panel).to_contain_text("Enter the value as a number")
    page.get_by_label("Actual value").fill("150")
    expect(panel).to_contain_text("Red")

    # --- submitted without commentary: every missing part named, nothing lost --------------
    page.get_by_role("button", name="Submit for sign-off").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter commentary: the value is red")
    expect(summary).to_contain_text("Enter the remedial action")
    expect(page.locator("#id_commentary-error")).to_contain_text("the value is red")
    expect(page.get_by_label("Actual value")).to_have_value("150")
    expect(panel).to_contain_text("Red")
    expect(page).to_have_title(re.compile("^Error: "))
    assert_accessible(page)

    page.get_by_label("Commentary").fill("A spate of break-ins in two wards over the summer.")
    page.get_by_label("Remedial action", exact=True).fill("Targeted patrols and door-step advice")
    by = period.ends_on.replace(day=1)
    fill_date(page, "Remedial action by", 28, by.month, by.year + 1)
    page.get_by_role("button", name="Submit for sign-off").click()
    success(page, f"SC01 {period.label} submitted for sign-off")
    status = page.locator(".govuk-summary-list").first
    expect(status).to_contain_text("Submitted for sign-off")
    assert_accessible(page)
    ret = Return.objects.get(indicator=perf.burglary, year=period.year, quarter=period.number)
    assert (ret.status, ret.rag, ret.value) == (ReturnStatus.SUBMITTED, "red", 150)
    sign_out(page)

    # --- the chair sends it back -----------------------------------------------------------
    sign_in(page, "chair@example.org", PASSWORD)
    expect(page.get_by_text("1 return awaits your sign-off")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Safer Group: 1 awaiting sign-off").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Returns for {period.long_label}")
    assert_accessible(page)
    awaiting = page.get_by_role("table", name=re.compile("awaiting sign-off"))
    awaiting.get_by_role("link", name=re.compile("^SC01")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert_accessible(page)
    page.get_by_role("link", name="Send back").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Send this return back to its lead")
    assert_accessible(page)
    page.get_by_role("button", name="Send back").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter what needs to change")
    assert_accessible(page)
    page.get_by_label("What needs to change?").fill(REASON)
    page.get_by_role("button", name="Send back").click()
    success(page, "Return sent back")
    assert_accessible(page)
    sign_out(page)

    # --- the lead corrects it --------------------------------------------------------------
    sign_in(page, "member@example.org", PASSWORD)
    page.get_by_role("link", name=f"Return sent back: SC01 {period.label}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.locator(".govuk-inset-text")).to_contain_text(REASON)
    expect(page.get_by_label("Actual value")).to_have_value("150")
    assert_accessible(page)
    page.get_by_label("Actual value").fill("95")
    expect(panel).to_contain_text("Green")
    assert_accessible(page)
    page.get_by_label("Commentary").fill(
        "Attempted burglaries included, as asked; fewer than feared."
    )
    page.get_by_role("button", name="Submit for sign-off").click()
    success(page, "submitted for sign-off")
    assert_accessible(page)
    sign_out(page)

    # --- the group's co-ordinator signs it off --------------------------------------------
    sign_in(page, "group_coordinator@example.org", PASSWORD)
    page.get_by_role("link", name="Safer Group: 1 awaiting sign-off").click()
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("^Sign off SC01")).click()
    success(page, f"SC01 {period.label} signed off")
    expect(page.get_by_text("No returns are awaiting sign-off")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("^SC01: Reported burglaries")).click()
    expect(page.locator(".govuk-summary-list").first).to_contain_text("Signed off")
    assert_accessible(page)
    page.get_by_role("link", name="Re-open for a correction").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Re-open this return for a correction"
    )
    assert_accessible(page)

    ret.refresh_from_db()
    assert (ret.status, ret.value, ret.rag) == (ReturnStatus.SIGNED_OFF, 95, "green")
    assert ret.signed_off_by == w.group_coordinator
