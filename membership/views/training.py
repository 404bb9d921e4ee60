"""Training and development: a member's own list on their account, and a co-ordinator
recording a course for a member from the membership's page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from membership import services
from membership.forms_training import TrainingRecordForm
from membership.models import TrainingRecord
from membership.permissions import can_keep_training
from membership.views.bodies import get_membership
from partnership import permissions as perms
from partnership.paging import page_with_total

__all__ = ["training", "training_create", "training_remove"]


def _add(request: HttpRequest, form: TrainingRecordForm, person) -> bool:
    """Record the course from a valid form; False leaves the errors on the form."""
    if not (request.method == "POST" and form.is_valid()):
        return False
    try:
        services.training_record_add(actor=request.user, person=person, **form.cleaned_data)
    except ValidationError as exc:
        form.add_service_error(exc)
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def training(request: HttpRequest) -> HttpResponse:
    form = TrainingRecordForm(request.POST or None)
    if _add(request, form, request.user):
        messages.success(request, f"“{form.cleaned_data['course']}” has been recorded.")
        return redirect("account:training")
    records = TrainingRecord.objects.filter(person=request.user).select_related("recorded_by")
    page = page_with_total(records, number=request.GET.get("page"))
    return render(
        request,
        "membership/training.html",
        {
            "form": form,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "ellipsis": page.paginator.ELLIPSIS,
        },
    )


@login_required
@require_POST
def training_remove(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        record = TrainingRecord.objects.select_related("person").get(pk=pk, person=request.user)
    except TrainingRecord.DoesNotExist as exc:
        raise Http404("No such training record") from exc
    services.training_record_remove(actor=request.user, record=record)
    messages.success(request, f"“{record.course}” has been removed.")
    return redirect("account:training")


@login_required
@require_http_methods(["GET", "POST"])
def training_create(request: HttpRequest, partnership: str, body: str, pk: int) -> HttpResponse:
    b = perms.get_body_or_404(partnership, body)
    membership = get_membership(b, pk)
    perms.require(perms.can_manage_body(request.user, b))
    person = membership.person
    form = TrainingRecordForm(request.POST or None)
    if not can_keep_training(request.user, person):
        form.refuse(
            f"{person.full_name} no longer sits on a body you co-ordinate: "
            "only they can record their training."
        )
    elif _add(request, form, person):
        messages.success(
            request, f"“{form.cleaned_data['course']}” has been recorded for {person.full_name}."
        )
        return redirect(membership_url(membership))
    return render(
        request,
        "membership/training_form.html",
        {"partnership": b.partnership, "body": b, "membership": membership, "form": form},
    )


def membership_url(membership) -> str:
    return (
        reverse(
            "membership:membership_detail",
            kwargs={
                "partnership": membership.body.partnership.slug,
                "body": membership.body.slug,
                "pk": membership.pk,
            },
        )
        + "#training"
    )
