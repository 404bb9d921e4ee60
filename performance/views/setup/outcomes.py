"""The partnership's outcomes and their delivery plans: read by everyone (they are the
published Community Strategy), changed by the co-ordinators of the owning body."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from partnership import permissions as perms
from partnership.history import history_entries
from partnership.models import Body, Organisation
from performance import services
from performance.forms.setup import (
    OutcomeForm,
    PlanActionForm,
)
from performance.models import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    Indicator,
    Outcome,
    PlanAction,
)
from performance.permissions import can_manage_performance, can_see_indicator
from performance.views.setup.common import (
    PAGE_SIZE,
    STATUS_TAGS,
    changes_of,
    form_page,
    managed_bodies,
    managed_outcome,
    outcome_in,
    outcome_url,
    people_choices,
)

# --- outcomes ----------------------------------------------------------------------------------


def _visible_indicator_counts(request: HttpRequest, outcome_ids) -> dict[int, int]:
    """How many of each outcome's indicators the viewer may see, in one query (the rights
    themselves are read once per request)."""
    counts: dict[int, int] = {}
    indicators = Indicator.objects.filter(outcome_id__in=outcome_ids).select_related(
        "body", "partnership"
    )
    for indicator in indicators:
        if can_see_indicator(request.user, indicator):
            counts[indicator.outcome_id] = counts.get(indicator.outcome_id, 0) + 1
    return counts


def outcome_list(request: HttpRequest, partnership: str) -> HttpResponse:
    p = perms.get_partnership_or_404(partnership)
    today = timezone.localdate()
    bodies = list(Body.objects.filter(partnership=p, outcomes__isnull=False).distinct())
    chosen = next((b for b in bodies if b.slug == request.GET.get("body")), None)
    by_status = {
        f"n_{status.value}": Count("actions", filter=Q(actions__status=status))
        for status in ActionStatus
    }
    outcomes = (
        Outcome.objects.filter(partnership=p)
        .select_related("body")
        .annotate(
            n_actions=Count("actions"),
            n_overdue=Count(
                "actions",
                filter=Q(actions__status__in=OPEN_ACTION_STATUSES, actions__due_on__lt=today),
            ),
            **by_status,
        )
        .order_by("body__name", "code", "pk")
    )
    if chosen is not None:
        outcomes = outcomes.filter(body=chosen)
    page = Paginator(outcomes, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = _visible_indicator_counts(request, [o.pk for o in page])
    groups: dict[Body, list[Outcome]] = {}
    for outcome in page:
        outcome.n_indicators = counts.get(outcome.pk, 0)
        outcome.progress = [
            (status.label, getattr(outcome, f"n_{status.value}"))
            for status in ActionStatus
            if getattr(outcome, f"n_{status.value}")
        ]
        groups.setdefault(outcome.body, []).append(outcome)
    managed = list(perms.bodies_managed_by(request.user, p).open().order_by("name"))
    return render(
        request,
        "performance/setup/outcome_list.html",
        {
            "partnership": p,
            "groups": list(groups.items()),
            "page": page,
            "bodies": bodies,
            "chosen": chosen,
            "managed": managed,
        },
    )


def outcome_detail(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    outcome = outcome_in(partnership, pk)
    today = timezone.localdate()
    can_manage = can_manage_performance(request.user, outcome.body)
    actions = list(outcome.actions.select_related("organisation", "lead"))
    for action in actions:
        action.tag = STATUS_TAGS[ActionStatus(action.status)]
        action.overdue = action.is_overdue(today=today)
    indicators = [
        i
        for i in outcome.indicators.select_related("body", "partnership", "lead")
        if can_see_indicator(request.user, i)
    ]
    return render(
        request,
        "performance/setup/outcome_detail.html",
        {
            "partnership": outcome.partnership,
            "outcome": outcome,
            "actions": actions,
            "overdue": sum(a.overdue for a in actions),
            "indicators": indicators,
            "can_manage": can_manage,
            "history": history_entries(outcome) if can_manage else [],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def outcome_create(request: HttpRequest, partnership: str) -> HttpResponse:
    p = perms.get_partnership_or_404(partnership)
    perms.require(perms.manages_anything(request.user, p))
    form = OutcomeForm(request.POST or None, bodies=managed_bodies(request, p))
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.outcome_create(
                actor=request.user, partnership=p, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Outcome {outcome.code} has been added.")
            return redirect(outcome_url(outcome))
    intro = (
        "A priority of the Community Strategy, or an outcome agreed with government, owned by "
        "the body that delivers it."
    )
    back = reverse("performance:outcome_list", kwargs={"partnership": p.slug})
    return form_page(
        request,
        p,
        form,
        "Add an outcome",
        "Add outcome",
        intro=intro,
        back=back,
        back_label="Back to outcomes",
    )


@login_required
@require_http_methods(["GET", "POST"])
def outcome_edit(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    outcome = managed_outcome(request, partnership, pk)
    p = outcome.partnership
    bodies = managed_bodies(request, p, outcome.body)
    form = OutcomeForm(
        request.POST or None, initial=OutcomeForm.initial_from(outcome), bodies=bodies
    )
    if request.method == "POST" and form.is_valid():
        try:
            if changes := changes_of(outcome, form.cleaned_data):
                services.outcome_update(actor=request.user, outcome=outcome, **changes)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Outcome {outcome.code} has been updated.")
            return redirect(outcome_url(outcome))
    return form_page(
        request,
        p,
        form,
        "Change the outcome",
        "Save changes",
        caption=str(outcome),
        back=outcome_url(outcome),
        back_label="Back to the outcome",
        history=history_entries(outcome),
    )


# --- delivery plans ----------------------------------------------------------------------------


def _action_page(request, outcome: Outcome, action: PlanAction | None) -> HttpResponse:
    """Adding (``action`` None) or changing an action of the outcome's delivery plan."""
    p = outcome.partnership
    form = PlanActionForm(
        request.POST or None,
        initial=PlanActionForm.initial_from(action) if action else None,
        organisations=Organisation.objects.filter(partnership=p).order_by("name"),
        people=people_choices(p, *([action.lead_id] if action else [])),
    )
    if request.method == "POST" and form.is_valid():
        try:
            if action is None:
                services.plan_action_create(
                    actor=request.user, outcome=outcome, **form.cleaned_data
                )
            elif changes := changes_of(action, form.cleaned_data):
                services.plan_action_update(actor=request.user, action=action, **changes)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            done = "added to the delivery plan" if action is None else "updated"
            messages.success(request, f"The action has been {done}.")
            return redirect(outcome_url(outcome) + "#plan")
    heading = "Add an action to the delivery plan" if action is None else "Change an action"
    return form_page(
        request,
        p,
        form,
        heading,
        "Add action" if action is None else "Save changes",
        caption=str(outcome),
        back=outcome_url(outcome),
        back_label="Back to the outcome",
        history=history_entries(action) if action else [],
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_action_create(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    return _action_page(request, managed_outcome(request, partnership, pk), None)


@login_required
@require_http_methods(["GET", "POST"])
def plan_action_edit(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    try:
        action = PlanAction.objects.select_related(
            "outcome__partnership", "outcome__body__partnership"
        ).get(outcome__partnership__slug=partnership, pk=pk)
    except PlanAction.DoesNotExist as exc:
        raise Http404("No such action") from exc
    perms.require(can_manage_performance(request.user, action.outcome.body))
    return _action_page(request, action.outcome, action)
