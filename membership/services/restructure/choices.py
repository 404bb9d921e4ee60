"""What the co-ordinator chooses in a restructure, and what it gives back: the contract the
confirmation pages are written against."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from membership.models import Role
from partnership.models import Body, StructureChange


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
    body and becomes the real one on the change's date (``Body.shadow_until``). ``ends_on``:
    a task-and-finish group's planned end date."""

    name: str
    kind: str
    parent: Body | None = None
    remit: str = ""
    shadow_from: date | None = None
    ends_on: date | None = None


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
