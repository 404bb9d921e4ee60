"""Reads about returns: the figures and targets an indicator is rated with, deadlines, the open
quarter, and a lead's returns."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Min, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from partnership import permissions as perms
from partnership.models import Body
from partnership.periods import Quarter, add_working_days, last_ended_quarter
from performance.models import (
    EDITABLE,
    REPORTED,
    Indicator,
    Return,
    ReturnDeadline,
    ReturnStatus,
    Target,
)
from performance.permissions import can_sign_off
from performance.rules import Rating, rate

# Returns are owed (listed, chased, and may be started) for the open quarter and this many
# quarters before it; an older return is only corrected once it exists.
RETURNS_LOOKBACK_QUARTERS = 4


def open_quarter(*, today: date | None = None) -> Quarter:
    """The quarter whose returns are being collected now: the last one to have ended."""
    return last_ended_quarter(today or timezone.localdate())


def owed_periods(*, today: date | None = None) -> list[Quarter]:
    """The periods whose returns are still owed if not yet made: the open quarter first."""
    latest = open_quarter(today=today)
    return [latest.minus(n) for n in range(RETURNS_LOOKBACK_QUARTERS + 1)]


def is_open_for_returns(period: Quarter, *, today: date | None = None) -> bool:
    """A period takes returns once it has ended."""
    return period.ends_on < (today or timezone.localdate())


def periods_q(periods) -> Q:
    """Rows of any of ``periods``, for a model with ``year`` and ``quarter`` columns."""
    found = Q()
    for p in periods:
        found |= Q(year=p.year, quarter=p.number)
    return found


def is_late(ret: Return | None, deadline: date, today: date) -> bool:
    """Past its deadline and never submitted. A return sent back, or re-opened for a
    correction, was submitted: it is with its lead again, not late."""
    return (ret is None or ret.submitted_at is None) and deadline < today


def indicators_set_up_on(indicator_ids) -> dict[int, date]:
    """The day each indicator was set up (its first history row), in one query. A period
    before the one open that day was never owed."""
    return dict(
        Indicator.history.filter(history_type="+", id__in=indicator_ids)
        .order_by()
        .values("id")
        .annotate(first=Min(TruncDate("history_date")))
        .values_list("id", "first")
    )


def first_owed(set_up: dict[int, date]) -> dict[int, Quarter]:
    """For each indicator, the first period it owes: the one open on the day it was set up."""
    quarters = {day: open_quarter(today=day) for day in set(set_up.values())}
    return {pk: quarters[day] for pk, day in set_up.items()}


def is_owed(
    indicator: Indicator, period: Quarter, *, periods: list[Quarter], first: Quarter | None
) -> bool:
    """Whether ``indicator`` owes a return for ``period`` (made or not): it is due then, the
    period is one still owed (``periods``, from ``owed_periods``: the open quarter first), and
    the indicator existed when the period's returns opened (``first``, from ``first_owed``;
    the open quarter is owed whenever it was set up)."""
    if not indicator.is_due(period) or period not in periods:
        return False
    if not indicator.is_active(on=period.starts_on):
        return False
    return first is None or period == periods[0] or period >= first


def default_deadline(period: Quarter) -> date:
    return add_working_days(period.ends_on, settings.PERFORMANCE_RETURN_WORKING_DAYS)


def deadlines_for(
    *, body_ids: Iterable[int], periods: Iterable[Quarter]
) -> dict[tuple[int, Quarter], date]:
    """Each (body, period)'s deadline, set or default, in one query."""
    body_ids, periods = set(body_ids), set(periods)
    # The default is the period's alone: worked out once a period, not once a body too.
    defaults = {p: default_deadline(p) for p in periods}
    found = {(body_id, p): defaults[p] for body_id in body_ids for p in periods}
    if not body_ids or not periods:
        return found
    for d in ReturnDeadline.objects.filter(periods_q(periods), body_id__in=body_ids):
        found[(d.body_id, d.period)] = d.due_on
    return found


def deadline_for(*, body: Body, period: Quarter) -> date:
    return deadlines_for(body_ids=[body.pk], periods=[period])[(body.pk, period)]


@dataclass
class Figures:
    """An indicator's targets and reported figures, loaded once, to rate any period."""

    targets: dict[tuple[int, int], Decimal]
    figures: dict[Quarter, Decimal | None]
    signed_off: dict[Quarter, Decimal | None]


def figures_for(
    *, indicator_ids: Iterable[int], signed_off_only: bool = False
) -> dict[int, Figures]:
    """Targets and reported figures of many indicators in two queries."""
    ids = list(indicator_ids)
    found = {pk: Figures(targets={}, figures={}, signed_off={}) for pk in ids}
    for indicator_id, year, quarter, value in Target.objects.filter(
        indicator_id__in=ids
    ).values_list("indicator_id", "year", "quarter", "value"):
        found[indicator_id].targets[(year, quarter)] = value
    statuses = [ReturnStatus.SIGNED_OFF] if signed_off_only else REPORTED
    for indicator_id, year, quarter, value, status in Return.objects.filter(
        indicator_id__in=ids, status__in=statuses
    ).values_list("indicator_id", "year", "quarter", "value", "status"):
        period = Quarter(year, quarter)
        found[indicator_id].figures[period] = value
        if status == ReturnStatus.SIGNED_OFF:
            found[indicator_id].signed_off[period] = value
    return found


def rating_of(
    indicator: Indicator, period: Quarter, value: Decimal | None, figures: Figures
) -> Rating:
    """Rate a value for a period against the indicator's targets and its signed-off figures:
    a direction of travel never rests on a figure that may yet be sent back and changed."""
    return rate(indicator, period, value, targets=figures.targets, figures=figures.signed_off)


def return_for(*, indicator: Indicator, period: Quarter) -> Return | None:
    return (
        Return.objects.filter(indicator=indicator, year=period.year, quarter=period.number)
        .select_related("delegate", "submitted_by", "signed_off_by")
        .first()
    )


@dataclass
class DueReturn:
    """A return a person owes (or has written) for a period, for "Your returns"."""

    indicator: Indicator
    period: Quarter
    deadline: date
    ret: Return | None
    delegated_to_me: bool

    @property
    def status_label(self) -> str:
        return self.ret.get_status_display() if self.ret else "Not started"

    @property
    def status(self) -> str:
        return self.ret.status if self.ret else "not_started"

    def is_late(self, today: date) -> bool:
        return is_late(self.ret, self.deadline, today)


def returns_owed_by(*, person, today: date | None = None) -> list[DueReturn]:
    """The returns ``person`` writes: for every active indicator they lead, each period still
    owed and not yet submitted (the open quarter's whatever their state); those delegated to
    them; and any sent back to them. The same periods the daily chaser chases. In a fixed
    number of queries, whatever the number of indicators."""
    today = today or timezone.localdate()
    latest = open_quarter(today=today)
    periods = owed_periods(today=today)
    period_q = periods_q(periods)
    led = list(
        Indicator.objects.filter(lead=person)
        .filter(Q(retired_on__isnull=True) | Q(retired_on__gt=today))
        .select_related("partnership", "body")
        .order_by("partnership__name", "code")
    )
    led_ids = [i.pk for i in led]
    first = first_owed(indicators_set_up_on(led_ids))
    returns = (
        Return.objects.filter(
            (Q(indicator_id__in=led_ids) & period_q)
            | Q(delegate=person, status__in=EDITABLE)
            | Q(indicator__lead=person, status=ReturnStatus.SENT_BACK)
        )
        .select_related("indicator__partnership", "indicator__body", "delegate")
        .order_by("year", "quarter")
    )
    by_key: dict[tuple[int, Quarter], Return] = {(r.indicator_id, r.period): r for r in returns}
    items: dict[tuple[int, Quarter], tuple[Indicator, Return | None]] = {}
    for indicator in led:
        for p in periods:
            r = by_key.get((indicator.pk, p))
            if not is_owed(indicator, p, periods=periods, first=first.get(indicator.pk)):
                continue
            # An earlier quarter stays on the list only until it is submitted.
            if p != latest and r is not None and r.submitted_at is not None:
                continue
            items[(indicator.pk, p)] = (indicator, r)
    for (indicator_id, p), r in by_key.items():
        if (indicator_id, p) in items:
            continue
        if r.status in EDITABLE and (r.delegate_id == person.pk or r.status == "sent_back"):
            items[(indicator_id, p)] = (r.indicator, r)
    deadlines = deadlines_for(
        body_ids={i.body_id for i, _ in items.values()}, periods={p for _, p in items}
    )
    owed = [
        DueReturn(
            indicator=indicator,
            period=p,
            deadline=deadlines[(indicator.body_id, p)],
            ret=r,
            delegated_to_me=r is not None and r.delegate_id == person.pk,
        )
        for (_, p), (indicator, r) in items.items()
    ]
    # A lead who delegated a return still sees it, marked; a delegate sees only their own.
    owed.sort(key=lambda d: (d.deadline, d.indicator.partnership.name, d.indicator.code))
    return owed


def returns_awaiting_sign_off(*, bodies) -> list[Return]:
    """Submitted returns of ``bodies``, oldest first."""
    return list(
        Return.objects.filter(indicator__body__in=bodies, status=ReturnStatus.SUBMITTED)
        .select_related("indicator__partnership", "indicator__body", "submitted_by")
        .order_by("submitted_at", "pk")
    )


def colleagues_of(*, person, partnership) -> list:
    """People who represent the same organisation as ``person`` on one of the partnership's
    bodies today: who a lead may delegate a return to."""
    from membership.models import Membership, User

    today = timezone.localdate()
    current = Membership.objects.current(on=today).filter(
        body__partnership=partnership, organisation__isnull=False
    )
    organisations = current.filter(person=person).values("organisation_id")
    people = current.filter(organisation_id__in=organisations).values("person_id")
    return list(
        User.objects.filter(pk__in=people, is_active=True)
        .exclude(pk=person.pk)
        .order_by("full_name")
    )


def group_by_body(returns: Iterable[Return]) -> dict[Body, list[Return]]:
    grouped: dict[Body, list[Return]] = defaultdict(list)
    for r in returns:
        grouped[r.indicator.body].append(r)
    return dict(grouped)


def returns_awaiting_sign_off_by(user) -> list[Return]:
    """Submitted returns ``user`` may sign off (not those they submitted), in a fixed number
    of queries: their rights narrow the search to their partnerships, then each return's body
    is checked against the rights already loaded for the request."""
    partnership_ids = perms.ids_with(user, "partnership", perms.MANAGE_PARTNERSHIP)
    body_ids = perms.ids_with(user, "body", perms.MANAGE_BODY, perms.CHAIR_BODY)
    if not partnership_ids and not body_ids:
        return []
    partnerships = Q(indicator__partnership_id__in=partnership_ids) | Q(
        indicator__partnership_id__in=Body.objects.filter(pk__in=body_ids).values("partnership_id")
    )
    candidates = (
        Return.objects.filter(partnerships, status=ReturnStatus.SUBMITTED)
        .exclude(submitted_by=user)
        .select_related("indicator__body__partnership")
    )
    return [r for r in candidates if can_sign_off(user, r.indicator.body)]
