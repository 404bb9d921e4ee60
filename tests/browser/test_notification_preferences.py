"""Notification preferences in the browser: a member reaches the page from their account, meets
the error state (a choice that is not offered), turns reminders into a daily digest; a chaser
then runs and no e-mail goes to them at once, and it is in all their messages; the digest job
runs at their hour and one digest arrives carrying the reminder; its one-click link's page stops
the digest, and says so when followed again. Every page and state is checked with axe-core."""

import re
from datetime import datetime, time, timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from governance import services as gs
from partnership.digests import send_digests
from partnership.models import Delivery, Notice
from partnership.notifications import notification_choices
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD
from tests.governance.helpers import schedule

pytestmark = pytest.mark.browser


def mail_to(person):
    return [m for m in mail.outbox if m.to == [person.email]]


def test_a_member_turns_reminders_into_a_daily_digest(page, live_world):
    w = live_world
    sign_in(page, "member@example.org", PASSWORD)
    page.get_by_role("link", name="Choose how you hear about things").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How you hear about things")
    expect(page.locator("#required")).to_have_text("Always sent straight away")
    elections = page.get_by_role("group", name="Elections")
    expect(elections.get_by_label("In a daily digest")).to_have_count(0)
    assert_accessible(page)

    # The error state: a choice the page does not offer (as a stale or altered form sends).
    reminders = page.get_by_role("group", name="Reminders and chasers")
    reminders.get_by_label("In a daily digest").check()
    page.get_by_label("Send my daily digest at").select_option("07:00")
    page.locator('input[name="papers"][value="off"]').evaluate("radio => radio.value = 'weekly'")
    page.get_by_role("group", name="Papers published and circulated").get_by_label(
        "No e-mail (still in Messages)"
    ).check()
    page.get_by_role("button", name="Save your choices").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select how you hear about papers published and circulated"
    )
    expect(reminders.get_by_label("In a daily digest")).to_be_checked()
    assert_accessible(page)

    page.get_by_role("group", name="Papers published and circulated").get_by_label(
        "Straight away, one e-mail each"
    ).check()
    page.get_by_role("button", name="Save your choices").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("saved")
    assert_accessible(page)
    assert notification_choices(person=w.member)["reminders"] == Delivery.DIGEST

    # A chaser runs: the member's paper is not out three days before the meeting.
    meeting = schedule(w, days=3)
    item = gs.item_add(actor=w.coordinator, meeting=meeting, title="Budget")
    gs.paper_add(actor=w.coordinator, item=item, title="Budget", owner=w.member)
    mail.outbox.clear()
    gs.papers_chase_late()
    assert mail_to(w.member) == []  # held for the digest
    assert len(mail_to(w.coordinator)) == 1  # who chose nothing hears now
    assert Notice.objects.get(recipient=w.member).digest_pending

    # It is in Messages straight away, and in all their messages, waiting for the digest.
    page.goto("/account/")
    expect(page.locator("#messages + p + ul")).to_contain_text("Paper not out: Budget")
    page.get_by_role("link", name="All your messages").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your messages")
    row = page.locator("tbody tr").filter(has_text="Paper not out: Budget")
    expect(row.locator("td").nth(2)).to_have_text("Waiting for your daily digest")
    assert_accessible(page)

    # The digest job runs at their hour: the next 07:00, as the chaser's message came today.
    tomorrow = timezone.localdate() + timedelta(days=1)
    seven = timezone.make_aware(datetime.combine(tomorrow, time(7, 0)))
    assert send_digests(now=seven) == 1
    assert send_digests(now=seven) == 0
    (digest,) = mail_to(w.member)
    assert "daily digest" in digest.subject and "Paper not out: Budget" in digest.body

    page.goto("/account/notifications/")
    cells = page.locator("#digests + table tbody tr").first.locator("td")
    expect(cells.nth(0)).to_have_text(tomorrow.strftime("%-d %B %Y"))
    expect(cells.nth(1)).to_have_text("1")
    assert_accessible(page)

    # The digest's one-click link: a page with a button, then stopped.
    link = urlsplit(digest.extra_headers["List-Unsubscribe"].strip("<>")).path
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Stop e-mails about your daily digest"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Stop these e-mails").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("E-mails stopped")
    assert_accessible(page)
    assert notification_choices(person=w.member)["reminders"] == Delivery.OFF

    # Followed again: nothing is in the digest, so there is no button.
    page.goto(link)
    expect(page.locator("main")).to_contain_text("Your daily digest is already stopped")
    expect(page.get_by_role("button", name="Stop these e-mails")).to_have_count(0)
    assert_accessible(page)

    # A link that was cut short.
    page.goto(link[:-9] + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This link does not work")
    assert_accessible(page)
