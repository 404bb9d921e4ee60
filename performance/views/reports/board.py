"""The Partnership Board's reports: building a six-monthly report, the annual report or a
newsletter, adding a report to a meeting, and publishing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from governance.models import Meeting, MeetingStatus
from partnership import permissions as perms
from partnership.forms import posted
from partnership.models import Body
from performance import permissions as pp
from performance import services
from performance.forms.board_reports import (
    FinancialYearForm,
    HalfYearForm,
    KeyPartnershipsHalfForm,
    MeetingChoiceForm,
    NewsletterForm,
)
from performance.models import (
    PUBLISHED_KINDS,
    Report,
    ReportKind,
    ReportStatus,
)
from performance.services.reports.common import long_date
from performance.views.reports.common import (
    may_build_board_reports,
    may_build_key_partnerships_report,
    partnership_board_or_none,
    report_or_404,
)

__all__ = ["board_report_create", "report_add_to_meeting", "report_publish"]

# --- building a report for the Partnership Board ---------------------------------------------


class _Build:
    """How one kind is built: the form that chooses its period, the service, and the words."""

    def __init__(
        self, kind, form, service: str, heading: str, intro: str, may=may_build_board_reports
    ) -> None:
        self.kind, self.form, self.service = kind, form, service
        self.heading, self.intro = heading, intro
        # Who may build it: (user, partnership, board or None) -> bool.
        self.may = may


BUILDS = {
    "six-monthly": _Build(
        ReportKind.SIX_MONTHLY,
        HalfYearForm,
        "six_monthly_build",
        "Build a six-monthly performance report",
        "The report shows, by outcome, every indicator's position and trend, the delivery "
        "plan's actions and the exceptions reported, from the signed-off returns. You review "
        "it, then add it to a Partnership Board meeting.",
    ),
    "annual": _Build(
        ReportKind.ANNUAL,
        FinancialYearForm,
        "annual_build",
        "Build the annual report",
        "The report covers the year's structure, membership, meetings and decisions, "
        "performance by outcome and the registers, from what the public may see. You write "
        "the foreword and highlights; the Partnership Board's chair approves it before it is "
        "published.",
    ),
    "newsletter": _Build(
        ReportKind.NEWSLETTER,
        NewsletterForm,
        "newsletter_build",
        "Build a newsletter",
        "The newsletter's highlights (meetings held, recent decisions, how the indicators "
        "stand and the meetings coming up) are taken from what the public may see today. You "
        "write the headline and the story; the Partnership Board's chair approves it before "
        "it is published.",
    ),
    "key-partnerships": _Build(
        ReportKind.KEY_PARTNERSHIPS,
        KeyPartnershipsHalfForm,
        "key_partnerships_build",
        "Build the key partnerships report",
        "The report shows, for every key partnership, its performance against targets, "
        "emerging issues, budget, and its partners' strength and stability, with what changed "
        "in the half-year, from the register as it stands. You write the summary and the "
        "recommendations; the governance lead approves it, then you add it to a meeting.",
        may=may_build_key_partnerships_report,
    ),
}


@login_required
@require_http_methods(["GET", "POST"])
def board_report_create(request: HttpRequest, partnership: str, kind: str) -> HttpResponse:
    build = BUILDS.get(kind)
    if build is None:
        raise Http404("No such kind of report")
    p = perms.get_partnership_or_404(partnership)
    board = partnership_board_or_none(p)
    perms.require(build.may(request.user, p, board))
    today = timezone.localdate()
    extra = {} if build.form is NewsletterForm else {"today": today}
    form = build.form(posted(request), **extra)
    if request.method == "POST" and form.is_valid():
        started = timezone.now()
        try:
            report = getattr(services, build.service)(
                actor=request.user, partnership=p, **form.build_arguments()
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            return _built(request, report, changed=report.built_at >= started)
    return render(
        request,
        "performance/reports/board_create.html",
        {
            "partnership": p,
            "board": board,
            "form": form,
            "build": build,
            "kind_label": build.kind.label,
        },
    )


def _built(request: HttpRequest, report: Report, *, changed: bool) -> HttpResponse:
    """Say what was built and queue its PDF (unless this very version is rendered already)."""
    if changed:
        messages.success(request, f"{report.title} built. Its PDF is being prepared.")
    else:
        messages.success(
            request,
            f"Nothing has changed since “{report.title}” was built on "
            f"{long_date(timezone.localdate(report.built_at))}: this is the same version.",
        )
    if changed or not services.report_pdf_current(report):
        services.report_render_later(report, requested_by=request.user)
    return redirect(report.get_absolute_url())


# --- adding a report to a meeting --------------------------------------------------------------


def _board_for(report: Report) -> Body | None:
    """The board the report goes to: the Partnership Board for its own six-monthly or key
    partnerships report, the group's parent board for an exception report."""
    if report.kind in (ReportKind.SIX_MONTHLY, ReportKind.KEY_PARTNERSHIPS):
        return report.body
    return report.body.parent


def _upcoming(board: Body) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(body=board, held_on__gte=timezone.localdate())
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("body")
        .order_by("held_on", "start_time", "pk")
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_add_to_meeting(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    """A six-monthly report goes on the Partnership Board meeting its co-ordinator picks. An
    exception report goes on its board's next meeting when approved; one left waiting (no
    meeting was scheduled) can be placed from here once there is one. Once placed, the page
    says where."""
    report = report_or_404(request, partnership, pk).report
    if report.kind not in (
        ReportKind.SIX_MONTHLY,
        ReportKind.EXCEPTION,
        ReportKind.KEY_PARTNERSHIPS,
    ):
        raise Http404("This report does not go to a meeting")
    board = _board_for(report)
    perms.require(board is not None and perms.can_manage_body(request.user, board))
    context = {
        "partnership": report.partnership,
        "report": report,
        "board": board,
        "report_url": report.get_absolute_url(),
        "item": report.agenda_item,
        "schedule_url": reverse(
            "governance:meeting_create",
            kwargs={"partnership": report.partnership.slug, "body": board.slug},
        ),
    }
    template = "performance/reports/add_to_meeting.html"
    if report.agenda_item_id is not None:
        # Once only: where it went is shown, and nothing can be posted.
        if request.method == "POST":
            messages.error(request, "This report is already on a meeting's agenda.")
            return redirect(request.path)
        return render(request, template, context)
    if report.kind == ReportKind.EXCEPTION:
        return _place_exception_report(request, report, context)
    if report.kind == ReportKind.KEY_PARTNERSHIPS and report.status != ReportStatus.APPROVED:
        # The governance lead approves it first: the page says so, and nothing is posted.
        if request.method == "POST":
            messages.error(request, "The governance lead approves this report first.")
            return redirect(request.path)
        return render(request, template, {**context, "awaiting_approval": True})
    meetings = _upcoming(board)
    form = MeetingChoiceForm(posted(request), meetings=meetings)
    if request.method == "POST" and form.is_valid():
        meeting = form.cleaned_data["meeting"]
        try:
            services.report_add_to_meeting(actor=request.user, report=report, meeting=meeting)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                f"Added to the agenda of the {meeting.name}, {long_date(meeting.held_on)}, "
                "for information.",
            )
            return redirect(report.get_absolute_url())
    has_meetings = meetings.exists()
    return render(request, template, {**context, "form": form, "has_meetings": has_meetings})


def _place_exception_report(request: HttpRequest, report: Report, context: dict) -> HttpResponse:
    """An approved exception report waiting for its board's next meeting."""
    approved = report.status == ReportStatus.APPROVED
    meeting = services.report_next_meeting(body=context["board"]) if approved else None
    if request.method == "POST":
        problem = (
            "No meeting of the board is scheduled."
            if approved
            else "Its chair approves it first, and it then goes on the agenda by itself."
        )
        if meeting is not None:
            try:
                report = services.report_place(report=report)
            except ValidationError as error:
                problem = " ".join(error.messages)
        if report.agenda_item_id is not None:
            placed = report.agenda_item.meeting
            messages.success(
                request,
                f"Added to the agenda of the {placed.name}, {long_date(placed.held_on)}, "
                "for decision.",
            )
            return redirect(report.get_absolute_url())
        messages.error(request, f"The report could not be put on an agenda. {problem}")
        return redirect(request.path)
    return render(
        request,
        "performance/reports/add_to_meeting.html",
        {**context, "approved": approved, "next_meeting": meeting},
    )


# --- publishing -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def report_publish(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    """A confirmation page, then publishing on the public site: approved annual reports and
    newsletters only."""
    report = report_or_404(request, partnership, pk).report
    if report.kind not in PUBLISHED_KINDS:
        raise Http404("This kind of report is not published")
    perms.require(pp.can_manage_report(request.user, report))
    if report.is_published:
        messages.error(request, "This report is already published.")
        return redirect(report.get_absolute_url())
    if report.status != ReportStatus.APPROVED:
        messages.error(
            request,
            "Only an approved report can be published: the Partnership Board's chair approves "
            "it first.",
        )
        return redirect(report.get_absolute_url())
    error = ""
    if request.method == "POST":
        try:
            services.report_publish(actor=request.user, report=report)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                f"{report.title} published. The public can read it on the publications page.",
            )
            return redirect(report.get_absolute_url())
    return render(
        request,
        "performance/reports/publish.html",
        {
            "partnership": report.partnership,
            "report": report,
            "report_url": report.get_absolute_url(),
            "error": error,
            "pdf_ready": services.report_pdf_current(report),
        },
    )
