"""The weekly reminder to co-ordinators: seats with vacant places, and memberships ending in
the next 60 days, for the bodies each co-ordinates (a body's co-ordinators include those of the
bodies above it and of the whole partnership). One message per co-ordinator, partnership and
ISO week, however often the job runs; nothing is sent to someone with nothing to act on."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, F, Q
from django.utils import timezone

from membership.models import Appointment, AppointmentRole, Membership, Seat, User
from partnership.models import Body, Partnership
from partnership.notifications import notify_each

__all__ = [
    "ENDING_WITHIN_DAYS",
    "BodyReport",
    "vacancy_reports",
    "vacancy_reports_for",
    "vacancies_remind_coordinators",
]

ENDING_WITHIN_DAYS = 60


@dataclass
class BodyReport:
    body: Body
    vacant: list[tuple[Seat, int]] = field(default_factory=list)  # (seat, places vacant)
    ending: list[Membership] = field(default_factory=list)


def _reports(bodies: Q, today: date, *, for_links: bool = False) -> list[BodyReport]:
    """Each open body of ``bodies`` (a filter on the body, through ``body__``) with a vacant
    place or a membership ending soon, in two queries: the places held are counted by the
    database, seat by seat. ``for_links``: each body with its partnership, and only the
    columns a list of links shows (the task list); else whole rows (the reminder)."""
    bodies &= Q(body__closed_on__isnull=True) | Q(body__closed_on__gt=today)
    reports: dict[int, BodyReport] = {}
    held = Q(memberships__starts_on__lte=today) & (
        Q(memberships__ends_on__isnull=True) | Q(memberships__ends_on__gt=today)
    )
    seats = (
        Seat.objects.filter(bodies)
        .annotate(held=Count("memberships", filter=held))
        .filter(held__lt=F("count"))
        .select_related("body")
        .order_by("name")
    )
    soon = today + timedelta(days=ENDING_WITHIN_DAYS)
    ending = (
        Membership.objects.current(on=today)
        .filter(bodies, ends_on__isnull=False, ends_on__lte=soon)
        .select_related("person", "body", "seat")
        .order_by("ends_on", "person__full_name")
    )
    if for_links:
        body = ("body__name", "body__slug", "body__partnership__slug")
        seats = seats.select_related("body__partnership").only("name", "count", *body)
        ending = ending.select_related("body__partnership").only(
            "ends_on", "person__full_name", "seat__name", *body
        )
    for seat in seats:
        reports.setdefault(seat.body_id, BodyReport(seat.body)).vacant.append(
            (seat, seat.count - seat.held)
        )
    for m in ending:
        reports.setdefault(m.body_id, BodyReport(m.body)).ending.append(m)
    return sorted(reports.values(), key=lambda r: r.body.name)


def vacancy_reports(*, partnership: Partnership, today: date) -> dict[User, list[BodyReport]]:
    """What each of the partnership's co-ordinators should hear about this week."""
    parents = dict(Body.objects.filter(partnership=partnership).values_list("id", "parent_id"))
    appointments = list(
        Appointment.objects.current(on=today)
        .filter(partnership=partnership, role=AppointmentRole.COORDINATOR)
        .select_related("person")
    )
    by_person: dict[User, list[BodyReport]] = defaultdict(list)
    for report in _reports(Q(body__partnership=partnership), today):
        line, current = set(), report.body.pk
        while current is not None and current not in line:
            line.add(current)
            current = parents.get(current)
        people = {a.person for a in appointments if a.body_id is None or a.body_id in line}
        for person in people:
            by_person[person].append(report)
    return dict(by_person)


def vacancy_reports_for(
    *, appointments: Iterable[tuple[int, int | None]], today: date
) -> list[BodyReport]:
    """What ``vacancy_reports`` tells one co-ordinator, in every partnership at once, given
    their current co-ordinator appointments as (partnership id, body id or None): the bodies
    of the partnerships they co-ordinate whole, and those at or below the bodies they
    co-ordinate. Each report's body comes with its partnership. Two queries (three when
    they co-ordinate a body: the bodies' tree)."""
    appointments = list(appointments)
    whole = {partnership_id for partnership_id, body_id in appointments if body_id is None}
    roots = {(p, b) for p, b in appointments if b is not None and p not in whole}
    if not whole and not roots:
        return []
    bodies = Q(body__partnership_id__in=whole)
    if roots:
        tree = Body.objects.filter(partnership_id__in={p for p, _ in roots})
        children: dict[int | None, list[int]] = defaultdict(list)
        known = set()
        for pk, parent_id, partnership_id in tree.values_list("id", "parent_id", "partnership_id"):
            children[parent_id].append(pk)
            known.add((partnership_id, pk))
        below, stack = set(), [b for p, b in roots if (p, b) in known]
        while stack:
            pk = stack.pop()
            if pk not in below:
                below.add(pk)
                stack.extend(children.get(pk, []))
        bodies |= Q(body_id__in=below)
    return _reports(bodies, today, for_links=True)


def vacancies_remind_coordinators(*, today: date | None = None) -> int:
    """Send this week's reminders; returns how many were sent now."""
    today = today or timezone.localdate()
    year, week, _ = today.isocalendar()

    def messages():
        for partnership in Partnership.objects.order_by("pk"):
            for person, reports in vacancy_reports(partnership=partnership, today=today).items():
                yield {
                    "to": person,
                    "key": f"vacancies-weekly:{partnership.pk}:{year}-W{week:02d}",
                    "template": "vacancies_weekly",
                    "context": {
                        "partnership": partnership,
                        "reports": reports,
                        "days": ENDING_WITHIN_DAYS,
                    },
                    "url": partnership.get_absolute_url(),
                }

    # One bad address stops nobody else's reminder; the job is retried for the rest.
    return notify_each(messages())
