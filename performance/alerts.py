"""What the public's alerts and Atom feeds say of reports (partnership/alerts.py): only a report
the public may read (``selectors.public_reports``: a published annual report or newsletter, or
an approved report whose paper is out on a public item of a published agenda).

Registered in ``PerformanceConfig.ready``: ``partnership`` may not import this app."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from partnership.alerts import AlertSource, Announcement, alert_key, register_alert_source
from partnership.models import AlertTopic, Body
from performance.models import Report, ReportStatus
from performance.selectors.reports import public_reports
from performance.views.reports.publications import report_summary


def _report(report: Report) -> Announcement:
    return Announcement(
        key=alert_key("report", report.pk),
        topic=AlertTopic.REPORTS,
        partnership=report.partnership,
        body=report.body,
        title=f"Report published: {report.title}",
        url=report.get_absolute_url(),
        when=report.public_on,
        summary=report_summary(report),
    )


def report_announcement(pk: int) -> Announcement | None:
    partnership_id = Report.objects.filter(pk=pk).values_list("partnership_id", flat=True).first()
    if partnership_id is None:
        return None
    report = public_reports(partnership_id).filter(pk=pk).first()
    return _report(report) if report is not None else None


def reports_since(moment: datetime) -> list[int]:
    """Approved reports that may have become public since ``moment`` by any road (published,
    or their agenda or paper went out): ``report_announcement`` says which did."""
    return list(
        Report.objects.filter(status=ReportStatus.APPROVED)
        .filter(
            Q(published_at__gte=moment)
            | Q(approved_at__gte=moment)
            | Q(paper__circulated_at__gte=moment)
            | Q(agenda_item__meeting__published_at__gte=moment)
        )
        .values_list("pk", flat=True)
    )


def reports_of_body(body: Body, limit: int) -> list[Announcement]:
    return [_report(r) for r in public_reports(body.partnership_id).filter(body=body)[:limit]]


def register_alert_sources() -> None:
    register_alert_source(
        AlertSource(
            kind="report",
            topic=AlertTopic.REPORTS,
            build=report_announcement,
            since=reports_since,
            for_body=reports_of_body,
        )
    )
