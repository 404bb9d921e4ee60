"""What membership keeps on a body that a restructure must decide about (issue 16): elections
not yet closed, and the bodies that report to it. Registered in ``MembershipConfig.ready``."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q

from membership.models import Election, ElectionStatus
from membership.services.elections import election_cancel
from partnership.models import Body
from partnership.restructure import OpenThing, register_carrier
from partnership.services import body_update


class ElectionCarrier:
    """An election belongs to its body's seats and electorate: it cannot move, only be
    cancelled (``election_cancel``, which refuses once voting has opened: close it first)."""

    kind = "election"
    heading = "Elections not yet closed"
    order = 30

    def open_things(self, *, bodies: list[Any], on: date) -> list[OpenThing]:
        found = (
            Election.objects.filter(body__in=bodies, status=ElectionStatus.OPEN)
            .select_related("body", "seat")
            .order_by("body__name", "voting_closes_at", "pk")
        )
        return [
            OpenThing(
                kind=self.kind,
                pk=e.pk,
                body_id=e.body_id,
                label=str(e),
                can_move=False,
                note="An election cannot move to another body: it is cancelled.",
                ends_as="is cancelled",
            )
            for e in found
        ]

    def move(
        self, *, pks: list[int], to: Any, on: date, actor: Any, reason: str, sources: list[Any]
    ) -> list[str] | None:
        raise ValidationError(
            {f"{self.kind}-{pk}": "An election cannot move to another body." for pk in pks}
        )

    def end(self, *, pks: list[int], on: date, actor: Any, reason: str) -> None:
        for election in Election.objects.filter(pk__in=pks).order_by("pk"):
            try:
                election_cancel(actor=actor, election=election)
            except ValidationError as exc:
                raise ValidationError(
                    {f"{self.kind}-{election.pk}": [f"{election}: {m}" for m in exc.messages]}
                ) from exc


class ChildBodyCarrier:
    """A body that reports to one that ends must report to another: it moves to the successor
    (re-parented, with the reason in its history). It cannot simply end with its parent: close
    it first, on its own, if it is to end."""

    kind = "body"
    heading = "Bodies that report to it"
    order = 10

    def open_things(self, *, bodies: list[Any], on: date) -> list[OpenThing]:
        found = (
            Body.objects.filter(parent__in=bodies)
            .exclude(pk__in=[b.pk for b in bodies])
            .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=on))
            .select_related("parent")
            .order_by("name")
        )
        return [
            OpenThing(
                kind=self.kind,
                pk=b.pk,
                body_id=b.parent_id,
                label=b.name,
                moves_as="now reports to",
                can_end=False,
                note="It cannot end with the body it reports to: it moves to the body that "
                "takes over, or close it on its own first.",
                ends_as="must be closed first",
            )
            for b in found
        ]

    def move(
        self, *, pks: list[int], to: Any, on: date, actor: Any, reason: str, sources: list[Any]
    ) -> list[str]:
        ending = {b.pk for b in sources}
        said = []
        for child in Body.objects.filter(pk__in=pks).select_related("parent").order_by("name"):
            parent = to
            if child.pk == to.pk:
                # The successor itself reported to a body that ends: it takes that body's
                # place in the tree, under the first ancestor that goes on.
                parent = child.parent
                while parent is not None and parent.pk in ending:
                    parent = parent.parent
            try:
                body_update(
                    actor=actor,
                    body=child,
                    parent=parent,
                    reason=f"Now reports to {parent or 'no body'}: {reason}",
                )
            except ValidationError as exc:
                raise ValidationError(
                    {f"{self.kind}-{child.pk}": [f"{child}: {m}" for m in exc.messages]}
                ) from exc
            said.append(
                f"{child} now reports to {parent}."
                if parent is not None
                else f"{child} no longer reports to another body."
            )
        return said

    def end(self, *, pks: list[int], on: date, actor: Any, reason: str) -> None:
        names = ", ".join(
            Body.objects.filter(pk__in=pks).order_by("name").values_list("name", flat=True)
        )
        raise ValidationError(
            {
                f"{self.kind}-{pk}": f"Close {names} first, or move it to the body that takes over."
                for pk in pks
            }
        )


def register_carriers() -> None:
    register_carrier(ElectionCarrier())
    register_carrier(ChildBodyCarrier())
