"""The public's summary of the risk registers (issue 11, part 7).

The public sees nothing of risks unless the partnership publishes a summary of its registers
(``RiskSettings.publish_summary``). When it does, this page shows anyone, signed in or not, the
counts of ``performance.selectors.risk_summary``: open, non-confidential risks by rating, on the
heat map and by board or group, dated; never a risk. When it does not, the page is not found for
everyone, signed-in people included: it is the public's page, and insiders have the register.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from partnership import permissions as perms
from performance import selectors

__all__ = ["risk_summary"]


@require_safe
def risk_summary(request: HttpRequest, partnership: str) -> HttpResponse:
    p = perms.get_partnership_or_404(partnership)
    today = timezone.localdate()
    summary = selectors.public_risk_summary(p, today=today)
    if summary is None:
        raise Http404("This partnership does not publish a summary of its risk registers")
    return render(
        request,
        "performance/risks/summary.html",
        {"partnership": p, "summary": summary.as_data(), "today": today},
    )
