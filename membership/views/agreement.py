"""The partnership agreement: read and sign the current version, manage versions (governance
lead), and see who has signed which version (co-ordinators).

Who sees what (decided here, with the services' rules behind it):
- an issued version, its "what changed" and its PDF are public: partnerships publish their
  agreement, as the Warrington and Cheshire West agreements are published;
- a draft (not yet issued) is seen only by the governance lead and partnership co-ordinators;
  to anyone else it does not exist (404);
- who has signed: the governance lead and partnership co-ordinators see everyone; a body's
  co-ordinator sees the members of the bodies they co-ordinate; nobody else (403).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from membership import selectors, services
from membership.forms import AgreementApprovalForm, AgreementVersionForm
from membership.models import AgreementSignature, AgreementVersion
from partnership import permissions as perms
from partnership.history import history_entries
from partnership.models import Body, Partnership

__all__ = [
    "agreement",
    "agreement_file",
    "agreement_issue",
    "agreement_sign",
    "agreement_signatures",
    "agreement_upload",
    "agreement_version",
]


def _sees_drafts(user, partnership: Partnership) -> bool:
    return perms.can_lead_governance(user, partnership) or perms.can_manage_partnership(
        user, partnership
    )


def _get_version(request: HttpRequest, partnership: str, pk: int) -> AgreementVersion:
    """The version, if this user may see it: a draft is invisible to all but its managers."""
    p = perms.get_partnership_or_404(partnership)
    try:
        version = AgreementVersion.objects.select_related(
            "partnership", "agreed_by", "uploaded_by"
        ).get(partnership=p, pk=pk)
    except AgreementVersion.DoesNotExist as exc:
        raise Http404("No such version of the agreement") from exc
    if not version.is_issued and not _sees_drafts(request.user, p):
        raise Http404("No such version of the agreement")
    return version


def _signature_scope(user, partnership: Partnership) -> QuerySet[Body] | None:
    """None for the whole partnership, or the bodies whose members this user may see."""
    if _sees_drafts(user, partnership):
        return None
    bodies = perms.bodies_managed_by(user, partnership)
    perms.require(bodies.exists())
    return bodies


def _agreement_url(partnership: Partnership) -> str:
    return reverse("membership:agreement", kwargs={"partnership": partnership.slug})


def _version_url(version: AgreementVersion) -> str:
    return reverse(
        "membership:agreement_version",
        kwargs={"partnership": version.partnership.slug, "pk": version.pk},
    )


@require_GET
def agreement(request: HttpRequest, partnership: str) -> HttpResponse:
    p = perms.get_partnership_or_404(partnership)
    current = selectors.agreement_current(partnership=p)
    versions = AgreementVersion.objects.filter(partnership=p).select_related("agreed_by")
    if not _sees_drafts(request.user, p):
        versions = versions.filter(issued_at__isnull=False)
    signatory = selectors.is_signatory(person=request.user, partnership=p)
    signed = None
    if signatory and current is not None:
        signed = AgreementSignature.objects.filter(person=request.user, version=current).first()
    return render(
        request,
        "membership/agreement.html",
        {
            "partnership": p,
            "current": current,
            "versions": list(versions),
            "signatory": signatory,
            "signed": signed,
            "can_lead": perms.can_lead_governance(request.user, p),
            "can_see_signatures": _sees_drafts(request.user, p)
            or perms.manages_anything(request.user, p),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_upload(request: HttpRequest, partnership: str) -> HttpResponse:
    p = perms.get_partnership_or_404(partnership)
    perms.require(perms.can_lead_governance(request.user, p))
    form = AgreementVersionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # Read at most one byte past the limit: enough to know it is too big.
        upload = (data["upload"].name, data["upload"].read(settings.PAPER_MAX_BYTES + 1))
        try:
            version = services.agreement_version_upload(
                actor=request.user,
                partnership=p,
                label=data["label"],
                what_changed=data["what_changed"],
                upload=upload,
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                f"Version {version.label} uploaded. Record the board's agreement, then issue it.",
            )
            return redirect(_version_url(version))
    return render(request, "membership/agreement_form.html", {"partnership": p, "form": form})


@require_http_methods(["GET", "POST"])
def agreement_version(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    """A version: what changed, the board's agreement and, for the governance lead, the form
    to record it (POST) and the button to issue it."""
    version = _get_version(request, partnership, pk)
    p = version.partnership
    can_lead = perms.can_lead_governance(request.user, p)
    form = None
    if can_lead and not version.is_issued:
        initial = {"body": version.agreed_by_id, "agreed_on": version.agreed_on}
        form = AgreementApprovalForm(
            request.POST if request.method == "POST" else None, partnership=p, initial=initial
        )
    if request.method == "POST":
        perms.require(can_lead)
        if form is None:
            messages.error(request, "This version has been issued: its agreement cannot change.")
            return redirect(_version_url(version))
        if form.is_valid():
            try:
                services.agreement_record_approval(
                    actor=request.user, version=version, **form.cleaned_data
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, "The board's agreement has been recorded.")
                return redirect(_version_url(version))
    return render(
        request,
        "membership/agreement_version.html",
        {
            "partnership": p,
            "version": version,
            "can_lead": can_lead,
            "form": form,
            "history": history_entries(version) if _sees_drafts(request.user, p) else [],
        },
    )


@require_GET
def agreement_file(request: HttpRequest, partnership: str, pk: int) -> FileResponse:
    version = _get_version(request, partnership, pk)
    response = FileResponse(
        version.file.open("rb"),
        filename=version.file_name or f"agreement-{version.label}.pdf",
        content_type="application/pdf",
    )
    # A draft must not sit in a shared cache; nothing here should be sniffed.
    response["Cache-Control"] = "private" if version.is_issued else "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def agreement_sign(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    version = _get_version(request, partnership, pk)
    perms.require(selectors.is_signatory(person=request.user, partnership=version.partnership))
    try:
        services.agreement_sign(actor=request.user, version=version)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"You have signed version {version.label} of the partnership agreement."
        )
    return redirect(_agreement_url(version.partnership))


@login_required
@require_POST
def agreement_issue(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    version = _get_version(request, partnership, pk)
    perms.require(perms.can_lead_governance(request.user, version.partnership))
    try:
        services.agreement_issue(actor=request.user, version=version)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Version {version.label} issued. Every member has been told by e-mail and in the "
            "app, and asked to sign it.",
        )
    return redirect(_version_url(version))


@login_required
@require_GET
def agreement_signatures(request: HttpRequest, partnership: str) -> HttpResponse:
    p = perms.get_partnership_or_404(partnership)
    scope = _signature_scope(request.user, p)
    current = selectors.agreement_current(partnership=p)
    rows = selectors.agreement_signature_table(partnership=p, current=current, bodies=scope)
    return render(
        request,
        "membership/agreement_signatures.html",
        {
            "partnership": p,
            "current": current,
            "rows": rows,
            "signed_count": sum(1 for row in rows if row.signed_current),
            "scoped": scope is not None,
        },
    )
