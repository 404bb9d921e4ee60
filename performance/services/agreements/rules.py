"""The rules an agreement keeps, each broken rule an error keyed by what it concerns (see the
package's docstring)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from membership.models import Appointment, Membership
from partnership.models import Body
from performance.models import CommissioningAgreement, Indicator

__all__ = [
    "AGREEMENT_FIELDS",
    "REQUIRED_MESSAGES",
    "bodies_under",
    "check_agreement",
    "decimal_or_none",
    "money",
]

# Warrington's minimum content: every one must be filled in, each with its own message.
MAX_ROWS_A_LIST = 150

REQUIRED_MESSAGES = {
    "reference": "Enter a reference",
    "title": "Enter the agreement's title",
    "provider": "Select the provider",
    "purpose": "Enter the purpose of the agreement",
    "starts_on": "Enter the start date",
    "ends_on": "Enter the end date",
    "supervisor": "Select the supervising person",
    "provider_representative": "Enter the provider's representative",
    "provider_representative_email": "Enter the representative's e-mail address",
    "partnership_obligations": "Enter the commissioning body's obligations",
    "provider_obligations": "Enter the provider's obligations",
    "service_specification": "Enter the service specification",
    "target_user_group": "Enter the target user group",
    "sustainability_plan": "Enter the sustainability plan",
    "risk_assessment": "Enter the risk assessment",
    "potential_savings": "Enter the potential savings",
    "equality_statement": "Enter the equality and diversity statement",
    "community_engagement": "Enter the community engagement statement",
    "total_cost": "Enter the total cost",
    "monitoring_arrangements": "Enter the performance monitoring arrangements",
    "default_terms": "Enter what happens on default",
    "arbitration_terms": "Enter the arbitration terms",
}
AGREEMENT_FIELDS = frozenset(REQUIRED_MESSAGES) | {"key_partnership"}
RELATIONS = {"provider", "supervisor", "key_partnership"}


def money(value: Decimal) -> str:
    """£1,234.50: how every page and message writes an amount."""
    return f"£{value:,.2f}"


def bodies_under(body: Body) -> set[int]:
    """The body and every body below it (one query)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in Body.objects.filter(partnership_id=body.partnership_id).values_list(
        "pk", "parent_id"
    ):
        children.setdefault(parent, []).append(pk)
    found, stack = set(), [body.pk]
    while stack:
        pk = stack.pop()
        if pk not in found:
            found.add(pk)
            stack.extend(children.get(pk, []))
    return found


def decimal_or_none(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


# --- checking -----------------------------------------------------------------------------------


def _check_fields(agreement: CommissioningAgreement, errors: dict[str, Any]) -> None:
    for name, message in REQUIRED_MESSAGES.items():
        value = getattr(agreement, f"{name}_id" if name in RELATIONS else name)
        if value is None or (isinstance(value, str) and not value.strip()):
            errors[name] = message
    partnership_id = agreement.partnership_id
    if agreement.starts_on and agreement.ends_on and agreement.ends_on <= agreement.starts_on:
        errors["ends_on"] = "The end date must be after the start date"
    if agreement.total_cost is not None and agreement.total_cost < 0:
        errors["total_cost"] = "The total cost cannot be less than £0"
    if agreement.provider_id and agreement.provider.partnership_id != partnership_id:
        errors["provider"] = "Select an organisation of this partnership"
    if agreement.supervisor_id:
        # Someone with a place in the partnership: a seat on a body, or an officer's post.
        person = agreement.supervisor_id
        sits = (
            Membership.objects.current()
            .filter(person_id=person, body__partnership_id=partnership_id)
            .exists()
            or Appointment.objects.current()
            .filter(person_id=person, partnership_id=partnership_id)
            .exists()
        )
        if not sits:
            errors["supervisor"] = "Select someone with a place in this partnership"
    if agreement.key_partnership_id and agreement.key_partnership.partnership_id != partnership_id:
        errors["key_partnership"] = "Select a key partnership of this partnership"
    if agreement.reference:
        clash = CommissioningAgreement.objects.filter(
            partnership_id=partnership_id, reference__iexact=agreement.reference
        ).exclude(pk=agreement.pk)
        if clash.exists():
            errors["reference"] = (
                f"Another agreement already has the reference {agreement.reference}"
            )


def _check_cost_lines(
    agreement: CommissioningAgreement, lines: list[dict[str, Any]], errors: dict[str, Any]
) -> None:
    if not lines:
        errors["cost_lines"] = "Add at least one cost line"
        return
    total, complete = Decimal(0), True
    for i, line in enumerate(lines):
        if not line["description"]:
            errors[f"cost_lines.{i}.description"] = f"Describe cost line {i + 1}"
        if line["amount"] is None:
            errors[f"cost_lines.{i}.amount"] = f"Enter the amount of cost line {i + 1}"
            complete = False
        elif line["amount"] < 0:
            errors[f"cost_lines.{i}.amount"] = f"The amount of cost line {i + 1} cannot be below £0"
            complete = False
        else:
            total += line["amount"]
    checkable = complete and agreement.total_cost is not None and "total_cost" not in errors
    if checkable and total != agreement.total_cost:
        errors["total_cost"] = (
            f"The cost lines add up to {money(total)}, not {money(agreement.total_cost)}"
        )


def _check_targets(
    agreement: CommissioningAgreement,
    targets: list[dict[str, Any]],
    errors: dict[str, Any],
    today: date,
) -> None:
    if not targets:
        errors["targets"] = "Add at least one target"
        return
    allowed = bodies_under(agreement.commissioning_body)
    seen: set[int] = set()
    for i, target in enumerate(targets):
        if not target["description"]:
            errors[f"targets.{i}.description"] = f"Describe target {i + 1}"
        indicator: Indicator | None = target["indicator"]
        key = f"targets.{i}.indicator"
        if indicator is None:
            errors[key] = f"Select the indicator that measures target {i + 1}"
        elif (
            indicator.partnership_id != agreement.partnership_id or indicator.body_id not in allowed
        ):
            errors[key] = (
                f"Select an indicator of the {agreement.commissioning_body.name} or a body below it"
            )
        elif indicator.retired_on is not None and indicator.retired_on <= today:
            errors[key] = f"{indicator.code} is retired: select an indicator still in use"
        elif indicator.pk in seen:
            errors[key] = f"{indicator.code} already measures another target"
        else:
            seen.add(indicator.pk)


def _check_review_dates(
    agreement: CommissioningAgreement,
    dates: list[date | None],
    held: list[date],
    errors: dict[str, Any],
) -> None:
    if not dates and not held:
        errors["review_dates"] = "Add at least one review date"
        return
    seen = set(held)
    start, end = agreement.starts_on, agreement.ends_on
    for i, day in enumerate(dates):
        key = f"review_dates.{i}"
        if day is None:
            errors[key] = f"Enter review date {i + 1}"
        elif start and end and not start <= day <= end:
            errors[key] = f"Review date {i + 1} must be within the agreement's period"
        elif day in seen:
            errors[key] = f"Review date {i + 1} is given twice"
        else:
            seen.add(day)


def check_agreement(
    agreement: CommissioningAgreement,
    *,
    lines: list[dict[str, Any]],
    targets: list[dict[str, Any]],
    dates: list[date | None],
    held: list[date],
    today: date,
) -> dict[str, Any]:
    """Every rule the agreement and its rows break, by key; empty when it keeps them all."""
    errors: dict[str, Any] = {}
    # Rows a list may hold: the edit form offers them back with a few blank ones, and takes
    # at most 200 rows a list (performance.forms.agreements.MAX_ROWS).
    for key, rows, noun in (
        ("cost_lines", lines, "cost lines"),
        ("targets", targets, "targets"),
        ("review_dates", dates, "review dates"),
    ):
        if len(rows) > MAX_ROWS_A_LIST:
            errors[key] = f"An agreement holds at most {MAX_ROWS_A_LIST} {noun}"
    _check_fields(agreement, errors)
    _check_cost_lines(agreement, lines, errors)
    _check_targets(agreement, targets, errors, today)
    _check_review_dates(agreement, dates, held, errors)
    return errors
