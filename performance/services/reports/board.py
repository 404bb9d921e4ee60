"""The Partnership Board's reports: what they share, and the six-monthly performance report
(for members). The annual report and the newsletter (for partners and the public) are built in
``annual.py`` from the same parts.

Each builder reads what the report is about in a fixed number of queries, however many
indicators, actions, meetings or people there are, freezes it as plain data (the facts schema
of ``performance.services.reports``) and stores it with ``common.save_version``: a new version
only when the data changed.

What the public may read is decided here once for these reports: the annual report and the
newsletter hold published indicators only, meetings whose agenda was published, and decisions
of approved minutes on items that are not confidential (the rules of
``governance.selectors.meetings`` for ``PUBLIC``); registers appear as counts only. The
six-monthly report is for members: it holds unpublished indicators too, and says so
(``has_unpublished``) so that the agenda item it is put on is made confidential.

Risks appear as the summary of ``performance.selectors.risk_summary``: counts of open,
non-confidential risks, never a risk. The public sees nothing of risks unless the partnership
publishes a summary (``RiskSettings.publish_summary``), so the six-monthly report's risk
section, when it does not, counts as unpublished (the report never becomes public and goes on a
confidential item), and the annual report then has no risk section at all. The figures are those
of the day the report is built, frozen in its facts: a rebuild after a risk changed is a new
version.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from governance.models import (
    Meeting,
    MeetingStatus,
    MinuteEntry,
    MinutesStatus,
)
from partnership.models import Body, BodyKind, Partnership
from partnership.periods import Quarter, quarters_ending
from performance.models import (
    ActionStatus,
    Indicator,
    Outcome,
    PlanAction,
    Report,
    ReportKind,
    ReportStatus,
)
from performance.selectors.risk_summary import risk_summary
from performance.services.reports.common import (
    TREND_QUARTERS,
    body_facts,
    indicator_row,
    lock_body,
    long_date,
    save_version,
    signed_off_returns,
    site,
)

__all__ = ["partnership_board", "six_monthly_build"]

# Key decisions in the annual report, and in a newsletter; upcoming meetings in a newsletter.
ANNUAL_DECISIONS = 30
NEWSLETTER_DECISIONS = 5
NEWSLETTER_UPCOMING = 5
# A newsletter's highlights look back about six months.
NEWSLETTER_DAYS = 182


def partnership_board(partnership: Partnership) -> Body:
    """The partnership's open Partnership Board: it owns the board's reports, and its chair
    approves them."""
    board = (
        Body.objects.open()
        .filter(partnership=partnership, kind=BodyKind.PARTNERSHIP_BOARD)
        .select_related("partnership")
        .order_by("pk")
        .first()
    )
    if board is None:
        raise ValidationError(
            f"{partnership.name} has no open partnership board: set one up in the structure "
            "before building its reports."
        )
    return board


# --- shared parts ----------------------------------------------------------------------------


def _head(
    *,
    kind: str,
    board: Body,
    title: str,
    period: str,
    audience: str,
    has_unpublished: bool,
    goes_to: Body | None,
) -> dict:
    """The keys every report's facts start with, except the ones stamped after saving."""
    return {
        "kind": str(kind),
        "partnership": board.partnership.name,
        "title": title,
        "period": period,
        "audience": audience,
        "has_unpublished": has_unpublished,
        "body": body_facts(board),
        "board": body_facts(goes_to),
    }


def _save(
    *,
    actor: Any,
    board: Body,
    kind: str,
    year: int,
    quarter: int,
    issue: int,
    facts: dict,
    stamp: dict,
) -> Report:
    """save_version with ``stamp`` (the day it was built, a window that moves with the day)
    kept out of the fingerprint."""
    report, _ = save_version(
        actor=actor,
        body=board,
        kind=kind,
        year=year,
        quarter=quarter,
        issue=issue,
        title=facts["title"],
        facts=facts,
        stamp=stamp,
    )
    return report


def _risks(partnership: Partnership, *, was_at: date) -> dict:
    """The registers' summary as facts, with the movement since ``was_at`` (the end of the
    previous half-year or year); ``published`` says whether the partnership publishes one."""
    return risk_summary(partnership, was_at=was_at).as_data()


def _active_in(start: date) -> Q:
    """Indicators not retired before ``start``: they count for a period starting then."""
    return Q(retired_on__isnull=True) | Q(retired_on__gt=start)


def _action(action: PlanAction, today: date) -> dict:
    return {
        "title": action.title,
        "partner": action.organisation.name,
        "lead": action.lead.get_full_name(),
        "due": long_date(action.due_on),
        "status": action.status,
        "status_label": action.get_status_display(),
        "overdue": action.is_overdue(today=today),
        "progress": action.progress,
    }


def _outcome_sections(
    *, partnership: Partnership, indicators: list[Indicator], window: list[Quarter], today: date
) -> list[dict]:
    """The indicators grouped by outcome, each with its delivery plan's actions, in three
    queries. An indicator's position is its latest signed-off figure in ``window`` (its
    last quarter if it has none there), with the quarter it is at (``as_at``) and its trend to
    that quarter."""
    start, last = window[0].starts_on, window[-1]
    # Enough quarters for the trend of a position at any quarter of the window.
    returns = signed_off_returns(
        [i.pk for i in indicators], quarters_ending(last, TREND_QUARTERS + len(window) - 1)
    )
    rows: dict[int | None, list[dict]] = {}
    for indicator in indicators:
        at = next((q for q in reversed(window) if (indicator.pk, q) in returns), last)
        row = indicator_row(indicator, at, returns, lead_name=indicator.lead.get_full_name())
        row["as_at"] = at.short_label
        rows.setdefault(indicator.outcome_id, []).append(row)
    # Outcomes open at some time in the window, and any (closed) outcome with an indicator.
    outcomes = list(
        Outcome.objects.filter(partnership=partnership)
        .filter(
            Q(closed_on__isnull=True)
            | Q(closed_on__gt=start)
            | Q(pk__in=[k for k in rows if k is not None])
        )
        .order_by("code", "pk")
    )
    actions: dict[int, list[dict]] = {}
    plan = (
        PlanAction.objects.filter(outcome__in=outcomes)
        # Actions finished before the period are history, not its delivery plan.
        .exclude(status=ActionStatus.COMPLETE, completed_on__lt=start)
        .select_related("organisation", "lead")
        .order_by("due_on", "pk")
    )
    for action in plan:
        actions.setdefault(action.outcome_id, []).append(_action(action, today))
    sections = [
        {
            "code": outcome.code,
            "title": outcome.title,
            "kind_label": outcome.get_kind_display(),
            "indicators": rows.pop(outcome.pk, []),
            "actions": actions.get(outcome.pk, []),
        }
        for outcome in outcomes
    ]
    others = [row for group in rows.values() for row in group]
    if others:
        others.sort(key=lambda r: (r["code"], r["id"]))
        sections.append(
            {
                "code": "",
                "title": "Other indicators",
                "kind_label": "",
                "indicators": others,
                "actions": [],
            }
        )
    return sections


def _indicators(partnership: Partnership, start: date, *, published_only: bool) -> list[Indicator]:
    qs = Indicator.objects.filter(_active_in(start), partnership=partnership)
    if published_only:
        qs = qs.filter(published=True)
    return list(qs.select_related("lead").order_by("code", "pk"))


def _held(partnership: Partnership, start: date, end: date):
    """Meetings held between the dates (before today) whose agenda was published: the
    public's record. A cancelled meeting was not held."""
    return Meeting.objects.filter(
        body__partnership=partnership,
        held_on__range=(start, end),
        held_on__lt=timezone.localdate(),
        status=MeetingStatus.PUBLISHED,
        published_at__isnull=False,
    )


def _public_decisions(
    partnership: Partnership, start: date, end: date, *, limit: int
) -> list[dict]:
    """Decisions of approved minutes of meetings held between the dates, newest first: what
    ``governance.selectors.decisions_log`` shows the public, for every body in one query. A
    confidential item's decision never leaves here."""
    entries = (
        MinuteEntry.objects.filter(
            minutes__status=MinutesStatus.APPROVED,
            minutes__meeting__in=_held(partnership, start, end),
            item__confidential=False,
        )
        .exclude(decision="")
        .select_related("item", "minutes__meeting__body__partnership")
        .order_by(
            "-minutes__meeting__held_on",
            "-minutes__meeting__start_time",
            "-minutes__meeting_id",
            "item__position",
            "item_id",
        )[:limit]
    )
    decisions = []
    for entry in entries:
        meeting = entry.minutes.meeting
        decisions.append(
            {
                "body": meeting.body.name,
                "meeting": meeting.name,
                "date": long_date(meeting.held_on),
                "item": entry.item.title,
                "decision": entry.decision,
                "url": site(meeting.get_absolute_url()),
            }
        )
    return decisions


# --- the six-monthly performance report --------------------------------------------------------


def _exception_reports(partnership: Partnership, quarters: list[Quarter]) -> list[dict]:
    """The approved exception reports of the quarters: what was off track, and what the chair
    said was being done and asked of the board."""
    reports = (
        Report.objects.filter(
            partnership=partnership,
            kind=ReportKind.EXCEPTION,
            status=ReportStatus.APPROVED,
            year=quarters[0].year,
            quarter__in=[q.number for q in quarters],
        )
        .select_related("body", "partnership")
        .order_by("quarter", "body__name", "pk")
    )
    found = []
    for report in reports:
        facts, narrative = report.facts or {}, report.narrative or {}
        period = Quarter(report.year, report.quarter)
        found.append(
            {
                "body": report.body.name,
                "quarter": facts.get("quarter") or period.short_label,
                "title": report.title,
                "url": site(report.get_absolute_url()),
                "approved_on": long_date(timezone.localtime(report.approved_at).date()),
                "summary": narrative.get("summary", ""),
                "asks": narrative.get("asks", ""),
                "has_unpublished": bool(facts.get("has_unpublished")),
                "exceptions": [
                    {
                        "code": row.get("code", ""),
                        "title": row.get("title", ""),
                        "rag_label": row.get("rag_label", ""),
                        "why": narrative.get(f"why_{row.get('id')}", ""),
                        "action": narrative.get(f"action_{row.get('id')}", ""),
                    }
                    for row in facts.get("exceptions", [])
                ],
            }
        )
    return found


@transaction.atomic
def six_monthly_build(*, actor: Any, partnership: Partnership, year: int, half: int) -> Report:
    """Build (or rebuild) the six-monthly performance report for the half-year ending with
    quarter ``half`` (2: April to September, 4: October to March) of financial year ``year``:
    every indicator's position at the half's last quarter and its trend, by outcome, with the
    delivery plan's actions, the approved exception reports of the half's quarters, and the
    risk registers' summary (always: members-only when the partnership does not publish one,
    and the report says so to its readers)."""
    if half not in (2, 4):
        raise ValidationError("A half-year ends with quarter 2 (September) or 4 (March).")
    board = partnership_board(partnership)
    lock_body(board)
    last = Quarter(year, half)
    today = timezone.localdate()
    if last.ends_on >= today:
        raise ValidationError(
            f"The half-year ends on {long_date(last.ends_on)}: build its report once it has ended."
        )
    quarters = [last.previous(), last]
    start, end = quarters[0].starts_on, last.ends_on
    indicators = _indicators(partnership, start, published_only=False)
    outcomes = _outcome_sections(
        partnership=partnership, indicators=indicators, window=[last], today=today
    )
    exception_reports = _exception_reports(partnership, quarters)
    period = Report(kind=ReportKind.SIX_MONTHLY, year=year, quarter=half).period_label
    unpublished_indicators = any(not i.published for i in indicators) or any(
        r["has_unpublished"] for r in exception_reports
    )
    # Where they stood when the half-year before this one ended.
    risks = _risks(partnership, was_at=quarters[0].previous().ends_on)
    has_unpublished = unpublished_indicators or not risks["published"]
    facts = {
        **_head(
            kind=ReportKind.SIX_MONTHLY,
            board=board,
            title=f"Six-monthly performance report: {period}",
            period=period,
            audience="members",
            has_unpublished=has_unpublished,
            goes_to=board,
        ),
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "outcomes": outcomes,
        "exception_reports": exception_reports,
        "unpublished_indicators": unpublished_indicators,
        "risks": risks,
    }
    return _save(
        actor=actor,
        board=board,
        kind=ReportKind.SIX_MONTHLY,
        year=year,
        quarter=half,
        issue=1,
        facts=facts,
        stamp={"built_on": long_date(today)},
    )
