"""The account page's "Reports awaiting your approval": what a chair (or a deputy acting for
them), or the governance lead, has been sent to approve. Nothing for anyone who chairs nothing
and leads nothing, at no extra query: the rights the page has already loaded say who chairs
what."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest

from governance.services import approval
from membership.selectors import office_holders_by_body
from partnership import permissions as perms
from partnership.panels import Panel
from performance.models import (
    CHAIR_APPROVED,
    GOVERNANCE_LEAD_APPROVED,
    Report,
    ReportStatus,
)

__all__ = ["reports_account_panel"]


def reports_account_panel(request: HttpRequest) -> Panel | None:
    user = request.user
    if not user.is_authenticated:
        return None
    chaired = perms.ids_with(user, "body", perms.CHAIR_BODY)
    leads = perms.ids_with(user, "partnership", perms.LEAD_GOVERNANCE)
    if not chaired and not leads:
        return None
    # Chaired bodies' reports a chair approves, and the kinds the governance lead approves in
    # the partnerships they lead.
    mine = Q(body_id__in=chaired, kind__in=CHAIR_APPROVED) | Q(
        partnership_id__in=leads, kind__in=GOVERNANCE_LEAD_APPROVED
    )
    submitted = (
        Report.objects.filter(mine, status=ReportStatus.SUBMITTED)
        .select_related("body", "partnership")
        .defer("facts", "narrative")
        .order_by("submitted_at", "pk")
    )
    submitted = list(submitted)
    if not submitted:
        return None
    chair_reports = [r for r in submitted if r.kind not in GOVERNANCE_LEAD_APPROVED]
    # Who holds each chair, loaded once for every body with a report waiting.
    holders = (
        office_holders_by_body(bodies={r.body for r in chair_reports}) if chair_reports else {}
    )
    waiting = [
        r
        for r in submitted
        if r.kind in GOVERNANCE_LEAD_APPROVED
        or approval.acting_as_among(
            holders[r.body_id], person=user, chair_unavailable=r.chair_unavailable
        )
    ]
    if not waiting:
        return None
    return Panel(template="performance/reports/_account_panel.html", context={"reports": waiting})
