"""Writes about people and their places. Every write that changes who holds what re-derives
the rights of the people it touches (membership.rights) in the same transaction."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
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
}


@transaction.atomic
def seat_create(*, actor: Any, body: Body, **fields: Any) -> Seat:
    unknown = set(fields) - SEAT_FIELDS
    if unknown:
        raise TypeError(f"seat_create() got unexpected fields {sorted(unknown)}")
    seat = Seat(body=body, **fields)
    _check_seat(seat)
    record_actor(seat, actor=actor)
    return _save_seat(seat)


@transaction.atomic
def seat_update(*, actor: Any, seat: Seat, **fields: Any) -> Seat:
    # Lock the body, as membership writes do, so a membership cannot be added while the
    # seat's count is being lowered.
    _lock_body(seat.body)
    seat = Seat.objects.select_related("body").get(pk=seat.pk)
    for name, value in fields.items():
        if name not in SEAT_FIELDS:
            raise TypeError(f"seat_update() got an unexpected field {name!r}")
        setattr(seat, name, value)
    _check_seat(seat)
    record_actor(seat, actor=actor)
    return _save_seat(seat)


# --- memberships -----------------------------------------------------------------------------


def _check_membership(m: Membership) -> None:
    """Every rule a membership must keep, checked with the body's row locked by the caller."""
    if m.seat.body_id != m.body_id:
        raise ValidationError({"seat": "Choose a seat on this body."})
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
    seat = Seat.objects.get(pk=seat.pk)
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
    return m


MEMBERSHIP_FIELDS = {"seat", "role", "organisation", "starts_on", "ends_on", "end_reason"}


@transaction.atomic
def membership_update(*, actor: Any, membership: Membership, **fields: Any) -> Membership:
    _lock_body(membership.body)
    m = Membership.objects.select_related("body", "seat", "person").get(pk=membership.pk)
    for name, value in fields.items():
        if name not in MEMBERSHIP_FIELDS:
            raise TypeError(f"membership_update() got an unexpected field {name!r}")
        setattr(m, name, value)
    m.seat = Seat.objects.get(pk=m.seat_id)
    _check_membership(m)
    record_actor(m, actor=actor)
    _save_membership(m)
    rights_sync(user=m.person)
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
    return body
