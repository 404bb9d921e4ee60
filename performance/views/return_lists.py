"""Lists of returns: "Your returns", a body's returns for a quarter, and the "Your returns"
panel of the account page. Each uses a fixed number of queries, however many indicators."""

from __future__ import annotations

from collections import Counter
from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from partnership import permissions as perms
from partnership.panels import Panel
from partnership.periods import Quarter, quarters_ending
from performance import permissions, selectors
from performance.models import (
    DUE_QUARTERS,
    EDITABLE,
    REPORTED,
    Indicator,
    Return,
)

PAGE_SIZE = 50


def return_url(indicator: Indicator, period: Quarter, name: str = "return") -> str:
    """A return's page (or one of its steps) without a query: the indicator's partnership
    must already be loaded."""
    return reverse(
        f"performance:{name}",
        kwargs={
            "partnership": indicator.partnership.slug,
            "pk": indicator.pk,
            "period": period.slug,
        },
    )


def quarter_or_404(slug: str) -> Quarter:
    try:
        quarter = Quarter.from_slug(slug)
    except ValueError as exc:
        raise Http404("No such quarter") from exc
    # Dates outside this range cannot be built, nor their year-earlier comparisons.
    if not 1900 <= quarter.year <= 2999:
        raise Http404("No such quarter")
    return quarter


@login_required
def my_returns(request: HttpRequest) -> HttpResponse:
    """Every return the person writes: the open quarter's, those delegated to them, and any
    sent back to them."""
    today = timezone.localdate()
    owed = selectors.returns_owed_by(person=request.user, today=today)
    rows = Paginator(owed, PAGE_SIZE).get_page(request.GET.get("page"))
    for due in rows:
        due.url = return_url(due.indicator, due.period)
        due.late = due.is_late(today)
    return render(
        request,
        "performance/returns/my_returns.html",
        {"rows": rows, "today": today, "open_quarter": selectors.open_quarter(today=today)},
    )


def _due_frequencies(period: Quarter) -> list[str]:
    return [f for f, quarters in DUE_QUARTERS.items() if period.number in quarters]


@login_required
def body_returns(request: HttpRequest, partnership: str, body: str) -> HttpResponse:
    """A body's returns for the open quarter (or ``?period=`` an earlier one), for its
    insiders; and, for those who sign them off, the returns awaiting it."""
    body_obj = perms.get_body_or_404(partnership, body)
    user = request.user
    can_sign = permissions.can_sign_off(user, body_obj)
    perms.require(can_sign or perms.can_view_private_body(user, body_obj))
    today = timezone.localdate()
    open_q = selectors.open_quarter(today=today)
    period = open_q
    if request.GET.get("period"):
        period = quarter_or_404(request.GET["period"])
        if not selectors.is_open_for_returns(period, today=today):
            raise Http404("That quarter has not ended")
    indicators = (
        Indicator.objects.filter(body=body_obj, frequency__in=_due_frequencies(period))
        .filter(Q(retired_on__isnull=True) | Q(retired_on__gt=period.starts_on))
        .select_related("lead", "partnership")
        .order_by("code", "pk")
    )
    rows = Paginator(indicators, PAGE_SIZE).get_page(request.GET.get("page"))
    returns = {
        r.indicator_id: r
        for r in Return.objects.filter(
            indicator__in=[i.pk for i in rows], year=period.year, quarter=period.number
        ).select_related("delegate")
    }
    deadline = selectors.deadline_for(body=body_obj, period=period)
    for indicator in rows:
        indicator.ret = returns.get(indicator.pk)
        indicator.return_url = return_url(indicator, period)
        indicator.late = selectors.is_late(indicator.ret, deadline, today)
    awaiting = []
    if can_sign:
        awaiting = selectors.returns_awaiting_sign_off(bodies=[body_obj])[:PAGE_SIZE]
        for ret in awaiting:
            ret.url = ret.get_absolute_url()
            ret.sign_off_url = return_url(ret.indicator, ret.period, "return_sign_off")
            ret.mine = ret.submitted_by_id == user.pk
    return render(
        request,
        "performance/returns/body_returns.html",
        {
            "partnership": body_obj.partnership,
            "body": body_obj,
            "period": period,
            "open_quarter": open_q,
            "quarters": list(reversed(quarters_ending(open_q, 8))),
            "rows": rows,
            "deadline": deadline,
            "today": today,
            "can_sign": can_sign,
            "can_manage": permissions.can_manage_performance(user, body_obj),
            "awaiting": awaiting,
        },
    )


# --- the account page's panel -----------------------------------------------------------------


def returns_account_panel(request: HttpRequest) -> Panel | None:
    """ "Your returns" on the account page: what the person owes and what awaits their
    sign-off; nothing for someone with neither."""
    user = request.user
    if not user.is_authenticated:
        return None
    today = timezone.localdate()
    open_q = selectors.open_quarter(today=today)
    # One cheap question first: most people who open their account write no returns.
    writes = Indicator.objects.filter(
        Q(lead=user) | Q(returns__delegate=user, returns__status__in=EDITABLE)
    ).exists()
    owed = selectors.returns_owed_by(person=user, today=today) if writes else []
    outstanding = [d for d in owed if d.status not in REPORTED]
    awaiting = selectors.returns_awaiting_sign_off_by(user)
    if not owed and not awaiting:
        return None
    by_body = Counter(r.indicator.body for r in awaiting)
    deadlines: list[date] = [d.deadline for d in outstanding]
    return Panel(
        template="performance/returns/_account_panel.html",
        context={
            "owed": len(owed),
            "due_now": sum(1 for d in outstanding if d.period == open_q),
            "open_quarter": open_q,
            "earliest": min(deadlines) if deadlines else None,
            "late": sum(1 for d in outstanding if d.is_late(today)),
            "awaiting": len(awaiting),
            "awaiting_by_body": [
                {
                    "body": body,
                    "count": count,
                    "url": reverse(
                        "performance:body_returns",
                        kwargs={"partnership": body.partnership.slug, "body": body.slug},
                    ),
                }
                for body, count in sorted(by_body.items(), key=lambda item: item[0].name)
            ],
        },
    )
