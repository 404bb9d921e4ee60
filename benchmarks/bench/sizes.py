"""The sizes of the benchmark's partnership (no Django needed to read them)."""

from __future__ import annotations

from dataclasses import dataclass

# Part of the cached database's name: change it when the builder makes different data.
VERSION = 4


@dataclass(frozen=True)
class Sizes:
    """One partnership's size. ``scale`` multiplies the people, meetings and register entries."""

    bodies: int = 60
    people: int = 2000
    big_body: int = 420
    meetings: int = 145
    big_meetings: int = 24  # of the meetings, the big body's (each with a 20-item agenda)
    items: int = 20
    entries: int = 1959  # declarations and gifts
    organisations: int = 120
    risks: int = 40
    key_partnerships: int = 200
    agreements: int = 60

    @classmethod
    def of(cls, *, scale: float = 1, quick: bool = False) -> Sizes:
        base = cls.quick() if quick else cls()
        return cls(
            bodies=base.bodies,
            people=round(base.people * scale),
            big_body=base.big_body,
            meetings=round(base.meetings * scale),
            big_meetings=round(base.big_meetings * scale),
            items=base.items,
            entries=round(base.entries * scale),
            organisations=base.organisations,
            risks=base.risks,
            key_partnerships=base.key_partnerships,
            agreements=base.agreements,
        )

    @classmethod
    def quick(cls) -> Sizes:
        """Tiny: `make bench-quick`."""
        return cls(
            bodies=6, people=60, big_body=40, meetings=8, big_meetings=2, items=20,
            entries=80, organisations=12, risks=4, key_partnerships=4, agreements=3,
        )  # fmt: skip

    def key(self, partnerships: int) -> str:
        """Names the cached database: one per size."""
        people, meetings, entries = self.people, self.meetings, self.entries
        return f"v{VERSION}_p{partnerships}_b{self.bodies}_u{people}_m{meetings}_e{entries}"
