"""Commissioning agreements in the daily digest: their reviews and their approaching end.

**Agreement reviews.** An agreement's earliest review not yet held, by its due date, at the same
steps: its supervising person before and on the day (while they sit in the partnership), the
commissioning body's co-ordinators at 7 days late and its chair (else deputy) at 14, recorded as
``AgreementChase(what="review")``.

**Agreements ending.** Once, on any day of the ``ENDING_NOTICE_DAYS`` (90) before its end date
up to that date (so a day the job did not run is caught up), to its supervising person (while
they sit in the partnership) and the commissioning body's co-ordinators, recorded as
``AgreementChase(what="ending", step="")``. After its end date, nothing.

Each loader takes a fixed number of queries however many agreements, and none beyond its first
when it finds nothing to chase.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import F, OuterRef, Subquery

from membership.models import User
from partnership.models import Body, Partnership
from performance.models import (
    ENDING_NOTICE_DAYS,
    AgreementChase,
    AgreementReview,
    ChaseStep,
    CommissioningAgreement,
)
from performance.services.chasing.digest import (
    AGREEMENT_ENDING,
    AGREEMENT_REVIEW,
    REMIND_DAYS,
    WRITER_STEPS,
    DateLabels,
    Escalation,
    PkUrls,
    sits_now,
    steps_due,
)

__all__ = [
    "AgreementEndingItem",
    "AgreementReviewItem",
    "AgreementsEnding",
    "AgreementReviewsDue",
]


# --- agreement reviews ---------------------------------------------------------------------------


@dataclass
class AgreementReviewItem:
    """An agreement's next review in one person's digest."""

    review: AgreementReview
    deadline_label: str
    step: str
    url: str

    kind = AGREEMENT_REVIEW

    @property
    def deadline(self) -> date:
        return self.review.due_on

    @property
    def escalated(self) -> bool:
        return self.step not in WRITER_STEPS

    @property
    def body(self) -> Body:
        return self.review.agreement.commissioning_body

    @property
    def partnership(self) -> Partnership:
        return self.review.agreement.partnership

    @property
    def sort_key(self) -> tuple:
        agreement = self.review.agreement
        return (self.review.due_on, agreement.partnership.name, agreement.reference)

    def as_row(self) -> dict[str, str]:
        agreement = self.review.agreement
        return {
            "title": f"{agreement.reference}: {agreement.title}",
            "where": f"Commissioned by the {agreement.commissioning_body.name}, "
            f"{agreement.partnership.name}",
            "when": f"Review due by {self.deadline_label}",
            "note": f"Supervised by {agreement.supervisor.full_name}" if self.escalated else "",
            "url": self.url,
        }

    def chase_row(self, *, recipient_id: int, today: date) -> AgreementChase:
        return AgreementChase(
            agreement_id=self.review.agreement_id,
            what=AgreementChase.REVIEW,
            due_on=self.review.due_on,
            step=self.step,
            recipient_id=recipient_id,
            sent_on=today,
        )


def _agreement_related(prefix: str = "") -> list[str]:
    return [
        f"{prefix}partnership",
        f"{prefix}commissioning_body__partnership",
        f"{prefix}supervisor",
    ]


@dataclass
class AgreementReviewsDue:
    """Each agreement's earliest review not yet held, when it is due within 7 days or late."""

    today: date
    reviews: list[AgreementReview]
    told: set[tuple]

    @classmethod
    def load(cls, *, today: date) -> AgreementReviewsDue:
        earliest = (
            AgreementReview.objects.filter(agreement=OuterRef("agreement"), held_on__isnull=True)
            .order_by("due_on", "pk")
            .values("pk")[:1]
        )
        due = AgreementReview.objects.filter(
            held_on__isnull=True,
            due_on__lte=today + timedelta(days=REMIND_DAYS),
            pk=Subquery(earliest),
        )
        reviews = list(
            due.annotate(
                supervisor_sits=sits_now(
                    today, person="agreement__supervisor", partnership="agreement__partnership"
                )
            )
            .select_related("agreement", *_agreement_related("agreement__"))
            .order_by("pk")
        )
        told = set()
        if reviews:
            told = set(
                AgreementChase.objects.filter(
                    what=AgreementChase.REVIEW,
                    agreement__in=[r.agreement_id for r in reviews],
                ).values_list("agreement_id", "due_on", "step", "recipient_id")
            )
        return cls(today=today, reviews=reviews, told=told)

    @property
    def bodies(self) -> dict[int, Body]:
        return {
            r.agreement.commissioning_body_id: r.agreement.commissioning_body for r in self.reviews
        }

    def items(
        self, *, above: Escalation, labels: DateLabels
    ) -> Iterator[tuple[User, AgreementReviewItem]]:
        record_url = PkUrls("performance:agreement_review")
        page_url = PkUrls("performance:agreement")
        for review in self.reviews:
            agreement = review.agreement
            for step in steps_due(review.due_on, self.today):
                if step in WRITER_STEPS:
                    people = [agreement.supervisor] if review.supervisor_sits else []
                else:
                    people = above.recipients(step, agreement.commissioning_body_id)
                # The chair reads the agreement; the others may record the review.
                if step == ChaseStep.LATE_CHAIR:
                    url = page_url(partnership=agreement.partnership.slug, pk=agreement.pk)
                else:
                    url = record_url(partnership=agreement.partnership.slug, pk=review.pk)
                for person in people:
                    if (agreement.pk, review.due_on, step, person.pk) in self.told:
                        continue
                    yield person, AgreementReviewItem(review, labels[review.due_on], step, url)


# --- agreements ending ---------------------------------------------------------------------------


@dataclass
class AgreementEndingItem:
    """An agreement ending within 90 days, told once to each person."""

    agreement: CommissioningAgreement
    ends_label: str
    days_left: int
    url: str

    kind = AGREEMENT_ENDING
    step = ""
    escalated = False

    @property
    def body(self) -> Body:
        return self.agreement.commissioning_body

    @property
    def partnership(self) -> Partnership:
        return self.agreement.partnership

    @property
    def sort_key(self) -> tuple:
        a = self.agreement
        return (a.ends_on, a.partnership.name, a.reference)

    def as_row(self) -> dict[str, str]:
        a = self.agreement
        days = "today" if self.days_left == 0 else f"in {self.days_left} day"
        days += "s" if self.days_left > 1 else ""
        return {
            "title": f"{a.reference}: {a.title}",
            "where": f"Commissioned by the {a.commissioning_body.name}, {a.partnership.name}",
            "when": f"Ends on {self.ends_label} ({days})",
            "note": f"Supervised by {a.supervisor.full_name}",
            "url": self.url,
        }

    def chase_row(self, *, recipient_id: int, today: date) -> AgreementChase:
        return AgreementChase(
            agreement_id=self.agreement.pk,
            what=AgreementChase.ENDING,
            due_on=self.agreement.ends_on,
            step="",
            recipient_id=recipient_id,
            sent_on=today,
        )


@dataclass
class AgreementsEnding:
    """The agreements ending within 90 days (up to and including their end date)."""

    today: date
    agreements: list[CommissioningAgreement]
    told: set[tuple]

    @classmethod
    def load(cls, *, today: date) -> AgreementsEnding:
        # ends_on - 90 days <= today <= ends_on: agreement_ending_soon, as the pages flag it.
        ending = CommissioningAgreement.objects.filter(
            ends_on__gte=today, ends_on__lte=today + timedelta(days=ENDING_NOTICE_DAYS)
        )
        agreements = list(
            ending.annotate(
                supervisor_sits=sits_now(today, person="supervisor", partnership="partnership")
            )
            .select_related(*_agreement_related())
            .order_by("pk")
        )
        told = set()
        if agreements:
            told = set(
                AgreementChase.objects.filter(
                    what=AgreementChase.ENDING,
                    agreement__in=[a.pk for a in agreements],
                    due_on=F("agreement__ends_on"),
                ).values_list("agreement_id", "recipient_id")
            )
        return cls(today=today, agreements=agreements, told=told)

    @property
    def bodies(self) -> dict[int, Body]:
        return {a.commissioning_body_id: a.commissioning_body for a in self.agreements}

    def items(
        self, *, above: Escalation, labels: DateLabels
    ) -> Iterator[tuple[User, AgreementEndingItem]]:
        page_url = PkUrls("performance:agreement")
        for agreement in self.agreements:
            people = {p.pk: p for p in above.coordinators[agreement.commissioning_body_id]}
            if agreement.supervisor_sits:
                people.setdefault(agreement.supervisor_id, agreement.supervisor)
            url = page_url(partnership=agreement.partnership.slug, pk=agreement.pk)
            days_left = (agreement.ends_on - self.today).days
            for person in people.values():
                if (agreement.pk, person.pk) in self.told:
                    continue
                yield (
                    person,
                    AgreementEndingItem(agreement, labels[agreement.ends_on], days_left, url),
                )
