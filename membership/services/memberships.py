"""Writes about people and their places. Every write that changes who holds what re-derives
the rights of the people it touches (membership.rights) in the same transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone

from membership.models import (
    SINGLE_HOLDER_ROLES,
    Appointment,
    AppointmentRole,
    Membership,
    Role,
    Seat,
    User,
)
from membership.rights import rights_sync
from membership.services.two_factor import throttle_lift
from partnership.history import record_actor
from partnership.models import Body, Organisation, Partnership
from partnership.services import body_mark_closed

# --- people ----------------------------------------------------------------------------------


@transaction.atomic
def person_create(*, actor: Any, email: str, full_name: str, job_title: str = "") -> User:
    """Add a person who can later set a password through 'Forgotten your password?'."""
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "Someone with this e-mail address already exists."})
    user = User(email=email, full_name=full_name.strip(), job_title=job_title.strip())
    user.set_unusable_password()
    record_actor(user, actor=actor, reason="Added by a co-ordinator")
    user.save()
    return user


@transaction.atomic
def person_find_or_create(
    *, actor: Any, email: str, full_name: str = "", partnership: Partnership
) -> User:
    """The account with this e-mail address, or a new one if there is none.

    An account from outside this partnership is only used when the name given matches it:
    a co-ordinator cannot learn a stranger's name from an e-mail address, nor attach the
    wrong person by a typing slip."""
    existing = User.objects.filter(email__iexact=email.strip()).first()
    if existing is not None:
        known = (
            existing.memberships.filter(body__partnership=partnership).exists()
            or existing.appointments.filter(partnership=partnership).exists()
        )
        if known or existing.full_name.casefold() == full_name.strip().casefold():
            return existing
        raise ValidationError(
            {
                "full_name": "This e-mail address belongs to an account with another name. "
                "Check the address, or enter the name exactly as it is on that account."
            }
        )
    if not full_name.strip():
        raise ValidationError(
            {"full_name": "Enter their full name: they do not have an account yet."}
        )
    return person_create(actor=actor, email=email, full_name=full_name)


PROFILE_FIELDS = {"full_name", "job_title", "phone", "postal_address", "contact_public"}


@transaction.atomic
def profile_update(*, actor: Any, user: User, **fields: Any) -> User:
    for name, value in fields.items():
        if name not in PROFILE_FIELDS:
            raise TypeError(f"profile_update() got an unexpected field {name!r}")
        setattr(user, name, value.strip() if isinstance(value, str) else value)
    if not user.full_name:
        raise ValidationError({"full_name": "Enter your full name."})
    record_actor(user, actor=actor)
    user.save(update_fields=list(fields))
    return user


@transaction.atomic
def account_sign_out_everywhere(*, user: User, actor: User | None = None) -> User:
    """End every session the person has, in every browser: their sessions' check includes the
    epoch (``User.get_session_auth_hash``), and this adds one. Recorded in their history, with
    the administrator who did it if it was not the person (``actor``)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    user.session_epoch += 1
    throttle_lift(user=user)  # whoever was entering wrong codes is signed out too
    if actor is None or actor.pk == user.pk:
        record_actor(user, actor=user, reason="Signed out everywhere")
    else:
        record_actor(user, actor=actor, reason=f"Signed out everywhere by {actor}")
    user.save(update_fields=["session_epoch"])
    return user


@transaction.atomic
def account_password_change(*, user: User, password: str) -> User:
    """A new password (already checked by the password validators): every other session ends,
    because each session's check includes the password's hash; the caller keeps the one the
    person is using (``update_session_auth_hash``)."""
    user.set_password(password)
    user.save(update_fields=["password"])
    throttle_lift(user=user)  # whoever was entering wrong codes no longer has the password
    return user


# --- seats -----------------------------------------------------------------------------------


def _max_concurrent(intervals: list[tuple[date, date | None]]) -> int:
    """The largest number of [start, end) intervals that overlap at any one moment."""
    events = []
    for start, end in intervals:
        events.append((start, 1))
        if end is not None:
            events.append((end, -1))
    # Ends sort before starts on the same day: a seat handed over on a day is not double-held.
    events.sort(key=lambda e: (e[0], e[1]))
    peak = running = 0
    for _, step in events:
        running += step
        peak = max(peak, running)
    return peak


def _check_seat(seat: Seat) -> None:
    partnership_id = seat.body.partnership_id
    if seat.nominating_organisation_id and seat.nominating_body_id:
        raise ValidationError(
            {"nominating_body": "Choose a nominating organisation or a nominating body, not both."}
        )
    if (
        seat.nominating_organisation
        and seat.nominating_organisation.partnership_id != partnership_id
    ):
        raise ValidationError(
            {"nominating_organisation": "Choose an organisation in this partnership."}
        )
    if seat.nominating_body and seat.nominating_body.partnership_id != partnership_id:
        raise ValidationError({"nominating_body": "Choose a body in this partnership."})
    if bool(seat.office_body_id) != bool(seat.office_role):
        field = "office_body" if seat.office_role else "office_role"
        raise ValidationError({field: "Choose both the office and the body whose office it is."})
    if seat.office_body_id:
        if seat.count != 1:
            raise ValidationError(
                {"count": "A seat held by virtue of an office has one place: enter 1."}
            )
        if seat.office_body_id == seat.body_id:
            raise ValidationError(
                {"office_body": "Choose another body: a seat cannot be held by its own chair."}
            )
        if seat.office_body.partnership_id != partnership_id:
            raise ValidationError({"office_body": "Choose a body in this partnership."})
    if seat.pk:
        # Only today and the future matter: a past over-full spell cannot be undone now.
        held = seat.memberships.overlapping(starts_on=timezone.localdate(), ends_on=None)
        peak = _max_concurrent(list(held.values_list("starts_on", "ends_on")))
        if seat.count < peak:
            raise ValidationError(
                {"count": f"{peak} people hold this seat at one time: end a membership first."}
            )


def _save_seat(seat: Seat) -> Seat:
    try:
        with transaction.atomic():
            seat.full_clean()
            seat.save()
    except IntegrityError as exc:
        raise ValidationError({"name": "This body already has a seat with this name."}) from exc
    return seat


SEAT_FIELDS = {
    "name",
    "count",
    "sector",
    "nominating_organisation",
    "nominating_body",
    "voting",
    "description",
    "office_body",
    "office_role",
}


@transaction.atomic
def seat_create(*, actor: Any, body: Body, **fields: Any) -> Seat:
    unknown = set(fields) - SEAT_FIELDS
    if unknown:
        raise TypeError(f"seat_create() got unexpected fields {sorted(unknown)}")
    _lock_body(body)
    seat = Seat(body=body, **fields)
    _check_seat(seat)
    record_actor(seat, actor=actor)
    _save_seat(seat)
    if seat.office_body_id:
        office_seats_sync(actor=actor, body=seat.office_body, on=timezone.localdate())
    return seat


@transaction.atomic
def seat_update(*, actor: Any, seat: Seat, **fields: Any) -> Seat:
    # Lock the body, as membership writes do, so a membership cannot be added while the
    # seat's count is being lowered.
    _lock_body(seat.body)
    seat = Seat.objects.select_related("body").get(pk=seat.pk)
    office_before = (seat.office_body_id, seat.office_role)
    for name, value in fields.items():
        if name not in SEAT_FIELDS:
            raise TypeError(f"seat_update() got an unexpected field {name!r}")
        setattr(seat, name, value)
    _check_seat(seat)
    record_actor(seat, actor=actor)
    _save_seat(seat)
    if seat.office_body_id:
        # Filled now by whoever holds the office (the holder before, if the office changed,
        # ends here: the seat follows its office from today). A place someone was given from
        # today, before the seat followed an office, is not the sync's to cancel.
        office_seats_sync(
            actor=actor,
            body=seat.office_body,
            on=timezone.localdate(),
            cancel_same_day=office_before == (seat.office_body_id, seat.office_role),
        )
    return seat


# --- seats held by virtue of another office ----------------------------------------------------

OFFICES = {Role.CHAIR: "chair", Role.DEPUTY_CHAIR: "deputy chair"}


_deferred: ContextVar[set[tuple[int, date]] | None] = ContextVar(
    "office_sync_deferred", default=None
)


@contextmanager
def office_sync_deferred() -> Iterator[set[tuple[int, date]]]:
    """Within this block, a change of chair or deputy does not move the seats held by that
    office: the (body id, day) pairs are collected instead, for the caller to run
    ``office_seats_sync`` on afterwards in a transaction of its own (an election's result
    stands even when a seat cannot follow it)."""
    pending: set[tuple[int, date]] = set()
    token = _deferred.set(pending)
    try:
        yield pending
    finally:
        _deferred.reset(token)


def _office_follow(actor: Any, body: Body, days: list[date]) -> None:
    pending = _deferred.get()
    for day in days:
        if pending is not None:
            pending.add((body.pk, day))
        else:
            office_seats_sync(actor=actor, body=body, on=day)


def _office_seat_holder_holds(m: Membership) -> bool:
    return (
        Membership.objects.current(on=m.starts_on)
        .filter(body_id=m.seat.office_body_id, role=m.seat.office_role, person_id=m.person_id)
        .exists()
    )


def _cancel(actor: Any, m: Membership, reason: str) -> None:
    """Remove a place that starts on the day it would end (a membership cannot end on the day
    it starts): it never ran. Its history keeps the record."""
    _lock_body(m.body)
    record_actor(m, actor=actor, reason=f"Cancelled the day it started: {reason}")
    try:
        with transaction.atomic():
            m.delete()
    except ProtectedError as exc:
        raise ValidationError(
            f"{m.person}'s place from {m.starts_on:%-d %B %Y} is already in use: end it instead."
        ) from exc
    rights_sync(user=m.person)


@transaction.atomic
def office_seats_sync(
    *, actor: Any = None, body: Body, on: date, cancel_same_day: bool = True
) -> list[Membership]:
    """Seats held by the chair or deputy chair of ``body`` (``Seat.office_body``) follow the
    office from ``on``: whoever held such a seat then without holding the office any more
    leaves it that day ("No longer chair of ..."), and the holder of the office on ``on`` is
    appointed to it from that day, representing the organisation they represent on ``body``,
    until their term of office ends.

    - A place that itself carries the chair's or deputy's role of the seat's body is never
      ended here (the body would lose its chair): the change is refused, naming the clash.
    - A place the sync made from ``on`` itself (a second change the same day) is cancelled;
      with ``cancel_same_day=False`` (a seat just turned into an office seat: such a place
      was made by a person) it is refused instead.
    - An office holder who already sits on the seat's body in another seat moves to the
      office seat from ``on`` (keeping their role there).

    A refusal names the seat. Safe to run again: what already follows the office is left
    alone. Returns the memberships it ended, moved or created."""
    seats = list(
        Seat.objects.filter(office_body=body)
        .filter(Q(body__closed_on__isnull=True) | Q(body__closed_on__gt=on))
        .select_related("body")
    )
    if not seats:
        return []
    offices = {
        m.role: m
        for m in Membership.objects.current(on=on)
        .filter(body=body, role__in=list(OFFICES))
        .select_related("person", "organisation")
    }
    changed = []
    for seat in seats:
        office = offices.get(seat.office_role)
        holder_id = office.person_id if office else None
        reason = f"No longer {OFFICES[seat.office_role]} of {body.name}"
        try:
            with transaction.atomic():
                held = list(
                    Membership.objects.current(on=on)
                    .filter(seat=seat)
                    .select_related("body", "person", "seat")
                )
                for m in held:
                    if m.person_id == holder_id:
                        continue
                    if m.role in OFFICES:
                        raise ValidationError(
                            f"{m.person} is {m.get_role_display().lower()} of {seat.body} in "
                            f"this seat: give that role to someone else, or end it, first."
                        )
                    if m.starts_on >= on:
                        if not cancel_same_day:
                            raise ValidationError(
                                f"{m.person} is appointed to it from {m.starts_on:%-d %B %Y}: "
                                "change that appointment first."
                            )
                        _cancel(actor, m, reason)
                        changed.append(m)
                        continue
                    changed.append(
                        membership_update(actor=actor, membership=m, ends_on=on, end_reason=reason)
                    )
                if office is None or any(m.person_id == holder_id for m in held):
                    continue
                # Until the term of office ends, the seat's next holder (already appointed by
                # a later change of office) takes it, or the seat's body closes.
                later = (
                    Membership.objects.filter(seat=seat, starts_on__gt=on)
                    .order_by("starts_on")
                    .values_list("starts_on", flat=True)
                    .first()
                )
                ends = [d for d in (office.ends_on, later, seat.body.closed_on) if d is not None]
                ends_on = min(ends) if ends else None
                # Already on the seat's body in another seat (CWaC: the group's new chair
                # sits on the Board already): that place moves to the office seat.
                own = (
                    Membership.objects.current(on=on)
                    .filter(body=seat.body, person_id=holder_id)
                    .select_related("body")
                    .first()
                )
                role = Role.MEMBER
                if own is not None and own.starts_on >= on:
                    changed.append(
                        membership_update(
                            actor=actor,
                            membership=own,
                            seat=seat,
                            organisation=office.organisation,
                            ends_on=ends_on,
                        )
                    )
                    continue
                outer = _deferred.get()
                # A role the place carries moves with it: the seats that role holds follow
                # once it has moved, not in between.
                with office_sync_deferred() as moving:
                    if own is not None:
                        role = own.role
                        moved = (
                            f"Moved to '{seat.name}' as {OFFICES[seat.office_role]} of {body.name}"
                        )
                        changed.append(
                            membership_update(
                                actor=actor, membership=own, ends_on=on, end_reason=moved
                            )
                        )
                    changed.append(
                        membership_create(
                            actor=actor,
                            body=seat.body,
                            seat=seat,
                            person=office.person,
                            role=role,
                            organisation=office.organisation,
                            starts_on=on,
                            ends_on=ends_on,
                        )
                    )
                if outer is not None:
                    outer.update(moving)
                else:
                    for body_id, day in sorted(moving):
                        office_seats_sync(actor=actor, body=Body.objects.get(pk=body_id), on=day)
        except ValidationError as exc:
            raise ValidationError(
                f"The seat '{seat.name}' on {seat.body} is held by the "
                f"{OFFICES[seat.office_role]} of {body.name} and cannot follow the office: "
                + " ".join(exc.messages)
            ) from exc
    return changed


def _office_dates(*memberships: Membership | None) -> list[date]:
    """The days an office may have changed hands through these memberships, from today: a
    change recorded after the event moves the seats from today, never back in time (that
    would make people members of a body for days they did not sit on it)."""
    today = timezone.localdate()
    days = set()
    for m in memberships:
        if m is not None and m.role in OFFICES:
            days.update(max(d, today) for d in (m.starts_on, m.ends_on) if d is not None)
    return sorted(days)


# --- memberships -----------------------------------------------------------------------------


def _check_membership(m: Membership, *, placing: bool = True) -> None:
    """Every rule a membership must keep, checked with the body's row locked by the caller.
    ``placing``: the person is put in the seat from the start date (a new place, or one
    moved to another seat or start): a seat held by virtue of an office takes only the
    office's holder then (``office_seats_sync`` appoints no one else)."""
    if m.seat.body_id != m.body_id:
        raise ValidationError({"seat": "Choose a seat on this body."})
    if placing and m.seat.office_body_id and not _office_seat_holder_holds(m):
        office = OFFICES.get(m.seat.office_role, m.seat.office_role)
        raise ValidationError(
            {
                "seat": f"'{m.seat.name}' is held by the {office} of {m.seat.office_body}: "
                f"{m.person} is not {office} on {m.starts_on:%-d %B %Y}."
            }
        )
    if m.ends_on is not None and m.ends_on <= m.starts_on:
        raise ValidationError({"ends_on": "The end date must be after the start date."})
    body = m.body
    if body.closed_on is not None:
        closed = f"{body} closed on {body.closed_on:%-d %B %Y}"
        if m.starts_on >= body.closed_on:
            raise ValidationError({"starts_on": f"{closed}."})
        if m.ends_on is None or m.ends_on > body.closed_on:
            raise ValidationError({"ends_on": f"{closed}: the membership must end by then."})
    if m.organisation_id and m.organisation.partnership_id != body.partnership_id:
        raise ValidationError({"organisation": "Choose an organisation in this partnership."})
    others = Membership.objects.filter(body_id=m.body_id).exclude(pk=m.pk)
    overlapping = others.overlapping(starts_on=m.starts_on, ends_on=m.ends_on)
    if overlapping.filter(person_id=m.person_id).exists():
        raise ValidationError({"person": f"{m.person} already sits on {body} during these dates."})
    if m.role in SINGLE_HOLDER_ROLES:
        holder = overlapping.filter(role=m.role).select_related("person").first()
        if holder is not None:
            raise ValidationError(
                {
                    "role": f"{holder.person} is {holder.get_role_display().lower()} of {body} "
                    "during these dates. End their term first."
                }
            )
    same_seat = list(overlapping.filter(seat_id=m.seat_id).values_list("starts_on", "ends_on"))
    if _max_concurrent([*same_seat, (m.starts_on, m.ends_on)]) > m.seat.count:
        raise ValidationError(
            {
                "seat": f"All {m.seat.count} place{'s' if m.seat.count != 1 else ''} in "
                f"'{m.seat.name}' are filled during these dates."
            }
        )


def _save_membership(m: Membership) -> Membership:
    try:
        with transaction.atomic():
            m.save()
    except IntegrityError as exc:
        # The database's own constraints caught a race the checks above could not see.
        raise ValidationError(
            {"role": f"{m.body} already has a {m.get_role_display().lower()} then."}
        ) from exc
    return m


def _lock_body(body: Body) -> Body:
    return Body.objects.select_for_update().select_related("partnership").get(pk=body.pk)


@transaction.atomic
def membership_create(
    *,
    actor: Any,
    body: Body,
    seat: Seat,
    person: User,
    role: str = Role.MEMBER,
    organisation: Organisation | None = None,
    starts_on: date,
    ends_on: date | None = None,
) -> Membership:
    """Appoint ``person`` to ``seat`` on ``body``."""
    body = _lock_body(body)
    # Re-read the seat under the body's lock: the caller's copy may hold an old count.
    seat = Seat.objects.select_related("office_body").get(pk=seat.pk)
    m = Membership(
        body=body,
        seat=seat,
        person=person,
        role=role,
        organisation=organisation,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    _check_membership(m)
    record_actor(m, actor=actor, reason="Appointed")
    _save_membership(m)
    rights_sync(user=person)
    _office_follow(actor, body, _office_dates(m))
    return m


MEMBERSHIP_FIELDS = {"seat", "role", "organisation", "starts_on", "ends_on", "end_reason"}


@transaction.atomic
def membership_update(*, actor: Any, membership: Membership, **fields: Any) -> Membership:
    _lock_body(membership.body)
    m = Membership.objects.select_related("body", "seat", "person").get(pk=membership.pk)
    before = Membership(role=m.role, starts_on=m.starts_on, ends_on=m.ends_on, seat_id=m.seat_id)
    for name, value in fields.items():
        if name not in MEMBERSHIP_FIELDS:
            raise TypeError(f"membership_update() got an unexpected field {name!r}")
        setattr(m, name, value)
    m.seat = Seat.objects.select_related("office_body").get(pk=m.seat_id)
    _check_membership(m, placing=(m.seat_id, m.starts_on) != (before.seat_id, before.starts_on))
    record_actor(m, actor=actor)
    _save_membership(m)
    rights_sync(user=m.person)
    # A chair's or deputy's term that starts, ends or moves: the seats held by that office
    # follow it on each day it changed hands.
    _office_follow(actor, m.body, sorted(set(_office_dates(before)) | set(_office_dates(m))))
    return m


@transaction.atomic
def membership_end(
    *, actor: Any, membership: Membership, ends_on: date, reason: str = ""
) -> Membership:
    """End a membership; from ``ends_on`` the person holds the seat no more, and loses the
    rights it gave them as soon as that day comes (today: at once)."""
    # Read the end date from the locked row, not the caller's copy, which may be stale.
    _lock_body(membership.body)
    current_end = Membership.objects.values_list("ends_on", flat=True).get(pk=membership.pk)
    if current_end is not None and current_end <= timezone.localdate():
        raise ValidationError({"ends_on": "This membership has already ended."})
    return membership_update(actor=actor, membership=membership, ends_on=ends_on, end_reason=reason)


# --- appointments ----------------------------------------------------------------------------


@transaction.atomic
def appointment_create(
    *,
    actor: Any,
    person: User,
    partnership: Partnership,
    body: Body | None = None,
    role: str = AppointmentRole.COORDINATOR,
    starts_on: date,
    ends_on: date | None = None,
) -> Appointment:
    if body is not None and body.partnership_id != partnership.pk:
        raise ValidationError({"body": "Choose a body in this partnership."})
    if body is not None and body.closed_on is not None:
        raise ValidationError({"body": f"{body} is closed: choose an open body."})
    if role == AppointmentRole.GOVERNANCE_LEAD and body is not None:
        raise ValidationError({"body": "A governance lead is appointed for the whole partnership."})
    appointment = Appointment(
        person=person,
        partnership=partnership,
        body=body,
        role=role,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    appointment.full_clean()
    record_actor(appointment, actor=actor, reason="Appointed")
    appointment.save()
    rights_sync(user=person)
    return appointment


@transaction.atomic
def appointment_end(*, actor: Any, appointment: Appointment, ends_on: date) -> Appointment:
    """End a running appointment on ``ends_on``. One that has not started yet is cancelled:
    it never gave any right, so it is deleted (its history keeps the record)."""
    appointment = (
        Appointment.objects.select_for_update().select_related("person").get(pk=appointment.pk)
    )
    if appointment.ends_on is not None and appointment.ends_on <= timezone.localdate():
        raise ValidationError({"ends_on": "This appointment has already ended."})
    if appointment.starts_on >= ends_on:
        record_actor(appointment, actor=actor, reason="Cancelled before it started")
        appointment.delete()
        rights_sync(user=appointment.person)
        return appointment
    appointment.ends_on = ends_on
    record_actor(appointment, actor=actor, reason="Ended")
    appointment.save(update_fields=["ends_on"])
    rights_sync(user=appointment.person)
    return appointment


# --- closing a body --------------------------------------------------------------------------


@transaction.atomic
def body_close(*, actor: Any, body: Body, closed_on: date, reason: str) -> Body:
    """Close a body and end every membership and appointment still running on that day."""
    # The partnership first, then the body: the order restructure() locks them in, so the two
    # cannot wait on each other.
    Partnership.objects.select_for_update().filter(pk=body.partnership_id).first()
    body = _lock_body(body)
    body_mark_closed(actor=actor, body=body, closed_on=closed_on, reason=reason)
    touched = set()
    for m in body.memberships.overlapping(starts_on=closed_on, ends_on=None).select_related(
        "person"
    ):
        if m.starts_on >= closed_on:
            raise ValidationError(
                {
                    "closed_on": f"{m.person} is appointed from {m.starts_on:%-d %B %Y}: "
                    "change or remove that appointment first."
                }
            )
        m.ends_on = closed_on
        m.end_reason = "Body closed"
        record_actor(m, actor=actor, reason="Body closed")
        m.save(update_fields=["ends_on", "end_reason"])
        touched.add(m.person)
    running = body.appointments.filter(Q(ends_on__isnull=True) | Q(ends_on__gt=closed_on))
    for a in running.select_related("person"):
        if a.starts_on >= closed_on:
            raise ValidationError(
                {
                    "closed_on": f"{a.person} is appointed co-ordinator from "
                    f"{a.starts_on:%-d %B %Y}: end that appointment first."
                }
            )
        a.ends_on = closed_on
        record_actor(a, actor=actor, reason="Body closed")
        a.save(update_fields=["ends_on"])
        touched.add(a.person)
    for person in touched:
        rights_sync(user=person)
    # Seats held on other bodies by this body's chair or deputy lose their holder with it
    # (from today at the earliest: never back in time).
    office_seats_sync(actor=actor, body=body, on=max(closed_on, timezone.localdate()))
    return body
