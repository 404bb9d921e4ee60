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

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from membership.models import Role
from partnership.models import Body, ChangeKind, Partnership, StructureChange


@dataclass(frozen=True)
class MemberChoice:
    """What becomes of one membership of a body that is merged or replaced: carried over to
    the seat named ``seat`` on the successor, with ``role``, from the date of the change; or,
    with ``seat`` empty, ended on that date."""

    seat: str = ""
    role: str = Role.MEMBER

    @property
    def carried(self) -> bool:
        return bool(self.seat)


@dataclass(frozen=True)
class NewBody:
    """A successor created by the step itself. Its seats are copied from the sources' seats
    (same names; where two sources have a seat of the same name, one seat with their counts
    added). ``shadow_from``, for a replace: the new body is set up on that date as a shadow
    body and becomes the real one on the change's date (``Body.shadow_until``)."""

    name: str
    kind: str
    parent: Body | None = None
    remit: str = ""
    shadow_from: date | None = None


@dataclass
class Result:
    change: StructureChange | None  # None after a dry run
    lines: list[str] = field(default_factory=list)  # what was (or would be) done, in order


@dataclass(frozen=True)
class SeatOption:
    """A seat of the successor that a carried-over member may be given."""

    name: str
    count: int
    voting: bool
    sector: str = ""


def successor_seats(
    *, sources: list[Body], successor: Body | None = None, new_body: NewBody | None = None
) -> list[SeatOption]:
    """The seats a member may be carried over to: the existing successor's seats, or the seats
    a new successor will have (copied from the sources')."""
    raise NotImplementedError


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
    raise NotImplementedError


__all__ = [
    "ChangeKind",
    "MemberChoice",
    "NewBody",
    "Result",
    "SeatOption",
    "restructure",
    "successor_seats",
]
