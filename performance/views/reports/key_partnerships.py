"""The key partnerships register as a PDF, for whoever reads the register
(``can_read_key_partnerships``). A POST builds (or finds current) the register's report and
sends them to its PDF's progress page; a GET shows the button. The twice-yearly report is built
from ``board_report_create`` (kind ``key-partnerships``), like the Partnership Board's other
reports."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from partnership import permissions as perms
from performance import permissions
from performance.services.reports import rendering
from performance.services.reports.key_partnership_register import key_partnership_register_build

__all__ = ["key_partnership_register_pdf"]


@login_required
@require_http_methods(["GET", "POST"])
def key_partnership_register_pdf(request: HttpRequest, partnership: str) -> HttpResponse:
    p = perms.get_partnership_or_404(partnership)
    if not permissions.can_read_key_partnerships(request.user, p):
        raise Http404("No such register")
    error = ""
    if request.method == "POST":
        try:
            report = key_partnership_register_build(actor=request.user, partnership=p)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            if not rendering.report_pdf_current(report) and not rendering.render_in_progress(
                report
            ):
                rendering.report_render_later(report, requested_by=request.user)
            address = reverse(
                "performance:report_pdf", kwargs={"partnership": p.slug, "pk": report.pk}
            )
            return redirect(f"{address}?progress=1")
    return render(
        request,
        "performance/reports/kp_register_pdf.html",
        {"partnership": p, "error": error},
    )
