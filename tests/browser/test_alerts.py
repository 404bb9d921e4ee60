"""The public's e-mail alerts in the browser: someone with no account subscribes to the Board
(making a mistake first), confirms from the link in the e-mail, the co-ordinator publishes the
next agenda, and the subscriber's alert lists its public items only; then they unsubscribe
from the alert's link and the address is gone. The co-ordinator writes and publishes news.
Every page and error state is checked with axe-core."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from governance import services as gs
from partnership.models import AlertSubscription, OutboxJob
from partnership.tasks_follow import send_alerts
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD
from tests.governance.helpers import schedule

pytestmark = pytest.mark.browser

ADDRESS = "resident@example.net"
PUBLIC_ITEM = "Youth safety plan"
SECRET_ITEM = "Tender for youth services SECRETALERT"


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def run_alert_jobs() -> None:
    """What the worker would do with the jobs the pages queued (the test has no worker)."""
    for job in OutboxJob.objects.filter(task="partnership.tasks.send_alerts"):
        send_alerts(*job.args)


def test_the_public_subscribe_to_a_body_and_hear_of_its_next_agenda(page, live_world):
    w = live_world
    meeting = schedule(w, days=21, title="Spring meeting")
    gs.item_add(actor=w.coordinator, meeting=meeting, title=PUBLIC_ITEM)
    gs.item_add(
        actor=w.coordinator,
        meeting=meeting,
        title=SECRET_ITEM,
        confidential=True,
        confidential_reason="Commercially sensitive",
    )

    # --- someone with no account asks for the Board's alerts -----------------------------
    page.goto(f"/p/{w.partnership.slug}/bodies/{w.board.slug}/")
    page.get_by_role("link", name="Get e-mail alerts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Get e-mail alerts")
    assert_accessible(page)
    page.get_by_label("E-mail address").fill("resident@")
    page.get_by_role("button", name="Subscribe").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter an e-mail address in the correct format"
    )
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select what you want to hear about"
    )
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    page.get_by_label("E-mail address").fill(ADDRESS)
    page.get_by_label("New agendas").check()
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    assert_accessible(page)

    # --- confirms from the e-mail: the link shows a button; pressing it confirms -----------
    (message,) = [m for m in mail.outbox if m.to == [ADDRESS]]
    link = re.search(r"http\S+/alerts/confirm/\S+/", message.body).group(0)
    page.goto(path_of(link))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your e-mail alerts")
    assert_accessible(page)
    assert AlertSubscription.objects.get(email=ADDRESS).confirmed_at is None
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are subscribed")
    assert_accessible(page)
    assert AlertSubscription.objects.get(email=ADDRESS).confirmed_at is not None

    # --- the co-ordinator publishes the next agenda ---------------------------------------
    mail.outbox.clear()
    sign_in(page, "coordinator@example.org", PASSWORD, then=meeting.get_absolute_url())
    page.get_by_role("button", name="Publish agenda").click()
    page.wait_for_load_state()
    assert_accessible(page)
    run_alert_jobs()
    run_alert_jobs()  # a job run twice sends nothing twice
    (alert,) = [m for m in mail.outbox if m.to == [ADDRESS]]
    assert alert.subject.startswith("Agenda published: Spring meeting")
    assert PUBLIC_ITEM in alert.body
    assert "SECRETALERT" not in alert.body and "SECRETALERT" not in alert.alternatives[0][0]
    # The live server is plain http: the link, but no one-click POST (RFC 8058).
    assert alert.extra_headers["List-Unsubscribe"].startswith("<http")

    # --- the co-ordinator writes news, with a mistake first, and publishes it -----------------
    page.goto(f"/p/{w.partnership.slug}/news/")
    assert_accessible(page)
    page.get_by_role("link", name="Write news").click()
    assert_accessible(page)
    page.get_by_label("Summary").fill("The Board meets in spring.")
    page.get_by_role("button", name="Save as a draft").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter title")
    assert_accessible(page)
    page.get_by_label("Title").fill("Spring meeting announced")
    page.get_by_label("Story").fill("The agenda is published.\n\nAll are welcome.")
    page.get_by_role("button", name="Save as a draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Spring meeting announced")
    assert_accessible(page)
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Published")
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()

    # --- the public read the news, and find the alerts pages --------------------------------
    page.goto(f"/p/{w.partnership.slug}/news/")
    page.get_by_role("link", name="Spring meeting announced").click()
    assert_accessible(page)
    page.get_by_role("link", name="Get the news by e-mail").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Get e-mail alerts")
    assert_accessible(page)
    page.goto(f"/p/{w.partnership.slug}/alerts/")
    assert_accessible(page)

    # --- the subscriber unsubscribes from the alert's link: the address is gone ----------------
    unsubscribe = re.search(r"<(http[^>]+)>", alert.extra_headers["List-Unsubscribe"]).group(1)
    page.goto(path_of(unsubscribe))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Unsubscribe from alerts")
    assert_accessible(page)
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You have unsubscribed")
    assert_accessible(page)
    assert not AlertSubscription.objects.filter(email=ADDRESS).exists()
    # The old links now say so.
    page.goto(path_of(unsubscribe))
    expect(page.get_by_role("heading", level=1)).to_have_text("You are not subscribed")
    assert_accessible(page)
    page.goto(path_of(link))
    expect(page.get_by_role("heading", level=1)).to_have_text("This link does not work")
    assert_accessible(page)
