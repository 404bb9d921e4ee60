"""What every report shares: its facts' fingerprint, the rows that describe an indicator, and
saving a built report as a new version only when its data changed.

Facts are plain JSON data (strings, numbers, lists, dicts), so a version keeps the figures as
they stood when it was built, whatever happens to the returns later; the templates (page and
PDF) render nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from partnership.history import record_actor
from partnership.models import Body
from partnership.pdf import facts_fingerprint
from partnership.periods import Quarter, quarters_ending
from performance.models import (
    OPEN_REPORT,
    Direction,
    Indicator,
    Rag,
    Report,
    ReportStatus,
    ReturnStatus,
)
from performance.models import Return as ReturnRow
from performance.rules import format_value

__all__ = ["LAYOUT_VERSION", "save_version"]

# Part of every report's facts: bump it when the facts or the templates change shape, so a
# report built before says which template version it was built from.
# 2: the six-monthly and annual reports hold the risk registers' summary.
LAYOUT_VERSION = 2
# Quarters shown in an indicator's trend in a report.
TREND_QUARTERS = 8


def long_date(day: date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else ""


def site(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def body_facts(body: Body | None) -> dict | None:
    """A body as a report names it: its name and its page."""
    if body is None:
        return None
    return {"name": body.name, "url": site(body.get_absolute_url())}


def number(value: Decimal | None) -> str | None:
    """A Decimal as JSON keeps it: a string, exact."""
    return None if value is None else str(value)


def formatter(row: dict):
    """``fmt(value)`` for the indicator a row describes, as the dashboards format figures."""
    shape = SimpleNamespace(unit=row["unit"], decimal_places=row["decimal_places"])
    return lambda value: format_value(shape, None if value is None else Decimal(str(value)))


def signed_off_returns(
    indicator_ids: Iterable[int], periods: list[Quarter]
) -> dict[tuple[int, Quarter], ReturnRow]:
    """Signed-off returns of the indicators in the periods, by (indicator id, quarter): one
    query. A report's figures are signed-off figures only."""
    if not periods:
        return {}
    found = {}
    from performance.selectors import periods_q

    rows = (
        ReturnRow.objects.filter(
            indicator_id__in=list(indicator_ids), status=ReturnStatus.SIGNED_OFF
        )
        .filter(periods_q(periods))
        .select_related("submitted_by")
    )
    for ret in rows:
        found[(ret.indicator_id, Quarter(ret.year, ret.quarter))] = ret
    return found


def indicator_row(
    indicator: Indicator,
    period: Quarter,
    returns: dict[tuple[int, Quarter], ReturnRow],
    *,
    lead_name: str,
) -> dict:
    """Everything a report says about one indicator at ``period``: its signed-off figure with
    the target, RAG and directions it was signed off with, the lead's words, and its trend
    over the TREND_QUARTERS quarters to ``period`` (signed-off figures only). ``returns``
    comes from ``signed_off_returns`` over at least those quarters."""
    ret = returns.get((indicator.pk, period))
    row = {
        "id": indicator.pk,
        "code": indicator.code,
        "title": indicator.title,
        "unit": indicator.unit,
        "decimal_places": indicator.decimal_places,
        "polarity": indicator.polarity,
        "frequency": indicator.frequency,
        "published": indicator.published,
        "outcome_id": indicator.outcome_id,
        "lead": lead_name,
        "reported": ret is not None,
        "value": number(ret.value) if ret else None,
        "target": number(ret.target_value) if ret else None,
        "rag": (ret.rag if ret and ret.rag else Rag.NO_DATA),
        "direction": (ret.direction if ret and ret.direction else Direction.NOT_COMPARABLE),
        "direction_year": (
            ret.direction_year if ret and ret.direction_year else Direction.NOT_COMPARABLE
        ),
        "commentary": ret.commentary if ret else "",
        "remedial_action": ret.remedial_action if ret else "",
        "remedial_by": long_date(ret.remedial_by) if ret else "",
        "trend": [],
    }
    row["actual_text"] = format_value(indicator, ret.value if ret else None)
    row["target_text"] = format_value(indicator, ret.target_value) if ret else "No target"
    row["rag_label"] = Rag(row["rag"]).label
    row["direction_label"] = Direction(row["direction"]).label
    row["direction_year_label"] = Direction(row["direction_year"]).label
    for quarter in quarters_ending(period, TREND_QUARTERS):
        past = returns.get((indicator.pk, quarter))
        row["trend"].append(
            {
                "period": quarter.short_label,
                "year": quarter.year,
                "quarter": quarter.number,
                "value": number(past.value) if past else None,
                "target": number(past.target_value) if past else None,
            }
        )
    return row


def trend_periods(period: Quarter) -> list[Quarter]:
    return quarters_ending(period, TREND_QUARTERS)


def lock_body(body: Body) -> None:
    """Hold the body's row until the transaction ends. A builder takes it before it reads
    the data, so two builds of the same body's report run one after the other: a slower build
    can never store older figures as the newest version."""
    # NO KEY UPDATE: it still makes builds wait for each other, but not an insert that merely
    # points at the body (an agenda item about it, a membership), which would deadlock with
    # an approval holding the report's row.
    Body.objects.select_for_update(no_key=True).filter(pk=body.pk).first()


@transaction.atomic
def save_version(
    *,
    actor: Any,
    body: Body,
    kind: str,
    year: int,
    quarter: int = 0,
    issue: int = 1,
    title: str,
    facts: dict,
    stamp: dict | None = None,
) -> tuple[Report, bool]:
    """Store a report built from ``facts``. Returns (report, changed).

    ``stamp`` is stored with the facts of a new version but kept out of its fingerprint: what
    says when it was built (the day, a window that moves with the day) is not its data, or a
    rebuild the next day would make a new version of the same data.

    - No report yet for this body, kind, period and issue: version 1, a draft.
    - The latest version holds the same data: it is returned unchanged (rebuilt only when the
      data changed).
    - The data changed: a new version. An open draft is superseded by it and its narrative is
      carried over; an approved version stays as it was approved.
    Serialised by locking the body's row, so two builds at once make one version (builders
    take the lock earlier, before reading their data: ``lock_body``).
    """
    lock_body(body)
    facts = {**facts, "layout": LAYOUT_VERSION}
    digest = facts_fingerprint(facts)
    versions = Report.objects.filter(
        body=body, kind=kind, year=year, quarter=quarter, issue=issue
    ).order_by("-version")
    latest = versions.first()
    if latest is not None and latest.data_fingerprint == digest:
        return latest, False
    facts = {**facts, **(stamp or {})}
    narrative: dict = {}
    # Locked, and its state read again once held: a chair approving it meanwhile has either
    # committed (it is approved, so not superseded here) or waits for this build.
    open_report = versions.filter(status__in=OPEN_REPORT).select_for_update(of=("self",)).first()
    if open_report is not None:
        narrative = open_report.narrative
        open_report.status = ReportStatus.SUPERSEDED
        record_actor(open_report, actor=actor, reason="Superseded: rebuilt with new data")
        open_report.save(update_fields=["status"])
    elif latest is not None:
        narrative = latest.narrative
    report = Report(
        partnership=body.partnership,
        body=body,
        kind=kind,
        year=year,
        quarter=quarter,
        issue=issue,
        version=(latest.version + 1) if latest else 1,
        title=title,
        facts=facts,
        data_fingerprint=digest,
        layout_version=LAYOUT_VERSION,
        built_at=timezone.now(),
        built_by=actor if getattr(actor, "is_authenticated", False) else None,
        narrative=narrative,
    )
    record_actor(report, actor=actor, reason="Built" if latest is None else "Rebuilt: data changed")
    report.save()
    return report, True
