"""A register's exports (CSV, XLSX) and import, and its PDF.

- Export: anyone with a place in the partnership, of the risks they may see (``?body=`` one
  body's register: its own risks and those escalated to it).
- Import: anyone who keeps at least one body's register (``can_manage_risks``), each for the
  risks of the bodies whose register they keep; the steps are the indicators' import.
- The PDF: whoever may see the body's register. A POST builds (or finds current) the body's
  "risk register" report and sends them to its PDF's progress page; a GET shows the button.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from partnership import permissions as perms
from partnership.models import Body, Partnership
from performance import permissions, selectors
from performance.forms.risk_transfer import RiskImportForm
from performance.models import Report
from performance.services.reports import rendering
from performance.services.reports.risk_register import risk_register_build
from performance.services.risks import transfer as risk_transfer
from performance.services.transfer import MAX_ROWS
from performance.views.risks.common import partnership_insider_or_404
from performance.views.transfer import CONTENT_TYPES, ImportFlow, import_steps

__all__ = ["risk_export", "risk_import", "risk_register_pdf"]

RISKS = ImportFlow(
    form=RiskImportForm,
    parse=lambda **kw: risk_transfer.risks_parse(**kw),
    save=lambda **kw: risk_transfer.risks_import(**kw),
    upload_template="performance/risks/import.html",
    preview_template="performance/risks/import_preview.html",
    done=lambda p: reverse("performance:risk_list", kwargs={"partnership": p.slug}),
    imported="Risks imported",
    context={"columns": risk_transfer.RISK_COLUMNS, "max_rows": MAX_ROWS},
)


def may_import_risks(user, partnership: Partnership) -> bool:
    """Keeps at least one body's register (rights are cached: no query per body)."""
    bodies = Body.objects.filter(partnership=partnership).only("pk", "partnership_id")
    return any(permissions.can_manage_risks(user, b) for b in bodies)


@login_required
@require_GET
def risk_export(request: HttpRequest, partnership: str) -> HttpResponse:
    p = perms.get_partnership_or_404(partnership)
    partnership_insider_or_404(request.user, p)
    file_format = request.GET.get("format", "csv")
    if file_format not in CONTENT_TYPES:
        raise Http404("Export as csv or xlsx")
    risks = selectors.risks_visible_to(request.user, p)
    name = p.slug
    if request.GET.get("body"):
        body = Body.objects.filter(partnership=p, slug=request.GET["body"]).first()
        if body is None:
            raise Http404("No such body")
        risks = risks.filter(selectors.register_q(body))
        name = f"{p.slug}-{body.slug}"
    data = risk_transfer.risks_export(partnership=p, risks=risks, file_format=file_format)
    response = HttpResponse(data, content_type=CONTENT_TYPES[file_format])
    filename = f"{name}-risks-{timezone.localdate():%Y-%m-%d}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # A register is not for caches in between.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def risk_import(request: HttpRequest, partnership: str) -> HttpResponse:
    p = perms.get_partnership_or_404(partnership)
    partnership_insider_or_404(request.user, p)
    perms.require(may_import_risks(request.user, p))
    return import_steps(request, p, RISKS)


@login_required
@require_http_methods(["GET", "POST"])
def risk_register_pdf(request: HttpRequest, partnership: str, body: str) -> HttpResponse:
    b = perms.get_body_or_404(partnership, body)
    if not permissions.can_manage_risks(request.user, b):
        raise Http404("No such register")
    if request.method == "POST":
        report = risk_register_build(actor=request.user, body=b)
        if not rendering.report_pdf_current(report) and not rendering.render_in_progress(report):
            rendering.report_render_later(report, requested_by=request.user)
        return redirect(_pdf_progress(report))
    return render(
        request,
        "performance/risks/register_pdf.html",
        {"partnership": b.partnership, "body": b},
    )


def _pdf_progress(report: Report) -> str:
    address = reverse(
        "performance:report_pdf",
        kwargs={"partnership": report.partnership.slug, "pk": report.pk},
    )
    return f"{address}?progress=1"
