"""The partnership agreement in the browser: the governance lead uploads a version (a Word file
first, refused next to the field), records the board's agreement and issues it; a member signs
it from their account page; a co-ordinator sees the signature. axe-core on every page."""

import re

import pytest
from playwright.sync_api import expect

from membership.models import AgreementSignature
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD, appoint_governance_lead
from tests.governance.helpers import pdf_bytes
from tests.membership.test_agreement import docx_bytes

pytestmark = pytest.mark.browser


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def test_the_agreement_from_upload_to_signature(page, live_world):
    w = live_world
    lead = appoint_governance_lead(w)

    # The governance lead uploads a version: a Word file is refused next to the field.
    sign_in(page, lead.email, PASSWORD)
    page.goto(w.partnership.get_absolute_url())
    page.get_by_role("link", name="The partnership agreement").click()
    expect(page.get_by_text("No version of the agreement has been issued yet.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Upload a new version").click()
    assert_accessible(page)
    page.get_by_label("Version").fill("2026")
    page.get_by_label("What changed").fill("The first version kept in the app.")
    upload = page.get_by_label("The agreement as a PDF")
    upload.set_input_files(
        files=[{"name": "agreement.docx", "mimeType": "application/msword", "buffer": docx_bytes()}]
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#id_upload-error")).to_contain_text("must be a PDF")
    expect(page.get_by_label("Version")).to_have_value("2026")
    expect(page.get_by_label("What changed")).to_have_value("The first version kept in the app.")
    assert_accessible(page)
    upload.set_input_files(
        files=[{"name": "agreement.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}]
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("Version 2026 uploaded")).to_be_visible()
    assert_accessible(page)

    # ... records the board's agreement, then issues it.
    page.get_by_label("Which body agreed it?").select_option(label="Board")
    page.get_by_label("Day").fill(str(w.start.day))
    page.get_by_label("Month").fill(str(w.start.month))
    page.get_by_label("Year").fill(str(w.start.year))
    page.get_by_role("button", name="Record the agreement").click()
    expect(page.locator("#agreed")).to_contain_text("Board on")
    assert_accessible(page)
    page.get_by_role("button", name="Issue version 2026 to members").click()
    expect(page.get_by_text("Version 2026 issued")).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    # A member is told on their account page, reads the agreement and signs it.
    sign_in(page, "member@example.org", PASSWORD)
    expect(page.get_by_text("You have not signed version 2026")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Please sign"))).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Read and sign the agreement").click()
    assert_accessible(page)
    page.get_by_role("button", name="Sign version 2026").click()
    expect(page.get_by_role("heading", name="You have signed this version")).to_be_visible()
    assert_accessible(page)
    assert AgreementSignature.objects.filter(person=w.member).count() == 1
    page.get_by_role("link", name="Your account").click()
    expect(page.get_by_text("You have signed version 2026")).to_be_visible()
    sign_out(page)

    # The partnership co-ordinator sees who has signed.
    sign_in(page, "coordinator@example.org", PASSWORD)
    page.goto(w.partnership.get_absolute_url())
    page.get_by_role("link", name="The partnership agreement").click()
    page.get_by_role("link", name="Who has signed").click()
    expect(page.locator("#summary")).to_contain_text("1 of 6 people have signed")
    row = page.get_by_role("row", name=re.compile("^Member Board"))
    expect(row).to_contain_text("Version 2026")
    expect(row).to_contain_text("Signed")
    assert_accessible(page)
