"""The account page's "Risks to review": the open risks a person owns that have no review yet
for the quarter being collected, with the deadline each is due by (the owning body's returns
deadline, as the daily digest chases it). One query for someone who owns no risk."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.http import HttpRequest

from membership.models import Membership
from partnership.panels import Panel
from performance.selectors.returns import deadlines_for, open_quarter
from performance.services.risks.review import risks_due_review

__all__ = ["risks_account_panel"]


def risks_account_panel(request: HttpRequest) -> Panel | None:
    user = request.user
    if not user.is_authenticated:
        return None
    period = open_quarter()
    # Only in the partnerships they still sit in: an owner who left may not read the risk.
    sits = Membership.objects.current().filter(
        person=user, body__partnership=OuterRef("partnership")
    )
    due = list(
        risks_due_review(period=period, person=user)
        .filter(Exists(sits))
        .select_related("partnership")
    )
    if not due:
        return None
    deadlines = deadlines_for(body_ids={r.body_id for r in due}, periods=[period])
    for risk in due:
        risk.review_deadline = deadlines[(risk.body_id, period)]
    # The most urgent first; a person owns a handful, but the panel shows 50 at most.
    due.sort(key=lambda r: (r.review_deadline, r.body.name, r.code))
    return Panel(
        template="performance/risks/_account_panel.html",
        context={"risks": due[:50], "period": period},
    )
