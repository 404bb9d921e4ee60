"""Governance's part of a member's record (``partnership.member_record``): the meetings of
their body held while they sat on it, their attendance at them, and whether they confirmed
their register entries for the year. Registered in ``GovernanceConfig.ready``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from governance.models import Attendance, AttendanceStatus, Meeting, MeetingStatus
from governance.models.registers import RegisterConfirmation
from partnership.member_record import Figures, empty_figures
from partnership.periods import financial_year

__all__ = ["attendance_figures"]


def _window(m: Any, start: date, end: date) -> tuple[date, date]:
    """The days from ``start`` to ``end`` (both included) on which ``m`` was held: a
    membership's end date is the first day it is no longer held."""
    last = end if m.ends_on is None else min(end, m.ends_on - timedelta(days=1))
    return max(start, m.starts_on), last


def attendance_figures(memberships: Sequence[Any], start: date, end: date) -> dict[int, Figures]:
    """Three queries however many memberships: the meetings, the attendance rows of the
    people at them, and the register confirmations. A meeting counts as governance's
    attendance record counts it (``governance.selectors.meetings.attendance_by_member``: its
    agenda published, neither a draft nor cancelled) if it was held while the person sat on
    the body by any of their given memberships of it, once however many; one with no row for
    the person is "not recorded". The register is the financial year of ``end``'s."""
    memberships = list(memberships)
    body_ids = {m.body_id for m in memberships}
    person_ids = {m.person_id for m in memberships}
    meetings: dict[int, list[tuple[int, date]]] = {}
    for pk, body_id, held_on in Meeting.objects.filter(
        body_id__in=body_ids,
        held_on__gte=start,
        held_on__lte=end,
        status=MeetingStatus.PUBLISHED,
    ).values_list("pk", "body_id", "held_on"):
        meetings.setdefault(body_id, []).append((pk, held_on))
    rows = {
        (meeting_id, person_id): (status, substitute_id)
        for meeting_id, person_id, status, substitute_id in Attendance.objects.filter(
            meeting_id__in=[pk for held in meetings.values() for pk, _ in held],
            person_id__in=person_ids,
        ).values_list("meeting_id", "person_id", "status", "substitute_id")
    }
    year = financial_year(end)
    partnership_ids = {m.body.partnership_id for m in memberships}
    confirmed = set(
        RegisterConfirmation.objects.filter(
            partnership_id__in=partnership_ids, person_id__in=person_ids, year=year
        ).values_list("partnership_id", "person_id")
    )
    windows: dict[tuple[int, int], list[tuple[date, date]]] = {}
    for m in memberships:
        windows.setdefault((m.body_id, m.person_id), []).append(_window(m, start, end))
    by_person: dict[tuple[int, int], Figures] = {}
    for (body_id, person_id), spans in windows.items():
        figures = empty_figures()
        for meeting_id, held_on in meetings.get(body_id, []):
            if not any(first <= held_on <= last for first, last in spans):
                continue
            figures["meetings_held"] += 1
            status, substitute_id = rows.get((meeting_id, person_id), (None, None))
            if status == AttendanceStatus.PRESENT:
                figures["attended"] += 1
            elif status == AttendanceStatus.APOLOGIES:
                figures["apologies"] += 1
            elif status is None:
                figures["not_recorded"] += 1
            else:
                figures["absent"] += 1
            if substitute_id is not None:
                figures["substitutes_sent"] += 1
        by_person[body_id, person_id] = figures
    found: dict[int, Figures] = {}
    for m in memberships:
        figures = dict(by_person[m.body_id, m.person_id])
        figures["declarations_confirmed"] = (m.body.partnership_id, m.person_id) in confirmed
        found[m.pk] = figures
    return found
