"""Restructuring (issue 16): merge bodies into a new or existing one, replace a body (perhaps by
a shadow body that becomes the real one on a date), end a body, and record renames and new
remits. Each is one step with a date and a reason, one transaction, recorded as a
``StructureChange`` with a ``BodyEvent`` on every body it touches. Nothing is deleted.

The one entry point is ``restructure``. With ``dry_run=True`` it does everything inside a
transaction that is then rolled back, and returns the summary lines: the confirmation page
shows exactly what confirming will do, and a refused step changes nothing either way.

What each app keeps on a body (meetings, actions, elections, risks, indicators, ...) is moved
or ended through the carriers registered in ``partnership.restructure``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from membership.rights import rights_sync
from membership.services.restructure.checks import (
    check_choices,
    check_step,
    copied_seats,
    held_memberships,
    successor_seats,
)
from membership.services.restructure.choices import MemberChoice, NewBody, Result, SeatOption
from membership.services.restructure.steps import (
    carry_coordinators,
    carry_members,
    carry_things,
    close_sources,
    set_up,
    take_over_shadow,
)
from partnership.models import Body, ChangeKind, Partnership
from partnership.restructure import MOVE, open_things


def restructure(
    *,
    actor: Any,
    kind: str,
    partnership: Partnership,
    sources: list[Body],
    effective_on: date,
    reason: str,
    successor: Body | None = None,
    new_body: NewBody | None = None,
    members: dict[int, MemberChoice] | None = None,
    things: dict[str, str] | None = None,
    dry_run: bool = False,
) -> Result:
    """Carry out one restructure step.

    - ``kind`` MERGE: ``sources`` (one or more) end and are merged into ``successor`` (an
      existing open body, not among the sources) or ``new_body``; two or more bodies in all.
    - ``kind`` REPLACE: one source ends and ``successor`` or ``new_body`` takes its place.
    - ``kind`` END: one source ends; nothing carries over (``things`` may only end).
    - Renames and new remits are recorded by ``partnership.services.body_update``.

    ``members`` maps each membership of the sources held on ``effective_on`` to a
    ``MemberChoice``; every one must be decided. ``things`` maps each ``OpenThing.key`` (from
    ``partnership.restructure.open_things``) to ``"move"`` or ``"end"``; every one must be
    decided. Raises ``ValidationError`` (with the form's field names: ``effective_on``,
    ``reason``, ``successor``, ``name``, ``member-<pk>``, ``<thing key>``) and changes nothing
    when refused."""
    members = members or {}
    things = things or {}
    reason = (reason or "").strip()
    with transaction.atomic():
        # One restructure of a partnership at a time: the tree, seats and memberships it
        # reads are then the ones it changes.
        Partnership.objects.select_for_update().filter(pk=partnership.pk).first()
        # Then the sources, in the order of their keys (as everything that locks several
        # bodies does): a body closed or edited meanwhile is read as it now is.
        fresh = {
            b.pk: b
            for b in Body.objects.select_for_update()
            .filter(pk__in=[b.pk for b in sources])
            .order_by("pk")
        }
        missing = [b for b in sources if b.pk not in fresh]
        if missing:
            raise ValidationError({"sources": "Choose bodies of this partnership."})
        # Fresh rows, in the order chosen (a body chosen twice is refused).
        sources = [fresh[b.pk] for b in sources]
        if successor is not None:
            successor = Body.objects.filter(pk=successor.pk).first()
            if successor is None:
                raise ValidationError({"successor": "Choose a body of this partnership."})
        check_step(
            kind=kind,
            partnership=partnership,
            sources=sources,
            effective_on=effective_on,
            reason=reason,
            successor=successor,
            new_body=new_body,
        )
        on = effective_on
        held = held_memberships(sources, on)
        found = open_things(bodies=sources, on=on)
        if successor is not None:
            seat_names = {s.name for s in successor_seats(sources=sources, successor=successor)}
            successor_name = successor.name
        elif new_body is not None:
            seat_names = set(copied_seats(sources))
            successor_name = new_body.name.strip()
        else:
            seat_names, successor_name = set(), ""
        check_choices(
            kind=kind,
            held=held,
            members=members,
            seat_names=seat_names,
            successor_name=successor_name,
            found=found,
            things=things,
        )
        lines: list[str] = []
        if successor is not None:
            take_over_shadow(actor=actor, successor=successor, on=on, lines=lines)
        if new_body is not None:
            successor = set_up(
                actor=actor,
                partnership=partnership,
                new_body=new_body,
                on=on,
                sources=sources,
                lines=lines,
            )
        touched = carry_members(
            actor=actor,
            held=held,
            members=members,
            successor=successor,
            on=on,
            kind=kind,
            lines=lines,
        )
        touched |= carry_coordinators(
            actor=actor,
            partnership=partnership,
            sources=sources,
            successor=successor,
            on=on,
            lines=lines,
        )
        # The bodies that report to a source and move: the body each reported to before.
        moved = {
            t.pk: t.body_id
            for c, open_now in found
            if c.kind == "body"
            for t in open_now
            if things.get(t.key) == MOVE
        }
        carry_things(
            actor=actor,
            sources=sources,
            found=found,
            things=things,
            successor=successor,
            on=on,
            reason=reason,
            lines=lines,
        )
        change = close_sources(
            actor=actor,
            kind=kind,
            partnership=partnership,
            sources=sources,
            successor=successor,
            on=on,
            reason=reason,
            lines=lines,
            moved=moved,
            touched=touched,
            new_successor=successor if new_body is not None else None,
        )
        for person in touched:
            rights_sync(user=person)
        if dry_run:
            transaction.set_rollback(True)
            return Result(change=None, lines=lines)
    return Result(change=change, lines=lines)


__all__ = [
    "ChangeKind",
    "MemberChoice",
    "NewBody",
    "Result",
    "SeatOption",
    "restructure",
    "successor_seats",
]
