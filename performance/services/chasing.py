"""The daily chase of quarterly returns, run by Celery beat (``performance.tasks.chase_returns``).

For each return never submitted (none, or a draft: one sent back or re-opened was submitted and
is with its lead again), against its owning body's deadline:

- from 7 days before the deadline until it: the writer (the delegate, else the lead; a lead who
  delegated is told too) is told it is due in 7 days (``BEFORE``);
- from the deadline for 7 days: the writer is told it is due today (``DUE``);
- from 7 days late: the body's co-ordinators (``LATE_COORDINATORS``);
- from 14 days late: the body's chair, or the deputy chair if it has no chair (``LATE_CHAIR``).

Each step is told once to each recipient, recorded as a ``ReturnChase`` in the transaction of
the message that carried it. Windows rather than exact days, so a day the job did not run is
caught up the next. The writer's two reminders lapse when their window passes (nobody is told
"due in 7 days" after the deadline, nor "due today" once the co-ordinators are told instead),
but the two escalations do not: a return found 20 days late that nobody escalated reaches both
the co-ordinators and the chair, because the co-ordinators are the ones who act on it.

Each person gets at most one digest a day, listing all their returns in every partnership,
never one message per indicator. A person who already has today's digest gets nothing more
today: their new steps stay unrecorded and go in tomorrow's.

Periods: the open quarter and the four before it. An earlier period is owed only if the
indicator existed when that period was the open one (its first history row), so setting up an
indicator today does not escalate a year of returns nobody could have made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from membership.models import User
from membership.selectors import coordinators_by_body, office_holders_by_body
from partnership.models import Body, Partnership
from partnership.notifications import notify_each
from partnership.periods import Quarter
from performance.models import ChaseStep, Indicator, Return, ReturnChase
from performance.selectors.returns import (
    RETURNS_LOOKBACK_QUARTERS,
    deadlines_for,
    first_owed,
    indicators_set_up_on,
    is_owed,
    owed_periods,
    periods_q,
)

__all__ = ["CHASE_LOOKBACK_QUARTERS", "ChaseItem", "Digest", "returns_chase", "returns_to_chase"]

# How many quarters before the open one are still chased: the periods still owed.
CHASE_LOOKBACK_QUARTERS = RETURNS_LOOKBACK_QUARTERS
# Days from the deadline at which each step starts.
_REMIND_DAYS = 7
_COORDINATORS_DAYS = 7
_CHAIR_DAYS = 14

# The digest's sections, in order, and what each is headed.
SECTIONS = {
    ChaseStep.BEFORE: "Due in 7 days",
    ChaseStep.DUE: "Due today",
    ChaseStep.LATE_COORDINATORS: "7 days late (as co-ordinator)",
    ChaseStep.LATE_CHAIR: "14 days late (as chair)",
}
_WRITER_STEPS = {ChaseStep.BEFORE, ChaseStep.DUE}


@dataclass
class ChaseItem:
    """One return in one person's digest."""

    indicator: Indicator
    period: Quarter
    deadline: date
    deadline_label: str
    step: str
    writer: User
    url: str

    @property
    def escalated(self) -> bool:
        """Told to a co-ordinator or chair rather than to the one who writes it."""
        return self.step not in _WRITER_STEPS

    def as_row(self) -> dict[str, str | bool]:
        """What the digest shows of it, flat. A template finds a dict's key at once but an
        object's attribute only after a failed index: at 10,000 returns a run, that was a
        good part of the job's time."""
        indicator = self.indicator
        return {
            "code": indicator.code,
            "title": indicator.title,
            "period": self.period.label,
            "body": indicator.body.name,
            "partnership": indicator.partnership.name,
            "deadline": self.deadline_label,
            "url": self.url,
            "escalated": self.escalated,
            "writer": self.writer.full_name,
        }


@dataclass
class Section:
    title: str
    rows: list[dict[str, str | bool]]


@dataclass
class Digest:
    """Everything one person is to be told today."""

    recipient: User
    items: list[ChaseItem] = field(default_factory=list)

    @property
    def sections(self) -> list[Section]:
        found = []
        for step, title in SECTIONS.items():
            items = [i for i in self.items if i.step == step]
            if items:
                items.sort(
                    key=lambda i: (i.deadline, i.indicator.partnership.name, i.indicator.code)
                )
                found.append(Section(title=title, rows=[i.as_row() for i in items]))
        return found

    def url(self, *, my_returns: str) -> str:
        """Where the notice links: "Your returns" for a writer; else the body's returns, or the
        partnership's dashboard if the returns are of several bodies. ``my_returns`` is that
        page's URL, reversed once a run rather than once a person."""
        if any(i.step in _WRITER_STEPS for i in self.items):
            return my_returns
        bodies = {i.indicator.body for i in self.items}
        first = min(self.items, key=lambda i: (i.deadline, i.indicator.code)).indicator
        if len(bodies) == 1:
            return reverse(
                "performance:body_returns",
                kwargs={"partnership": first.partnership.slug, "body": first.body.slug},
            )
        return reverse("performance:dashboard", kwargs={"partnership": first.partnership.slug})


def _steps_due(deadline: date, today: date) -> list[str]:
    """The steps whose window ``today`` is in (see the module's docstring)."""
    steps = []
    if deadline - timedelta(days=_REMIND_DAYS) <= today < deadline:
        steps.append(ChaseStep.BEFORE)
    elif deadline <= today < deadline + timedelta(days=_COORDINATORS_DAYS):
        steps.append(ChaseStep.DUE)
    if today >= deadline + timedelta(days=_COORDINATORS_DAYS):
        steps.append(ChaseStep.LATE_COORDINATORS)
    if today >= deadline + timedelta(days=_CHAIR_DAYS):
        steps.append(ChaseStep.LATE_CHAIR)
    return steps


def returns_to_chase(*, today: date | None = None) -> list[Digest]:
    """What each person is to be told today and has not been: one Digest per person. In a
    fixed number of queries however many indicators, returns and people."""
    today = today or timezone.localdate()
    periods = owed_periods(today=today)
    period_q = periods_q(periods)

    active = Indicator.objects.filter(Q(retired_on__isnull=True) | Q(retired_on__gt=today))
    # Bodies, partnerships and leads are few and shared: loaded once each rather than joined
    # into every indicator's row (at 10,000 indicators that is 30,000 objects fewer).
    indicators = list(active.order_by("pk"))
    bodies = {b.pk: b for b in Body.objects.filter(pk__in=active.values("body_id"))}
    partnerships = {
        p.pk: p for p in Partnership.objects.filter(pk__in=active.values("partnership_id"))
    }
    leads = {u.pk: u for u in User.objects.filter(pk__in=active.values("lead_id"))}
    for indicator in indicators:
        indicator.body = bodies[indicator.body_id]
        indicator.partnership = partnerships[indicator.partnership_id]
        indicator.lead = leads[indicator.lead_id]
    first = first_owed(indicators_set_up_on(active.values("pk")))
    returns = {
        (r.indicator_id, r.period): r
        for r in Return.objects.filter(period_q).select_related("delegate")
    }
    deadlines = deadlines_for(body_ids=bodies, periods=periods)
    told = set(
        ReturnChase.objects.filter(period_q).values_list(
            "indicator_id", "year", "quarter", "step", "recipient_id"
        )
    )
    coordinators = coordinators_by_body(bodies=bodies.values(), on=today)
    holders = office_holders_by_body(bodies=bodies.values(), on=today)
    # Formatting a date looks up the language each time; there are only a few deadlines.
    labels: dict[date, str] = {}
    return_url = _ReturnUrls()

    digests: dict[int, Digest] = {}
    for indicator in indicators:
        starts = first.get(indicator.pk)
        for period in periods:
            if not is_owed(indicator, period, periods=periods, first=starts):
                continue
            ret = returns.get((indicator.pk, period))
            # Once submitted, a return is never chased again: sent back or re-opened for a
            # correction, it is with its lead, who was told why.
            if ret is not None and ret.submitted_at is not None:
                continue
            deadline = deadlines[(indicator.body_id, period)]
            writer = ret.delegate if ret is not None and ret.delegate_id else indicator.lead
            pending = [
                (step, person)
                for step in _steps_due(deadline, today)
                for person in _recipients(step, indicator, writer, coordinators, holders)
                if (indicator.pk, period.year, period.number, step, person.pk) not in told
            ]
            if not pending:
                continue
            if deadline not in labels:
                labels[deadline] = date_format(deadline, "j F Y")
            url = return_url(indicator, period)
            for step, person in pending:
                digest = digests.setdefault(person.pk, Digest(recipient=person))
                digest.items.append(
                    ChaseItem(indicator, period, deadline, labels[deadline], step, writer, url)
                )
    return sorted(digests.values(), key=lambda d: d.recipient.pk)


class _ReturnUrls:
    """A return's page, as ``reverse("performance:return", ...)`` gives it, reversed once per
    partnership and period rather than once per return: reverse() looks up the language and
    the URLconf each time, half a second a run at 10,000 returns. The pattern ends in
    ``<int:pk>/<slug:period>/``, so the id is the last path segment but one."""

    def __init__(self):
        self.found: dict[tuple[str, Quarter], tuple[str, str]] = {}

    def __call__(self, indicator: Indicator, period: Quarter) -> str:
        key = (indicator.partnership.slug, period)
        if key not in self.found:
            url = reverse(
                "performance:return",
                kwargs={"partnership": key[0], "pk": 0, "period": period.slug},
            )
            head, _, tail = url.rpartition("/0/")
            self.found[key] = (f"{head}/", f"/{tail}")
        head, tail = self.found[key]
        return f"{head}{indicator.pk}{tail}"


def _recipients(step, indicator, writer, coordinators, holders) -> list[User]:
    if step in _WRITER_STEPS:
        # A lead who delegated a return still answers for it, so hears too.
        return [writer] if writer.pk == indicator.lead_id else [writer, indicator.lead]
    if step == ChaseStep.LATE_COORDINATORS:
        return coordinators[indicator.body_id]
    holder = holders[indicator.body_id]
    chair = holder.get("chair") or holder.get("deputy_chair")
    return [chair] if chair else []


def _record(digest: Digest, today: date) -> None:
    # Called inside the digest's transaction: the steps are recorded if and only if it is sent.
    # A row already there was told by a run that raced this one: nothing to add.
    ReturnChase.objects.bulk_create(
        [
            ReturnChase(
                indicator_id=item.indicator.pk,
                year=item.period.year,
                quarter=item.period.number,
                step=item.step,
                recipient_id=digest.recipient.pk,
                sent_on=today,
            )
            for item in digest.items
        ],
        ignore_conflicts=True,
    )


def returns_chase(*, today: date | None = None) -> int:
    """Send today's digests; returns how many were sent now. Raises NotAllSent (after sending
    the rest) if any could not be sent: their steps stay unrecorded, so the next run sends them."""
    today = today or timezone.localdate()
    key = f"returns-digest:{today.isoformat()}"
    as_of = date_format(today, "j F Y")  # once, not in each of 2,000 renders
    my_returns = reverse("my_returns")

    def messages():
        for digest in returns_to_chase(today=today):
            yield {
                "to": digest.recipient,
                "key": key,
                "template": "returns_digest",
                "context": {
                    "sections": digest.sections,
                    "total": len(digest.items),
                    "as_of": as_of,
                },
                "url": digest.url(my_returns=my_returns),
                "on_sent": partial(_record, digest, today),
            }

    return notify_each(messages())
