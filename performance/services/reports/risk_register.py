"""A body's risk register as a report: the register as it stands, frozen as facts, for its PDF.

What it holds: the body's own open risks, those escalated to it from the bodies below and those
it accepted above appetite (``register_q``, as on its page; highest residual score first), each
with its scores (inherent, residual, target) and bands, owner, links, controls and last review,
and whether it is above its body's appetite; the risks it closed in the last year, briefly; the
heat map's counts (residual scores) and the body's appetite.

Who reads it: the report belongs to the body, so ``can_see_report`` lets its members, chair and
co-ordinators read it: exactly those who see its register (``can_manage_risks``), and who see
every risk on it, confidential ones included. It is never approved, placed on an agenda or
published (``has_unpublished`` also keeps it from any public list), so nobody else does.
A version is a snapshot, like a printed register: a risk escalated to the body when it was
built (confidential or not) stays in that version after it is de-escalated, and the body's
people can still open that version, though no longer the risk itself.

One report per body and quarter: building it again makes a new version only if the register
changed (``save_version``), so asking for the PDF twice renders it once.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from partnership.models import Body
from partnership.periods import Quarter
from performance.models import (
    Indicator,
    Outcome,
    PlanAction,
    Report,
    ReportKind,
    Risk,
    RiskAcceptance,
    RiskAppetite,
    RiskControl,
    RiskReview,
    RiskStatus,
)
from performance.models.risks import IMPACT_LEVELS, LIKELIHOOD_LEVELS
from performance.selectors.risks import Band, band_of, register_q, risk_settings_of
from performance.services.reports.common import body_facts, lock_body, long_date, save_version

__all__ = ["risk_register_build", "risk_register_facts", "risk_register_title"]

# Closed risks are listed for a year after they close.
CLOSED_FOR = timedelta(days=365)


def risk_register_title(body: Body, period: Quarter) -> str:
    return f"Risk register: {body.name}, {period.short_label}"[:200]


def _score(bands, likelihood: int, impact: int) -> dict:
    band = band_of(bands, likelihood * impact)
    return {
        "likelihood": likelihood,
        "impact": impact,
        "score": likelihood * impact,
        "band": band.value,
        "band_label": band.label,
    }


def _appetites(bodies: set[int]) -> dict[tuple[int, int | None], int]:
    """Thresholds by (body, category or None for the body's general one): one query."""
    return {
        (a.body_id, a.category_id): a.threshold
        for a in RiskAppetite.objects.filter(body_id__in=bodies)
    }


def _risk_facts(risk: Risk, body: Body, bands, appetites, accepted, reviews) -> dict:
    appetite = appetites.get((risk.body_id, risk.category_id))
    if appetite is None:
        appetite = appetites.get((risk.body_id, None))
    review = reviews.get(risk.pk)
    return {
        "id": risk.pk,
        "code": risk.code,
        "title": risk.title,
        "category": risk.category.name,
        "body": risk.body.name,
        "escalated_here": risk.body_id != body.pk,
        "escalated_to": risk.escalated_to.name if risk.escalated_to_id else "",
        "confidential": risk.confidential,
        "description": risk.description,
        "cause": risk.cause,
        "effect": risk.effect,
        "owner": risk.owner.full_name,
        "owner_organisation": risk.owner_organisation.name,
        "inherent": _score(bands, risk.inherent_likelihood, risk.inherent_impact),
        "residual": _score(bands, risk.residual_likelihood, risk.residual_impact),
        "target": _score(bands, risk.target_likelihood, risk.target_impact),
        "appetite": appetite,
        "above_appetite": appetite is not None and risk.residual_score > appetite,
        "accepted_until": long_date(accepted.get(risk.pk)),
        "outcomes": sorted(f"{o.code}: {o.title}" for o in risk.outcomes.all()),
        "indicators": sorted(f"{i.code}: {i.title}" for i in risk.indicators.all()),
        "actions": [a.title for a in sorted(risk.actions.all(), key=lambda a: a.pk)],
        "controls": [
            {
                "description": c.description,
                "owner": c.owner.full_name,
                "due_on": long_date(c.due_on),
                "status": c.get_status_display(),
                "effectiveness": c.get_effectiveness_display(),
            }
            for c in risk.controls.all()
        ],
        "last_review": None
        if review is None
        else {
            "quarter": Quarter(review.year, review.quarter).short_label,
            "on": long_date(timezone.localdate(review.reviewed_at)),
            "by": review.reviewer.full_name,
            "unchanged": review.unchanged,
            "what_changed": review.what_changed,
        },
    }


def risk_register_facts(*, body: Body, today: date | None = None) -> dict:
    """The register's facts as it stands ``today``: a fixed number of queries however many
    risks. The risks are those the body's insiders see on its register (its own, those
    escalated to it and those it accepted above appetite: ``register_q``), whatever the rights
    of whoever builds it."""
    today = today or timezone.localdate()
    body = Body.objects.select_related("partnership").get(pk=body.pk)
    period = Quarter.of(today)
    bands = risk_settings_of(body.partnership)
    open_risks = list(
        Risk.objects.filter(register_q(body, today=today), status=RiskStatus.OPEN)
        .select_related("body", "category", "owner", "owner_organisation", "escalated_to")
        .prefetch_related(
            Prefetch("outcomes", queryset=Outcome.objects.order_by()),
            Prefetch("indicators", queryset=Indicator.objects.order_by()),
            Prefetch("actions", queryset=PlanAction.objects.order_by()),
            Prefetch("controls", queryset=RiskControl.objects.select_related("owner")),
        )
    )
    open_risks.sort(key=lambda r: (-r.residual_score, r.code))
    ids = [r.pk for r in open_risks]
    appetites = _appetites({r.body_id for r in open_risks} | {body.pk})
    accepted: dict[int, date] = {}
    for acceptance in RiskAcceptance.objects.filter(risk_id__in=ids, expires_on__gte=today):
        if acceptance.expires_on > accepted.get(acceptance.risk_id, date.min):
            accepted[acceptance.risk_id] = acceptance.expires_on
    reviews: dict[int, RiskReview] = {}
    for review in (
        RiskReview.objects.filter(risk_id__in=ids)
        .select_related("reviewer")
        .order_by("risk_id", "-reviewed_at", "-pk")
    ):
        reviews.setdefault(review.risk_id, review)
    closed = Risk.objects.filter(
        body=body, status=RiskStatus.CLOSED, closed_on__gte=today - CLOSED_FOR
    ).order_by("-closed_on", "code")
    # The heat map of the residual scores, as counts: a table of words and numbers.
    codes: dict[tuple[int, int], list[str]] = {}
    by_band = dict.fromkeys(Band, 0)
    for risk in open_risks:
        codes.setdefault((risk.residual_likelihood, risk.residual_impact), []).append(risk.code)
        by_band[band_of(bands, risk.residual_score)] += 1
    heat = [
        {
            "likelihood": lk,
            "likelihood_text": LIKELIHOOD_LEVELS[lk].split(":")[0],
            "cells": [
                {
                    "impact": im,
                    "count": len(codes.get((lk, im), [])),
                    "score": lk * im,
                    "codes": sorted(codes.get((lk, im), [])),
                    "band": band_of(bands, lk * im).value,
                    "band_label": band_of(bands, lk * im).label,
                }
                for im in range(1, 6)
            ],
        }
        for lk in range(5, 0, -1)
    ]
    general = appetites.get((body.pk, None))
    by_category = sorted(
        (a.category.name, a.threshold)
        for a in RiskAppetite.objects.filter(body=body, category__isnull=False).select_related(
            "category"
        )
    )
    return {
        "kind": ReportKind.RISK_REGISTER.value,
        "partnership": body.partnership.name,
        "title": risk_register_title(body, period),
        "period": period.short_label,
        "audience": "members",
        # Never for the public: a register holds confidential risks.
        "has_unpublished": True,
        "body": body_facts(body),
        "bands": {
            "medium_from": bands.medium_from,
            "high_from": bands.high_from,
            "very_high_from": bands.very_high_from,
        },
        "appetite": {
            "general": general,
            "categories": [{"category": n, "threshold": t} for n, t in by_category],
        },
        "counts": [{"band": b.value, "label": b.label, "count": by_band[b]} for b in Band],
        "heat_map": heat,
        "impact_levels": [IMPACT_LEVELS[n].split(":")[0] for n in range(1, 6)],
        "risks": [_risk_facts(r, body, bands, appetites, accepted, reviews) for r in open_risks],
        "closed": [
            {
                "code": r.code,
                "title": r.title,
                "closed_on": long_date(r.closed_on),
                "reason": r.closure_reason,
            }
            for r in closed
        ],
    }


@transaction.atomic
def risk_register_build(*, body: Body, actor: Any = None, today: date | None = None) -> Report:
    """Build the body's register report for this quarter, or return the latest version if
    the register has not changed since. Idempotent; never approved or published."""
    today = today or timezone.localdate()
    lock_body(body)  # before reading: a slower build never stores an older register as newest
    facts = risk_register_facts(body=body, today=today)
    period = Quarter.of(today)
    report, _ = save_version(
        actor=actor,
        body=body,
        kind=ReportKind.RISK_REGISTER,
        year=period.year,
        quarter=period.number,
        title=facts["title"],
        facts=facts,
        # The day it was built is not its data: the same register another day is no new
        # version.
        stamp={"built_on": long_date(today)},
    )
    return report
