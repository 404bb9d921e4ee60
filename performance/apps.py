import logging

from django.apps import AppConfig
from django.db import transaction
from django.db.models.signals import post_save

log = logging.getLogger(__name__)


class PerformanceConfig(AppConfig):
    name = "performance"
    verbose_name = "Performance"

    def ready(self) -> None:
        # The account page belongs to membership, which may not import performance: the
        # "Your returns" and "Reports awaiting your approval" panels are added to it here.
        from partnership.panels import register_account_panel
        from performance.views.reports.panel import reports_account_panel
        from performance.views.return_lists import returns_account_panel

        register_account_panel(returns_account_panel)
        register_account_panel(reports_account_panel)

        # Governance may not know about reports: approved exception reports waiting for a
        # board's meeting are placed from here when one is scheduled.
        from governance.models import Meeting

        post_save.connect(
            meeting_scheduled, sender=Meeting, dispatch_uid="performance-place-pending-reports"
        )


def meeting_scheduled(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """A new meeting, or one cancelled: once it commits, put the reports waiting for its body
    (or on the cancelled meeting's agenda) on its next meeting. Only the hook is here; the work
    is ``reports_place_pending``. A failure never undoes the meeting: it is logged, and the
    daily job places the reports."""
    from governance.models import MeetingStatus

    if raw or not (created or instance.status == MeetingStatus.CANCELLED):
        return
    body_id = instance.body_id

    def place() -> None:
        from partnership.models import Body
        from performance.services.reports.placement import reports_place_pending

        try:
            reports_place_pending(body=Body.objects.get(pk=body_id))
        except Exception:
            log.exception("reports waiting for body %s not placed", body_id)

    transaction.on_commit(place)
