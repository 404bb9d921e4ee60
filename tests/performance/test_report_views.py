"""Reports through the web: the list, a report's page, writing the narrative, submitting it to
the chair, the chair's approval or return, rebuilding, drafting an exception report, and the
PDF with its progress page.

The ``perf`` fixture's Safer Group (chaired by ``chair``, co-ordinated by
``group_coordinator``, with ``member`` sitting on it) reports to the Board. ``report`` is its
exception report for the open quarter: SC01 red and worsening, SC02 green.
"""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from governance import services as gs
from performance import services
from performance.models import Indicator, RenderState, Report, ReportKind, ReportStatus
from performance.services.reports import rendering
from performance.services.reports.common import LAYOUT_VERSION, save_version
from tests.performance.conftest import circulated, signed_off
from tests.test_url_access import ROLES, _check, _client_for, drain

REPORT_URLS = {
    "performance:report_list",
    "performance:report",
    "performance:report_edit",
    "performance:report_submit",
    "performance:report_review",
    "performance:report_rebuild",
    "performance:report_pdf",
    "performance:report_render",
    "performance:exception_report_create",
}

PUBLIC = dict.fromkeys(ROLES, 200)
# The group's people: its members, its chair and its co-ordinators read its reports.
READERS = {
    "anonymous": 404,
    "outsider": 404,
    "other_member": 404,
    "member": 200,
    "chair": 200,
    "group_coordinator": 200,
    "coordinator": 200,
}
SIGNED_IN_READERS = {**READERS, "anonymous": "login"}
# The narrative: the co-ordinators, and the chair who approves it.
WRITERS = {**SIGNED_IN_READERS, "member": 403}
# Submitting, rebuilding, drafting: the co-ordinators.
COORDINATORS = {**WRITERS, "chair": 403}
# Deciding on a submitted report: its chair.
CHAIR = {**WRITERS, "group_coordinator": 403, "coordinator": 403}
NOBODY = {**WRITERS, "chair": 403, "group_coordinator": 403, "coordinator": 403}
POST_ONLY = {**dict.fromkeys(ROLES, 405), "anonymous": "login"}
GROUP_COORDINATORS = {
    **dict.fromkeys(ROLES, 403),
    "anonymous": "login",
    "group_coordinator": 200,
    "coordinator": 200,
}

SUMMARY = "Burglaries rose sharply after two summer break-in sprees."
ASKS = "Note the position and back a joint operation with the police."


def url(name: str, report: Report) -> str:
    return reverse(
        f"performance:{name}", kwargs={"partnership": report.partnership.slug, "pk": report.pk}
    )


def body_url(name: str, world, body=None) -> str:
    body = body or world.group
    return reverse(
        f"performance:{name}", kwargs={"partnership": world.partnership.slug, "body": body.slug}
    )


def draft(perf, world, period=None) -> Report:
    """The group's exception report for ``period``: SC01 red and worsening, SC02 green."""
    period = period or perf.period
    signed_off(perf.burglary, period, 150, by=world.member, signer=world.group_coordinator)
    signed_off(perf.satisfaction, period, 84, by=world.member, signer=world.chair)
    return services.exception_report_draft(
        body=world.group, period=period, actor=world.group_coordinator
    )


@pytest.fixture
def report(perf, world) -> Report:
    return draft(perf, world)


def narrative(report: Report, **extra) -> dict:
    [exception] = report.facts["exceptions"]
    pk = exception["id"]
    data = {
        f"why_{pk}": "Two burglary sprees in August.",
        f"action_{pk}": "Joint patrols with the police until December.",
        "summary": SUMMARY,
        "asks": ASKS,
    }
    return data | extra


def submitted(report: Report, world, **options) -> Report:
    services.report_save_narrative(
        actor=world.group_coordinator, report=report, narrative=narrative(report)
    )
    return services.report_submit(actor=world.group_coordinator, report=report, **options) or (
        Report.objects.get(pk=report.pk)
    )


def board_meeting(world, days: int = 14):
    return gs.meeting_create(
        actor=world.coordinator,
        body=world.board,
        held_on=timezone.localdate() + timedelta(days=days),
        start_time=time(10, 0),
        end_time=time(12, 0),
        venue="Council House",
    )


# --- who may reach what --------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_report_urls_as(role, client, world, perf, report):
    client = _client_for(client, world, role)
    rows = [
        ("list", reverse("performance:report_list", kwargs={"partnership": "testshire"}), PUBLIC),
        ("page", url("report", report), READERS),
        ("edit", url("report_edit", report), WRITERS),
        ("submit", url("report_submit", report), COORDINATORS),
        ("review a draft", url("report_review", report), NOBODY),
        ("rebuild", url("report_rebuild", report), POST_ONLY),
        ("pdf", url("report_pdf", report), READERS),
        ("render", url("report_render", report), dict.fromkeys(ROLES, 405)),
        ("new", body_url("exception_report_create", world), GROUP_COORDINATORS),
    ]
    for label, address, expected in rows:
        _check(client.get(address), expected[role], f"{label}: {address}")


@pytest.mark.parametrize("role", ROLES)
def test_review_of_a_submitted_report_as(role, client, world, perf, report):
    report = submitted(report, world)
    client = _client_for(client, world, role)
    _check(client.get(url("report_review", report)), CHAIR[role], role)


def test_the_board_has_no_exception_reports_to_draft(client, world, perf):
    client.force_login(world.coordinator)
    response = client.get(body_url("exception_report_create", world, world.board))
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["anonymous", "outsider", "member", "chair"])
def test_refused_roles_cannot_rebuild_or_submit(role, client, world, perf, report):
    client = _client_for(client, world, role)
    expected = {**COORDINATORS, "anonymous": "login"}[role]
    _check(client.post(url("report_rebuild", report)), expected, "rebuild")
    _check(client.post(url("report_submit", report), {}), expected, "submit")
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    assert Report.objects.filter(body=world.group).count() == 1


@pytest.mark.parametrize("role", ["member", "group_coordinator", "coordinator"])
def test_only_the_chair_may_save_and_approve(role, client, world, perf, report):
    client = _client_for(client, world, role)
    response = client.post(url("report_edit", report), narrative(report, action="approve"))
    _check(response, 403, role)
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_a_report_the_public_may_not_see_is_not_found_even_by_its_id(client, world, perf, report):
    other = Report.objects.filter(pk=report.pk)
    # Another partnership's slug with this report's id.
    response = client.get(
        reverse("performance:report", kwargs={"partnership": "elsewhere", "pk": report.pk})
    )
    assert response.status_code == 404
    assert other.exists()


# --- the list ------------------------------------------------------------------------------


def test_the_list_shows_the_groups_report_to_its_people_with_a_drafting_link(
    client, world, perf, report
):
    client.force_login(world.group_coordinator)
    html = client.get(reverse("performance:report_list", kwargs={"partnership": "testshire"}))
    text = html.content.decode()
    assert report.title in text
    assert "Exception report" in text and "Draft" in text
    assert "Draft an exception report for the Safer Group" in text


def test_the_list_hides_the_groups_draft_from_others(client, world, perf, report):
    for person in (None, world.other_member, world.outsider):
        client.logout()
        if person:
            client.force_login(person)
        html = client.get(reverse("performance:report_list", kwargs={"partnership": "testshire"}))
        assert report.title not in html.content.decode()
        assert "Draft an exception report" not in html.content.decode()


def test_the_list_filters_by_body(client, world, perf, report):
    client.force_login(world.coordinator)
    address = reverse("performance:report_list", kwargs={"partnership": "testshire"})
    html = client.get(address, {"body": world.other.slug}).content.decode()
    assert "Reports of the Other Group" in html
    assert report.title not in html
    assert client.get(address, {"body": "nowhere"}).status_code == 404


def _reports(world, count: int) -> None:
    facts = {"kind": "exception", "exceptions": [], "others": [], "no_exceptions": True}
    for n in range(count):
        year, quarter = 2000 + n // 4, n % 4 + 1
        save_version(
            actor=None,
            body=world.group if n % 2 else world.other,
            kind=ReportKind.EXCEPTION,
            year=year,
            quarter=quarter,
            title=f"Exception report {n}",
            facts={**facts, "period": f"Q{quarter} {year}"},
        )


# The session and user, rights, the partnership, its Partnership Board (who builds its reports),
# the bodies the user drafts for, and the page of reports with its count.
REPORT_LIST_QUERIES = 9


@pytest.mark.parametrize("count", [4, 60])
def test_the_list_uses_the_same_queries_for_4_and_60_reports(
    count, client, world, perf, django_assert_num_queries
):
    _reports(world, count)
    client.force_login(world.coordinator)
    address = reverse("performance:report_list", kwargs={"partnership": "testshire"})
    with django_assert_num_queries(REPORT_LIST_QUERIES):
        response = client.get(address)
    assert len(response.context["rows"]) == min(50, count)


# --- a report's page -------------------------------------------------------------------------


def test_the_page_shows_the_report_its_build_and_the_steps_its_people_may_take(
    client, world, perf, report
):
    client.force_login(world.group_coordinator)
    html = client.get(url("report", report)).content.decode()
    assert f'<h1 class="govuk-heading-l">{report.title}</h1>' in html
    assert f"from template version {LAYOUT_VERSION}" in html
    assert "Edit the report" in html and "Submit to the chair" in html
    assert "Rebuild from the latest figures" in html and "Download the PDF" in html
    assert "Approve or return" not in html


def test_the_chair_is_offered_to_edit_and_approve(client, world, perf, report):
    client.force_login(world.chair)
    html = client.get(url("report", report)).content.decode()
    assert "Edit and approve" in html
    assert "Submit to the chair" not in html and "Rebuild" not in html


def test_a_member_reads_the_report_but_takes_no_step(client, world, perf, report):
    client.force_login(world.member)
    html = client.get(url("report", report)).content.decode()
    assert report.title in html
    for step in ("Edit", "Submit to the chair", "Approve or return", "Rebuild"):
        assert step not in html


# --- writing the narrative -----------------------------------------------------------------


def test_the_form_asks_for_each_exception_why_and_what_is_done(client, world, perf, report):
    client.force_login(world.group_coordinator)
    html = client.get(url("report_edit", report)).content.decode()
    assert "Why is SC01 off track?" in html
    assert "What is being done about SC01, and by when?" in html
    assert "What is the Board asked to do?" in html
    assert "Why is SC02" not in html  # green: not an exception
    assert "Save and approve" not in html


def test_the_coordinator_saves_the_narrative(client, world, perf, report):
    client.force_login(world.group_coordinator)
    response = client.post(url("report_edit", report), narrative(report, action="save"))
    assert response.status_code == 302 and response["Location"] == url("report", report)
    report.refresh_from_db()
    assert report.narrative["summary"] == SUMMARY and report.narrative["asks"] == ASKS
    assert report.status == ReportStatus.DRAFT


def test_too_long_an_answer_is_refused_by_its_field_keeping_what_was_typed(
    client, world, perf, report
):
    client.force_login(world.group_coordinator)
    data = narrative(report, summary="x" * 5001, action="save")
    response = client.post(url("report_edit", report), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and 'id="id_summary-error"' in html
    assert "Summary must be 5,000 characters or fewer" in html
    assert ASKS in html and "Two burglary sprees in August." in html
    report.refresh_from_db()
    assert report.narrative.get("summary", "") == ""


def test_the_chair_saves_and_approves_in_one_step(client, world, perf, report):
    client.force_login(world.chair)
    response = client.post(url("report_edit", report), narrative(report, action="approve"))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED and report.approved_by == world.chair
    assert report.narrative["asks"] == ASKS
    follow = client.get(response["Location"]).content.decode()
    assert "Report approved" in follow


def test_an_approved_report_cannot_be_edited(client, world, perf, report):
    services.report_approve(actor=world.chair, report=report)
    client.force_login(world.group_coordinator)
    assert client.get(url("report_edit", report)).status_code == 403


# --- submitting to the chair -----------------------------------------------------------------


def test_the_coordinator_submits_to_the_chair(client, world, perf, report):
    client.force_login(world.group_coordinator)
    response = client.post(url("report_submit", report), {})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and not report.chair_unavailable


def test_the_chair_unavailable_needs_a_reason(client, world, perf, report):
    client.force_login(world.group_coordinator)
    response = client.post(url("report_submit", report), {"chair_unavailable": "on"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter why the chair is unavailable" in html and 'href="#id_reason"' in html
    # The reveal stays open, the box ticked, after the error.
    assert "govuk-checkboxes__conditional--hidden" not in html and " checked" in html
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_the_chair_unavailable_with_a_reason_lets_the_deputy_act(client, world, perf, report):
    client.force_login(world.group_coordinator)
    data = {"chair_unavailable": "on", "reason": "On leave until January"}
    response = client.post(url("report_submit", report), data)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.chair_unavailable and report.chair_unavailable_reason == "On leave until January"


def test_a_submitted_report_cannot_be_submitted_again(client, world, perf, report):
    report = submitted(report, world)
    client.force_login(world.group_coordinator)
    response = client.get(url("report_submit", report))
    assert response.status_code == 302 and response["Location"] == url("report", report)


# --- the chair's decision --------------------------------------------------------------------


def test_the_chair_must_choose_and_must_say_why_when_returning(client, world, perf, report):
    report = submitted(report, world)
    client.force_login(world.chair)
    html = client.post(url("report_review", report), {}).content.decode()
    assert "Select whether you approve the report" in html
    response = client.post(url("report_review", report), {"outcome": "return"})
    html = response.content.decode()
    assert "Enter what needs to change" in html and 'id="id_comments-error"' in html
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_the_chair_returns_the_report_with_comments(client, world, perf, report):
    report = submitted(report, world)
    client.force_login(world.chair)
    data = {"outcome": "return", "comments": "Say what the police are doing."}
    response = client.post(url("report_review", report), data)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    client.force_login(world.group_coordinator)
    html = client.get(url("report", report)).content.decode()
    assert "Say what the police are doing." in html


def test_the_chair_approves_and_it_goes_on_the_boards_next_agenda(client, world, perf, report):
    meeting = board_meeting(world)
    report = submitted(report, world)
    client.force_login(world.chair)
    response = client.post(url("report_review", report), {"outcome": "approve"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    assert report.agenda_item.meeting == meeting
    html = client.get(url("report", report)).content.decode()
    assert "Report approved. It is on the agenda of the Board" in html
    assert meeting.get_absolute_url() in html


def test_approved_without_a_board_meeting_it_waits_for_the_next(client, world, perf, report):
    report = submitted(report, world)
    client.force_login(world.chair)
    client.post(url("report_review", report), {"outcome": "approve"})
    html = client.get(url("report", report)).content.decode()
    assert "has no meeting scheduled" in html
    assert "Waiting for the Board's next meeting" in html


# --- rebuilding and drafting -----------------------------------------------------------------


def test_rebuilding_with_unchanged_figures_makes_no_new_version(client, world, perf, report):
    client.force_login(world.group_coordinator)
    response = client.post(url("report_rebuild", report))
    assert response["Location"] == url("report", report)
    assert Report.objects.filter(body=world.group).count() == 1


def test_rebuilding_after_a_correction_makes_a_new_version(client, world, perf, report):
    ret = perf.burglary.returns.get(year=perf.period.year, quarter=perf.period.number)
    ret = services.return_reopen(actor=world.group_coordinator, ret=ret, reason="Wrong figure")
    ret = services.return_submit(
        actor=world.member,
        indicator=perf.burglary,
        period=perf.period,
        version=ret.version,
        value=Decimal(160),
        commentary="Corrected: attempted burglaries included.",
        remedial_action="Joint patrols",
        remedial_by=perf.period.ends_on + timedelta(days=60),
    )
    services.return_sign_off(actor=world.group_coordinator, ret=ret)
    client.force_login(world.group_coordinator)
    response = client.post(url("report_rebuild", report))
    latest = Report.objects.filter(body=world.group).order_by("-version").first()
    assert latest.version == 2 and response["Location"] == url("report", latest)
    html = client.get(url("report", report)).content.decode()
    assert "Version 2</a> is the latest" in html


def test_the_coordinator_drafts_a_report_for_a_chosen_quarter(client, world, perf):
    earlier = perf.history[-1]
    client.force_login(world.group_coordinator)
    address = body_url("exception_report_create", world)
    html = client.get(address).content.decode()
    assert f'value="{perf.period.slug}" checked' in html
    response = client.post(address, {"period": earlier.slug})
    report = Report.objects.get(body=world.group)
    assert (report.year, report.quarter) == (earlier.year, earlier.number)
    assert response["Location"] == url("report", report)


def test_drafting_needs_an_ended_quarter(client, world, perf):
    client.force_login(world.group_coordinator)
    address = body_url("exception_report_create", world)
    html = client.post(address, {"period": perf.period.next().slug}).content.decode()
    assert "There is a problem" in html and "Select a valid choice" in html
    html = client.post(address, {}).content.decode()
    assert "Select the quarter" in html
    assert not Report.objects.exists()


# --- the PDF and its progress ----------------------------------------------------------------


def _state(report: Report, **fields) -> None:
    Report.objects.filter(pk=report.pk).update(**fields)


def test_asking_for_the_pdf_queues_it_and_the_page_refreshes_itself(client, world, perf, report):
    client.force_login(world.group_coordinator)
    response = client.get(url("report_pdf", report))
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Refresh"] == f"5; url={url('report_pdf', report)}?progress=1"
    assert 'role="status"' in html and "The PDF is queued" in html
    assert "Stop refreshing" in html and '<meta http-equiv="refresh"' not in html
    report.refresh_from_db()
    assert report.render_state == RenderState.QUEUED
    assert report.render_requested_by == world.group_coordinator


def test_the_progress_page_says_which_page_is_rendering(client, world, perf, report):
    _state(report, render_state=RenderState.RENDERING, render_progress="Rendering page 2 of 5")
    client.force_login(world.member)
    response = client.get(url("report_pdf", report) + "?progress=1")
    assert "Rendering page 2 of 5" in response.content.decode()
    assert "Refresh" in response


def test_stop_refreshing_stops_the_refresh(client, world, perf, report):
    _state(report, render_state=RenderState.QUEUED)
    client.force_login(world.member)
    response = client.get(url("report_pdf", report) + "?progress=1&refresh=off")
    assert "Refresh" not in response
    assert "Check again" in response.content.decode()


def test_a_failed_render_says_why_and_offers_to_try_again(client, world, perf, report):
    _state(report, render_state=RenderState.FAILED, render_error="A chart could not be drawn.")
    client.force_login(world.member)
    response = client.get(url("report_pdf", report))
    html = response.content.decode()
    assert "Refresh" not in response
    assert "The PDF could not be made" in html and "A chart could not be drawn." in html
    assert f'action="{url("report_render", report)}"' in html and "Try again" in html
    report.refresh_from_db()
    assert report.render_state == RenderState.FAILED  # not queued again by looking
    response = client.post(url("report_render", report))
    assert response["Location"] == url("report_pdf", report) + "?progress=1"
    report.refresh_from_db()
    assert report.render_state == RenderState.QUEUED and report.render_error == ""


def _rendered(report: Report) -> None:
    report.refresh_from_db()
    digest = rendering.report_fingerprint(report)
    report.pdf.save(f"{digest[:12]}.pdf", ContentFile(b"%PDF-1.7 a report"), save=False)
    _state(
        report,
        pdf=report.pdf.name,
        pdf_fingerprint=digest,
        pdf_pages=3,
        render_state=RenderState.DONE,
        rendered_at=timezone.now(),
    )


def test_a_current_pdf_is_served_privately_as_a_download(client, world, perf, report):
    _rendered(report)
    client.force_login(world.member)
    response = client.get(url("report_pdf", report))
    body = drain(response)
    assert body.startswith(b"%PDF-") and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert "attachment" in response["Content-Disposition"]
    assert "exception-report-safer-group" in response["Content-Disposition"]


def test_the_progress_page_links_to_the_finished_pdf(client, world, perf, report):
    _rendered(report)
    client.force_login(world.member)
    html = client.get(url("report_pdf", report) + "?progress=1").content.decode()
    assert "The PDF is ready" in html and "(3 pages)" in html


def test_a_stale_pdf_is_never_served_but_rendered_again(client, world, perf, report):
    _rendered(report)
    services.report_save_narrative(
        actor=world.group_coordinator, report=report, narrative={"summary": "Changed."}
    )
    client.force_login(world.member)
    response = client.get(url("report_pdf", report))
    assert response["Content-Type"].startswith("text/html")
    report.refresh_from_db()
    assert report.render_state == RenderState.QUEUED


def test_posting_render_while_rendering_changes_nothing(client, world, perf, report):
    _state(report, render_state=RenderState.RENDERING, render_started_at=timezone.now())
    client.force_login(world.member)
    client.post(url("report_render", report))
    report.refresh_from_db()
    assert report.render_state == RenderState.RENDERING


# --- the public, and the Partnership Board's kinds -------------------------------------------


def test_the_public_reads_a_report_that_reached_a_public_agenda(client, world, perf):
    Indicator.objects.filter(body=world.group).update(published=True)
    meeting = board_meeting(world)
    report = draft(perf, world)
    assert report.facts["has_unpublished"] is False
    report = services.report_approve(actor=world.chair, report=report)
    gs.meeting_publish(actor=world.coordinator, meeting=meeting)
    assert client.get(url("report", report)).status_code == 404  # its paper is not out yet
    report = circulated(report)
    html = client.get(url("report", report)).content.decode()
    assert report.title in html and "On the agenda of the" in html
    for private in ("Change history", "Rebuild", "Edit", "The chair's reviews"):
        assert private not in html
    listing = client.get(reverse("performance:report_list", kwargs={"partnership": "testshire"}))
    assert report.title in listing.content.decode()
    _rendered(report)
    response = client.get(url("report_pdf", report))
    drain(response)
    assert response["Cache-Control"] == "private"


def test_a_report_with_unpublished_indicators_stays_private_on_a_public_agenda(
    client, world, perf, report
):
    meeting = board_meeting(world)
    report = services.report_approve(actor=world.chair, report=report)
    gs.meeting_publish(actor=world.coordinator, meeting=meeting)
    assert client.get(url("report", report)).status_code == 404
    # The Board's members read it as their meeting's paper.
    client.force_login(world.member)
    assert client.get(url("report", report)).status_code == 200


def _annual(world) -> Report:
    return services.annual_build(actor=None, partnership=world.partnership, year=2025)


def test_the_annual_report_asks_for_a_foreword_and_highlights(client, world, perf):
    report = _annual(world)
    client.force_login(world.coordinator)
    html = client.get(url("report_edit", report)).content.decode()
    assert "Foreword" in html and "Highlights" in html and "Save and approve" not in html
    client.force_login(world.chair)
    html = client.get(url("report_edit", report)).content.decode()
    assert "Save and approve" in html
    data = {"foreword": "A year of firsts.", "highlights": "", "action": "approve"}
    client.post(url("report_edit", report), data)
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    assert report.narrative == {"foreword": "A year of firsts."}
    assert report.title in client.get(url("report", report)).content.decode()


def test_an_approved_annual_report_offers_its_coordinator_to_publish_it(client, world, perf):
    report = services.report_approve(actor=world.chair, report=_annual(world))
    client.force_login(world.coordinator)
    html = client.get(url("report", report)).content.decode()
    assert "Publish on the public site" in html and url("report_publish", report) in html


def test_a_six_monthly_report_offers_to_go_on_a_partnership_board_meeting(client, world, perf):
    report = services.six_monthly_build(
        actor=None, partnership=world.partnership, year=perf.period.year, half=2
    )
    client.force_login(world.coordinator)
    html = client.get(url("report", report)).content.decode()
    assert "Add to a Partnership Board meeting" in html
    assert "Submit to the chair" not in html  # the co-ordinator reviews it: no chair approves


def test_a_waiting_exception_report_can_be_placed_by_the_boards_coordinator(
    client, world, perf, report
):
    report = services.report_approve(actor=world.chair, report=report)
    client.force_login(world.coordinator)
    html = client.get(url("report", report)).content.decode()
    assert "Put it on the Board&#x27;s agenda" in html or "Put it on the Board's agenda" in html
    client.force_login(world.group_coordinator)
    html = client.get(url("report", report)).content.decode()
    assert "Put it on the" not in html


# --- the way in -------------------------------------------------------------------------------


def test_a_bodys_returns_lead_to_its_exception_reports(client, world, perf):
    address = body_url("body_returns", world)
    client.force_login(world.group_coordinator)
    html = client.get(address).content.decode()
    assert "Exception reports of the Safer Group" in html
    draft_url = body_url("exception_report_create", world) + f"?period={perf.period.slug}"
    assert f"Draft the exception report for {perf.period.label}" in html and draft_url in html
    client.force_login(world.member)
    html = client.get(address).content.decode()
    assert "Exception reports of the Safer Group" in html
    assert "Draft the exception report" not in html


def test_the_draft_form_starts_at_the_quarter_it_was_asked_for(client, world, perf):
    earlier = perf.history[-1]
    client.force_login(world.group_coordinator)
    address = body_url("exception_report_create", world) + f"?period={earlier.slug}"
    assert f'value="{earlier.slug}" checked' in client.get(address).content.decode()


def test_the_performance_dashboard_links_to_the_reports(client, world, perf):
    html = client.get(reverse("performance:dashboard", kwargs={"partnership": "testshire"}))
    listing = reverse("performance:report_list", kwargs={"partnership": "testshire"})
    assert f'href="{listing}">Reports</a>' in html.content.decode()


def test_a_newsletter_takes_a_headline_and_its_words(client, world, perf):
    report = services.newsletter_build(actor=None, partnership=world.partnership)
    client.force_login(world.coordinator)
    data = {"headline": "h" * 201, "body": "Our second year.", "action": "save"}
    html = client.post(url("report_edit", report), data).content.decode()
    assert "Headline must be 200 characters or fewer" in html and "Our second year." in html
    data["headline"] = "A safer summer"
    assert client.post(url("report_edit", report), data).status_code == 302
    report.refresh_from_db()
    assert report.narrative == {"headline": "A safer summer", "body": "Our second year."}
    assert "A safer summer" in client.get(url("report", report)).content.decode()


def test_the_list_offers_the_boards_reports_to_its_coordinators_only(client, world, perf):
    url = reverse("performance:report_list", kwargs={"partnership": world.partnership.slug})
    build = reverse(
        "performance:board_report_create",
        kwargs={"partnership": world.partnership.slug, "kind": "annual"},
    )
    client.force_login(world.coordinator)
    assert build.encode() in client.get(url).content
    client.force_login(world.group_coordinator)
    assert build.encode() not in client.get(url).content
