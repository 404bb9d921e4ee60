"""A body's risk register, the partnership's, the heat map and a risk's page. Every page is
for signed-in users only, filtered by ``performance.selectors`` (what the user may see) and a
fixed number of queries however many risks there are."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, F, IntegerField, OuterRef, Q, QuerySet
from django.db.models.expressions import ExpressionWrapper
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import Truncator
from django.views.decorators.http import require_safe

from partnership import permissions as perms
from partnership.history import history_entries, history_of
from partnership.models import Body
from partnership.paging import page_with_total
from partnership.periods import Quarter
from performance import permissions, selectors
from performance.models import (
    Risk,
    RiskControl,
    RiskReview,
    RiskSettings,
    RiskStatus,
)
from performance.models.risks import IMPACT_LEVELS, LIKELIHOOD_LEVELS
from performance.selectors import BASES, Band, band_of, risk_settings_of
from performance.selectors.returns import deadlines_for, open_quarter
from performance.services.risks import acceptance_in_force, appetite_for
from performance.views.risks.common import PAGE_SIZE, partnership_insider_or_404, risk_or_404

__all__ = ["body_risks", "risk_detail", "risk_heat_map", "risk_list"]

# ?status= on the registers: open (the default), closed or all.
STATUSES = {"open": RiskStatus.OPEN, "closed": RiskStatus.CLOSED, "all": None}


def _status(request: HttpRequest) -> str:
    status = request.GET.get("status", "open")
    return status if status in STATUSES else "open"


def _paged(request: HttpRequest, rows: QuerySet) -> dict[str, Any]:
    # The page and the total in one query (each row carries the count).
    page = page_with_total(rows, number=request.GET.get("page"), size=PAGE_SIZE)
    return {
        "page": page,
        "page_range": list(page.paginator.get_elided_page_range(page.number, on_each_side=2)),
        "ellipsis": Paginator.ELLIPSIS,
    }


def _with_review_due(risks: QuerySet[Risk], today: date) -> tuple[QuerySet[Risk], Quarter]:
    """Each quarter's review is of the quarter being collected (the last to end), due by the
    owning body's returns deadline for it, as the digest chases it: a risk reviewed for it (or
    made since it ended) is next due by the following quarter's deadline. One subquery, so no
    query per row."""
    quarter = open_quarter(today=today)
    reviewed = RiskReview.objects.filter(risk=OuterRef("pk")).filter(
        Q(year__gt=quarter.year) | Q(year=quarter.year, quarter__gte=quarter.number)
    )
    return risks.annotate(reviewed_this_quarter=Exists(reviewed)), quarter


def _set_review_due(rows, quarter: Quarter) -> None:
    """The date each row's next review is due by: the deadlines of the shown rows' bodies,
    read in one query."""
    rows = list(rows)
    following = quarter.next()
    deadlines = deadlines_for(body_ids={r.body_id for r in rows}, periods=[quarter, following])
    for risk in rows:
        if not risk.is_open:
            risk.review_due = None
        elif risk.reviewed_this_quarter or timezone.localtime(risk.created_at).date() > (
            quarter.ends_on
        ):
            risk.review_due = deadlines[(risk.body_id, following)]
        else:
            risk.review_due = deadlines[(risk.body_id, quarter)]


# --- a body's register --------------------------------------------------------------------------


@login_required
@require_safe
def body_risks(request: HttpRequest, partnership: str, body: str) -> HttpResponse:
    """The body's own risks and those escalated to it, highest residual score first."""
    b = perms.get_body_or_404(partnership, body)
    user = request.user
    if not permissions.can_manage_risks(user, b):
        raise Http404("No such register")
    today = timezone.localdate()
    status = _status(request)
    register = selectors.body_register(body=b, user=user, status=STATUSES[status], today=today)
    register, quarter = _with_review_due(register, today)
    paged = _paged(request, register)
    _set_review_due(paged["page"], quarter)
    for risk in paged["page"]:
        risk.residual_band_label = Band(risk.residual_band).label
    return render(
        request,
        "performance/risks/register.html",
        {
            "partnership": b.partnership,
            "body": b,
            "status": status,
            # Anyone who keeps the register adds to it; its co-ordinators set the appetite.
            "can_manage": True,
            "can_set_appetite": perms.can_manage_body(user, b),
            **paged,
        },
    )


# --- the partnership's register -----------------------------------------------------------------


LIST_FIELDS = (
    "code",
    "title",
    "status",
    "closed_on",
    "created_at",
    "body__name",
    "body__slug",
    "category__name",
    "owner__full_name",
    "escalated_to__name",
    "escalated_to__slug",
)


def _band_filter(bands: RiskSettings, band: str) -> Q:
    """The residual scores of a band, from the partnership's thresholds."""
    edges = {
        Band.LOW: (1, bands.medium_from),
        Band.MEDIUM: (bands.medium_from, bands.high_from),
        Band.HIGH: (bands.high_from, bands.very_high_from),
        Band.VERY_HIGH: (bands.very_high_from, 26),
    }
    low, high = edges[Band(band)]
    return Q(residual__gte=low, residual__lt=high)


@login_required
@require_safe
def risk_list(request: HttpRequest, partnership: str) -> HttpResponse:
    """Every risk of the partnership the user may see, filtered by body, band and status in
    the database, 50 a page."""
    p = perms.get_partnership_or_404(partnership)
    user = request.user
    partnership_insider_or_404(user, p)
    today = timezone.localdate()
    bands = risk_settings_of(p)
    bodies = list(
        Body.objects.filter(partnership=p)
        .order_by("name")
        .only("pk", "slug", "name", "partnership_id")
    )
    risks = selectors.risks_visible_to(user, p, bodies=bodies).annotate(
        residual=ExpressionWrapper(
            F("residual_likelihood") * F("residual_impact"), output_field=IntegerField()
        )
    )
    status = _status(request)
    if STATUSES[status]:
        risks = risks.filter(status=STATUSES[status])
    body = None
    if request.GET.get("body"):
        body = next((b for b in bodies if b.slug == request.GET["body"]), None)
        if body is None:
            raise Http404("No such body")
        # Its own risks, those escalated to it and those it accepted, as on its register.
        risks = risks.filter(selectors.register_q(body, today=today))
    band = request.GET.get("band", "")
    if band in Band.values:
        risks = risks.filter(_band_filter(bands, band))
    else:
        band = ""
    # Only the columns the page shows (and the review's rule reads): the risks' long texts and
    # the whole rows of their bodies and owners are not wanted here.
    risks = (
        risks.select_related("body", "category", "owner", "escalated_to")
        .only(*LIST_FIELDS)
        .order_by("-residual", "code")
    )
    risks, quarter = _with_review_due(risks, today)
    paged = _paged(request, risks)
    _set_review_due(paged["page"], quarter)
    # Each risk's page (``detail_url``): the route reversed once, not once a row.
    head, tail = reverse("performance:risk", kwargs={"partnership": p.slug, "pk": 0}).rsplit(
        "/0/", 1
    )
    # Each date as the template's date:"j F Y" writes it, worked out once a date, not once a row.
    days: dict[date, str] = {}
    for risk in paged["page"]:
        risk.residual_band = band_of(bands, risk.residual)
        risk.residual_band_label = risk.residual_band.label
        risk.detail_url = f"{head}/{risk.pk}/{tail}"
        day = risk.review_due or risk.closed_on
        if day not in days:
            days[day] = formats.date_format(day, "j F Y") if day else ""
        risk.due_label = days[day]
    for b in bodies:
        b.chosen = b == body
    return render(
        request,
        "performance/risks/list.html",
        {
            "partnership": p,
            "bodies": bodies,
            "body": body,
            "band": band,
            "bands": Band.choices,
            "status": status,
            "filtered": bool(body or band or status != "open"),
            "can_set_bands": perms.can_manage_partnership(request.user, p),
            **paged,
        },
    )


# --- the heat map -------------------------------------------------------------------------------


@login_required
@require_safe
def risk_heat_map(request: HttpRequest, partnership: str) -> HttpResponse:
    """The 5×5 map of the open risks the user may see, for the partnership or (``?body=``) a
    body's register; ``?basis=`` residual (the default), inherent or target."""
    p = perms.get_partnership_or_404(partnership)
    user = request.user
    basis = request.GET.get("basis", "residual")
    if basis not in BASES:
        basis = "residual"
    body = None
    if request.GET.get("body"):
        body = Body.objects.filter(partnership=p, slug=request.GET["body"]).first()
        if body is None or not permissions.can_manage_risks(user, body):
            raise Http404("No such register")
        risks = selectors.body_register(body=body, user=user)
    else:
        partnership_insider_or_404(user, p)
        risks = selectors.risks_visible_to(user, p).filter(status=RiskStatus.OPEN)
    heat = selectors.heat_map(risks=risks, partnership=p, basis=basis)
    return render(
        request,
        "performance/risks/heat_map.html",
        {
            "partnership": p,
            "body": body,
            "heat": heat,
            # "Was N last quarter" only once some risk has a past: on a new register every
            # cell would say "was 0".
            "shows_was": heat.shows_movement and any(p.was_score is not None for p in heat.points),
            "basis": basis,
            "bases": BASES,
            "impact_levels": [(n, IMPACT_LEVELS[n]) for n in range(1, 6)],
            "likelihood_levels": LIKELIHOOD_LEVELS,
        },
    )


# --- a risk's page ------------------------------------------------------------------------------


def _score(bands: RiskSettings, label: str, likelihood: int, impact: int) -> dict[str, Any]:
    score = likelihood * impact
    band = band_of(bands, score)
    return {
        "label": label,
        "likelihood": likelihood,
        "likelihood_text": LIKELIHOOD_LEVELS[likelihood],
        "impact": impact,
        "impact_text": IMPACT_LEVELS[impact],
        "score": score,
        "band": band.value,
        "band_label": band.label,
    }


def _controls_history(risk: Risk) -> list:
    """The history of the risk's controls, each entry named by its control's description.
    ``history_of`` names entries by a related object only, so the descriptions are read in the
    same order alongside: two queries however many controls."""
    entries = history_of(RiskControl, subject="risk", risk_id=risk.pk)
    described = RiskControl.history.filter(risk_id=risk.pk).order_by("-history_date", "-pk")
    described = described.values_list("description", flat=True)[: len(entries)]
    for entry, description in zip(entries, described, strict=True):
        entry.subject = f"Control “{Truncator(description).words(8)}”"
    return entries


@login_required
@require_safe
def risk_detail(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    """Everything about the risk: its scores, links, controls, reviews, acceptances, where it
    was escalated, and the history of the risk and of its controls."""
    page = risk_or_404(request, partnership, pk)
    risk = page.risk
    bands = risk_settings_of(risk.partnership)
    appetite = appetite_for(risk)
    history = history_entries(risk) + _controls_history(risk)
    history.sort(key=lambda entry: entry.when, reverse=True)
    reviews = list(risk.reviews.select_related("reviewer"))
    for review in reviews:
        review.period_label = Quarter(review.year, review.quarter).label
    return render(
        request,
        "performance/risks/detail.html",
        {
            "partnership": risk.partnership,
            "page": page,
            "risk": risk,
            "scores": [
                _score(bands, "Inherent", risk.inherent_likelihood, risk.inherent_impact),
                _score(bands, "Residual", risk.residual_likelihood, risk.residual_impact),
                _score(bands, "Target", risk.target_likelihood, risk.target_impact),
            ],
            "appetite": appetite,
            "above_appetite": appetite is not None and risk.residual_score > appetite,
            "accepted": acceptance_in_force(risk),
            "outcomes": list(risk.outcomes.order_by("code")),
            "indicators": list(risk.indicators.select_related("partnership").order_by("code")),
            "actions": list(risk.actions.select_related("outcome").order_by("pk")),
            "controls": list(risk.controls.select_related("owner")),
            "reviews": reviews,
            "acceptances": list(risk.acceptances.select_related("accepted_by")),
            "meeting": risk.escalation_item.meeting if risk.escalation_item else None,
            "history": history,
        },
    )
