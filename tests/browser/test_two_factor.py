"""The second factor in Chromium: a member's first sign-in sets up an authenticator app (the
secret read off the page, as someone who cannot scan the QR code would), keeps the recovery
codes shown, and later signs in with one of them; a co-ordinator resets a member's second
factor. axe-core on every page and error state. ("Sign out everywhere", with the second factor,
is tests/browser/test_sessions.py.)"""

import base64
import re

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def _password(page, email: str) -> None:
    page.goto("/accounts/sign-in/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")


def test_first_sign_in_sets_up_an_app_then_a_recovery_code_signs_in(page, live_world):
    email = live_world.member.email
    _password(page, email)
    expect(page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    assert_accessible(page)

    page.get_by_text("I cannot scan the QR code").click()
    secret = page.locator(".app-secret").inner_text().replace(" ", "")
    assert_accessible(page)
    page.get_by_label("Code from your authenticator app").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.get_by_text("The code is not right, or has expired").first).to_be_visible()
    assert_accessible(page)

    page.wait_for_timeout(1_100)  # django-otp waits a second after a wrong code
    code = f"{totp(base64.b32decode(secret)):06d}"
    page.get_by_label("Code from your authenticator app").fill(code)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    assert_accessible(page)
    codes = page.locator("ol .app-secret").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="I have kept my codes: continue").click()
    expect(page.get_by_role("heading", name="Your tasks")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    _password(page, email)
    expect(
        page.get_by_role("heading", name="Enter the code from your authenticator app")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Sign in with a recovery code").click()
    expect(page.get_by_role("heading", name="Sign in with a recovery code")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Recovery code").fill("NOT-A-REAL-CODE")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert page.get_by_label("Recovery code").input_value() == "NOT-A-REAL-CODE"  # kept
    assert_accessible(page)
    page.get_by_label("Recovery code").fill(codes[3].lower())
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Your tasks")).to_be_visible()
    expect(page.get_by_text("You have 9 left")).to_be_visible()
    assert_accessible(page)

    page.goto("/account/two-factor/")
    expect(page.get_by_text("9 of 10 not yet used")).to_be_visible()
    assert_accessible(page)


def test_a_coordinator_resets_a_members_second_factor(page, live_world):
    from membership import services

    services.second_factor_enrol(user=live_world.member, key="31" * 20)
    sign_in(page, live_world.coordinator.email, PASSWORD, then=None)
    p, b, pk = live_world.partnership.slug, live_world.board.slug, live_world.member_membership.pk
    page.goto(f"/p/{p}/bodies/{b}/members/{pk}/")
    page.get_by_role("link", name="Reset their second factor").click()
    expect(page.get_by_role("heading", name=re.compile("second factor"))).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Reset second factor").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()  # their own password first
    assert_accessible(page)
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Reset second factor").click()
    expect(page.get_by_text("second factor has been reset")).to_be_visible()
    expect(page.get_by_text("has not set up an authenticator app yet")).to_be_visible()
    assert_accessible(page)
