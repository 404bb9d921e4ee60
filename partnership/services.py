"""Writes to the structure: organisations and bodies. Each is one transaction and records
who made the change in the object's history."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from partnership.history import record_actor
from partnership.models import (
    Body,
    BodyEvent,
    BodyKind,
    ChangeKind,
    EventRole,
    Organisation,
    Partnership,
    StructureChange,
)


def _unique_slug(*, partnership: Partnership, name: str, exclude_pk: int | None = None) -> str:
    base = slugify(name)[:70] or "body"
    taken = set(
        Body.objects.filter(partnership=partnership, slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _save(obj: Any, *, unique_message: dict[str, str], update_fields: list[str] | None = None):
    """Save, refusing a duplicate name with an error on the name field. A race between two
    requests is caught by the unique constraint and reported the same way."""
    duplicate = (
        type(obj)
        ._default_manager.filter(partnership_id=obj.partnership_id, name__iexact=obj.name)
        .exclude(pk=obj.pk)
    )
    if duplicate.exists():
        raise ValidationError(unique_message)
    try:
        with transaction.atomic():
            obj.full_clean(exclude=["slug"] if isinstance(obj, Body) else None)
            obj.save(update_fields=update_fields)
    except IntegrityError as exc:
        raise ValidationError(unique_message) from exc


# --- organisations ---------------------------------------------------------------------------


@transaction.atomic
def organisation_create(
    *,
    actor: Any,
    partnership: Partnership,
    name: str,
    sector: str,
    statutory_partner: bool = False,
    website: str = "",
) -> Organisation:
    organisation = Organisation(
        partnership=partnership,
        name=name.strip(),
        sector=sector,
        statutory_partner=statutory_partner,
        website=website,
    )
    record_actor(organisation, actor=actor)
    _save(organisation, unique_message={"name": "An organisation with this name already exists."})
    return organisation


@transaction.atomic
def organisation_update(*, actor: Any, organisation: Organisation, **fields: Any) -> Organisation:
    allowed = {"name", "sector", "statutory_partner", "website"}
    for name, value in fields.items():
        if name not in allowed:
            raise TypeError(f"organisation_update() got an unexpected field {name!r}")
        setattr(organisation, name, value)
    record_actor(organisation, actor=actor)
    _save(organisation, unique_message={"name": "An organisation with this name already exists."})
    return organisation


# --- bodies ----------------------------------------------------------------------------------


def _lock_structure(partnership_id: int) -> None:
    """Serialise changes to one partnership's tree: two re-parentings checked at once could
    otherwise each pass the cycle check and together make a cycle."""
    Partnership.objects.select_for_update().filter(pk=partnership_id).first()


def _check_parent(*, body: Body, parent: Body | None) -> None:
    """A body reports to an open body of the same partnership, and never to one below itself."""
    if parent is None:
        return
    if parent.partnership_id != body.partnership_id:
        raise ValidationError({"parent": "Choose a body in the same partnership."})
    if parent.closed_on is not None:
        raise ValidationError({"parent": f"{parent} is closed: choose an open body."})
    if body.pk is None:
        return
    ancestors = dict(
        Body.objects.filter(partnership_id=body.partnership_id).values_list("id", "parent_id")
    )
    current: int | None = parent.pk
    while current is not None:
        if current == body.pk:
            raise ValidationError(
                {"parent": f"{body} cannot report to {parent}, which reports to it."}
            )
        current = ancestors.get(current)


def _check_dates(body: Body) -> None:
    if body.kind == BodyKind.TASK_AND_FINISH and body.ends_on is None:
        raise ValidationError({"ends_on": "Enter the date the task-and-finish group will end."})
    if body.ends_on and body.established_on and body.ends_on <= body.established_on:
        raise ValidationError({"ends_on": "The planned end date must be after it is established."})
    if body.shadow_until and body.established_on and body.shadow_until <= body.established_on:
        raise ValidationError(
            {"shadow_until": "A shadow body takes over after the date it is established."}
        )


@transaction.atomic
def body_create(
    *,
    actor: Any,
    partnership: Partnership,
    name: str,
    kind: str,
    parent: Body | None = None,
    remit: str = "",
    terms_of_reference: str = "",
    established_on: date | None = None,
    ends_on: date | None = None,
    meetings_a_year: int | None = None,
    chair_from_outside: bool = False,
    chair_sector: str = "",
    sub_groups_need_approval: bool = False,
    shadow_until: date | None = None,
) -> Body:
    _lock_structure(partnership.pk)
    if parent is not None:
        parent = Body.objects.get(pk=parent.pk)
    body = Body(
        partnership=partnership,
        parent=parent,
        name=name.strip(),
        kind=kind,
        remit=remit,
        terms_of_reference=terms_of_reference,
        established_on=established_on,
        ends_on=ends_on,
        meetings_a_year=meetings_a_year,
        chair_from_outside=chair_from_outside,
        chair_sector=chair_sector,
        sub_groups_need_approval=sub_groups_need_approval,
        shadow_until=shadow_until,
    )
    _check_parent(body=body, parent=parent)
    _check_dates(body)
    body.slug = _unique_slug(partnership=partnership, name=body.name)
    record_actor(body, actor=actor)
    _save(body, unique_message={"name": "A body with this name already exists."})
    return body


BODY_EDITABLE = {
    "name",
    "kind",
    "parent",
    "remit",
    "terms_of_reference",
    "established_on",
    "ends_on",
    "meetings_a_year",
    "chair_from_outside",
    "chair_sector",
    "sub_groups_need_approval",
    "shadow_until",
}


@transaction.atomic
def body_update(
    *, actor: Any, body: Body, reason: str = "", effective_on: date | None = None, **fields: Any
) -> Body:
    """Edit a body, re-parenting it when ``parent`` changes. The slug never changes, so
    published links keep working after a rename. A new name or remit is a step in the
    partnership's structure (issue 16): it is recorded as a ``StructureChange`` taking effect
    on ``effective_on`` (today unless given), with the old and new name and remit."""
    if effective_on is not None and effective_on > timezone.localdate():
        raise ValidationError(
            {
                "effective_on": "A rename or new remit takes effect on the day it is made or an "
                "earlier date."
            }
        )
    _lock_structure(body.partnership_id)
    body = Body.objects.get(pk=body.pk)
    old_name, old_remit = body.name, body.remit
    if fields.get("parent") is not None:
        fields["parent"] = Body.objects.get(pk=fields["parent"].pk)
    for name, value in fields.items():
        if name not in BODY_EDITABLE:
            raise TypeError(f"body_update() got an unexpected field {name!r}")
        setattr(body, name, value)
    if "parent" in fields:
        _check_parent(body=body, parent=fields["parent"])
    _check_dates(body)
    record_actor(body, actor=actor, reason=reason)
    _save(body, unique_message={"name": "A body with this name already exists."})
    if body.name != old_name or body.remit != old_remit:
        _record_rename(
            actor=actor,
            body=body,
            old_name=old_name,
            old_remit=old_remit,
            effective_on=effective_on or timezone.localdate(),
            reason=reason,
        )
    return body


def _record_rename(
    *, actor: Any, body: Body, old_name: str, old_remit: str, effective_on: date, reason: str
) -> StructureChange:
    """The rename or new remit as a step in the body's timeline."""
    lines = []
    if body.name != old_name:
        lines.append(f"{old_name} is renamed {body.name}.")
    if body.remit != old_remit:
        lines.append(f"{body.name} has a new remit.")
    change = StructureChange(
        partnership_id=body.partnership_id,
        kind=ChangeKind.RENAME,
        effective_on=effective_on,
        reason=reason.strip() or " ".join(lines),
        summary=lines,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record_actor(change, actor=actor, reason=ChangeKind.RENAME.label)
    change.save()
    BodyEvent.objects.create(
        change=change,
        body=body,
        role=EventRole.RENAMED,
        old_name=old_name,
        new_name=body.name,
        old_remit=old_remit,
        new_remit=body.remit,
    )
    return change


def body_mark_closed(*, actor: Any, body: Body, closed_on: date, reason: str) -> Body:
    """Close the body itself. Callers end its memberships: see membership.services.body_close."""
    if body.closed_on is not None:
        raise ValidationError({"closed_on": f"{body} closed on {body.closed_on:%-d %B %Y}."})
    if body.established_on and closed_on < body.established_on:
        raise ValidationError({"closed_on": "A body cannot close before it was established."})
    if not reason.strip():
        raise ValidationError({"closure_reason": "Enter why the body is closing."})
    _lock_structure(body.partnership_id)
    open_children = [
        c.name for c in body.children.all() if c.closed_on is None or c.closed_on > closed_on
    ]
    if open_children:
        raise ValidationError(
            {
                "closed_on": "Close or move the bodies that report to it first: "
                + ", ".join(sorted(open_children))
                + "."
            }
        )
    body.closed_on = closed_on
    body.closure_reason = reason.strip()
    record_actor(body, actor=actor, reason="Closed")
    body.save(update_fields=["closed_on", "closure_reason"])
    return body
