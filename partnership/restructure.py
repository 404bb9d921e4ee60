"""What a restructure carries over: a registry each app fills with what it keeps on a body
(meetings, actions, elections, risks, indicators, ...), so the restructure service in
``membership`` can list, move and end all of it without importing the apps below it
(DESIGN.md section 2). Each app registers its carriers in its ``AppConfig.ready``.

A carrier deals with one kind of thing. For the bodies being merged, replaced or ended it
lists what is still open on the date (``open_things``); it moves the chosen things to the
body that takes on the work (``move``), and ends the others (``end``). Both run inside the
restructure's transaction, record the actor and the reason in history, and raise
``ValidationError`` to refuse, which rolls the whole step back. Nothing is ever deleted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

MOVE, END = "move", "end"


@dataclass(frozen=True)
class OpenThing:
    """One open thing on a body that a restructure must decide about."""

    kind: str  # the carrier's kind, e.g. "meeting"
    pk: int
    body_id: int
    label: str  # "Meeting on 12 May 2011", "Action: agree the commissioning plan"
    can_move: bool = True
    # A thing that can neither move nor end (minutes not yet approved) blocks the step: the
    # confirmation page shows its note, and the step is refused with it until it is dealt with.
    can_end: bool = True
    note: str = ""  # why it cannot move or end, or what ending it means ("cancelled", ...)
    # How the summary says it ends, after the label: "is cancelled", "is retired", "ends".
    ends_as: str = "ends"
    # And how it says it moves, before the successor's name: "moves to", "now reports to".
    moves_as: str = "moves to"

    @property
    def key(self) -> str:
        """The form field's name and the decisions' key: ``"meeting-12"``."""
        return f"{self.kind}-{self.pk}"

    @property
    def blocks(self) -> bool:
        """Neither choice is open: it must be dealt with before the step."""
        return not self.can_move and not self.can_end


class Carrier(Protocol):
    kind: str  # unique: "meeting", "action", "election", "risk", "indicator", ...
    heading: str  # how the confirmation page heads the group: "Future meetings"
    order: int  # where the group comes on the page

    def open_things(self, *, bodies: list[Any], on: date) -> list[OpenThing]: ...

    # ``sources``: the bodies that end in this step (a thing linked to several bodies, such as
    # a key partnership, unlinks those and links ``to`` instead). It may return the summary's
    # lines for what it moved, where "<label> <moves_as> <to>." would not be true.
    def move(
        self, *, pks: list[int], to: Any, on: date, actor: Any, reason: str, sources: list[Any]
    ) -> list[str] | None: ...

    def end(self, *, pks: list[int], on: date, actor: Any, reason: str) -> None: ...


_carriers: dict[str, Carrier] = {}


def register_carrier(carrier: Carrier) -> Carrier:
    """Add a carrier; registering the same kind again replaces it (harmless on reload)."""
    _carriers[carrier.kind] = carrier
    return carrier


def carriers() -> list[Carrier]:
    return sorted(_carriers.values(), key=lambda c: (c.order, c.kind))


def carrier(kind: str) -> Carrier:
    return _carriers[kind]


def open_things(*, bodies: Iterable[Any], on: date) -> list[tuple[Carrier, list[OpenThing]]]:
    """Every carrier's open things on ``bodies``, by carrier, leaving out carriers with none."""
    bodies = list(bodies)
    found = []
    for c in carriers():
        things = c.open_things(bodies=bodies, on=on)
        if things:
            found.append((c, things))
    return found
