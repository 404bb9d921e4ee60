"""Key partnership reviews in the daily digest.

An active key partnership's review is due by its ``next_review_on``, chased at the returns'
steps and windows (``steps_due``): its lead officer 7 days before and on the day (while they sit
on a body of the partnership or keep the register: they may not record it otherwise); the keepers
of the register (the partnership's co-ordinators and its governance lead) at 7 days late; the
chair of the partnership board (else its deputy chair) at 14 days late, sent to the key
partnership's page, as the board is where the executive hears of them. Each step is told once
per due date, recorded as a ``KeyPartnershipChase``: a review recorded moves the date, and the
new one is chased afresh when it comes.

The loader takes a fixed number of queries however many records, and none beyond its first
when it finds nothing to chase.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import F

from membership.models import Appointment, AppointmentRole, User
from partnership.models import Body, BodyKind, Partnership
from performance.models import (
    ChaseStep,
    KeyPartnership,
    KeyPartnershipChase,
    KeyPartnershipStatus,
)
from performance.services.chasing.digest import (
    KP_REVIEW,
    REMIND_DAYS,
    WRITER_STEPS,
    DateLabels,
    Escalation,
    PkUrls,
    sits_now,
    steps_due,
)

__all__ = [
    "KeyPartnershipReviewItem",
    "KeyPartnershipReviewsDue",
]


# --- key partnership reviews ---------------------------------------------------------------------


@dataclass
class KeyPartnershipReviewItem:
    """One key partnership's review in one person's digest."""

    key_partnership: KeyPartnership
    deadline: date
    deadline_label: str
    step: str
    url: str

    kind = KP_REVIEW
    body = None  # a key partnership is the partnership's, not a body's

    @property
    def escalated(self) -> bool:
        return self.step not in WRITER_STEPS

    @property
    def partnership(self) -> Partnership:
        return self.key_partnership.partnership

    @property
    def sort_key(self) -> tuple:
        return (self.deadline, self.key_partnership.partnership.name, self.key_partnership.name)

    def as_row(self) -> dict[str, str]:
        kp = self.key_partnership
        return {
            "title": kp.name,
            "where": f"Key partnership of {kp.partnership.name}",
            "when": f"Review due by {self.deadline_label}",
            "note": f"Led by {kp.lead_officer.full_name}" if self.escalated else "",
            "url": self.url,
        }

    def chase_row(self, *, recipient_id: int, today: date) -> KeyPartnershipChase:
        return KeyPartnershipChase(
            key_partnership_id=self.key_partnership.pk,
            due_on=self.deadline,
            step=self.step,
            recipient_id=recipient_id,
            sent_on=today,
        )


@dataclass
class KeyPartnershipReviewsDue:
    """The active key partnerships whose review is due within 7 days or late, who is told of
    each, and what was told of their present due date."""

    today: date
    key_partnerships: list[KeyPartnership]
    keepers: dict[int, list[User]]
    boards: dict[int, Body]
    told: set[tuple]

    @classmethod
    def load(cls, *, today: date) -> KeyPartnershipReviewsDue:
        due = KeyPartnership.objects.filter(
            status=KeyPartnershipStatus.ACTIVE,
            next_review_on__lte=today + timedelta(days=REMIND_DAYS),
        )
        kps = list(
            due.annotate(
                lead_sits=sits_now(today, person="lead_officer", partnership="partnership")
            )
            .select_related("partnership", "lead_officer")
            .order_by("pk")
        )
        if not kps:
            return cls(today=today, key_partnerships=[], keepers={}, boards={}, told=set())
        partnership_ids = {kp.partnership_id for kp in kps}
        keepers: dict[int, dict[int, User]] = {pid: {} for pid in partnership_ids}
        for appointment in (
            Appointment.objects.current(on=today)
            .filter(partnership_id__in=partnership_ids, body__isnull=True)
            .filter(role__in=[AppointmentRole.COORDINATOR, AppointmentRole.GOVERNANCE_LEAD])
            .select_related("person")
        ):
            keepers[appointment.partnership_id][appointment.person_id] = appointment.person
        # Each partnership's open partnership board (the first, as the board's reports take).
        boards: dict[int, Body] = {}
        for board in (
            Body.objects.open()
            .filter(partnership_id__in=partnership_ids, kind=BodyKind.PARTNERSHIP_BOARD)
            .order_by("-pk")
        ):
            boards[board.partnership_id] = board
        return cls(
            today=today,
            key_partnerships=kps,
            keepers={
                pid: sorted(people.values(), key=lambda p: (p.full_name, p.pk))
                for pid, people in keepers.items()
            },
            boards=boards,
            # Only what was told of each one's present due date: an earlier date is history.
            told=set(
                KeyPartnershipChase.objects.filter(
                    key_partnership__in=due.values("pk"),
                    due_on=F("key_partnership__next_review_on"),
                ).values_list("key_partnership_id", "due_on", "step", "recipient_id")
            ),
        )

    @property
    def bodies(self) -> dict[int, Body]:
        """The partnership boards, whose chairs the escalation loads with the other bodies'."""
        return {board.pk: board for board in self.boards.values()}

    def items(
        self, *, above: Escalation, labels: DateLabels
    ) -> Iterator[tuple[User, KeyPartnershipReviewItem]]:
        review_url = PkUrls("performance:key_partnership_review_create")
        page_url = PkUrls("performance:key_partnership")
        for kp in self.key_partnerships:
            deadline = kp.next_review_on
            for step in steps_due(deadline, self.today):
                if step in WRITER_STEPS:
                    # The lead officer may record it while they sit on a body or keep the
                    # register (a co-ordinator or the governance lead holds no seat).
                    keeps = kp.lead_officer in self.keepers.get(kp.partnership_id, [])
                    people = [kp.lead_officer] if kp.lead_sits or keeps else []
                elif step == ChaseStep.LATE_COORDINATORS:
                    people = self.keepers.get(kp.partnership_id, [])
                else:
                    board = self.boards.get(kp.partnership_id)
                    people = above.recipients(step, board.pk) if board is not None else []
                # The chair reads the record; the others may record the review.
                url = (page_url if step == ChaseStep.LATE_CHAIR else review_url)(
                    partnership=kp.partnership.slug, pk=kp.pk
                )
                for person in people:
                    if (kp.pk, deadline, step, person.pk) in self.told:
                        continue
                    yield (
                        person,
                        KeyPartnershipReviewItem(kp, deadline, labels[deadline], step, url),
                    )
