"""The risk pages with the demo's registers loaded (51 risks across six bodies, a year of
reviews, two escalated, one accepted): what a co-ordinator, a risk owner and the Delivery
Board's chair each see, every page and state checked with axe-core, and the public kept out.
The demo is loaded through its commands, as ``make demo`` loads it."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from membership.management.commands.load_demo import PASSWORD
from performance.models import Risk
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser

SAFER = "safer-and-stronger-communities"
DELIVERY = "delivery-board"


def url(name: str, **kwargs) -> str:
    return reverse(f"performance:{name}", kwargs={"partnership": "demo", **kwargs})


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def visit(page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, (path, response and response.status)
    assert_accessible(page)


def submit_with_errors(page, button: str, error: str) -> None:
    page.get_by_role("button", name=button).click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(error)
    expect(page).to_have_title(re.compile("^Error: "))
    assert_accessible(page)


def test_the_demos_risk_pages_are_accessible_to_each_role(page):
    for command in ("load_demo", "load_demo_meetings", "load_demo_performance"):
        call_command(command, "--force", stdout=StringIO())
    call_command("load_demo_risks", "--force", stdout=StringIO())
    ids = dict(Risk.objects.values_list("code", "pk"))
    escalated, accepted, closed = ids["SSC-R1"], ids["HCO-R1"], ids["CYP-R9"]

    # --- the partnership's co-ordinator: every register, filtered, and the heat maps --------
    sign_in(page, "coordinator@mercia-vale.example", PASSWORD)
    visit(page, url("risk_list"))
    expect(page.locator("tbody tr")).to_have_count(49)
    visit(page, url("risk_list") + f"?status=all&band=high&body={SAFER}")
    visit(page, url("risk_list") + "?status=all&page=2")
    visit(page, url("body_risks", body=DELIVERY))
    row = page.locator("tr", has_text="SSC-R1")
    expect(row).to_contain_text("Escalated from Safer and Stronger Communities")
    expect(row).to_contain_text("Above appetite (16 > 12)")
    visit(page, url("body_risks", body="children-and-young-people") + "?status=closed")
    # Residual (with where risks were last quarter), inherent and target.
    visit(page, url("risk_heat_map"))
    expect(page.get_by_text(re.compile(r"Was \d+ last quarter")).first).to_be_visible()
    visit(page, url("risk_heat_map") + "?basis=inherent")
    visit(page, url("risk_heat_map") + f"?basis=target&body={DELIVERY}")
    visit(page, url("risk", pk=escalated))
    expect(page.locator("main")).to_contain_text("Escalated to the Delivery Board")
    visit(page, url("risk", pk=accepted))
    expect(page.locator("main")).to_contain_text("Accepted by Martin Ashworth until")
    visit(page, url("risk", pk=closed))
    visit(page, url("risk_appetite", body=SAFER))
    visit(page, url("risk_create", body=SAFER))
    submit_with_errors(page, "Add the risk", "Select the category")
    sign_out(page)

    # --- the owner of the escalated risk reviews it: the form and its errors ---------------
    sign_in(page, "rachel.dunmore@mercia-vale.example", PASSWORD)
    page.goto(url("risk", pk=escalated))
    page.get_by_role("link", name="Review the risk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review risk SSC-R1")
    assert_accessible(page)
    submit_with_errors(page, "Record the review", "Select whether the risk changed this quarter")
    sign_out(page)

    # --- the Delivery Board's chair: the Board's register, and the accept form --------------
    sign_in(page, "martin.ashworth@mercia-vale.example", PASSWORD)
    visit(page, url("body_risks", body=DELIVERY))
    # The two escalated to it, and the one he accepted (which stays while that stands).
    expect(page.locator("tr", has_text="Above appetite")).to_have_count(3)
    expect(page.locator("tr", has_text="accepted above appetite")).to_have_count(1)
    visit(page, url("risk", pk=ids["CYP-R1"]))
    page.get_by_role("link", name="Accept above appetite").click()
    assert_accessible(page)
    submit_with_errors(page, "Accept the risk", "Say why the risk is accepted above appetite")
    sign_out(page)

    # --- the public sees no risk: each page asks them to sign in ---------------------------
    for path in (url("risk_list"), url("risk", pk=escalated), url("risk_heat_map")):
        page.goto(path)
        expect(page).to_have_url(re.compile("/accounts/sign-in/"))
    assert_accessible(page)
