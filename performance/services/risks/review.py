"""Each quarter the risk owner (or the owning body's co-ordinators) reviews every open risk:
re-scores its residual likelihood and impact and says what changed, or confirms it unchanged.
The review is a row of its own; the new residual score is the risk's, in its history, and is
checked against the body's appetite at once."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from partnership.history import record_actor
from partnership.models import Body
from partnership.periods import Quarter
from performance.models import Risk, RiskControl, RiskReview, RiskStatus
from performance.permissions import can_review_risk
from performance.services.risks.escalation import risk_escalation_check

__all__ = ["risk_review", "risks_due_review"]

User = get_user_model()


def _score_error(value: Any) -> str | None:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
        return "Enter a whole number from 1 to 5"
    return None


@transaction.atomic
def risk_review(
    *,
    actor: Any,
    risk: Risk,
    period: Quarter,
    residual_likelihood: int | None = None,
    residual_impact: int | None = None,
    what_changed: str = "",
    unchanged: bool = False,
    controls: list[dict[str, Any]] | None = None,
) -> RiskReview:
    """Record the quarter's review. ``unchanged`` keeps the residual scores and needs no
    words; otherwise the new scores become the risk's and ``what_changed`` says why.
    ``controls`` is a list of changes to its controls, each ``{"control": c, **fields}``
    as ``control_update`` takes them."""
    from performance.services.risks.register import control_update

    risk = Risk.objects.select_for_update(of=("self",)).select_related("body").get(pk=risk.pk)
    if not risk.is_open:
        raise ValidationError("This risk is closed: it is no longer reviewed.")
    if actor is None or not can_review_risk(actor, risk):
        raise ValidationError("Only the risk owner or the body's co-ordinators review this risk.")
    if period.starts_on > timezone.localdate():
        raise ValidationError({"period": "A quarter still to come is not reviewed yet"})
    what_changed = what_changed.strip()
    if unchanged:
        residual_likelihood, residual_impact = risk.residual_likelihood, risk.residual_impact
    else:
        errors = {}
        for name, value in (
            ("residual_likelihood", residual_likelihood),
            ("residual_impact", residual_impact),
        ):
            if (message := _score_error(value)) is not None:
                errors[name] = message
        if not what_changed:
            errors["what_changed"] = "Say what changed since the last review"
        if errors:
            raise ValidationError(errors)
    for change in controls or []:
        change = dict(change)
        control = change.pop("control")
        if not isinstance(control, RiskControl) or control.risk_id != risk.pk:
            raise ValidationError({"controls": "Select controls of this risk"})
        control_update(actor=actor, control=control, **change)
    review = RiskReview.objects.create(
        risk=risk,
        year=period.year,
        quarter=period.number,
        reviewer=actor,
        unchanged=unchanged,
        residual_likelihood=residual_likelihood,
        residual_impact=residual_impact,
        what_changed=what_changed,
        reviewed_at=timezone.now(),
    )
    if not unchanged and (
        residual_likelihood != risk.residual_likelihood or residual_impact != risk.residual_impact
    ):
        risk.residual_likelihood, risk.residual_impact = residual_likelihood, residual_impact
        record_actor(risk, actor=actor, reason=f"Reviewed for {period.label}"[:100])
        risk.save(update_fields=["residual_likelihood", "residual_impact"])
    risk_escalation_check(risk=risk, actor=actor)
    return review


def risks_due_review(
    *, period: Quarter, body: Body | None = None, person: Any | None = None
) -> QuerySet[Risk]:
    """The open risks (of a body, or owned by a person) with no review for the quarter (or a
    later one: a review says how the risk stands now), among those that existed by its end."""
    if (body is None) == (person is None):
        raise TypeError("risks_due_review() takes a body or a person")
    risks = Risk.objects.filter(status=RiskStatus.OPEN, created_at__date__lte=period.ends_on)
    risks = risks.filter(body=body) if body is not None else risks.filter(owner=person)
    reviewed = RiskReview.objects.filter(
        Q(year__gt=period.year) | Q(year=period.year, quarter__gte=period.number)
    )
    return (
        risks.exclude(pk__in=reviewed.values("risk"))
        .select_related("body", "owner", "category")
        .order_by("body__name", "code")
    )
