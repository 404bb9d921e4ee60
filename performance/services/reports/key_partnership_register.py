"""The register of key partnerships as a report: the register as it stands, frozen as facts,
for its PDF (the issue's "the key partnerships register as a PDF").

What it holds: every field of every active key partnership, in the order of the register, as
its readers see it (``can_read_key_partnerships``: the keepers and everyone who sits on a body
of the partnership). One snapshot serves every reader, so what only some readers may see is
counted, never named: its linked risks (a risk is read only by its body's people, and never by
the public) and its indicators not yet published (read only by their body's insiders); its
published indicators are named.

Who reads it: the report belongs to the partnership's board, as the register's other reports
do, and ``can_see_report`` lets every reader of the register read it. It is never approved,
placed on an agenda or published (``has_unpublished`` keeps it from any public list), as a
risk register's PDF.

One report per quarter: building it again makes a new version only if the register changed
(``save_version``), so asking for the PDF twice renders it once.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from partnership.models import Body, Organisation, Partnership
from partnership.periods import Quarter
from performance.models import (
    Indicator,
    KeyPartnership,
    KeyPartnershipStatus,
    Report,
    ReportKind,
    Risk,
    RiskStatus,
    review_years_for,
)
from performance.services.reports.board import partnership_board
from performance.services.reports.common import body_facts, lock_body, long_date, save_version
from performance.services.reports.key_partnerships import money

__all__ = [
    "key_partnership_register_build",
    "key_partnership_register_facts",
    "key_partnership_register_title",
]


def key_partnership_register_title(partnership: Partnership, period: Quarter) -> str:
    return f"Key partnerships register: {partnership.name}, {period.short_label}"[:200]


def _yes(value: bool) -> str:
    return "Yes" if value else "No"


def _record(kp: KeyPartnership, today: date) -> dict:
    indicators = list(kp.indicators.all())
    return {
        "id": kp.pk,
        "name": kp.name,
        "lead_organisation": kp.lead_organisation.name,
        "lead_service": kp.lead_service,
        "lead_officer": kp.lead_officer.full_name,
        "remit": kp.remit,
        "bodies": sorted(b.name for b in kp.bodies.all()),
        "partner_organisations": sorted(o.name for o in kp.partner_organisations.all()),
        "other_partners": [line.strip() for line in kp.other_partners.splitlines() if line.strip()],
        "meets_key_criteria": _yes(kp.meets_key_criteria),
        "key_criteria": kp.criteria_labels(),
        "key_criteria_notes": kp.key_criteria_notes,
        "monitoring_arrangements": kp.monitoring_arrangements,
        "additional_monitoring": _yes(kp.additional_monitoring),
        "additional_monitoring_reason": kp.additional_monitoring_reason,
        "mou_text": kp.mou_text,
        "mou_file": kp.mou_file.name.rsplit("/", 1)[-1] if kp.mou_file else "",
        "mou_approved_by": kp.mou_approved_by,
        "mou_approved_on": long_date(kp.mou_approved_on),
        "funding": kp.funding,
        "annual_value": money(kp.annual_value),
        "liabilities": kp.liabilities,
        "exit_strategy": kp.exit_strategy,
        "notice_period": kp.notice_period,
        "risks": len(kp.risks.all()),
        "indicators": [f"{i.code}: {i.title}" for i in indicators if i.published],
        "unpublished_indicators": sum(not i.published for i in indicators),
        "reports_to_executive": _yes(kp.reports_to_executive),
        "last_reviewed_on": long_date(kp.last_reviewed_on) or "Not yet reviewed",
        "next_review_on": long_date(kp.next_review_on),
        "review_overdue": kp.next_review_on < today,
    }


def key_partnership_register_facts(
    *, partnership: Partnership, board: Body, today: date | None = None
) -> dict:
    """The register's facts as it stands ``today``: a fixed number of queries however many
    key partnerships."""
    today = today or timezone.localdate()
    period = Quarter.of(today)
    records = (
        KeyPartnership.objects.filter(partnership=partnership, status=KeyPartnershipStatus.ACTIVE)
        .select_related("lead_organisation", "lead_officer", "partnership")
        .prefetch_related(
            Prefetch("bodies", queryset=Body.objects.order_by()),
            Prefetch("partner_organisations", queryset=Organisation.objects.order_by()),
            Prefetch("risks", queryset=Risk.objects.filter(status=RiskStatus.OPEN).order_by()),
            Prefetch("indicators", queryset=Indicator.objects.order_by("code", "pk")),
        )
        .order_by("name", "pk")
    )
    rows = [_record(kp, today) for kp in records]
    return {
        "kind": ReportKind.KEY_PARTNERSHIP_REGISTER.value,
        "partnership": partnership.name,
        "title": key_partnership_register_title(partnership, period),
        "period": period.short_label,
        "audience": "members",
        # Never for the public: money, liabilities, exit strategies and memoranda.
        "has_unpublished": True,
        "body": body_facts(board),
        "review_years": review_years_for(partnership),
        "count": len(rows),
        "overdue": sum(r["review_overdue"] for r in rows),
        "partnerships": rows,
    }


@transaction.atomic
def key_partnership_register_build(
    *, partnership: Partnership, actor: Any = None, today: date | None = None
) -> Report:
    """Build the register's report for this quarter, or return the latest version if the
    register has not changed since. Idempotent; never approved or published."""
    today = today or timezone.localdate()
    board = partnership_board(partnership)
    lock_body(board)  # before reading: a slower build never stores an older register as newest
    facts = key_partnership_register_facts(partnership=partnership, board=board, today=today)
    period = Quarter.of(today)
    report, _ = save_version(
        actor=actor,
        body=board,
        kind=ReportKind.KEY_PARTNERSHIP_REGISTER,
        year=period.year,
        quarter=period.number,
        title=facts["title"],
        facts=facts,
        # The day it was built is not its data: the same register another day is no new
        # version.
        stamp={"built_on": long_date(today)},
    )
    return report
