"""A report's PDF: served when it is current, otherwise its progress (queued, rendering, failed
with a reason and a retry, ready), on a page that refreshes itself without JavaScript."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from performance import permissions
from performance.models import (
    RenderState,
    Report,
)
from performance.services.reports import rendering
from performance.views.reports.common import (
    REFRESH_SECONDS,
    ReportPage,
    _context,
    _url,
    report_or_404,
)

__all__ = ["report_pdf", "report_render"]

# --- the PDF and its progress -----------------------------------------------------------------


def _pdf_response(page: ReportPage) -> FileResponse:
    report = page.report
    response = FileResponse(
        report.pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"{slugify(report.title) or 'report'}-v{report.version}.pdf",
    )
    public = permissions.is_public_report(report)
    response["Cache-Control"] = "private" if public else "private, no-store"
    return response


@require_GET
def report_pdf(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    """The PDF if it is current; otherwise its progress, queueing the render if nothing is
    queued. The progress page reloads itself every few seconds while the PDF is being made
    (an HTTP Refresh header: no JavaScript needed), unless asked not to."""
    page = report_or_404(request, partnership, pk)
    report = page.report
    progress = "progress" in request.GET
    current = rendering.report_pdf_current(report)
    if current and not progress:
        return _pdf_response(page)
    if (
        not current
        and report.render_state != RenderState.FAILED
        and not rendering.render_in_progress(report)
    ):
        _render_later(request, report)
    state = RenderState.DONE if current else report.render_state
    refreshing = state in (RenderState.QUEUED, RenderState.RENDERING)
    stopped = request.GET.get("refresh") == "off"
    pdf_url = _url(report, "report_pdf")
    response = render(
        request,
        "performance/reports/report_progress.html",
        _context(
            page,
            state=state,
            refreshing=refreshing and not stopped,
            stopped=refreshing and stopped,
            pdf_url=pdf_url,
            progress_url=f"{pdf_url}?progress=1",
            render_url=_url(report, "report_render"),
        ),
    )
    if refreshing and not stopped:
        response["Refresh"] = f"{REFRESH_SECONDS}; url={pdf_url}?progress=1"
    response["Cache-Control"] = "no-store"
    return response


def _render_later(request: HttpRequest, report: Report) -> None:
    requested_by = request.user if request.user.is_authenticated else None
    # It refreshes the report's render fields itself.
    rendering.report_render_later(report, requested_by=requested_by)


@require_POST
def report_render(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    """Try again after a failed render (or start one): a render already on its way is left
    to finish."""
    page = report_or_404(request, partnership, pk)
    report = page.report
    busy = rendering.render_in_progress(report)
    if not busy and not rendering.report_pdf_current(report):
        _render_later(request, report)
    return redirect(f"{_url(report, 'report_pdf')}?progress=1")
