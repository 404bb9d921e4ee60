"""The database drops while a co-ordinator saves a form: they see a 503 page saying the change
was not saved, and their browser's back button takes them to the form with what they typed
still in it. Nothing was saved. axe-core on the page."""

import pytest
from django.db import OperationalError
from playwright.sync_api import expect

from partnership.models import Organisation
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_going_back_after_an_outage_keeps_what_was_typed(page, live_world, monkeypatch):
    w = live_world
    sign_in(page, w.coordinator.email, PASSWORD, then=None)
    page.goto(f"/p/{w.partnership.slug}/organisations/new/")
    page.get_by_label("Name").fill("Mercia Vale Credit Union")
    page.get_by_label("Voluntary, community and faith").check()
    page.get_by_label("Website (optional)").fill("https://credit-union.example")

    def unreachable(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(
        "simple_history.models.HistoricalRecords.create_historical_record", unreachable
    )
    page.get_by_role("button", name="Add organisation").click()
    expect(page.get_by_role("heading", name="Sorry, the service is unavailable")).to_be_visible()
    expect(page.get_by_text("Your change has not been saved")).to_be_visible()
    assert_accessible(page)
    assert not Organisation.objects.filter(name="Mercia Vale Credit Union").exists()

    page.go_back()
    expect(page.get_by_label("Name")).to_have_value("Mercia Vale Credit Union")
    expect(page.get_by_label("Voluntary, community and faith")).to_be_checked()
    expect(page.get_by_label("Website (optional)")).to_have_value("https://credit-union.example")

    # The database is back: sending it again saves it.
    monkeypatch.undo()
    page.get_by_role("button", name="Add organisation").click()
    expect(page.get_by_text("Mercia Vale Credit Union has been added")).to_be_visible()


def test_a_file_too_big_is_refused_at_once_and_going_back_keeps_the_form(
    page, live_world, settings
):
    from governance import services as gs
    from tests.governance.helpers import schedule

    settings.PAPER_MAX_BYTES = 256 * 1024
    w = live_world
    meeting = schedule(w, days=10)
    item = gs.item_add(actor=w.coordinator, meeting=meeting, title="Budget")
    sign_in(page, w.coordinator.email, PASSWORD, then=None)
    page.goto(f"/p/{w.partnership.slug}/meetings/{meeting.pk}/items/{item.pk}/papers/new/")
    page.get_by_label("Title").fill("Pooled budget proposals")
    page.get_by_label("Upload the paper (optional)").set_input_files(
        files=[
            {"name": "big.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7\n" * 200_000}
        ]
    )
    page.get_by_role("button", name="Add paper").click()
    expect(page.get_by_role("heading", name="The file you chose is too big")).to_be_visible()
    expect(page.get_by_text("256.0\xa0KB")).to_be_visible()
    assert_accessible(page)
    page.go_back()
    expect(page.get_by_label("Title")).to_have_value("Pooled budget proposals")
