"""What performance puts in the search index: indicators and reports, each found by whom the
performance selectors let see it (``performance.selectors``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from governance.models import AgendaItem, Meeting, Paper
from partnership.models import SearchAudience, SearchKind
from partnership.search import Entry, register_dependents, register_indexer
from performance.models import Indicator, Report
from performance.models.reports import ReportKind
from performance.selectors.reports import public_reports

# Registers as reports are snapshots reached from their registers, never listed as reports.
NOT_LISTED = [ReportKind.RISK_REGISTER, ReportKind.KEY_PARTNERSHIP_REGISTER]


def indicator_entries(indicator: Indicator) -> list[Entry]:
    """A published indicator for everyone; an unpublished one for its body's insiders
    (``Viewer.indicators``: members and co-ordinators) and its lead."""
    published = indicator.published
    return [
        Entry(
            kind=SearchKind.INDICATOR,
            partnership_id=indicator.partnership_id,
            body_id=indicator.body_id,
            title=f"{indicator.code} {indicator.title}",
            text="\n".join(p for p in (indicator.definition, indicator.data_source) if p),
            on_date=None,
            url=indicator.get_absolute_url(),
            audience=SearchAudience.PUBLIC if published else SearchAudience.MEMBERS,
            person_id=None if published else indicator.lead_id,
        )
    ]


def _words(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _words(v)
    elif isinstance(value, list):
        for v in value:
            yield from _words(v)


def _newer(report: Report):
    return Report.objects.filter(
        body_id=report.body_id,
        kind=report.kind,
        year=report.year,
        quarter=report.quarter,
        issue=report.issue,
        version__gt=report.version,
    )


def report_entries(report: Report) -> list[Entry]:
    """The latest version the public may see (``public_reports``) for everyone; the latest
    version of all for the body's insiders (``reports_for``); an older one for nobody."""
    if report.kind in NOT_LISTED:
        return []
    if public_reports(report.partnership).filter(pk=report.pk).exists():
        audience = SearchAudience.PUBLIC
    elif not _newer(report).exists():
        audience = SearchAudience.MEMBERS
    else:
        return []
    return [
        Entry(
            kind=SearchKind.REPORT,
            partnership_id=report.partnership_id,
            body_id=report.body_id,
            title=report.title,
            text="\n".join(_words(report.narrative)),
            on_date=timezone.localdate(
                report.published_at or report.approved_at or report.built_at
            ),
            url=report.get_absolute_url(),
            audience=audience,
        )
    ]


def _versions(report: Report) -> Iterable[Report]:
    # A new version changes which of the others is the latest.
    return Report.objects.filter(
        body_id=report.body_id,
        kind=report.kind,
        year=report.year,
        quarter=report.quarter,
        issue=report.issue,
    ).select_related("partnership")


def _reports():
    return Report.objects.select_related("partnership")


def register_indexers() -> None:
    register_indexer(
        Indicator,
        indicator_entries,
        queryset=lambda: Indicator.objects.select_related("partnership"),
    )
    register_indexer(
        Report,
        report_entries,
        related=_versions,
        queryset=_reports,
    )
    # A report on an agenda is public while its item, paper and meeting are (public_reports):
    # a change to any of them changes who may find it, at once (governance, which indexes
    # them, may not import performance, so performance adds its reports to their changes).
    register_dependents(Paper, lambda paper: _reports().filter(paper=paper))
    register_dependents(AgendaItem, lambda item: _reports().filter(agenda_item=item))
    register_dependents(Meeting, lambda meeting: _reports().filter(agenda_item__meeting=meeting))
