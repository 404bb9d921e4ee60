"""A risk's steps: adding and changing a risk, closing it, its quarterly review, its controls,
accepting it above appetite; a body's appetite; the partnership's rating bands and categories.

Each step fetches and authorises (a risk the user may not see is a 404, a step they may not
take a 403), validates a form, calls the service and puts any ValidationError it raises on the
form, by the field it concerns, keeping what was typed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from membership.models import Membership
from membership.selectors import partnership_members
from partnership import permissions as perms
from partnership.forms import posted
from partnership.history import history_entries, history_of
from partnership.models import Body, Organisation, Partnership
from performance import permissions, services
from performance.forms.risks import (
    AcceptForm,
    AppetiteForm,
    CloseForm,
    ControlForm,
    ReviewForm,
    RiskForm,
    SettingsForm,
    category_field_name,
)
from performance.models import (
    Indicator,
    Outcome,
    PlanAction,
    Risk,
    RiskAppetite,
    RiskCategory,
    RiskControl,
)
from performance.selectors import viewer_for
from performance.selectors.returns import open_quarter
from performance.views.risks.common import RiskPage, risk_or_404

__all__ = [
    "risk_accept",
    "risk_appetite",
    "risk_close",
    "risk_control_create",
    "risk_control_edit",
    "risk_create",
    "risk_edit",
    "risk_review",
    "risk_settings",
]

TEMPLATES = "performance/risks/"
LINKS = ("outcomes", "indicators", "actions")


def risk_url(risk: Risk) -> str:
    return reverse("performance:risk", kwargs={"partnership": risk.partnership.slug, "pk": risk.pk})


def body_risks_url(body: Body) -> str:
    return reverse(
        "performance:body_risks", kwargs={"partnership": body.partnership.slug, "body": body.slug}
    )


def _page(request, template: str, partnership: Partnership, form, **extra) -> HttpResponse:
    return render(
        request, TEMPLATES + template, {"partnership": partnership, "form": form, **extra}
    )


def _refuse_closed(request: HttpRequest, page: RiskPage) -> HttpResponse | None:
    """A closed risk stays readable, and no longer changes."""
    if page.risk.is_open:
        return None
    messages.error(request, "This risk is closed: it no longer changes.")
    return redirect(risk_url(page.risk))


def _people(p: Partnership, *current_ids: int):
    """People sitting on the partnership's bodies now; a current owner who has left stays."""
    people = partnership_members(partnership=p)
    if current_ids:
        people = people | people.model.objects.filter(pk__in=current_ids)
    return people.order_by("full_name", "pk")


def _organisations_of(p: Partnership) -> dict[int, list[str]]:
    """Each person's organisations in the partnership now, in one query, for the owner's label."""
    rows = (
        Membership.objects.current()
        .filter(body__partnership=p, organisation__isnull=False)
        .values_list("person_id", "organisation__name")
        .distinct()
        .order_by("organisation__name")
    )
    found: dict[int, list[str]] = {}
    for person_id, name in rows:
        if name not in found.setdefault(person_id, []):
            found[person_id].append(name)
    return found


def _visible_indicators(request: HttpRequest, p: Partnership):
    """The indicators the user may see (published ones, and their own bodies'): a risk form
    never lists another body's unpublished indicator."""
    return Indicator.objects.filter(partnership=p).filter(viewer_for(request.user, p).indicators())


def _risk_form(request: HttpRequest, p: Partnership, risk: Risk | None = None) -> RiskForm:
    return RiskForm(
        posted(request),
        initial=RiskForm.initial_from(risk) if risk else None,
        categories=RiskCategory.objects.filter(pk__in=[c.pk for c in services.risk_categories(p)]),
        people=_people(p, *([risk.owner_id] if risk else [])),
        organisations_of=_organisations_of(p),
        organisations=Organisation.objects.filter(partnership=p).order_by("name"),
        outcomes=Outcome.objects.filter(partnership=p).order_by("code"),
        indicators=_visible_indicators(request, p).order_by("code"),
        actions=PlanAction.objects.filter(outcome__partnership=p)
        .select_related("outcome")
        .order_by("outcome__code", "pk"),
    )


def _risk_changes(risk: Risk, cleaned: dict) -> dict:
    """Only what changed, so an unchanged save writes no empty history row."""
    changes = {}
    for name, value in cleaned.items():
        if name in LINKS:
            if {o.pk for o in getattr(risk, name).all()} != {o.pk for o in value}:
                changes[name] = value
        elif getattr(risk, name) != value:
            changes[name] = value
    return changes


# --- a risk -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def risk_create(request: HttpRequest, partnership: str, body: str) -> HttpResponse:
    """A new risk on a body's register, by its members, chair or co-ordinators."""
    body_obj = perms.get_body_or_404(partnership, body)
    perms.require(permissions.can_manage_risks(request.user, body_obj))
    p = body_obj.partnership
    form = _risk_form(request, p)
    if request.method == "POST" and form.is_valid():
        try:
            risk = services.risk_create(actor=request.user, body=body_obj, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Risk {risk.code} has been added to the register.")
            return redirect(risk_url(risk))
    return _page(
        request,
        "risk_form.html",
        p,
        form,
        heading="Add a risk",
        caption=f"{body_obj.name}'s register",
        button="Add the risk",
        back=body_risks_url(body_obj),
        back_label=f"Back to the {body_obj.name}'s register",
    )


@login_required
@require_http_methods(["GET", "POST"])
def risk_edit(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    page = risk_or_404(request, partnership, pk)
    perms.require(page.can_edit)
    if (refused := _refuse_closed(request, page)) is not None:
        return refused
    risk = page.risk
    form = _risk_form(request, risk.partnership, risk)
    if request.method == "POST" and form.is_valid():
        # Links to indicators this user cannot see are not on the form: they stay as they are.
        hidden = risk.indicators.exclude(pk__in=_visible_indicators(request, risk.partnership))
        if "indicators" in form.cleaned_data and hidden.exists():
            form.cleaned_data["indicators"] = [*form.cleaned_data["indicators"], *hidden]
        changes = _risk_changes(risk, form.cleaned_data)
        try:
            if changes:
                services.risk_update(actor=request.user, risk=risk, **changes)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                f"Risk {form.cleaned_data['code']} has been updated."
                if changes
                else "Nothing was changed.",
            )
            return redirect(risk_url(risk))
    return _page(
        request,
        "risk_form.html",
        risk.partnership,
        form,
        heading=f"Change risk {risk.code}",
        caption=f"{risk.body.name}'s register",
        button="Save changes",
        back=risk_url(risk),
        back_label="Back to the risk",
        history=history_entries(risk, limit=20),
    )


@login_required
@require_http_methods(["GET", "POST"])
def risk_close(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    """Close a risk with a reason: it stays on the register, readable."""
    page = risk_or_404(request, partnership, pk)
    perms.require(page.can_edit)
    if (refused := _refuse_closed(request, page)) is not None:
        return refused
    risk = page.risk
    form = CloseForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_close(actor=request.user, risk=risk, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Risk {risk.code} has been closed.")
            return redirect(risk_url(risk))
    return _page(
        request,
        "close_form.html",
        risk.partnership,
        form,
        risk=risk,
        heading=f"Close risk {risk.code}",
        caption=risk.title,
        button="Close the risk",
        back=risk_url(risk),
        back_label="Back to the risk",
    )


# --- the quarterly review -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def risk_review(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    """The owner's (or a co-ordinator's) quarterly review: unchanged, or re-scored with what
    changed. It is the review of the quarter being collected (the last to end), due by the
    owning body's returns deadline for it and chased with the returns (services/chasing): a
    review says how the risk stands now, so a quarter missed is not made up later."""
    page = risk_or_404(request, partnership, pk)
    perms.require(page.can_review)
    risk = page.risk
    period = open_quarter()
    form = ReviewForm(
        posted(request),
        initial={
            "residual_likelihood": risk.residual_likelihood,
            "residual_impact": risk.residual_impact,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unchanged = data["outcome"] == "unchanged"
        try:
            services.risk_review(
                actor=request.user,
                risk=risk,
                period=period,
                unchanged=unchanged,
                **(
                    {}
                    if unchanged
                    else {
                        "residual_likelihood": data["residual_likelihood"],
                        "residual_impact": data["residual_impact"],
                        "what_changed": data["what_changed"],
                    }
                ),
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Review for {period.label} recorded.")
            return redirect(risk_url(risk))
    return _page(
        request,
        "review_form.html",
        risk.partnership,
        form,
        risk=risk,
        period=period,
        heading=f"Review risk {risk.code}",
        caption=f"{period.label} review",
        button="Record the review",
        back=risk_url(risk),
        back_label="Back to the risk",
    )


# --- controls -----------------------------------------------------------------------------------


def _control_page(request, risk: Risk, form, **extra) -> HttpResponse:
    return _page(
        request,
        "control_form.html",
        risk.partnership,
        form,
        risk=risk,
        caption=f"Risk {risk.code}: {risk.title}",
        back=risk_url(risk),
        back_label="Back to the risk",
        **extra,
    )


@login_required
@require_http_methods(["GET", "POST"])
def risk_control_create(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    page = risk_or_404(request, partnership, pk)
    perms.require(page.can_edit)
    if (refused := _refuse_closed(request, page)) is not None:
        return refused
    risk = page.risk
    form = ControlForm(posted(request), people=_people(risk.partnership))
    if request.method == "POST" and form.is_valid():
        try:
            services.control_add(actor=request.user, risk=risk, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Control added.")
            return redirect(risk_url(risk))
    return _control_page(request, risk, form, heading="Add a control", button="Add the control")


@login_required
@require_http_methods(["GET", "POST"])
def risk_control_edit(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    control = (
        RiskControl.objects.filter(risk__partnership__slug=partnership, pk=pk)
        .values_list("risk_id", flat=True)
        .first()
    )
    if control is None:
        raise Http404("No such control")
    page = risk_or_404(request, partnership, control)
    perms.require(page.can_edit)
    if (refused := _refuse_closed(request, page)) is not None:
        return refused
    risk = page.risk
    control = RiskControl.objects.select_related("owner").get(pk=pk)
    form = ControlForm(
        posted(request),
        initial=ControlForm.initial_from(control),
        people=_people(risk.partnership, control.owner_id),
    )
    if request.method == "POST" and form.is_valid():
        changes = {
            name: value
            for name, value in form.cleaned_data.items()
            if getattr(control, name) != value
        }
        try:
            if changes:
                services.control_update(actor=request.user, control=control, **changes)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Control updated." if changes else "Nothing was changed.")
            return redirect(risk_url(risk))
    return _control_page(
        request,
        risk,
        form,
        heading="Change a control",
        button="Save changes",
        history=history_entries(control, limit=20),
    )


# --- acceptance above appetite ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def risk_accept(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    """The chair (or deputy) of the body a risk is escalated to accepts it above appetite."""
    page = risk_or_404(request, partnership, pk)
    perms.require(page.can_accept)
    risk = page.risk
    form = AcceptForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            acceptance = services.risk_accept(actor=request.user, risk=risk, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            until = acceptance.expires_on
            messages.success(
                request,
                f"Risk {risk.code} accepted above appetite until {until.day} {until:%B %Y}.",
            )
            return redirect(risk_url(risk))
    return _page(
        request,
        "accept_form.html",
        risk.partnership,
        form,
        risk=risk,
        appetite=services.appetite_for(risk),
        heading=f"Accept risk {risk.code} above appetite",
        caption=f"Escalated to the {risk.escalated_to.name}",
        button="Accept the risk",
        back=risk_url(risk),
        back_label="Back to the risk",
    )


# --- a body's appetite --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def risk_appetite(request: HttpRequest, partnership: str, body: str) -> HttpResponse:
    """The body's co-ordinators set its appetite, and one per category if they want."""
    body_obj = perms.get_body_or_404(partnership, body)
    perms.require(perms.can_manage_body(request.user, body_obj))
    p = body_obj.partnership
    categories = services.risk_categories(p)
    current = {a.category_id: a.threshold for a in RiskAppetite.objects.filter(body=body_obj)}
    initial = {"threshold": current.get(None)}
    for category in categories:
        initial[category_field_name(category)] = current.get(category.pk)
    form = AppetiteForm(posted(request), initial=initial, categories=categories)
    if request.method == "POST" and form.is_valid():
        try:
            # One transaction: the appetite is set whole, or not at all.
            with transaction.atomic():
                for category, threshold in form.thresholds():
                    if current.get(category.pk if category else None) == threshold:
                        continue
                    services.risk_appetite_set(
                        actor=request.user, body=body_obj, threshold=threshold, category=category
                    )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"The {body_obj.name}'s risk appetite has been saved.")
            return redirect(body_risks_url(body_obj))
    return _page(
        request,
        "appetite_form.html",
        p,
        form,
        body=body_obj,
        heading="Risk appetite",
        caption=body_obj.name,
        button="Save the appetite",
        back=body_risks_url(body_obj),
        back_label=f"Back to the {body_obj.name}'s register",
        history=history_of(RiskAppetite, subject="category", limit=20, body_id=body_obj.pk),
    )


# --- the partnership's settings -----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def risk_settings(request: HttpRequest, partnership: str) -> HttpResponse:
    """The partnership's co-ordinators set its rating bands, whether a summary is published,
    and add categories."""
    p = perms.get_partnership_or_404(partnership)
    perms.require(perms.can_manage_partnership(request.user, p))
    bands = services.risk_bands(p)
    form = SettingsForm(posted(request), initial=SettingsForm.initial_from(bands))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        name = data.pop("new_category").strip()
        try:
            with transaction.atomic():
                if any(getattr(bands, field) != value for field, value in data.items()):
                    services.risk_settings_update(actor=request.user, partnership=p, **data)
                if name:
                    services.risk_category_add(actor=request.user, partnership=p, name=name)
        except ValidationError as error:
            form.add_service_error(error, name="new_category")
        else:
            messages.success(request, "The risk settings have been saved.")
            return redirect(reverse("performance:risk_settings", kwargs={"partnership": p.slug}))
    return _page(
        request,
        "settings_form.html",
        p,
        form,
        categories=services.risk_categories(p),
        heading="Risk settings",
        caption=p.name,
        button="Save the settings",
        back=reverse("performance:risk_list", kwargs={"partnership": p.slug}),
        back_label="Back to the risk register",
    )
