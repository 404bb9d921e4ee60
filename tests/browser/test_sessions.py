"""Signing out everywhere in the browser: signed in on two devices, the member signs out
everywhere on one; the other is sent to sign in at its next click. Changing the password keeps
this device signed in. axe-core on both pages, and on the password form's error state."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_sign_out_everywhere_signs_out_the_other_device(page, browser, live_server, live_world):
    email = live_world.member.email
    other = browser.new_context(base_url=live_server.url, locale="en-GB").new_page()
    sign_in(other, email, PASSWORD)
    sign_in(page, email, PASSWORD)

    page.get_by_role("link", name="Sign out everywhere").click()
    expect(page.get_by_role("heading", name="Sign out everywhere")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Sign out everywhere").click()
    expect(page.get_by_text("You have been signed out everywhere")).to_be_visible()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    other.goto("/account/")
    expect(other.get_by_role("heading", name="Sign in")).to_be_visible()
    other.context.close()


def test_changing_the_password_keeps_this_device_signed_in(page, live_world):
    sign_in(page, live_world.member.email, PASSWORD)
    page.get_by_role("link", name="Change your password").click()
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(page)
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill("a much longer passphrase 2026")
    page.get_by_label("Confirm new password").fill("a much longer passphrase 2026")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Your password has been changed")).to_be_visible()
    page.goto("/account/tasks/")
    expect(page.get_by_role("heading", name="Your tasks")).to_be_visible()
