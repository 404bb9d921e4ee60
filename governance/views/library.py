"""The document library (a body's, and the partnership's own), a document's page with its
versions and their files, the co-ordinators' pages that keep it; and papers' earlier
versions and supplementary papers, which share its versioning. Who sees what is decided in
governance.selectors.library: a document the user may not see is a 404, an action they may
not take a 403."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from governance.forms.library import (
    DocumentDetailsForm,
    DocumentForm,
    SupplementaryPaperForm,
    VersionForm,
)
from governance.models import DocumentType, LibraryDocument
from governance.selectors import library as selectors
from governance.services import library as services
from governance.services import papers as paper_services
from governance.views.meetings import _item, _paper, _people, meeting_for
from partnership import permissions as perms
from partnership.history import history_entries
from partnership.models import Body, Partnership
from partnership.paging import page_with_total

__all__ = [
    "library_partnership",
    "library_body",
    "library_create",
    "body_library_create",
    "library_document",
    "library_document_edit",
    "library_document_withdraw",
    "library_version_create",
    "library_version_file",
    "paper_version_file",
    "paper_supplementary_create",
]


def _upload(form) -> tuple[str, bytes] | None:
    upload = form.cleaned_data.get("upload")
    if not upload:
        return None
    # Read at most one byte past the limit: enough to know it is too big.
    return upload.name, upload.read(settings.PAPER_MAX_BYTES + 1)


def _library_url(partnership: Partnership, body: Body | None) -> str:
    if body is None:
        return reverse("governance:library", kwargs={"partnership": partnership.slug})
    return reverse(
        "governance:body_library", kwargs={"partnership": partnership.slug, "body": body.slug}
    )


def _document_for(
    request: HttpRequest, partnership: str, pk: int, *, manage: bool = False
) -> LibraryDocument:
    """The document, if the user may see it (else 404) and, when ``manage``, keep it (else
    403)."""
    document = (
        LibraryDocument.objects.select_related("partnership", "body__partnership")
        .filter(pk=pk, partnership__slug=partnership)
        .first()
    )
    if document is None or not selectors.document_visible(document, user=request.user):
        raise Http404("No such document")
    if manage:
        perms.require(
            selectors.can_manage_library(
                request.user, partnership=document.partnership, body=document.body
            )
        )
    return document


# --- the lists ---------------------------------------------------------------------------------


def library_partnership(request: HttpRequest, partnership: str) -> HttpResponse:
    return _library(request, perms.get_partnership_or_404(partnership), None)


def library_body(request: HttpRequest, partnership: str, body: str) -> HttpResponse:
    b = perms.get_body_or_404(partnership, body)
    return _library(request, b.partnership, b)


def _library(request: HttpRequest, partnership: Partnership, body: Body | None) -> HttpResponse:
    doc_type = request.GET.get("type", "")
    if doc_type not in DocumentType.values:
        doc_type = ""
    page = page_with_total(
        selectors.documents_listed(
            user=request.user, partnership=partnership, body=body, doc_type=doc_type
        ),
        number=request.GET.get("page"),
    )
    # Each document's link: the route reversed once, not once a row.
    head, tail = reverse(
        "governance:library_document", kwargs={"partnership": partnership.slug, "pk": 0}
    ).rsplit("/0/", 1)
    labels = dict(DocumentType.choices)
    for document in page.object_list:
        document.url = f"{head}/{document.pk}/{tail}"
        document.type_label = labels.get(document.doc_type, document.doc_type)
    can_manage = selectors.can_manage_library(request.user, partnership=partnership, body=body)
    create = (
        reverse("governance:library_create", kwargs={"partnership": partnership.slug})
        if body is None
        else reverse(
            "governance:body_library_create",
            kwargs={"partnership": partnership.slug, "body": body.slug},
        )
    )
    return render(
        request,
        "governance/library/list.html",
        {
            "partnership": partnership,
            "body": body,
            "page": page,
            "documents": page.object_list,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "ellipsis": page.paginator.ELLIPSIS,
            "doc_type": doc_type,
            "types": DocumentType.choices,
            "can_manage": can_manage,
            "create_url": create if can_manage else "",
        },
    )


# --- a document -------------------------------------------------------------------------------


def library_document(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    document = _document_for(request, partnership, pk)
    can_manage = selectors.can_manage_library(
        request.user, partnership=document.partnership, body=document.body
    )
    return render(
        request,
        "governance/library/document.html",
        {
            "partnership": document.partnership,
            "body": document.body,
            "document": document,
            "versions": selectors.document_versions(document),
            "library_url": _library_url(document.partnership, document.body),
            "can_manage": can_manage,
            "history": history_entries(document) if can_manage else [],
        },
    )


def library_version_file(
    request: HttpRequest, partnership: str, pk: int, version: int
) -> FileResponse:
    document = _document_for(request, partnership, pk)
    v = document.versions.defer("text").filter(pk=version).first()
    if v is None:
        raise Http404("No such version")
    return _file_response(
        v.file,
        file_type=v.file_type,
        name=v.file_name or f"document-{document.pk}-{v.version}.{v.file_type}",
        public=selectors.document_public(document),
    )


def _file_response(file, *, file_type: str, name: str, public: bool) -> FileResponse:
    """As the paper's own file (governance.views.meetings.paper_file): a PDF is shown in the
    browser, anything else downloaded."""
    response = FileResponse(
        file.open("rb"),
        as_attachment=file_type != "pdf",
        filename=name,
        content_type="application/pdf" if file_type == "pdf" else None,
    )
    # What is not public must not sit in shared caches; nothing here should be sniffed.
    response["Cache-Control"] = "private" if public else "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def library_create(request: HttpRequest, partnership: str) -> HttpResponse:
    return _document_create(request, perms.get_partnership_or_404(partnership), None)


@login_required
@require_http_methods(["GET", "POST"])
def body_library_create(request: HttpRequest, partnership: str, body: str) -> HttpResponse:
    b = perms.get_body_or_404(partnership, body)
    return _document_create(request, b.partnership, b)


def _document_create(request: HttpRequest, partnership: Partnership, body: Body | None):
    perms.require(selectors.can_manage_library(request.user, partnership=partnership, body=body))
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["upload"] = _upload(form)
        try:
            document = services.document_create(
                actor=request.user, partnership=partnership, body=body, **data
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Document added: {document.title}")
            return redirect(document)
    return render(
        request,
        "governance/library/document_form.html",
        {
            "partnership": partnership,
            "body": body,
            "form": form,
            "document": None,
            "library_url": _library_url(partnership, body),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def library_document_edit(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    document = _document_for(request, partnership, pk, manage=True)
    initial = {name: getattr(document, name) for name in DocumentDetailsForm.base_fields}
    form = DocumentDetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_update(actor=request.user, document=document, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Document details saved.")
            return redirect(document)
    return render(
        request,
        "governance/library/document_form.html",
        {
            "partnership": document.partnership,
            "body": document.body,
            "form": form,
            "document": document,
            "library_url": _library_url(document.partnership, document.body),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def library_version_create(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    document = _document_for(request, partnership, pk, manage=True)
    current = next(iter(selectors.document_versions(document)), None)
    form = VersionForm(request.POST or None, request.FILES or None)
    if document.withdrawn_at is not None:
        form.refuse("This document was withdrawn: it cannot have a new version.")
    elif request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["upload"] = _upload(form)
        try:
            version = services.document_version_add(actor=request.user, document=document, **data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Version {version.version} added.")
            return redirect(document)
    return render(
        request,
        "governance/library/version_form.html",
        {
            "partnership": document.partnership,
            "body": document.body,
            "document": document,
            "current": current,
            "form": form,
            "library_url": _library_url(document.partnership, document.body),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def library_document_withdraw(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    document = _document_for(request, partnership, pk, manage=True)
    if request.method == "POST":
        services.document_withdraw(actor=request.user, document=document)
        messages.success(
            request, f"Document withdrawn: {document.title}. Only co-ordinators see it now."
        )
        return redirect(document)
    return render(
        request,
        "governance/library/withdraw.html",
        {
            "partnership": document.partnership,
            "body": document.body,
            "document": document,
            "library_url": _library_url(document.partnership, document.body),
        },
    )


# --- papers: earlier versions and supplementary papers -------------------------------------------


def paper_version_file(
    request: HttpRequest, partnership: str, pk: int, paper: int, number: int
) -> FileResponse:
    """An earlier file of a paper, to whoever may see the paper (and, for a file replaced
    before it was circulated, to those who run the body only)."""
    meeting, access = meeting_for(request, partnership, pk)
    p = _paper(meeting, access, paper)
    version = next(
        (v for v in selectors.paper_versions_visible(p, access) if v.number == number), None
    )
    if version is None:
        raise Http404("No such version")
    return _file_response(
        version.file,
        file_type=version.file_type,
        name=version.file_name or f"paper-{p.pk}-version-{number}.{version.file_type}",
        public=not p.is_confidential and not version.was_confidential,
    )


@login_required
@require_http_methods(["GET", "POST"])
def paper_supplementary_create(
    request: HttpRequest, partnership: str, pk: int, item: int
) -> HttpResponse:
    meeting, access = meeting_for(request, partnership, pk, need="manage")
    agenda_item = _item(meeting, access, item)
    form = SupplementaryPaperForm(
        request.POST or None,
        request.FILES or None,
        initial={"decision_required": agenda_item.decision_required},
        people=_people(meeting),
        acceptors=paper_services.late_paper_acceptors(meeting=meeting),
    )
    # Refused before anything is typed when it cannot be done (as the service would refuse).
    refusal = paper_services.supplementary_refusal(meeting=meeting)
    if refusal:
        form.refuse(refusal)
    elif request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["upload"] = _upload(form)
        try:
            paper = paper_services.paper_add_supplementary(
                actor=request.user, item=agenda_item, **data
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request, f"Supplementary paper added: {paper.title}. Circulate it to members."
            )
            return redirect(meeting.get_absolute_url() + f"#paper-{paper.pk}")
    return render(
        request,
        "governance/paper_supplementary_form.html",
        {
            "partnership": meeting.body.partnership,
            "meeting": meeting,
            "item": agenda_item,
            "form": form,
            "refused": bool(refusal),
        },
    )
