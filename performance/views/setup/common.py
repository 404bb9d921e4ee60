"""What the set-up pages share: fetch-and-authorise helpers and the form page."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from membership.selectors import partnership_members
from partnership import permissions as perms
from partnership.models import Body, Partnership
from performance.models import (
    ActionStatus,
    Indicator,
    Outcome,
)
from performance.permissions import can_manage_performance, can_see_indicator

PAGE_SIZE = 50
FORM = "performance/setup/form.html"
INDICATOR_FORM = "performance/setup/indicator_form.html"

# GOV.UK tag colours for an action's status; the word is always shown beside the colour.
STATUS_TAGS = {
    ActionStatus.NOT_STARTED: "govuk-tag--grey",
    ActionStatus.ON_TRACK: "govuk-tag--green",
    ActionStatus.AT_RISK: "govuk-tag--yellow",
    ActionStatus.DELAYED: "govuk-tag--red",
    ActionStatus.COMPLETE: "govuk-tag--blue",
    ActionStatus.CANCELLED: "govuk-tag--grey",
}


# --- fetch and authorise -----------------------------------------------------------------------


def outcome_in(partnership: str, pk: int) -> Outcome:
    try:
        return Outcome.objects.select_related("partnership", "body__partnership").get(
            partnership__slug=partnership, pk=pk
        )
    except Outcome.DoesNotExist as exc:
        raise Http404("No such outcome") from exc


def managed_outcome(request: HttpRequest, partnership: str, pk: int) -> Outcome:
    outcome = outcome_in(partnership, pk)
    perms.require(can_manage_performance(request.user, outcome.body))
    return outcome


def managed_indicator(request: HttpRequest, partnership: str, pk: int) -> Indicator:
    """An indicator the user co-ordinates: 404 if they may not even see it, else 403."""
    try:
        indicator = Indicator.objects.select_related(
            "partnership", "body__partnership", "outcome", "lead"
        ).get(partnership__slug=partnership, pk=pk)
    except Indicator.DoesNotExist as exc:
        raise Http404("No such indicator") from exc
    if not can_see_indicator(request.user, indicator):
        raise Http404("No such indicator")
    perms.require(can_manage_performance(request.user, indicator.body))
    return indicator


def managed_bodies(request: HttpRequest, p: Partnership, current: Body | None = None):
    """The open bodies the user co-ordinates; an object's current body stays choosable."""
    bodies = perms.bodies_managed_by(request.user, p).open()
    if current is not None:
        bodies = bodies | Body.objects.filter(pk=current.pk)
    return bodies.order_by("name")


def people_choices(p: Partnership, *current_ids: int):
    """People sitting on the partnership's bodies now; a current lead who has left stays."""
    people = partnership_members(partnership=p)
    if current_ids:
        people = people | people.model.objects.filter(pk__in=current_ids)
    return people.order_by("full_name", "pk")


def form_page(request, p: Partnership, form, heading: str, button: str, **extra) -> HttpResponse:
    """A set-up form page. ``extra`` names ``back`` and ``back_label``, and optionally a
    ``caption``, an ``intro``, the ``history`` and the ``template``."""
    template = extra.pop("template", FORM)
    context = {"partnership": p, "form": form, "heading": heading, "button": button}
    return render(request, template, {**context, **extra})


def changes_of(obj, cleaned: dict) -> dict:
    """Only what changed, so an unchanged save writes no empty history row."""
    return {name: value for name, value in cleaned.items() if getattr(obj, name) != value}


def outcome_url(outcome: Outcome) -> str:
    return reverse(
        "performance:outcome", kwargs={"partnership": outcome.partnership.slug, "pk": outcome.pk}
    )
