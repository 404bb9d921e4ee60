"""Adding and changing an agreement with its rows, in one transaction (see the package's
docstring for how rows are matched to the lines they change)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from partnership.history import record_actor
from partnership.models import Body
from performance.models import (
    AgreementCostLine,
    AgreementReview,
    AgreementTarget,
    CommissioningAgreement,
)
from performance.services.agreements.rules import (
    AGREEMENT_FIELDS,
    check_agreement,
    decimal_or_none,
)

__all__ = ["agreement_create", "agreement_update"]


def _clean_rows(rows: Iterable[Mapping[str, Any]], fields: tuple[str, ...]) -> list[dict]:
    cleaned = []
    for row in rows:
        new = {"id": row.get("id") or None}
        for name in fields:
            value = row.get(name)
            if value is None and name in ("description", "link_to_outcomes"):
                value = ""
            new[name] = value.strip() if isinstance(value, str) else value
        cleaned.append(new)
    return cleaned


@transaction.atomic
def agreement_create(
    *,
    actor: Any,
    body: Body,
    cost_lines: Iterable[Mapping[str, Any]],
    targets: Iterable[Mapping[str, Any]],
    review_dates: Iterable[date | None],
    today: date | None = None,
    **fields: Any,
) -> CommissioningAgreement:
    """A new agreement commissioned by ``body``, with its Warrington fields (``fields``), its
    cost lines (``description``, ``amount``), targets (``description``, ``indicator``,
    ``link_to_outcomes``) and review dates."""
    agreement = CommissioningAgreement(partnership_id=body.partnership_id, commissioning_body=body)
    return _save_agreement(
        actor=actor,
        agreement=agreement,
        cost_lines=cost_lines,
        targets=targets,
        review_dates=review_dates,
        today=today,
        fields=fields,
    )


@transaction.atomic
def agreement_update(
    *,
    actor: Any,
    agreement: CommissioningAgreement,
    cost_lines: Iterable[Mapping[str, Any]] | None = None,
    targets: Iterable[Mapping[str, Any]] | None = None,
    review_dates: Iterable[date | None] | None = None,
    today: date | None = None,
    **fields: Any,
) -> CommissioningAgreement:
    """Change an agreement; a list left out (None) keeps its rows as they are. The review dates
    given are those not yet held: held reviews always stay."""
    agreement = (
        CommissioningAgreement.objects.select_for_update(of=("self",))
        .select_related("commissioning_body")
        .get(pk=agreement.pk)
    )
    if cost_lines is None:
        cost_lines = agreement.cost_lines.values("id", "description", "amount")
    if targets is None:
        targets = [
            {
                "id": t.pk,
                "description": t.description,
                "indicator": t.indicator,
                "link_to_outcomes": t.link_to_outcomes,
            }
            for t in agreement.targets.select_related("indicator")
        ]
    if review_dates is None:
        review_dates = agreement.reviews.filter(held_on__isnull=True).values_list(
            "due_on", flat=True
        )
    return _save_agreement(
        actor=actor,
        agreement=agreement,
        cost_lines=cost_lines,
        targets=targets,
        review_dates=review_dates,
        today=today,
        fields=fields,
    )


def _save_agreement(
    *,
    actor: Any,
    agreement: CommissioningAgreement,
    cost_lines,
    targets,
    review_dates,
    today: date | None,
    fields: dict[str, Any],
) -> CommissioningAgreement:
    today = today or timezone.localdate()
    changed = agreement.pk is None
    for name, value in fields.items():
        if name not in AGREEMENT_FIELDS:
            raise TypeError(f"agreement_update() got an unexpected field {name!r}")
        if name == "total_cost" and value is not None:
            value = decimal_or_none(value)
        value = value.strip() if isinstance(value, str) else value
        changed = changed or getattr(agreement, name) != value
        setattr(agreement, name, value)
    lines = _clean_rows(cost_lines, ("description", "amount"))
    for line in lines:
        line["amount"] = decimal_or_none(line["amount"])
    goals = _clean_rows(targets, ("description", "indicator", "link_to_outcomes"))
    dates = list(review_dates)
    held = []
    if agreement.pk is not None:
        held = list(
            agreement.reviews.filter(held_on__isnull=False).values_list("due_on", flat=True)
        )
    errors = check_agreement(
        agreement, lines=lines, targets=goals, dates=dates, held=held, today=today
    )
    if errors:
        raise ValidationError(errors)
    if changed:  # an unchanged agreement writes no empty history row
        creating = agreement.pk is None
        reason = "Agreement added" if creating else "Agreement changed"
        record_actor(agreement, actor=actor, reason=reason)
        try:
            with transaction.atomic():
                agreement.full_clean(validate_unique=False, validate_constraints=False)
                agreement.save()
        except IntegrityError as exc:
            raise ValidationError(
                {"reference": "Another agreement already has this reference"}
            ) from exc
    _save_lines(actor, agreement, lines)
    _save_targets(actor, agreement, goals)
    _save_reviews(actor, agreement, dates)
    return CommissioningAgreement.objects.get(pk=agreement.pk)


def _sync(actor: Any, existing: dict[int, Any], rows: list[dict], make, fields: tuple[str, ...]):
    """Change the rows that name an existing line, delete the lines no row names (first, so a
    unique value may pass from one line to another), then add the rest."""
    kept = {row["id"] for row in rows if row["id"] in existing}
    for pk, obj in existing.items():
        if pk not in kept:
            record_actor(obj, actor=actor, reason="Removed")
            obj.delete()
    for position, row in enumerate(rows):
        obj = existing.get(row["id"]) if row["id"] in kept else None
        if obj is None:
            obj = make()
        elif all(getattr(obj, f) == row[f] for f in fields) and obj.position == position:
            continue  # unchanged: no history row
        for name in fields:
            setattr(obj, name, row[name])
        obj.position = position
        record_actor(obj, actor=actor, reason="Added" if obj.pk is None else "Changed")
        obj.save()


def _own_ids(existing: dict[int, Any], rows: list[dict]) -> None:
    """A row changes the line its id names only if that line is this agreement's and no row
    before it named it: any other id (another agreement's line, one gone, or one sent twice)
    is dropped and the row added as a new line. So every row is a line of its own and what is
    saved is what was checked (two rows naming one line would otherwise save only the last)."""
    claimed: set[int] = set()
    for row in rows:
        if row["id"] not in existing or row["id"] in claimed:
            row["id"] = None
        else:
            claimed.add(row["id"])


def _save_lines(actor: Any, agreement: CommissioningAgreement, lines: list[dict]) -> None:
    existing = {line.pk: line for line in agreement.cost_lines.all()}
    _own_ids(existing, lines)
    # A row with no id whose description matches a line left unnamed keeps that line.
    _match_unnamed(existing, lines, key="description")
    _sync(
        actor,
        existing,
        lines,
        lambda: AgreementCostLine(agreement=agreement),
        ("description", "amount"),
    )


def _save_targets(actor: Any, agreement: CommissioningAgreement, goals: list[dict]) -> None:
    existing = {t.pk: t for t in agreement.targets.all()}
    # An indicator measures one target of an agreement: a row naming the indicator of an
    # existing target is that target, whatever id it carries. Matched before the ids, so a
    # target kept by its id never takes an indicator another kept target still holds (saved
    # one at a time, they would break the one-target-per-indicator constraint on the way).
    holders = {t.indicator_id: pk for pk, t in existing.items()}
    by_indicator = set()
    for row in goals:
        pk = holders.get(row["indicator"].pk) if row["indicator"] is not None else None
        if pk is not None and pk not in by_indicator:
            row["id"], row["by_indicator"] = pk, True
            by_indicator.add(pk)
    for row in goals:
        if not row.pop("by_indicator", False) and row["id"] in by_indicator:
            row["id"] = None
    _own_ids(existing, goals)
    _sync(
        actor,
        existing,
        goals,
        lambda: AgreementTarget(agreement=agreement),
        ("description", "indicator", "link_to_outcomes"),
    )


def _match_unnamed(existing, rows, *, key: str, attr: str | None = None, value=lambda v: v):
    named = {row["id"] for row in rows if row["id"] in existing}
    free = {getattr(obj, attr or key): pk for pk, obj in existing.items() if pk not in named}
    for row in rows:
        if row["id"] in existing or row[key] is None:
            continue
        pk = free.pop(value(row[key]), None)
        if pk is not None:
            row["id"] = pk


def _save_reviews(actor: Any, agreement: CommissioningAgreement, dates: list[date]) -> None:
    pending = {r.due_on: r for r in agreement.reviews.filter(held_on__isnull=True)}
    for day, review in pending.items():
        if day not in dates:
            record_actor(review, actor=actor, reason="Review date removed")
            review.delete()
    for day in dates:
        if day not in pending:
            review = AgreementReview(agreement=agreement, due_on=day)
            record_actor(review, actor=actor, reason="Review date added")
            review.save()
