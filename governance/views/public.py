"""The public record: calendars, iCalendar feeds, search, decisions and action logs, the PDFs;
and the co-ordinators' attendance report. What is public is decided in governance.selectors."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from governance import selectors
from governance.feeds import calendar_feed
from governance.models import Audience, DocumentKind, MeetingStatus
from governance.views.meetings import meeting_for
from partnership import permissions as perms

logger = logging.getLogger(__name__)


def _split(meetings) -> tuple[list, list]:
    today = timezone.localdate()
    meetings = list(meetings)
    for m in meetings:
        m.stage = selectors.meeting_stage(m, today=today)
    upcoming = [m for m in meetings if m.held_on >= today]
    past = [m for m in reversed(meetings) if m.held_on < today]
    return upcoming, past


def meeting_list(request: HttpRequest, partnership: str) -> HttpResponse:
    """The partnership's calendar: every body's meetings."""
    p = perms.get_partnership_or_404(partnership)
    upcoming, past = _split(selectors.meetings_for(user=request.user, partnership=p))
    return render(
        request,
        "governance/meeting_list.html",
        {"partnership": p, "body": None, "upcoming": upcoming, "past": past[:50]},
    )


def body_meetings(request: HttpRequest, partnership: str, body: str) -> HttpResponse:
    b = perms.get_body_or_404(partnership, body)
    upcoming, past = _split(
        selectors.meetings_for(user=request.user, partnership=b.partnership, body=b)
    )
    return render(
        request,
        "governance/meeting_list.html",
        {
            "partnership": b.partnership,
            "body": b,
            "upcoming": upcoming,
            "past": past,
            "can_manage": perms.can_manage_body(request.user, b),
        },
    )


def _feed_response(name: str, meetings) -> HttpResponse:
    response = HttpResponse(
        calendar_feed(name=name, meetings=meetings), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="meetings.ics"'
    return response


def _public_feed_meetings(qs):
    # Feeds are public and cached by calendar apps: never anything but the public view,
    # whoever fetches them, and only from a year back.
    since = timezone.localdate() - timedelta(days=365)
    return qs.filter(
        status__in=selectors.PUBLIC_STATUSES, published_at__isnull=False, held_on__gte=since
    ).select_related("body__partnership")


def feed_partnership(request: HttpRequest, partnership: str) -> HttpResponse:
    p = perms.get_partnership_or_404(partnership)
    from governance.models import Meeting

    meetings = _public_feed_meetings(Meeting.objects.filter(body__partnership=p))
    return _feed_response(p.name, meetings)


def feed_body(request: HttpRequest, partnership: str, body: str) -> HttpResponse:
    b = perms.get_body_or_404(partnership, body)
    return _feed_response(
        f"{b.name}, {b.partnership.name}", _public_feed_meetings(b.meetings.all())
    )


def search(request: HttpRequest, partnership: str) -> HttpResponse:
    p = perms.get_partnership_or_404(partnership)
    query = request.GET.get("q", "").strip()[:200]
    hits = selectors.search_published(partnership=p, query=query) if query else []
    return render(
        request, "governance/search.html", {"partnership": p, "query": query, "hits": hits}
    )


def decisions_log(request: HttpRequest, partnership: str, body: str) -> HttpResponse:
    b = perms.get_body_or_404(partnership, body)
    access = selectors.body_access(request.user, b)
    return render(
        request,
        "governance/decisions_log.html",
        {
            "partnership": b.partnership,
            "body": b,
            "entries": selectors.decisions_log(body=b, access=access),
        },
    )


def action_log(request: HttpRequest, partnership: str, body: str) -> HttpResponse:
    b = perms.get_body_or_404(partnership, body)
    access = selectors.body_access(request.user, b)
    return render(
        request,
        "governance/action_log.html",
        {
            "partnership": b.partnership,
            "body": b,
            "access": access,
            "actions": selectors.action_log(body=b, access=access),
            "today": timezone.localdate(),
        },
    )


@login_required
def attendance_report(request: HttpRequest, partnership: str, body: str) -> HttpResponse:
    """Each member's attendance in a financial year: for the co-ordinators and the annual
    membership review."""
    b = perms.get_body_or_404(partnership, body)
    perms.require(perms.can_manage_body(request.user, b))
    this_year = selectors.financial_year(timezone.localdate())
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        year = this_year
    year = max(2000, min(year, this_year))
    meetings, rows = selectors.attendance_by_member(body=b, year=year)
    return render(
        request,
        "governance/attendance_report.html",
        {
            "partnership": b.partnership,
            "body": b,
            "year": year,
            "years": list(range(this_year, this_year - 5, -1)),
            "meetings": meetings,
            "rows": rows,
        },
    )


def _document(request, partnership: str, pk: int, kind: str) -> HttpResponse:
    from governance.documents import rendition_current
    from governance.tasks import render_meeting_documents

    meeting, access = meeting_for(request, partnership, pk)
    audience = Audience.MEMBERS if access.see_confidential else Audience.PUBLIC
    if kind == DocumentKind.AGENDA_PACK and meeting.status != MeetingStatus.PUBLISHED:
        raise Http404("The agenda has not been published")
    if kind == DocumentKind.MINUTES and not meeting.minutes.filter(status="approved").exists():
        raise Http404("The minutes have not been approved")
    rendition = rendition_current(meeting=meeting, kind=kind, audience=audience)
    if rendition is None:
        # Never serve a stale file: it could hold something since made confidential.
        try:
            render_meeting_documents.delay(meeting.pk)
        except Exception:  # noqa: BLE001 - the beat safety net renders it if the broker is down
            logger.exception("could not queue the render of meeting %s", meeting.pk)
        return render(
            request,
            "governance/document_pending.html",
            {"partnership": meeting.body.partnership, "meeting": meeting, "kind": kind},
        )
    name = "agenda-pack" if kind == DocumentKind.AGENDA_PACK else "minutes"
    response = FileResponse(
        rendition.file.open("rb"),
        content_type="application/pdf",
        filename=f"{meeting.body.slug}-{meeting.held_on:%Y-%m-%d}-{name}.pdf",
    )
    response["Cache-Control"] = "private, no-store" if audience == Audience.MEMBERS else "private"
    return response


def agenda_pack_pdf(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    return _document(request, partnership, pk, DocumentKind.AGENDA_PACK)


def minutes_pdf(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    return _document(request, partnership, pk, DocumentKind.MINUTES)


@login_required
def my_meetings(request: HttpRequest) -> HttpResponse:
    """A member's coming meetings, with their papers a click away and apologies one more."""
    return render(
        request,
        "governance/my_meetings.html",
        {"rows": selectors.upcoming_for_person(person=request.user)},
    )
