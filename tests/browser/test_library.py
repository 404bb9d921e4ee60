"""The document library and paper versions in the browser: the co-ordinator reaches the
Board's documents from its page and adds one (the error state first: no file chosen, and what
was typed kept), then a new version saying what changed; the public read both versions, the
old one "superseded on"; and a paper replaced with "what changed" (the error state first)
shows its earlier version. Every page and state is checked with axe-core."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD
from tests.governance.helpers import build_meetings, pdf_bytes

pytestmark = pytest.mark.browser


def fill_date(page, legend: str, day: int, month: int, year: int):
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day))
    group.get_by_label("Month").fill(str(month))
    group.get_by_label("Year").fill(str(year))


def a_pdf(name: str, words: str = "") -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": pdf_bytes(words)}


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def test_a_coordinator_keeps_the_library_and_the_public_read_every_version(page, live_world):
    w = live_world
    g = build_meetings(w)

    # --- the co-ordinator adds a document ---------------------------------------------------
    sign_in(page, "coordinator@example.org", PASSWORD, then=w.board.get_absolute_url())
    page.get_by_role("link", name="Documents", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Documents")
    assert_accessible(page)
    page.get_by_role("link", name="Add a document").click()
    assert_accessible(page)
    page.get_by_label("Title").fill("Board terms of reference")
    page.get_by_label("Terms of reference", exact=True).check()
    page.get_by_label("Summary (optional)").fill("How the Board works.")
    page.get_by_label("Version", exact=True).fill("1.0")
    fill_date(page, "Date of this version", 1, 4, 2025)
    page.get_by_role("button", name="Add the document").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the file")
    expect(page.get_by_label("Title")).to_have_value("Board terms of reference")
    assert_accessible(page)
    page.get_by_label("The document's file").set_input_files(a_pdf("terms.pdf"))
    page.get_by_role("button", name="Add the document").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Document added")
    assert_accessible(page)

    # --- and a new version ---------------------------------------------------------------------
    page.get_by_role("link", name="Add a new version").click()
    assert_accessible(page)
    page.get_by_label("Version", exact=True).fill("1.0")
    fill_date(page, "Date of this version", 1, 4, 2026)
    page.get_by_label("What changed").fill("The area boards join the Board.")
    page.get_by_label("The new version's file").set_input_files(a_pdf("terms-2.pdf"))
    page.get_by_role("button", name="Add the version").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("already exists")
    expect(page.get_by_label("What changed")).to_have_value("The area boards join the Board.")
    assert_accessible(page)
    page.get_by_label("Version", exact=True).fill("2.0")
    page.get_by_label("The new version's file").set_input_files(a_pdf("terms-2.pdf"))
    page.get_by_role("button", name="Add the version").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Version 2.0")
    assert_accessible(page)
    document_url = page.url

    # --- and replaces a paper, saying what changed ------------------------------------------------
    page.goto(g.upcoming.get_absolute_url())
    page.get_by_role("link", name="Edit paper: Draft community safety plan").click()
    page.get_by_label("Upload a new file (optional)").set_input_files(a_pdf("plan-v2.pdf"))
    page.get_by_role("button", name="Save changes").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter what changed")
    assert_accessible(page)
    page.get_by_label("What changed in the new file?").fill("The figures for March added.")
    page.get_by_label("Upload a new file (optional)").set_input_files(a_pdf("plan-v2.pdf"))
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Paper saved")
    page.get_by_role("button", name="Circulate papers").click()
    page.get_by_role("link", name="Draft community safety plan", exact=True).click()
    expect(page.locator("#earlier-versions")).to_have_text("Earlier versions")
    expect(page.locator("main")).to_contain_text("What changed: The figures for March added.")
    assert_accessible(page)
    paper_url = page.url
    sign_out(page)

    # --- the public read both versions, and the paper's earlier one -------------------------------
    page.goto(document_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Board terms of reference")
    expect(page.locator("table")).to_contain_text("Superseded on 1 April 2026")
    expect(page.locator("table")).to_contain_text("Current")
    assert_accessible(page)
    old = page.get_by_role("link", name=re.compile("Read version 1.0"))
    response = page.request.get(old.get_attribute("href"))
    assert response.ok and response.body().startswith(b"%PDF")
    page.goto(paper_url)
    expect(page.locator("#earlier-versions")).to_have_text("Earlier versions")
    earlier = page.get_by_role("link", name=re.compile("Read version 1"))
    response = page.request.get(earlier.get_attribute("href"))
    assert response.ok and response.body().startswith(b"%PDF")
    assert_accessible(page)


def test_a_coordinator_adds_a_late_paper_and_withdraws_a_document(page, live_world):
    from tests.governance.test_library import add_document

    w = live_world
    g = build_meetings(w)
    document = add_document(w, body=w.board, title="Old constitution")

    sign_in(page, "coordinator@example.org", PASSWORD, then=g.upcoming.get_absolute_url())
    # The papers are out: "Add a paper" is the supplementary paper's form.
    page.get_by_role("link", name="Add a paper to item 5").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Add a supplementary paper")
    assert_accessible(page)
    page.get_by_label("Title").fill("Revised costs")
    page.get_by_label("Upload the paper").set_input_files(a_pdf("costs.pdf"))
    page.get_by_role("button", name="Add the paper").click()
    expect(page).to_have_title(re.compile("^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select the chair or deputy chair who accepted the paper")
    expect(summary).to_contain_text("Select the file again")
    expect(page.get_by_label("Title")).to_have_value("Revised costs")
    assert_accessible(page)
    page.get_by_label("Why did the chair accept the paper late?").fill("Prices came in late.")
    page.get_by_label("Chair", exact=True).check()
    page.get_by_label("Who writes the paper?").select_option(label="Member")
    page.get_by_label("Upload the paper").set_input_files(a_pdf("costs.pdf"))
    page.get_by_role("button", name="Add the paper").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Revised costs")
    expect(page.locator("main")).to_contain_text("Late paper Prices came in late.")
    assert_accessible(page)

    page.goto(document.get_absolute_url())
    page.get_by_role("link", name="Withdraw").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Withdraw the document?")
    assert_accessible(page)
    page.get_by_role("button", name="Withdraw the document").click()
    expect(page.locator(".govuk-inset-text")).to_contain_text("Withdrawn")
    assert_accessible(page)
    page.goto(w.board.get_absolute_url() + "documents/?type=terms_of_reference")
    expect(page.locator("table")).to_contain_text("Withdrawn")
    assert_accessible(page)


def test_the_partnership_library_its_empty_and_filtered_states_and_editing_details(
    page, live_world
):
    """Axe on the states the journeys above do not reach: the partnership's library empty,
    then a filter that finds nothing; "Edit details" of a members-only document (with its
    warning) and its error state; and the supplementary form refused before it is shown."""
    from django.urls import reverse

    from tests.governance.test_library import add_document

    w = live_world
    g = build_meetings(w)
    library = reverse("governance:library", kwargs={"partnership": w.partnership.slug})
    sign_in(page, "coordinator@example.org", PASSWORD, then=library)
    expect(page.locator("main")).to_contain_text("No documents yet.")
    assert_accessible(page)

    document = add_document(w, title="Briefing for partners", members_only=True)
    page.goto(library + "?type=strategy")
    expect(page.locator("main")).to_contain_text("No documents of this type.")
    assert_accessible(page)
    page.goto(library)
    page.get_by_role("link", name="Briefing for partners").click()
    page.get_by_role("link", name="Edit details").click()
    expect(page.locator(".govuk-warning-text")).to_contain_text("with all its earlier versions")
    assert_accessible(page)
    page.get_by_label("Title").fill("")
    page.get_by_role("button", name="Save changes").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter title")
    assert_accessible(page)
    page.get_by_label("Title").fill("Briefing for the partners")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Briefing for the partners")
    assert document.get_absolute_url() in page.url

    page.goto(
        reverse(
            "governance:paper_supplementary_create",
            kwargs={"partnership": w.partnership.slug, "pk": g.past.pk, "item": g.past_public.pk},
        )
    )
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("have not been circulated")
    expect(page.get_by_role("button", name="Add the paper")).to_have_count(0)
    assert_accessible(page)
