"""Risk reviews and overdue controls in the daily digest.

**Reviews.** Each open risk owes a review for the quarter being collected (the open quarter of
the returns: the last to end) if it existed by that quarter's end. Its deadline is its owning
body's returns deadline for that quarter, and it is chased with the returns' steps and windows:
the risk owner 7 days before and on the day, the body's co-ordinators at 7 days late, its chair
(else deputy chair) at 14. Each step is told once to each person, recorded as a
``RiskReviewChase``. A closed risk is not chased. An owner who no longer sits on a body of
the partnership is not reminded (they may not read the risk); the escalations still go out.

A review recorded for the quarter, or for a later one, stops the chase. Only that quarter is
chased, not the earlier ones the returns still chase: a review takes the risk as it is now, so
a quarter that went unreviewed cannot be reviewed afterwards (the review form records the
quarter being collected, ``open_quarter``).

**Controls.** A control of an open risk, neither in place nor cancelled, whose due date has
passed is told once to its owner (the rule of the governance action chaser), recorded as a
``RiskControlChase`` for that due date: given a new date and missing it too, it is told again.
An owner who no longer sits on a body of the partnership is not told. A control's owner reads
its risk (``performance.permissions.can_see_risk``), so the link works for them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.db.models import F, Q
from django.db.models.functions import TruncDate

from membership.models import User
from partnership.models import Body, Partnership
from partnership.periods import Quarter
from performance.models import (
    ChaseStep,
    ControlStatus,
    Risk,
    RiskControl,
    RiskControlChase,
    RiskReview,
    RiskReviewChase,
    RiskStatus,
)
from performance.selectors.returns import periods_q
from performance.services.chasing.digest import (
    CONTROL,
    OVERDUE,
    REVIEW,
    WRITER_STEPS,
    DateLabels,
    Escalation,
    PkUrls,
    sits_now,
    steps_due,
)

__all__ = ["ControlChaseItem", "ReviewChaseItem"]

# How long a control description is in the digest.
_CONTROL_CHARS = 80


@dataclass
class ReviewChaseItem:
    """One quarter's review of one risk in one person's digest."""

    risk: Risk
    period: Quarter
    deadline: date
    deadline_label: str
    step: str
    url: str

    kind = REVIEW

    @property
    def escalated(self) -> bool:
        return self.step not in WRITER_STEPS

    @property
    def body(self) -> Body:
        return self.risk.body

    @property
    def partnership(self) -> Partnership:
        return self.risk.partnership

    @property
    def sort_key(self) -> tuple:
        return (self.deadline, self.risk.partnership.name, self.risk.code)

    def as_row(self) -> dict[str, str]:
        risk = self.risk
        return {
            "title": f"{risk.code} {risk.title}, {self.period.label}",
            "where": f"{risk.body.name}, {risk.partnership.name}",
            "when": f"Deadline: {self.deadline_label}",
            "note": f"Owned by {risk.owner.full_name}" if self.escalated else "",
            "url": self.url,
        }

    def chase_row(self, *, recipient_id: int, today: date) -> RiskReviewChase:
        return RiskReviewChase(
            risk_id=self.risk.pk,
            year=self.period.year,
            quarter=self.period.number,
            step=self.step,
            recipient_id=recipient_id,
            sent_on=today,
        )


@dataclass
class ControlChaseItem:
    """One overdue control in its owner's digest."""

    control: RiskControl
    due_label: str
    url: str

    kind = CONTROL
    step = OVERDUE
    escalated = False

    @property
    def body(self) -> Body:
        return self.control.risk.body

    @property
    def partnership(self) -> Partnership:
        return self.control.risk.partnership

    @property
    def sort_key(self) -> tuple:
        control = self.control
        return (control.due_on, control.risk.partnership.name, control.risk.code, control.pk)

    def as_row(self) -> dict[str, str]:
        control, risk = self.control, self.control.risk
        description = " ".join(control.description.split())
        if len(description) > _CONTROL_CHARS:
            description = description[: _CONTROL_CHARS - 1].rstrip() + "…"
        return {
            "title": f"{risk.code} {risk.title}: {description}",
            "where": f"{risk.body.name}, {risk.partnership.name}",
            "when": f"Was due {self.due_label}",
            "note": "",
            "url": self.url,
        }

    def chase_row(self, *, recipient_id: int, today: date) -> RiskControlChase:
        return RiskControlChase(
            control_id=self.control.pk,
            due_on=self.control.due_on,
            recipient_id=recipient_id,
            sent_on=today,
        )


@dataclass
class ReviewsOwed:
    """The open risks, the last quarter each was reviewed for and what was told of them, in a
    fixed number of queries however many risks."""

    today: date
    periods: list[Quarter]
    risks: list[Risk]
    bodies: dict[int, Body]
    reviewed: dict[int, Quarter]
    told: set[tuple]

    @classmethod
    def load(cls, *, today: date, periods: list[Quarter]) -> ReviewsOwed:
        # Only risks that existed by the end of the latest quarter owed can owe anything.
        # created_on is taken in the database, in the same time zone as risks_due_review's.
        risks = list(
            Risk.objects.filter(status=RiskStatus.OPEN, created_at__date__lte=periods[0].ends_on)
            .annotate(
                created_on=TruncDate("created_at"),
                owner_sits=sits_now(today, person="owner", partnership="partnership"),
            )
            .select_related("body", "partnership", "owner")
            .order_by("pk")
        )
        earliest = periods[-1]
        reviewed: dict[int, Quarter] = {}
        for risk_id, year, number in (
            RiskReview.objects.filter(
                Q(year__gt=earliest.year) | Q(year=earliest.year, quarter__gte=earliest.number),
                risk__status=RiskStatus.OPEN,
            )
            .order_by()
            .values_list("risk_id", "year", "quarter")
        ):
            quarter = Quarter(year, number)
            if risk_id not in reviewed or reviewed[risk_id] < quarter:
                reviewed[risk_id] = quarter
        return cls(
            today=today,
            periods=periods,
            risks=risks,
            bodies={risk.body_id: risk.body for risk in risks},
            reviewed=reviewed,
            told=set(
                RiskReviewChase.objects.filter(periods_q(periods)).values_list(
                    "risk_id", "year", "quarter", "step", "recipient_id"
                )
            ),
        )

    def items(
        self, *, deadlines: dict[tuple[int, Quarter], date], above: Escalation, labels: DateLabels
    ) -> Iterator[tuple[User, ReviewChaseItem]]:
        """Each (person, item) to be told today and not yet told."""
        today, told = self.today, self.told
        review_url, risk_url = PkUrls("performance:risk_review"), PkUrls("performance:risk")
        for risk in self.risks:
            last = self.reviewed.get(risk.pk)
            for period in self.periods:
                if risk.created_on > period.ends_on or (last is not None and last >= period):
                    continue
                deadline = deadlines[(risk.body_id, period)]
                for step in steps_due(deadline, today):
                    if step in WRITER_STEPS:
                        # An owner who no longer sits in the partnership may not read the
                        # risk: the co-ordinators, told at 7 days late, see to it.
                        people = [risk.owner] if risk.owner_sits else []
                    else:
                        people = above.recipients(step, risk.body_id)
                    # The review form is the owner's and the co-ordinators'; the chair, who may
                    # not use it, is sent to the risk's page instead.
                    url = (risk_url if step == ChaseStep.LATE_CHAIR else review_url)(
                        partnership=risk.partnership.slug, pk=risk.pk
                    )
                    for person in people:
                        if (risk.pk, period.year, period.number, step, person.pk) in told:
                            continue
                        item = ReviewChaseItem(risk, period, deadline, labels[deadline], step, url)
                        yield person, item


def controls_overdue(*, today: date, labels: DateLabels) -> Iterator[tuple[User, ControlChaseItem]]:
    """Each overdue control not yet told to its owner for its due date, with its owner. Two
    queries however many controls."""
    overdue = RiskControl.objects.filter(risk__status=RiskStatus.OPEN, due_on__lt=today).exclude(
        status__in=[ControlStatus.IN_PLACE, ControlStatus.CANCELLED]
    )
    # Owners who no longer sit in the partnership may not read the risk: not told.
    overdue = overdue.filter(sits_now(today, person="owner", partnership="risk__partnership"))
    # Only the rows of each control's present due date: a date it missed before is history.
    told = set(
        RiskControlChase.objects.filter(
            control__in=overdue.values("pk"), due_on=F("control__due_on")
        ).values_list("control_id", "recipient_id")
    )
    risk_url = PkUrls("performance:risk")
    for control in overdue.select_related("owner", "risk__body", "risk__partnership").order_by(
        "pk"
    ):
        if (control.pk, control.owner_id) in told:
            continue
        risk = control.risk
        url = risk_url(partnership=risk.partnership.slug, pk=risk.pk)
        yield control.owner, ControlChaseItem(control, labels[control.due_on], url)
