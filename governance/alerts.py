"""What the public's alerts and Atom feeds say of meetings (partnership/alerts.py): a published
agenda and approved minutes, told only as the public may see them (``selectors.PUBLIC``), so
no confidential item's title, minute or decision ever reaches an inbox or a feed reader.

Registered in ``GovernanceConfig.ready``: ``partnership`` may not import this app."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Prefetch

from governance.models import (
    AgendaItem,
    Meeting,
    MeetingStatus,
    MinuteEntry,
    Minutes,
    MinutesStatus,
)
from governance.selectors.meetings import (
    PUBLIC,
    agenda_visible,
    items_visible,
    minute_entries,
)
from partnership.alerts import AlertSource, Announcement, alert_key, register_alert_source
from partnership.models import AlertTopic, Body


def _date(meeting: Meeting) -> str:
    return f"{meeting.held_on:%-d %B %Y}"


def _agenda(meeting: Meeting, items: list[AgendaItem]) -> Announcement:
    return Announcement(
        key=alert_key("agenda", meeting.pk),
        topic=AlertTopic.AGENDAS,
        partnership=meeting.body.partnership,
        body=meeting.body,
        title=f"Agenda published: {meeting.name}, {_date(meeting)}",
        url=meeting.get_absolute_url(),
        when=meeting.published_at,
        summary=f"The agenda for {meeting.name} on {_date(meeting)} is published.",
        lines=tuple(f"{item.position}. {item.title}" for item in items),
    )


def _public_agenda(meeting: Meeting) -> bool:
    # Published and not since cancelled: a cancelled meeting's agenda is not news to send.
    return meeting.status == MeetingStatus.PUBLISHED and agenda_visible(meeting, PUBLIC)


def agenda_announcement(pk: int) -> Announcement | None:
    meeting = Meeting.objects.select_related("body__partnership").filter(pk=pk).first()
    if meeting is None or not _public_agenda(meeting):
        return None
    return _agenda(meeting, list(items_visible(meeting.items.all(), PUBLIC)))


def agendas_since(moment: datetime) -> list[int]:
    return list(
        Meeting.objects.filter(
            status=MeetingStatus.PUBLISHED, published_at__gte=moment
        ).values_list("pk", flat=True)
    )


def agendas_of_body(body: Body, limit: int) -> list[Announcement]:
    """The body's newest published agendas with their public items: two queries."""
    meetings = (
        Meeting.objects.filter(
            body=body, status=MeetingStatus.PUBLISHED, published_at__isnull=False
        )
        .select_related("body__partnership")
        .prefetch_related(
            Prefetch(
                "items",
                queryset=items_visible(AgendaItem.objects.all(), PUBLIC),
                to_attr="public_items",
            )
        )
        .order_by("-published_at", "-pk")[:limit]
    )
    return [_agenda(m, m.public_items) for m in meetings if _public_agenda(m)]


def _minutes(minutes: Minutes, entries: list[MinuteEntry]) -> Announcement:
    meeting = minutes.meeting
    lines = [
        f"{e.item.title}: {e.decision}" if e.decision.strip() else e.item.title for e in entries
    ]
    return Announcement(
        key=alert_key("minutes", minutes.pk),
        topic=AlertTopic.MINUTES,
        partnership=meeting.body.partnership,
        body=meeting.body,
        title=f"Minutes approved: {meeting.name}, {_date(meeting)}",
        url=meeting.get_absolute_url() + "#minutes",
        when=minutes.approved_at,
        summary=f"The minutes of {meeting.name} on {_date(meeting)} are approved.",
        lines=tuple(lines),
    )


def minutes_announcement(pk: int) -> Announcement | None:
    minutes = (
        Minutes.objects.select_related("meeting__body__partnership")
        .filter(pk=pk, status=MinutesStatus.APPROVED)
        .first()
    )
    if minutes is None or not agenda_visible(minutes.meeting, PUBLIC):
        return None
    return _minutes(minutes, minute_entries(minutes=minutes, access=PUBLIC))


def minutes_since(moment: datetime) -> list[int]:
    return list(
        Minutes.objects.filter(status=MinutesStatus.APPROVED, approved_at__gte=moment).values_list(
            "pk", flat=True
        )
    )


def minutes_of_body(body: Body, limit: int) -> list[Announcement]:
    """The body's newest approved minutes with their public entries: two queries."""
    approved = (
        Minutes.objects.filter(meeting__body=body, status=MinutesStatus.APPROVED)
        .select_related("meeting__body__partnership")
        .prefetch_related(
            Prefetch(
                "entries",
                # minute_entries' rule for the public, for every version at once.
                queryset=MinuteEntry.objects.filter(item__confidential=False)
                .select_related("item")
                .order_by("item__position", "item_id"),
                to_attr="public_entries",
            )
        )
        .order_by("-approved_at", "-pk")[:limit]
    )
    return [_minutes(m, m.public_entries) for m in approved if agenda_visible(m.meeting, PUBLIC)]


def register_alert_sources() -> None:
    register_alert_source(
        AlertSource(
            kind="agenda",
            topic=AlertTopic.AGENDAS,
            build=agenda_announcement,
            since=agendas_since,
            for_body=agendas_of_body,
        )
    )
    register_alert_source(
        AlertSource(
            kind="minutes",
            topic=AlertTopic.MINUTES,
            build=minutes_announcement,
            since=minutes_since,
            for_body=minutes_of_body,
        )
    )
