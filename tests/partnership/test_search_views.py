"""The search page: who may use it, its form and errors, paging and the queries it costs, the
header box that leads to it, and the confidential-marker sweep: for every role, exactly what
the existing selectors let them see is found, and nothing else."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from governance import services as gs
from governance.models import DocumentVersion, LibraryDocument, MinuteEntry
from governance.selectors.library import document_visible
from governance.selectors.meetings import (
    get_meeting_or_404,
    items_visible,
    minute_entries,
    minutes_visible,
    paper_visible,
)
from membership.models import User
from partnership.models import Body, SearchAudience, SearchEntry, SearchKind
from partnership.search.indexing import rebuild
from performance import services as perf_services
from performance.models import Indicator
from performance.selectors.dashboards import viewer_for
from tests.governance.helpers import build_meetings, schedule
from tests.test_url_access import ROLES, _check, _client_for, drain

SEARCH_URLS = {"partnership:search"}


def search_url(world) -> str:
    return reverse("partnership:search", kwargs={"partnership": world.partnership.slug})


def page_for(client, world, **params):
    return client.get(search_url(world), params)


_next_id = iter(range(50_000, 900_000))


def entry(world, title, text="", **fields):
    return SearchEntry(
        partnership=world.partnership,
        content_type=ContentType.objects.get_for_model(Body),
        object_id=next(_next_id),
        kind=fields.pop("kind", SearchKind.PAPER),
        title=title,
        text=text,
        url=f"/somewhere/{title[:12]}",
        audience=fields.pop("audience", SearchAudience.PUBLIC),
        **fields,
    )


# --- every role -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_everyone_may_search(role, client, world):
    client = _client_for(client, world, role)
    for params in ({}, {"q": "board"}, {"q": "board", "type": "body", "page": "2"}):
        _check(client.get(search_url(world), params), 200, search_url(world))


def test_every_search_url_is_exercised():
    # The matrix of tests/test_url_access.py reads SEARCH_URLS; each is fetched above.
    assert {"partnership:search"} == SEARCH_URLS


def test_an_unknown_partnership_is_not_found(client, world):
    assert (
        client.get(reverse("partnership:search", kwargs={"partnership": "nowhere"})).status_code
        == 404
    )


# --- the page -----------------------------------------------------------------------------------


def test_the_header_box_on_every_partnership_page_leads_here(client, world):
    html = client.get(reverse("membership:structure", kwargs={"partnership": "testshire"}))
    html = html.content.decode()
    assert f'action="{search_url(world)}"' in html
    assert 'id="site-search"' in html
    # The search page has its own box, and no second one in the header.
    html = client.get(search_url(world)).content.decode()
    assert 'id="site-search"' not in html
    assert html.count('type="search"') == 1


def test_results_show_type_body_date_title_and_marked_snippet(client, world):
    SearchEntry.objects.bulk_create(
        [
            entry(
                world,
                "Youth services review",
                "The review of youth services found gaps.",
                body=world.board,
                on_date=date(2026, 4, 1),
            )
        ]
    )
    html = page_for(client, world, q="youth").content.decode()
    assert "1 result for “youth”" in html
    assert "Paper · Board · 1 April 2026" in html
    assert "<mark>Youth</mark> services review" in html
    assert "<mark>youth</mark> services found gaps" in html
    assert 'href="/somewhere/Youth servic"' in html


def test_no_results_says_what_to_try(client, world):
    html = page_for(client, world, q="zebra").content.decode()
    assert "No results for “zebra”" in html
    assert "fewer or different words" in html


def test_the_query_is_escaped_wherever_it_is_shown(client, world):
    response = page_for(client, world, q='<script>alert("x")</script>')
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html


def test_a_date_range_backwards_is_an_error_next_to_the_field_and_in_the_summary(client, world):
    params = {
        "q": "board",
        "date_from_day": "1",
        "date_from_month": "4",
        "date_from_year": "2026",
        "date_to_day": "1",
        "date_to_month": "3",
        "date_to_year": "2026",
    }
    response = page_for(client, world, **params)
    html = response.content.decode()
    message = "The ‘to’ date must be the same as or after the ‘from’ date"
    assert html.count(message) == 2  # beside the field, and in the summary
    assert '<a href="#id_date_to_day">' in html
    assert "<title>Error: Search" in html
    # Nothing typed is lost.
    assert 'value="board"' in html and 'value="2026"' in html
    assert response.context["results"] is None


def test_a_date_that_is_not_real_is_an_error(client, world):
    response = page_for(
        client,
        world,
        q="board",
        date_from_day="31",
        date_from_month="2",
        date_from_year="2026",
    )
    assert "From must be a real date" in response.content.decode()


def test_filters_without_words_ask_for_the_words_keeping_the_filters(client, world):
    response = page_for(client, world, q="", type="paper")
    html = response.content.decode()
    message = "Enter the words to search for, then filter the results"
    assert html.count(message) == 2  # beside the box, and in the summary
    assert '<option value="paper" selected>' in html
    assert response.context["results"] is None


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("-parks -dogs", "Enter a word to search for, not only words to leave out"),
        ("!!! ???", "Enter a word to search for: letters or numbers"),
    ],
)
def test_a_query_without_a_word_to_find_is_an_error(client, world, q, message):
    response = page_for(client, world, q=q)
    html = response.content.decode()
    assert html.count(message) == 2
    assert response.context["results"] is None
    assert f'value="{q}"' in html


def test_an_unknown_type_or_body_is_an_error(client, world):
    response = page_for(client, world, q="board", type="spells", body="nowhere")
    errors = response.context["form"].errors
    assert set(errors) == {"type", "body"}


def test_filters_keep_their_choices_and_open_their_panel(client, world):
    html = page_for(client, world, q="board", type="body", body=world.group.slug)
    html = html.content.decode()
    assert 'id="search-filters" open' in html
    assert '<option value="body" selected>' in html
    assert f'<option value="{world.group.slug}" selected>' in html
    html = page_for(client, world, q="board").content.decode()
    assert 'id="search-filters" open' not in html


def test_the_pages_link_to_each_other_keeping_the_query(client, world):
    SearchEntry.objects.bulk_create([entry(world, f"Parks {n}") for n in range(45)])
    html = page_for(client, world, q="parks", page="2").content.decode()
    assert "45 results" in html
    assert 'href="?q=parks&amp;page=3#results"' in html
    assert 'href="?q=parks&amp;page=1#results"' in html


@pytest.mark.parametrize("role", ["anonymous", "member", "group_coordinator", "coordinator"])
def test_the_queries_are_the_same_for_ten_results_and_two_hundred(
    role, client, world, django_assert_num_queries
):
    client = _client_for(client, world, role)
    page_for(client, world, q="warm up")  # the session and content types, once

    def count(n: int) -> int:
        SearchEntry.objects.all().delete()
        SearchEntry.objects.bulk_create(
            [
                entry(
                    world,
                    f"Parks {i}",
                    "Parks and open spaces",
                    body=world.group if i % 2 else None,
                    on_date=date(2026, 1, 1) + timedelta(days=i),
                    audience=SearchAudience.MEMBERS if i % 3 == 0 else SearchAudience.PUBLIC,
                )
                for i in range(n)
            ]
        )
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            response = page_for(client, world, q="parks")
        assert response.status_code == 200
        assert response.context["results"].total > 0
        return len(queries)

    ten, two_hundred = count(10), count(200)
    assert ten == two_hundred
    with django_assert_num_queries(ten):
        page_for(client, world, q="parks")


# --- the confidential-marker sweep ----------------------------------------------------------------


@pytest.fixture
def planted(world, today, django_capture_on_commit_callbacks):
    """Markers in what only some may see, built through the services and indexed by the
    hooks as they were saved (the world itself by a rebuild first)."""
    rebuild()
    with django_capture_on_commit_callbacks(execute=True):
        g = build_meetings(world)
        actor = world.coordinator
        item = gs.item_add(
            actor=actor,
            meeting=g.upcoming,
            title="Contract award SECRETSEARCHITEM",
            confidential=True,
            confidential_reason="Commercially sensitive",
        )
        paper = gs.paper_add(
            actor=actor,
            item=g.public_item,
            title="Costings",
            owner=world.member,
            main_issues="Supplier prices SECRETSEARCHPAPER",
            confidential=True,
            confidential_reason="Commercially sensitive",
        )
        from tests.governance.helpers import pdf_bytes

        gs.paper_update(actor=actor, paper=paper, upload=("costs.pdf", pdf_bytes()))
        gs.papers_circulate(actor=actor, meeting=g.upcoming)
        held = schedule(world, days=-3)
        held_item = gs.item_add(actor=actor, meeting=held, title="Parks strategy")
        gs.meeting_publish(actor=actor, meeting=held)
        draft = gs.minutes_start(actor=actor, meeting=held)
        gs.minutes_save(
            actor=actor,
            minutes=draft,
            entries={held_item.pk: ("Draft words SECRETSEARCHDRAFT", "")},
        )
        indicator = perf_services.indicator_create(
            actor=None,
            partnership=world.partnership,
            body=world.group,
            code="SS01",
            title="Repeat victims SECRETSEARCHKPI",
            unit="number",
            polarity="lower",
            lead=world.member,
        )
        document = LibraryDocument.objects.create(
            partnership=world.partnership,
            body=world.board,
            title="Board handbook SECRETSEARCHDOC",
            doc_type="policy",
            members_only=True,
        )
        DocumentVersion.objects.create(
            document=document,
            version="1",
            issued_on=today,
            file="library/handbook.pdf",
            file_name="handbook.pdf",
            file_type="pdf",
            file_size=10,
            text="Members' rules",
        )
        partnership_document = LibraryDocument.objects.create(
            partnership=world.partnership,
            title="Partnership handbook SECRETSEARCHPDOC",
            doc_type="policy",
            members_only=True,
        )
        DocumentVersion.objects.create(
            document=partnership_document,
            version="1",
            issued_on=today,
            file="library/phandbook.pdf",
            file_name="phandbook.pdf",
            file_type="pdf",
            file_size=10,
            text="Partners' rules",
        )
        world.member.phone = "0123 SECRETSEARCHPHONE"
        world.member.save()
    approved_secret = MinuteEntry.objects.get(minutes__meeting=g.past, item=g.past_secret)
    return {
        # Approved minutes (and a decision) of a confidential item.
        "SECRETMINUTE": ("minutes", g.past, approved_secret),
        "SECRETDECISION": ("minutes", g.past, approved_secret),
        # The business of a meeting whose agenda is not yet published.
        "SECRETDRAFT": ("item", g.draft, g.draft_item),
        "SECRETSEARCHPDOC": ("document", None, partnership_document),
        "SECRETSEARCHITEM": ("item", g.upcoming, item),
        "SECRETSEARCHPAPER": ("paper", g.upcoming, paper),
        "SECRETSEARCHDRAFT": (
            "minutes",
            held,
            MinuteEntry.objects.get(minutes=draft, item=held_item),
        ),
        "SECRETSEARCHKPI": ("indicator", None, indicator),
        "SECRETSEARCHDOC": ("document", None, document),
        "SECRETSEARCHPHONE": ("contact", None, world.member),
    }


def allowed_by_selectors(world, role, what, meeting, record) -> bool:
    """Whether the existing selectors let ``role`` see the record (a fresh user: rights are
    loaded once per request)."""
    user = AnonymousUser() if role == "anonymous" else User.objects.get(pk=getattr(world, role).pk)
    slug = world.partnership.slug
    if what in ("item", "paper", "minutes"):
        from django.http import Http404

        try:
            meeting, access = get_meeting_or_404(user, slug, meeting.pk)
        except Http404:
            return False
        if what == "item":
            return items_visible(meeting.items.filter(pk=record.pk), access).exists()
        if what == "paper":
            return paper_visible(record, access)
        return any(
            record in minute_entries(minutes=m, access=access)
            for m in minutes_visible(meeting=meeting, access=access)
        )
    if what == "indicator":
        viewer = viewer_for(user, world.partnership)
        return Indicator.objects.filter(viewer.indicators(), pk=record.pk).exists()
    if what == "document":
        return document_visible(record, user=user)
    return False  # contact details are never searched


EXPECTED = {
    "SECRETMINUTE": {"member", "chair", "coordinator"},
    "SECRETDECISION": {"member", "chair", "coordinator"},
    "SECRETDRAFT": {"chair", "coordinator"},
    "SECRETSEARCHPDOC": {"other_member", "member", "chair", "group_coordinator", "coordinator"},
    "SECRETSEARCHITEM": {"member", "chair", "coordinator"},
    "SECRETSEARCHPAPER": {"member", "chair", "coordinator"},
    "SECRETSEARCHDRAFT": {"chair", "coordinator"},
    "SECRETSEARCHKPI": {"member", "group_coordinator", "coordinator"},
    "SECRETSEARCHDOC": {"member", "chair", "coordinator"},
    "SECRETSEARCHPHONE": set(),
}


def test_the_expected_finders_are_those_the_selectors_allow(world, planted):
    for marker, (what, meeting, record) in planted.items():
        allowed = {r for r in ROLES if allowed_by_selectors(world, r, what, meeting, record)}
        assert allowed == EXPECTED[marker], marker


def found_in_results(response, marker: str) -> bool:
    """Whether a result (not the query shown back) holds the marker."""
    results = response.context["results"]
    hits = results.hits if results else []
    return any(marker in f"{h.entry.title} {h.entry.text} {h.title} {h.snippet}" for h in hits)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_finds_exactly_the_markers_it_may_see(role, client, world, planted):
    client = _client_for(client, world, role)
    for marker, finders in EXPECTED.items():
        assert found_in_results(page_for(client, world, q=marker), marker) == (role in finders)
    # Words shared by public and confidential records: only the allowed ones come back.
    for words in ("supplier prices", "contract award", "repeat victims", "handbook", "draft"):
        response = page_for(client, world, q=words)
        for marker, finders in EXPECTED.items():
            if role not in finders:
                assert not found_in_results(response, marker), (words, marker)
                assert marker.encode() not in drain(response), (words, marker)


def test_a_marker_made_public_is_then_found_by_everyone(
    client, world, planted, django_capture_on_commit_callbacks
):
    _, _, paper = planted["SECRETSEARCHPAPER"]
    with django_capture_on_commit_callbacks(execute=True):
        gs.paper_update(actor=world.coordinator, paper=paper, confidential=False)
    assert found_in_results(page_for(client, world, q="SECRETSEARCHPAPER"), "SECRETSEARCHPAPER")


def test_a_place_ended_leaves_the_index_at_once_and_one_ending_later_by_the_nightly_rebuild(
    world, planted, today, monkeypatch, django_capture_on_commit_callbacks
):
    def listed():
        return SearchEntry.objects.filter(kind=SearchKind.PERSON, title="Other Member").exists()

    assert listed()
    membership = world.other_membership
    # Ended today: its save drops it (no rebuild).
    with django_capture_on_commit_callbacks(execute=True):
        membership.ends_on = today
        membership.save(update_fields=["ends_on"])
    assert not listed()
    # Ending tomorrow: still held today, so found until the rebuild after its end.
    with django_capture_on_commit_callbacks(execute=True):
        membership.ends_on = today + timedelta(days=1)
        membership.save(update_fields=["ends_on"])
    assert listed()
    monkeypatch.setattr(timezone, "localdate", lambda *a: today + timedelta(days=1))
    rebuild()
    assert not listed()


def test_the_ladders_managers_rung_holds_for_chairs_since_a_chair_may_view_the_body_privately(
    world,
):
    """``governance.search.LADDER`` gives MANAGERS (those who run a body) a member's access:
    a chair is given view_private_body with their chair's right (rights sync), so what
    members may find a chair may find."""
    from partnership import permissions as perms

    chair = User.objects.get(pk=world.chair.pk)
    assert perms.can_chair_body(chair, world.board)
    assert perms.can_view_private_body(chair, world.board)
    assert world.board.pk in perms.ids_with(chair, "body", perms.VIEW_PRIVATE_BODY)


def test_news_is_found_once_published(world, django_capture_on_commit_callbacks):
    from partnership.models import NewsItem

    with django_capture_on_commit_callbacks(execute=True):
        story = NewsItem.objects.create(
            partnership=world.partnership, title="New parks", summary="Parks", text="Words"
        )
    assert not SearchEntry.objects.filter(kind=SearchKind.NEWS).exists()
    with django_capture_on_commit_callbacks(execute=True):
        story.published_at = timezone.now()
        story.save()
    (row,) = SearchEntry.objects.filter(kind=SearchKind.NEWS)
    assert row.audience == SearchAudience.PUBLIC and row.title == "New parks"


# --- the sweep for a performance report, internal and then public ------------------------------


def report_finders(world, report) -> set[str]:
    """The roles the report selectors let see ``report``: the public's list
    (``public_reports``) for everyone, else ``reports_for`` each (a fresh user each)."""
    from performance.selectors.reports import public_reports, reports_for

    if public_reports(world.partnership).filter(pk=report.pk).exists():
        return set(ROLES)
    finders = set()
    for role in ROLES:
        user = (
            AnonymousUser() if role == "anonymous" else User.objects.get(pk=getattr(world, role).pk)
        )
        if reports_for(user, world.partnership).filter(pk=report.pk).exists():
            finders.add(role)
    return finders


@pytest.fixture
def report_steps(world, monkeypatch, django_capture_on_commit_callbacks):
    """The Safer Group's exception report (its narrative holding SECRETSEARCHREPORT), taken
    through the services from a draft, to approved and on the Board's agenda not yet published
    (both internal), to public (the agenda published and its paper out, as ``public_reports``
    has it). Each step is indexed by the hooks as it is saved; each yields the report as it
    then is."""
    from governance.models import Paper
    from performance import services as ps
    from performance.models import Report
    from performance.services.reports.workflow import report_narrative_keys
    from tests.performance.conftest import build_performance
    from tests.performance.test_reports_exceptions import complete

    monkeypatch.setattr(
        "performance.services.reports.rendering.report_render_later",
        lambda report, *, requested_by=None: None,
        raising=False,
    )
    rebuild()
    with django_capture_on_commit_callbacks(execute=True):
        perf = build_performance(world)
        meeting = schedule(world, days=21)
        Indicator.objects.filter(body=world.group).update(published=True)
        complete(perf, world, burglaries="120")
        report = perf_services.exception_report_draft(body=world.group, period=perf.period)
        keys = report_narrative_keys(report)
        report = ps.report_save_narrative(
            actor=world.chair, report=report, narrative={keys[0]: "Gritting SECRETSEARCHREPORT"}
        )

    def draft():
        return Report.objects.get(pk=report.pk)

    def approved():
        with django_capture_on_commit_callbacks(execute=True):
            ps.report_approve(actor=world.chair, report=draft())
        placed = Report.objects.select_related("agenda_item__meeting").get(pk=report.pk)
        assert placed.agenda_item.meeting == meeting  # on the Board's agenda, not yet out
        return placed

    def public():
        with django_capture_on_commit_callbacks(execute=True):
            gs.meeting_publish(actor=world.coordinator, meeting=meeting)
            paper = Paper.objects.get(pk=draft().paper_id)
            paper.circulated_at = timezone.now()  # sent out (papers_circulate needs the PDF)
            paper.save()
        return draft()

    return {"draft": draft, "approved": approved, "public": public}


# What the report selectors are expected to give at each step (asserted against them below, so
# that the sweep, which compares the search with the selectors, cannot pass by both being empty).
REPORT_EXPECTED = {
    "draft": {"member", "chair", "group_coordinator", "coordinator"},
    "approved": {"member", "chair", "group_coordinator", "coordinator"},
    "public": set(ROLES),
}


def test_the_expected_report_finders_are_those_the_report_selectors_allow(world, report_steps):
    for state, step in report_steps.items():
        assert report_finders(world, step()) == REPORT_EXPECTED[state], state


@pytest.mark.parametrize("role", ROLES)
def test_each_role_finds_a_report_exactly_when_the_report_selectors_let_it_see_it(
    role, client, world, report_steps
):
    client = _client_for(client, world, role)
    for state, step in report_steps.items():
        report = step()
        may_see = role in report_finders(world, report)
        response = page_for(client, world, q="SECRETSEARCHREPORT")
        assert found_in_results(response, "SECRETSEARCHREPORT") == may_see, state
        # A word the report shares with others: the marker is not on the page for others.
        response = page_for(client, world, q="gritting")
        assert found_in_results(response, "SECRETSEARCHREPORT") == may_see, state
        if not may_see:
            assert b"SECRETSEARCHREPORT" not in drain(response), state


# --- the stale path of minutes: submitted, returned, approved, superseded ---------------------


def finders_by_search(client, world, markers, words=("parks", "advice")) -> dict[str, set]:
    """For each marker, the roles whose search finds it (each signed in afresh); and a role
    that does not find one never has it on a page of results for ``words`` either."""
    finders: dict[str, set] = {marker: set() for marker in markers}
    for role in ROLES:
        client.logout()
        _client_for(client, world, role)
        for marker in markers:
            if found_in_results(page_for(client, world, q=marker), marker):
                finders[marker].add(role)
        for word in words:
            page = drain(page_for(client, world, q=word))
            for marker in markers:
                if role not in finders[marker]:
                    assert marker.encode() not in page, (role, word, marker)
    client.logout()
    return finders


def finders_by_selectors(world, meeting, marker: str, *, superseded: bool = False) -> set[str]:
    """The roles the minutes selectors (``minutes_visible``, ``minute_entries``) show an entry
    holding ``marker`` to: of every version but a superseded one, which search leaves out for
    its correction (``governance.search._entry_visible``); of the superseded ones alone if
    ``superseded``."""
    from governance.models import MinutesStatus

    entries = MinuteEntry.objects.filter(minutes__meeting=meeting).select_related("minutes")
    holding = [
        e
        for e in entries
        if marker in f"{e.text} {e.decision}"
        and (e.minutes.status == MinutesStatus.SUPERSEDED) == superseded
    ]
    return {
        role
        for role in ROLES
        if any(allowed_by_selectors(world, role, "minutes", meeting, e) for e in holding)
    }


def test_minutes_are_found_as_the_selectors_show_them_through_return_approval_and_correction(
    client, world, django_capture_on_commit_callbacks
):
    from governance.models import MinutesStatus

    rebuild()
    actor, chair = world.coordinator, world.chair
    with django_capture_on_commit_callbacks(execute=True):
        held = schedule(world, days=-3)
        open_item = gs.item_add(actor=actor, meeting=held, title="Parks strategy")
        secret_item = gs.item_add(
            actor=actor,
            meeting=held,
            title="Legal advice",
            confidential=True,
            confidential_reason="Legal privilege",
        )
        gs.meeting_publish(actor=actor, meeting=held)
        first = gs.minutes_start(actor=actor, meeting=held)

    def write(minutes, version: str):
        with django_capture_on_commit_callbacks(execute=True):
            gs.minutes_save(
                actor=actor,
                minutes=minutes,
                entries={
                    open_item.pk: (f"Parks STALEOPEN{version}", ""),
                    secret_item.pk: (f"Advice STALESECRET{version}", ""),
                },
            )

    def status(minutes):
        minutes.refresh_from_db()
        return minutes.status

    runners = {"chair", "coordinator"}  # those who run the Board: see_drafts
    insiders = {"member", "chair", "coordinator"}  # the Board's members and co-ordinator
    nobody: set[str] = set()

    def check(expected: dict[str, set[str]]):
        for marker, finders in expected.items():
            assert finders_by_selectors(world, held, marker) == finders, marker
        assert finders_by_search(client, world, expected) == expected

    # Drafted and submitted to the chair: those who run the body alone.
    write(first, "ONE")
    with django_capture_on_commit_callbacks(execute=True):
        gs.minutes_submit(actor=actor, minutes=first)
    assert status(first) == MinutesStatus.SUBMITTED
    check({"STALEOPENONE": runners, "STALESECRETONE": runners})

    # Returned by the chair: still a draft.
    with django_capture_on_commit_callbacks(execute=True):
        gs.minutes_return(actor=chair, minutes=first, comments="Say who gave the advice")
    assert status(first) == MinutesStatus.RETURNED
    check({"STALEOPENONE": runners, "STALESECRETONE": runners})

    # Corrected: the words taken out are found by nobody, the new ones by the same people.
    write(first, "TWO")
    check(
        {
            "STALEOPENONE": nobody,
            "STALESECRETONE": nobody,
            "STALEOPENTWO": runners,
            "STALESECRETTWO": runners,
        }
    )

    # Submitted again and approved: the public item's minute for everyone, the confidential
    # item's for the Board's insiders.
    with django_capture_on_commit_callbacks(execute=True):
        gs.minutes_submit(actor=actor, minutes=first)
        gs.minutes_approve(actor=chair, minutes=first)
    assert status(first) == MinutesStatus.APPROVED
    check(
        {
            "STALEOPENONE": nobody,
            "STALEOPENTWO": set(ROLES),
            "STALESECRETTWO": insiders,
        }
    )

    # A correction started and redrafted: the approved words as before, the correction's
    # draft words for those who run the body.
    with django_capture_on_commit_callbacks(execute=True):
        second = gs.minutes_correct(actor=actor, meeting=held, reason="The advice was oral")
    write(second, "THREE")
    assert status(second) == MinutesStatus.DRAFT
    check(
        {
            "STALEOPENTWO": set(ROLES),
            "STALESECRETTWO": insiders,
            "STALEOPENTHREE": runners,
            "STALESECRETTHREE": runners,
        }
    )

    # The correction approved: the version it supersedes is found by nobody (though those who
    # run the body still see it among the versions), its correction as approved minutes are.
    with django_capture_on_commit_callbacks(execute=True):
        gs.minutes_submit(actor=actor, minutes=second)
        gs.minutes_approve(actor=chair, minutes=second)
    assert status(first) == MinutesStatus.SUPERSEDED
    assert status(second) == MinutesStatus.APPROVED
    check(
        {
            "STALEOPENTWO": nobody,
            "STALESECRETTWO": nobody,
            "STALEOPENTHREE": set(ROLES),
            "STALESECRETTHREE": insiders,
        }
    )
    assert finders_by_selectors(world, held, "STALEOPENTWO", superseded=True) == runners
    assert finders_by_selectors(world, held, "STALESECRETTWO", superseded=True) == runners
    # Nor is any entry of the superseded version left in the index.
    assert not SearchEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(MinuteEntry),
        object_id__in=first.entries.values("pk"),
    ).exists()
