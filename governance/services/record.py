"""Writes about who came and what was declared and agreed: apologies and substitutes,
attendance, interests declared against items, and actions."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from governance.models import (
    Action,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    DeclaredInterest,
    Meeting,
    MeetingStatus,
)
from governance.services.meetings import _lock, documents_refresh_later, meeting_members
from membership.models import NON_VOTING_ROLES, Membership, User
from membership.selectors import body_coordinators, body_office_holders
from partnership.history import record_actor
from partnership.notifications import notify_once


def meeting_membership(*, meeting: Meeting, person: User) -> Membership | None:
    """The person's place on the body on the day of the meeting, if they have one.

    One query on the person's own memberships (the person index), never the whole body's:
    the meeting's page asks it of every viewer."""
    if person.pk is None:
        return None
    return (
        Membership.objects.current(on=meeting.held_on)
        .filter(body_id=meeting.body_id, person_id=person.pk)
        .select_related("person", "organisation", "seat")
        .order_by("starts_on", "pk")
        .first()
    )


def sits_on_body(*, meeting: Meeting, person: User) -> bool:
    """Whether the person sits on the meeting's body on its day: ``meeting_membership`` as
    one EXISTS, for a page that needs only the yes or no."""
    if person.pk is None:
        return False
    return (
        Membership.objects.current(on=meeting.held_on)
        .filter(body_id=meeting.body_id, person_id=person.pk)
        .exists()
    )


def substitutes_allowed(*, meeting: Meeting, membership: Membership) -> list[User]:
    """Who may stand in for this member: someone from the same organisation, or, for a seat
    that a body nominates (the Partnership Board's group representatives), a member of that
    body. Only people who hold a place in the partnership on the day qualify, so the
    organisation they come from is known, not claimed."""
    on = meeting.held_on
    places = Membership.objects.current(on=on).filter(
        body__partnership_id=meeting.body.partnership_id
    )
    if membership.seat.nominating_body_id:
        places = places.filter(body_id=membership.seat.nominating_body_id)
    elif membership.organisation_id:
        places = places.filter(organisation_id=membership.organisation_id)
    else:
        return []
    sitting = {m.person_id for m in meeting_members(meeting=meeting)}
    people = {
        m.person_id: m.person
        for m in places.select_related("person")
        if m.person_id not in sitting and m.person.is_active
    }
    return sorted(people.values(), key=lambda p: p.full_name)


def _check_substitute(meeting: Meeting, membership: Membership, substitute: User | None) -> None:
    if substitute is None:
        return
    if substitute.pk not in {
        p.pk for p in substitutes_allowed(meeting=meeting, membership=membership)
    }:
        if membership.seat.nominating_body_id:
            where = f"a member of the {membership.seat.nominating_body.name}"
        else:
            where = f"someone from {membership.organisation or 'the same organisation'}"
        raise ValidationError(
            {"substitute": f"A substitute for {membership.person} must be {where}"}
        )


@transaction.atomic
def apologies_send(*, actor: User, meeting: Meeting, substitute: User | None = None) -> Attendance:
    """A member sends apologies, naming a substitute if they have one. The body's
    co-ordinators are told at once, so they know before the meeting."""
    meeting = _lock(meeting)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError("This meeting was cancelled.")
    if timezone.now() >= meeting.starts_at:
        raise ValidationError("The meeting has started: apologies can no longer be sent.")
    membership = meeting_membership(meeting=meeting, person=actor)
    if membership is None:
        raise ValidationError("Only members of the body send apologies for its meetings.")
    _check_substitute(meeting, membership, substitute)
    attendance, _ = Attendance.objects.get_or_create(
        meeting=meeting, person=actor, defaults={"status": AttendanceStatus.APOLOGIES}
    )
    attendance.status = AttendanceStatus.APOLOGIES
    attendance.substitute = substitute
    attendance.apologies_sent_at = timezone.now()
    record_actor(attendance, actor=actor, reason="Apologies sent")
    attendance.save()
    for coordinator in body_coordinators(body=meeting.body):
        notify_once(
            to=coordinator,
            key=f"apologies:{attendance.pk}:{substitute.pk if substitute else 0}",
            template="apologies_received",
            context={"meeting": meeting, "member": actor, "substitute": substitute},
            url=meeting.get_absolute_url(),
        )
    return attendance


# --- the acting chair ------------------------------------------------------------------------

_AWAY = (AttendanceStatus.APOLOGIES, AttendanceStatus.ABSENT)


def chair_and_deputy_absent(*, meeting: Meeting) -> bool:
    """Whether the chair and the deputy chair, as held on the meeting's day, were both
    recorded away from it (apologies or absent), an empty office counting as away. Only then
    do the members present choose an acting chair."""
    holders = body_office_holders(body=meeting.body, on=meeting.held_on)
    people = [holders[r].pk for r in ("chair", "deputy_chair") if r in holders]
    away = meeting.attendance.filter(person_id__in=people, status__in=_AWAY).count()
    return away == len(people)


def acting_chair_of(*, meeting: Meeting) -> User | None:
    """The acting chair the members chose at the meeting, if one was recorded and the chair
    and the deputy are still recorded away from it (checked again: a correction to their
    attendance takes the acting chair's right away)."""
    row = meeting.attendance.filter(acting_chair=True).select_related("person").first()
    if row is None or not chair_and_deputy_absent(meeting=meeting):
        return None
    return row.person


def acting_chair_candidates(*, meeting: Meeting) -> list[User]:
    """Who may be chosen: members of the body on the day with a voting seat, other than the
    chair and the deputy (the service also asks that they were recorded present)."""
    holders = body_office_holders(body=meeting.body, on=meeting.held_on)
    office = {p.pk for p in holders.values()}
    return [
        m.person
        for m in meeting_members(meeting=meeting)
        if m.seat.voting and m.role not in NON_VOTING_ROLES and m.person_id not in office
    ]


def acting_chair_may_review(*, meeting: Meeting, person: Any, attendance: list) -> bool:
    """Whether ``person`` is the meeting's acting chair with its minutes awaiting them, from
    the meeting's ``attendance`` rows already loaded: no query for anyone else."""
    if not any(a.acting_chair and a.person_id == person.pk for a in attendance):
        return False
    from governance.services.minutes import acting_as, open_minutes

    minutes = open_minutes(meeting=meeting)
    return bool(
        minutes and minutes.status == "submitted" and acting_as(person=person, minutes=minutes)
    )


def _acting_chair_set(meeting: Meeting, actor: Any, acting_chair: User | None) -> None:
    """Record (or clear) the acting chair once the statuses are saved. Cleared whenever the
    chair or the deputy is now recorded at the meeting: they chaired it."""
    current = meeting.attendance.filter(acting_chair=True).first()
    if not chair_and_deputy_absent(meeting=meeting):
        # The chair or the deputy is now recorded at the meeting: whoever was chosen no
        # longer acts (a choice still on the form is cleared, not refused).
        acting_chair = None
    if acting_chair is not None:
        chosen = meeting.attendance.filter(person=acting_chair).first()
        if acting_chair.pk not in {p.pk for p in acting_chair_candidates(meeting=meeting)}:
            raise ValidationError(
                {"acting_chair": f"{acting_chair} does not hold a voting seat on the body"}
            )
        if chosen is None or chosen.status != AttendanceStatus.PRESENT:
            raise ValidationError(
                {"acting_chair": f"{acting_chair} must be recorded present to chair the meeting"}
            )
    if current is not None and (acting_chair is None or current.person_id != acting_chair.pk):
        current.acting_chair = False
        record_actor(current, actor=actor, reason="No longer recorded as acting chair")
        current.save(update_fields=["acting_chair"])
    if acting_chair is not None and (current is None or current.person_id != acting_chair.pk):
        chosen.acting_chair = True
        record_actor(chosen, actor=actor, reason="Chosen as acting chair by the members present")
        chosen.save(update_fields=["acting_chair"])


@transaction.atomic
def attendance_record(
    *,
    actor: Any,
    meeting: Meeting,
    records: dict[int, tuple[str, User | None]],
    acting_chair: User | None = None,
) -> list[Attendance]:
    """Record who attended: ``records`` maps each member's person id to their status and
    the substitute who attended for them, if any. ``acting_chair``: the member present whom
    the members chose to chair the meeting, when the chair and the deputy were both away
    (refused otherwise); None records none (and clears one recorded before)."""
    meeting = _lock(meeting)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError("This meeting was cancelled.")
    if meeting.status != MeetingStatus.PUBLISHED:
        raise ValidationError("Attendance is recorded at a meeting whose agenda was published.")
    if meeting.held_on > timezone.localdate():
        raise ValidationError("Attendance is recorded on or after the day of the meeting.")
    members = {m.person_id: m for m in meeting_members(meeting=meeting)}
    existing = {a.person_id: a for a in meeting.attendance.all()}
    errors: dict[str, str] = {}
    saved = []
    for person_id, (status, substitute) in records.items():
        membership = members.get(person_id)
        if membership is None:
            raise ValidationError("Attendance is recorded only for members of the body.")
        if status not in AttendanceStatus.values:
            errors[f"status_{person_id}"] = f"Select whether {membership.person} attended"
            continue
        if status == AttendanceStatus.PRESENT and substitute is not None:
            errors[f"substitute_{person_id}"] = (
                f"{membership.person} was present, so nobody substituted for them"
            )
            continue
        try:
            _check_substitute(meeting, membership, substitute)
        except ValidationError as exc:
            errors[f"substitute_{person_id}"] = exc.message_dict["substitute"][0]
            continue
        attendance = existing.get(person_id) or Attendance(meeting=meeting, person_id=person_id)
        if (attendance.status, attendance.substitute_id) == (
            status,
            substitute.pk if substitute else None,
        ):
            continue
        attendance.status = status
        attendance.substitute = substitute
        if status != AttendanceStatus.PRESENT:
            attendance.acting_chair = False  # only someone present chaired the meeting
        record_actor(attendance, actor=actor, reason="Attendance recorded")
        attendance.save()
        saved.append(attendance)
    if errors:
        raise ValidationError(errors)
    before = acting_chair_of(meeting=meeting)
    _acting_chair_set(meeting, actor, acting_chair)
    if saved or before != acting_chair:
        documents_refresh_later(meeting)
    return saved


@transaction.atomic
def interest_declare(
    *, actor: Any, item: AgendaItem, person: User, nature: str
) -> DeclaredInterest:
    """Minute an interest declared at the meeting against an item: the member takes no part
    in that item's decision."""
    meeting = _lock(item.meeting)
    if meeting.status != MeetingStatus.PUBLISHED:
        raise ValidationError("Interests are declared at a meeting whose agenda was published.")
    if not nature.strip():
        raise ValidationError({"nature": "Enter the nature of the interest"})
    if meeting_membership(meeting=meeting, person=person) is None:
        raise ValidationError({"person": "Select a member of the body"})
    if DeclaredInterest.objects.filter(item=item, person=person).exists():
        raise ValidationError({"person": f"{person} has already declared an interest in this item"})
    interest = DeclaredInterest(item=item, person=person, nature=nature.strip())
    record_actor(interest, actor=actor, reason="Interest declared at the meeting")
    interest.save()
    documents_refresh_later(meeting)
    return interest


@transaction.atomic
def action_add(
    *,
    actor: Any,
    meeting: Meeting,
    description: str,
    owner: User,
    due_on: date,
    item: AgendaItem | None = None,
) -> Action:
    meeting = _lock(meeting)
    if meeting.status != MeetingStatus.PUBLISHED:
        raise ValidationError("Actions are agreed at a meeting whose agenda was published.")
    if item is not None and item.meeting_id != meeting.pk:
        raise ValidationError({"item": "Select an item on this meeting's agenda"})
    if due_on < meeting.held_on:
        raise ValidationError({"due_on": "The due date must be on or after the meeting"})
    action = Action(
        meeting=meeting, item=item, description=description.strip(), owner=owner, due_on=due_on
    )
    record_actor(action, actor=actor, reason="Action agreed")
    action.save()
    return action


@transaction.atomic
def action_complete(*, actor: Any, action: Action, done_on: date | None = None) -> Action:
    action = Action.objects.select_for_update().get(pk=action.pk)
    if action.done_on is None:
        action.done_on = done_on or timezone.localdate()
        record_actor(action, actor=actor, reason="Action completed")
        action.save(update_fields=["done_on"])
    return action


def actions_chase_overdue(*, today: date | None = None) -> int:
    """Tell each overdue action's owner once. Safe to run as often as you like."""
    today = today or timezone.localdate()
    sent = 0
    overdue = (
        Action.objects.open()
        .filter(due_on__lt=today)
        .filter(~Q(meeting__status=MeetingStatus.CANCELLED))
        .select_related("owner", "meeting__body__partnership")
    )
    for action in overdue:
        sent += notify_once(
            to=action.owner,
            key=f"action-overdue:{action.pk}",
            template="action_overdue",
            context={"action": action, "meeting": action.meeting},
            url=action.meeting.get_absolute_url(),
        )
    return sent
