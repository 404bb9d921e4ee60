"""Every page meant for the public is reachable from ``/`` by following links.

The demo (as ``make demo`` loads it) is crawled as the public with Django's test client: GET
only, every internal link of every HTML page, at most a few pages of each named URL (a
meeting's page is a meeting's page: the twentieth adds nothing but time). Every named URL
meant to be public must be reached; the ones deliberately out of the public's reach are
listed in ``NOT_PUBLIC`` with the reason each.
"""

from __future__ import annotations

from collections import Counter, deque
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse

from membership.models import Election
from partnership.models import Partnership
from performance.services import risk_settings_update
from tests.test_url_access import drain

# Pages of one named URL visited at most (their links are alike).
PER_NAME = 6

SIGN_IN = "the person's own page: sign-in only"
MEMBER = "a member's own step (declaring, voting, signing, replying): sign-in only"
COORDINATOR = "a co-ordinator's page or step: sign-in only, refused to others"
CHAIR = "the chair's step: sign-in only"
LEAD = "the governance lead's page or step: sign-in only"
INSIDERS = "the body's own business (members and officers only), never the public's"
RETURNS = "a return is its writers' and the body's insiders' until reported"
REPORTS = "a report being written or approved: its writers' and approvers'"
RISKS = "the risk registers are the insiders'; the public get the summary (reached)"
POST = "POST only: a button on a page of its own"
KEY_PARTNERSHIPS = "the register's keepers' steps and its readers' files, never the public's"
AGREEMENTS = "commissioning agreements hold prices and people: their body's insiders only"


def _each(reason: str, *names: str) -> dict[str, str]:
    return dict.fromkeys(names, reason)


NOT_PUBLIC: dict[str, str] = {
    "admin": "Django's admin: staff only, never linked",
    "logout": POST,
    "csp_report": "where browsers POST reports of Content-Security-Policy breaches",
    "password_reset_confirm": "reached from the e-mailed link, with its token",
    "password_reset_done": "shown after asking for a reset (a POST)",
    "password_reset_complete": "shown after setting a new password (a POST)",
    "partnership:alerts_check_email": "shown after asking for e-mail alerts (a POST)",
    "partnership:alerts_confirm": "reached from the e-mailed link, with its secret",
    "partnership:alerts_unsubscribe": "reached from an alert's link, with its token",
    "partnership:news_publish": POST,
    "notifications:unsubscribe": "reached from an e-mail's one-click link, with its token",
    **_each(
        SIGN_IN,
        "account:home",
        "account:profile",
        "account:tasks",
        "account:password_change",
        "account:sign_out_everywhere",
        "account:two_factor",
        "account:training",
        "account:training_remove",
        "account:two_factor_recovery_codes_new",
        "notifications:preferences",
        "notifications:messages",
        "two_factor",
        "two_factor_recovery",
        "two_factor_set_up",
        "two_factor_recovery_codes",
        "membership:second_factor_reset",
        "my_meetings",
        "my_registers_any",
        "my_returns",
        "governance:my_registers",
    ),
    **_each(
        MEMBER,
        "governance:apologies",
        "governance:interest_create",
        "governance:declaration_create",
        "governance:declaration_update",
        "governance:declaration_end",
        "governance:declaration_from_meeting",
        "governance:gift_create",
        "governance:register_confirm",
        "governance:ruling_dispute",
        "membership:agreement_sign",
        "membership:ballot",
        "membership:candidate_propose",
        "membership:candidate_second",
        "membership:candidate_respond",
        "membership:election_counting",
    ),
    **_each(
        COORDINATOR,
        "membership:training_create",
        *(f"membership:restructure{s}" for s in ("", "_members", "_things", "_confirm")),
        *("membership:review_list", "membership:review_open", "membership:review_detail"),
        "governance:meeting_create",
        "governance:meeting_edit",
        "governance:meeting_publish",
        "governance:meeting_cancel",
        "governance:item_create",
        "governance:item_edit",
        "governance:item_move",
        "governance:paper_create",
        "governance:paper_edit",
        "governance:papers_circulate",
        "governance:attendance",
        "governance:attendance_report",
        "governance:action_create",
        "governance:action_done",
        "governance:minutes_edit",
        "governance:minutes_correct",
        "governance:register_export",
        "governance:register_settings",
        "membership:agreement_signatures",
        "membership:appointment_list",
        "membership:appointment_end",
        "membership:body_close",
        "membership:seat_create",
        "membership:seat_edit",
        "membership:membership_create",
        "membership:membership_detail",
        "membership:membership_end",
        "membership:election_create",
        "membership:election_close",
        "membership:election_cancel",
        "membership:election_reballot",
        "membership:election_officers",
        "membership:election_void",
        "membership:election_rerun",
        "partnership:body_create",
        "partnership:body_edit",
        "partnership:organisation_create",
        "partnership:organisation_edit",
        "performance:outcome_create",
        "performance:outcome_edit",
        "performance:plan_action_create",
        "performance:plan_action_edit",
        "performance:indicator_create",
        "performance:indicator_edit",
        "performance:indicator_import",
        "performance:indicator_export",
        "performance:targets_edit",
        "performance:deadlines",
        "performance:board_report_create",
        "performance:exception_report_create",
        "partnership:news_create",
        "partnership:news_edit",
        "governance:library_create",
        "governance:body_library_create",
        "governance:library_document_edit",
        "governance:library_document_withdraw",
        "governance:library_version_create",
        "governance:paper_supplementary_create",
    ),
    **_each(CHAIR, "governance:minutes_review", "governance:ruling_create"),
    "membership:review_sheet": "a member's review sheet: the chair's, co-ordinators' and theirs",
    **_each(
        LEAD,
        "governance:dispute_list",
        "governance:ruling_settle",
        "membership:agreement_upload",
        "membership:agreement_issue",
        "partnership:page_edit",
    ),
    "governance:declaration": INSIDERS + " (the public read the register's entries)",
    **_each(INSIDERS, "governance:proposals", "governance:proposal", "governance:proposal_create"),
    "governance:proposal_withdraw": POST,
    **_each(
        RETURNS,
        "performance:body_returns",
        "performance:return",
        "performance:return_rating",
        "performance:return_sign_off",
        "performance:return_send_back",
        "performance:return_reopen",
        "performance:return_delegate",
    ),
    **_each(
        REPORTS,
        "performance:report_edit",
        "performance:report_submit",
        "performance:report_review",
        "performance:report_rebuild",
        "performance:report_render",
        "performance:report_publish",
        "performance:report_add_to_meeting",
    ),
    **_each(
        RISKS,
        "performance:risk_list",
        "performance:risk_heat_map",
        "performance:risk_settings",
        "performance:body_risks",
        "performance:risk_create",
        "performance:risk_appetite",
        "performance:risk",
        "performance:risk_edit",
        "performance:risk_close",
        "performance:risk_review",
        "performance:risk_accept",
        "performance:risk_control_create",
        "performance:risk_control_edit",
        "performance:risk_export",
        "performance:risk_import",
        "performance:risk_register_pdf",
    ),
    **_each(
        KEY_PARTNERSHIPS,
        "performance:key_partnership_create",
        "performance:key_partnership_edit",
        "performance:key_partnership_end",
        "performance:key_partnership_settings",
        "performance:key_partnership_mou",
        "performance:key_partnership_register_pdf",
        "performance:key_partnership_review_create",
        "performance:key_partnership_review",
        "performance:key_partnership_action_done",
    ),
    **_each(
        AGREEMENTS,
        "performance:agreement_list",
        "performance:agreement_create",
        "performance:agreement_export",
        "performance:agreement",
        "performance:agreement_edit",
        "performance:agreement_review",
    ),
}


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _internal(base: str, href: str) -> str | None:
    url = urljoin(base, href.split("#", 1)[0])
    parts = urlsplit(url)
    if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
        return None
    if not parts.path:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def crawl(client: Client, start: str = "/") -> tuple[set[str], list[str]]:
    """The view names reached from ``start`` and the links that failed."""
    reached: set[str] = set()
    failures: list[str] = []
    seen: set[str] = set()
    per_name: Counter[str] = Counter()
    queue = deque([start])
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        try:
            name = resolve(urlsplit(url).path).view_name
        except Resolver404:
            failures.append(f"{url}: no such page")
            continue
        if per_name[name] >= PER_NAME:
            continue
        per_name[name] += 1
        response = client.get(url)
        body = drain(response)
        if response.status_code in (301, 302):
            location = _internal(url, response["Location"]) or "/"
            if not location.startswith(reverse("login")):
                reached.add(name)  # a page sending the public to sign in is not reached
            queue.append(location)
            continue
        if response.status_code != 200:
            failures.append(f"{url}: {response.status_code}")
            continue
        reached.add(name)
        if response.get("Content-Type", "").startswith("text/html"):
            parser = _Links()
            parser.feed(body.decode())
            for href in parser.hrefs:
                link = _internal(url, href)
                if link and link not in seen:
                    queue.append(link)
    return reached, failures


def all_view_names() -> set[str]:
    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
                if p.app_name == "admin":
                    yield "admin"
                    continue
                yield from walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern) and p.name:
                yield f"{prefix}{p.name}"

    return set(walk(get_resolver().url_patterns))


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The whole demo, once for the module, undone at its end. Its counting codes file goes
    to a folder of the test's own, never the developer's var directory."""
    from django.test import override_settings

    from partnership.storage import private_storage

    with (
        django_db_blocker.unblock(),
        override_settings(VAR_DIR=tmp_path_factory.mktemp("var")),
    ):
        location = private_storage.__dict__.get("_location")
        folder = str(tmp_path_factory.mktemp("private"))
        private_storage._location = folder
        for cached in ("base_location", "location"):
            private_storage.__dict__.pop(cached, None)
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            for command in (
                "load_demo",
                "load_demo_meetings",
                "load_demo_performance",
                "load_demo_risks",
                "load_demo_reports",
                "load_demo_key_partnerships",
                "load_demo_elections",
                "load_demo_restructure",
                "load_demo_reviews",
                "load_demo_news",
                "load_demo_library",
            ):
                call_command(command, "--force", stdout=StringIO())
            # The public's summary of the risk registers exists once the partnership
            # publishes it: the demo's does, here.
            risk_settings_update(
                actor=None, partnership=Partnership.objects.get(slug="demo"), publish_summary=True
            )
            yield folder
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            private_storage._location = location
            for cached in ("base_location", "location"):
                private_storage.__dict__.pop(cached, None)


@pytest.fixture
def private_media(demo, monkeypatch):
    """The demo's files stay where the demo put them (tests/conftest.py gives each test a
    folder of its own)."""
    from partnership.storage import private_storage

    monkeypatch.setattr(private_storage, "_location", demo)
    for cached in ("base_location", "location"):
        private_storage.__dict__.pop(cached, None)
    yield demo
    for cached in ("base_location", "location"):
        private_storage.__dict__.pop(cached, None)


def test_the_public_reach_every_public_page_from_the_home_page(demo, db):
    reached, failures = crawl(Client())
    # The crawl opens only the first few pages of each kind; the demo's counted election (and
    # so its bulletin board) sits on a body further down the list, so it is a second start.
    counted = Election.objects.get(status="closed", tally__isnull=False)
    more, more_failures = crawl(
        Client(),
        start=reverse(
            "membership:election_detail",
            kwargs={
                "partnership": counted.body.partnership.slug,
                "body": counted.body.slug,
                "pk": counted.pk,
            },
        ),
    )
    reached |= more
    failures += more_failures
    assert failures == []
    unknown = set(NOT_PUBLIC) - all_view_names()
    assert unknown == set(), "NOT_PUBLIC names a URL that does not exist"
    # The two pages the review found unreachable, by name, whatever else changes.
    assert {"governance:meeting_list", "partnership:search"} <= reached
    assert all_view_names() - set(NOT_PUBLIC) - reached == set()
    # And nothing listed as out of reach was reached after all.
    assert reached & set(NOT_PUBLIC) - {"password_reset_done"} == set()
