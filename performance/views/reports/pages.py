"""The list of reports, a report's page (its HTML version) and writing its narrative."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from partnership import permissions as perms
from partnership.forms import posted
from partnership.history import history_entries
from partnership.models import Body
from partnership.periods import Quarter
from performance import selectors, services
from performance.forms.reports import (
    NarrativeForm,
)
from performance.models import (
    Indicator,
    Report,
    ReportKind,
    ReportStatus,
)
from performance.services.reports import rendering
from performance.views.reports.common import (
    PAGE_SIZE,
    _approved_message,
    _context,
    _url,
    may_build_board_reports,
    may_build_key_partnerships_report,
    partnership_board_or_none,
    report_or_404,
)

__all__ = ["report_detail", "report_edit", "report_list"]

# --- the list -----------------------------------------------------------------------------


def report_list(request: HttpRequest, partnership: str) -> HttpResponse:
    """The reports the user may see, newest first; the public sees the public ones. Each
    body the user co-ordinates that reports to another has a "Draft an exception report"
    link. A fixed number of queries, however many reports."""
    p = perms.get_partnership_or_404(partnership)
    user = request.user
    if user.is_authenticated:
        reports = selectors.reports_for(user=user, partnership=p).order_by("-built_at", "-pk")
    else:
        reports = selectors.public_reports(partnership=p)
    body = None
    if request.GET.get("body"):
        body = Body.objects.filter(partnership=p, slug=request.GET["body"]).first()
        if body is None:
            raise Http404("No such body")
        reports = reports.filter(body=body)
    # A list never shows the facts or the narrative: not loading them saves most of its bytes.
    reports = reports.select_related("body").defer("facts", "narrative")
    rows = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    for report in rows:
        report.period_text = _period_text(report)
    drafting = []
    if user.is_authenticated:
        managed = perms.bodies_managed_by(user, p)
        if body is not None:
            managed = managed.filter(pk=body.pk)
        drafting = list(
            managed.filter(parent__isnull=False)
            .filter(Exists(Indicator.objects.filter(body=OuterRef("pk"))))
            .order_by("name")
        )
    board = partnership_board_or_none(p)
    building = body is None and may_build_board_reports(user, p, board)
    building_kp = body is None and may_build_key_partnerships_report(user, p, board)
    return render(
        request,
        "performance/reports/report_list.html",
        {
            "partnership": p,
            "rows": rows,
            "drafting": drafting,
            "body": body,
            "building": building,
            "building_kp": building_kp,
        },
    )


def _period_text(report: Report) -> str:
    """The period as the reports name it ("Q2 2026/27" for a quarter)."""
    if report.kind == ReportKind.EXCEPTION:
        return Quarter(report.year, report.quarter).short_label
    return report.period_label


# --- a report's page ------------------------------------------------------------------------


def report_detail(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    """The report's HTML version, with its state, its reviews and history for those who
    work on it, and the steps the user may take."""
    page = report_or_404(request, partnership, pk)
    report = page.report
    versions, reviews, history, approvers = [], [], [], []
    if page.insider:
        versions = list(
            Report.objects.filter(
                body=report.body,
                kind=report.kind,
                year=report.year,
                quarter=report.quarter,
                issue=report.issue,
            )
            .order_by("-version")
            .only("pk", "version", "status", "built_at", "partnership_id")
        )
        for version in versions:
            version.partnership = report.partnership
        reviews = list(report.reviews.select_related("reviewer").order_by("-reviewed_at", "-pk"))
        history = history_entries(report)
        if report.status == ReportStatus.SUBMITTED:
            approvers = services.report_approvers(report=report)
    latest = versions[0] if versions and versions[0].pk != report.pk else None
    return render(
        request,
        "performance/reports/report_detail.html",
        _context(
            page,
            charts=rendering.report_charts(report),
            versions=versions,
            latest=latest,
            reviews=reviews,
            history=history,
            approvers=approvers,
            meeting=_meeting_shown(request, report),
            pdf_url=_url(report, "report_pdf"),
        ),
    )


def _meeting_shown(request: HttpRequest, report):
    """The meeting the report is on the agenda of, if the reader may see that agenda: a
    scheduled meeting's date is public before its agenda is, its business is not."""
    from governance.selectors.meetings import agenda_visible, body_access

    if not report.agenda_item:
        return None
    meeting = report.agenda_item.meeting
    return meeting if agenda_visible(meeting, body_access(request.user, meeting.body)) else None


# --- writing the narrative ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    """The narrative form. The chair (or the acting deputy) may save and approve in one step:
    the chair edits and approves."""
    page = report_or_404(request, partnership, pk)
    perms.require(page.can_edit)
    report = page.report
    form = NarrativeForm(
        posted(request),
        report=report,
        initial=NarrativeForm.initial_from(report),
    )
    if request.method == "POST" and form.is_valid():
        approve = request.POST.get("action") == "approve"
        perms.require(not approve or page.can_approve_now)
        try:
            report = services.report_save_narrative(
                actor=request.user, report=report, narrative=form.narrative()
            )
            if approve:
                report = services.report_approve(actor=request.user, report=report)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            if approve:
                messages.success(request, _approved_message(report))
            else:
                messages.success(request, "Report saved. You can come back to it later.")
            return redirect(report.get_absolute_url())
    return render(request, "performance/reports/report_edit.html", _context(page, form=form))
