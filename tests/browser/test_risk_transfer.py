"""The register's import and PDF in the browser: a group's co-ordinator downloads the register,
uploads a file with mistakes (each row's errors beside it), then a good one, confirms it, and
asks for the register as a PDF, reaching its progress page. Every page and state is checked with
axe-core."""

import csv
import io
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from performance import services
from performance.models import Risk
from performance.services.risks.transfer import RISK_COLUMNS
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def csv_file(rows) -> dict:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return {"name": "register.csv", "mimeType": "text/csv", "buffer": out.getvalue().encode()}


def row(**cells) -> list[str]:
    good = {
        "code": "SG-R9",
        "title": "Volunteers for street pastors fall away",
        "body": "Safer Group",
        "category": "Operational",
        "owner": "member@example.org",
        "owner_organisation": "Testshire Council",
        "inherent_likelihood": "4",
        "inherent_impact": "3",
        "residual_likelihood": "3",
        "residual_impact": "3",
        "target_likelihood": "2",
        "target_impact": "2",
    }
    good.update(cells)
    return [good.get(c.key, "") for c in RISK_COLUMNS]


def test_a_coordinator_imports_risks_and_downloads_the_register_as_pdf(page, live_world, live_perf):
    w = live_world
    services.risk_create(
        actor=None,
        body=w.group,
        code="SG-R1",
        title="Partners withdraw funding for night-time patrols",
        category=services.risk_categories(w.partnership)[0],
        owner=w.member,
        owner_organisation=w.council,
        inherent_likelihood=4,
        inherent_impact=4,
        residual_likelihood=2,
        residual_impact=3,
        target_likelihood=2,
        target_impact=2,
    )
    header = [c.header for c in RISK_COLUMNS]
    sign_in(page, "group_coordinator@example.org", PASSWORD)
    page.goto(
        reverse(
            "performance:body_risks",
            kwargs={"partnership": w.partnership.slug, "body": w.group.slug},
        )
    )
    with page.expect_download() as download:
        page.get_by_role("link", name="Export the register as CSV").click()
    assert download.value.suggested_filename.endswith(".csv")
    page.get_by_role("link", name="Import risks from a spreadsheet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import risks")
    assert_accessible(page)

    # Nothing chosen: the error by the field.
    page.get_by_role("button", name="Upload and check").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select a CSV or Excel file")
    assert_accessible(page)

    # Mistakes: each row's errors beside it, and nothing to confirm.
    page.get_by_label("Upload a file").set_input_files(
        csv_file([header, row(residual_impact="9"), row(code="SG-R10", body="Nowhere")])
    )
    page.get_by_role("button", name="Upload and check").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator("#row-2")).to_contain_text("Enter a whole number from 1 to 5")
    expect(page.locator("#row-3")).to_contain_text("There is no body called ‘Nowhere’")
    expect(page.get_by_role("button", name="Import these risks")).to_have_count(0)
    assert_accessible(page)

    # A good file: what it would do, then confirmed.
    page.get_by_role("link", name="Upload a corrected file").click()
    page.get_by_label("Upload a file").set_input_files(csv_file([header, row()]))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check the risks before you import them"
    )
    expect(page.locator("#row-2")).to_contain_text("New")
    assert_accessible(page)
    page.get_by_role("button", name="Import these risks").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Risks imported")
    assert_accessible(page)
    assert Risk.objects.get(code="SG-R9").body == w.group

    # The register as a PDF: built, then its progress page.
    page.goto(
        reverse(
            "performance:risk_register_pdf",
            kwargs={"partnership": w.partnership.slug, "body": w.group.slug},
        )
    )
    assert_accessible(page)
    page.get_by_role("button", name="Download the register as PDF").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The PDF of the report")
    assert_accessible(page)
    page.get_by_role("link", name="Back to the report").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Risk register: Safer Group")
    expect(
        page.get_by_role("table", name=re.compile("^Open risks by residual likelihood"))
    ).to_be_visible()
    assert_accessible(page)
