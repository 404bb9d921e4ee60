"""The writes of a restructure, in order: set up the new body, carry the members and the
co-ordinators over, move or end each open thing, close the sources and record the change.
Each goes through the app's own service, so its rules and its rights follow."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from membership.models import Appointment, AppointmentRole, Membership, Role, Seat
from membership.services.memberships import (
    appointment_create,
    body_close,
    membership_create,
    seat_create,
    seat_update,
)
from membership.services.restructure.checks import close_order, copied_seats, day, on_field
from membership.services.restructure.choices import MemberChoice, NewBody
from partnership.history import record_actor
from partnership.models import (
    Body,
    BodyEvent,
    ChangeKind,
    EventRole,
    Partnership,
    StructureChange,
)
from partnership.restructure import END, MOVE, Carrier, OpenThing
from partnership.services import body_create, body_update


def set_up(
    *,
    actor: Any,
    partnership: Partnership,
    new_body: NewBody,
    on: date,
    sources: list[Body],
    lines: list[str],
) -> Body:
    """Create the new successor and its seats (copied from the sources')."""
    shadow = new_body.shadow_from
    try:
        body = body_create(
            actor=actor,
            partnership=partnership,
            name=new_body.name,
            kind=new_body.kind,
            parent=new_body.parent,
            remit=new_body.remit,
            established_on=shadow or on,
            ends_on=new_body.ends_on,
            shadow_until=on if shadow else None,
        )
    except ValidationError as exc:
        # On the new body's own fields (name, kind, parent, ends_on), as its form names them.
        if hasattr(exc, "error_dict"):
            raise
        raise ValidationError({"name": exc.messages}) from exc
    reports = f", reporting to {body.parent}" if body.parent_id else ""
    if shadow:
        lines.append(
            f"{body} is set up as a shadow body on {day(shadow)}{reports}, and takes over on "
            f"{day(on)}."
        )
    else:
        lines.append(f"{body} is set up on {day(on)}{reports}.")
    for fields in copied_seats(sources).values():
        # A seat held by another body's office is filled by it only once the members are
        # carried over (``seat_offices``): its holder may be one of them.
        fields = {**fields, "office_body": None, "office_role": ""}
        seat_create(actor=actor, body=body, **fields)
        places = fields["count"]
        lines.append(
            f"{body} has the seat '{fields['name']}' ({places} place{'s' if places != 1 else ''})."
        )
    return body


def take_over_shadow(*, actor: Any, successor: Body, on: date, lines: list[str]) -> None:
    """An existing shadow body that takes over becomes the real body on the date."""
    if successor.shadow_until is None or successor.shadow_until <= on:
        return
    body_update(
        actor=actor,
        body=successor,
        # Set up on the date itself, it was never a shadow body at all.
        shadow_until=on if successor.established_on and successor.established_on < on else None,
        reason=f"Takes over on {day(on)}: no longer a shadow body",
    )
    successor.refresh_from_db()
    lines.append(f"{successor} takes over on {day(on)}: it is no longer a shadow body.")


def seat_offices(*, actor: Any, successor: Body, sources: list[Body], lines: list[str]) -> None:
    """A new successor's seats copied from seats held by another body's chair or deputy are
    held so again: whoever holds that office fills the seat, unless carried to it already."""
    for fields in copied_seats(sources).values():
        if fields["office_body"] is None:
            continue
        seat = Seat.objects.get(body=successor, name=fields["name"])
        try:
            seat_update(
                actor=actor,
                seat=seat,
                office_body=fields["office_body"],
                office_role=fields["office_role"],
            )
        except ValidationError as exc:
            raise on_field(exc, "effective_on", prefix=f"{successor}: ") from exc
        lines.append(
            f"{successor}'s seat '{seat.name}' is held by the "
            f"{seat.get_office_role_display().lower()} "
            f"of {seat.office_body}."
        )


def office_seats_held(sources: list[Body], on: date) -> list[Membership]:
    """Seats on other bodies held by the chair or deputy chair of a source. Nobody holds that
    office once the source closes: ``body_close`` ends them (``office_seats_sync``, from the
    date or today if later), and the summary says so (``office_seats_ended``)."""
    day_of = max(on, timezone.localdate())
    return list(
        Membership.objects.current(on=day_of)
        .filter(seat__office_body__in=sources, seat__body__closed_on__isnull=True)
        .exclude(body__in=sources)
        .select_related("person", "body", "seat", "seat__office_body")
        .order_by("body__name", "seat__name", "pk")
    )


def office_seats_ended(held: list[Membership], lines: list[str]) -> set[Any]:
    touched = set()
    ended = Membership.objects.filter(pk__in=[m.pk for m in held], ends_on__isnull=False)
    gone = set(ended.values_list("pk", flat=True))
    for m in held:
        if m.pk not in gone:
            continue
        touched.add(m.person)
        lines.append(
            f"{m.person} leaves the seat '{m.seat.name}' on {m.body}, held as "
            f"{m.seat.get_office_role_display().lower()} of {m.seat.office_body}."
        )
    return touched


def carry_members(
    *,
    actor: Any,
    held: list[Membership],
    members: dict[int, MemberChoice],
    successor: Body | None,
    on: date,
    kind: str,
    lines: list[str],
) -> set[Any]:
    """Carry the chosen members over to the successor, from the date, and end every source
    membership on the date with its reason. Returns the people whose rights to re-derive."""
    touched = set()
    seats = {s.name: s for s in Seat.objects.filter(body=successor)} if successor else {}
    for m in held:
        choice = members[m.pk]
        if choice.carried:
            assert successor is not None
            try:
                membership_create(
                    actor=actor,
                    body=successor,
                    seat=seats[choice.seat],
                    person=m.person,
                    role=choice.role,
                    organisation=m.organisation,
                    starts_on=on,
                    ends_on=m.ends_on,
                )
            except ValidationError as exc:
                raise on_field(exc, f"member-{m.pk}", prefix=f"{m.person}: ") from exc
            role = Role(choice.role).label.lower()
            lines.append(
                f"{m.person} carries over to {successor}, seat '{choice.seat}', as {role}."
            )
            end_reason = f"Carried over to {successor}"
        else:
            lines.append(f"{m.person}'s membership of {m.body} ends.")
            end_reason = ended_because(kind, m.body, successor)
        m.ends_on = on
        m.end_reason = end_reason[:200]
        record_actor(m, actor=actor, reason=end_reason)
        m.save(update_fields=["ends_on", "end_reason"])
        touched.add(m.person)
    return touched


def carry_coordinators(
    *,
    actor: Any,
    partnership: Partnership,
    sources: list[Body],
    successor: Body | None,
    on: date,
    lines: list[str],
) -> set[Any]:
    """A source's own co-ordinators go on co-ordinating the work: each becomes co-ordinator of
    the successor from the date, unless already so. Their old appointments end when the source
    closes (``body_close``)."""
    touched = set()
    running = (
        Appointment.objects.current(on=on)
        .filter(body__in=sources, role=AppointmentRole.COORDINATOR)
        .select_related("person", "body")
        .order_by("body__name", "person__full_name", "pk")
    )
    already = set()
    if successor is not None:
        already = set(
            Appointment.objects.current(on=on)
            .filter(body=successor, role=AppointmentRole.COORDINATOR)
            .values_list("person_id", flat=True)
        )
    for a in running:
        if successor is None:
            lines.append(f"{a.person}'s appointment as co-ordinator of {a.body} ends.")
            continue
        if a.person_id in already:
            lines.append(
                f"{a.person}'s appointment as co-ordinator of {a.body} ends: they already "
                f"co-ordinate {successor}."
            )
            continue
        appointment_create(
            actor=actor,
            person=a.person,
            partnership=partnership,
            body=successor,
            starts_on=on,
            ends_on=a.ends_on,
        )
        already.add(a.person_id)
        touched.add(a.person)
        lines.append(f"{a.person} becomes co-ordinator of {successor}, as of {a.body}.")
    return touched


def carry_things(
    *,
    actor: Any,
    sources: list[Body],
    found: list[tuple[Carrier, list[OpenThing]]],
    things: dict[str, str],
    successor: Body | None,
    on: date,
    reason: str,
    lines: list[str],
) -> None:
    for carrier, open_now in found:
        moving = [t for t in open_now if things[t.key] == MOVE]
        ending = [t for t in open_now if things[t.key] == END]
        for batch, decision in ((moving, MOVE), (ending, END)):
            if not batch:
                continue
            said = None
            try:
                if decision == MOVE:
                    said = carrier.move(
                        pks=[t.pk for t in batch],
                        to=successor,
                        on=on,
                        actor=actor,
                        reason=reason,
                        sources=sources,
                    )
                else:
                    carrier.end(pks=[t.pk for t in batch], on=on, actor=actor, reason=reason)
            except ValidationError as exc:
                keys = {t.key for t in batch}
                if hasattr(exc, "error_dict") and set(exc.error_dict) <= keys:
                    raise
                raise on_field(exc, batch[0].key, prefix=f"{batch[0].label}: ") from exc
            if said:  # the carrier said what it did, where the plain words would be wrong
                lines.extend(said)
                continue
            for t in batch:
                if decision == MOVE:
                    lines.append(f"{t.label} {t.moves_as} {successor}.")
                else:
                    lines.append(f"{t.label} {t.ends_as}.")


def ended_because(kind: str, body: Body, successor: Body | None) -> str:
    if kind == ChangeKind.MERGE:
        return f"{body} merged into {successor}"
    if kind == ChangeKind.REPLACE:
        return f"{body} replaced by {successor}"
    return f"{body} ended"


def close_sources(
    *,
    actor: Any,
    kind: str,
    partnership: Partnership,
    sources: list[Body],
    successor: Body | None,
    on: date,
    reason: str,
    lines: list[str],
    moved: dict[int, int | None] | None = None,
    touched: set[Any] | None = None,
    new_successor: Body | None = None,
) -> StructureChange:
    """Close the sources, lowest first, and record the change with an event on every body it
    touched: each source ended, the successor, and each body moved to report to another (with
    the body it reported to before and after, for the structure on a past date)."""
    office_held = office_seats_held(sources, on)
    for body in close_order(sources):
        if kind == ChangeKind.MERGE:
            why, said = f"Merged into {successor}: {reason}", f"merged into {successor}"
        elif kind == ChangeKind.REPLACE:
            why, said = f"Replaced by {successor}: {reason}", f"replaced by {successor}"
        else:
            why, said = reason, ""
        try:
            body_close(actor=actor, body=body, closed_on=on, reason=why)
        except ValidationError as exc:
            raise on_field(exc, "effective_on", prefix=f"{body}: ") from exc
        lines.append(f"{body} ends on {day(on)}" + (f": {said}." if said else "."))
    people = office_seats_ended(office_held, lines)
    if new_successor is not None:
        # Only now: filling them earlier would seat an office holder on a source still open.
        seat_offices(actor=actor, successor=new_successor, sources=sources, lines=lines)
    if touched is not None:
        touched |= people
    change = StructureChange(
        partnership=partnership,
        kind=kind,
        effective_on=on,
        reason=reason,
        successor=successor,
        summary=list(lines),
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record_actor(change, actor=actor, reason=ChangeKind(kind).label)
    change.save()
    for body in sources:
        BodyEvent.objects.create(change=change, body=body, role=EventRole.ENDED)
    moved = moved or {}
    parents = dict(Body.objects.filter(pk__in=moved).values_list("pk", "parent_id"))
    if successor is not None:
        BodyEvent.objects.create(
            change=change,
            body=successor,
            role=EventRole.SUCCESSOR,
            # The successor itself reported to a source: it took that body's place.
            old_parent_id=moved.get(successor.pk),
            new_parent_id=parents.get(successor.pk) if successor.pk in moved else None,
        )
    for pk, old_parent in moved.items():
        if successor is not None and pk == successor.pk:
            continue
        BodyEvent.objects.create(
            change=change,
            body_id=pk,
            role=EventRole.MOVED,
            old_parent_id=old_parent,
            new_parent_id=parents[pk],
        )
    return change
