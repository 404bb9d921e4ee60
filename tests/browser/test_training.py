"""Training and development in the browser: a member reaches their training from the account
page, tries to record a course with the provider missing and a date in the future (each error
by its field, nothing typed lost), records it, and removes another; then the partnership's
co-ordinator records a course for them from the membership's page. Every page and state is
checked with axe-core."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from membership import services
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def success(page, text: str):
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(text)


def fill_date(page, when: date):
    group = page.get_by_role("group", name="Date completed")
    group.get_by_label("Day").fill(str(when.day))
    group.get_by_label("Month").fill(str(when.month))
    group.get_by_label("Year").fill(str(when.year))


def test_a_member_keeps_their_training_and_a_coordinator_adds_to_it(page, live_world, today):
    w = live_world
    services.training_record_add(
        actor=w.member,
        person=w.member,
        course="Fire safety awareness",
        completed_on=date(2025, 6, 2),
        provider="Testshire Fire and Rescue",
    )

    # --- the member, from their account page ---------------------------------------------
    sign_in(page, "member@example.org", PASSWORD)
    page.get_by_role("link", name="Your training and development").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your training and development")
    expect(page.locator("table")).to_contain_text("Fire safety awareness")
    assert_accessible(page)

    page.get_by_label("Course").fill("Safeguarding adults, level 2")
    fill_date(page, today + timedelta(days=3))
    page.get_by_label("Notes (optional)").fill("Half a day, online.")
    page.get_by_role("button", name="Record the course").click()
    expect(page).to_have_title(re.compile("^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter provider")
    expect(summary).to_contain_text("The date completed must be today or in the past")
    expect(page.get_by_label("Course")).to_have_value("Safeguarding adults, level 2")
    expect(page.get_by_label("Notes (optional)")).to_have_value("Half a day, online.")
    assert_accessible(page)

    page.get_by_label("Provider").fill("Testshire Council")
    fill_date(page, date(2026, 3, 27))
    page.get_by_role("button", name="Record the course").click()
    success(page, "Safeguarding adults, level 2")
    expect(page.locator("table")).to_contain_text("27 March 2026")
    assert_accessible(page)

    page.get_by_role("button", name=re.compile("Remove Fire safety awareness")).click()
    success(page, "has been removed")
    expect(page.locator("table")).not_to_contain_text("Fire safety awareness")
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()

    # --- the co-ordinator, from the membership's page ------------------------------------
    sign_in(
        page,
        "coordinator@example.org",
        PASSWORD,
        then=reverse(
            "membership:membership_detail",
            kwargs={
                "partnership": w.partnership.slug,
                "body": w.board.slug,
                "pk": w.member_membership.pk,
            },
        ),
    )
    expect(page.locator("#training")).to_have_text("Training and development")
    expect(page.locator("main")).to_contain_text("Safeguarding adults, level 2")
    assert_accessible(page)
    page.get_by_role("link", name="Add a training record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a training record")
    assert_accessible(page)
    page.get_by_role("button", name="Record the course").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter course")
    assert_accessible(page)
    page.get_by_label("Course").fill("Chairing meetings")
    page.get_by_label("Provider").fill("Testshire CVS")
    fill_date(page, date(2025, 11, 5))
    page.get_by_role("button", name="Record the course").click()
    success(page, "for Member")
    expect(page.locator("main")).to_contain_text("Chairing meetings")
    assert_accessible(page)
    assert list(w.member.training_records.values_list("course", flat=True)) == [
        "Safeguarding adults, level 2",
        "Chairing meetings",
    ]
