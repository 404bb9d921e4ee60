"""The account page's "Reports awaiting your approval": what a chair (or a deputy acting for
them) has been sent to approve. Nothing for anyone who chairs nothing, at no extra query: the
rights the page has already loaded say who chairs what."""

from __future__ import annotations

from django.http import HttpRequest

from governance.services import approval
from membership.selectors import office_holders_by_body
from partnership import permissions as perms
from partnership.panels import Panel
from performance.models import Report, ReportStatus

__all__ = ["reports_account_panel"]


def reports_account_panel(request: HttpRequest) -> Panel | None:
    user = request.user
    if not user.is_authenticated:
        return None
    chaired = perms.ids_with(user, "body", perms.CHAIR_BODY)
    if not chaired:
        return None
    submitted = (
        Report.objects.filter(body_id__in=chaired, status=ReportStatus.SUBMITTED)
        .select_related("body", "partnership")
        .defer("facts", "narrative")
        .order_by("submitted_at", "pk")
    )
    submitted = list(submitted)
    if not submitted:
        return None
    # Who holds each chair, loaded once for every body with a report waiting.
    holders = office_holders_by_body(bodies={r.body for r in submitted})
    waiting = [
        r
        for r in submitted
        if approval.acting_as_among(
            holders[r.body_id], person=user, chair_unavailable=r.chair_unavailable
        )
    ]
    if not waiting:
        return None
    return Panel(template="performance/reports/_account_panel.html", context={"reports": waiting})
