"""The demo's reports, built through the services from the demo's signed-off returns, so each
role finds their part of the cycle ready to try:

- Safer and Stronger Communities: the exception report for the last quarter whose returns are
  all in (the quarter before the one being collected), written and approved by the group's
  chair, on the Delivery Board's next agenda as an item for decision with its paper (the PDF,
  rendered here), ready for the co-ordinator to circulate;
- Economic Development and Enterprise: its report for the same quarter, written by the
  co-ordinator and awaiting its chair (Nadia Rahman);
- this quarter's reports of the groups whose returns deadline has passed, drafted as the daily
  job drafts them, listing the returns still missing;
- the six-monthly performance report for the last ended half-year, built by the partnership's
  co-ordinator for the Partnership Board;
- last year's annual report, with its foreword, approved by the Partnership Board's chair and
  published on the public site.

Their PDFs are queued for the Celery worker that ``make run`` starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from membership.models import User
from membership.selectors import body_office_holders
from partnership.models import Body, Partnership
from partnership.periods import financial_year, last_ended_quarter
from performance import services
from performance.models import Report

GROUPS = {
    "approved": "Safer and Stronger Communities",
    "awaiting": "Economic Development and Enterprise",
}

FOREWORD = (
    "This has been the partnership's second full year under its new structure. Partners "
    "from the council, the police, health, the fire service, business and the voluntary "
    "sector met {meetings} times across the boards and groups, and every thematic group "
    "reported its performance to the Delivery Board each quarter."
)
HIGHLIGHTS = (
    "Burglary fell for the third year running in the areas where the Safer and Stronger "
    "Communities group focused its joint patrols.\n"
    "More young people stayed in learning or work at 16 than in any year since the "
    "partnership began counting.\n"
    "The partnership agreed its register of interests and its gifts and hospitality register "
    "online, replacing the paper forms."
)


@dataclass
class Loaded:
    exception_reports: int
    six_monthly: Report
    annual: Report


def _chair(body: Body) -> User | None:
    return body_office_holders(body=body).get("chair")


def _answers(report: Report, *, by_chair: bool) -> dict[str, str]:
    facts = report.facts
    answers: dict[str, str] = {}
    for row in facts.get("exceptions", []):
        answers[f"why_{row['id']}"] = (
            f"{row['title']} was {row['actual_text']} against a target of {row['target_text']}. "
            "Partners agree the main cause is the loss of two outreach posts at the start of "
            "the quarter."
        )
        answers[f"action_{row['id']}"] = (
            "The lead is recruiting to both posts, with interim cover from partners' staff; "
            "the group will review the figure at its next meeting."
        )
    off_track = len(facts.get("exceptions", []))
    answers["summary"] = "The group has reviewed every indicator for the quarter. " + (
        "None is off track."
        if not off_track
        else "One is off track and is explained below."
        if off_track == 1
        else f"{off_track} are off track and are explained below."
    )
    if not facts.get("exceptions"):
        answers["asks"] = "The Delivery Board is asked to note the report."
    elif by_chair:
        answers["asks"] = (
            "The Delivery Board is asked to note the exceptions and the action being taken, and "
            "to ask partners to release staff for the interim cover."
        )
    else:
        answers["asks"] = (
            "The Delivery Board is asked to note the exceptions and the action being taken."
        )
    return answers


@transaction.atomic
def load_reports(*, partnership: Partnership, coordinator: User, today: date | None = None):
    """Load the demo's reports once; None if the partnership already has reports."""
    if Report.objects.filter(partnership=partnership).exists():
        return None
    today = today or timezone.localdate()
    # The quarter being collected is the last one ended; the one before it is complete.
    period = last_ended_quarter(today).previous()
    bodies = {b.name: b for b in Body.objects.filter(partnership=partnership)}
    count = 0

    approved_group = bodies[GROUPS["approved"]]
    report = services.exception_report_draft(body=approved_group, period=period, actor=coordinator)
    chair = _chair(approved_group)
    services.report_save_narrative(
        actor=chair, report=report, narrative=_answers(report, by_chair=True)
    )
    approved = services.report_approve(
        actor=chair, report=report, comments="Approved for the Board."
    )
    # Its PDF now, rather than when the worker starts: the paper on the Delivery Board's
    # agenda then holds it, ready for the co-ordinator to circulate.
    services.report_render(report_id=approved.pk)
    count += 1

    awaiting_group = bodies[GROUPS["awaiting"]]
    report = services.exception_report_draft(body=awaiting_group, period=period, actor=coordinator)
    services.report_save_narrative(
        actor=coordinator, report=report, narrative=_answers(report, by_chair=False)
    )
    services.report_submit(actor=coordinator, report=report)
    count += 1

    count += services.exception_reports_draft_due(today=today)

    # The six-monthly report for the last half-year that has ended.
    ended = last_ended_quarter(today)
    half = ended if ended.number in (2, 4) else ended.previous()
    six_monthly = services.six_monthly_build(
        actor=coordinator, partnership=partnership, year=half.year, half=half.number
    )
    services.report_save_narrative(
        actor=coordinator,
        report=six_monthly,
        narrative={
            "summary": (
                "Most indicators are on track. The exceptions the thematic groups reported to "
                "the Delivery Board, and what was done about them, are set out at the end."
            )
        },
    )

    # Last year's annual report, approved by the Partnership Board's chair and published.
    annual = services.annual_build(
        actor=coordinator, partnership=partnership, year=financial_year(today) - 1
    )
    meetings = annual.facts.get("meetings", {}).get("held", 0)
    services.report_save_narrative(
        actor=coordinator,
        report=annual,
        narrative={"foreword": FOREWORD.format(meetings=meetings), "highlights": HIGHLIGHTS},
    )
    board_chair = _chair(annual.body)
    services.report_approve(actor=board_chair, report=annual)
    services.report_publish(actor=coordinator, report=Report.objects.get(pk=annual.pk))

    for report in Report.objects.filter(partnership=partnership).exclude(pk=approved.pk):
        services.report_render_later(report, requested_by=coordinator)
    return Loaded(
        exception_reports=count,
        six_monthly=six_monthly,
        annual=Report.objects.get(pk=annual.pk),
    )
