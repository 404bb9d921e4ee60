"""Setting up performance management: outcomes and their delivery plans, indicators, targets
and each quarter's deadline for returns. Every write names its actor for the history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from partnership.history import record_actor
from partnership.models import Body, Partnership
from partnership.periods import Quarter
from performance.models import (
    WHOLE_YEAR,
    ActionStatus,
    Indicator,
    Outcome,
    PlanAction,
    ReturnDeadline,
    Target,
)
from performance.rules import check_value


def _save(obj: Any, *, actor: Any, reason: str = "", unique: dict[str, str] | None = None):
    """Validate against the model's own rules and save; a duplicate code (caught by the
    database in a race too) is an error on the code field."""
    record_actor(obj, actor=actor, reason=reason)
    try:
        with transaction.atomic():
            obj.full_clean(validate_unique=False, validate_constraints=False)
            obj.save()
    except IntegrityError as exc:
        raise ValidationError(unique or {"__all__": "This would duplicate a record."}) from exc
    return obj


def _check_body(partnership: Partnership, body: Body) -> None:
    if body.partnership_id != partnership.pk:
        raise ValidationError({"body": "Select a body of this partnership"})


# --- outcomes and delivery plans ---------------------------------------------------------------

OUTCOME_FIELDS = {"body", "code", "title", "kind", "description", "closed_on"}


def _check_outcome_code(outcome: Outcome) -> None:
    clash = Outcome.objects.filter(
        partnership_id=outcome.partnership_id, code__iexact=outcome.code
    ).exclude(pk=outcome.pk)
    if clash.exists():
        raise ValidationError({"code": f"Another outcome already has the code {outcome.code}"})


@transaction.atomic
def outcome_create(*, actor: Any, partnership: Partnership, **fields: Any) -> Outcome:
    outcome = Outcome(partnership=partnership)
    return outcome_update(actor=actor, outcome=outcome, **fields)


@transaction.atomic
def outcome_update(*, actor: Any, outcome: Outcome, **fields: Any) -> Outcome:
    for name, value in fields.items():
        if name not in OUTCOME_FIELDS:
            raise TypeError(f"outcome_update() got an unexpected field {name!r}")
        setattr(outcome, name, value.strip() if isinstance(value, str) else value)
    _check_body(outcome.partnership, outcome.body)
    _check_outcome_code(outcome)
    return _save(outcome, actor=actor, unique={"code": "Another outcome already has this code"})


ACTION_FIELDS = {
    "title",
    "organisation",
    "lead",
    "starts_on",
    "due_on",
    "status",
    "completed_on",
    "progress",
}


@transaction.atomic
def plan_action_create(*, actor: Any, outcome: Outcome, **fields: Any) -> PlanAction:
    return plan_action_update(actor=actor, action=PlanAction(outcome=outcome), **fields)


@transaction.atomic
def plan_action_update(*, actor: Any, action: PlanAction, **fields: Any) -> PlanAction:
    for name, value in fields.items():
        if name not in ACTION_FIELDS:
            raise TypeError(f"plan_action_update() got an unexpected field {name!r}")
        setattr(action, name, value.strip() if isinstance(value, str) else value)
    errors = {}
    if action.organisation.partnership_id != action.outcome.partnership_id:
        errors["organisation"] = "Select a partner organisation of this partnership"
    if action.starts_on and action.due_on < action.starts_on:
        errors["due_on"] = "The due date must be on or after the start date"
    if action.status == ActionStatus.COMPLETE and action.completed_on is None:
        errors["completed_on"] = "Enter the date the action was completed"
    if action.status != ActionStatus.COMPLETE:
        action.completed_on = None
    if errors:
        raise ValidationError(errors)
    return _save(action, actor=actor)


# --- indicators -------------------------------------------------------------------------------

INDICATOR_FIELDS = {
    "body",
    "outcome",
    "code",
    "title",
    "definition",
    "unit",
    "polarity",
    "baseline_value",
    "baseline_period",
    "data_source",
    "lead",
    "frequency",
    "target_kind",
    "decimal_places",
    "tolerance_kind",
    "tolerance",
    "travel_margin",
    "published",
    "retired_on",
}


def _check_indicator(indicator: Indicator) -> None:
    errors = {}
    if indicator.body.partnership_id != indicator.partnership_id:
        errors["body"] = "Select a body of this partnership"
    if indicator.outcome_id and indicator.outcome.partnership_id != indicator.partnership_id:
        errors["outcome"] = "Select an outcome of this partnership"
    clash = Indicator.objects.filter(
        partnership_id=indicator.partnership_id, code__iexact=indicator.code
    ).exclude(pk=indicator.pk)
    if clash.exists():
        errors["code"] = f"Another indicator already has the code {indicator.code}"
    if indicator.baseline_value is not None:
        try:
            check_value(indicator, indicator.baseline_value)
        except ValidationError as error:
            errors["baseline_value"] = error.messages[0]
    if indicator.baseline_period:
        try:
            Quarter.parse(indicator.baseline_period)
        except ValueError:
            # A year on its own ("2024/25") is a period too.
            try:
                Quarter.parse(f"{indicator.baseline_period} Q4")
            except ValueError:
                errors["baseline_period"] = (
                    "Enter the baseline period as a financial year or quarter, like 2024/25 "
                    "or 2024/25 Q4"
                )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def indicator_create(*, actor: Any, partnership: Partnership, **fields: Any) -> Indicator:
    return indicator_update(actor=actor, indicator=Indicator(partnership=partnership), **fields)


@transaction.atomic
def indicator_update(
    *, actor: Any, indicator: Indicator, reason: str = "", **fields: Any
) -> Indicator:
    """Create or change an indicator. A changed tolerance is kept in its history, and returns
    already submitted keep the RAG they were given."""
    for name, value in fields.items():
        if name not in INDICATOR_FIELDS:
            raise TypeError(f"indicator_update() got an unexpected field {name!r}")
        setattr(indicator, name, value.strip() if isinstance(value, str) else value)
    _check_indicator(indicator)
    return _save(
        indicator,
        actor=actor,
        reason=reason,
        unique={"code": "Another indicator already has this code"},
    )


@transaction.atomic
def target_set(
    *,
    actor: Any,
    indicator: Indicator,
    year: int,
    quarter: int = WHOLE_YEAR,
    value: Decimal | None,
    reason: str = "",
) -> Target | None:
    """Set (or with ``value=None`` remove) the target for a year (quarter 0) or a quarter.
    The old value stays in the target's history."""
    if quarter not in (WHOLE_YEAR, 1, 2, 3, 4):
        raise ValidationError({"quarter": "Select the whole year or a quarter"})
    target = (
        Target.objects.select_for_update()
        .filter(indicator=indicator, year=year, quarter=quarter)
        .first()
    )
    if value is None:
        if target is not None:
            record_actor(target, actor=actor, reason=reason or "Target removed")
            target.delete()
        return None
    try:
        check_value(indicator, value)
    except ValidationError as error:
        raise ValidationError({"value": error.messages}) from error
    if target is None:
        target = Target(indicator=indicator, year=year, quarter=quarter)
    elif target.value == value:
        return target
    target.value = value
    return _save(target, actor=actor, reason=reason)


@transaction.atomic
def targets_set(
    *, actor: Any, indicator: Indicator, year: int, values: dict[int, Decimal | None]
) -> list[Target]:
    """Set a year's targets at once: ``values`` maps quarter (0 for the whole year) to value."""
    errors = {}
    for quarter, value in values.items():
        if value is None:
            continue
        try:
            check_value(indicator, value)
        except ValidationError as error:
            errors[f"q{quarter}" if quarter else "year"] = error.messages
    if errors:
        raise ValidationError(errors)
    kept = []
    for quarter, value in sorted(values.items()):
        target = target_set(
            actor=actor, indicator=indicator, year=year, quarter=quarter, value=value
        )
        if target is not None:
            kept.append(target)
    return kept


@transaction.atomic
def deadline_set(*, actor: Any, body: Body, period: Quarter, due_on: date) -> ReturnDeadline:
    """Set when a body's returns for ``period`` are due: after the quarter has ended."""
    if due_on <= period.ends_on:
        raise ValidationError(
            {"due_on": f"The deadline must be after the quarter ends on {period.ends_on:%-d %B %Y}"}
        )
    deadline = (
        ReturnDeadline.objects.select_for_update()
        .filter(body=body, year=period.year, quarter=period.number)
        .first()
    ) or ReturnDeadline(body=body, year=period.year, quarter=period.number)
    deadline.due_on = due_on
    return _save(deadline, actor=actor)
