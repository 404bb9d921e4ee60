"""The register of key partnerships in the browser: the co-ordinator finds the overdue review
flagged on the register, opens the record, tries to add a key partnership with the form's
errors, adds it, and publishes the register; the public then reads the public fields alone.
Every page and state visited is checked with axe-core."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from performance.services.partnerships import key_partnership_create
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_the_register_a_record_the_add_form_and_the_public_page(page, live_world, live_perf):
    w = live_world
    key_partnership_create(
        actor=w.coordinator,
        partnership=w.partnership,
        name="Vale Leisure Trust",
        lead_organisation=w.council,
        lead_service="Leisure Contracts",
        lead_officer=w.member,
        remit="Runs the leisure centres.",
        partner_organisations=[w.charity],
        meets_key_criteria=True,
        key_criteria=["financial", "commitment"],
        monitoring_arrangements="Monthly operational meetings.",
        additional_monitoring=True,
        additional_monitoring_reason="A new contract.",
        exit_strategy="Break clause at year ten",
        mou_text="The partners meet monthly.",
        next_review_on=timezone.localdate() - timedelta(days=10),
    )
    register = reverse("performance:key_partnership_list", kwargs={"partnership": "testshire"})

    # --- the register and a record ---------------------------------------------------------
    sign_in(page, "coordinator@example.org", PASSWORD, then=register)
    expect(page.get_by_role("heading", level=1)).to_have_text("Key partnerships register")
    expect(page.locator("#review-counts")).to_contain_text("1 review overdue")
    assert_accessible(page)
    page.get_by_role("link", name="Vale Leisure Trust").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vale Leisure Trust")
    expect(page.locator(".govuk-warning-text")).to_contain_text("Review overdue")
    assert_accessible(page)

    # --- adding one: the errors first, then a good one -------------------------------------
    page.goto(register)
    page.get_by_role("link", name="Add a key partnership").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a key partnership")
    assert_accessible(page)
    page.get_by_role("button", name="Add the key partnership").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the remit and purpose")
    assert_accessible(page)
    page.get_by_label("Name", exact=True).fill("Waste Contract")
    page.get_by_label("Lead organisation").select_option(label="Testshire Council")
    page.get_by_label("Lead service").fill("Streetscene")
    page.get_by_label("Lead officer").select_option(label="Member")
    page.get_by_label("Remit and purpose").fill("Collects the waste.")
    page.locator("#id_meets_key_criteria_0").check()
    page.get_by_label("Monitoring arrangements").fill("Quarterly board.")
    page.locator("#id_additional_monitoring_0").check()
    page.get_by_role("button", name="Add the key partnership").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select at least one criterion it meets")
    expect(summary).to_contain_text("Say why additional monitoring is required")
    expect(summary).to_contain_text("Enter the date the next review is due")
    expect(page.get_by_label("Name", exact=True)).to_have_value("Waste Contract")
    assert_accessible(page)
    page.get_by_label("Its financial value").check()
    page.get_by_label("Why additional monitoring is required (optional)").fill("A big contract.")
    page.locator("#id_last_reviewed_on_day").fill("14")
    page.locator("#id_last_reviewed_on_month").fill("3")
    page.locator("#id_last_reviewed_on_year").fill("2025")
    page.get_by_role("button", name="Add the key partnership").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Waste Contract")
    expect(page.locator("#main-content")).to_contain_text("Key partnership added")

    # --- changing it, then ending it with a reason -----------------------------------------
    page.get_by_role("link", name="Change the key partnership").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change Waste Contract")
    assert_accessible(page)
    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("link", name="End the key partnership").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("End Waste Contract")
    assert_accessible(page)
    page.get_by_role("button", name="End the key partnership").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Say why the key partnership is ending"
    )
    assert_accessible(page)
    page.get_by_label("Why is it ending?").fill("Brought back in house.")
    page.get_by_role("button", name="End the key partnership").click()
    expect(page.locator("#main-content")).to_contain_text("Ended: Brought back in house.")

    # --- publishing, and the public page ---------------------------------------------------
    page.goto(register)
    page.get_by_role("link", name=re.compile("Register settings")).click()
    assert_accessible(page)
    page.get_by_label("Review each key partnership every (years)").fill("11")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("from 1 to 10")
    assert_accessible(page)
    page.get_by_label("Review each key partnership every (years)").fill("3")
    page.get_by_label("Publish the register").check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("saved")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    page.goto(register)
    expect(page.get_by_role("heading", level=1)).to_have_text("Key partnerships register")
    expect(page.locator("#main-content")).not_to_contain_text("Lead officer")
    assert_accessible(page)
    page.get_by_role("link", name="Vale Leisure Trust").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vale Leisure Trust")
    expect(page.locator("#main-content")).not_to_contain_text("Break clause")
    assert_accessible(page)
