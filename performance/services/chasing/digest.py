"""What every kind of chase shares: the steps and their windows, who is told above the one who
acts, the digest one person gets a day (its sections, its link) and the record of what it told.

An item of the digest (a return, a risk's review, an overdue control) is any object with:
``kind`` and ``step`` (its section is ``(kind, step)``), ``escalated`` (told to someone above
the one who acts), ``body`` and ``partnership``, ``sort_key``, ``as_row()`` (what the message
shows) and ``chase_row(recipient_id=..., today=...)`` (the unsaved row recording it was told).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol

from django.db import models
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.formats import date_format

from membership.models import Membership, User
from membership.selectors import coordinators_by_body, office_holders_by_body
from partnership.models import Body, Partnership
from performance.models import ChaseStep

# Days from the deadline at which each step starts.
REMIND_DAYS = 7
COORDINATORS_DAYS = 7
CHAIR_DAYS = 14

WRITER_STEPS = {ChaseStep.BEFORE, ChaseStep.DUE}

# The kinds of item, and the step of an overdue control (told once, to its owner).
RETURN, REVIEW, CONTROL = "return", "review", "control"
OVERDUE = "overdue"
# Key partnership reviews, agreement reviews and agreements ending (partnerships.py); an
# agreement's end is told once, with no step.
KP_REVIEW, AGREEMENT_REVIEW, AGREEMENT_ENDING = "kp_review", "agreement_review", "agreement_ending"
RISK_KINDS = {REVIEW, CONTROL}

# The digest's sections, in order, and what each is headed.
SECTIONS = {
    (RETURN, ChaseStep.BEFORE): "Returns due in 7 days",
    (RETURN, ChaseStep.DUE): "Returns due today",
    (RETURN, ChaseStep.LATE_COORDINATORS): "Returns 7 days late (as co-ordinator)",
    (RETURN, ChaseStep.LATE_CHAIR): "Returns 14 days late (as chair)",
    (REVIEW, ChaseStep.BEFORE): "Risk reviews due in 7 days",
    (REVIEW, ChaseStep.DUE): "Risk reviews due today",
    (REVIEW, ChaseStep.LATE_COORDINATORS): "Risk reviews 7 days late (as co-ordinator)",
    (REVIEW, ChaseStep.LATE_CHAIR): "Risk reviews 14 days late (as chair)",
    (CONTROL, OVERDUE): "Risk controls overdue",
    (KP_REVIEW, ChaseStep.BEFORE): "Key partnership reviews due in 7 days",
    (KP_REVIEW, ChaseStep.DUE): "Key partnership reviews due today",
    (KP_REVIEW, ChaseStep.LATE_COORDINATORS): (
        "Key partnership reviews 7 days late (as keeper of the register)"
    ),
    (KP_REVIEW, ChaseStep.LATE_CHAIR): (
        "Key partnership reviews 14 days late (as chair of the partnership board)"
    ),
    (AGREEMENT_REVIEW, ChaseStep.BEFORE): "Agreement reviews due in 7 days",
    (AGREEMENT_REVIEW, ChaseStep.DUE): "Agreement reviews due today",
    (
        AGREEMENT_REVIEW,
        ChaseStep.LATE_COORDINATORS,
    ): "Agreement reviews 7 days late (as co-ordinator)",
    (AGREEMENT_REVIEW, ChaseStep.LATE_CHAIR): "Agreement reviews 14 days late (as chair)",
    (AGREEMENT_ENDING, ""): "Agreements ending within 90 days",
}


class DigestItem(Protocol):
    kind: str
    step: str

    @property
    def escalated(self) -> bool: ...
    @property
    def body(self) -> Body: ...
    @property
    def partnership(self) -> Partnership: ...
    @property
    def sort_key(self) -> tuple: ...
    def as_row(self) -> dict[str, str]: ...
    def chase_row(self, *, recipient_id: int, today: date) -> models.Model: ...


def steps_due(deadline: date, today: date) -> list[str]:
    """The steps whose window ``today`` is in. Windows rather than exact days, so a day the
    job did not run is caught up the next. The two reminders lapse when their window passes
    (nobody is told "due in 7 days" after the deadline, nor "due today" once the co-ordinators
    are told instead); the two escalations do not."""
    steps = []
    if deadline - timedelta(days=REMIND_DAYS) <= today < deadline:
        steps.append(ChaseStep.BEFORE)
    elif deadline <= today < deadline + timedelta(days=COORDINATORS_DAYS):
        steps.append(ChaseStep.DUE)
    if today >= deadline + timedelta(days=COORDINATORS_DAYS):
        steps.append(ChaseStep.LATE_COORDINATORS)
    if today >= deadline + timedelta(days=CHAIR_DAYS):
        steps.append(ChaseStep.LATE_CHAIR)
    return steps


@dataclass
class Escalation:
    """Who hears of a body's late items: its co-ordinators at 7 days late, its chair (or the
    deputy chair if it has no chair) at 14. Loaded once a run for every body chased."""

    coordinators: dict[int, list[User]]
    holders: dict[int, dict[str, User]]

    @classmethod
    def load(cls, *, bodies: dict[int, Body], today: date) -> Escalation:
        return cls(
            coordinators=coordinators_by_body(bodies=bodies.values(), on=today),
            holders=office_holders_by_body(bodies=bodies.values(), on=today),
        )

    def recipients(self, step: str, body_id: int) -> list[User]:
        if step == ChaseStep.LATE_COORDINATORS:
            return self.coordinators[body_id]
        holder = self.holders[body_id]
        chair = holder.get("chair") or holder.get("deputy_chair")
        return [chair] if chair else []


class DateLabels(dict):
    """ "7 January 2027" for each date, formatted once: formatting looks up the language each
    time, and a run has only a few deadlines."""

    def __missing__(self, day: date) -> str:
        self[day] = label = date_format(day, "j F Y")
        return label


class PkUrls:
    """``reverse(name, kwargs={"partnership": ..., "pk": ..., **rest})``, reversed once per
    partnership (and rest) rather than once per object: reverse() looks up the language and the
    URLconf each time, half a second a run at 10,000 returns. The pattern has ``<int:pk>/`` as
    a path segment, the last one that is all zero when reversed with pk 0."""

    def __init__(self, name: str):
        self.name = name
        self.found: dict[tuple, tuple[str, str]] = {}

    def __call__(self, *, partnership: str, pk: int, **rest: Any) -> str:
        key = (partnership, *sorted(rest.items()))
        if key not in self.found:
            url = reverse(self.name, kwargs={"partnership": partnership, "pk": 0, **rest})
            head, _, tail = url.rpartition("/0/")
            self.found[key] = (f"{head}/", f"/{tail}")
        head, tail = self.found[key]
        return f"{head}{pk}{tail}"


@dataclass
class Section:
    title: str
    rows: list[dict[str, str]]


@dataclass
class Digest:
    """Everything one person is to be told today: returns, risk reviews, overdue controls, key
    partnership and agreement reviews, agreements ending."""

    recipient: User
    items: list[DigestItem] = field(default_factory=list)

    @property
    def sections(self) -> list[Section]:
        by_section: dict[tuple[str, str], list] = defaultdict(list)
        for item in self.items:
            by_section[(item.kind, item.step)].append(item)
        found = []
        for key, title in SECTIONS.items():
            if items := by_section.get(key):
                items.sort(key=lambda i: i.sort_key)
                found.append(Section(title=title, rows=[i.as_row() for i in items]))
        return found

    def url(self, *, my_returns: str) -> str:
        """Where the notice links. With returns in it, as for returns alone: "Your returns"
        for a writer; else the body's returns, or the partnership's dashboard if the returns
        are of several bodies (``my_returns`` is that page's URL, reversed once a run rather
        than once a person). Else with risks: the body's register when all are escalations of
        one body (its co-ordinators and chair keep it); else the partnership's register, which
        a risk or control owner, who may sit on another body, can open. Else the register of
        key partnerships, or else the list of agreements."""
        returns = [i for i in self.items if i.kind == RETURN]
        if returns:
            if any(i.step in WRITER_STEPS for i in returns):
                return my_returns
            first = min(returns, key=lambda i: (i.deadline, i.indicator.code))
            if len({i.body.pk for i in returns}) == 1:
                return reverse(
                    "performance:body_returns",
                    kwargs={"partnership": first.partnership.slug, "body": first.body.slug},
                )
            return reverse("performance:dashboard", kwargs={"partnership": first.partnership.slug})
        risks = [i for i in self.items if i.kind in RISK_KINDS]
        if risks:
            first = min(risks, key=lambda i: i.sort_key)
            if all(i.escalated for i in risks) and len({i.body.pk for i in risks}) == 1:
                return reverse(
                    "performance:body_risks",
                    kwargs={"partnership": first.partnership.slug, "body": first.body.slug},
                )
            return reverse("performance:risk_list", kwargs={"partnership": first.partnership.slug})
        # Then key partnerships (the register), then agreements (the list), each the
        # partnership's of the most pressing one.
        kps = [i for i in self.items if i.kind == KP_REVIEW]
        if kps:
            first = min(kps, key=lambda i: i.sort_key)
            return reverse(
                "performance:key_partnership_list", kwargs={"partnership": first.partnership.slug}
            )
        first = min(self.items, key=lambda i: i.sort_key)
        return reverse("performance:agreement_list", kwargs={"partnership": first.partnership.slug})


def digest_record(digest: Digest, today: date) -> None:
    """Record each item the digest told. Called inside the digest's transaction (notify_once's
    ``on_sent``): the rows stand if and only if it is sent. A row already there was told by a
    run that raced this one: nothing to add."""
    rows: dict[type[models.Model], list[models.Model]] = defaultdict(list)
    for item in digest.items:
        row = item.chase_row(recipient_id=digest.recipient.pk, today=today)
        rows[type(row)].append(row)
    for model, found in rows.items():
        model.objects.bulk_create(found, ignore_conflicts=True)


def sits_now(today: date, *, person: str, partnership: str) -> Exists:
    """Whether the outer row's ``person`` holds a current membership of a body of its
    ``partnership``: the rule of ``performance.permissions.sits_in_partnership``, as a
    subquery, so it costs no query per row."""
    return Exists(
        Membership.objects.current(on=today).filter(
            person=OuterRef(person), body__partnership=OuterRef(partnership)
        )
    )
