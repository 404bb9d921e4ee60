"""A commissioning agreement in the browser: the Safer Group's co-ordinator adds one, first
with cost lines that do not add up (the error on the total, everything typed kept), then
right; the supervisor finds it on the list, flagged, reads its page and records the overdue
review (its errors first). Every page and state is checked with axe-core."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from performance.models import CommissioningAgreement
from performance.services.agreements import agreement_create
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD
from tests.performance.test_agreements import TEXTS

pytestmark = pytest.mark.browser


def _fill_date(page, name: str, day) -> None:
    page.locator(f"#id_{name}_day").fill(str(day.day))
    page.locator(f"#id_{name}_month").fill(str(day.month))
    page.locator(f"#id_{name}_year").fill(str(day.year))


def test_an_agreement_is_added_listed_and_reviewed(page, live_world, live_perf):
    w = live_world
    today = timezone.localdate()
    # One agreement already there, supervised by ``member``, with a review overdue.
    agreement_create(
        actor=w.group_coordinator,
        body=w.group,
        reference="SLA-OLD",
        provider=w.charity,
        supervisor=w.member,
        starts_on=today - timedelta(days=300),
        ends_on=today + timedelta(days=40),
        total_cost=Decimal("5000"),
        cost_lines=[{"description": "Everything", "amount": Decimal("5000")}],
        targets=[{"description": "Fewer burglaries", "indicator": live_perf.burglary}],
        review_dates=[today - timedelta(days=10)],
        **TEXTS,
    )
    list_url = reverse("performance:agreement_list", kwargs={"partnership": w.partnership.slug})

    # --- the co-ordinator adds one: the totals wrong first --------------------------------
    sign_in(page, "group_coordinator@example.org", PASSWORD)
    page.goto(list_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Commissioning agreements")
    assert_accessible(page)
    page.get_by_role("link", name="Add an agreement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a commissioning agreement")
    assert_accessible(page)
    # Nothing typed: every field says what it needs.
    page.get_by_role("button", name="Add the agreement").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the purpose of the agreement"
    )
    assert_accessible(page)
    page.locator("#id_commissioning_body").select_option(label="Safer Group")
    page.locator("#id_reference").fill("SLA-NEW")
    for name, text in TEXTS.items():
        page.locator(f"#id_{name}").fill(text)
    _fill_date(page, "starts_on", today)
    _fill_date(page, "ends_on", today + timedelta(days=364))
    _fill_date(page, "review-0-due_on", today + timedelta(days=180))
    page.locator("#id_supervisor").select_option(label="Member")
    page.locator("#id_provider").select_option(label="Testshire CVS")
    page.locator("#id_total_cost").fill("1000")
    page.locator("#id_cost-0-description").fill("Staff")
    page.locator("#id_cost-0-amount").fill("900")
    page.locator("#id_cost-1-description").fill("Room hire")
    page.locator("#id_cost-1-amount").fill("99.99")
    page.locator("#id_target-0-description").fill("Fewer burglaries")
    page.locator("#id_target-0-indicator").select_option(
        label="SC01: Reported burglaries (Safer Group)"
    )
    page.get_by_role("button", name="Add the agreement").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The cost lines add up to £999.99, not £1,000.00"
    )
    expect(page.locator("#id_cost-1-amount")).to_have_value("99.99")
    assert_accessible(page)
    page.locator("#id_cost-1-amount").fill("100")
    page.get_by_role("button", name="Add the agreement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TEXTS["title"])
    assert CommissioningAgreement.objects.filter(reference="SLA-NEW").exists()
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()

    # --- the supervisor finds the old one flagged and records its review -------------------
    sign_in(page, "member@example.org", PASSWORD)
    page.goto(list_url)
    row = page.get_by_role("row", name=re.compile("SLA-OLD"))
    expect(row).to_contain_text("Ends in 40 days")
    expect(row).to_contain_text("Review overdue")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("SLA-OLD")).click()
    expect(page.locator("#targets")).to_contain_text("SC01")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Record the review")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Record the review due on")
    assert_accessible(page)
    page.get_by_role("button", name="Record the review").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter what the review found")
    assert_accessible(page)
    _fill_date(page, "held_on", today)
    page.get_by_label("What the review found").fill("On track, within budget.")
    page.get_by_role("button", name="Record the review").click()
    expect(page.locator("#reviews")).to_contain_text("Held")
    assert_accessible(page)
