"""The summary of the risk registers: counts, never a risk (performance/selectors/risk_summary.py),
on the public's summary page (performance/views/risks/public.py) and in the six-monthly and annual
reports (performance/services/reports/board.py, annual.py).

In the ``risks`` world of test_risk_urls.py: G-OPEN (Safer Group, residual 2 × 3), G-CONF (the
same, but confidential) and O-ESC (Other Group, 4 × 4, above its appetite of 6 and escalated to
the Board). Counted: G-OPEN and O-ESC; never G-CONF.
"""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance.models import Meeting
from partnership.periods import Quarter, financial_year
from performance import selectors, services
from performance.models import Indicator, Report, Risk
from performance.permissions import is_public_report
from performance.selectors import Band
from performance.services.reports.placement import RISKS_UNPUBLISHED_REASON
from tests.governance.helpers import schedule
from tests.performance.conftest import circulated
from tests.performance.test_reports_board import last_half
from tests.performance.test_risk_urls import make_risk
from tests.test_url_access import ROLES, _check, _client_for

RISK_SUMMARY_URLS = {"performance:risk_summary"}

# Nothing that names a risk may appear where a summary is shown.
NAMES = ("G-OPEN", "G-CONF", "O-ESC", "Risk G-", "Cause and effect", "Control of")


@pytest.fixture
def risks(world, perf):
    w = world
    safer = make_risk(w, w.group, "G-OPEN", owner=w.member, organisation=w.council)
    secret = make_risk(
        w, w.group, "G-CONF", owner=w.member, organisation=w.council, confidential=True
    )
    services.risk_appetite_set(actor=None, body=w.other, threshold=6)
    escalated = make_risk(
        w, w.other, "O-ESC", owner=w.other_member, organisation=w.charity, residual=(4, 4)
    )
    assert escalated.escalated_to == w.board
    for risk in (safer, secret, escalated):
        services.control_add(
            actor=None,
            risk=risk,
            description=f"Control of {risk.code}",
            owner=risk.owner,
            due_on=w.start,
        )
    return {"G-OPEN": safer, "G-CONF": secret, "O-ESC": escalated}


def publish(world, on: bool = True) -> None:
    services.risk_settings_update(actor=None, partnership=world.partnership, publish_summary=on)


def summary_url(world) -> str:
    return reverse("performance:risk_summary", kwargs={"partnership": world.partnership.slug})


def publications_url(world) -> str:
    return reverse("performance:publication_list", kwargs={"partnership": world.partnership.slug})


def cell(data: dict, likelihood: int, impact: int) -> dict:
    (row,) = [r for r in data["rows"] if r["likelihood"] == likelihood]
    return row["cells"][impact - 1]


# --- the summary ----------------------------------------------------------------------------------


def test_the_summary_counts_open_risks_by_band_cell_and_body_never_a_confidential_one(world, risks):
    w = world
    make_risk(w, w.group, "G-LOW", owner=w.member, organisation=w.council, residual=(1, 1))
    shut = make_risk(w, w.group, "G-SHUT", owner=w.member, organisation=w.council, residual=(5, 5))
    services.risk_close(actor=None, risk=shut, reason="Gone")

    summary = selectors.risk_summary(w.partnership)

    assert summary.counts_by_band == {
        Band.LOW: 1,
        Band.MEDIUM: 1,
        Band.HIGH: 0,
        Band.VERY_HIGH: 1,
    }
    assert summary.total == 3
    # G-CONF sits at 2 × 3 too: the cell counts G-OPEN alone.
    assert summary.cell(2, 3).count == 1
    assert summary.cell(4, 4).count == 1
    assert summary.cell(5, 5).count == 0
    assert [b.name for b in summary.bodies] == ["Other Group", "Safer Group"]
    other, safer = summary.bodies
    assert (other.total, other.above_appetite, other.escalated, other.accepted) == (1, 1, 1, 0)
    assert (safer.total, safer.above_appetite, safer.escalated) == (2, 0, 0)
    assert safer.counts_by_band[Band.LOW] == safer.counts_by_band[Band.MEDIUM] == 1
    assert summary.published is False


def test_a_risk_accepted_above_appetite_is_counted_as_accepted_not_escalated(world, risks):
    w = world
    services.risk_accept(
        actor=w.chair,
        risk=risks["O-ESC"],
        reason="Carried while the contract starts",
        expires_on=timezone.localdate() + timedelta(days=90),
    )
    (other,) = [b for b in selectors.risk_summary(w.partnership).bodies if b.name == "Other Group"]
    assert (other.above_appetite, other.escalated, other.accepted) == (1, 0, 1)


def test_the_summary_says_where_the_risks_were_and_how_they_moved(world, risks):
    w = world
    was_at = timezone.localdate() - timedelta(days=30)
    before = timezone.make_aware(datetime.combine(was_at - timedelta(days=1), time(12)))
    # G-OPEN and O-ESC were on the registers then, where they are now...
    Risk.history.filter(id__in=[risks["G-OPEN"].pk, risks["O-ESC"].pk]).update(history_date=before)
    # ... and G-OPEN has since risen to 3 × 3; a new risk arrived.
    services.risk_update(actor=None, risk=risks["G-OPEN"], residual_likelihood=3)
    make_risk(w, w.group, "G-NEW", owner=w.member, organisation=w.council, residual=(1, 2))

    summary = selectors.risk_summary(w.partnership, was_at=was_at)

    assert summary.movement == {"up": 1, "down": 0, "same": 1, "new": 1}
    assert (summary.cell(3, 3).count, summary.cell(3, 3).was) == (1, 0)
    assert (summary.cell(2, 3).count, summary.cell(2, 3).was) == (0, 1)
    assert (summary.cell(4, 4).count, summary.cell(4, 4).was) == (1, 1)
    data = summary.as_data()
    assert data["was_on"] == f"{was_at.day} {was_at:%B %Y}"
    assert cell(data, 2, 3)["was"] == 1


def test_the_summary_as_data_is_plain_json_naming_no_risk(world, risks):
    data = selectors.risk_summary(world.partnership).as_data()
    text = json.dumps(data)
    for name in NAMES:
        assert name not in text, name
    assert [b["label"] for b in data["bands"]] == ["Low", "Medium", "High", "Very high"]
    assert [r["likelihood"] for r in data["rows"]] == [5, 4, 3, 2, 1]
    assert data["rows"][0]["likelihood_text"] == "Almost certain"
    assert data["impacts"][4]["impact_text"] == "Severe"
    assert cell(data, 4, 4) == {
        "impact": 4,
        "score": 16,
        "band": "very_high",
        "band_label": "Very high",
        "count": 1,
        "was": 0,
    }
    assert (data["above_appetite"], data["escalated"], data["accepted"]) == (1, 1, 0)


def test_the_public_summary_exists_only_while_the_partnership_publishes_one(world, risks):
    assert selectors.public_risk_summary(world.partnership) is None
    publish(world)
    summary = selectors.public_risk_summary(world.partnership)
    assert summary.published and summary.total == 2
    # Movement is since the end of the previous quarter, as on the heat map.
    assert summary.was_at == Quarter.of(timezone.localdate()).previous().ends_on
    publish(world, False)
    assert selectors.public_risk_summary(world.partnership) is None


# --- the public's page ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_summary_page_is_not_found_by_anyone_unless_published(role, client, world, risks):
    client = _client_for(client, world, role)
    _check(client.get(summary_url(world)), 404, role)
    assert summary_url(world) not in client.get(publications_url(world)).content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_once_published_everyone_reads_the_same_counts_and_no_risk(role, client, world, risks):
    publish(world)
    client = _client_for(client, world, role)
    response = client.get(summary_url(world))
    _check(response, 200, role)
    html = response.content.decode()
    for name in NAMES:
        assert name not in html, (role, name)
    assert "2 open risks" in html
    assert "Other Group" in html and "Safer Group" in html
    today = timezone.localdate()
    assert f'<time datetime="{today:%Y-%m-%d}">{today.day} {today:%B %Y}</time>' in html
    # The map gives each cell's band in words, beside its count.
    assert 'app-heat-map__cell--very_high">' in html
    assert '<span class="app-heat-map__band">Very high</span>' in html


def test_the_public_finds_the_summary_from_the_publications_page_once_published(
    client, world, risks
):
    publish(world)
    html = client.get(publications_url(world)).content.decode()
    assert f'href="{summary_url(world)}"' in html


def test_the_risk_settings_page_links_co_ordinators_to_the_published_summary(client, world, risks):
    client.force_login(world.coordinator)
    settings = reverse("performance:risk_settings", kwargs={"partnership": world.partnership.slug})
    assert summary_url(world) not in client.get(settings).content.decode()
    publish(world)
    assert f'href="{summary_url(world)}"' in client.get(settings).content.decode()


def test_the_summary_page_of_another_partnership_is_not_found(client, world, risks):
    from tests.factories import PartnershipFactory

    publish(world)
    PartnershipFactory(name="Elsewhere", slug="elsewhere")
    address = reverse("performance:risk_summary", kwargs={"partnership": "elsewhere"})
    assert client.get(address).status_code == 404
    assert client.post(summary_url(world)).status_code == 405


def _add_risks(world, count: int, *, start: int = 0) -> None:
    """Risks spread over four bodies and the whole map, a few confidential."""
    w = world
    owners = {
        w.group: (w.member, w.council),
        w.board: (w.member, w.council),
        w.other: (w.other_member, w.charity),
        w.subgroup: (w.member, w.council),
    }
    bodies = list(owners)
    for n in range(start, start + count):
        body = bodies[n % 4]
        owner, organisation = owners[body]
        make_risk(
            w,
            body,
            f"Q{n:03d}",
            owner=owner,
            organisation=organisation,
            residual=(n % 5 + 1, n // 5 % 5 + 1),
            confidential=n % 7 == 0,
        )


def test_the_summary_page_asks_the_same_queries_for_10_or_100_risks(
    client, world, perf, django_assert_num_queries
):
    """The partnership, its risk settings and the risks with all they are counted by: three
    queries, for 10 risks or 100."""
    publish(world)
    _add_risks(world, 10)
    with django_assert_num_queries(3):
        small = client.get(summary_url(world))
    assert "8 open risks" in small.content.decode()  # Q000 and Q007 are confidential
    _add_risks(world, 90, start=10)
    with django_assert_num_queries(3):
        large = client.get(summary_url(world))
    assert "85 open risks" in large.content.decode()


# --- the six-monthly report ---------------------------------------------------------------------


def build_six_monthly(world) -> Report:
    half = last_half()
    return services.six_monthly_build(
        actor=world.coordinator, partnership=world.partnership, year=half.year, half=half.number
    )


def page_html(report: Report) -> str:
    from performance.services.reports.rendering import report_charts

    return render_to_string(
        "performance/reports/_content.html",
        {
            "report": report,
            "facts": report.facts,
            "narrative": report.narrative,
            "charts": report_charts(report),
            "pdf": False,
        },
    )


def test_the_six_monthly_report_holds_the_risk_summary_counted_without_confidential_risks(
    world, risks
):
    report = build_six_monthly(world)
    data = report.facts["risks"]
    assert data["total"] == 2 and cell(data, 2, 3)["count"] == 1
    assert (data["above_appetite"], data["escalated"]) == (1, 1)
    # Movement since the end of the half-year before.
    was = last_half().previous().previous().ends_on
    assert data["was_on"] == f"{was.day} {was:%B %Y}"
    text = json.dumps(report.facts)
    for name in NAMES:
        assert name not in text, name
    html = page_html(report)
    assert '<h2 class="govuk-heading-l" id="risks">Risks</h2>' in html
    assert "Open risks by residual likelihood" in html


def test_an_unpublished_summary_keeps_the_six_monthly_report_for_the_boards_members(world, risks):
    # Every indicator published: the risk summary alone keeps the report from the public.
    Indicator.objects.update(published=True)
    report = build_six_monthly(world)
    assert report.facts["risks"]["published"] is False
    assert report.facts["unpublished_indicators"] is False
    assert report.facts["has_unpublished"] is True
    html = page_html(report)
    assert "The risk summary is for the board’s members" in html
    assert "This report holds a summary of the risk registers, which" in html
    assert "indicators that are not yet published" not in html


def test_a_published_summary_leaves_the_six_monthly_report_free_to_become_public(world, risks):
    Indicator.objects.update(published=True)
    publish(world)
    report = build_six_monthly(world)
    assert report.facts["risks"]["published"] is True
    assert report.facts["has_unpublished"] is False
    assert "for the board’s members" not in page_html(report)


def _on_a_public_agenda(world, report: Report) -> Report:
    meeting = schedule(world, days=21)
    services.report_add_to_meeting(actor=world.coordinator, report=report, meeting=meeting)
    Meeting.objects.filter(pk=meeting.pk).update(status="published", published_at=timezone.now())
    return circulated(Report.objects.get(pk=report.pk))


def test_a_six_monthly_report_with_an_unpublished_summary_never_reaches_the_public(
    client, world, risks, monkeypatch
):
    monkeypatch.setattr(
        "performance.services.reports.placement._render_later", lambda *a, **k: None
    )
    Indicator.objects.update(published=True)
    report = _on_a_public_agenda(world, build_six_monthly(world))
    assert report.agenda_item.confidential
    assert report.agenda_item.confidential_reason == RISKS_UNPUBLISHED_REASON
    assert not is_public_report(report)
    assert report not in selectors.public_reports(world.partnership)
    address = reverse(
        "performance:report", kwargs={"partnership": world.partnership.slug, "pk": report.pk}
    )
    _check(client.get(address), 404, "anonymous")
    assert address not in client.get(publications_url(world)).content.decode()


def test_a_six_monthly_report_with_a_published_summary_goes_on_a_public_item(
    world, risks, monkeypatch
):
    monkeypatch.setattr(
        "performance.services.reports.placement._render_later", lambda *a, **k: None
    )
    Indicator.objects.update(published=True)
    publish(world)
    report = _on_a_public_agenda(world, build_six_monthly(world))
    assert not report.agenda_item.confidential
    assert is_public_report(report)


def test_a_risk_that_changes_makes_a_rebuild_a_new_version(world, risks):
    first = build_six_monthly(world)
    assert build_six_monthly(world).pk == first.pk
    services.risk_update(actor=None, risk=risks["G-OPEN"], residual_impact=5)
    second = build_six_monthly(world)
    assert second.version == first.version + 1
    assert cell(second.facts["risks"], 2, 5)["count"] == 1
    first.refresh_from_db()
    assert cell(first.facts["risks"], 2, 5)["count"] == 0


def test_a_confidential_risk_changing_changes_no_report(world, risks):
    first = build_six_monthly(world)
    services.risk_update(actor=None, risk=risks["G-CONF"], residual_impact=5)
    assert build_six_monthly(world).pk == first.pk


# --- the annual report --------------------------------------------------------------------------


def build_annual(world) -> Report:
    return services.annual_build(
        actor=world.coordinator,
        partnership=world.partnership,
        year=financial_year(timezone.localdate()),
    )


def test_the_annual_report_has_no_risk_section_unless_the_summary_is_published(world, risks):
    report = build_annual(world)
    assert "risks" not in report.facts
    assert report.facts["has_unpublished"] is False
    assert 'id="risks"' not in page_html(report)


def test_the_annual_report_holds_the_published_summary_and_no_risk(world, risks):
    publish(world)
    report = build_annual(world)
    data = report.facts["risks"]
    assert data["published"] is True and data["total"] == 2
    start = report.facts["period_start"]
    was = datetime.fromisoformat(start).date() - timedelta(days=1)
    assert data["was_on"] == f"{was.day} {was:%B %Y}"
    assert report.facts["has_unpublished"] is False
    html = page_html(report)
    assert '<h2 class="govuk-heading-l" id="risks">Risks</h2>' in html
    assert "for the board’s members" not in html
    for name in NAMES:
        assert name not in html and name not in json.dumps(report.facts), name


def test_publishing_the_summary_makes_a_new_version_of_the_annual_report(world, risks):
    first = build_annual(world)
    publish(world)
    second = build_annual(world)
    assert second.version == first.version + 1 and "risks" in second.facts


def test_the_six_monthly_pdf_draws_the_heat_map_as_a_table_of_counts_and_words(world, risks):
    from tests.performance.test_reports_rendering import rendered, structure_of, text_of

    report = build_six_monthly(world)
    pdf = rendered(report)
    text = text_of(pdf)
    assert "The risk summary is for the board’s members" in text
    assert "Open risks by residual likelihood (rows, most likely first) and impact" in text
    assert "Likelihood 4 Likely 0 Low 0 Medium 0 High 1 Very high Was 0" in text
    assert "Other Group 0 0 0 1 1 1 1 0" in text
    for name in NAMES:
        assert name not in text, name
    kinds = [kind for kind, _ in structure_of(pdf)]
    assert {"/H2", "/H3", "/Table", "/TH", "/Caption"} <= set(kinds)


def test_the_six_monthly_build_asks_the_same_queries_for_10_or_100_risks(
    world, perf, django_assert_num_queries
):
    build_six_monthly(world)
    # Both measured builds are rebuilds with changed data: the same path.
    _add_risks(world, 10)
    with CaptureQueriesContext(connection) as small:
        build_six_monthly(world)
    _add_risks(world, 90, start=10)
    with django_assert_num_queries(len(small.captured_queries)):
        report = build_six_monthly(world)
    assert report.version == 3
    assert report.facts["risks"]["total"] == 85
