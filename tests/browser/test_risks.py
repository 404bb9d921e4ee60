"""A risk in the browser: its owner reviews it and raises its residual score above the Safer
Group's appetite; it is escalated, and the Board's co-ordinator finds it on the Board's register,
"Escalated from Safer Group" and above appetite, and on the Board's next agenda for decision.
Every page and state visited (the registers, the risk, the review form with its errors, the heat
map) is checked with axe-core."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from performance import services
from performance.models import Risk
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD
from tests.governance.helpers import schedule

pytestmark = pytest.mark.browser

TITLE = "Partners withdraw funding for night-time patrols"
CHANGED = "The council's budget for next year cuts its share of the patrols by half."


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def success(page, text: str):
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(text)


def register(w, body) -> str:
    return reverse(
        "performance:body_risks", kwargs={"partnership": w.partnership.slug, "body": body.slug}
    )


def test_a_risk_raised_above_appetite_reaches_the_boards_register_and_agenda(
    page, live_world, live_perf
):
    w = live_world
    # Set up beforehand, through the services: the Safer Group carries scores up to 8; its
    # risk, owned by ``member``, stands at 6; the Board meets in a fortnight.
    services.risk_appetite_set(actor=w.group_coordinator, body=w.group, threshold=8)
    risk = services.risk_create(
        actor=w.group_coordinator,
        body=w.group,
        code="SG-R1",
        title=TITLE,
        description="Patrols in the town centre on Friday and Saturday nights.",
        cause="Partners' budgets cut.",
        effect="More violence in the night-time economy.",
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
    assert risk.escalated_to is None
    meeting = schedule(w, days=14)

    # --- the owner reviews it: the form's errors first, then a higher score ----------------
    sign_in(page, "member@example.org", PASSWORD)
    page.goto(register(w, w.group))
    expect(page.get_by_role("heading", level=1)).to_have_text("Risk register")
    expect(page.locator(".govuk-caption-l")).to_have_text("Safer Group")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(TITLE)).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    assert_accessible(page)
    page.get_by_role("link", name="Review the risk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review risk SG-R1")
    assert_accessible(page)
    # Nothing chosen, then a re-score with nothing in it: each error by its field.
    page.get_by_role("button", name="Record the review").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select whether the risk changed this quarter"
    )
    expect(page).to_have_title(re.compile("^Error: "))
    assert_accessible(page)
    page.get_by_label("Re-score", exact=True).check()
    page.get_by_role("button", name="Record the review").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Say what changed since the last review"
    )
    expect(page.get_by_label("Re-score", exact=True)).to_be_checked()
    assert_accessible(page)
    page.get_by_role("group", name="Residual likelihood").get_by_label(re.compile("^4 ")).check()
    page.get_by_role("group", name="Residual impact").get_by_label(re.compile("^4 ")).check()
    page.get_by_label("What changed?").fill(CHANGED)
    assert_accessible(page)
    page.get_by_role("button", name="Record the review").click()
    success(page, "recorded")
    expect(page.get_by_text(CHANGED).first).to_be_visible()
    assert_accessible(page)
    risk.refresh_from_db()
    assert (risk.residual_likelihood, risk.residual_impact) == (4, 4)
    assert risk.escalated_to == w.board
    assert risk.escalation_item is not None and risk.escalation_item.meeting == meeting
    sign_out(page)

    # --- the Board's co-ordinator sees it escalated, above appetite ------------------------
    sign_in(page, "coordinator@example.org", PASSWORD)
    page.goto(register(w, w.board))
    expect(page.locator(".govuk-caption-l")).to_have_text("Board")
    row = page.locator("tr", has_text="SG-R1")
    expect(row).to_contain_text("Escalated from Safer Group")
    expect(row).to_contain_text("Above appetite (16 > 8)")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(TITLE)).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    assert_accessible(page)

    # --- the heat map: the risk counted in its cell, in words as well as colour ------------
    page.goto(reverse("performance:risk_heat_map", kwargs={"partnership": w.partnership.slug}))
    expect(page.locator("table").first).to_be_visible()
    expect(page.get_by_role("link", name="SG-R1")).to_be_visible()
    assert_accessible(page)
    page.goto(
        reverse("performance:risk_heat_map", kwargs={"partnership": w.partnership.slug})
        + f"?basis=inherent&body={w.board.slug}"
    )
    assert_accessible(page)

    # --- and on the Board's next agenda, for decision --------------------------------------
    page.goto(
        reverse("governance:meeting", kwargs={"partnership": w.partnership.slug, "pk": meeting.pk})
    )
    expect(page.get_by_text(f"Escalated risk SG-R1: {TITLE}").first).to_be_visible()
    assert_accessible(page)
    assert Risk.objects.get(pk=risk.pk).escalation_item.meeting_id == meeting.pk
