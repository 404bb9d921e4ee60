"""The account page's "Risks to review": the open risks a person owns that have no review yet
for the quarter being collected, with the deadline each is due by (the owning body's returns
deadline, as the daily digest chases it). One query for someone who owns no risk."""

from __future__ import annotations

from django.http import HttpRequest

from partnership.panels import Panel
from performance.selectors.returns import deadlines_for, open_quarter
from performance.services.risks.review import risks_due_review

__all__ = ["risks_account_panel"]


def risks_account_panel(request: HttpRequest) -> Panel | None:
    user = request.user
    if not user.is_authenticated:
        return None
    period = open_quarter()
    due = list(risks_due_review(period=period, person=user).select_related("partnership")[:50])
    if not due:
        return None
    deadlines = deadlines_for(body_ids={r.body_id for r in due}, periods=[period])
    for risk in due:
        risk.review_deadline = deadlines[(risk.body_id, period)]
    due.sort(key=lambda r: (r.review_deadline, r.body.name, r.code))
    return Panel(
        template="performance/risks/_account_panel.html",
        context={"risks": due, "period": period},
    )
