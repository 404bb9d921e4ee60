"""Pages about setting up the structure: bodies and organisations.

Pages that show who sits where (the partnership's tree with its vacancies, a body's page,
seats, memberships) are in membership.views, because they read memberships.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from partnership import permissions as perms
from partnership import services
from partnership.forms import BodyForm, OrganisationForm
from partnership.history import history_entries
from partnership.models import Body, Organisation, Partnership
from partnership.selectors import descendant_ids


def home(request: HttpRequest) -> HttpResponse:
    partnerships = list(Partnership.objects.all())
    if len(partnerships) == 1:
        return redirect(partnerships[0])
    return render(request, "partnership/home.html", {"partnerships": partnerships})


def _body_form(request: HttpRequest, p: Partnership, body: Body | None, data=None) -> BodyForm:
    """A body form whose 'reports to' choices are the open bodies this user coordinates."""
    # A body whose new sub-groups need its agreement gets them through a proposal agreed at
    # its meeting (governance's "Propose a sub-group"), never directly: not even from the
    # partnership's co-ordinators, as the rule is the parent's.
    parents = perms.bodies_managed_by(request.user, p).open().exclude(sub_groups_need_approval=True)
    if body is not None:
        parents = parents.exclude(pk__in={body.pk, *descendant_ids(body=body)})
        if body.parent_id:
            # Keep the current parent choosable even if the user does not manage it.
            parents = (parents | Body.objects.filter(pk=body.parent_id)).distinct()
    initial = None
    if body is not None:
        initial = {f: getattr(body, f) for f in BodyForm.base_fields}
    return BodyForm(
        data,
        initial=initial,
        parents=parents.order_by("name"),
        # A body already at the top may stay there, whoever edits it.
        allow_top_level=perms.can_manage_partnership(request.user, p)
        or (body is not None and body.parent_id is None),
    )


@login_required
@require_http_methods(["GET", "POST"])
def body_create(request: HttpRequest, partnership: str) -> HttpResponse:
    p = perms.get_partnership_or_404(partnership)
    perms.require(perms.manages_anything(request.user, p))
    form = _body_form(request, p, None, request.POST or None)
    if request.method == "GET" and request.GET.get("parent"):
        form.initial = {"parent": request.GET["parent"]}
    if request.method == "POST" and form.is_valid():
        try:
            body = services.body_create(actor=request.user, partnership=p, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"{body} has been created.")
            return redirect(body)
    return render(request, "partnership/body_form.html", {"partnership": p, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def body_edit(request: HttpRequest, partnership: str, body: str) -> HttpResponse:
    b = perms.get_body_or_404(partnership, body)
    perms.require(perms.can_manage_body(request.user, b))
    form = _body_form(request, b.partnership, b, request.POST or None)
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if getattr(b, k) != v}
        # A coordinator of this body but not of its parent cannot move it: that would take
        # it out of the tree they coordinate.
        if "parent" in changes and b.parent and not perms.can_manage_body(request.user, b.parent):
            form.add_error(
                "parent", "Only a co-ordinator of its current parent can move this body."
            )
        else:
            try:
                services.body_update(actor=request.user, body=b, **changes)
            except ValidationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, f"{changes.get('name', b.name)} has been updated.")
                return redirect(b)
    return render(
        request,
        "partnership/body_form.html",
        {"partnership": b.partnership, "body": b, "form": form, "history": history_entries(b)},
    )


# --- organisations ---------------------------------------------------------------------------


def organisation_list(request: HttpRequest, partnership: str) -> HttpResponse:
    p = perms.get_partnership_or_404(partnership)
    today = timezone.localdate()
    organisations = Organisation.objects.filter(partnership=p).annotate(
        current_members=Count(
            "memberships",
            filter=Q(memberships__starts_on__lte=today)
            & (Q(memberships__ends_on__isnull=True) | Q(memberships__ends_on__gt=today)),
        )
    )
    return render(
        request,
        "partnership/organisation_list.html",
        {
            "partnership": p,
            "organisations": organisations,
            "can_manage": perms.can_manage_partnership(request.user, p),
        },
    )


def _get_organisation(p: Partnership, pk: int) -> Organisation:
    try:
        return Organisation.objects.get(partnership=p, pk=pk)
    except Organisation.DoesNotExist as exc:
        raise Http404("No such organisation") from exc


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest, partnership: str) -> HttpResponse:
    p = perms.get_partnership_or_404(partnership)
    perms.require(perms.can_manage_partnership(request.user, p))
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(
                actor=request.user, partnership=p, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"{organisation} has been added.")
            return redirect("partnership:organisation_list", partnership=p.slug)
    return render(request, "partnership/organisation_form.html", {"partnership": p, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    p = perms.get_partnership_or_404(partnership)
    organisation = _get_organisation(p, pk)
    perms.require(perms.can_manage_partnership(request.user, p))
    form = OrganisationForm(
        request.POST or None, initial=OrganisationForm.initial_from(organisation)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(
                actor=request.user, organisation=organisation, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"{organisation} has been updated.")
            return redirect("partnership:organisation_list", partnership=p.slug)
    return render(
        request,
        "partnership/organisation_form.html",
        {
            "partnership": p,
            "organisation": organisation,
            "form": form,
            "history": history_entries(organisation),
        },
    )
