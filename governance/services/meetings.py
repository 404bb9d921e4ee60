"""Writes about meetings before they happen: scheduling, the agenda, papers and circulation."""

from __future__ import annotations

import hashlib
from datetime import date, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from governance.models import (
    STANDING_ITEMS,
    AgendaItem,
    ItemKind,
    Meeting,
    MeetingStatus,
    Paper,
    Purpose,
)
from membership.models import Membership
from membership.selectors import body_coordinators
from partnership import alerts
from partnership.history import record_actor
from partnership.models import Body
from partnership.notifications import notify_once
from partnership.outbox import enqueue


def documents_refresh_later(meeting: Meeting) -> None:
    """Re-render the meeting's PDFs once this transaction has committed."""
    from governance.tasks import render_meeting_documents

    enqueue(render_meeting_documents, meeting.pk)


def _lock(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


def _require_not_cancelled(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError("This meeting was cancelled: it cannot be changed.")


# --- the meeting -------------------------------------------------------------------------------


def _check_meeting(meeting: Meeting) -> None:
    errors: dict[str, str] = {}
    if not meeting.venue.strip() and not meeting.online_link.strip():
        errors["venue"] = "Enter a venue or an online meeting link"
    if meeting.end_time and meeting.end_time <= meeting.start_time:
        errors["end_time"] = "The finish time must be after the start time"
    body = meeting.body
    if body.closed_on and meeting.held_on >= body.closed_on:
        errors["held_on"] = f"The {body.name} closed on {body.closed_on:%-d %B %Y}"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def meeting_create(
    *,
    actor: Any,
    body: Body,
    held_on: date,
    start_time: time,
    end_time: time | None = None,
    venue: str = "",
    online_link: str = "",
    title: str = "",
    standing_items: list[str] | None = None,
) -> Meeting:
    """Schedule a meeting with the standing items chosen (all of them unless told)."""
    meeting = Meeting(
        body=body,
        held_on=held_on,
        start_time=start_time,
        end_time=end_time,
        venue=venue.strip(),
        online_link=online_link.strip(),
        title=title.strip(),
    )
    _check_meeting(meeting)
    record_actor(meeting, actor=actor, reason="Meeting scheduled")
    meeting.save()
    kinds = STANDING_ITEMS if standing_items is None else standing_items
    # Partner matters close the agenda, after the business; the rest open it.
    for position, kind in enumerate([k for k in STANDING_ITEMS if k in kinds], start=1):
        item = AgendaItem(
            meeting=meeting,
            position=position if kind != ItemKind.PARTNER_MATTERS else 100,
            kind=kind,
            title=ItemKind(kind).label,
        )
        record_actor(item, actor=actor, reason="Standing item")
        item.save()
    return meeting


@transaction.atomic
def meeting_update(*, actor: Any, meeting: Meeting, **fields: Any) -> Meeting:
    meeting = _lock(meeting)
    _require_not_cancelled(meeting)
    for name, value in fields.items():
        setattr(meeting, name, value.strip() if isinstance(value, str) else value)
    _check_meeting(meeting)
    record_actor(meeting, actor=actor, reason="Meeting details changed")
    meeting.save()
    documents_refresh_later(meeting)
    return meeting


@transaction.atomic
def meeting_publish(*, actor: Any, meeting: Meeting) -> Meeting:
    """Publish the agenda: the public and members see it, and its public papers once out."""
    meeting = _lock(meeting)
    _require_not_cancelled(meeting)
    if meeting.is_published:
        return meeting
    if not meeting.items.filter(kind=ItemKind.BUSINESS).exists():
        raise ValidationError("Add at least one item of business before publishing the agenda.")
    meeting.status = MeetingStatus.PUBLISHED
    meeting.published_at = timezone.now()
    record_actor(meeting, actor=actor, reason="Agenda published")
    meeting.save(update_fields=["status", "published_at"])
    documents_refresh_later(meeting)
    alerts.announce("agenda", meeting.pk)  # the public's e-mail alerts, once committed
    return meeting


@transaction.atomic
def meeting_cancel(*, actor: Any, meeting: Meeting, reason: str) -> Meeting:
    meeting = _lock(meeting)
    _require_not_cancelled(meeting)
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the meeting is cancelled"})
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancelled_reason = reason.strip()
    record_actor(meeting, actor=actor, reason="Meeting cancelled")
    meeting.save(update_fields=["status", "cancelled_reason"])
    return meeting


# --- the agenda ---------------------------------------------------------------------------------


def _check_item(item: AgendaItem) -> None:
    errors = {}
    if item.confidential and not item.confidential_reason.strip():
        errors["confidential_reason"] = "Enter why the item is confidential"
    if not item.confidential:
        item.confidential_reason = ""
    if item.purpose == Purpose.DECISION and not item.decision_required.strip():
        errors["decision_required"] = "Enter the decision the meeting is asked to make"
    if errors:
        raise ValidationError(errors)


def _pop_concerns(fields: dict[str, Any]) -> dict[str, Any]:
    """The organisations and bodies an item names are many-to-many: set after saving."""
    return {name: fields.pop(name) for name in ("organisations", "bodies") if name in fields}


def _set_concerns(item: AgendaItem, concerns: dict[str, Any]) -> None:
    partnership_id = item.meeting.body.partnership_id
    for name, chosen in concerns.items():
        if any(x.partnership_id != partnership_id for x in chosen):
            raise ValidationError({name: "Select from this partnership"})
        getattr(item, name).set(chosen)


@transaction.atomic
def item_add(*, actor: Any, meeting: Meeting, **fields: Any) -> AgendaItem:
    """A new item of business, placed after the others and before partner matters."""
    meeting = _lock(meeting)
    _require_not_cancelled(meeting)
    last = (
        meeting.items.exclude(kind=ItemKind.PARTNER_MATTERS).aggregate(n=Max("position"))["n"] or 0
    )
    concerns = _pop_concerns(fields)
    item = AgendaItem(meeting=meeting, position=last + 1, kind=ItemKind.BUSINESS, **fields)
    _check_item(item)
    record_actor(item, actor=actor, reason="Item added")
    item.save()
    _set_concerns(item, concerns)
    documents_refresh_later(meeting)
    return item


@transaction.atomic
def item_update(*, actor: Any, item: AgendaItem, **fields: Any) -> AgendaItem:
    _lock(item.meeting)
    _require_not_cancelled(item.meeting)
    # Work on the row as it is now, not the caller's copy, so nothing changed since is undone.
    item = AgendaItem.objects.select_related("meeting__body__partnership").get(pk=item.pk)
    concerns = _pop_concerns(fields)
    for name, value in fields.items():
        setattr(item, name, value.strip() if isinstance(value, str) else value)
    _check_item(item)
    record_actor(item, actor=actor, reason="Item changed")
    item.save()
    _set_concerns(item, concerns)
    documents_refresh_later(item.meeting)
    return item


@transaction.atomic
def item_move(*, actor: Any, item: AgendaItem, up: bool) -> AgendaItem:
    """Swap the item with its neighbour above or below."""
    meeting = _lock(item.meeting)
    items = list(meeting.items.order_by("position", "pk"))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = index - 1 if up else index + 1
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
        for position, other in enumerate(items, start=1):
            if other.position != position:
                other.position = position
                record_actor(other, actor=actor, reason="Agenda reordered")
                other.save(update_fields=["position"])
    documents_refresh_later(meeting)
    return item


# --- papers: circulation (adding and replacing them: governance.services.papers) ---------------


def meeting_members(*, meeting: Meeting) -> list[Membership]:
    """Who sits on the body on the day of the meeting: the people expected to attend."""
    return list(
        Membership.objects.current(on=meeting.held_on)
        .filter(body_id=meeting.body_id)
        .select_related("person", "organisation", "seat")
        .order_by("person__full_name")
    )


@transaction.atomic
def papers_circulate(*, actor: Any, meeting: Meeting) -> list[Paper]:
    """Send the papers that are ready and not yet out to every member, by e-mail and in the
    app. Returns the papers sent; sending the same set twice tells nobody twice."""
    meeting = _lock(meeting)
    _require_not_cancelled(meeting)
    if not meeting.is_published:
        raise ValidationError("Publish the agenda before circulating papers.")
    papers = list(
        Paper.objects.select_for_update(of=("self",))
        .filter(item__meeting=meeting, circulated_at__isnull=True)
        .exclude(file="")
        .select_related("item")
    )
    if not papers:
        raise ValidationError("There are no new papers to circulate.")
    now = timezone.now()
    for paper in papers:
        paper.circulated_at = now
        record_actor(paper, actor=actor, reason="Paper circulated")
        paper.save(update_fields=["circulated_at"])
    batch = hashlib.sha256(",".join(str(p.pk) for p in papers).encode()).hexdigest()[:16]
    recipients = {m.person_id: m.person for m in meeting_members(meeting=meeting)}
    for person in body_coordinators(body=meeting.body):
        recipients.setdefault(person.pk, person)
    url = meeting.get_absolute_url()
    for person in recipients.values():
        notify_once(
            to=person,
            key=f"papers:{meeting.pk}:{batch}",
            template="papers_circulated",
            context={"meeting": meeting, "papers": papers},
            url=url,
        )
    documents_refresh_later(meeting)
    return papers
