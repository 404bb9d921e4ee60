import logging

from django.apps import AppConfig
from django.db import transaction
from django.db.models.signals import post_save

log = logging.getLogger(__name__)


class PerformanceConfig(AppConfig):
    name = "performance"
    verbose_name = "Performance"

    def ready(self) -> None:
        # What this app puts in the search index (partnership/search/).
        from performance.search import register_indexers

        register_indexers()

        # What the public's alerts and Atom feeds say of reports (partnership/alerts.py).
        from performance.alerts import register_alert_sources

        register_alert_sources()

        # The account page belongs to membership, which may not import performance: the
        # "Your returns", "Reports awaiting your approval" and "Risks to review" panels are
        # added to it here.
        from partnership.panels import register_account_panel
        from performance.views.reports.panel import reports_account_panel
        from performance.views.return_lists import returns_account_panel
        from performance.views.risks.panel import risks_account_panel

        register_account_panel(returns_account_panel)
        register_account_panel(reports_account_panel)
        register_account_panel(risks_account_panel)

        # And the returns, reports and risks a person owes, to "Your tasks".
        from partnership.tasklist import register_task_source
        from performance.tasklist import performance_tasks

        register_task_source(performance_tasks)

        # What a restructure carries over from a body: risks, outcomes, indicators, agreements.
        from performance.restructure import register_carriers

        register_carriers()

        # Governance may not know about reports or risks: approved exception reports and
        # escalated risks waiting for a board's meeting are placed from here when one is
        # scheduled or cancelled.
        from governance.models import Meeting

        post_save.connect(
            meeting_scheduled, sender=Meeting, dispatch_uid="performance-place-pending-reports"
        )


def meeting_scheduled(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """A new meeting, or one cancelled: once it commits, put the reports and escalated risks
    waiting for its body (or on the cancelled meeting's agenda) on its next meeting. Only the
    hook is here; the work is ``reports_place_pending`` and ``risks_place_escalated``. A
    failure never undoes the meeting, nor stops the other: it is logged, and the daily jobs
    place what was missed."""
    from governance.models import MeetingStatus

    if raw or not (created or instance.status == MeetingStatus.CANCELLED):
        return
    body_id = instance.body_id

    def place() -> None:
        from partnership.models import Body
        from performance.services.reports.placement import reports_place_pending
        from performance.services.risks.escalation import risks_place_escalated

        body = Body.objects.get(pk=body_id)
        for what, step in (
            ("reports", reports_place_pending),
            ("escalated risks", risks_place_escalated),
        ):
            try:
                step(body=body)
            except Exception:
                log.exception("%s waiting for body %s not placed", what, body_id)

    transaction.on_commit(place)
