"""What governance keeps on a body that a restructure must decide about (issue 16): meetings
not yet held, open actions, minutes not yet approved and sub-group proposals not yet decided.
Registered in ``GovernanceConfig.ready``.

A meeting moves by becoming the successor's meeting; it ends by being cancelled. An action
moves by being carried over to the successor (``Action.carried_to``: its owner and due date
stay, it shows on the successor's action log and is chased as before); it ends on the date
with the reason, and is no longer owed (``Action.objects.open()``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.text import Truncator

from governance.models import (
    OPEN_MINUTES,
    Action,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    ProposalStatus,
    SubGroupProposal,
)
from governance.selectors import PUBLIC_STATUSES, body_access
from governance.services.meetings import _check_meeting, documents_refresh_later, meeting_cancel
from membership.models import Membership
from partnership.history import record_actor
from partnership.models import Body
from partnership.restructure import OpenThing, register_carrier


class MeetingCarrier:
    """The meetings still to be held. A meeting already held (on or after a backdated step's
    date, but before today) stays the old body's: it is part of its record, not its work."""

    kind = "meeting"
    heading = "Meetings not yet held"
    order = 20

    def open_things(self, *, bodies: list[Any], on: date) -> list[OpenThing]:
        found = (
            Meeting.objects.filter(body__in=bodies, held_on__gte=max(on, timezone.localdate()))
            .exclude(status=MeetingStatus.CANCELLED)
            .select_related("body")
            .order_by("held_on", "start_time", "pk")
        )
        return [
            OpenThing(
                kind=self.kind,
                pk=m.pk,
                body_id=m.body_id,
                label=f"{m.title or 'Meeting'} of {m.body.name} on {m.held_on:%-d %B %Y}",
                note="Ending it cancels it.",
                ends_as="is cancelled",
            )
            for m in found
        ]

    def move(
        self, *, pks: list[int], to: Any, on: date, actor: Any, reason: str, sources: list[Any]
    ) -> list[str] | None:
        for meeting in (
            Meeting.objects.select_for_update().filter(pk__in=pks).select_related("body")
        ).order_by("pk"):
            was = meeting.body_id
            meeting.body = to
            # The same checks as editing the meeting: the successor is open on its date.
            try:
                if to.established_on and meeting.held_on < to.established_on:
                    raise ValidationError(
                        f"{to} is set up on {to.established_on:%-d %B %Y}, after the meeting"
                    )
                _check_meeting(meeting)
            except ValidationError as exc:
                label = f"{meeting.title or 'Meeting'} on {meeting.held_on:%-d %B %Y}"
                raise ValidationError(
                    {f"{self.kind}-{meeting.pk}": [f"{label}: {m}" for m in exc.messages]}
                ) from exc
            record_actor(meeting, actor=actor, reason=f"Moved to {to}: {reason}")
            meeting.save(update_fields=["body"])
            if was != to.pk:
                # The agenda and papers name the body: render them again.
                documents_refresh_later(meeting)

    def end(self, *, pks: list[int], on: date, actor: Any, reason: str) -> None:
        for meeting in Meeting.objects.filter(pk__in=pks).order_by("pk"):
            try:
                meeting_cancel(actor=actor, meeting=meeting, reason=reason[:300])
            except ValidationError as exc:
                raise ValidationError({f"{self.kind}-{meeting.pk}": exc.messages}) from exc


def _on_bodies(bodies: list[Any]) -> Q:
    """An action is a body's when it was agreed at its meeting and not carried elsewhere, or
    when it was carried over to the body by an earlier restructure."""
    return Q(meeting__body__in=bodies, carried_to__isnull=True) | Q(carried_to__in=bodies)


class ActionCarrier:
    kind = "action"
    heading = "Open actions"
    order = 25

    def open_things(self, *, bodies: list[Any], on: date) -> list[OpenThing]:
        found = (
            Action.objects.open()
            .filter(_on_bodies(bodies))
            .select_related("meeting__body", "carried_to", "owner")
            .order_by("due_on", "pk")
        )
        return [
            OpenThing(
                kind=self.kind,
                pk=a.pk,
                body_id=(a.carried_to_id or a.meeting.body_id),
                label=f"Action '{Truncator(a.description).chars(80)}' "
                f"({a.owner}, due {a.due_on:%-d %B %Y})",
                note="Ending it means it is no longer owed or chased.",
            )
            for a in found
        ]

    def move(
        self, *, pks: list[int], to: Any, on: date, actor: Any, reason: str, sources: list[Any]
    ) -> list[str] | None:
        for action in Action.objects.select_for_update().filter(pk__in=pks).order_by("pk"):
            action.carried_to = to
            record_actor(action, actor=actor, reason=f"Carried over to {to}: {reason}")
            action.save(update_fields=["carried_to"])

    def end(self, *, pks: list[int], on: date, actor: Any, reason: str) -> None:
        for action in Action.objects.select_for_update().filter(pk__in=pks).order_by("pk"):
            action.ended_on = on
            action.end_reason = reason[:300]
            record_actor(action, actor=actor, reason=f"Ended: {reason}")
            action.save(update_fields=["ended_on", "end_reason"])


def _carried_to(body: Any) -> Q:
    """Every action carried over to ``body``, including those carried on from it by a later
    restructure: ``carried_to`` holds the latest body, and the history holds each earlier one
    (simpler than a second column or a chain to follow, and exact: the move is audited)."""
    earlier = Action.history.filter(carried_to_id=body.pk).values("id")
    return Q(carried_to=body) | Q(pk__in=earlier)


def actions_carried_to(*, body: Any, user: Any) -> list[Action]:
    """The actions carried over to ``body`` from bodies that ended, for its action log. They
    stay the actions of the meetings that agreed them: one from a confidential item (or from
    minutes not yet approved) shows only to those who may see ``body``'s confidential business
    and were privy to the meeting's: who may see the body that agreed it now (its
    co-ordinators), or sat on it on the meeting's date. Everyone else sees what the public saw
    on the old body's log: public items of approved minutes."""
    qs = Action.objects.filter(_carried_to(body))
    privy: list[int] = []
    if body_access(user, body).see_confidential:
        rows = list(
            qs.values_list(
                "pk",
                "meeting__body_id",
                "meeting__held_on",
                "meeting__status",
                "meeting__published_at",
            )
        )
        origins = Body.objects.filter(pk__in={row[1] for row in rows}).order_by("pk")
        accesses = {b.pk: body_access(user, b) for b in origins}
        sees = {pk for pk, access in accesses.items() if access.see_confidential}
        drafts = {pk for pk, access in accesses.items() if access.see_drafts}
        sat = list(
            Membership.objects.filter(person_id=user.pk, body_id__in={row[1] for row in rows})
            .values_list("body_id", "starts_on", "ends_on")
            .order_by("pk")
        )
        # Only those who ran the old body see actions of a meeting whose agenda never went out.
        privy = [
            pk
            for pk, origin, held_on, status, published_at in rows
            if origin in drafts
            or (status in PUBLIC_STATUSES and published_at is not None)
            and (
                origin in sees
                or any(
                    b == origin and start <= held_on and (end is None or end > held_on)
                    for b, start, end in sat
                )
            )
        ]
    public = Q(meeting__minutes__status=MinutesStatus.APPROVED) & (
        Q(item__isnull=True) | Q(item__confidential=False)
    )
    qs = qs.filter(Q(pk__in=privy) | public)
    qs = qs.select_related("owner", "item", "meeting__body__partnership", "carried_to")
    return list(qs.order_by("due_on", "pk").distinct())


class MinutesCarrier:
    """Minutes not yet approved: they are the old body's record, approved by its chair, so they
    neither move nor end: the step waits until they are approved."""

    kind = "minutes"
    heading = "Minutes not yet approved"
    order = 22

    def open_things(self, *, bodies: list[Any], on: date) -> list[OpenThing]:
        found = (
            Minutes.objects.filter(meeting__body__in=bodies, status__in=OPEN_MINUTES)
            .select_related("meeting__body")
            .order_by("meeting__held_on", "pk")
        )
        return [
            OpenThing(
                kind=self.kind,
                pk=m.pk,
                body_id=m.meeting.body_id,
                label=f"Minutes of the {m.meeting.body.name} meeting on "
                f"{m.meeting.held_on:%-d %B %Y} ({m.get_status_display().lower()})",
                can_move=False,
                can_end=False,
                note="These minutes are not yet approved: have them approved before the body ends.",
            )
            for m in found
        ]

    def move(
        self, *, pks: list[int], to: Any, on: date, actor: Any, reason: str, sources: list[Any]
    ) -> list[str] | None:
        raise ValidationError(
            {f"{self.kind}-{pk}": "Have the minutes approved first." for pk in pks}
        )

    def end(self, *, pks: list[int], on: date, actor: Any, reason: str) -> None:
        raise ValidationError(
            {f"{self.kind}-{pk}": "Have the minutes approved first." for pk in pks}
        )


class ProposalCarrier:
    """A proposal for a sub-group of a body that ends is put to that body: it cannot move (the
    successor did not receive it); ending it withdraws it, with the reason."""

    kind = "proposal"
    heading = "Sub-group proposals not yet decided"
    order = 27

    def open_things(self, *, bodies: list[Any], on: date) -> list[OpenThing]:
        found = SubGroupProposal.objects.filter(
            parent__in=bodies, status=ProposalStatus.PROPOSED
        ).order_by("name", "pk")
        return [
            OpenThing(
                kind=self.kind,
                pk=p.pk,
                body_id=p.parent_id,
                label=f"Proposal for the {p.name}",
                can_move=False,
                note="A proposal cannot move to another body: it is withdrawn (propose it "
                "again to the body that takes over).",
                ends_as="is withdrawn",
            )
            for p in found
        ]

    def move(
        self, *, pks: list[int], to: Any, on: date, actor: Any, reason: str, sources: list[Any]
    ) -> list[str] | None:
        raise ValidationError(
            {f"{self.kind}-{pk}": "A proposal cannot move to another body." for pk in pks}
        )

    def end(self, *, pks: list[int], on: date, actor: Any, reason: str) -> None:
        for p in SubGroupProposal.objects.select_for_update().filter(pk__in=pks).order_by("pk"):
            if p.status != ProposalStatus.PROPOSED:
                raise ValidationError(
                    {f"{self.kind}-{p.pk}": f"This proposal was {p.get_status_display().lower()}."}
                )
            p.status = ProposalStatus.WITHDRAWN
            p.decision_note = f"Withdrawn: {reason}"
            record_actor(p, actor=actor, reason=f"Withdrawn: {reason}")
            p.save(update_fields=["status", "decision_note"])


def register_carriers() -> None:
    register_carrier(MeetingCarrier())
    register_carrier(ActionCarrier())
    register_carrier(MinutesCarrier())
    register_carrier(ProposalCarrier())
