"""Reports rendered: the same body on the page and in a tagged PDF, charts with their figures as
text, and the render job: one file however often or however concurrently it runs, its progress
on the row, a failure recorded with its reason and retried, the requester told once."""

from __future__ import annotations

import io
import time
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.utils import timezone
from pypdf import PdfReader

from partnership.models import Notice
from partnership.pdf import RefusedURL
from partnership.storage import private_storage
from performance.models import RenderState, Report, ReportStatus
from performance.services.reports import common, rendering
from performance.services.reports.rendering import (
    report_charts,
    report_pdf_current,
    report_render,
    report_render_later,
    reports_render_stale,
)
from tests.performance.conftest import signed_off


@contextmanager
def queued_renders():
    """The report renders handed to the broker (through the outbox, once the change commits),
    each recorded as a call with the report's id."""
    sent = mock.MagicMock()

    def publish(job):
        if job.task == "performance.tasks.render_report":
            sent(*job.args)

    with mock.patch("partnership.outbox._publish", side_effect=publish):
        yield sent


# --- facts, built by hand as the builders build them --------------------------------------------


def _rows(w, perf, period, indicators):
    returns = common.signed_off_returns([i.pk for i in indicators], common.trend_periods(period))
    return [
        common.indicator_row(i, period, returns, lead_name=i.lead.get_full_name())
        for i in indicators
    ]


def _head(w, kind: str, title: str, period_label: str, *, audience: str, has_unpublished: bool):
    return {
        "kind": kind,
        "partnership": w.partnership.name,
        "title": title,
        "period": period_label,
        "period_start": "2026-04-01",
        "period_end": "2026-06-30",
        "built_on": common.long_date(timezone.localdate()),
        "audience": audience,
        "has_unpublished": has_unpublished,
        "body": {"name": w.group.name, "url": common.site(f"/bodies/{w.group.pk}/")},
        "board": {"name": w.board.name, "url": common.site(f"/bodies/{w.board.pk}/")},
    }


def exception_facts(w, perf, *, no_exceptions: bool = False) -> dict:
    period = perf.history[-1]
    burglary, satisfaction = _rows(w, perf, period, [perf.burglary, perf.satisfaction])
    # Rated red, as a builder would find a row it takes as an exception.
    burglary.update(rag="red", rag_label="Red", why="Red")
    facts = _head(
        w,
        "exception",
        f"Safer Group exception report, {period.label}",
        period.label,
        audience="members",
        has_unpublished=True,
    )
    facts.update(
        quarter=period.label,
        exceptions=[] if no_exceptions else [burglary],
        others=[satisfaction] if not no_exceptions else [burglary, satisfaction],
        missing=[{"code": "SC03", "title": "Community safety strategy agreed", "lead": "Member"}],
        counts={"red": 0 if no_exceptions else 1, "amber": 0, "green": 1, "no_data": 1},
        no_exceptions=no_exceptions,
    )
    return facts


def _outcome(perf, rows):
    return {
        "code": perf.outcome.code,
        "title": perf.outcome.title,
        "kind_label": "Priority",
        "indicators": rows,
        "actions": [
            {
                "title": "Neighbourhood watch in every ward",
                "partner": "Testshire Council",
                "lead": "Member",
                "due": "1 March 2027",
                "status_label": "In progress",
                "overdue": False,
                "progress": "Twelve of twenty wards",
            }
        ],
    }


def annual_facts(w, perf) -> dict:
    """The annual report: published indicators only, what the public may see."""
    period = perf.history[-1]
    (burglary,) = _rows(w, perf, period, [perf.burglary])
    facts = _head(
        w, "annual", "Annual report 2025/26", "2025/26", audience="public", has_unpublished=False
    )
    facts["body"] = {"name": w.board.name, "url": common.site(f"/bodies/{w.board.pk}/")}
    facts["board"] = None
    facts.update(
        structure={
            "bodies": [
                {"name": "Board", "kind_label": "Partnership Board", "parent": ""},
                {"name": "Safer Group", "kind_label": "Thematic group", "parent": "Board"},
            ],
            "established": ["Safer Group"],
            "closed": [{"name": "Old Group", "on": "1 May 2025", "reason": "Its work was done"}],
        },
        membership={"members_now": 14, "joined": 3, "left": 1},
        attendance=[{"body": "Board", "meetings": 4, "rate": "82%"}],
        meetings={"held": 9, "by_body": [{"body": "Board", "count": 4}]},
        decisions=[
            {
                "body": "Board",
                "meeting": "Meeting of the Board",
                "date": "3 March 2026",
                "item": "Budget",
                "decision": "The budget was agreed.",
                "url": common.site("/meetings/1/"),
            }
        ],
        outcomes=[_outcome(perf, [burglary])],
        registers={
            "interests": 12,
            "gifts": 5,
            "gifts_accepted": 3,
            "gifts_refused": 2,
            "agreement_signed": 13,
            "agreement_members": 14,
        },
    )
    return facts


def six_monthly_facts(w, perf) -> dict:
    period = perf.history[-1]
    rows = _rows(w, perf, period, [perf.burglary, perf.satisfaction])
    facts = _head(
        w,
        "six_monthly",
        "Performance report",
        "April to September 2026/27",
        audience="members",
        has_unpublished=True,
    )
    facts.update(
        outcomes=[_outcome(perf, rows)],
        exception_reports=[
            {
                "body": "Safer Group",
                "quarter": period.label,
                "title": "Safer Group exception report",
                "url": common.site("/reports/1/"),
                "approved_on": "2 December 2026",
                "summary": "Burglaries rose in two wards.",
                "asks": "Note the extra patrols.",
                "exceptions": [
                    {"code": "SC01", "title": "Reported burglaries", "rag_label": "Red"}
                ],
            }
        ],
    )
    return facts


def newsletter_facts(w) -> dict:
    facts = _head(
        w, "newsletter", "Newsletter 1", "2026/27", audience="public", has_unpublished=False
    )
    facts.update(
        highlights={
            "meetings_held": 6,
            "decisions": [],
            "indicators": {"green": 4, "amber": 2, "red": 1},
            "upcoming": [
                {
                    "body": "Board",
                    "name": "Meeting of the Board",
                    "date": "9 January 2027",
                    "url": "",
                }
            ],
        }
    )
    return facts


def save(w, facts: dict, *, kind: str, body=None, quarter: int = 0) -> Report:
    report, _ = common.save_version(
        actor=None,
        body=body or w.group,
        kind=kind,
        year=2026,
        quarter=quarter,
        title=facts["title"],
        facts=facts,
    )
    return report


@pytest.fixture
def exception_report(world, perf):
    return save(world, exception_facts(world, perf), kind="exception", quarter=1)


@pytest.fixture
def annual_report(world, perf):
    return save(world, annual_facts(world, perf), kind="annual", body=world.board)


def text_of(pdf: bytes) -> str:
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join((page.extract_text() or "") for page in pages).split())


def stored_pdf(report: Report) -> bytes:
    report.refresh_from_db()
    with private_storage.open(report.pdf.name, "rb") as handle:
        return handle.read()


def files_of(report: Report) -> list[str]:
    folder = f"reports/{report.pk}"
    if not private_storage.exists(folder):
        return []
    return private_storage.listdir(folder)[1]


def rendered(report: Report) -> bytes:
    assert report_render(report_id=report.pk) is True
    return stored_pdf(report)


def _structure_elements(node, found):
    """Every structure element under ``node``, as (type, alt) pairs."""
    node = node.get_object() if hasattr(node, "get_object") else node
    if isinstance(node, list):
        for child in node:
            _structure_elements(child, found)
        return
    if not hasattr(node, "get"):
        return
    if node.get("/S") is not None:
        found.append((str(node["/S"]), str(node.get("/Alt", ""))))
    kids = node.get("/K")
    if kids is not None:
        _structure_elements(kids, found)


def structure_of(pdf: bytes) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    _structure_elements(PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/StructTreeRoot"], found)
    return found


# --- the PDF ------------------------------------------------------------------------------------


def test_report_pdf_is_tagged_in_british_english_with_its_title(exception_report):
    pdf = rendered(exception_report)
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]

    assert root["/MarkInfo"]["/Marked"].value is True
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en-GB"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert reader.metadata.title == exception_report.title


def test_report_pdf_has_headings_table_headers_and_charts_with_alternative_text(
    exception_report,
):
    tags = structure_of(rendered(exception_report))
    kinds = [kind for kind, _ in tags]

    assert kinds.count("/H1") == 1
    assert {"/H2", "/H3", "/H4", "/Table", "/TH", "/Caption"} <= set(kinds)
    figures = [alt for kind, alt in tags if kind == "/Figure"]
    assert figures == ["SC01 Reported burglaries"]


def test_exception_report_pdf_gives_each_exception_with_its_figures_and_the_prompts(
    world, exception_report
):
    text = text_of(rendered(exception_report))

    assert "Safer Group exception report" in text
    assert "Testshire Partnership" in text
    assert "SC01 Reported burglaries" in text
    assert "Why it is an exception: Red" in text
    assert "Lead 90 100 Red Improving Not comparable Member" in text
    assert "Member" in text  # the lead
    assert "Figures checked." in text  # the lead's commentary
    assert "Extra patrols in the worst-affected wards" in text
    # Nothing written by the chair yet: the prompts stand in for the answers.
    assert "Why is it off track? Not written yet." in text
    assert "What is being done, and by when? Not written yet." in text
    assert "What is the Board asked to do? Not written yet." in text
    # The summary of the other indicators, and the returns that did not come in.
    assert "SC02 Residents satisfied with their area (not yet published) 82.0%" in text
    assert "SC03 Community safety strategy agreed (lead: Member)" in text
    assert "holds indicators that are not yet published" in text
    assert "Version 1: a draft, not yet approved." in text


def test_the_chairs_answers_replace_the_prompts(world, perf, exception_report):
    pk = perf.burglary.pk
    Report.objects.filter(pk=exception_report.pk).update(
        narrative={
            "summary": "One indicator is off track.",
            f"why_{pk}": "Two burglary sprees in Northgate.",
            f"action_{pk}": "Patrols doubled until March.",
            "asks": "Note the report and the extra patrols.",
        }
    )
    exception_report.refresh_from_db()
    text = text_of(rendered(exception_report))

    assert "One indicator is off track." in text
    assert "Two burglary sprees in Northgate." in text
    assert "Patrols doubled until March." in text
    assert "Note the report and the extra patrols." in text
    assert "Not written yet" not in text


def test_a_group_with_nothing_off_track_gets_a_short_no_exceptions_report(world, perf):
    report = save(world, exception_facts(world, perf, no_exceptions=True), kind="exception")
    text = text_of(rendered(report))

    assert "No exceptions this quarter" in text
    assert "Why is it off track?" not in text
    assert structure_of(stored_pdf(report)).count(("/Figure", "")) == 0
    assert "SC01 Reported burglaries" in text  # in the summary of the other indicators


def test_an_approved_reports_pdf_says_who_approved_it_and_as_what(world, exception_report):
    from performance import services

    report = services.report_approve(actor=world.chair, report=exception_report)
    text = text_of(rendered(report))

    assert f"approved by Chair (Chair) on {common.long_date(timezone.localdate())}" in text


def test_annual_report_pdf_has_the_years_story_and_nothing_unpublished_or_confidential(
    world, perf, annual_report
):
    text = text_of(rendered(annual_report))

    for expected in (
        "Annual report 2025/26",
        "Foreword",
        "How the partnership is organised",
        "Old Group, on 1 May 2025: Its work was done",
        "14 people sat on the partnership",
        "9 meetings were held",
        "82%",
        "The budget was agreed.",
        "SC01 Reported burglaries",
        "Neighbourhood watch in every ward",
        "Interests declared 12",
        "13 of 14",
    ):
        assert expected in text, expected
    for absent in (
        "Residents satisfied",  # SC02 is not published
        "not yet published",
        "onfidential",
        "do not share",
        "members of",
    ):
        assert absent not in text, absent


def test_six_monthly_report_pdf_has_outcomes_actions_and_the_exception_reports(world, perf):
    report = save(world, six_monthly_facts(world, perf), kind="six_monthly", quarter=2)
    text = text_of(rendered(report))

    assert "SC1 People feel safer in their neighbourhoods" in text
    assert "Twelve of twenty wards" in text
    assert "Exceptions and what was done about them" in text
    assert "Burglaries rose in two wards." in text
    assert "SC01 Reported burglaries: Red" in text
    assert [alt for kind, alt in structure_of(stored_pdf(report)) if kind == "/Figure"] == [
        "SC01 Reported burglaries",
        "SC02 Residents satisfied with their area",
    ]


def test_newsletter_pdf_has_the_narrative_and_the_highlights(world):
    report = save(world, newsletter_facts(world), kind="newsletter", body=world.board)
    Report.objects.filter(pk=report.pk).update(
        narrative={"headline": "A busy autumn", "body": "New groups met."}
    )
    report.refresh_from_db()
    text = text_of(rendered(report))

    assert "A busy autumn" in text
    assert "New groups met." in text
    assert "Green: on track Amber: close to target Red: off track 4 2 1" in text
    assert "9 January 2027: Meeting of the Board (Board)" in text


@pytest.mark.parametrize("kind", ["exception", "six_monthly", "annual", "newsletter"])
def test_the_page_partial_renders_every_kind_with_headings_under_the_pages_h1(world, perf, kind):
    facts = {
        "exception": lambda: exception_facts(world, perf),
        "six_monthly": lambda: six_monthly_facts(world, perf),
        "annual": lambda: annual_facts(world, perf),
        "newsletter": lambda: newsletter_facts(world),
    }[kind]()
    report = save(world, facts, kind=kind, body=world.board)
    html = render_to_string(
        "performance/reports/_content.html",
        {
            "report": report,
            "facts": report.facts,
            "narrative": report.narrative,
            "charts": report_charts(report),
            "pdf": False,
        },
    )

    assert "<h1" not in html
    assert '<h2 class="govuk-heading' in html
    assert 'scope="col"' in html
    assert "About this report" in html


# --- charts -------------------------------------------------------------------------------------


def test_charts_are_drawn_from_the_facts_with_a_text_alternative_and_the_figures_as_text(
    world, perf
):
    report = save(world, six_monthly_facts(world, perf), kind="six_monthly", quarter=2)
    charts = report_charts(report)

    assert list(charts) == [perf.burglary.pk, perf.satisfaction.pk]
    satisfaction = charts[perf.satisfaction.pk]
    assert f'id="report-chart-{perf.satisfaction.pk}-title"' in satisfaction
    assert "<title" in satisfaction and "<desc" in satisfaction
    assert "from 70.0% to 82.0%" in satisfaction
    reported = [row for row in satisfaction.rows if row["value"] != "No data"]
    assert [row["value"] for row in reported] == ["70.0%", "76.0%", "79.0%", "82.0%"]
    assert reported[-1]["target"] == "80.0%"
    assert len(satisfaction.rows) == 8


def test_an_annual_indicators_line_runs_from_one_years_figure_to_the_next(world, perf):
    facts = six_monthly_facts(world, perf)
    row = facts["outcomes"][0]["indicators"][0]
    # Facts built before rows said how often the indicator reports: read from its figures.
    row.pop("frequency", None)
    for point in row["trend"]:
        point["value"] = "90" if point["quarter"] == 4 else None
        point["target"] = "100" if point["quarter"] == 4 else None
    report = save(world, facts, kind="six_monthly", quarter=2)
    chart = report_charts(report)[row["id"]]

    expected = ["90" if point["quarter"] == 4 else "Not due" for point in row["trend"]]
    assert [r["value"] for r in chart.rows] == expected
    assert "quarters with no figure" not in chart
    assert " L" in chart  # one line joins the two figures


def test_charts_take_no_queries(world, perf, django_assert_num_queries):
    report = save(world, six_monthly_facts(world, perf), kind="six_monthly", quarter=2)
    report = Report.objects.get(pk=report.pk)
    with django_assert_num_queries(0):
        report_charts(report)


@pytest.mark.parametrize("kind", ["exception", "six_monthly", "annual", "newsletter"])
def test_reports_built_by_the_services_render_to_pdf_and_their_page(world, perf, kind):
    """The facts as the builders make them, not by hand: every key the templates use is there."""
    from performance import services

    signed_off(perf.burglary, perf.period, 130, by=world.member, signer=world.group_coordinator)
    build = {
        "exception": lambda: services.exception_report_draft(body=world.group, period=perf.period),
        "six_monthly": lambda: services.six_monthly_build(
            actor=world.coordinator, partnership=world.partnership, year=perf.period.year, half=2
        ),
        "annual": lambda: services.annual_build(
            actor=world.coordinator, partnership=world.partnership, year=perf.period.year
        ),
        "newsletter": lambda: services.newsletter_build(
            actor=world.coordinator, partnership=world.partnership
        ),
    }[kind]
    report = build()
    text = text_of(rendered(report))
    html = render_to_string(
        "performance/reports/_content.html",
        {
            "report": report,
            "facts": report.facts,
            "narrative": report.narrative,
            "charts": report_charts(report),
            "pdf": False,
        },
    )

    assert report.title in text
    assert "About this report" in html
    if kind == "exception":
        assert "SC01 Reported burglaries" in text
        assert "Why is it off track?" in text
    if kind == "annual":
        assert "Residents satisfied" not in text  # SC02 is not published


# --- the render job -----------------------------------------------------------------------------


def test_render_stores_one_file_named_by_its_fingerprint_and_a_second_run_does_nothing(
    exception_report,
):
    assert report_render(report_id=exception_report.pk) is True
    assert report_render(report_id=exception_report.pk) is False

    exception_report.refresh_from_db()
    digest = rendering.report_fingerprint(exception_report)
    assert exception_report.pdf_fingerprint == digest
    assert digest in exception_report.pdf.name
    assert files_of(exception_report) == [exception_report.pdf.name.rsplit("/", 1)[1]]
    assert exception_report.render_state == RenderState.DONE
    assert exception_report.pdf_pages >= 2
    assert exception_report.rendered_at is not None
    assert report_pdf_current(exception_report)


def test_render_writes_its_progress_step_by_step(exception_report):
    seen = []
    real = rendering._progress

    def progress(pk, text):
        real(pk, text)
        seen.append(Report.objects.get(pk=pk).render_progress)

    # Every page said: a real render says the first, then at most one every half second.
    with (
        mock.patch.object(rendering, "_progress", progress),
        mock.patch.object(rendering, "PROGRESS_EVERY", 0),
    ):
        report_render(report_id=exception_report.pk)

    pages = Report.objects.get(pk=exception_report.pk).pdf_pages
    assert pages >= 2
    assert seen == ["Drawing 1 chart", "Laying out"] + [
        f"Rendering page {n} of {pages}" for n in range(1, pages + 1)
    ]
    assert Report.objects.get(pk=exception_report.pk).render_progress == ""


def test_a_report_being_rendered_is_not_rendered_again_at_the_same_time(exception_report):
    second = []
    real = rendering._progress

    def progress(pk, text):
        real(pk, text)
        if text == "Laying out":
            # Another worker picks up the same job while this one is drawing it.
            second.append(report_render(report_id=pk))

    with mock.patch.object(rendering, "_progress", progress):
        assert report_render(report_id=exception_report.pk) is True

    assert second == [False]
    assert len(files_of(exception_report)) == 1


def test_two_workers_rendering_the_same_report_at_once_make_one_file(live_world):
    """Two threads, each with its own database connection, as two workers would be."""
    import threading

    from django.db import connection

    from tests.performance.conftest import build_performance

    w = live_world
    report = save(w, exception_facts(w, build_performance(w)), kind="exception", quarter=1)
    start = threading.Barrier(2)
    results: list[bool] = []

    def work():
        try:
            start.wait()
            results.append(report_render(report_id=report.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(results) == [False, True]
    report.refresh_from_db()
    assert report.render_state == RenderState.DONE
    assert files_of(report) == [report.pdf.name.rsplit("/", 1)[1]]


def test_a_claim_held_for_over_ten_minutes_is_taken_over(exception_report):
    Report.objects.filter(pk=exception_report.pk).update(
        render_state=RenderState.RENDERING, render_started_at=timezone.now()
    )
    assert report_render(report_id=exception_report.pk) is False
    assert files_of(exception_report) == []

    Report.objects.filter(pk=exception_report.pk).update(
        render_started_at=timezone.now() - timedelta(minutes=11)
    )
    assert report_render(report_id=exception_report.pk) is True
    assert len(files_of(exception_report)) == 1


def test_a_failed_render_records_its_reason_and_a_retry_succeeds(exception_report):
    with (
        mock.patch.object(
            rendering, "render_pdf", side_effect=RefusedURL("Refused http://evil.example/x")
        ),
        pytest.raises(RefusedURL),
    ):
        report_render(report_id=exception_report.pk)

    exception_report.refresh_from_db()
    assert exception_report.render_state == RenderState.FAILED
    assert "not one of ours" in exception_report.render_error
    assert "evil.example" in exception_report.render_error
    assert files_of(exception_report) == []
    assert not exception_report.pdf

    assert report_render(report_id=exception_report.pk) is True
    exception_report.refresh_from_db()
    assert exception_report.render_state == RenderState.DONE
    assert exception_report.render_error == ""
    assert exception_report.render_attempts == 2


def test_a_file_that_cannot_be_stored_leaves_no_file_and_the_old_pdf_served(
    world, exception_report
):
    report_render(report_id=exception_report.pk)
    exception_report.refresh_from_db()
    old = exception_report.pdf.name
    Report.objects.filter(pk=exception_report.pk).update(narrative={"summary": "Changed."})

    with (
        mock.patch.object(Report.objects, "select_for_update", side_effect=OSError(28, "No space")),
        pytest.raises(OSError),
    ):
        report_render(report_id=exception_report.pk)

    exception_report.refresh_from_db()
    assert exception_report.pdf.name == old
    assert files_of(exception_report) == [old.rsplit("/", 1)[1]]
    assert exception_report.render_state == RenderState.FAILED
    assert exception_report.render_error == "The PDF could not be saved: No space."


def test_a_changed_report_is_rendered_again_and_the_old_file_deleted_once_committed(
    exception_report, django_capture_on_commit_callbacks
):
    report_render(report_id=exception_report.pk)
    exception_report.refresh_from_db()
    old = exception_report.pdf.name
    Report.objects.filter(pk=exception_report.pk).update(narrative={"summary": "Changed."})
    exception_report.refresh_from_db()
    assert not report_pdf_current(exception_report)

    with django_capture_on_commit_callbacks(execute=True):
        assert report_render(report_id=exception_report.pk) is True

    exception_report.refresh_from_db()
    assert exception_report.pdf.name != old
    assert not private_storage.exists(old)
    assert files_of(exception_report) == [exception_report.pdf.name.rsplit("/", 1)[1]]
    assert report_pdf_current(exception_report)


def test_approving_a_report_makes_its_draft_pdf_stale(world, exception_report):
    report_render(report_id=exception_report.pk)
    exception_report.refresh_from_db()
    assert report_pdf_current(exception_report)

    Report.objects.filter(pk=exception_report.pk).update(
        status=ReportStatus.APPROVED, approved_by=world.chair, approved_at=timezone.now()
    )
    exception_report.refresh_from_db()
    assert not report_pdf_current(exception_report)


def test_a_report_changed_while_it_was_drawn_is_queued_again(
    exception_report, django_capture_on_commit_callbacks
):
    real = rendering._progress

    def progress(pk, text):
        real(pk, text)
        if text == "Laying out":
            Report.objects.filter(pk=pk).update(narrative={"summary": "Written meanwhile."})

    with (
        mock.patch.object(rendering, "_progress", progress),
        queued_renders() as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert report_render(report_id=exception_report.pk) is True

    delay.assert_called_once_with(exception_report.pk)
    exception_report.refresh_from_db()
    assert exception_report.render_state == RenderState.QUEUED
    assert not report_pdf_current(exception_report)


def test_render_later_queues_the_job_once_the_transaction_commits(
    world, exception_report, django_capture_on_commit_callbacks
):
    Report.objects.filter(pk=exception_report.pk).update(
        render_state=RenderState.FAILED, render_error="Earlier failure."
    )
    with queued_renders() as delay:
        with django_capture_on_commit_callbacks(execute=True):
            report_render_later(exception_report, requested_by=world.group_coordinator)
            delay.assert_not_called()  # not before the transaction commits
        delay.assert_called_once_with(exception_report.pk)

    exception_report.refresh_from_db()
    assert exception_report.render_state == RenderState.QUEUED
    assert exception_report.render_error == ""
    assert exception_report.render_requested_by == world.group_coordinator


def test_render_later_leaves_a_render_in_progress_its_claim(world, exception_report):
    Report.objects.filter(pk=exception_report.pk).update(
        render_state=RenderState.RENDERING, render_started_at=timezone.now()
    )
    with queued_renders():
        report_render_later(exception_report, requested_by=world.chair)

    exception_report.refresh_from_db()
    assert exception_report.render_state == RenderState.RENDERING
    assert exception_report.render_requested_by == world.chair


def test_the_requester_is_told_once_that_the_report_is_ready(world, exception_report):
    Report.objects.filter(pk=exception_report.pk).update(render_requested_by=world.chair)
    report_render(report_id=exception_report.pk)
    report_render(report_id=exception_report.pk)

    notices = Notice.objects.filter(recipient=world.chair, key__startswith="report-ready:")
    assert notices.count() == 1
    # Told, so a later render nobody asked for (the hourly safety net) tells nobody.
    assert Report.objects.get(pk=exception_report.pk).render_requested_by is None
    assert notices.get().url == exception_report.get_absolute_url()
    ready = [m for m in mail.outbox if m.subject.startswith("Your report is ready")]
    assert [m.to for m in ready] == [[world.chair.email]]
    assert exception_report.title in ready[0].body


def test_after_the_last_retry_the_report_stays_failed_and_the_requester_is_told_once(
    world, exception_report
):
    from performance.tasks import RETRY, render_report

    Report.objects.filter(pk=exception_report.pk).update(render_requested_by=world.chair)
    last = RETRY["retry_kwargs"]["max_retries"]
    with mock.patch.object(rendering, "render_pdf", side_effect=ValueError("bad SVG")):
        # A failure before the last retry tells nobody: the retry may well succeed.
        with pytest.raises(ValueError):
            report_render(report_id=exception_report.pk)
        assert not Notice.objects.filter(key__startswith="report-failed:").exists()
        for _ in range(2):
            result = render_report.apply(args=[exception_report.pk], retries=last)
            assert isinstance(result.result, ValueError)

    exception_report.refresh_from_db()
    assert exception_report.render_state == RenderState.FAILED
    assert exception_report.render_error == "Rendering failed: bad SVG."
    failed = Notice.objects.filter(recipient=world.chair, key__startswith="report-failed:")
    assert failed.count() == 1
    told = [m for m in mail.outbox if "could not be made into a PDF" in m.subject]
    assert len(told) == 1
    assert "Rendering failed: bad SVG." in told[0].body


@pytest.fixture
def paper(world):
    """A paper on the Board's next agenda, as an approved exception report is given."""
    from governance import services as gs
    from tests.governance.helpers import schedule

    meeting = schedule(world, days=10, body=world.board)
    item = gs.item_add(actor=world.coordinator, meeting=meeting, title="Exception report")
    return gs.paper_add(
        actor=world.coordinator, item=item, title="Exception report", owner=world.chair
    )


def test_the_pdf_goes_on_the_paper_the_report_went_to_once(world, exception_report, paper):
    from governance.models import Paper
    from performance.services.reports.placement import report_paper_name

    Report.objects.filter(pk=exception_report.pk).update(paper=paper)
    report_render(report_id=exception_report.pk)
    exception_report.refresh_from_db()
    paper.refresh_from_db()
    stored = paper.file.name

    assert paper.file_name == report_paper_name(exception_report)
    with paper.file.open("rb") as handle:
        assert handle.read() == stored_pdf(exception_report)
    # Run again (a retry, a duplicate job): the paper keeps the file it has.
    report_render(report_id=exception_report.pk)
    assert Paper.objects.get(pk=paper.pk).file.name == stored


def test_a_pdf_that_could_not_go_on_its_paper_goes_on_when_the_job_is_retried(
    world, exception_report, paper
):
    Report.objects.filter(pk=exception_report.pk).update(paper=paper)
    with mock.patch(
        "performance.services.reports.placement.attach_pdf_to_paper",
        side_effect=[ConnectionError("storage away"), True],
    ) as attach:
        with pytest.raises(ConnectionError):
            report_render(report_id=exception_report.pk)
        assert Report.objects.get(pk=exception_report.pk).render_state == RenderState.FAILED
        assert report_render(report_id=exception_report.pk) is False  # the PDF is current

    assert attach.call_count == 2
    assert Report.objects.get(pk=exception_report.pk).render_state == RenderState.DONE


def test_a_report_with_no_paper_is_attached_to_nothing(exception_report):
    with mock.patch("performance.services.reports.placement.attach_pdf_to_paper") as attach:
        report_render(report_id=exception_report.pk)
    attach.assert_not_called()


def test_the_stale_job_queues_approved_reports_whose_pdf_is_missing_or_stale(
    world, exception_report, annual_report, django_capture_on_commit_callbacks
):
    now = timezone.now()
    Report.objects.filter(pk__in=[exception_report.pk, annual_report.pk]).update(
        status=ReportStatus.APPROVED, approved_by=world.chair, approved_at=now
    )
    report_render(report_id=annual_report.pk)
    with (
        queued_renders() as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert reports_render_stale() == 1

    delay.assert_called_once_with(exception_report.pk)


def test_a_missing_report_renders_nothing(db):
    assert report_render(report_id=987654) is False


# --- tasks and the beat schedule ----------------------------------------------------------------


def test_the_beat_schedule_drafts_exception_reports_daily_and_renders_stale_reports_hourly():
    from partnership.celery import app

    app.loader.import_default_modules()
    for name, task in [
        ("daily-draft-exception-reports", "performance.tasks.draft_exception_reports"),
        ("hourly-render-stale-reports", "performance.tasks.render_stale_reports"),
    ]:
        assert app.conf.beat_schedule[name]["task"] == task
        assert task in app.tasks
    assert "performance.tasks.render_report" in app.tasks


def test_the_drafting_job_drafts_then_places_and_raises_for_a_retry_when_one_fails():
    from performance import tasks

    with (
        mock.patch(
            "performance.services.reports.exceptions.exception_reports_draft_due",
            side_effect=ConnectionError,
        ),
        mock.patch(
            "performance.services.reports.placement.reports_place_pending_all",
            return_value=2,
        ) as place,
        pytest.raises(RuntimeError, match="drafted"),
    ):
        tasks.draft_exception_reports.run()
    place.assert_called_once()


# --- through the real broker --------------------------------------------------------------------


@pytest.fixture
def worker(transactional_db):
    from celery.contrib.testing.worker import start_worker

    from partnership.celery import app

    app.control.purge()
    with start_worker(
        app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=10
    ):
        yield


@pytest.mark.broker
def test_the_render_job_through_the_broker_run_twice_makes_one_file(live_world, worker):
    from tests.performance.conftest import build_performance
    from tests.test_celery import wait_for

    w = live_world
    perf = build_performance(w)
    report = save(w, exception_facts(w, perf), kind="exception", quarter=1)
    report_render_later(report, requested_by=w.chair)
    report_render_later(report, requested_by=w.chair)

    def done():
        report.refresh_from_db()
        return report.render_state == RenderState.DONE

    assert wait_for(done, timeout=60)
    time.sleep(1.5)  # let the second job finish: it must find the PDF current
    report.refresh_from_db()
    assert report.render_state == RenderState.DONE
    assert files_of(report) == [report.pdf.name.rsplit("/", 1)[1]]
    assert report_pdf_current(report)
    assert "Safer Group exception report" in text_of(stored_pdf(report))
    assert Notice.objects.filter(recipient=w.chair, key__startswith="report-ready:").count() == 1


def test_whoever_asked_first_for_a_render_on_its_way_is_the_one_told(world, exception_report):
    with queued_renders():
        report_render_later(exception_report, requested_by=world.chair)
        report_render_later(exception_report, requested_by=world.group_coordinator)
    exception_report.refresh_from_db()
    assert exception_report.render_requested_by == world.chair


def test_a_render_lost_on_its_way_is_queued_again(
    world, exception_report, django_capture_on_commit_callbacks
):
    """A worker killed mid-render, or a message dropped, leaves the report queued or rendering:
    past the timeout it is not waited for. The hourly job queues it again, even a draft."""
    from performance.services.reports.rendering import render_in_progress, reports_render_stale

    long_ago = timezone.now() - timedelta(hours=2)
    for state in (RenderState.QUEUED, RenderState.RENDERING):
        Report.objects.filter(pk=exception_report.pk).update(
            render_state=state, render_started_at=long_ago
        )
        exception_report.refresh_from_db()
        assert not render_in_progress(exception_report)
        with (
            queued_renders() as delay,
            django_capture_on_commit_callbacks(execute=True),
        ):
            assert reports_render_stale() == 1
        delay.assert_called_once_with(exception_report.pk)
        exception_report.refresh_from_db()
        assert exception_report.render_state == RenderState.QUEUED
        assert render_in_progress(exception_report)
