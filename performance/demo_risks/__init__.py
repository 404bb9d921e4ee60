"""The demo partnership's risk registers, built through the services so the rules hold and each
risk, control and appetite keeps its history (the content is in ``.data``): 8 to 9 risks on
each thematic group's register, the Delivery Board's and the Partnership Board's, each with its
cause and effect, an owner who sits on a body of the partnership for their organisation, links
to its group's outcomes, indicators and delivery-plan actions (those that exist:
``load_demo_performance`` makes them), one to three controls and a year of quarterly reviews.

The story, as of the day it is loaded:

- each body set its appetite at the start of the year (Children and Young People a lower one
  for safeguarding risks); the registers were drawn up then, a few risks added later, two
  closed since;
- each of the four quarters before the one being collected (the last to end) was reviewed by
  each risk's owner in the weeks after it ended, by the returns deadline, as the review form
  and the digest have it: most risks confirmed unchanged, some re-scored with what changed;
  controls were put in place, or fell overdue, along the way; the quarter being collected has
  been reviewed by its deadline too, but for five risks whose owners have not (and are
  chased);
- this week two group risks rose above their group's appetite at their review: they are
  escalated to the Delivery Board and on its next meeting's agenda for decision;
- a third rose above appetite too, and the Delivery Board's chair accepted it above appetite
  until the end of next quarter, with a reason; its item on the Board's agenda became one for
  information, reporting the chair's decision.

The services stamp what they write with the moment they run. So that a year of history reads
as it happened, each step runs inside ``_dated(when)``, which then moves what that step wrote to
the day it stands for: the history rows of risks, controls, appetites and acceptances, reviews'
``reviewed_at``, acceptances' ``accepted_at``, risks' ``escalated_on`` (and ``created_at`` when
a risk is added). Only timestamps change: every score, status and person is as the services
recorded it. Nothing else writes these tables while the load's transaction is open, so the rows
written since a step began are exactly that step's.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from membership.management.commands.load_demo import BODIES, ORGANISATIONS, PEOPLE
from membership.models import User
from partnership.models import Body, Organisation, Partnership
from partnership.periods import Quarter
from performance import services
from performance.demo_risks.data import (
    ACCEPTANCE_REASON,
    ACCEPTED,
    DONE,
    ESCALATED,
    INFORMATION,
    LATE,
    REGISTERS,
    RISKS,
    STILL_TO_REVIEW,
    R,
    U,
)
from performance.models import (
    ControlStatus,
    Effectiveness,
    Indicator,
    Outcome,
    PlanAction,
    Risk,
    RiskAcceptance,
    RiskAppetite,
    RiskControl,
    RiskReview,
)
from performance.selectors.returns import open_quarter

__all__ = ["Loaded", "load_risks"]

# The quarters reviewed before this one.
YEAR = 4
AUDITED = (Risk, RiskControl, RiskAppetite, RiskAcceptance)


@dataclass
class Loaded:
    risks: dict[str, int]
    reviews: int
    escalated: list[Risk]
    accepted: Risk


@contextmanager
def _dated(when: datetime) -> Iterator[None]:
    """Move what the services write inside the block to ``when`` (see the module's
    docstring)."""
    histories = [model.history.model for model in AUDITED]
    marks = [h.objects.aggregate(n=Max("history_id"))["n"] or 0 for h in histories]
    last_review = RiskReview.objects.aggregate(n=Max("pk"))["n"] or 0
    last_acceptance = RiskAcceptance.objects.aggregate(n=Max("pk"))["n"] or 0
    today = timezone.localdate()
    yield
    for history, mark in zip(histories, marks, strict=True):
        history.objects.filter(history_id__gt=mark).update(history_date=when)
    # A risk escalated in the step: on the day it stands for, in its history too.
    written = Risk.history.model.objects.filter(history_id__gt=marks[0])
    Risk.objects.filter(pk__in=written.values("id"), escalated_on=today).update(
        escalated_on=when.date()
    )
    written.filter(escalated_on=today).update(escalated_on=when.date())
    RiskReview.objects.filter(pk__gt=last_review).update(reviewed_at=when)
    RiskAcceptance.objects.filter(pk__gt=last_acceptance).update(accepted_at=when)


class _Builder:
    def __init__(self, partnership: Partnership, today: date):
        self.partnership, self.today = partnership, today
        self.now = timezone.now()
        # The quarter being collected (the last to end), as the review form records it.
        self.quarter = open_quarter(today=today)
        # The four quarters before it, oldest first.
        self.year = [self.quarter.minus(n) for n in range(YEAR, 0, -1)]
        names = {PEOPLE[key][0]: key for key in PEOPLE}
        self.people = {
            names[u.full_name]: u for u in User.objects.filter(full_name__in=list(names))
        }
        orgs = {ORGANISATIONS[key][0]: key for key in ORGANISATIONS}
        self.orgs = {
            orgs[o.name]: o
            for o in Organisation.objects.filter(partnership=partnership, name__in=list(orgs))
        }
        self.bodies = {
            key: Body.objects.get(partnership=partnership, name=BODIES[key][0]) for key in REGISTERS
        }
        if INFORMATION not in {c.name for c in services.risk_categories(partnership)}:
            services.risk_category_add(actor=None, partnership=partnership, name=INFORMATION)
        self.categories = {c.name: c for c in services.risk_categories(partnership)}
        self.outcomes = {o.code: o for o in Outcome.objects.filter(partnership=partnership)}
        self.indicators = {i.code: i for i in Indicator.objects.filter(partnership=partnership)}
        self.actions: dict[str, PlanAction] = {}
        for action in PlanAction.objects.filter(outcome__partnership=partnership).order_by("pk"):
            n = sum(key.startswith(f"{action.outcome.code}.") for key in self.actions)
            self.actions[f"{action.outcome.code}.{n}"] = action
        self.reviews = 0

    def at(self, day: date, hour: int = 10) -> datetime:
        """A moment on ``day``, never later than now."""
        return min(timezone.make_aware(datetime.combine(day, time(hour, 0))), self.now)

    # --- appetite -----------------------------------------------------------------------------

    def appetites(self) -> None:
        when = self.at(self.year[0].starts_on + timedelta(days=7))
        for key, (keeper, threshold, by_category) in REGISTERS.items():
            actor, body = self.people[keeper], self.bodies[key]
            with _dated(when):
                services.risk_appetite_set(actor=actor, body=body, threshold=threshold)
                for name, value in by_category.items():
                    services.risk_appetite_set(
                        actor=actor, body=body, threshold=value, category=self.categories[name]
                    )

    # --- a risk and its year ------------------------------------------------------------------

    def links(self, spec: R) -> dict[str, list]:
        found: dict[str, list] = {"outcomes": [], "indicators": [], "actions": []}
        for code in spec.links:
            for name, known in (
                ("outcomes", self.outcomes),
                ("indicators", self.indicators),
                ("actions", self.actions),
            ):
                if code in known:
                    found[name].append(known[code])
        return found

    def risk(self, key: str, spec: R) -> Risk:
        keeper = self.people[REGISTERS[key][0]]
        rng = random.Random(spec.code)
        added = self.year[spec.added]
        created = self.at(added.starts_on + timedelta(days=rng.randint(10, 30)), 11)
        owner = self.people[spec.owner]
        scores = {}
        for kind in ("inherent", "residual", "target"):
            value = getattr(spec, kind)
            scores[f"{kind}_likelihood"], scores[f"{kind}_impact"] = int(value[0]), int(value[1])
        with _dated(created):
            risk = services.risk_create(
                actor=keeper,
                body=self.bodies[key],
                code=spec.code,
                title=spec.title,
                description=spec.description,
                cause=spec.cause,
                effect=spec.effect,
                category=self.categories[spec.category],
                owner=owner,
                owner_organisation=self.orgs[PEOPLE[spec.owner][2]],
                confidential=spec.confidential,
                **scores,
                **self.links(spec),
            )
            Risk.objects.filter(pk=risk.pk).update(created_at=created)
            later = [self.control(keeper, risk, c, created) for c in spec.controls]
        # Each control put in place, or fallen overdue, on its day: with the reviews, in order.
        steps = [(when, change) for when, change in later if when is not None]
        for n, period in enumerate(self.year[spec.added :]):
            if n >= len(spec.reviews):
                break
            day = period.ends_on + timedelta(days=rng.randint(3, 20))
            steps.append((self.at(day, 9 + rng.randint(0, 7)), (period, spec.reviews[n])))
        if not spec.closed and spec.code not in STILL_TO_REVIEW:
            now = spec.now if spec.now is not None else U
            steps.append((self.this_quarters_review(spec, rng), (self.quarter, now)))
        closed_after = max((when for when, s in steps if isinstance(s[0], Quarter)), default=None)
        for when, step in sorted(steps, key=lambda s: s[0]):
            if spec.closed and when > closed_after:
                break
            with _dated(when):
                if isinstance(step[0], Quarter):
                    self.review(owner, risk, *step)
                else:
                    control, fields = step
                    services.control_update(actor=keeper, control=control, **fields)
        if spec.closed:
            closed_on = closed_after.date() + timedelta(days=7)
            with _dated(self.at(closed_on, 15)):
                services.risk_close(actor=keeper, risk=risk, reason=spec.closed, today=closed_on)
        return risk

    def this_quarters_review(self, spec: R, rng: random.Random) -> datetime:
        """This week for the risks that rose above appetite (after the Delivery Board's last
        meeting, six days ago, so they wait for its next); else in the weeks after the quarter
        ended, by its deadline, as the year's were."""
        yesterday = self.today - timedelta(days=1)
        if spec.code in (*ESCALATED, ACCEPTED):
            week = self.today - timedelta(days=5)
            return self.at(max(self.quarter.ends_on + timedelta(days=1), week), 14)
        day = self.quarter.ends_on + timedelta(days=rng.randint(3, 20))
        return self.at(min(day, yesterday), 9 + rng.randint(0, 7))

    def control(self, actor: User, risk: Risk, spec: tuple, created: datetime):
        """Add the control as it was when the risk was added; return when it changed since,
        and how (a control put in place, or fallen overdue), if it did."""
        description, owner, due_in, status, effectiveness = spec
        due_on = self.today + timedelta(days=due_in)
        fields = {"description": description, "owner": self.people[owner], "due_on": due_on}
        if status == DONE:
            done_on = min(due_on - timedelta(days=14), self.today - timedelta(days=1))
            final = {"status": ControlStatus.IN_PLACE, "done_on": done_on}
            final["effectiveness"] = Effectiveness(effectiveness)
            if done_on <= created.date():
                services.control_add(actor=actor, risk=risk, **fields, **final)
                return None, None
            control = services.control_add(
                actor=actor, risk=risk, status=ControlStatus.IN_PROGRESS, **fields
            )
            return self.at(done_on, 16), (control, final)
        if status == LATE:
            control = services.control_add(
                actor=actor, risk=risk, status=ControlStatus.IN_PROGRESS, **fields
            )
            late = max(due_on + timedelta(days=1), created.date() + timedelta(days=1))
            return self.at(late, 8), (control, {"status": ControlStatus.OVERDUE})
        services.control_add(actor=actor, risk=risk, status=status, **fields)
        return None, None

    def review(self, owner: User, risk: Risk, period: Quarter, step) -> None:
        if step == U:
            services.risk_review(actor=owner, risk=risk, period=period, unchanged=True)
        else:
            score, what_changed = step
            services.risk_review(
                actor=owner,
                risk=risk,
                period=period,
                residual_likelihood=int(score[0]),
                residual_impact=int(score[1]),
                what_changed=what_changed,
            )
        self.reviews += 1

    # --- acceptance ---------------------------------------------------------------------------

    def accept(self, risk: Risk) -> None:
        """The Delivery Board's chair accepts the risk above appetite, between meetings; the
        item it was put on becomes a report of that decision, for information (the service
        does that)."""
        chair = self.people["martin"]
        when = self.at(max(self.quarter.ends_on, self.today - timedelta(days=2)), 12)
        # Until the end of next quarter (the quarter after the one now under way).
        expires_on = self.quarter.next().next().ends_on
        with _dated(when):
            services.risk_accept(
                actor=chair, risk=risk, reason=ACCEPTANCE_REASON, expires_on=expires_on
            )


@transaction.atomic
def load_risks(*, partnership: Partnership, today: date | None = None) -> Loaded | None:
    """Load the demo's risk registers once; None if the partnership already has risks."""
    if Risk.objects.filter(partnership=partnership).exists():
        return None
    b = _Builder(partnership, today or timezone.localdate())
    b.appetites()
    made = {key: [b.risk(key, spec) for spec in specs] for key, specs in RISKS.items()}
    accepted = next(r for r in made["health"] if r.code == ACCEPTED)
    b.accept(accepted)
    names = {key: BODIES[key][0] for key in RISKS}
    counts = Counter(names[key] for key, risks in made.items() for _ in risks)
    escalated = list(
        Risk.objects.filter(partnership=partnership, escalated_to__isnull=False).order_by("code")
    )
    return Loaded(
        risks=dict(counts),
        reviews=b.reviews,
        escalated=escalated,
        accepted=Risk.objects.get(pk=accepted.pk),
    )
