"""Minutes: drafted by the co-ordinator item by item, approved or returned by the chair (or by
the deputy when the chair was absent, or by the acting chair the members chose when both were
absent), never edited once approved, corrected by a new version.
And the chasers for what is late: papers not out a week before, minutes awaiting approval."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from governance.models import (
    OPEN_MINUTES,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingStatus,
    MinuteEntry,
    Minutes,
    MinutesStatus,
    Paper,
    ReviewOutcome,
)
from governance.selectors.meetings import first_out_at, went_out_on_time
from governance.services import approval
from governance.services.meetings import _lock, documents_refresh_later
from governance.services.record import acting_chair_of
from membership.models import User
from membership.selectors import body_coordinators, body_office_holders
from partnership import alerts
from partnership.history import record_actor
from partnership.notifications import notify_once

# Submitted minutes not approved or returned after this long are chased, once per submission.
MINUTES_CHASE_AFTER = timedelta(days=5)


def _lock_minutes(minutes: Minutes) -> Minutes:
    return Minutes.objects.select_for_update().select_related("meeting__body").get(pk=minutes.pk)


def _require_editable(minutes: Minutes) -> None:
    if minutes.status in (MinutesStatus.APPROVED, MinutesStatus.SUPERSEDED):
        raise ValidationError(
            "These minutes are not a draft: approved minutes are corrected by a new version."
        )
    approval.require_editable(minutes, noun="minutes", fixed="")


def open_minutes(*, meeting: Meeting) -> Minutes | None:
    return meeting.minutes.filter(status__in=OPEN_MINUTES).first()


def approved_minutes(*, meeting: Meeting) -> Minutes | None:
    return meeting.minutes.filter(status=MinutesStatus.APPROVED).first()


@transaction.atomic
def minutes_start(*, actor: Any, meeting: Meeting) -> Minutes:
    """Start the first draft, with an empty entry for every item on the agenda."""
    meeting = _lock(meeting)
    if meeting.status != MeetingStatus.PUBLISHED:
        raise ValidationError("Minutes are taken of a meeting whose agenda was published.")
    if meeting.held_on > timezone.localdate():
        raise ValidationError("Minutes can be drafted from the day of the meeting.")
    if meeting.minutes.exists():
        raise ValidationError("This meeting already has minutes.")
    minutes = Minutes(meeting=meeting, version=1)
    record_actor(minutes, actor=actor, reason="Minutes started")
    minutes.save()
    for item in meeting.items.all():
        MinuteEntry.objects.create(minutes=minutes, item=item)
    return minutes


@transaction.atomic
def minutes_save(*, actor: Any, minutes: Minutes, entries: dict[int, tuple[str, str]]) -> Minutes:
    """Save the draft: ``entries`` maps an item id to its minute and its decision."""
    minutes = _lock_minutes(minutes)
    _require_editable(minutes)
    existing = {e.item_id: e for e in minutes.entries.all()}
    # Items added to the agenda after the draft was started get an entry too.
    for item in minutes.meeting.items.exclude(pk__in=existing):
        existing[item.pk] = MinuteEntry(minutes=minutes, item=item)
    for item_id, (text, decision) in entries.items():
        entry = existing.get(item_id)
        if entry is None:
            raise ValidationError("An entry was for an item not on this agenda.")
        text, decision = text.strip(), decision.strip()
        if entry.pk and (entry.text, entry.decision) == (text, decision):
            continue
        entry.text, entry.decision = text, decision
        record_actor(entry, actor=actor, reason="Minutes drafted")
        entry.save()
    return minutes


@transaction.atomic
def minutes_submit(*, actor: Any, minutes: Minutes) -> Minutes:
    """Send the draft to the chair, who is told by e-mail and in the app."""
    minutes = _lock_minutes(minutes)
    _require_editable(minutes)
    if not any(e.text.strip() for e in minutes.entries.all()):
        raise ValidationError("Write the minutes before submitting them to the chair.")
    approval.mark_submitted(minutes, actor=actor)
    transaction.on_commit(lambda: _tell_approvers(minutes, template="minutes_submitted"))
    return minutes


def _tell_approvers(minutes: Minutes, *, template: str) -> int:
    return approval.tell(
        approvers(minutes=minutes),
        key=f"{template}:{minutes.pk}:{minutes.submitted_at:%Y%m%d%H%M%S%f}",
        template=template,
        context={"minutes": minutes, "meeting": minutes.meeting},
        url=minutes.meeting.get_absolute_url(),
    )


def approvers(*, minutes: Minutes) -> list[User]:
    """Who may approve: the body's chair; the deputy chair as well when the chair was
    recorded absent from the meeting or the chair's seat is empty; and the acting chair the
    members chose when both were absent."""
    return approval.approvers(
        body=minutes.meeting.body,
        chair_unavailable=_chair_was_absent(minutes.meeting),
        acting_chair=acting_chair_of(meeting=minutes.meeting),
    )


def _chair_was_absent(meeting: Meeting) -> bool:
    chair_then = body_office_holders(body=meeting.body, on=meeting.held_on).get("chair")
    if chair_then is None:
        return True
    return Attendance.objects.filter(
        meeting=meeting,
        person=chair_then,
        status__in=[AttendanceStatus.APOLOGIES, AttendanceStatus.ABSENT],
    ).exists()


def acting_as(*, person: User, minutes: Minutes) -> str | None:
    """'Chair', 'Acting chair (deputy chair)' or 'Acting chair (chosen at the meeting)' if
    the person may approve, else None."""
    return approval.acting_as(
        person=person,
        body=minutes.meeting.body,
        chair_unavailable=_chair_was_absent(minutes.meeting),
        acting_chair=acting_chair_of(meeting=minutes.meeting),
    )


def _review(minutes: Minutes, actor: User, outcome: str, comments: str) -> str:
    minutes_locked = _lock_minutes(minutes)
    return approval.review(
        document=minutes_locked,
        reviews=minutes_locked.reviews,
        actor=actor,
        body=minutes_locked.meeting.body,
        chair_unavailable=_chair_was_absent(minutes_locked.meeting),
        acting_chair=acting_chair_of(meeting=minutes_locked.meeting),
        outcome=outcome,
        comments=comments,
        refusal=(
            "Only the chair approves minutes, or the deputy chair when the chair was absent, "
            "or the acting chair the members chose when both were absent."
        ),
    )


@transaction.atomic
def minutes_approve(*, actor: User, minutes: Minutes, comments: str = "") -> Minutes:
    """Approve: the minutes are published (their public items) and can no longer change. A
    correction, once approved, supersedes the version it corrects."""
    _review(minutes, actor, ReviewOutcome.APPROVED, comments)
    minutes = _lock_minutes(minutes)
    if minutes.corrects_id:
        old = Minutes.objects.select_for_update().get(pk=minutes.corrects_id)
        old.status = MinutesStatus.SUPERSEDED
        record_actor(old, actor=actor, reason="Superseded by a correction")
        old.save(update_fields=["status"])
    approval.mark_approved(minutes, actor=actor)
    documents_refresh_later(minutes.meeting)
    alerts.announce("minutes", minutes.pk)  # the public's e-mail alerts, once committed
    return minutes


@transaction.atomic
def minutes_return(*, actor: User, minutes: Minutes, comments: str) -> Minutes:
    """Return to the co-ordinator with comments; the draft as it was is kept in history."""
    _review(minutes, actor, ReviewOutcome.RETURNED, comments)
    minutes = _lock_minutes(minutes)
    approval.mark_returned(minutes, actor=actor)
    for person in body_coordinators(body=minutes.meeting.body):
        notify_once(
            to=person,
            key=f"minutes-returned:{minutes.pk}:{minutes.reviews.count()}",
            template="minutes_returned",
            context={"minutes": minutes, "meeting": minutes.meeting, "comments": comments},
            url=minutes.meeting.get_absolute_url(),
        )
    return minutes


@transaction.atomic
def minutes_correct(*, actor: Any, meeting: Meeting, reason: str) -> Minutes:
    """Start a correction of approved minutes: a new draft version, copied from them."""
    meeting = _lock(meeting)
    if not reason.strip():
        raise ValidationError({"reason": "Enter what the correction is"})
    approved = approved_minutes(meeting=meeting)
    if approved is None:
        raise ValidationError("Only approved minutes are corrected.")
    if open_minutes(meeting=meeting) is not None:
        raise ValidationError("A correction is already in progress.")
    correction = Minutes(
        meeting=meeting,
        version=approved.version + 1,
        corrects=approved,
        correction_reason=reason.strip(),
    )
    record_actor(correction, actor=actor, reason="Correction started")
    correction.save()
    MinuteEntry.objects.bulk_create(
        MinuteEntry(minutes=correction, item_id=e.item_id, text=e.text, decision=e.decision)
        for e in approved.entries.all()
    )
    return correction


# --- chasers -----------------------------------------------------------------------------------


def papers_chase_late(*, now: datetime | None = None) -> int:
    """Papers not out a full week before their meeting: tell the paper's owner and the body's
    co-ordinators, once each per paper, however often this runs."""
    now = now or timezone.now()
    sent = 0
    papers = (
        Paper.objects.filter(
            circulated_at__isnull=True,
            item__meeting__held_on__gte=now.date(),
        )
        .exclude(item__meeting__status=MeetingStatus.CANCELLED)
        .exclude(supplementary=True)  # accepted late by the chair: nobody to chase
        .select_related("owner", "item__meeting__body__partnership")
        .annotate(first_out_at=first_out_at())
    )
    for paper in papers:
        meeting = paper.item.meeting
        # Not due yet, or corrected after its first file went out in time.
        if now < meeting.papers_due_at or went_out_on_time(paper, meeting.papers_due_at):
            continue
        people = {paper.owner_id: paper.owner}
        for coordinator in body_coordinators(body=meeting.body):
            people.setdefault(coordinator.pk, coordinator)
        for person in people.values():
            sent += notify_once(
                to=person,
                key=f"paper-late:{paper.pk}",
                template="paper_late",
                context={"paper": paper, "meeting": meeting, "is_owner": person == paper.owner},
                url=meeting.get_absolute_url(),
            )
    return sent


def minutes_chase_awaiting(*, now: datetime | None = None) -> int:
    """Minutes with the chair for longer than MINUTES_CHASE_AFTER: remind the approvers,
    once per submission."""
    now = now or timezone.now()
    sent = 0
    waiting = Minutes.objects.filter(
        status=MinutesStatus.SUBMITTED, submitted_at__lte=now - MINUTES_CHASE_AFTER
    ).select_related("meeting__body__partnership")
    for minutes in waiting:
        sent += _tell_approvers(minutes, template="minutes_awaiting")
    return sent
