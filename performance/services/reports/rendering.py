"""Rendering a report: its charts, and its PDF by a Celery job that records its progress.

A report's PDF is a function of its version's facts, its narrative, its approval and the
template version: ``report_fingerprint`` hashes them, the file's name carries the hash, and a
render whose hash is already stored does nothing. The job claims the report with a conditional
UPDATE, so two renders at once make one file; it writes the file first and points the row at
it only once the file is complete, so nobody is ever served half a PDF; and it writes each step
of its progress to the row in a short update of its own, so the person who asked can watch.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from decimal import Decimal
from functools import partial

from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from governance.models import ReviewOutcome
from partnership.notifications import notify_once
from partnership.outbox import enqueue
from partnership.pdf import RefusedURL, facts_fingerprint, render_pdf
from partnership.periods import Quarter
from performance.charts import Point, trend_chart
from performance.models import RenderState, Report, ReportKind, ReportStatus
from performance.models.indicators import DUE_QUARTERS, Frequency
from performance.models.reports import report_path
from performance.services.reports import common

__all__ = [
    "render_in_progress",
    "report_charts",
    "report_fingerprint",
    "report_pdf_current",
    "report_render",
    "report_render_gave_up",
    "report_render_later",
    "reports_render_stale",
]

log = logging.getLogger(__name__)

PDF_TEMPLATE = "performance/pdf/report.html"
# A render that has claimed a report for longer than this is taken to have died (a worker
# killed mid-job): another may claim it. Far beyond the task's hard time limit.
RENDER_TIMEOUT = timedelta(minutes=10)
# How often, at most, a render in progress says which page it is on.
PROGRESS_EVERY = 0.5


class ReportChart(SafeString):
    """One indicator's trend chart: the SVG markup itself (printed as it is), and ``rows``,
    its figures as text by quarter, oldest first, for the table beside it (a template cannot
    format a bare number in the indicator's unit)."""

    rows: list[dict]


def _due_quarters(row: dict) -> tuple[int, ...]:
    """The quarters in which the row's indicator takes a return. Facts built before rows said
    their frequency are read from the figures: an indicator whose figures all fall in Q4 (or in
    Q2 and Q4) is annual (or six-monthly), so its line runs on from one figure to the next
    rather than showing the quarters between as missing."""
    if row.get("frequency") in DUE_QUARTERS:
        return DUE_QUARTERS[row["frequency"]]
    reported = [t["quarter"] for t in row["trend"] if t["value"] is not None]
    if len(reported) >= 2:
        for quarters in (DUE_QUARTERS[Frequency.ANNUAL], DUE_QUARTERS[Frequency.SIX_MONTHLY]):
            if set(reported) <= set(quarters):
                return quarters
    return DUE_QUARTERS[Frequency.QUARTERLY]


def _points(row: dict) -> list[Point]:
    due = _due_quarters(row)
    return [
        Point(
            Quarter(t["year"], t["quarter"]),
            None if t["value"] is None else Decimal(t["value"]),
            None if t["target"] is None else Decimal(t["target"]),
            due=t["quarter"] in due,
        )
        for t in row["trend"]
    ]


def _charted_rows(facts: dict) -> list[dict]:
    """The indicator rows a report draws a chart for: each exception of an exception report,
    every indicator of the others' outcomes."""
    if facts.get("kind") == ReportKind.EXCEPTION:
        return list(facts.get("exceptions", []))
    return [row for outcome in facts.get("outcomes", []) for row in outcome["indicators"]]


def report_charts(report: Report) -> dict[int, ReportChart]:
    """The report's trend charts by indicator id, drawn from its frozen facts (no queries)."""
    charts: dict[int, ReportChart] = {}
    for row in _charted_rows(report.facts):
        fmt = common.formatter(row)
        points = _points(row)
        chart = ReportChart(
            trend_chart(
                id_prefix=f"report-chart-{row['id']}",
                title=f"{row['code']} {row['title']}",
                points=points,
                fmt=fmt,
                latest_rag=row["rag_label"] if row["reported"] else None,
                yes_no=row["unit"] == "yes_no",
            )
        )
        chart.rows = []
        for t, point in zip(row["trend"], points, strict=True):
            if point.value is None and not point.due:
                value = target = "Not due"
            else:
                value = fmt(t["value"])
                target = "No target" if t["target"] is None else fmt(t["target"])
            chart.rows.append({"period": t["period"], "value": value, "target": target})
        charts[row["id"]] = chart
    return charts


def _approval(report: Report) -> dict:
    """What the PDF says of the report's approval: part of its fingerprint, so a PDF drawn
    while the report was a draft is stale once it is approved (and only then: submitting a
    draft to the chair changes nothing the PDF shows)."""
    if report.status != ReportStatus.APPROVED:
        return {"approved": False, "version": report.version}
    review = (
        report.reviews.filter(outcome=ReviewOutcome.APPROVED)
        .order_by("-reviewed_at", "-pk")
        .first()
    )
    return {
        "approved": True,
        "version": report.version,
        "by": str(report.approved_by) if report.approved_by_id else "",
        "acting_as": review.acting_as if review else "",
        "on": common.long_date(timezone.localdate(report.approved_at)),
    }


def report_fingerprint(report: Report) -> str:
    """A sha256 hex digest of everything the report's PDF shows."""
    return facts_fingerprint(
        {
            "facts": report.facts,
            "narrative": report.narrative,
            "approval": _approval(report),
            "layout": common.LAYOUT_VERSION,
        }
    )


def _storage():
    return Report._meta.get_field("pdf").storage


def report_pdf_current(report: Report) -> bool:
    """Whether the report's stored PDF shows what the report holds now."""
    return bool(
        report.pdf
        and report.pdf_fingerprint == report_fingerprint(report)
        and _storage().exists(report.pdf.name)
    )


def report_render_later(report: Report, *, requested_by=None) -> None:
    """Queue the report's PDF to be rendered once this transaction commits. ``requested_by``
    is told when it is ready (or when it finally fails)."""
    from performance.tasks import render_report

    if requested_by is not None and getattr(requested_by, "is_authenticated", False):
        # Whoever asked first for a render still on its way is the one told it is ready.
        Report.objects.filter(pk=report.pk).exclude(
            render_requested_by__isnull=False,
            render_state__in=[RenderState.QUEUED, RenderState.RENDERING],
        ).update(render_requested_by=requested_by)
    # A render in progress keeps its claim; it queues another run itself if the report
    # changed while it drew it. Queuing stamps the time, so a job lost on its way is seen
    # as lost (``render_in_progress``) and queued again.
    Report.objects.filter(pk=report.pk).filter(_claimable()).update(
        render_state=RenderState.QUEUED,
        render_progress="Queued",
        render_error="",
        render_started_at=timezone.now(),
    )
    report.refresh_from_db(
        fields=["render_state", "render_progress", "render_error", "render_requested_by"]
    )
    pk = report.pk
    enqueue(render_report, pk)


def render_in_progress(report: Report) -> bool:
    """Queued or rendering, and not for so long that the job must have been lost (a worker
    killed, a message dropped): then it is queued again rather than waited for."""
    if report.render_state not in (RenderState.QUEUED, RenderState.RENDERING):
        return False
    started = report.render_started_at
    return started is not None and started >= timezone.now() - RENDER_TIMEOUT


def _claimable() -> Q:
    stale = timezone.now() - RENDER_TIMEOUT
    return ~Q(render_state=RenderState.RENDERING) | Q(render_started_at__lt=stale)


def _progress(pk: int, text: str) -> None:
    # Its own short UPDATE (the job runs in autocommit): the progress page sees each step.
    Report.objects.filter(pk=pk).update(render_progress=text)


class _Pages:
    """Writes "Rendering page N of M" to the report as WeasyPrint writes each page: the first
    page, then at most every PROGRESS_EVERY seconds, so a long report costs a few short
    updates rather than one a page."""

    def __init__(self, pk: int):
        self.pk = pk
        self.total = 0
        self.said_at = 0.0

    def __call__(self, number: int, total: int) -> None:
        self.total = total
        now = time.monotonic()
        if number == 1 or (number > 1 and now - self.said_at >= PROGRESS_EVERY):
            self.said_at = now
            _progress(self.pk, f"Rendering page {number} of {total}")


def _file_name(report: Report, digest: str) -> str:
    return report_path(report, f"{report.kind}-v{report.version}-{digest}.pdf")


def _reason(exc: BaseException) -> str:
    """Why a render failed, in words the person who asked can act on."""
    if isinstance(exc, SoftTimeLimitExceeded):
        return "Rendering took too long and was stopped."
    if isinstance(exc, RefusedURL):
        return f"The report asked for a file that is not one of ours ({exc})."
    if isinstance(exc, OSError):
        return f"The PDF could not be saved: {exc.strerror or exc}."
    return f"Rendering failed: {exc or type(exc).__name__}."


def _tell_ready(report: Report, digest: str) -> None:
    if report.render_requested_by_id is None:
        return
    notify_once(
        to=report.render_requested_by,
        key=f"report-ready:{report.pk}:{digest}",
        template="report_ready",
        context={"report": report, "url": common.site(report.get_absolute_url())},
        url=report.get_absolute_url(),
    )
    # Told: a later render nobody asked for (the hourly safety net) tells nobody.
    Report.objects.filter(pk=report.pk, render_requested_by=report.render_requested_by_id).update(
        render_requested_by=None
    )


def _attach(report: Report) -> None:
    """Put the PDF on the agenda paper the report went to (placement.py knows how)."""
    if report.paper_id is None:
        return
    from performance.services.reports.placement import attach_pdf_to_paper

    attach_pdf_to_paper(report)


def _store(report: Report, digest: str, pdf: bytes, pages: int) -> bool:
    """Point the report at its new PDF. Returns False if another render already stored this
    same PDF (a claim taken over after RENDER_TIMEOUT): the new file is then deleted, so one
    file is left."""
    storage = _storage()
    # Written in full before the row names it: until the row is updated below, the old
    # file (or none) is what is served.
    name = storage.save(_file_name(report, digest), ContentFile(pdf))
    try:
        with transaction.atomic():
            row = Report.objects.select_for_update().get(pk=report.pk)
            if row.pdf_fingerprint == digest and row.pdf and storage.exists(row.pdf.name):
                transaction.on_commit(partial(storage.delete, name))
                stored = False
            else:
                old = row.pdf.name
                Report.objects.filter(pk=report.pk).update(
                    pdf=name,
                    pdf_fingerprint=digest,
                    pdf_pages=pages,
                    rendered_at=timezone.now(),
                )
                if old and old != name:
                    # Only once the new name is committed: until then the old file is the
                    # one the row points at.
                    transaction.on_commit(partial(storage.delete, old))
                stored = True
    except Exception:
        storage.delete(name)
        raise
    return stored


def _finish(report: Report, digest: str) -> bool:
    """Done, unless the report changed while it was drawn: then it goes back in the queue
    (a request made meanwhile found it claimed and left it to this run). Returns whether it
    is done."""
    report.refresh_from_db()
    if report_fingerprint(report) != digest:
        Report.objects.filter(pk=report.pk).update(
            render_state=RenderState.QUEUED, render_progress="Queued: the report changed"
        )
        from performance.tasks import render_report

        pk = report.pk
        enqueue(render_report, pk)
        return False
    Report.objects.filter(pk=report.pk).update(
        render_state=RenderState.DONE, render_progress="", render_error=""
    )
    return True


def report_render(*, report_id: int) -> bool:
    """Render the report's PDF if it is missing or stale, and store it. Returns whether it
    rendered. Safe to run twice, and at once: the second run finds the PDF current, or the
    report claimed, and returns False. On failure the report records why and the exception
    is raised again, for the task to retry."""
    report = (
        Report.objects.select_related("partnership", "render_requested_by")
        .filter(pk=report_id)
        .first()
    )
    if report is None:
        return False
    digest = report_fingerprint(report)
    if report.pdf_fingerprint == digest and report.pdf and _storage().exists(report.pdf.name):
        # Current: a retry after the PDF was stored finishes what the last run left (both
        # steps do nothing a second time).
        Report.objects.filter(pk=report.pk).filter(_claimable()).update(
            render_state=RenderState.DONE, render_progress="", render_error=""
        )
        try:
            _tell_ready(report, digest)
            _attach(report)
        except Exception as exc:
            _failed(report.pk, exc)
            raise
        return False
    now = timezone.now()
    claimed = (
        Report.objects.filter(pk=report.pk)
        .filter(_claimable())
        .update(
            render_state=RenderState.RENDERING,
            render_started_at=now,
            render_progress="Gathering the figures",
            render_error="",
        )
    )
    if not claimed:
        log.info("Report %s is being rendered by another job", report.pk)
        return False
    Report.objects.filter(pk=report.pk).update(render_attempts=F("render_attempts") + 1)
    try:
        charts = report_charts(report)
        if charts:
            _progress(report.pk, f"Drawing {len(charts)} chart{'s' * (len(charts) != 1)}")
        _progress(report.pk, "Laying out")
        pages = _Pages(report.pk)
        pdf = render_pdf(template=PDF_TEMPLATE, context=pdf_context(report, charts), progress=pages)
        _store(report, digest, pdf, pages.total)
        if _finish(report, digest):
            _tell_ready(report, digest)
            _attach(report)
    except Exception as exc:
        _failed(report.pk, exc)
        raise
    return True


def pdf_context(report: Report, charts: dict | None = None) -> dict:
    """The PDF template's context: the same partial as the report's page, with ``pdf`` on."""
    return {
        "report": report,
        "facts": report.facts,
        "narrative": report.narrative,
        "charts": report_charts(report) if charts is None else charts,
        "approval": _approval(report),
        "title": report.title,
        "pdf": True,
    }


def report_html(report: Report) -> str:
    """The HTML the PDF is rendered from (for the benchmark, and for looking at)."""
    return render_to_string(PDF_TEMPLATE, pdf_context(report))


def _failed(pk: int, exc: BaseException) -> None:
    log.warning("Rendering report %s failed", pk, exc_info=exc)
    Report.objects.filter(pk=pk).update(
        render_state=RenderState.FAILED, render_progress="", render_error=_reason(exc)
    )


def report_render_gave_up(*, report_id: int) -> None:
    """The last retry failed: the report stays failed, and whoever asked is told once."""
    report = (
        Report.objects.select_related("partnership", "render_requested_by")
        .filter(pk=report_id)
        .first()
    )
    if report is None or report.render_requested_by_id is None:
        return
    notify_once(
        to=report.render_requested_by,
        key=f"report-failed:{report.pk}:{report_fingerprint(report)}",
        template="report_failed",
        context={
            "report": report,
            "reason": report.render_error,
            "url": common.site(report.get_absolute_url()),
        },
        url=report.get_absolute_url(),
    )


def reports_render_stale() -> int:
    """Queue a render for every approved report whose PDF is missing or stale, and for any
    report whose render was asked for and lost on its way: a safety net behind the renders
    queued when a report changes. Returns how many were queued."""
    queued = 0
    # Queued ones too: a job lost with a worker leaves its report queued. A duplicate job
    # finds the PDF current, or the report claimed, and does nothing.
    lost = Q(
        render_state__in=[RenderState.QUEUED, RenderState.RENDERING],
        render_started_at__lt=timezone.now() - RENDER_TIMEOUT,
    )
    reports = (
        Report.objects.filter(Q(status=ReportStatus.APPROVED) | lost)
        .filter(_claimable())
        .select_related("approved_by")
    )
    for report in reports.iterator():
        if not report_pdf_current(report):
            report_render_later(report)
            queued += 1
    return queued
