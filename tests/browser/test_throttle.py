"""Throttled sign-in in the browser: five wrong passwords and the account is locked out, the
right password included, on a page that says how long to wait; too many password resets from
one address, a page that says when to try again. axe-core on both."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def _try(page, email, password):
    page.goto("/accounts/sign-in/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_a_locked_out_account_is_told_how_long_to_wait(page, live_world):
    email = live_world.member.email
    for _ in range(4):
        _try(page, email, "not the password")
        expect(
            page.get_by_text("Enter a correct e-mail address and password").first
        ).to_be_visible()
    _try(page, email, "not the password")
    _try(page, email, PASSWORD)
    expect(page.get_by_role("heading", name="Too many wrong passwords")).to_be_visible()
    expect(page.get_by_text("for 15 minutes")).to_be_visible()
    assert_accessible(page)


def test_too_many_resets_from_one_address_are_refused_with_when_to_try_again(page, live_world):
    for i in range(11):
        page.goto("/accounts/password-reset/")
        page.get_by_label("E-mail address").fill(f"person{i}@example.org")
        page.get_by_role("button").filter(has_text="Send").click()
    expect(page.get_by_role("heading", name="Too many attempts")).to_be_visible()
    expect(page.get_by_text("Try again after")).to_be_visible()
    assert_accessible(page)
