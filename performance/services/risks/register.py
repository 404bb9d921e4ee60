"""The register: a partnership's categories and rating bands, its risks and their controls.
Every write names its actor for the history; each rule broken is a ValidationError keyed by the
field it concerns. A risk's score changing is checked against its body's appetite at once
(``risk_escalation_check``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from membership.models import Membership
from partnership.history import record_actor
from partnership.models import Body, Partnership
from performance.models import (
    DEFAULT_CATEGORIES,
    ControlStatus,
    Risk,
    RiskCategory,
    RiskControl,
    RiskSettings,
    RiskStatus,
)
from performance.selectors.risks import Band, band_of, risk_settings_of
from performance.services.risks.escalation import risk_escalation_check
from performance.services.setup import _save  # validated by the model, then saved

__all__ = [
    "BAND_LABELS",
    "control_add",
    "control_update",
    "risk_band",
    "risk_band_label",
    "risk_bands",
    "risk_categories",
    "risk_category_add",
    "risk_close",
    "risk_create",
    "risk_reopen",
    "risk_settings_update",
    "risk_update",
]

SCORE_FIELDS = (
    "inherent_likelihood",
    "inherent_impact",
    "residual_likelihood",
    "residual_impact",
    "target_likelihood",
    "target_impact",
)


# --- categories ---------------------------------------------------------------------------------


def risk_categories(partnership: Partnership) -> list[RiskCategory]:
    """The partnership's categories, by name: the defaults are created the first time."""
    categories = list(RiskCategory.objects.filter(partnership=partnership))
    if not categories:
        RiskCategory.objects.bulk_create(
            [RiskCategory(partnership=partnership, name=name) for name in DEFAULT_CATEGORIES],
            ignore_conflicts=True,
        )
        categories = list(RiskCategory.objects.filter(partnership=partnership))
    return categories


@transaction.atomic
def risk_category_add(*, actor: Any, partnership: Partnership, name: str) -> RiskCategory:
    risk_categories(partnership)
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Enter the category's name"})
    if RiskCategory.objects.filter(partnership=partnership, name__iexact=name).exists():
        raise ValidationError({"name": f"There is already a category called {name}"})
    category = RiskCategory(partnership=partnership, name=name)
    return _save(category, actor=actor, unique={"name": "There is already a category so named"})


# --- rating bands -------------------------------------------------------------------------------

# The bands are decided once, in the selectors (``band_of``, ``risk_settings_of``): these
# name them for callers of the services.
BAND_LABELS = dict(Band.choices)


def risk_bands(partnership: Partnership) -> RiskSettings:
    """The partnership's settings, or the defaults (unsaved) when it has set none. Load once
    and pass to ``risk_band`` for a page of many risks."""
    return risk_settings_of(partnership)


def risk_band(partnership: Partnership, score: int, *, bands: RiskSettings | None = None) -> str:
    """The band a score (likelihood × impact) falls in: "low", "medium", "high" or
    "very_high" (``BAND_LABELS`` names them)."""
    return band_of(bands or risk_settings_of(partnership), score).value


def risk_band_label(partnership: Partnership, score: int, **kwargs: Any) -> str:
    return BAND_LABELS[risk_band(partnership, score, **kwargs)]


@transaction.atomic
def risk_settings_update(*, actor: Any, partnership: Partnership, **fields: Any) -> RiskSettings:
    allowed = {"medium_from", "high_from", "very_high_from", "publish_summary"}
    settings = RiskSettings.objects.select_for_update().filter(
        partnership=partnership
    ).first() or RiskSettings(partnership=partnership)
    for name, value in fields.items():
        if name not in allowed:
            raise TypeError(f"risk_settings_update() got an unexpected field {name!r}")
        setattr(settings, name, value)
    errors = {}
    for name in ("medium_from", "high_from", "very_high_from"):
        value = getattr(settings, name)
        if not isinstance(value, int) or isinstance(value, bool) or not 2 <= value <= 25:
            errors[name] = "Enter a whole number from 2 to 25"
    if not errors:
        if settings.high_from <= settings.medium_from:
            errors["high_from"] = "The high band must start above the medium band"
        if settings.very_high_from <= settings.high_from:
            errors["very_high_from"] = "The very high band must start above the high band"
    if errors:
        raise ValidationError(errors)
    return _save(settings, actor=actor, reason="Rating bands changed")


# --- risks --------------------------------------------------------------------------------------

RISK_FIELDS = {
    "code",
    "title",
    "description",
    "cause",
    "effect",
    "category",
    "owner",
    "owner_organisation",
    "confidential",
    *SCORE_FIELDS,
}
LINK_FIELDS = {"outcomes", "indicators", "actions"}


def _check_scores(risk: Risk, errors: dict[str, str]) -> None:
    for name in SCORE_FIELDS:
        value = getattr(risk, name)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
            errors[name] = "Enter a whole number from 1 to 5"
    for part in ("likelihood", "impact"):
        target, inherent = f"target_{part}", f"inherent_{part}"
        if target in errors or inherent in errors:
            continue
        if getattr(risk, target) > getattr(risk, inherent):
            errors[target] = f"The target {part} cannot be worse than the inherent {part}"


def _check_owner(risk: Risk, errors: dict[str, str]) -> None:
    """The owner is a person from a member organisation: the organisation is the
    partnership's, and the person currently sits in the partnership for it."""
    organisation = risk.owner_organisation
    if organisation.partnership_id != risk.partnership_id:
        errors["owner_organisation"] = "Select a partner organisation of this partnership"
        return
    sits = (
        Membership.objects.current()
        .filter(
            person_id=risk.owner_id,
            organisation=organisation,
            body__partnership_id=risk.partnership_id,
        )
        .exists()
    )
    if not sits:
        errors["owner"] = (
            f"Select a person who currently represents {organisation.name} in this partnership"
        )


def _check_risk(risk: Risk) -> None:
    errors: dict[str, str] = {}
    if risk.body.partnership_id != risk.partnership_id:
        errors["body"] = "Select a body of this partnership"
    if risk.category_id is None:
        errors["category"] = "Select a category"
    elif risk.category.partnership_id != risk.partnership_id:
        errors["category"] = "Select a category of this partnership"
    if not risk.code:
        errors["code"] = "Enter a reference"
    elif (
        Risk.objects.filter(partnership_id=risk.partnership_id, code__iexact=risk.code)
        .exclude(pk=risk.pk)
        .exists()
    ):
        errors["code"] = f"Another risk already has the reference {risk.code}"
    if not risk.title:
        errors["title"] = "Enter the risk's title"
    if risk.owner_id is None or risk.owner_organisation_id is None:
        errors["owner"] = "Select the risk owner and their organisation"
    else:
        _check_owner(risk, errors)
    _check_scores(risk, errors)
    if errors:
        raise ValidationError(errors)


def _check_links(partnership_id: int, links: dict[str, Any]) -> None:
    errors = {}
    for name, chosen in links.items():
        for obj in chosen:
            owner = obj.outcome.partnership_id if name == "actions" else obj.partnership_id
            if owner != partnership_id:
                errors[name] = "Select from this partnership"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def risk_create(*, actor: Any, body: Body, **fields: Any) -> Risk:
    """A new risk on the body's register. Every field of the register may be given, and the
    links (``outcomes``, ``indicators``, ``actions``) as lists."""
    risk = Risk(partnership=body.partnership, body=body)
    return risk_update(actor=actor, risk=risk, reason="Risk added", **fields)


@transaction.atomic
def risk_update(*, actor: Any, risk: Risk, reason: str = "", **fields: Any) -> Risk:
    """Change a risk (its owning body too, with ``body``); the history records ``reason``."""
    if risk.pk is not None:
        risk = Risk.objects.select_for_update(of=("self",)).get(pk=risk.pk)
    links = {name: list(fields.pop(name)) for name in list(fields) if name in LINK_FIELDS}
    for name, value in fields.items():
        if name not in RISK_FIELDS | {"body"}:
            raise TypeError(f"risk_update() got an unexpected field {name!r}")
        setattr(risk, name, value.strip() if isinstance(value, str) else value)
    _check_risk(risk)
    _check_links(risk.partnership_id, links)
    _save(
        risk,
        actor=actor,
        reason=(reason or "Risk changed")[:100],
        unique={"code": "Another risk already has this reference"},
    )
    for name, chosen in links.items():
        getattr(risk, name).set(chosen)
    risk_escalation_check(risk=risk, actor=actor)
    return Risk.objects.get(pk=risk.pk)


@transaction.atomic
def risk_close(*, actor: Any, risk: Risk, reason: str, today: date | None = None) -> Risk:
    """Close a risk with a reason: it stays on the register, readable, and leaves any
    escalation."""
    risk = Risk.objects.select_for_update(of=("self",)).get(pk=risk.pk)
    if not risk.is_open:
        raise ValidationError("This risk is already closed.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the risk is closed"})
    risk.status = RiskStatus.CLOSED
    risk.closed_on = today or timezone.localdate()
    risk.closure_reason = reason
    record_actor(risk, actor=actor, reason="Risk closed")
    risk.save(update_fields=["status", "closed_on", "closure_reason"])
    risk_escalation_check(risk=risk, actor=actor)
    return Risk.objects.get(pk=risk.pk)


@transaction.atomic
def risk_reopen(*, actor: Any, risk: Risk, reason: str) -> Risk:
    risk = Risk.objects.select_for_update(of=("self",)).get(pk=risk.pk)
    if risk.is_open:
        raise ValidationError("This risk is open.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the risk is reopened"})
    risk.status, risk.closed_on = RiskStatus.OPEN, None
    record_actor(risk, actor=actor, reason=f"Reopened: {reason}"[:100])
    risk.save(update_fields=["status", "closed_on"])
    risk_escalation_check(risk=risk, actor=actor)
    return Risk.objects.get(pk=risk.pk)


# --- controls -----------------------------------------------------------------------------------

CONTROL_FIELDS = {"description", "owner", "due_on", "status", "effectiveness", "done_on"}


@transaction.atomic
def control_add(*, actor: Any, risk: Risk, **fields: Any) -> RiskControl:
    if not risk.is_open:
        raise ValidationError("This risk is closed: its controls no longer change.")
    return control_update(actor=actor, control=RiskControl(risk=risk), **fields)


@transaction.atomic
def control_update(*, actor: Any, control: RiskControl, **fields: Any) -> RiskControl:
    """Change a control: an owner, a due date, how far along it is and how well it works. A
    control in place says since when."""
    for name, value in fields.items():
        if name not in CONTROL_FIELDS:
            raise TypeError(f"control_update() got an unexpected field {name!r}")
        setattr(control, name, value.strip() if isinstance(value, str) else value)
    errors = {}
    if not control.description:
        errors["description"] = "Describe the control"
    if control.due_on is None:
        errors["due_on"] = "Enter the due date"
    if control.status == ControlStatus.IN_PLACE:
        if control.done_on is None:
            errors["done_on"] = "Enter the date the control was put in place"
        elif control.done_on > timezone.localdate():
            errors["done_on"] = "The date it was put in place cannot be in the future"
    else:
        control.done_on = None
    if errors:
        raise ValidationError(errors)
    reason = "Control added" if control.pk is None else "Control changed"
    return _save(control, actor=actor, reason=reason)
