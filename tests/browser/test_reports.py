"""The quarter's end in the browser: the Safer Group's returns are signed off and the system
drafts its exception report; the group's co-ordinator submits it to the chair; the chair returns
it, then writes the answers and approves it; it goes on the Board's next agenda, its PDF is made
(the progress page watched, a failure retried) and the Board's agenda pack carries it, figures
and answers, without anyone copying a number. Every page and state visited, errors included, is
checked with axe-core."""

import io
import re
from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from governance import services as gs
from governance.documents import documents_render
from performance.models import RenderState, Report, ReportStatus
from performance.services.reports import rendering
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD
from tests.performance.conftest import signed_off

pytestmark = pytest.mark.browser

WHY = "Two burglary sprees in August, in Northgate and Riverside."
ACTION = "Joint police and council patrols in both wards until the end of December."
SUMMARY = "One indicator is off track; the others are on target."
ASKS = "Note the position and back a joint operation with the police."
COMMENTS = "I will write the answers myself."


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def success(page, text: str):
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(text)


def text_of(pdf: bytes) -> str:
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join((page.extract_text() or "") for page in pages).split())


def open_the_report(page, title: str):
    page.goto(reverse("performance:dashboard", kwargs={"partnership": "testshire"}))
    page.get_by_role("link", name="Reports", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    assert_accessible(page)
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    assert_accessible(page)


def test_a_chair_approves_the_drafted_exception_report_and_it_reaches_the_board(
    page, live_perf, live_world
):
    w, perf = live_world, live_perf
    period = perf.period
    meeting = gs.meeting_create(
        actor=w.coordinator,
        body=w.board,
        held_on=timezone.localdate() + timedelta(days=21),
        start_time=time(10, 0),
        end_time=time(12, 0),
        venue="Council House",
    )

    # --- the quarter's end: the last due return signed off drafts the report ---------------
    signed_off(perf.burglary, period, 150, by=w.member, signer=w.group_coordinator)
    signed_off(perf.satisfaction, period, 84, by=w.member, signer=w.chair)
    report = Report.objects.get(body=w.group, year=period.year, quarter=period.number)
    assert report.status == ReportStatus.DRAFT
    assert [row["code"] for row in report.facts["exceptions"]] == ["SC01"]
    title = report.title

    # --- the group's co-ordinator submits it to the chair -----------------------------------
    sign_in(page, "group_coordinator@example.org", PASSWORD)
    open_the_report(page, title)
    page.get_by_role("link", name="Submit to the chair").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit the report to the chair")
    assert_accessible(page)
    reason = page.get_by_label("Why is the chair unavailable?")
    expect(reason).to_be_hidden()
    page.get_by_label("The chair is unavailable").check()
    expect(reason).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Submit to the chair").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter why the chair is unavailable"
    )
    expect(page).to_have_title(re.compile("^Error: "))
    assert_accessible(page)
    page.get_by_label("The chair is unavailable").uncheck()
    page.get_by_role("button", name="Submit to the chair").click()
    success(page, "Report sent to the chair for approval")
    expect(page.locator("#about")).to_contain_text("Awaiting the chair's approval")
    assert_accessible(page)
    sign_out(page)

    # --- the chair returns it, then writes the answers and approves it ----------------------
    sign_in(page, "chair@example.org", PASSWORD)
    open_the_report(page, title)
    page.get_by_role("link", name="Approve or return").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review the report")
    assert_accessible(page)
    page.get_by_role("button", name="Submit your decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select whether you approve the report"
    )
    assert_accessible(page)
    page.get_by_label("No, return it with comments").check()
    page.get_by_role("button", name="Submit your decision").click()
    expect(page.locator("#id_comments-error")).to_contain_text("Enter what needs to change")
    assert_accessible(page)
    page.get_by_label("Comments", exact=True).fill(COMMENTS)
    page.get_by_role("button", name="Submit your decision").click()
    success(page, "Report returned")
    expect(page.get_by_text(f"Returned by Chair: {COMMENTS}")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Edit and approve").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Write the report")
    assert_accessible(page)
    page.get_by_label("Why is SC01 off track?").fill(WHY)
    page.get_by_label("What is being done about SC01, and by when?").fill(ACTION)
    page.get_by_label("Summary", exact=True).fill("x" * 5001)
    page.get_by_label("What is the Board asked to do?").fill(ASKS)
    page.get_by_role("button", name="Save and approve").click()
    expect(page.locator("#id_summary-error")).to_be_visible()
    expect(page.get_by_label("Why is SC01 off track?")).to_have_value(WHY)
    assert_accessible(page)
    page.get_by_label("Summary", exact=True).fill(SUMMARY)
    page.get_by_role("button", name="Save and approve").click()
    on = meeting.held_on
    success(page, f"It is on the agenda of the Board's meeting on {on.day} {on:%B %Y}")
    expect(page.locator("#about")).to_contain_text("Approved")
    expect(page.get_by_text(WHY, exact=True)).to_be_visible()
    assert_accessible(page)
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED and report.approved_by == w.chair
    assert report.agenda_item.meeting == meeting and report.agenda_item.confidential

    # --- its PDF: the progress page, a failure and a retry, then the file -------------------
    page.get_by_role("link", name=re.compile("^Download the PDF")).click()
    expect(page.get_by_role("status")).to_contain_text("The PDF is queued")
    page.get_by_role("link", name="Stop refreshing").click()
    expect(page.get_by_role("link", name="Check again")).to_be_visible()
    assert_accessible(page)
    Report.objects.filter(pk=report.pk).update(
        render_state=RenderState.FAILED, render_error="The chart could not be drawn."
    )
    page.get_by_role("link", name="Check again").click()
    expect(page.get_by_role("status")).to_contain_text("The chart could not be drawn.")
    assert_accessible(page)
    page.get_by_role("button", name="Try again").click()
    expect(page.get_by_role("status")).to_contain_text("The PDF is queued")
    page.get_by_role("link", name="Stop refreshing").click()
    assert rendering.report_render(report_id=report.pk)
    page.get_by_role("link", name="Check again").click()
    expect(page.get_by_role("status")).to_contain_text("The PDF is ready")
    assert_accessible(page)
    download = page.get_by_role("link", name=re.compile("^Download the PDF"))
    response = page.request.get(download.get_attribute("href"))
    assert response.ok and response.body().startswith(b"%PDF-")
    assert WHY in text_of(response.body())

    # --- on the Board's agenda and in its agenda pack ---------------------------------------
    # The Board's co-ordinator publishes the agenda and circulates the papers, as for any
    # meeting; the agenda pack is made as the render job makes it.
    gs.meeting_publish(actor=w.coordinator, meeting=meeting)
    gs.papers_circulate(actor=w.coordinator, meeting=meeting)
    documents_render(meeting_id=meeting.pk)
    page.get_by_role("link", name="Back to the report").click()
    page.get_by_role("link", name=re.compile("^Board's meeting on")).click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.get_by_text(ASKS).first).to_be_visible()
    assert_accessible(page)
    pack = page.get_by_role("link", name="Download the agenda pack (PDF)")
    response = page.request.get(pack.get_attribute("href"))
    assert response.ok and response.body().startswith(b"%PDF-")
    text = text_of(response.body())
    for expected in (title, ASKS, "Reported burglaries", WHY, ACTION):
        assert expected in text, expected
