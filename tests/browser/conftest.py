"""Playwright driving Debian's Chromium against pytest-django's live server, with axe-core.

Chromium is /usr/bin/chromium (apt-get install chromium); Playwright's own browser download
does not work on our machines and is never used.
"""

import json
import os
from functools import cache
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-gpu",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    # Every page of every browser test is also a test of the Content-Security-Policy: a script,
    # style or image the policy refused is reported on the console, and fails the test.
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    assert refused == [], f"refused by the Content-Security-Policy: {refused}"


@cache
def _axe_source() -> str:
    return AXE.read_text() + "\n;undefined"


# Only the violations are asked for (``resultTypes``): axe still runs every rule of the tags
# on every node, but builds selectors for one node only of each pass, incomplete and
# inapplicable result, which nothing here reads; each violation keeps all its nodes. Only
# what the assertion reports crosses back from the page, not axe's whole result.
AXE_RUN = """async (tags) => {
    const result = await axe.run(document, {
        runOnly: {type: 'tag', values: tags},
        resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({
        id: v.id, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target),
    }));
}"""


def assert_accessible(page) -> None:
    """Run axe-core on the page as it is now: WCAG 2.2 AA, zero violations."""
    # A click that follows a link returns once the next page starts loading: wait until it
    # has, or axe is injected into a document that has no body yet.
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, which the page's Content-Security-Policy
        # does not govern: a <script> tag of axe's source would be refused as inline script.
        page.evaluate(_axe_source())
    violations = page.evaluate(AXE_RUN, WCAG_22_AA)
    assert violations == [], f"{page.url}: {json.dumps(violations, indent=1)}"


# RFC 6238's own test secret ("12345678901234567890"): every browser test's authenticator.
TOTP_KEY = "3132333435363738393031323334353637383930"


def enter_totp_code(page, email: str) -> None:
    """Type the code the person's authenticator app would show now. The device's record of
    the last code used is cleared first, so a test may sign the same person in twice within
    one 30-second step (a real person would wait for the next code)."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__email=email, confirmed=True)
    TOTPDevice.objects.filter(pk=device.pk).update(
        last_t=-1, throttling_failure_count=0, throttling_failure_timestamp=None
    )
    page.get_by_label("Code from your authenticator app").fill(f"{totp(device.bin_key):06d}")
    page.keyboard.press("Enter")


def sign_in(page, email: str, password: str, *, then: str | None = "/account/") -> None:
    """Sign in with the keyboard, as a screen-reader or keyboard user would: the password,
    then the code from an authenticator app (set up beforehand with ``TOTP_KEY`` for anyone
    who has none). Sign-in lands on "Your tasks"; then, by default, the account page (where
    the older journeys start)."""
    from membership import services
    from membership.models import User

    user = User.objects.get(email=email)
    if user.second_factor_since is None:
        services.second_factor_enrol(user=user, key=TOTP_KEY)
    page.goto("/accounts/sign-in/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.keyboard.press("Enter")
    page.wait_for_url("**/accounts/two-factor/**")
    enter_totp_code(page, email)
    page.wait_for_url("**/account/tasks/")
    if then:
        page.goto(then)


@pytest.fixture
def live_perf(live_world):
    """The performance fixture of tests/performance/conftest.py, committed, for the browser."""
    from tests.performance.conftest import build_performance

    return build_performance(live_world)
