"""iCalendar feeds of meetings. Public: a feed holds only what the public may see, so no
confidential item's title ever reaches a calendar app. Scheduled meetings are in it from the
day they are scheduled, marked "Agenda not yet published"."""

from __future__ import annotations

from datetime import UTC

from django.conf import settings
from icalendar import Calendar, Event

from governance.models import Meeting, MeetingStatus


def calendar_feed(*, name: str, meetings) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Partnership//Meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"Meetings: {name}")
    for meeting in meetings:
        calendar.add_component(_event(meeting))
    return calendar.to_ical()


def _event(meeting: Meeting) -> Event:
    event = Event()
    url = settings.SITE_URL + meeting.get_absolute_url()
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0]
    event.add("uid", f"meeting-{meeting.pk}@{host}")
    event.add("dtstamp", (meeting.published_at or meeting.starts_at).astimezone(UTC))
    event.add("dtstart", meeting.starts_at.astimezone(UTC))
    event.add("dtend", meeting.ends_at.astimezone(UTC))
    event.add("summary", meeting.name)
    event.add("location", meeting.venue or meeting.online_link)
    event.add("url", url)
    if meeting.status == MeetingStatus.CANCELLED:
        event.add("status", "CANCELLED")
        event.add("description", f"Cancelled: {meeting.cancelled_reason}\n{url}")
    elif meeting.status == MeetingStatus.DRAFT:
        # Scheduled: the date, time and place only, never a word of the draft agenda.
        event.add("status", "CONFIRMED")
        event.add("description", f"Agenda not yet published. It will be here: {url}")
    else:
        event.add("status", "CONFIRMED")
        event.add("description", f"The agenda and public papers: {url}")
    return event
