"""Indicators, each financial year's targets and each quarter's return deadlines, for the
co-ordinators of the owning body."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from partnership import permissions as perms
from partnership.history import Change, history_of
from partnership.models import Partnership
from partnership.periods import financial_year, financial_year_label
from performance import selectors, services
from performance.forms.setup import (
    TARGET_FIELDS,
    DeadlinesForm,
    IndicatorForm,
    TargetsForm,
    deadline_field_name,
    plain,
)
from performance.models import (
    WHOLE_YEAR,
    Indicator,
    Outcome,
    ReturnDeadline,
    Target,
    TargetKind,
    Unit,
)
from performance.permissions import can_manage_performance
from performance.rules import format_value
from performance.views.setup.common import (
    INDICATOR_FORM,
    changes_of,
    form_page,
    managed_bodies,
    managed_indicator,
    people_choices,
)

# --- indicators --------------------------------------------------------------------------------


def _indicator_form(request, p: Partnership, indicator: Indicator | None) -> IndicatorForm:
    outcomes = Outcome.objects.filter(partnership=p).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gt=timezone.localdate())
    )
    if indicator is not None and indicator.outcome_id:
        outcomes = outcomes | Outcome.objects.filter(pk=indicator.outcome_id)
    return IndicatorForm(
        request.POST or None,
        initial=IndicatorForm.initial_from(indicator) if indicator else None,
        bodies=managed_bodies(request, p, indicator.body if indicator else None),
        outcomes=outcomes.order_by("code", "pk"),
        people=people_choices(p, *([indicator.lead_id] if indicator else [])),
        editing=indicator is not None,
    )


def _indicator_url(indicator: Indicator) -> str:
    return reverse(
        "performance:indicator",
        kwargs={"partnership": indicator.partnership.slug, "pk": indicator.pk},
    )


@login_required
@require_http_methods(["GET", "POST"])
def indicator_create(request: HttpRequest, partnership: str) -> HttpResponse:
    p = perms.get_partnership_or_404(partnership)
    perms.require(perms.manages_anything(request.user, p))
    form = _indicator_form(request, p, None)
    if request.method == "GET" and request.GET.get("outcome", "").isdigit():
        form.initial = {"outcome": int(request.GET["outcome"])}
    if request.method == "POST" and form.is_valid():
        try:
            indicator = services.indicator_create(
                actor=request.user, partnership=p, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request, f"Indicator {indicator.code} has been added. Now set its targets."
            )
            return redirect(_indicator_url(indicator))
    back = reverse("performance:outcome_list", kwargs={"partnership": p.slug})
    return form_page(
        request,
        p,
        form,
        "Add an indicator",
        "Add indicator",
        template=INDICATOR_FORM,
        back=back,
        back_label="Back to outcomes",
    )


@login_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    indicator = managed_indicator(request, partnership, pk)
    form = _indicator_form(request, indicator.partnership, indicator)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        reason = fields.pop("reason", "").strip()
        try:
            if changes := changes_of(indicator, fields):
                services.indicator_update(
                    actor=request.user, indicator=indicator, reason=reason, **changes
                )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Indicator {indicator.code} has been updated.")
            return redirect(_indicator_url(indicator))
    return form_page(
        request,
        indicator.partnership,
        form,
        "Change the indicator",
        "Save changes",
        template=INDICATOR_FORM,
        indicator=indicator,
        caption=str(indicator),
        back=_indicator_url(indicator),
        back_label="Back to the indicator",
        targets=reverse(
            "performance:targets_edit",
            kwargs={
                "partnership": indicator.partnership.slug,
                "pk": indicator.pk,
                "year": financial_year(timezone.localdate()),
            },
        ),
    )


# --- targets and deadlines ---------------------------------------------------------------------


def _period_name(year: int, quarter: int) -> str:
    part = "whole year" if quarter == WHOLE_YEAR else f"Q{quarter}"
    return f"{financial_year_label(year)} {part}"


def _history_by_period(model, *, subject: str, field: str, label: str, show, **filters):
    """``history_of`` with each entry named by its period rather than its object, and the
    value it was created or removed with (the shared helper lists only changed fields). One
    more query, reading the same rows in the same order."""
    entries = history_of(model, subject=subject, **filters)
    rows = model.history.filter(**filters).order_by("-history_date", "-pk")
    rows = rows.values_list("year", "quarter", field, "history_type")[: len(entries)]
    for entry, (year, quarter, value, kind) in zip(entries, rows, strict=True):
        entry.subject = _period_name(year, quarter)
        if kind == "+":
            entry.changes = [Change(field=label, old="(none)", new=show(value))]
        elif kind == "-":
            entry.changes = [Change(field=label, old=show(value), new="(none)")]
        else:
            entry.changes = [
                Change(field=label, old=show(c.old), new=show(c.new)) for c in entry.changes
            ]
    return entries


@login_required
@require_http_methods(["GET", "POST"])
def targets_edit(request: HttpRequest, partnership: str, pk: int, year: int) -> HttpResponse:
    indicator = managed_indicator(request, partnership, pk)
    if not 2000 <= year <= 2100:
        raise Http404("No such year")
    p = indicator.partnership
    current = {t.quarter: t.value for t in Target.objects.filter(indicator=indicator, year=year)}
    form = TargetsForm(
        request.POST or None,
        initial={
            name: _typed(indicator, current.get(quarter)) for quarter, name in TARGET_FIELDS.items()
        },
        indicator=indicator,
        year=year,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.targets_set(
                actor=request.user, indicator=indicator, year=year, values=form.values()
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                f"Targets for {financial_year_label(year)} have been saved for {indicator.code}.",
            )
            return redirect("performance:targets_edit", partnership=p.slug, pk=pk, year=year)

    def show(value) -> str:
        if value in (None, "(none)"):
            return "(none)"
        try:
            return format_value(indicator, Decimal(value))
        except InvalidOperation:
            return str(value)

    def year_url(y: int) -> str:
        return reverse(
            "performance:targets_edit", kwargs={"partnership": p.slug, "pk": pk, "year": y}
        )

    return render(
        request,
        "performance/setup/targets_form.html",
        {
            "partnership": p,
            "form": form,
            "indicator": indicator,
            "year": year,
            "year_label": financial_year_label(year),
            "cumulative": indicator.target_kind == TargetKind.CUMULATIVE,
            "previous": (financial_year_label(year - 1), year_url(year - 1)),
            "next": (financial_year_label(year + 1), year_url(year + 1)),
            "back": _indicator_url(indicator),
            "history": _history_by_period(
                Target,
                subject="indicator",
                field="value",
                label="Target",
                show=show,
                indicator=indicator,
            ),
        },
    )


def _typed(indicator: Indicator, value: Decimal | None) -> str:
    """A stored target as it would be typed: exact, so saving the page unchanged changes
    nothing."""
    if value is not None and indicator.unit == Unit.YES_NO:
        return format_value(indicator, value)
    return plain(value)


class _Refused(Exception):
    """Undoes every deadline saved in the request when one of them is refused."""


@login_required
@require_http_methods(["GET", "POST"])
def deadlines_edit(request: HttpRequest, partnership: str, body: str) -> HttpResponse:
    b = perms.get_body_or_404(partnership, body)
    perms.require(can_manage_performance(request.user, b))
    # From the quarter whose returns are being collected now (in April to June, last
    # year's Q4), and the seven after it.
    first = selectors.open_quarter()
    periods = [first.minus(-n) for n in range(8)]
    current = selectors.deadlines_for(body_ids=[b.pk], periods=periods)
    current = {period: current[(b.pk, period)] for period in periods}
    defaults = {period: selectors.default_deadline(period) for period in periods}
    form = DeadlinesForm(
        request.POST or None,
        initial={deadline_field_name(period): due for period, due in current.items()},
        periods=periods,
        defaults=defaults,
    )
    if request.method == "POST" and form.is_valid():
        # Only changed deadlines are written: an untouched default stays a default, and
        # follows the setting if it changes.
        changed = {p: d for p, d in form.deadlines().items() if d != current[p]}
        try:
            with transaction.atomic():
                for period, due_on in changed.items():
                    try:
                        services.deadline_set(
                            actor=request.user, body=b, period=period, due_on=due_on
                        )
                    except ValidationError as error:
                        form.add_service_error(error, due_on=deadline_field_name(period))
                if form.errors:
                    raise _Refused
        except _Refused:
            pass
        else:
            messages.success(request, f"Return deadlines for {b.name} have been saved.")
            return redirect("performance:deadlines", partnership=b.partnership.slug, body=b.slug)

    def show(value) -> str:
        return value.strftime("%-d %B %Y") if hasattr(value, "strftime") else str(value)

    return render(
        request,
        "performance/setup/deadlines_form.html",
        {
            "partnership": b.partnership,
            "body": b,
            "form": form,
            "working_days": settings.PERFORMANCE_RETURN_WORKING_DAYS,
            "back": reverse(
                "performance:body_dashboard",
                kwargs={"partnership": b.partnership.slug, "body": b.slug},
            ),
            "history": _history_by_period(
                ReturnDeadline, subject="body", field="due_on", label="Deadline", show=show, body=b
            ),
        },
    )
