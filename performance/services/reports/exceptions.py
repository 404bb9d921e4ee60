"""A thematic group's quarterly exception report, drafted for its chair.

When the group's returns for a quarter are all signed off, or the quarter's deadline has passed,
whichever comes first, the system builds the report from the signed-off returns: every red
indicator and every amber one that is worsening on the quarter before, a summary of the
group's other indicators, and those with no signed-off figure. A group with nothing off track
gets a short "no exceptions" report. The chair (or the co-ordinator, for the chair) then writes
the narrative and approves it (workflow.py), and it goes to the body the group reports to.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from membership.selectors import body_coordinators
from partnership.models import Body
from partnership.notifications import notify_after_commit
from partnership.periods import Quarter, last_ended_quarter
from performance.models import (
    Direction,
    Indicator,
    Rag,
    Report,
    ReportKind,
    Return,
    ReturnStatus,
)
from performance.selectors.returns import deadlines_for, first_owed, indicators_set_up_on
from performance.services.reports.common import (
    body_facts,
    indicator_row,
    lock_body,
    long_date,
    save_version,
    signed_off_returns,
    trend_periods,
)

__all__ = [
    "exception_facts",
    "exception_quarter_complete",
    "exception_report_after_sign_off",
    "exception_report_draft",
    "exception_reports_draft_due",
    "exception_title",
]

RED = "Red"
AMBER_WORSENING = "Amber and worsening"


def exception_title(body: Body, period: Quarter) -> str:
    return f"Exception report: {body.name}, {period.short_label}"[:200]


def _due_indicators(body: Body, period: Quarter) -> list[Indicator]:
    """The body's indicators that owe a return for ``period``: due that quarter (by their
    frequency), not retired before it started, and set up by the time its returns opened (an
    indicator set up later was never owed it, unless a return was made for it anyway).
    Three queries, whatever the number of indicators."""
    candidates = [
        i
        for i in Indicator.objects.filter(body=body)
        .filter(Q(retired_on__isnull=True) | Q(retired_on__gt=period.starts_on))
        .select_related("lead")
        .order_by("code", "pk")
        if i.is_due(period)
    ]
    first = first_owed(indicators_set_up_on([i.pk for i in candidates]))
    late = {i.pk for i in candidates if i.pk in first and period < first[i.pk]}
    reported = set()
    if late:
        reported = set(
            Return.objects.filter(
                indicator_id__in=late, year=period.year, quarter=period.number
            ).values_list("indicator_id", flat=True)
        )
    return [i for i in candidates if i.pk not in late or i.pk in reported]


def _why(row: dict) -> str | None:
    if row["rag"] == Rag.RED:
        return RED
    if row["rag"] == Rag.AMBER and row["direction"] == Direction.WORSENING:
        return AMBER_WORSENING
    return None


def exception_facts(*, body: Body, period: Quarter, today: date | None = None) -> dict:
    """The exception report's facts (the brief's schema) from the signed-off returns as they
    stand: one query for the indicators with their leads and one for their returns."""
    today = today or timezone.localdate()
    body = Body.objects.select_related("partnership", "parent__partnership").get(pk=body.pk)
    indicators = _due_indicators(body, period)
    returns = signed_off_returns([i.pk for i in indicators], trend_periods(period))
    exceptions, others, missing = [], [], []
    counts = {"red": 0, "amber": 0, "green": 0, "no_data": 0}
    for indicator in indicators:
        lead = indicator.lead.full_name
        if (indicator.pk, period) not in returns:
            missing.append({"code": indicator.code, "title": indicator.title, "lead": lead})
            counts["no_data"] += 1
            continue
        row = indicator_row(indicator, period, returns, lead_name=lead)
        counts[row["rag"] if row["rag"] in counts else "no_data"] += 1
        why = _why(row)
        if why:
            exceptions.append({**row, "why": why})
        else:
            others.append(row)
    # Red before amber, then by code: the worst first.
    exceptions.sort(key=lambda r: (r["why"] != RED, r["code"]))
    title = exception_title(body, period)
    return {
        "kind": ReportKind.EXCEPTION.value,
        "partnership": body.partnership.name,
        "title": title,
        "period": period.short_label,
        "quarter": period.short_label,
        "period_start": period.starts_on.isoformat(),
        "period_end": period.ends_on.isoformat(),
        "built_on": long_date(today),
        "audience": "members",
        # Members read it whole; the agenda item it goes on is made confidential instead.
        "has_unpublished": any(not i.published for i in indicators),
        "body": body_facts(body),
        "board": body_facts(body.parent),
        "exceptions": exceptions,
        "others": others,
        "missing": missing,
        "counts": counts,
        "no_exceptions": not exceptions,
    }


@transaction.atomic
def exception_report_draft(*, body: Body, period: Quarter, actor: Any = None) -> Report:
    """Build (or rebuild) the body's exception report for ``period``. Idempotent: unchanged
    data returns the latest version; changed data makes a new one (an open draft is superseded
    and its narrative carried over; an approved version stays as approved). A new version is
    told to the chair (and deputy where they act) and the body's co-ordinators, once each."""
    lock_body(body)  # before reading: a slower build never stores older figures as newest
    facts = exception_facts(body=body, period=period)
    # The day it was built is not its data: a rebuild on another day with the same figures
    # makes no new version.
    stamp = {"built_on": facts.pop("built_on")}
    report, changed = save_version(
        actor=actor,
        body=body,
        kind=ReportKind.EXCEPTION,
        year=period.year,
        quarter=period.number,
        title=facts["title"],
        facts=facts,
        stamp=stamp,
    )
    if changed:
        notify_after_commit(_drafted_messages, report.pk)
    return report


def _drafted_messages(report_id: int):
    from governance.services import approval

    report = Report.objects.select_related("body__partnership").get(pk=report_id)
    people = {}
    for person in approval.approvers(body=report.body, chair_unavailable=False):
        people[person.pk] = person
    for person in body_coordinators(body=report.body):
        people.setdefault(person.pk, person)
    for person in people.values():
        yield {
            "to": person,
            "key": f"report_drafted:{report.pk}:{report.version}",
            "template": "report_drafted",
            "context": {"report": report, "body": report.body},
            "url": report.get_absolute_url(),
        }


def exception_quarter_complete(*, body: Body, period: Quarter) -> bool:
    """Whether every indicator of the body owing a return for ``period`` has it signed off
    (and there is at least one)."""
    indicators = _due_indicators(body, period)
    if not indicators:
        return False
    signed = Return.objects.filter(
        indicator__in=indicators,
        year=period.year,
        quarter=period.number,
        status=ReturnStatus.SIGNED_OFF,
    ).count()
    return signed == len(indicators)


def exception_reports_draft_due(*, today: date | None = None) -> int:
    """The daily job: for the last quarter to have ended, every open body that reports to
    another, with indicators due, whose returns deadline has passed and which has no exception
    report for it yet gets one drafted (whatever is signed off by then). A body reporting to
    nobody has no board to report exceptions to. Returns how many were drafted."""
    today = today or timezone.localdate()
    period = last_ended_quarter(today)
    body_ids = set(
        Indicator.objects.filter(Q(retired_on__isnull=True) | Q(retired_on__gt=period.starts_on))
        .filter(Q(body__closed_on__isnull=True) | Q(body__closed_on__gt=today))
        .filter(body__parent__isnull=False)
        .values_list("body_id", flat=True)
    )
    done = set(
        Report.objects.filter(
            kind=ReportKind.EXCEPTION, year=period.year, quarter=period.number
        ).values_list("body_id", flat=True)
    )
    deadlines = deadlines_for(body_ids=body_ids - done, periods=[period])
    drafted = 0
    for body in Body.objects.filter(pk__in=body_ids - done).order_by("pk"):
        if deadlines[(body.pk, period)] >= today:
            continue
        if not _due_indicators(body, period):
            continue
        exception_report_draft(body=body, period=period)
        drafted += 1
    return drafted


def exception_report_after_sign_off(*, body_id: int, period: Quarter) -> Report | None:
    """Called once a sign-off commits: draft the report if that completed the quarter. Only for
    the quarter whose returns are being collected, or one that already has a report (a
    corrected figure makes a new version); loading past quarters' returns drafts nothing."""
    body = Body.objects.get(pk=body_id)
    if body.parent_id is None:
        return None  # it reports to nobody: no board to report exceptions to
    if period != last_ended_quarter(timezone.localdate()):
        exists = Report.objects.filter(
            body=body, kind=ReportKind.EXCEPTION, year=period.year, quarter=period.number
        ).exists()
        if not exists:
            return None
    if not exception_quarter_complete(body=body, period=period):
        return None
    return exception_report_draft(body=body, period=period)
