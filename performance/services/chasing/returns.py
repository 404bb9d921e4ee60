"""Quarterly returns in the daily digest.

For each return never submitted (none, or a draft: one sent back or re-opened was submitted and
is with its lead again), against its owning body's deadline:

- from 7 days before the deadline until it: the writer (the delegate, else the lead; a lead who
  delegated is told too) is told it is due in 7 days (``BEFORE``);
- from the deadline for 7 days: the writer is told it is due today (``DUE``);
- from 7 days late: the body's co-ordinators (``LATE_COORDINATORS``);
- from 14 days late: the body's chair, or the deputy chair if it has no chair (``LATE_CHAIR``).

A return found 20 days late that nobody escalated reaches both the co-ordinators and the chair,
because the co-ordinators are the ones who act on it. Each step is told once to each recipient,
recorded as a ``ReturnChase``.

Periods: the open quarter and the four before it. An earlier period is owed only if the
indicator existed when that period was the open one (its first history row), so setting up an
indicator today does not escalate a year of returns nobody could have made.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from membership.models import User
from partnership.models import Body, Partnership
from partnership.periods import Quarter
from performance.models import Indicator, Return, ReturnChase
from performance.selectors.returns import first_owed, indicators_set_up_on, is_owed, periods_q
from performance.services.chasing.digest import (
    RETURN,
    WRITER_STEPS,
    DateLabels,
    Escalation,
    PkUrls,
    steps_due,
)

__all__ = ["ChaseItem"]


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

    kind = RETURN

    @property
    def escalated(self) -> bool:
        """Told to a co-ordinator or chair rather than to the one who writes it."""
        return self.step not in WRITER_STEPS

    @property
    def body(self) -> Body:
        return self.indicator.body

    @property
    def partnership(self) -> Partnership:
        return self.indicator.partnership

    @property
    def sort_key(self) -> tuple:
        return (self.deadline, self.indicator.partnership.name, self.indicator.code)

    def as_row(self) -> dict[str, str]:
        """What the digest shows of it, flat. A template finds a dict's key at once but an
        object's attribute only after a failed index: at 10,000 returns a run, that was a
        good part of the job's time."""
        indicator = self.indicator
        return {
            "title": f"{indicator.code} {indicator.title}, {self.period.label}",
            "where": f"{indicator.body.name}, {indicator.partnership.name}",
            "when": f"Deadline: {self.deadline_label}",
            "note": f"Written by {self.writer.full_name}" if self.escalated else "",
            "url": self.url,
        }

    def chase_row(self, *, recipient_id: int, today: date) -> ReturnChase:
        return ReturnChase(
            indicator_id=self.indicator.pk,
            year=self.period.year,
            quarter=self.period.number,
            step=self.step,
            recipient_id=recipient_id,
            sent_on=today,
        )


@dataclass
class ReturnsOwed:
    """The active indicators and what is known of their owed returns, loaded in a fixed number
    of queries however many indicators, returns and people."""

    today: date
    periods: list[Quarter]
    indicators: list[Indicator]
    bodies: dict[int, Body]
    first: dict[int, Quarter]
    returns: dict[tuple[int, Quarter], Return]
    told: set[tuple]

    @classmethod
    def load(cls, *, today: date, periods: list[Quarter]) -> ReturnsOwed:
        period_q = periods_q(periods)
        active = Indicator.objects.filter(Q(retired_on__isnull=True) | Q(retired_on__gt=today))
        # Bodies, partnerships and leads are few and shared: loaded once each rather than
        # joined into every indicator's row (at 10,000 indicators, 30,000 objects fewer).
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
        return cls(
            today=today,
            periods=periods,
            indicators=indicators,
            bodies=bodies,
            first=first_owed(indicators_set_up_on(active.values("pk"))),
            returns={
                (r.indicator_id, r.period): r
                for r in Return.objects.filter(period_q).select_related("delegate")
            },
            told=set(
                ReturnChase.objects.filter(period_q).values_list(
                    "indicator_id", "year", "quarter", "step", "recipient_id"
                )
            ),
        )

    def items(
        self, *, deadlines: dict[tuple[int, Quarter], date], above: Escalation, labels: DateLabels
    ) -> Iterator[tuple[User, ChaseItem]]:
        """Each (person, item) to be told today and not yet told."""
        today, periods, told = self.today, self.periods, self.told
        return_url = PkUrls("performance:return")
        for indicator in self.indicators:
            starts = self.first.get(indicator.pk)
            for period in periods:
                if not is_owed(indicator, period, periods=periods, first=starts):
                    continue
                ret = self.returns.get((indicator.pk, period))
                # Once submitted, a return is never chased again: sent back or re-opened for a
                # correction, it is with its lead, who was told why.
                if ret is not None and ret.submitted_at is not None:
                    continue
                deadline = deadlines[(indicator.body_id, period)]
                writer = ret.delegate if ret is not None and ret.delegate_id else indicator.lead
                pending = [
                    (step, person)
                    for step in steps_due(deadline, today)
                    for person in _recipients(step, indicator, writer, above)
                    if (indicator.pk, period.year, period.number, step, person.pk) not in told
                ]
                if not pending:
                    continue
                url = return_url(
                    partnership=indicator.partnership.slug, pk=indicator.pk, period=period.slug
                )
                for step, person in pending:
                    yield (
                        person,
                        ChaseItem(indicator, period, deadline, labels[deadline], step, writer, url),
                    )


def _recipients(step, indicator, writer, above: Escalation) -> list[User]:
    if step in WRITER_STEPS:
        # A lead who delegated a return still answers for it, so hears too.
        return [writer] if writer.pk == indicator.lead_id else [writer, indicator.lead]
    return above.recipients(step, indicator.body_id)
