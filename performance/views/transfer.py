"""Importing indicators and targets from a file, with a preview to confirm, and exporting them in
the same shape. For co-ordinators: people who co-ordinate at least one body of the partnership,
each for the indicators of the bodies they co-ordinate."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from partnership.models import Partnership
from partnership.permissions import bodies_managed_by, get_partnership_or_404, require
from performance import services
from performance.forms.transfer import ConfirmForm, ImportForm
from performance.models import Indicator
from performance.services.transfer import (
    COLUMNS,
    CSV_CONTENT_TYPE,
    MAX_ROWS,
    XLSX_CONTENT_TYPE,
    ImportPreview,
)

__all__ = ["indicator_export", "indicator_import"]

CONTENT_TYPES = {"csv": CSV_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE}


def _partnership_for_coordinator(request: HttpRequest, slug: str) -> Partnership:
    partnership = get_partnership_or_404(slug)
    require(bodies_managed_by(request.user, partnership).exists())
    return partnership


@dataclass(frozen=True)
class ImportFlow:
    """What an import of one kind of thing needs: the upload form, reading a file into a
    preview, saving a clean preview, its two pages and where it ends. The indicators' import
    and the risk register's (views/risks/transfer.py) share the steps below."""

    form: type[ImportForm]
    parse: Callable[..., ImportPreview]
    save: Callable[..., int]
    upload_template: str
    preview_template: str
    done: Callable[[Partnership], str]
    imported: str  # "Indicators imported"
    context: dict = field(default_factory=dict)


INDICATORS = ImportFlow(
    form=ImportForm,
    parse=lambda **kw: services.indicators_parse(**kw),
    save=lambda **kw: services.indicators_import(**kw),
    upload_template="performance/transfer/import.html",
    preview_template="performance/transfer/preview.html",
    done=lambda p: reverse("performance:dashboard", kwargs={"partnership": p.slug}),
    imported="Indicators imported",
    context={"columns": COLUMNS, "max_rows": MAX_ROWS},
)


@login_required
@require_http_methods(["GET", "POST"])
def indicator_import(request: HttpRequest, partnership: str) -> HttpResponse:
    p = _partnership_for_coordinator(request, partnership)
    return import_steps(request, p, INDICATORS)


def import_steps(request: HttpRequest, p: Partnership, flow: ImportFlow) -> HttpResponse:
    """Upload, preview, confirm: the caller has fetched and authorised the partnership."""
    if request.method == "POST" and "upload_id" in request.POST:
        return _confirm(request, p, flow)
    form = flow.form(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        name, data = form.cleaned_data["upload"]
        preview = flow.parse(partnership=p, actor=request.user, name=name, data=data)
        upload_id = ""
        if preview.is_valid:
            upload_id = services.upload_keep(
                partnership=p, actor=request.user, name=name, data=data
            )
        return _preview_page(request, p, flow, preview, upload_id=upload_id)
    return _upload_page(request, p, flow, form)


def _confirm(request: HttpRequest, p: Partnership, flow: ImportFlow) -> HttpResponse:
    """Import exactly the file that was previewed, read again from where it was kept."""
    confirm = ConfirmForm(request.POST)
    kept = None
    if confirm.is_valid():
        upload_id = confirm.cleaned_data["upload_id"]
        kept = services.upload_kept(partnership=p, actor=request.user, upload_id=upload_id)
    if kept is None:
        form = flow.form({}, {})
        form.errors.clear()
        form.add_error(
            "upload",
            "The file you uploaded is no longer here (it may have been imported already): "
            "select it and upload it again",
        )
        return _upload_page(request, p, flow, form)
    name, data = kept
    preview = flow.parse(partnership=p, actor=request.user, name=name, data=data)
    if not preview.is_valid or preview.fingerprint != confirm.cleaned_data["fingerprint"]:
        # Someone changed something, or the person's rights, since the preview: show what
        # the file would do now rather than import something they did not see.
        notice = "Something has changed since you checked this file. Check it again."
        if not preview.is_valid:
            services.upload_discard(partnership=p, actor=request.user, upload_id=upload_id)
            upload_id = ""
        return _preview_page(request, p, flow, preview, upload_id=upload_id, notice=notice)
    try:
        flow.save(partnership=p, actor=request.user, preview=preview)
    except ValidationError as error:
        return _preview_page(
            request, p, flow, preview, upload_id=upload_id, failure=" ".join(error.messages)
        )
    services.upload_discard(partnership=p, actor=request.user, upload_id=upload_id)
    messages.success(request, f"{flow.imported} from {name}. {preview.summary}.")
    return redirect(flow.done(p))


def _upload_page(
    request: HttpRequest, p: Partnership, flow: ImportFlow, form: ImportForm
) -> HttpResponse:
    return render(request, flow.upload_template, {"partnership": p, "form": form, **flow.context})


def _preview_page(
    request: HttpRequest,
    p: Partnership,
    flow: ImportFlow,
    preview: ImportPreview,
    *,
    upload_id: str,
    notice: str = "",
    failure: str = "",
) -> HttpResponse:
    shown = [row for row in preview.rows if row.errors or row.action != "unchanged"]
    confirm = None
    if upload_id and preview.is_valid:
        confirm = ConfirmForm(initial={"upload_id": upload_id, "fingerprint": preview.fingerprint})
    return render(
        request,
        flow.preview_template,
        {
            "partnership": p,
            "preview": preview,
            "rows": shown,
            "unchanged": preview.count("unchanged"),
            "confirm": confirm,
            "notice": notice,
            "failure": failure,
            **flow.context,
        },
    )


@login_required
@require_GET
def indicator_export(request: HttpRequest, partnership: str) -> HttpResponse:
    p = _partnership_for_coordinator(request, partnership)
    file_format = request.GET.get("format", "csv")
    if file_format not in CONTENT_TYPES:
        raise Http404("Export as csv or xlsx")
    indicators = Indicator.objects.filter(
        partnership=p, body__in=bodies_managed_by(request.user, p)
    )
    data = services.indicators_export(indicators=indicators, file_format=file_format)
    response = HttpResponse(data, content_type=CONTENT_TYPES[file_format])
    filename = f"{p.slug}-indicators-{timezone.localdate():%Y-%m-%d}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
