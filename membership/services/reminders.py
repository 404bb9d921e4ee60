"""The weekly reminder to co-ordinators: seats with vacant places, and memberships ending in
the next 60 days, for the bodies each co-ordinates (a body's co-ordinators include those of the
bodies above it and of the whole partnership). One message per co-ordinator, partnership and
ISO week, however often the job runs; nothing is sent to someone with nothing to act on."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from membership.models import Appointment, AppointmentRole, Membership, Seat, User
from partnership.models import Body, Partnership
from partnership.notifications import notify_each

__all__ = ["ENDING_WITHIN_DAYS", "BodyReport", "vacancy_reports", "vacancies_remind_coordinators"]

ENDING_WITHIN_DAYS = 60


@dataclass
class BodyReport:
    body: Body
    vacant: list[tuple[Seat, int]] = field(default_factory=list)  # (seat, places vacant)
    ending: list[Membership] = field(default_factory=list)


def _reports(partnership: Partnership, today: date) -> list[BodyReport]:
    """Each open body with a vacant place or a membership ending soon, in three queries."""
    current = Membership.objects.current(on=today).filter(body__partnership=partnership)
    held: dict[int, int] = defaultdict(int)
    for seat_id in current.values_list("seat_id", flat=True):
        held[seat_id] += 1
    reports: dict[int, BodyReport] = {}
    bodies = Body.objects.open(on=today).filter(partnership=partnership)
    for seat in Seat.objects.filter(body__in=bodies).select_related("body").order_by("name"):
        vacant = seat.count - held[seat.pk]
        if vacant > 0:
            reports.setdefault(seat.body_id, BodyReport(seat.body)).vacant.append((seat, vacant))
    soon = today + timedelta(days=ENDING_WITHIN_DAYS)
    for m in (
        current.filter(body__in=bodies, ends_on__isnull=False, ends_on__lte=soon)
        .select_related("person", "body", "seat")
        .order_by("ends_on", "person__full_name")
    ):
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
    for report in _reports(partnership, today):
        line, current = set(), report.body.pk
        while current is not None and current not in line:
            line.add(current)
            current = parents.get(current)
        people = {a.person for a in appointments if a.body_id is None or a.body_id in line}
        for person in people:
            by_person[person].append(report)
    return dict(by_person)


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
