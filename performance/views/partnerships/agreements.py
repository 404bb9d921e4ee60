"""Commissioning agreements: the list (with its CSV and Excel export), an agreement's page,
adding and changing one, and recording a held review.

The list and the export are for those with a place in the partnership, each seeing only the
agreements they may (``selectors.agreements``); to anyone else they do not exist (404). An
agreement the user may not see is a 404; a step they may not take on one they see, a 403."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from membership.selectors import partnership_members
from partnership import permissions as perms
from partnership.forms import posted
from partnership.models import Body, Organisation, Partnership
from partnership.paging import page_with_total
from performance import permissions
from performance.forms.agreements import AgreementForm, AgreementReviewForm
from performance.models import (
    AgreementReview,
    CommissioningAgreement,
    Indicator,
    KeyPartnership,
)
from performance.selectors.agreements import (
    STATES,
    AgreementFilters,
    agreement_flags,
    agreement_page,
    agreement_rows,
)
from performance.services import agreements as services
from performance.services.reports.common import long_date
from performance.services.transfer.agreements import agreements_export
from performance.views.transfer import CONTENT_TYPES

__all__ = [
    "agreement_list",
    "agreement_create",
    "agreement_export",
    "agreement",
    "agreement_edit",
    "agreement_review",
]

PAGE_SIZE = 50
TEMPLATES = "performance/agreements/"


def _inside_or_404(user: Any, partnership: Partnership) -> None:
    """Anyone with a place in the partnership (a seat, a body to co-ordinate, the governance
    lead's post); to anyone else the agreements do not exist."""
    if not (
        permissions.sits_in_partnership(user, partnership.pk)
        or perms.manages_anything(user, partnership)
        or perms.can_lead_governance(user, partnership)
    ):
        raise Http404("No such page")


def _agreement_or_404(request: HttpRequest, partnership: str, pk: int) -> CommissioningAgreement:
    agreement = (
        CommissioningAgreement.objects.select_related(
            "partnership",
            "commissioning_body__partnership",
            "provider",
            "supervisor",
            "key_partnership",
        )
        .filter(partnership__slug=partnership, pk=pk)
        .first()
    )
    if agreement is None or not permissions.can_see_agreement(request.user, agreement):
        raise Http404("No such agreement")
    return agreement


def _list_url(p: Partnership) -> str:
    return reverse("performance:agreement_list", kwargs={"partnership": p.slug})


# --- the list -----------------------------------------------------------------------------------


def _filters(request: HttpRequest, bodies: list[Body]) -> tuple[AgreementFilters, Body | None]:
    body = None
    if request.GET.get("body"):
        body = next((b for b in bodies if b.slug == request.GET["body"]), None)
        if body is None:
            raise Http404("No such body")
    state = request.GET.get("state", "")
    return (
        AgreementFilters(
            body=body.pk if body else None,
            state=state if state in STATES else "",
            ending=request.GET.get("ending") == "1",
            overdue=request.GET.get("overdue") == "1",
        ),
        body,
    )


def _bodies(p: Partnership) -> list[Body]:
    return list(
        Body.objects.filter(partnership=p)
        .order_by("name")
        .only("pk", "slug", "name", "partnership_id", "parent_id")
    )


@login_required
@require_safe
def agreement_list(request: HttpRequest, partnership: str) -> HttpResponse:
    """The agreements the user may see, soonest ending first, 50 a page, each with its cost,
    its next review and what needs noticing."""
    p = perms.get_partnership_or_404(partnership)
    user = request.user
    _inside_or_404(user, p)
    today = timezone.localdate()
    bodies = _bodies(p)
    filters, body = _filters(request, bodies)
    rows = agreement_rows(user=user, partnership=p, filters=filters, today=today, bodies=bodies)
    page = page_with_total(rows, number=request.GET.get("page"), size=PAGE_SIZE)
    # Each agreement's page: the route reversed once, not once a row.
    head, tail = reverse("performance:agreement", kwargs={"partnership": p.slug, "pk": 0}).rsplit(
        "/0/", 1
    )
    for agreement in page:
        agreement.detail_url = f"{head}/{agreement.pk}/{tail}"
        agreement.flags = agreement_flags(
            agreement, review_overdue=agreement.review_overdue, today=today
        )
        agreement.cost_label = services.money(agreement.cost_total)
        agreement.next_review_label = long_date(agreement.next_review_due)
        agreement.period_label = (
            f"{long_date(agreement.starts_on)} to {long_date(agreement.ends_on)}"
        )
    return render(
        request,
        TEMPLATES + "list.html",
        {
            "partnership": p,
            "bodies": bodies,
            "body": body,
            "filters": filters,
            "states": list(STATES.items()),
            "can_add": perms.bodies_managed_by(user, p).exists(),
            "export_query": request.GET.urlencode(),
            "page": page,
            "page_range": list(page.paginator.get_elided_page_range(page.number, on_each_side=2)),
            "ellipsis": Paginator.ELLIPSIS,
        },
    )


@login_required
@require_GET
def agreement_export(request: HttpRequest, partnership: str) -> HttpResponse:
    """The agreements the user may see (with the list's filters), as CSV or Excel."""
    p = perms.get_partnership_or_404(partnership)
    _inside_or_404(request.user, p)
    file_format = request.GET.get("format", "csv")
    if file_format not in CONTENT_TYPES:
        raise Http404("Export as csv or xlsx")
    bodies = _bodies(p)
    filters, _body = _filters(request, bodies)
    rows = agreement_rows(user=request.user, partnership=p, filters=filters, bodies=bodies)
    data = agreements_export(agreements=rows, file_format=file_format)
    response = HttpResponse(data, content_type=CONTENT_TYPES[file_format])
    filename = f"{p.slug}-agreements-{timezone.localdate():%Y-%m-%d}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Agreements hold prices and people: not for caches in between.
    response["Cache-Control"] = "private, no-store"
    return response


# --- an agreement's page ------------------------------------------------------------------------


@login_required
@require_safe
def agreement(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    a = _agreement_or_404(request, partnership, pk)
    data = agreement_page(a, user=request.user)
    for line in data.cost_lines:
        line.amount_label = services.money(line.amount)
    return render(
        request,
        TEMPLATES + "detail.html",
        {
            "partnership": a.partnership,
            "agreement": a,
            "data": data,
            "cost_total_label": services.money(data.cost_total),
            "total_cost_label": services.money(a.total_cost),
            "can_edit": permissions.can_manage_agreements(request.user, a.commissioning_body),
            "can_review": permissions.can_review_agreement(request.user, a),
            "history": data.history,
        },
    )


# --- adding and changing ------------------------------------------------------------------------


def _people(p: Partnership, *current_ids: int) -> QuerySet:
    """People sitting on the partnership's bodies now; a current supervisor who left stays."""
    people = partnership_members(partnership=p)
    if current_ids:
        people = people | people.model.objects.filter(pk__in=current_ids)
    return people.order_by("full_name", "pk")


def _indicators(bodies: QuerySet[Body] | list[int], *current_ids: int) -> QuerySet[Indicator]:
    """Indicators still in use of the given bodies (and any the agreement already links)."""
    today = timezone.localdate()
    in_use = Indicator.objects.filter(body__in=bodies).exclude(retired_on__lte=today)
    if current_ids:
        in_use = in_use | Indicator.objects.filter(pk__in=current_ids)
    return in_use.order_by("code", "pk")


def _form(
    request: HttpRequest,
    p: Partnership,
    *,
    indicators: QuerySet[Indicator],
    agreement: CommissioningAgreement | None = None,
) -> AgreementForm:
    initial, rows = None, None
    if agreement is not None:
        initial = {name: getattr(agreement, name) for name in services.AGREEMENT_FIELDS}
        rows = {
            "cost_lines": [
                {"id": line.pk, "description": line.description, "amount": line.amount}
                for line in agreement.cost_lines.all()
            ],
            "targets": [
                {
                    "id": t.pk,
                    "description": t.description,
                    "indicator": t.indicator_id,
                    "link_to_outcomes": t.link_to_outcomes,
                }
                for t in agreement.targets.all()
            ],
            "review_dates": [
                {"id": r.pk, "due_on": r.due_on}
                for r in agreement.reviews.filter(held_on__isnull=True)
            ],
        }
    return AgreementForm(
        posted(request),
        initial=initial,
        rows=rows,
        people=_people(p, *([agreement.supervisor_id] if agreement else [])),
        organisations=Organisation.objects.filter(partnership=p).order_by("name"),
        key_partnerships=KeyPartnership.objects.filter(partnership=p).order_by("name"),
        indicators=indicators,
    )


def _form_page(request: HttpRequest, p: Partnership, form: AgreementForm, **extra) -> HttpResponse:
    return render(
        request,
        TEMPLATES + "form.html",
        {"partnership": p, "form": form, "summary": form.summary(), "history": [], **extra},
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_create(request: HttpRequest, partnership: str) -> HttpResponse:
    """A new agreement, commissioned by one of the bodies the user co-ordinates."""
    p = perms.get_partnership_or_404(partnership)
    user = request.user
    _inside_or_404(user, p)
    managed = perms.bodies_managed_by(user, p).order_by("name")
    perms.require(managed.exists())
    form = _form(request, p, indicators=_indicators(managed).select_related("body"))
    form.add_commissioning_body(managed, chosen=request.GET.get("body"))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in services.AGREEMENT_FIELDS}
        try:
            a = services.agreement_create(
                actor=user,
                body=form.cleaned_data["commissioning_body"],
                **form.service_rows(),
                **data,
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Agreement {a.reference} has been added.")
            return redirect(a.get_absolute_url())
    return _form_page(
        request,
        p,
        form,
        heading="Add a commissioning agreement",
        caption=p.name,
        button="Add the agreement",
        back=_list_url(p),
        back_label="Back to the agreements",
        held=[],
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_edit(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    a = _agreement_or_404(request, partnership, pk)
    perms.require(permissions.can_manage_agreements(request.user, a.commissioning_body))
    linked = list(a.targets.values_list("indicator_id", flat=True))
    under = sorted(services.bodies_under(a.commissioning_body))
    form = _form(
        request,
        a.partnership,
        indicators=_indicators(under, *linked).select_related("body"),
        agreement=a,
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in services.AGREEMENT_FIELDS}
        try:
            services.agreement_update(
                actor=request.user, agreement=a, **form.service_rows(), **data
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Agreement {a.reference} has been changed.")
            return redirect(a.get_absolute_url())
    held = list(a.reviews.filter(held_on__isnull=False))
    return _form_page(
        request,
        a.partnership,
        form,
        heading=f"Change {a.reference}: {a.title}",
        caption=f"Commissioned by the {a.commissioning_body.name}",
        button="Save the changes",
        back=a.get_absolute_url(),
        back_label="Back to the agreement",
        held=[long_date(r.due_on) for r in held],
    )


# --- recording a review -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def agreement_review(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    """Record a review due on one of the agreement's dates as held: when, and what it found."""
    review = (
        AgreementReview.objects.select_related("agreement")
        .filter(agreement__partnership__slug=partnership, pk=pk)
        .first()
    )
    if review is None:
        raise Http404("No such review")
    a = _agreement_or_404(request, partnership, review.agreement_id)
    perms.require(permissions.can_review_agreement(request.user, a))
    if review.held_on is not None:
        messages.info(request, f"The review due on {long_date(review.due_on)} is already recorded.")
        return redirect(a.get_absolute_url())
    form = AgreementReviewForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_review_record(
                actor=request.user,
                review=review,
                held_on=form.cleaned_data["held_on"],
                findings=form.cleaned_data["findings"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"The review due on {long_date(review.due_on)} is recorded.")
            return redirect(a.get_absolute_url())
    return render(
        request,
        TEMPLATES + "review_form.html",
        {
            "partnership": a.partnership,
            "agreement": a,
            "review": review,
            "due_label": long_date(review.due_on),
            "form": form,
        },
    )
