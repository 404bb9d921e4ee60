"""The demo's register of key partnerships and its commissioning agreements, every page, as the
public (the published register: its public fields) and as the co-ordinator (every record, every
agreement, the register's PDF page), checked with axe-core. The demo's data is what a user first
meets, with the longest texts and the most links: the pages the tests' small worlds do not
reach."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from performance.models import CommissioningAgreement, KeyPartnership
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser

REGISTER = "/p/demo/performance/key-partnerships/"


def test_every_page_of_the_demo_register_and_agreements_is_accessible(page, transactional_db):
    for command in (
        "load_demo",
        "load_demo_meetings",
        "load_demo_performance",
        "load_demo_risks",
        "load_demo_key_partnerships",
    ):
        call_command(command, "--force", stdout=StringIO())
    partnerships = list(KeyPartnership.objects.filter(partnership__slug="demo"))
    assert len(partnerships) == 13

    page.goto(REGISTER)
    expect(page.locator("main")).to_contain_text("Vale Active Leisure Trust")
    assert_accessible(page)
    for kp in partnerships:
        page.goto(kp.get_absolute_url())
        expect(page.locator("main")).not_to_contain_text("Exit strategy")
        assert_accessible(page)

    sign_in(page, "coordinator@mercia-vale.example", "demo-partnership-2026", then=REGISTER)
    expect(page.locator("main")).to_contain_text("reviews overdue")
    assert_accessible(page)
    pages = [
        f"{REGISTER}?overdue=yes",
        f"{REGISTER}settings/",
        f"{REGISTER}new/",
        f"{REGISTER}pdf/",
        *[kp.get_absolute_url() for kp in partnerships],
        "/p/demo/performance/agreements/",
        "/p/demo/performance/agreements/new/",
        *[a.get_absolute_url() for a in CommissioningAgreement.objects.all()],
    ]
    for url in pages:
        page.goto(url)
        assert_accessible(page)
