"""The successor's seats, and every check a restructure makes before it writes anything, so a
refused step says all that is wrong at once, on the confirmation page's fields."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from membership.models import Membership, Role, Seat
from membership.services.restructure.choices import MemberChoice, NewBody, SeatOption
from partnership.models import Body, ChangeKind, Partnership
from partnership.restructure import END, MOVE, Carrier, OpenThing

# --- seats of the successor ------------------------------------------------------------------


def copied_seats(sources: list[Body]) -> dict[str, dict[str, Any]]:
    """The seats a new successor gets: each source seat by name, in the sources' order; where
    two sources have a seat of the same name, one seat with their counts added (the first
    source's seat gives the other details)."""
    seats: dict[str, dict[str, Any]] = {}
    order = {b.pk: i for i, b in enumerate(sources)}
    found = Seat.objects.filter(body__in=sources).order_by("name", "pk")
    for seat in sorted(found, key=lambda s: (order[s.body_id], s.name)):
        if seat.name in seats:
            seats[seat.name]["count"] += seat.count
            continue
        seats[seat.name] = {
            "name": seat.name,
            "count": seat.count,
            "voting": seat.voting,
            "sector": seat.sector,
            "nominating_organisation": seat.nominating_organisation,
            "nominating_body": seat.nominating_body
            if seat.nominating_body_id not in order
            else None,
            "description": seat.description,
            # Held by another body's chair or deputy: still so on the successor (unless that
            # body is a source: the successor's own chair cannot hold a seat on it).
            "office_body": seat.office_body if seat.office_body_id not in order else None,
            "office_role": seat.office_role if seat.office_body_id not in order else "",
        }
    return seats


def successor_seats(
    *, sources: list[Body], successor: Body | None = None, new_body: NewBody | None = None
) -> list[SeatOption]:
    """The seats a member may be carried over to: the existing successor's seats, or the seats
    a new successor will have (copied from the sources')."""
    if successor is not None:
        return [
            SeatOption(name=s.name, count=s.count, voting=s.voting, sector=s.sector)
            for s in Seat.objects.filter(body=successor).order_by("name")
        ]
    return [
        SeatOption(name=s["name"], count=s["count"], voting=s["voting"], sector=s["sector"])
        for s in sorted(copied_seats(sources).values(), key=lambda s: s["name"])
    ]


# --- checks before anything is written ---------------------------------------------------------

# A step's moves and ends happen when it is confirmed: it cannot wait for a later date.
FUTURE_REFUSED = (
    "A restructure takes effect on the day it is made or an earlier date. To prepare a new "
    "body ahead, set it up as a shadow body (Add a body → Shadow body until) and replace the "
    "old body on the day."
)


def day(d: date) -> str:
    return f"{d:%-d %B %Y}"


def is_open(body: Body, on: date) -> bool:
    return (body.closed_on is None or body.closed_on > on) and (
        body.established_on is None or body.established_on <= on
    )


def check_step(
    *,
    kind: str,
    partnership: Partnership,
    sources: list[Body],
    effective_on: date | None,
    reason: str,
    successor: Body | None,
    new_body: NewBody | None,
) -> None:
    errors: dict[str, str] = {}
    if kind not in (ChangeKind.MERGE, ChangeKind.REPLACE, ChangeKind.END):
        errors["kind"] = "Choose merge, replace or end."
    if not reason.strip():
        errors["reason"] = "Enter the reason for the change."
    if effective_on is None:
        errors["effective_on"] = "Enter the date the change takes effect."
    elif effective_on > timezone.localdate():
        errors["effective_on"] = FUTURE_REFUSED
    pks = [b.pk for b in sources]
    if not sources:
        errors["sources"] = "Choose the bodies that end."
    elif len(set(pks)) != len(pks):
        errors["sources"] = "Choose each body once."
    elif any(b.partnership_id != partnership.pk for b in sources):
        errors["sources"] = "Choose bodies of this partnership."
    elif effective_on is not None:
        shut = [b.name for b in sources if not is_open(b, effective_on)]
        if shut:
            errors["sources"] = f"Not open on {day(effective_on)}: " + ", ".join(sorted(shut)) + "."
    if kind in (ChangeKind.REPLACE, ChangeKind.END) and len(sources) > 1:
        errors["sources"] = "Choose one body."
    if kind == ChangeKind.END:
        if successor is not None or new_body is not None:
            errors["successor"] = "Nothing takes over when a body simply ends."
    elif kind in (ChangeKind.MERGE, ChangeKind.REPLACE):
        if successor is not None and new_body is not None:
            errors["successor"] = "Choose an existing body or a new one, not both."
        elif successor is None and new_body is None:
            errors["successor"] = "Choose the body that takes over, or set up a new one."
        elif successor is not None:
            if successor.partnership_id != partnership.pk:
                errors["successor"] = "Choose a body of this partnership."
            elif successor.pk in pks:
                errors["successor"] = f"{successor} is one of the bodies that end."
            elif effective_on is not None and not is_open(successor, effective_on):
                errors["successor"] = f"{successor} is not open on {day(effective_on)}."
        else:
            assert new_body is not None
            if not new_body.name.strip():
                errors["name"] = "Enter the new body's name."
            if new_body.parent is not None and new_body.parent.pk in pks:
                errors["parent"] = f"{new_body.parent} ends: choose a body that goes on."
            shadow_from = new_body.shadow_from
            if shadow_from is not None and effective_on is not None and shadow_from >= effective_on:
                errors["shadow_from"] = "A shadow body is set up before it takes over."
        if kind == ChangeKind.MERGE and successor is None and len(sources) < 2:
            errors.setdefault(
                "sources", "Choose two or more bodies to merge into a new one (or replace one)."
            )
    if errors:
        raise ValidationError(errors)


def held_memberships(sources: list[Body], on: date) -> list[Membership]:
    """The sources' memberships still running on the date, oldest first; one that starts on or
    after it is refused: it cannot be carried, and the body cannot close around it."""
    running = list(
        Membership.objects.filter(body__in=sources)
        .overlapping(starts_on=on, ends_on=None)
        .select_related("person", "body", "seat", "organisation")
        .order_by("body__name", "person__full_name", "pk")
    )
    later = [m for m in running if m.starts_on >= on]
    if later:
        raise ValidationError(
            {
                "effective_on": "These memberships start on or after the date: change or "
                "remove them first: "
                + "; ".join(f"{m.person}, {m.body} from {day(m.starts_on)}" for m in later)
                + "."
            }
        )
    return running


def check_choices(
    *,
    kind: str,
    held: list[Membership],
    members: dict[int, MemberChoice],
    seat_names: set[str],
    successor_name: str,
    found: list[tuple[Carrier, list[OpenThing]]],
    things: dict[str, str],
) -> None:
    errors: dict[str, str] = {}
    for m in held:
        key = f"member-{m.pk}"
        choice = members.get(m.pk)
        if choice is None:
            errors[key] = f"Choose whether {m.person} carries over or leaves."
        elif choice.carried and kind == ChangeKind.END:
            errors[key] = "Nobody carries over when a body simply ends."
        elif choice.carried and choice.seat not in seat_names:
            errors[key] = f"{successor_name} has no seat '{choice.seat}'."
        elif choice.carried and choice.role not in Role.values:
            errors[key] = "Choose a role."
    for _carrier, open_now in found:
        for thing in open_now:
            decision = things.get(thing.key)
            if thing.blocks:
                errors[thing.key] = thing.note or f"{thing.label} cannot move or end."
            elif decision not in (MOVE, END):
                errors[thing.key] = f"Choose whether {thing.label} moves or ends."
            elif decision == MOVE and kind == ChangeKind.END:
                errors[thing.key] = "Nothing moves when a body simply ends."
            elif decision == MOVE and not thing.can_move:
                errors[thing.key] = thing.note or f"{thing.label} cannot move."
            elif decision == END and not thing.can_end:
                errors[thing.key] = thing.note or f"{thing.label} cannot end."
    if errors:
        raise ValidationError(errors)


def on_field(exc: ValidationError, key: str, prefix: str = "") -> ValidationError:
    """A service's refusal, said on the confirmation page's field for the thing refused."""
    return ValidationError({key: [prefix + message for message in exc.messages]})


# --- the order of closing ----------------------------------------------------------------------


def close_order(sources: list[Body]) -> list[Body]:
    """A body cannot close while a body reporting to it is open: close the lowest first."""
    pks = {b.pk for b in sources}
    depth = {}
    parents = dict(Body.objects.filter(pk__in=pks).values_list("pk", "parent_id"))
    for b in sources:
        d, current = 0, parents.get(b.pk)
        while current in pks:
            d, current = d + 1, parents.get(current)
        depth[b.pk] = d
    return sorted(sources, key=lambda b: -depth[b.pk])
