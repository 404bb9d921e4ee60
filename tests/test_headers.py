"""Every response's security headers, on a sample of public and signed-in pages, scored by the
rules of Mozilla's HTTP Observatory that can be read from the headers alone; and the report of
a Content-Security-Policy breach is logged. (The browser tests check the policy from the other
side: every page they open fails if the policy refused anything on it.)"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

PUBLIC = ["home", "login", "password_reset"]
SIGNED_IN = ["account:home", "account:tasks", "account:password_change"]


def _csp(response) -> dict[str, list[str]]:
    policy = {}
    for directive in response["Content-Security-Policy"].split(";"):
        name, *values = directive.split()
        policy[name] = values
    return policy


def observatory(response) -> list[str]:
    """What the Observatory would mark down (an empty list is an A+): its tests for the
    Content-Security-Policy, framing, MIME sniffing, referrer, and cross-origin isolation."""
    faults = []
    if "Content-Security-Policy" not in response:
        return ["no Content-Security-Policy"]
    policy = _csp(response)
    for directive in ("script-src", "style-src", "default-src"):
        values = policy.get(directive, policy.get("default-src", []))
        if any(v in values for v in ("'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:")):
            faults.append(f"{directive} is not strict: {values}")
    if policy.get("default-src") not in (["'none'"], ["'self'"]):
        faults.append("default-src is neither 'none' nor 'self'")
    for directive, wanted in {
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }.items():
        if policy.get(directive) != wanted:
            faults.append(f"{directive} is not {wanted}")
    if response.get("X-Content-Type-Options") != "nosniff":
        faults.append("no X-Content-Type-Options: nosniff")
    if response.get("X-Frame-Options") != "DENY":
        faults.append("no X-Frame-Options: DENY")
    if response.get("Referrer-Policy") not in (
        "no-referrer",
        "same-origin",
        "strict-origin",
        "strict-origin-when-cross-origin",
    ):
        faults.append("a referrer policy that leaks paths across origins")
    if response.get("Cross-Origin-Opener-Policy") != "same-origin":
        faults.append("no Cross-Origin-Opener-Policy: same-origin")
    if "camera=()" not in response.get("Permissions-Policy", ""):
        faults.append("no Permissions-Policy turning off what is not used")
    return faults


@pytest.mark.parametrize("name", PUBLIC)
def test_public_pages_score_an_a_plus_and_may_be_cached(client, db, name):
    response = client.get(reverse(name), follow=name == "home")
    assert response.status_code == 200
    assert observatory(response) == []
    assert response.get("Cache-Control") != "no-store"


@pytest.mark.parametrize("name", SIGNED_IN)
def test_signed_in_pages_score_an_a_plus_and_are_never_stored(client, world, name):
    client.force_login(world.member)
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert observatory(response) == []
    assert "no-store" in response["Cache-Control"]


def test_a_signed_in_download_is_never_stored(client, world):
    from governance import services as gs
    from tests.governance.helpers import pdf_bytes, schedule

    meeting = schedule(world, days=10)
    item = gs.item_add(actor=world.coordinator, meeting=meeting, title="Budget")
    paper = gs.paper_add(
        actor=world.coordinator,
        item=item,
        title="Budget",
        owner=world.member,
        upload=("budget.pdf", pdf_bytes()),
    )
    client.force_login(world.coordinator)
    url = reverse(
        "governance:paper_file",
        kwargs={"partnership": world.partnership.slug, "pk": meeting.pk, "paper": paper.pk},
    )
    response = client.get(url)
    response.close()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_a_breach_reported_by_a_browser_is_logged(client, db, caplog):
    report = {
        "csp-report": {
            "document-uri": "https://partnership.example/account/",
            "violated-directive": "script-src-elem",
            "blocked-uri": "inline",
        }
    }
    with caplog.at_level("WARNING", logger="partnership.csp"):
        response = client.post(
            reverse("csp_report"), json.dumps(report), content_type="application/csp-report"
        )
    assert response.status_code == 204
    assert "CSP breach: script-src-elem blocked inline on https://partnership.example/account/" in (
        caplog.text
    )


def test_a_report_that_is_not_json_is_answered_and_logged_as_unknown(client, db, caplog):
    with caplog.at_level("WARNING", logger="partnership.csp"):
        assert (
            client.post(reverse("csp_report"), b"\xff", content_type="text/plain").status_code
            == 204
        )
    assert "CSP breach: ? blocked ?" in caplog.text


@pytest.mark.parametrize("method", ["TRACE", "TRACK"])
def test_trace_is_refused_everywhere(client, db, method):
    for path in ("/", "/about/privacy/", reverse("login")):
        response = client.generic(method, path)
        assert response.status_code == 405, path
        assert response.content == b""


def test_the_admins_history_page_has_no_inline_style_for_the_policy_to_refuse(client, world):
    from membership.models import User

    root = User.objects.create_superuser("root@example.org", "x", full_name="Root")
    client.force_login(root)
    page = client.get(reverse("admin:membership_user_history", args=[world.member.pk]))
    assert page.status_code == 200
    assert 'style="' not in page.content.decode()
