"""The public record: calendars, iCalendar feeds, search, decisions and action logs, the PDFs;
and the co-ordinators' attendance report. What is public is decided in governance.selectors."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR

from governance import selectors
from governance.feeds import calendar_feed
from governance.models import Audience, DocumentKind, MeetingStatus
from governance.selectors.frequency import shortfall_panel
from governance.views.meetings import meeting_for
from partnership import permissions as perms
from partnership.outbox import enqueue

# Each list on a meetings page has a page parameter of its own, so paging one keeps the other
# where it was: ?upcoming= for the meetings coming up, ?page= for the past ones.
PAGE_SIZE = 50
UPCOMING_PARAM = "upcoming"
PAST_PARAM = "page"


# What the status tag of each stage looks like (selectors.meeting_stage names the stages).
STAGE_TAGS = {
    "Minutes approved": "govuk-tag--green",
    "Held": "govuk-tag--blue",
    "Cancelled": "govuk-tag--red",
    selectors.NOT_YET_PUBLISHED: "govuk-tag--grey",
}


def _when_formatter():
    """What a row says of when a meeting is, as the date filter's "D j M Y" and the time
    filter's "H:i" would say it ("Mon 1 Dec 2026, 10:00"), with the names of the days and
    months translated once a page rather than in each row's filters (a fifth of the page's
    time for a hundred rows)."""
    days = [str(WEEKDAYS_ABBR[n]) for n in range(7)]
    months = {n: str(name).title() for n, name in MONTHS_3.items()}

    def when(meeting) -> str:
        day = meeting.held_on
        return (
            f"{days[day.weekday()]} {day.day} {months[day.month]} {day.year:04d}, "
            f"{meeting.start_time:%H:%M}"
        )

    return when


def _paged(request: HttpRequest, meetings, *, count: int, param: str, today, link, when) -> dict:
    """One page of ``meetings`` (the ``param`` page of the address), each tagged with its
    stage, given its address (``url``, from ``link``: the meeting route reversed once, as
    head and tail around the meeting's number) and when it is (``when``, by ``when``), and what
    the pagination component needs."""
    paginator = Paginator(meetings, PAGE_SIZE)
    paginator.count = count
    page = paginator.get_page(request.GET.get(param))
    page.object_list = list(page.object_list)
    head, tail = link
    for m in page.object_list:
        m.stage = selectors.meeting_stage(m, today=today)
        m.stage_tag = STAGE_TAGS.get(m.stage, "govuk-tag--light-blue")
        m.url = f"{head}/{m.pk}/{tail}"
        m.when = when(m)
    keep = request.GET.copy()
    keep.pop(param, None)
    return {
        "page": page,
        "page_range": list(page.paginator.get_elided_page_range(page.number, on_each_side=2)),
        "ellipsis": Paginator.ELLIPSIS,
        # The address up to the page number, keeping the other list's page.
        "link": f"?{keep.urlencode()}&{param}=" if keep else f"?{param}=",
    }


# What a row of the lists shows: the date and time, the name (the title, else the body's
# name), the stage (the status and minutes_approved) and the link (the pk; the partnership's
# slug is the page's).
ROW_FIELDS = ("held_on", "start_time", "title", "status", "body__name")


def _split(request: HttpRequest, meetings, *, partnership) -> dict:
    """Upcoming (soonest first) and past (newest first) meetings, each filtered, ordered and
    paged in the database: a partnership's whole history is never loaded, and of each meeting
    only what a row shows."""
    today = timezone.localdate()
    coming, gone = Q(held_on__gte=today), Q(held_on__lt=today)
    # Both lists' sizes in one query rather than one count per paginator.
    counts = meetings.aggregate(upcoming=Count("pk", filter=coming), past=Count("pk", filter=gone))
    rows = meetings.select_related(None).select_related("body").only(*ROW_FIELDS)
    upcoming = rows.filter(coming).order_by("held_on", "start_time", "pk")
    past = rows.filter(gone).order_by("-held_on", "-start_time", "-pk")
    # Each meeting's page: the route reversed once, not once a row (a hundred a page).
    link = reverse("governance:meeting", kwargs={"partnership": partnership.slug, "pk": 0}).rsplit(
        "/0/", 1
    )
    each = {"today": today, "link": link, "when": _when_formatter()}
    return {
        "upcoming": _paged(
            request, upcoming, count=counts["upcoming"], param=UPCOMING_PARAM, **each
        ),
        "past": _paged(request, past, count=counts["past"], param=PAST_PARAM, **each),
    }


def meeting_list(request: HttpRequest, partnership: str) -> HttpResponse:
    """The partnership's calendar: every body's meetings."""
    p = perms.get_partnership_or_404(partnership)
    return render(
        request,
        "governance/meeting_list.html",
        {
            "partnership": p,
            "body": None,
            **_split(
                request, selectors.meetings_for(user=request.user, partnership=p), partnership=p
            ),
        },
    )


def body_meetings(request: HttpRequest, partnership: str, body: str) -> HttpResponse:
    b = perms.get_body_or_404(partnership, body)
    meetings = selectors.meetings_for(user=request.user, partnership=b.partnership, body=b)
    can_manage = perms.can_manage_body(request.user, b)
    return render(
        request,
        "governance/meeting_list.html",
        {
            "partnership": b.partnership,
            "body": b,
            **_split(request, meetings, partnership=b.partnership),
            "can_manage": can_manage,
            # A short schedule this year, for those who manage the body only.
            "shortfall_panel": shortfall_panel(request, b, can_manage),
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
    # whoever fetches them (scheduled meetings included, by their date, time and place only),
    # and only from a year back.
    since = timezone.localdate() - timedelta(days=365)
    public = Q(status=MeetingStatus.DRAFT) | Q(
        status__in=selectors.PUBLIC_STATUSES, published_at__isnull=False
    )
    return qs.filter(public, held_on__gte=since).select_related("body__partnership")


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
    # Imported here: this function alone reads what a restructure carried over (issue 16).
    from django.db.models import prefetch_related_objects

    from governance.restructure import actions_carried_to

    b = perms.get_body_or_404(partnership, body)
    access = selectors.body_access(request.user, b)
    actions = selectors.action_log(body=b, access=access)
    # An action carried over to another body in a restructure says where it went (one query).
    prefetch_related_objects(actions, "carried_to")
    return render(
        request,
        "governance/action_log.html",
        {
            "partnership": b.partnership,
            "body": b,
            "access": access,
            "actions": actions,
            "carried": actions_carried_to(body=b, user=request.user),
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
        enqueue(render_meeting_documents, meeting.pk, coalesce=True)
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
