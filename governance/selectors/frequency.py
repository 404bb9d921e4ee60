"""How often a body meets: whether this financial year's schedule has as many meetings as the
body says it holds a year (``Body.meetings_a_year``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from governance.models import Meeting, MeetingStatus
from partnership.models import Body
from partnership.panels import Panel
from partnership.periods import financial_year, financial_year_label

__all__ = ["Shortfall", "bodies_short_of_meetings", "schedule_shortfall", "shortfall_panel"]


@dataclass(frozen=True)
class Shortfall:
    """The financial year ``year_label`` has ``scheduled`` of the ``needed`` meetings."""

    year_label: str
    scheduled: int
    needed: int

    @property
    def missing(self) -> int:
        return max(self.needed - self.scheduled, 0)


def schedule_shortfall(*, body: Body, today: date) -> Shortfall | None:
    """This financial year's (April to March) schedule against the body's frequency, counting
    every meeting held with its agenda published or still to come (not cancelled), in one
    query (``missing`` is 0 when the schedule has enough). None when the body states no
    frequency, or does not live the whole year: it is closing or closed, ends before the year
    does (a task-and-finish group) or began after it started. A year's count is for a whole
    year, and no meeting may be scheduled after a body's closing date (so "schedule 2 more"
    would lead to a form that must refuse)."""
    if body.meetings_a_year is None or body.closed_on is not None:
        return None
    year = financial_year(today)
    starts, ends = date(year, 4, 1), date(year + 1, 3, 31)
    if (body.ends_on is not None and body.ends_on < ends) or (
        body.established_on is not None and body.established_on > starts
    ):
        return None
    scheduled = (
        Meeting.objects.filter(body=body, held_on__gte=starts, held_on__lte=ends)
        .filter(_counts(today, ""))
        .count()
    )
    return Shortfall(
        year_label=financial_year_label(year), scheduled=scheduled, needed=body.meetings_a_year
    )


def _counts(today: date, prefix: str) -> Q:
    """A meeting that counts towards the year: its agenda published, or (not cancelled) still
    to come. A past meeting whose agenda never went out was not held."""
    return Q(**{f"{prefix}status": MeetingStatus.PUBLISHED}) | (
        Q(**{f"{prefix}status": MeetingStatus.DRAFT}) & Q(**{f"{prefix}held_on__gte": today})
    )


def _held_to_a_year(bodies: QuerySet[Body], today: date) -> QuerySet[Body]:
    """``schedule_shortfall``'s rule in the database: the bodies that state a frequency and
    live the whole of this financial year, each with ``scheduled``, its meetings this year not
    cancelled."""
    year = financial_year(today)
    starts, ends = date(year, 4, 1), date(year + 1, 3, 31)
    this_year = Q(meetings__held_on__gte=starts, meetings__held_on__lte=ends) & _counts(
        today, "meetings__"
    )
    return (
        bodies.filter(meetings_a_year__isnull=False, closed_on__isnull=True)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=ends))
        .filter(Q(established_on__isnull=True) | Q(established_on__lte=starts))
        .annotate(scheduled=Count("meetings", filter=this_year))
    )


def bodies_short_of_meetings(*, bodies: QuerySet[Body], today: date) -> QuerySet[Body]:
    """Those of ``bodies`` whose schedule this financial year falls short, as
    ``schedule_shortfall`` would say of each, in one query for them all; each carries
    ``scheduled``. For "Your tasks", asked of the bodies a co-ordinator may run."""
    return _held_to_a_year(bodies, today).filter(scheduled__lt=F("meetings_a_year"))


def shortfall_of(body: Body, today: date) -> Shortfall:
    """The shortfall of a body from ``bodies_short_of_meetings`` (no query)."""
    return Shortfall(
        year_label=financial_year_label(financial_year(today)),
        scheduled=body.scheduled,
        needed=body.meetings_a_year,
    )


def shortfall_panel(request: HttpRequest, body: Body, can_manage: bool) -> Panel | None:
    """The body page's warning to those who manage the body (asked only for them: no query
    for anyone else) when this year's schedule has fewer meetings than the body holds."""
    if not can_manage:
        return None
    shortfall = schedule_shortfall(body=body, today=timezone.localdate())
    if shortfall is None or not shortfall.missing:
        return None
    return Panel("governance/_schedule_shortfall.html", {"shortfall": shortfall, "body": body})
