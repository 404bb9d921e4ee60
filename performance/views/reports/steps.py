"""A report's steps: submitting to the chair (or the governance lead), their decision,
rebuilding from the latest figures, and drafting a new exception report."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from membership.selectors import body_office_holders
from partnership import permissions as perms
from partnership.forms import posted
from partnership.periods import quarters_ending
from performance import selectors, services
from performance.forms.reports import (
    QuarterForm,
    ReviewForm,
    SubmitForm,
)
from performance.services.reports import rendering
from performance.views.reports.common import (
    DRAFTABLE_QUARTERS,
    EDITABLE,
    _approved_message,
    _context,
    report_or_404,
)

__all__ = ["exception_report_create", "report_rebuild", "report_review", "report_submit"]

# --- to the chair, and the chair's decision ---------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def report_submit(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    """The co-ordinator sends the report to the chair; if the chair is unavailable, saying
    why lets the deputy chair approve it."""
    page = report_or_404(request, partnership, pk)
    report = page.report
    perms.require(page.can_manage and services.report_needs_approval(report))
    if report.status not in EDITABLE:
        messages.error(request, "This report is not a draft, so it cannot be submitted.")
        return redirect(page.url)
    form = SubmitForm(
        posted(request),
        initial={
            "chair_unavailable": report.chair_unavailable,
            "reason": report.chair_unavailable_reason,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.report_submit(
                actor=request.user,
                report=report,
                chair_unavailable=form.cleaned_data["chair_unavailable"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_service_error(error, chair_unavailable_reason="reason")
        else:
            if services.report_approved_by_governance_lead(report):
                sent = "Report sent to the governance lead for approval."
            elif form.cleaned_data["chair_unavailable"]:
                sent = "Report sent to the deputy chair and the chair for approval."
            else:
                sent = "Report sent to the chair for approval."
            messages.success(request, sent)
            return redirect(page.url)
    if services.report_approved_by_governance_lead(report):
        # No chair and no deputy: the governance lead(s) approve it.
        return render(
            request,
            "performance/reports/report_submit.html",
            _context(
                page,
                form=form,
                chair=None,
                deputy=None,
                leads=services.report_approvers(report=report),
            ),
        )
    chairs = body_office_holders(body=report.body)
    return render(
        request,
        "performance/reports/report_submit.html",
        _context(
            page,
            form=form,
            chair=chairs.get("chair"),
            deputy=chairs.get("deputy_chair"),
            leads=None,
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_review(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    """The chair (or the acting deputy) approves the report or returns it with comments."""
    page = report_or_404(request, partnership, pk)
    perms.require(page.can_review)
    report = page.report
    form = ReviewForm(posted(request))
    if request.method == "POST" and form.is_valid():
        outcome, comments = form.cleaned_data["outcome"], form.cleaned_data["comments"]
        try:
            if outcome == "approve":
                report = services.report_approve(
                    actor=request.user, report=report, comments=comments
                )
            else:
                report = services.report_return(
                    actor=request.user, report=report, comments=comments
                )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _approved_message(report)
                if outcome == "approve"
                else "Report returned to the co-ordinator with your comments.",
            )
            return redirect(report.get_absolute_url())
    return render(
        request,
        "performance/reports/report_review.html",
        _context(
            page,
            form=form,
            charts=rendering.report_charts(report),
            acting_as=page.acting_as,
        ),
    )


# --- rebuilding, and drafting a new exception report --------------------------------------


@login_required
@require_POST
def report_rebuild(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    """Build the report again from the latest signed-off figures: a new version only if they
    changed, so the approved version stays what was approved."""
    page = report_or_404(request, partnership, pk)
    perms.require(page.can_rebuild)
    try:
        rebuilt = services.report_rebuild(actor=request.user, report=page.report)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(page.url)
    if rebuilt.pk == page.report.pk:
        messages.success(
            request, "The figures have not changed since this version was built: nothing to do."
        )
    else:
        messages.success(request, f"Rebuilt from the latest figures as version {rebuilt.version}.")
    return redirect(rebuilt.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def exception_report_create(request: HttpRequest, partnership: str, body: str) -> HttpResponse:
    """A co-ordinator drafts (or redrafts) a body's exception report for an ended quarter."""
    body_obj = perms.get_body_or_404(partnership, body)
    perms.require(perms.can_manage_body(request.user, body_obj))
    if body_obj.parent is None:
        raise Http404("This body reports to nobody, so it has no exception reports")
    last = selectors.open_quarter(today=timezone.localdate())
    quarters = list(reversed(quarters_ending(last, DRAFTABLE_QUARTERS)))
    # The body's returns page asks for the quarter it shows.
    asked = request.GET.get("period", "")
    initial = asked if asked in {q.slug for q in quarters} else last.slug
    form = QuarterForm(
        posted(request),
        quarters=quarters,
        initial={"period": initial},
    )
    if request.method == "POST" and form.is_valid():
        period = form.cleaned_data["period"]
        try:
            report = services.exception_report_draft(
                body=body_obj, period=period, actor=request.user
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Exception report for {period.short_label} drafted.")
            return redirect(report.get_absolute_url())
    return render(
        request,
        "performance/reports/exception_create.html",
        {"partnership": body_obj.partnership, "body": body_obj, "form": form},
    )
