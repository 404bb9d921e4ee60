"""The Partnership Board's reports through the web: building a six-monthly report, the annual
report and a newsletter; adding a report to a meeting once; publishing approved reports; and
the public's publications page and Atom feed, which show public reports only.

Reports for the pages' tests are stored with ``save_version`` (the builders have tests of their
own); the flows call the real builders and workflow services.
"""

from __future__ import annotations

from datetime import date, timedelta
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from django.utils import timezone

from governance import services as gs
from governance.models import AgendaItem
from partnership.periods import financial_year
from performance import services
from performance.forms.board_reports import FinancialYearForm, HalfYearForm
from performance.models import Report, ReportKind, ReportStatus
from performance.services.reports.common import save_version
from tests.governance.helpers import schedule
from tests.test_url_access import ROLES, _check, _client_for

BOARD_REPORT_URLS = {
    "performance:board_report_create",
    "performance:report_add_to_meeting",
    "performance:report_publish",
    "performance:publication_list",
    "performance:publication_feed",
}

PUBLIC = dict.fromkeys(ROLES, 200)
COORDINATOR = {**dict.fromkeys(ROLES, 403), "anonymous": "login", "coordinator": 200}
NOT_FOUND = {**dict.fromkeys(ROLES, 404), "anonymous": "login"}
# The Board's six-monthly report: its members and chair see it; others do not know it exists.
BOARD_INSIDERS_403 = {
    "anonymous": "login",
    "outsider": 404,
    "other_member": 404,
    "group_coordinator": 404,
    "member": 403,
    "chair": 403,
    "coordinator": 200,
}
# A Safer Group exception report waiting for the Board: the group's insiders see it, and only
# the Board's co-ordinators put it on the Board's agenda.
GROUP_INSIDERS_403 = {**NOT_FOUND, "group_coordinator": 403, "coordinator": 200}
# An approved annual report, not yet published: only its co-ordinators publish it.
PUBLISHERS = BOARD_INSIDERS_403

ATOM = "{http://www.w3.org/2005/Atom}"
MARKER = "CONFIDENTIALMARKER"


def facts(kind: str, period: str, **extra) -> dict:
    return {
        "kind": kind,
        "partnership": "Testshire Partnership",
        "title": "",
        "period": period,
        "audience": "public" if kind in ("annual", "newsletter") else "members",
        "has_unpublished": False,
        **extra,
    }


def stored(world, kind, *, year=2025, quarter=0, issue=1, body=None, title=None, narrative=None):
    """A report as a builder leaves it: version 1, a draft."""
    title = title or f"{ReportKind(kind).label} {year} {quarter} {issue}"
    report, _ = save_version(
        actor=world.coordinator,
        body=body or world.board,
        kind=kind,
        year=year,
        quarter=quarter,
        issue=issue,
        title=title,
        facts=facts(kind, str(year), title=title),
    )
    if narrative:
        report.narrative = narrative
        report.save(update_fields=["narrative"])
    return report


def approve(world, report, *, published=False, item=None):
    """Approved as the chair would (the workflow has its own tests), optionally published or
    placed on an agenda item with its paper circulated."""
    from governance.models import Paper

    now = timezone.now()
    paper = None
    if item is not None:
        paper = Paper.objects.create(
            item=item, title=report.title, owner=world.chair, circulated_at=now
        )
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.APPROVED,
        approved_by=world.chair,
        approved_at=now,
        published_at=now if published else None,
        agenda_item=item,
        paper=paper,
    )
    report.refresh_from_db()
    return report


def atom_entries(content: bytes) -> list:
    # Our own feed, produced by the test a moment before: not untrusted input.
    return ElementTree.fromstring(content).findall(f"{ATOM}entry")  # noqa: S314


def root_author(content: bytes) -> str:
    feed = ElementTree.fromstring(content)  # noqa: S314 (our own feed)
    return feed.findtext(f"{ATOM}author/{ATOM}name")


def url(name, report=None, **kwargs):
    if report is not None:
        kwargs = {"partnership": report.partnership.slug, "pk": report.pk}
    return reverse(f"performance:{name}", kwargs=kwargs)


def create_url(world, kind):
    return url("board_report_create", partnership=world.partnership.slug, kind=kind)


@pytest.fixture
def six_monthly(world):
    return stored(world, ReportKind.SIX_MONTHLY, year=2025, quarter=4)


@pytest.fixture
def annual(world):
    """Last year's annual report as built, approved and not yet published."""
    year = financial_year(timezone.localdate()) - 1
    built = services.annual_build(actor=world.coordinator, partnership=world.partnership, year=year)
    return approve(world, built)


@pytest.fixture
def waiting(world):
    """The Safer Group's exception report, approved while the Board had no meeting."""
    report = stored(world, ReportKind.EXCEPTION, year=2025, quarter=2, body=world.group)
    return approve(world, report)


@pytest.fixture
def no_pdf_jobs(monkeypatch):
    """Render requests recorded rather than queued: the render job has tests of its own."""
    asked = []
    monkeypatch.setattr(
        services, "report_render_later", lambda report, **kw: asked.append((report.pk, kw))
    )
    return asked


# --- who may reach what --------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_board_report_urls_as(role, client, world, six_monthly, annual, waiting):
    client = _client_for(client, world, role)
    p = {"partnership": world.partnership.slug}
    rows = [
        ("six-monthly", create_url(world, "six-monthly"), COORDINATOR),
        ("annual", create_url(world, "annual"), COORDINATOR),
        ("newsletter", create_url(world, "newsletter"), COORDINATOR),
        ("unknown kind", create_url(world, "quarterly"), NOT_FOUND),
        ("add to meeting", url("report_add_to_meeting", six_monthly), BOARD_INSIDERS_403),
        ("place exception report", url("report_add_to_meeting", waiting), GROUP_INSIDERS_403),
        ("publish", url("report_publish", annual), PUBLISHERS),
        ("publications", url("publication_list", **p), PUBLIC),
        ("feed", url("publication_feed", **p), PUBLIC),
        ("no such feed", url("publication_feed", partnership="nowhere"), dict.fromkeys(ROLES, 404)),
    ]
    for label, address, expected in rows:
        _check(client.get(address), expected[role], f"{label}: {address}")


def _valid_choice(kind: str) -> dict:
    today = timezone.localdate()
    if kind == "six-monthly":
        return {"half": HalfYearForm(today=today).initial["half"]}
    if kind == "annual":
        return {"year": FinancialYearForm(today=today).initial["year"]}
    return {}


@pytest.mark.parametrize("kind", ["six-monthly", "annual", "newsletter"])
@pytest.mark.parametrize("role", ROLES)
def test_post_to_build_a_report_as(role, kind, client, world, no_pdf_jobs):
    client = _client_for(client, world, role)
    response = client.post(create_url(world, kind), _valid_choice(kind))
    expected = {**COORDINATOR, "coordinator": 302}[role]
    _check(response, expected, role)
    assert Report.objects.count() == (1 if role == "coordinator" else 0)
    assert len(no_pdf_jobs) == (1 if role == "coordinator" else 0)


@pytest.mark.parametrize("role", ["anonymous", "outsider", "member", "chair", "group_coordinator"])
def test_a_refused_add_to_meeting_changes_nothing(role, client, world, six_monthly):
    meeting = schedule(world, days=14)
    client = _client_for(client, world, role)
    _check(
        client.post(url("report_add_to_meeting", six_monthly), {"meeting": meeting.pk}),
        BOARD_INSIDERS_403[role],
        role,
    )
    six_monthly.refresh_from_db()
    assert six_monthly.agenda_item is None
    assert not AgendaItem.objects.filter(meeting=meeting, title__icontains="report").exists()


@pytest.mark.parametrize("role", ["anonymous", "outsider", "member", "chair", "group_coordinator"])
def test_a_refused_publish_changes_nothing(role, client, world, annual):
    client = _client_for(client, world, role)
    _check(client.post(url("report_publish", annual)), PUBLISHERS[role], role)
    annual.refresh_from_db()
    assert annual.published_at is None


# --- choosing the period ------------------------------------------------------------------


def test_the_half_years_offered_are_the_last_three_ended():
    form = HalfYearForm(today=date(2026, 12, 2))
    assert form.fields["half"].choices == [
        ("2026-2", "April to September 2026/27"),
        ("2025-4", "October to March 2025/26"),
        ("2025-2", "April to September 2025/26"),
    ]
    assert form.initial["half"] == "2026-2"


def test_in_the_first_half_the_last_ended_half_is_last_years_second():
    form = HalfYearForm(today=date(2026, 5, 10))
    assert [value for value, _ in form.fields["half"].choices] == ["2025-4", "2025-2", "2024-4"]
    assert form.initial["half"] == "2025-4"


def test_the_financial_years_offered_default_to_the_last_ended():
    form = FinancialYearForm(today=date(2026, 12, 2))
    assert form.fields["year"].choices[:2] == [
        ("2026", "2026/27 (in progress)"),
        ("2025", "2025/26"),
    ]
    assert form.initial["year"] == "2025"


# --- building ----------------------------------------------------------------------------


def test_the_coordinator_builds_a_six_monthly_report(client, world, perf, no_pdf_jobs):
    client.force_login(world.coordinator)
    page = client.get(create_url(world, "six-monthly"))
    assert b"Build a six-monthly performance report" in page.content
    last = HalfYearForm(today=timezone.localdate()).initial["half"]
    assert f'value="{last}" checked'.encode() in page.content
    response = client.post(create_url(world, "six-monthly"), {"half": last}, follow=True)
    report = Report.objects.get(kind=ReportKind.SIX_MONTHLY)
    assert response.redirect_chain[-1][0] == url("report", report)
    assert f"{report.year}-{report.quarter}" == last
    assert report.body == world.board
    assert "built. Its PDF is being prepared." in response.content.decode()
    assert no_pdf_jobs == [(report.pk, {"requested_by": world.coordinator})]


def test_building_the_same_report_again_keeps_the_same_version(client, world, perf, no_pdf_jobs):
    client.force_login(world.coordinator)
    year = str(FinancialYearForm(today=timezone.localdate()).initial["year"])
    client.post(create_url(world, "annual"), {"year": year})
    response = client.post(create_url(world, "annual"), {"year": year}, follow=True)
    assert Report.objects.filter(kind=ReportKind.ANNUAL).count() == 1
    assert "Nothing has changed" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({}, "Select the half-year the report covers"),
        ({"half": "1999-2"}, "Select one of the half-years listed"),
    ],
)
def test_a_half_year_must_be_chosen_from_the_list(client, world, data, error, no_pdf_jobs):
    client.force_login(world.coordinator)
    response = client.post(create_url(world, "six-monthly"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert html.count(error) == 2  # in the summary and by the field
    assert '<a href="#id_half_0">' in html
    assert not Report.objects.exists()
    assert no_pdf_jobs == []


def test_a_builders_refusal_is_shown_and_the_choice_kept(client, world, monkeypatch, no_pdf_jobs):
    from django.core.exceptions import ValidationError

    def refuse(**kwargs):
        raise ValidationError("The partnership has no open Partnership Board.")

    monkeypatch.setattr(services, "annual_build", refuse)
    client.force_login(world.coordinator)
    response = client.post(create_url(world, "annual"), {"year": "2024"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "The partnership has no open Partnership Board." in html
    assert 'value="2024" checked' in html
    assert no_pdf_jobs == []


# --- adding a report to a meeting ----------------------------------------------------------


def test_with_no_meeting_scheduled_the_coordinator_is_told_how_to_schedule_one(
    client, world, six_monthly
):
    client.force_login(world.coordinator)
    response = client.get(url("report_add_to_meeting", six_monthly))
    html = response.content.decode()
    assert "No meeting of the Board is scheduled" in html
    schedule_url = reverse(
        "governance:meeting_create",
        kwargs={"partnership": world.partnership.slug, "body": world.board.slug},
    )
    assert schedule_url in html
    assert 'type="radio"' not in html


def test_the_six_monthly_report_goes_on_a_chosen_meeting_once(client, world, six_monthly):
    past = schedule(world, days=-7)
    soon = schedule(world, days=14)
    later = schedule(world, days=40)
    cancelled = schedule(world, days=20)
    gs.meeting_cancel(actor=world.coordinator, meeting=cancelled, reason="No business")
    client.force_login(world.coordinator)
    html = client.get(url("report_add_to_meeting", six_monthly)).content.decode()
    offered = [m.pk for m in (past, soon, later, cancelled) if f'value="{m.pk}"' in html]
    assert offered == [soon.pk, later.pk]

    response = client.post(url("report_add_to_meeting", six_monthly), {"meeting": later.pk})
    assert response.status_code == 302
    six_monthly.refresh_from_db()
    item = six_monthly.agenda_item
    assert item is not None and item.meeting == later
    assert item.purpose == "information"

    # Once only: the page now says where it went, and posting again adds nothing.
    html = client.get(url("report_add_to_meeting", six_monthly)).content.decode()
    assert "Where this report is going" in html
    assert f"item {item.position}" in html
    assert 'type="radio"' not in html
    client.post(url("report_add_to_meeting", six_monthly), {"meeting": soon.pk})
    six_monthly.refresh_from_db()
    assert six_monthly.agenda_item == item
    assert not AgendaItem.objects.filter(meeting=soon, title=item.title).exists()


def test_a_meeting_must_be_chosen(client, world, six_monthly):
    schedule(world, days=14)
    other_board_meeting = schedule(world, days=10, body=world.other)
    client.force_login(world.coordinator)
    for data, error in [
        ({}, "Select the meeting it should go to"),
        ({"meeting": other_board_meeting.pk}, "Select one of the meetings listed"),
    ]:
        response = client.post(url("report_add_to_meeting", six_monthly), data)
        html = response.content.decode()
        assert response.status_code == 200
        assert html.count(error) == 2, error
    six_monthly.refresh_from_db()
    assert six_monthly.agenda_item is None


def test_a_waiting_exception_report_goes_on_the_boards_next_meeting(client, world, waiting):
    client.force_login(world.coordinator)
    address = url("report_add_to_meeting", waiting)
    html = client.get(address).content.decode()
    assert "No meeting of the Board is scheduled" in html
    assert 'type="submit"' not in html.split("<main", 1)[1]

    later = schedule(world, days=40)
    soon = schedule(world, days=14)
    html = client.get(address).content.decode()
    assert f"Add it to the agenda of the {soon.name}" in html
    assert client.post(address).status_code == 302
    # The message shows on the next page, which now says where the report went.
    html = client.get(address).content.decode()
    assert f"Added to the agenda of the {soon.name}" in html
    assert "Where this report is going" in html
    waiting.refresh_from_db()
    assert waiting.agenda_item.meeting == soon
    assert waiting.agenda_item.purpose == "decision"

    client.post(address)
    assert AgendaItem.objects.filter(meeting__in=[soon, later], title=waiting.title).count() == 1
    assert "Where this report is going" in client.get(address).content.decode()


def test_a_draft_exception_report_is_not_placed_by_hand(client, world):
    draft = stored(world, ReportKind.EXCEPTION, year=2025, quarter=3, body=world.group)
    schedule(world, days=14)
    client.force_login(world.coordinator)
    html = client.get(url("report_add_to_meeting", draft)).content.decode()
    assert "when the Safer Group's chair approves it" in html
    client.post(url("report_add_to_meeting", draft))
    html = client.get(url("report_add_to_meeting", draft)).content.decode()
    assert "Its chair approves it first" in html
    draft.refresh_from_db()
    assert draft.agenda_item is None


def test_an_annual_report_does_not_go_to_a_meeting(client, world, annual):
    client.force_login(world.coordinator)
    assert client.get(url("report_add_to_meeting", annual)).status_code == 404


# --- publishing --------------------------------------------------------------------------


def test_only_an_approved_report_is_published(client, world):
    draft = services.newsletter_build(actor=world.coordinator, partnership=world.partnership)
    client.force_login(world.coordinator)
    response = client.post(url("report_publish", draft), follow=True)
    assert "Only an approved report can be published" in response.content.decode()
    draft.refresh_from_db()
    assert draft.published_at is None


def test_the_coordinator_confirms_and_publishes_an_approved_annual_report(client, world, annual):
    client.force_login(world.coordinator)
    page = client.get(url("report_publish", annual))
    assert "Publish the report on the public site" in page.content.decode()
    annual.refresh_from_db()
    assert annual.published_at is None  # the GET only asks

    response = client.post(url("report_publish", annual), follow=True)
    assert response.redirect_chain[-1][0] == url("report", annual)
    assert "published" in response.content.decode()
    annual.refresh_from_db()
    assert annual.published_at is not None

    again = client.post(url("report_publish", annual), follow=True)
    assert "already published" in again.content.decode()


def test_a_six_monthly_report_is_not_published_by_hand(client, world, six_monthly):
    client.force_login(world.coordinator)
    assert client.get(url("report_publish", six_monthly)).status_code == 404


# --- the public's publications -------------------------------------------------------------


@pytest.fixture
def mixed(world):
    """Public: a published annual report and newsletter, and an approved exception report on a
    public item of a published agenda. Not public, each holding MARKER: a draft newsletter, an
    approved but unpublished annual report, an exception report on a confidential item, one on
    a draft agenda, and a six-monthly report never placed."""
    meeting = schedule(world, days=14)
    public_item = gs.item_add(actor=world.coordinator, meeting=meeting, title="Safer Group report")
    secret_item = gs.item_add(
        actor=world.coordinator,
        meeting=meeting,
        title=f"Other Group report {MARKER}",
        confidential=True,
        confidential_reason="Holds indicators not yet published",
    )
    gs.meeting_publish(actor=world.coordinator, meeting=meeting)
    draft_meeting = schedule(world, days=30)
    draft_item = gs.item_add(actor=world.coordinator, meeting=draft_meeting, title="Draft item")
    secret = {"summary": f"The figures {MARKER}", "foreword": f"Foreword {MARKER}"}

    public = [
        approve(
            world,
            stored(
                world,
                ReportKind.ANNUAL,
                year=2024,
                title="Annual report 2024/25",
                narrative={"foreword": "A year of safer streets."},
            ),
            published=True,
        ),
        approve(
            world,
            stored(
                world,
                ReportKind.NEWSLETTER,
                year=2025,
                title="Newsletter, spring",
                narrative={"headline": "Burglary down a fifth"},
            ),
            published=True,
        ),
        approve(
            world,
            stored(
                world,
                ReportKind.EXCEPTION,
                year=2025,
                quarter=2,
                body=world.group,
                title="Safer Group exception report",
                narrative={"summary": "Two indicators are red."},
            ),
            item=public_item,
        ),
    ]
    hidden = [
        stored(world, ReportKind.NEWSLETTER, year=2026, title=f"Draft {MARKER}", narrative=secret),
        approve(
            world,
            stored(world, ReportKind.ANNUAL, year=2025, title=f"Unpublished {MARKER}"),
        ),
        approve(
            world,
            stored(
                world,
                ReportKind.EXCEPTION,
                year=2025,
                quarter=2,
                body=world.other,
                title=f"Confidential item {MARKER}",
                narrative=secret,
            ),
            item=secret_item,
        ),
        approve(
            world,
            stored(
                world,
                ReportKind.EXCEPTION,
                year=2025,
                quarter=3,
                body=world.group,
                title=f"Draft agenda {MARKER}",
                narrative=secret,
            ),
            item=draft_item,
        ),
        stored(
            world,
            ReportKind.SIX_MONTHLY,
            year=2025,
            quarter=2,
            title=f"Six-monthly {MARKER}",
            narrative=secret,
        ),
    ]
    return public, hidden


@pytest.mark.parametrize("role", ["anonymous", "member", "coordinator"])
def test_the_publications_page_lists_public_reports_only(role, client, world, mixed):
    public, hidden = mixed
    client = _client_for(client, world, role)
    response = client.get(url("publication_list", partnership=world.partnership.slug))
    html = response.content.decode()
    for report in public:
        assert url("report", report) in html, report.title
        assert report.title in html
    for report in hidden:
        assert url("report", report) not in html, report.title
    assert MARKER not in html
    assert "Burglary down a fifth" in html
    assert "A year of safer streets." in html


def test_the_public_opens_a_published_report_and_its_pdf_from_the_list(client, world, annual):
    Report.objects.filter(pk=annual.pk).update(
        published_at=timezone.now(), pdf="reports/1/annual.pdf", pdf_pages=12
    )
    html = client.get(url("publication_list", partnership=world.partnership.slug)).content.decode()
    assert f'href="{url("report_pdf", annual)}"' in html
    assert "(12 pages)" in html
    assert client.get(url("report", annual)).status_code == 200


def test_the_publications_page_offers_its_feed(client, world):
    html = client.get(url("publication_list", partnership=world.partnership.slug)).content.decode()
    feed = url("publication_feed", partnership=world.partnership.slug)
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert f'href="{feed}"' in html
    assert "Nothing has been published yet." in html


def test_the_public_navigation_links_to_publications(client, world):
    html = client.get(reverse("membership:structure", kwargs={"partnership": "testshire"}))
    assert url("publication_list", partnership="testshire") in html.content.decode()


def test_the_feed_holds_public_reports_only(client, world, mixed):
    public, _ = mixed
    response = client.get(url("publication_feed", partnership=world.partnership.slug))
    assert response["Content-Type"].startswith("application/atom+xml")
    body = response.content.decode()
    assert MARKER not in body
    entries = atom_entries(response.content)
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert sorted(titles) == sorted(r.title for r in public)
    for entry in entries:
        link = entry.find(f"{ATOM}link").get("href")
        assert link.startswith("http")
        assert entry.findtext(f"{ATOM}published")
    assert root_author(response.content) == "Testshire Partnership"
    summaries = {e.findtext(f"{ATOM}title"): e.findtext(f"{ATOM}summary") for e in entries}
    assert summaries["Newsletter, spring"] == "Burglary down a fifth"


def test_the_feed_holds_the_twenty_newest(client, world):
    now = timezone.now()
    for n in range(1, 24):
        report = approve(world, stored(world, ReportKind.NEWSLETTER, year=2020, issue=n))
        Report.objects.filter(pk=report.pk).update(published_at=now - timedelta(days=30 - n))
    feed = client.get(url("publication_feed", partnership=world.partnership.slug))
    titles = [e.findtext(f"{ATOM}title") for e in atom_entries(feed.content)]
    assert len(titles) == 20
    assert titles[0] == "Newsletter 2020 0 23"
    assert "Newsletter 2020 0 3" not in titles


def _publish_newsletters(world, count, *, start=1):
    for n in range(start, start + count):
        approve(world, stored(world, ReportKind.NEWSLETTER, year=2021, issue=n), published=True)


def test_the_publications_page_asks_the_same_queries_however_many(
    client, world, django_assert_num_queries
):
    """The partnership, its risk settings (is the registers' summary published?), whether the
    key partnerships register is published, the count and one page of reports with their
    bodies: five queries for three reports or sixty-three."""
    address = url("publication_list", partnership=world.partnership.slug)
    _publish_newsletters(world, 3)
    with django_assert_num_queries(5):
        response = client.get(address)
    assert response.content.decode().count("Newsletter 2021") == 3
    _publish_newsletters(world, 60, start=4)
    with django_assert_num_queries(5):
        response = client.get(address)
    assert response.content.decode().count("Newsletter 2021") == 50  # a page of 50
    assert client.get(address + "?page=2").content.decode().count("Newsletter 2021") == 13
